"""The first-run wizard, driven as a user would: fresh folder → wizard → a working, signed-in app."""
from __future__ import annotations

import datetime as dt
import gc
import os
from pathlib import Path
from typing import Any, Iterator

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import (QApplication, QCheckBox, QComboBox, QLabel, QLineEdit, QPlainTextEdit,  # noqa: E402
                               QRadioButton, QTableWidget)

from station import Station  # noqa: E402
from station.security import crypto  # noqa: E402
from station.services import first_run as core  # noqa: E402

from .gui_helpers import choose, click, dialog, find, idle, screen_key, tick, type_text  # noqa: E402
from .test_gui_scenarios import go, pick_person  # noqa: E402

PASSWORD = "Linhuan#2026"
# pasted from Excel: a header row, full-width spaces and digits, an empty code cell, a blank line, a repeat
VILLAGES_TSV = ("村（社区）名称\t编码\n南坪村\t340621101201\n\u3000五沟村\u3000\t３４０６２１１０１２０２\n"
                "临涣社区\t\n\n 南坪村 \t\n")


class Gui:
    """Starts and closes StationApp on one data folder (a restart is close + start)."""

    def __init__(self, qtbot: Any, folder: Path) -> None:
        self.qtbot, self.folder = qtbot, folder
        self.app: Any = None

    def start(self) -> Any:
        from ui.app import StationApp
        self.app = StationApp(self.folder)
        self.app.window.show()
        self.qtbot.waitExposed(self.app.window)
        idle(self.qtbot, self.app, timeout=30000)  # a new encrypted database: migrations + key set-up
        return self.app

    def stop(self) -> None:
        if self.app is not None:
            idle(self.qtbot, self.app)
            self.app.close()
            self.app = None
            gc.collect()


@pytest.fixture
def gui(qtbot: Any, tmp_path: Path) -> Iterator[Gui]:
    g = Gui(qtbot, tmp_path / "fresh")
    yield g
    g.stop()


def wizard(qtbot: Any) -> Any:
    qtbot.waitUntil(lambda: _visible("first_run_wizard"), timeout=30000)
    return dialog("first_run_wizard")


def _visible(name: str) -> bool:
    return any(w.objectName() == name and w.isVisible() for w in QApplication.topLevelWidgets())


def page_title(wiz: Any) -> str:
    return str(wiz.currentPage().title())


def next_page(qtbot: Any, wiz: Any) -> None:
    click(qtbot, find(wiz, "下一步"))


def go_to(qtbot: Any, app: Any, n: int) -> Any:
    """Ctrl+n once the main window is active again (offscreen, a closed dialog does not hand it back)."""
    app.window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is app.window, timeout=5000)
    return go(qtbot, app, n)


def fill_station(qtbot: Any, wiz: Any) -> None:
    type_text(qtbot, find(wiz, "司法所编码", QLineEdit), "340621101")
    type_text(qtbot, find(wiz, "司法所名称", QLineEdit), "临涣镇司法所")
    type_text(qtbot, find(wiz, "所属县（市、区）", QLineEdit), "濉溪县")
    type_text(qtbot, find(wiz, "简称", QLineEdit), "临")


def fill_chief(qtbot: Any, wiz: Any, password2: str = PASSWORD) -> None:
    type_text(qtbot, find(wiz, "用户名", QLineEdit), "zhangsan")
    type_text(qtbot, find(wiz, "姓名", QLineEdit), "张建华")
    type_text(qtbot, find(wiz, "密码", QLineEdit), PASSWORD)
    type_text(qtbot, find(wiz, "再次输入密码", QLineEdit), password2)


def test_fresh_folder_wizard_to_a_signed_in_working_app(gui: Gui, qtbot: Any, tmp_path: Path) -> None:
    app = gui.start()
    wiz = wizard(qtbot)
    assert page_title(wiz) == "本所信息"
    fill_station(qtbot, wiz)
    next_page(qtbot, wiz)
    assert page_title(wiz) == "站长账号"
    fill_chief(qtbot, wiz)
    assert "强" in find(wiz, "密码强度", QLabel).text()
    next_page(qtbot, wiz)
    assert page_title(wiz) == "村（社区）"
    names = find(wiz, "村（社区）名单", QPlainTextEdit)
    QApplication.clipboard().setText(VILLAGES_TSV)
    names.setFocus()
    qtbot.keyClick(names, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)  # pasted, as from Excel
    table = find(wiz, "将要添加的村（社区）", QTableWidget)
    rows = [[table.item(r, c).text() for c in range(4)] for r in range(table.rowCount())]
    assert rows == [["南坪村", "340621101201", "村", "新增"], ["五沟村", "340621101202", "村", "新增"],
                    ["临涣社区", "", "社区", "新增"], ["南坪村", "", "村", "重复，跳过"]]
    assert find(wiz, "预览说明", QLabel).text().startswith("将新增 3 个")
    next_page(qtbot, wiz)
    assert page_title(wiz) == "编号格式"
    assert find(wiz, "下一个案件编号", QLabel).text().endswith("临人调字第1号")
    fmt = find(wiz, "案件编号格式", QLineEdit)
    fmt.selectAll()
    type_text(qtbot, fmt, "临司调〔{year}〕{seq}号")
    year = dt.date.today().year
    assert find(wiz, "下一个案件编号", QLabel).text().endswith(f"临司调〔{year}〕1号")
    next_page(qtbot, wiz)
    assert page_title(wiz) == "备份"
    backups = tmp_path / "U盘备份"
    type_text(qtbot, find(wiz, "备份文件夹", QLineEdit), str(backups))
    keep = find(wiz, "保留份数", QLineEdit)
    keep.selectAll()
    type_text(qtbot, keep, "5")
    next_page(qtbot, wiz)
    assert page_title(wiz) == "恢复码"  # a new folder is encrypted (the tests' file keyring holds the key)
    code = find(wiz, "恢复码", QLabel).text()
    assert not find(wiz, "下一步").isEnabled()  # not before the user says the code is written down
    tick(qtbot, find(wiz, "我已抄写/打印", QCheckBox))
    next_page(qtbot, wiz)
    assert page_title(wiz) == "完成"
    summary = find(wiz, "设置摘要", QLabel).text()
    assert "临涣镇司法所" in summary and "zhangsan" in summary and "新增村（社区）：3 个" in summary
    click(qtbot, find(wiz, "完成"))
    qtbot.waitUntil(lambda: not wiz.isVisible(), timeout=20000)
    idle(qtbot, app)

    st = app.station
    assert st.account is not None and st.account["username"] == "zhangsan" and st.account["roles"] == ["chief"]
    info = st.reference.station_info()
    assert (info["code"], info["name"], info["county"], info["abbr"]) == ("340621101", "临涣镇司法所", "濉溪县", "临")
    villages = {v["name"]: (v["code"], v["kind"]) for v in st.reference.list_reference("village")}
    assert villages == {"南坪村": ("340621101201", "village"), "五沟村": ("340621101202", "village"),
                        "临涣社区": ("", "community")}
    s = st.reference.get_settings()
    assert (s["case_number_format"], s["backup_dir"], s["backup_keep"]) == ("临司调〔{year}〕{seq}号", str(backups), 5)
    assert s["recovery_code_confirmed"] is True
    assert st.drafts.load_draft(core.DRAFT_KEY) is None  # the draft went in the finishing transaction
    info_file = crypto.read_info(st.data_dir)
    assert st.key is not None and crypto.load_key(st.data_dir, info_file, recovery_code=code) == st.key
    qtbot.waitUntil(lambda: app.window.windowTitle().startswith("临涣镇司法所"), timeout=5000)

    # ready to work: a consultation is saved by the signed-in chief
    st.people.save_person({"name": "王桂英", "gender": "女", "phone": "13912345678"})
    page = go_to(qtbot, app, 2)
    pick_person(qtbot, app, page, "咨询人", "王桂英")
    choose(qtbot, find(page, "咨询类别", QComboBox), "劳动争议")
    type_text(qtbot, find(page, "咨询事项", QPlainTextEdit), "工资被拖欠三个月")
    type_text(qtbot, find(page, "答复意见", QPlainTextEdit), "可申请劳动仲裁")
    qtbot.keyClick(app.window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: find(page, "保存结果", QLabel).text().startswith("已保存"), timeout=5000)
    idle(qtbot, app)
    qtbot.waitUntil(lambda: page.model.total == 1, timeout=5000)
    assert page.model.record(0)["created_by"] == st.account["staff_uid"]
    # backups go where the wizard said, keeping as many as it said
    from station.security.backup import backup_folder, scheduled_backup
    assert backup_folder(st) == (backups, 5)
    assert scheduled_backup(st).parent == backups


def test_closed_halfway_comes_back_on_the_next_start(gui: Gui, qtbot: Any) -> None:
    gui.start()
    wiz = wizard(qtbot)
    fill_station(qtbot, wiz)
    next_page(qtbot, wiz)
    fill_chief(qtbot, wiz)
    first_code_page = [p for p in wiz.pages_ if p.title() == "恢复码"]
    first_code = first_code_page[0].code.text()
    click(qtbot, find(wiz, "取消"))
    qtbot.waitUntil(lambda: not wiz.isVisible(), timeout=5000)
    idle(qtbot, gui.app)
    draft = gui.app.station.drafts.load_draft(core.DRAFT_KEY)
    assert draft["data"]["name"] == "临涣镇司法所" and draft["data"]["username"] == "zhangsan"
    assert not core.SECRET_FIELDS & set(draft["data"])  # passwords are never kept
    gui.stop()

    gui.start()
    wiz = wizard(qtbot)
    note = find(wiz, "草稿提示", QLabel).text()
    assert note.startswith("已找回上次未完成的设置") and "密码" in note
    assert find(wiz, "司法所编码", QLineEdit).text() == "340621101"
    assert find(wiz, "司法所名称", QLineEdit).text() == "临涣镇司法所"
    assert find(wiz, "所属县（市、区）", QLineEdit).text() == "濉溪县"
    next_page(qtbot, wiz)
    assert find(wiz, "用户名", QLineEdit).text() == "zhangsan"
    assert find(wiz, "姓名", QLineEdit).text() == "张建华"
    assert find(wiz, "密码", QLineEdit).text() == ""
    # the first recovery code was never confirmed: it no longer opens the data; the new one does
    new_code = [p for p in wiz.pages_ if p.title() == "恢复码"][0].code.text()
    assert new_code != first_code
    st = gui.app.station
    info = crypto.read_info(st.data_dir)
    assert crypto.load_key(st.data_dir, info, recovery_code=new_code) == st.key
    with pytest.raises(Exception, match="恢复码不正确"):
        crypto.load_key(st.data_dir, info, recovery_code=first_code)


def test_bad_input_is_refused_next_to_the_field(gui: Gui, qtbot: Any) -> None:
    gui.start()
    wiz = wizard(qtbot)
    type_text(qtbot, find(wiz, "司法所编码", QLineEdit), "340621101")
    next_page(qtbot, wiz)  # no station name
    assert page_title(wiz) == "本所信息"
    assert find(wiz, "司法所名称错误", QLabel).text() == "不能为空"
    assert "司法所名称：不能为空" in find(wiz, "本所信息错误", QLabel).text()
    type_text(qtbot, find(wiz, "司法所名称", QLineEdit), "临涣镇司法所")
    next_page(qtbot, wiz)
    assert page_title(wiz) == "站长账号"
    fill_chief(qtbot, wiz, password2="Linhuan#2025")
    assert "不一致" in find(wiz, "密码强度", QLabel).text()
    next_page(qtbot, wiz)
    assert page_title(wiz) == "站长账号"
    assert find(wiz, "再次输入密码错误", QLabel).text() == "两次输入的密码不一致"
    assert "再次输入密码" in find(wiz, "站长账号错误", QLabel).text()
    pw2 = find(wiz, "再次输入密码", QLineEdit)
    pw2.selectAll()
    type_text(qtbot, pw2, PASSWORD)
    next_page(qtbot, wiz)
    assert page_title(wiz) == "村（社区）"
    type_text(qtbot, find(wiz, "村（社区）名单", QPlainTextEdit), "南坪村，34-06?\n")
    next_page(qtbot, wiz)
    assert page_title(wiz) == "村（社区）"
    assert "第1行编码只能包含字母和数字" in find(wiz, "村（社区）名单错误", QLabel).text()
    idle(qtbot, gui.app)
    assert gui.app.station.reference.station_info() is None  # nothing written before 完成


def test_rerun_from_settings_keeps_existing_data(ready: Station, qtbot: Any, monkeypatch: Any) -> None:
    ready.accounts.create_chief("chief", PASSWORD, name="所长")
    folder = ready.data_dir
    ready.close()
    plain_open = Station.open

    def open_signed_in(*args: Any, **kwargs: Any) -> Station:  # the chief signed in (sign-in dialog not here)
        st = plain_open(*args, **kwargs)
        st.sign_in("chief", PASSWORD)
        return st
    monkeypatch.setattr(Station, "open", open_signed_in)
    g = Gui(qtbot, folder)
    try:
        app = g.start()
        assert not _visible("first_run_wizard")  # identity present, no draft: no wizard on start
        page = go_to(qtbot, app, screen_key("SettingsPage"))
        click(qtbot, find(page, "重新运行设置向导"))
        wiz = wizard(qtbot)
        assert wiz.windowTitle() == "设置向导"
        assert find(wiz, "司法所名称", QLineEdit).text() == "临涣镇司法所"
        county = find(wiz, "所属县（市、区）", QLineEdit)
        county.selectAll()
        type_text(qtbot, county, "淮北市濉溪县")
        next_page(qtbot, wiz)
        assert page_title(wiz) == "村（社区）"  # an account exists: no chief page
        assert "南坪村" in find(wiz, "已有村（社区）", QLabel).text()
        type_text(qtbot, find(wiz, "村（社区）名单", QPlainTextEdit), "南坪村\n新河村")
        table = find(wiz, "将要添加的村（社区）", QTableWidget)
        assert [table.item(r, 3).text() for r in range(table.rowCount())] == ["已有，跳过", "新增"]
        for _ in range(3):  # 编号格式, 备份, 完成
            next_page(qtbot, wiz)
        assert page_title(wiz) == "完成"  # plain database (made by the tests): no recovery code page
        click(qtbot, find(wiz, "完成"))
        qtbot.waitUntil(lambda: not wiz.isVisible(), timeout=20000)
        idle(qtbot, app)
        st = app.station
        assert st.account["username"] == "chief"
        assert sorted(v["name"] for v in st.reference.list_reference("village")) == ["南坪村", "新河村"]
        assert {s["name"] for s in st.reference.list_reference("staff")} >= {"孙德胜", "马建国", "所长"}
        info = st.reference.station_info()
        assert (info["code"], info["county"]) == ("340621101", "淮北市濉溪县")
        assert [a["username"] for a in st.accounts.list_accounts()] == ["chief"]
        assert st.key is None  # an existing plain database is left plain
    finally:
        g.stop()


def test_station_identity_fetched_from_the_hub(gui: Gui, qtbot: Any, tmp_path: Path) -> None:
    from hub.service import put_reference

    from .sync.conftest import HubProcess
    hub = HubProcess(f"sqlite:///{tmp_path / 'hub.db'}", tmp_path).start()
    try:
        reg = hub.register("340621101", "临涣镇司法所")
        eng = hub.engine()
        put_reference(eng, [{"_kind": "village", "name": "南坪村", "kind": "village"}], "340621101")
        eng.dispose()
        app = gui.start()
        wiz = wizard(qtbot)
        tick(qtbot, find(wiz, "从县级平台获取", QRadioButton))
        click(qtbot, find(wiz, "获取本所信息"))  # nothing typed yet: refused next to the fields
        assert find(wiz, "县级平台地址错误", QLabel).text() == "不能为空"
        type_text(qtbot, find(wiz, "县级平台地址", QLineEdit), hub.url)
        type_text(qtbot, find(wiz, "设备令牌", QLineEdit), reg["token"])
        click(qtbot, find(wiz, "获取本所信息"))
        result = find(wiz, "获取结果", QLabel)
        qtbot.waitUntil(lambda: result.text().startswith("已从县级平台获取"), timeout=20000)
        assert "村（社区）1 个" in result.text()
        assert find(wiz, "司法所编码", QLineEdit).text() == "340621101"
        assert find(wiz, "司法所名称", QLineEdit).text() == "临涣镇司法所"
        qtbot.waitUntil(lambda: app.station.drafts.load_draft(core.DRAFT_KEY) is not None, timeout=5000)
        assert "hub_token" not in app.station.drafts.load_draft(core.DRAFT_KEY)["data"]
        next_page(qtbot, wiz)
        fill_chief(qtbot, wiz)
        next_page(qtbot, wiz)
        assert "南坪村" in find(wiz, "已有村（社区）", QLabel).text()
        for _ in range(3):  # 编号格式, 备份 → 恢复码
            next_page(qtbot, wiz)
        tick(qtbot, find(wiz, "我已抄写/打印", QCheckBox))
        next_page(qtbot, wiz)
        click(qtbot, find(wiz, "完成"))
        qtbot.waitUntil(lambda: not wiz.isVisible(), timeout=20000)
        idle(qtbot, app)
        st = app.station
        assert st.account["username"] == "zhangsan"
        assert st.reference.station_info()["code"] == "340621101"
        assert [v["name"] for v in st.reference.list_reference("village")] == ["南坪村"]  # the hub's, not twice
    finally:
        hub.stop()


def test_closed_untouched_leaves_no_draft_and_comes_back_on_start(gui: Gui, qtbot: Any) -> None:
    gui.start()
    wiz = wizard(qtbot)
    click(qtbot, find(wiz, "取消"))
    qtbot.waitUntil(lambda: not wiz.isVisible(), timeout=5000)
    idle(qtbot, gui.app)
    assert gui.app.station.drafts.load_draft(core.DRAFT_KEY) is None
    gui.stop()
    gui.start()
    wiz = wizard(qtbot)  # still no station identity: the wizard again, with nothing to restore
    assert not find(wiz, "草稿提示", QLabel, visible=False).isVisible()


def test_refused_on_finish_goes_back_to_the_page_and_writes_nothing(gui: Gui, qtbot: Any, monkeypatch: Any) -> None:
    checks = core.check_page
    monkeypatch.setattr(core, "check_page",  # let an empty station name past its page: 完成 must still refuse it
                        lambda page, d, **kw: [] if page == "station" else checks(page, d, **kw))
    app = gui.start()
    wiz = wizard(qtbot)
    type_text(qtbot, find(wiz, "司法所编码", QLineEdit), "340621101")
    next_page(qtbot, wiz)
    fill_chief(qtbot, wiz)
    for _ in range(4):  # 村（社区）, 编号格式, 备份 → 恢复码
        next_page(qtbot, wiz)
    tick(qtbot, find(wiz, "我已抄写/打印", QCheckBox))
    next_page(qtbot, wiz)
    click(qtbot, find(wiz, "完成"))
    qtbot.waitUntil(lambda: page_title(wiz) == "本所信息", timeout=10000)
    assert wiz.isVisible()
    assert find(wiz, "司法所名称错误", QLabel).text() == "不能为空"
    idle(qtbot, app)
    st = app.station
    assert st.reference.station_info() is None and st.accounts.list_accounts() == []
    assert st.account is None
    assert st.drafts.load_draft(core.DRAFT_KEY)["data"]["code"] == "340621101"  # the draft survives the refusal
