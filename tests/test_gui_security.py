"""GUI security: sign-in, idle lock (nothing personal on screen), database key prompt, backups, accounts."""
from __future__ import annotations

import gc
import os
from pathlib import Path
from typing import Any, Iterator

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QApplication, QComboBox, QLabel,  # noqa: E402
                               QLineEdit, QMessageBox, QPlainTextEdit, QPushButton, QSpinBox, QTextEdit, QWidget)

from station import Station  # noqa: E402

from .conftest import VALID_ID  # noqa: E402
from .gui_helpers import choose, click, dialog, find, idle, tick, type_text  # noqa: E402
from .test_gui_scenarios import go, pick_person  # noqa: E402
from .gui_helpers import screen_key, start_gui, stop_gui  # noqa: E402

#: the 设置 page's Ctrl+number
SETTINGS = screen_key("SettingsPage")

CHIEF_PW, CLERK_PW = "chief-pass-1", "clerk-pass-1"


@pytest.fixture
def secured(ready: Station) -> Path:
    """A station with people, a chief account (周所长) and a counter clerk account (马建国)."""
    ready.people.save_person({"name": "王桂英", "gender": "女", "phone": "13912345678", "id_number": VALID_ID})
    ready.accounts.create_chief("chief", CHIEF_PW, name="周所长")
    ready.sign_in("chief", CHIEF_PW)
    ready.accounts.add_account("clerk", CLERK_PW, ["counter"], staff_uid=ready.ids["clerk"])  # type: ignore[attr-defined]
    folder = ready.data_dir
    ready.close()
    return folder


start, stop = start_gui, stop_gui  # sign-in tests start and stop the app more than once per test


@pytest.fixture
def gui(secured: Path, qtbot: Any) -> Iterator[Any]:
    app = start(qtbot, secured)
    yield app
    stop(qtbot, app)


def sign_in(qtbot: Any, gui: Any, user: str, password: str) -> None:
    w = gui.window
    name = find(w, "用户名", QLineEdit)
    name.clear()
    type_text(qtbot, name, user)
    pw = find(w, "密码", QLineEdit)
    pw.clear()
    type_text(qtbot, pw, password)
    click(qtbot, find(w, "登录", QPushButton))
    idle(qtbot, gui)
    if gui.station.account is not None:  # signed in: shortcuts need the window active again
        qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=3000)


def visible_texts() -> list[str]:
    """Every text a person could read on screen now: labels, inputs, buttons, visible tables, titles."""
    out: list[str] = []
    for top in QApplication.topLevelWidgets():
        if not top.isVisible():
            continue
        out.append(top.windowTitle())
        for w in [top, *top.findChildren(QWidget)]:
            if not w.isVisible():
                continue
            if isinstance(w, QLabel):
                out.append(w.text())
            elif isinstance(w, QLineEdit):
                out.append(w.text())
            elif isinstance(w, (QPlainTextEdit,)):
                out.append(w.toPlainText())
            elif isinstance(w, QTextEdit):
                out.append(w.toPlainText())
            elif isinstance(w, QAbstractButton):
                out.append(w.text())
            elif isinstance(w, QComboBox):
                out.append(w.currentText())
            elif isinstance(w, QMessageBox):
                out.append(w.text())
            elif isinstance(w, QAbstractItemView) and w.model() is not None:
                m = w.model()
                r = 0
                while r < 200 and m.hasIndex(r, 0):  # list, table and tree models alike
                    c = 0
                    while m.hasIndex(r, c):
                        out.append(str(m.index(r, c).data() or ""))
                        c += 1
                    r += 1
    return out


def on_screen(text: str) -> bool:
    return any(text in t for t in visible_texts())


def test_sign_in_required_then_records_carry_the_signed_in_staff(gui: Any, qtbot: Any) -> None:
    w = gui.window
    assert find(w, "用户名", QLineEdit).isVisible() and not w.nav.isVisible()
    assert not on_screen("王桂英") and "临涣" not in w.windowTitle()
    sign_in(qtbot, gui, "chief", "wrong-password")
    qtbot.waitUntil(lambda: find(w, "登录错误", QLabel).text() == "用户名或密码不正确", timeout=5000)
    assert not w.nav.isVisible() and gui.station.account is None
    sign_in(qtbot, gui, "nobody", CHIEF_PW)
    qtbot.waitUntil(lambda: find(w, "登录错误", QLabel).text() == "用户名或密码不正确", timeout=5000)
    sign_in(qtbot, gui, "chief", CHIEF_PW)
    qtbot.waitUntil(lambda: w.nav.isVisible(), timeout=5000)
    assert find(w, "当前账号", QLabel).text() == "已登录：周所长（司法所长）"
    assert not w.operator.isVisible()  # the signed-in account replaces the operator choice
    assert "临涣镇司法所" in w.windowTitle()
    page = go(qtbot, gui, 2)
    pick_person(qtbot, gui, page, "咨询人", "wgy")
    choose(qtbot, find(page, "咨询类别", QComboBox), "劳动争议")
    type_text(qtbot, find(page, "咨询事项", QPlainTextEdit), "老板拖欠工资")
    type_text(qtbot, find(page, "答复意见", QPlainTextEdit), "可申请劳动仲裁")
    choose(qtbot, find(page, "满意度", QComboBox), "满意")
    qtbot.keyClick(w, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: find(page, "保存结果", QLabel).text().startswith("已保存"), timeout=5000)
    idle(qtbot, gui)
    st = gui.station
    rec = page.model.record(0)
    from station.models import Consultation
    with st.read() as s:
        created_by = s.get(Consultation, rec["uid"]).created_by
    assert created_by == st.account["staff_uid"] and st.account["username"] == "chief"


def test_rate_limit_message_after_repeated_failures(gui: Any, qtbot: Any) -> None:
    for _ in range(5):
        sign_in(qtbot, gui, "clerk", "wrong-password")
    qtbot.waitUntil(lambda: "秒后再试" in find(gui.window, "登录错误", QLabel).text(), timeout=5000)
    sign_in(qtbot, gui, "clerk", CLERK_PW)  # right password, but must wait
    assert "连续登录失败次数过多" in find(gui.window, "登录错误", QLabel).text()
    assert gui.station.account is None


def test_idle_lock_hides_personal_data_until_the_password(gui: Any, qtbot: Any) -> None:
    w = gui.window
    sign_in(qtbot, gui, "chief", CHIEF_PW)
    page = go(qtbot, gui, 2)
    pick_person(qtbot, gui, page, "咨询人", "wgy")
    assert on_screen("王桂英")
    box = QMessageBox(QMessageBox.Icon.Information, "记录", "当事人：王桂英", QMessageBox.StandardButton.Ok, w)
    box.open()  # an open dialog holding personal data
    qtbot.waitUntil(box.isVisible)
    gui.window.session.set_lock_ms(200)  # tests wait 200 ms instead of the default 10 minutes
    qtbot.waitUntil(lambda: gui.window.session.locked, timeout=3000)
    assert find(w, "解锁", QPushButton).isVisible()
    assert not on_screen("王桂英") and not box.isVisible()
    assert "临涣" not in w.windowTitle() and not w.statusBar().isVisible()
    pw = find(w, "密码", QLineEdit)
    type_text(qtbot, pw, "wrong-password")
    click(qtbot, find(w, "解锁", QPushButton))
    idle(qtbot, gui)
    qtbot.waitUntil(lambda: find(w, "登录错误", QLabel).text().startswith("用户名或密码不正确"), timeout=5000)
    assert gui.window.session.locked and not on_screen("王桂英")
    gui.window.session.set_lock_ms(10 * 60_000)  # no second lock while we type
    type_text(qtbot, find(w, "密码", QLineEdit), CHIEF_PW + "\n")  # Enter submits
    idle(qtbot, gui)
    qtbot.waitUntil(lambda: not gui.window.session.locked, timeout=5000)
    assert w.nav.isVisible() and on_screen("王桂英") and box.isVisible()  # work and dialog come back
    assert "临涣镇司法所" in w.windowTitle()
    box.close()


def test_ctrl_l_locks_and_switch_user_signs_in_someone_else(gui: Any, qtbot: Any) -> None:
    w = gui.window
    sign_in(qtbot, gui, "chief", CHIEF_PW)
    go(qtbot, gui, 5)
    qtbot.keyClick(w, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert w.session.locked and not w.nav.isVisible()
    # while locked the page shortcuts do nothing
    qtbot.keyClick(w, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert w.stack.currentIndex() == 4
    click(qtbot, find(w, "切换用户", QPushButton))
    idle(qtbot, gui)
    assert find(w, "用户名", QLineEdit).isVisible() and gui.station.account is None
    sign_in(qtbot, gui, "clerk", CLERK_PW)
    qtbot.waitUntil(lambda: w.nav.isVisible(), timeout=5000)
    assert find(w, "当前账号", QLabel).text() == "已登录：马建国（窗口接待）"
    assert w.stack.currentIndex() == 0  # the next person starts on the home screen
    click(qtbot, find(w, "退出登录", QPushButton))
    idle(qtbot, gui)
    assert find(w, "用户名", QLineEdit).isVisible() and gui.station.account is None


def test_folder_without_accounts_keeps_the_operator_choice(ready: Station, qtbot: Any) -> None:
    folder = ready.data_dir
    ready.close()
    gui = start(qtbot, folder)
    try:
        assert gui.window.nav.isVisible() and gui.window.operator.isVisible()
        assert not find(gui.window, "当前账号", QLabel, visible=False).isVisible()
        qtbot.keyClick(gui.window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
        assert not gui.window.session.locked and gui.window.nav.isVisible()
    finally:
        stop(qtbot, gui)


# -- database key ----------------------------------------------------------------------------------------------

@pytest.fixture
def password_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    """An encrypted database in password mode on a machine without a keyring."""
    import keyring
    from keyring.backends import fail
    monkeypatch.setattr(keyring.core, "_keyring_backend", fail.Keyring())
    folder = tmp_path / "enc"
    st = Station.open(folder, encrypt=True, password="db-password-1")
    st.reference.setup_station({"code": "340621101", "name": "临涣镇司法所", "abbr": "临"})
    code = st.recovery_code
    assert code
    st.close()
    return folder, code


def test_key_prompt_asks_again_after_a_wrong_password(password_db: tuple[Path, str], qtbot: Any) -> None:
    from ui.app import StationApp
    folder, code = password_db
    gui = StationApp(folder)
    gui.window.show()
    try:
        qtbot.waitUntil(lambda: any(w.objectName() == "db_key_dialog" and w.isVisible()
                                    for w in QApplication.topLevelWidgets()), timeout=5000)
        dlg = dialog("db_key_dialog")
        assert "请输入数据库密码" in find(dlg, "密钥提示", QLabel).text()
        type_text(qtbot, find(dlg, "数据库密码", QLineEdit), "db-password-2")
        click(qtbot, find(dlg, "打开", QPushButton))
        qtbot.waitUntil(lambda: gui.keys.dialog is not dlg and gui.keys.dialog.isVisible(), timeout=10000)
        dlg = dialog("db_key_dialog")
        assert find(dlg, "密钥提示", QLabel).text() == "数据库密码不正确"
        click(qtbot, find(dlg, "使用恢复码"))
        type_text(qtbot, find(dlg, "恢复码", QLineEdit), code)
        click(qtbot, find(dlg, "打开", QPushButton))
        qtbot.waitUntil(lambda: "临涣镇司法所" in gui.window.windowTitle(), timeout=10000)
        idle(qtbot, gui)
        assert gui.station.key is not None and not dlg.isVisible()
    finally:
        stop(qtbot, gui)


def test_lost_keyring_asks_for_the_recovery_code_only(tmp_path: Path, qtbot: Any) -> None:
    import keyring

    from station.security import crypto
    from ui.app import StationApp
    folder = tmp_path / "enc"
    st = Station.open(folder, encrypt=True)  # key in the (test) keyring
    st.reference.setup_station({"code": "340621101", "name": "临涣镇司法所", "abbr": "临"})
    code = st.recovery_code
    st.close()
    info = crypto.read_info(folder)
    assert info is not None and code
    keyring.delete_password(crypto.KEYRING_SERVICE, f"database-{info.db_id}")  # new machine / lost keyring
    gui = StationApp(folder)
    gui.window.show()
    try:
        qtbot.waitUntil(lambda: gui.keys.dialog is not None and gui.keys.dialog.isVisible(), timeout=5000)
        dlg = gui.keys.dialog
        assert "恢复码" in find(dlg, "密钥提示", QLabel).text()
        assert not dlg.use_password.isVisible()  # no password exists in keyring mode
        type_text(qtbot, find(dlg, "恢复码", QLineEdit), code.lower())
        click(qtbot, find(dlg, "打开", QPushButton))
        qtbot.waitUntil(lambda: "临涣镇司法所" in gui.window.windowTitle(), timeout=10000)
        idle(qtbot, gui)
    finally:
        stop(qtbot, gui)
    assert keyring.get_password(crypto.KEYRING_SERVICE, f"database-{info.db_id}")  # the key went back


def test_key_prompt_cancel_quits_cleanly(password_db: tuple[Path, str], qtbot: Any) -> None:
    from ui.app import StationApp
    folder, _code = password_db
    gui = StationApp(folder)
    gui.window.show()
    errors: list[Any] = []
    gui.bus.error_raised.connect(errors.append)
    try:
        qtbot.waitUntil(lambda: gui.keys.dialog is not None and gui.keys.dialog.isVisible(), timeout=5000)
        click(qtbot, find(gui.keys.dialog, "退出", QPushButton))
        qtbot.waitUntil(lambda: not gui.window.isVisible(), timeout=5000)
        qtbot.wait(200)
        assert gui.cancelled and gui.station is None and errors == []
    finally:
        gui.close()
        gc.collect()


# -- backups and accounts in 设置 ------------------------------------------------------------------------------

def test_backup_now_makes_a_verifiable_backup(gui: Any, qtbot: Any, tmp_path: Path) -> None:
    from station.security.backup import check_backup
    sign_in(qtbot, gui, "chief", CHIEF_PW)
    page = go(qtbot, gui, SETTINGS)
    idle(qtbot, gui)
    assert find(page, "备份文件夹", QLabel).text() == str(gui.station.data_dir / "backups")
    click(qtbot, find(page, "立即备份", QPushButton))
    result = find(page, "备份结果", QLabel)
    qtbot.waitUntil(lambda: result.text().startswith("已备份到"), timeout=10000)
    path = Path(result.text().removeprefix("已备份到 ").rsplit("（", 1)[0])
    assert path.is_file() and path.parent == gui.station.data_dir / "backups"
    assert ("KB）" in result.text()) or ("MB）" in result.text())
    work = tmp_path / "check"
    work.mkdir()
    checked = check_backup(path, gui.station.key, work)
    assert checked.manifest["counts"]["persons"] >= 1
    # keep-N is a station setting (device scope), in the database like the first-run wizard's choice
    keep = find(page, "自动备份保留份数", QSpinBox)
    keep.setValue(3)
    click(qtbot, find(page, "保存备份设置", QPushButton))
    idle(qtbot, gui)
    from station.security.backup import backup_folder
    assert gui.worker.run(backup_folder).result(10) == (gui.station.data_dir / "backups", 3)


def test_clerk_cannot_back_up_and_sees_no_account_management(gui: Any, qtbot: Any) -> None:
    sign_in(qtbot, gui, "clerk", CLERK_PW)
    page = go(qtbot, gui, SETTINGS)
    idle(qtbot, gui)
    assert not find(page, "立即备份", QPushButton).isEnabled()
    assert not find(page, "账号列表", visible=False).isVisible()


def test_scheduled_backup_runs_while_the_app_is_open(secured: Path, qtbot: Any) -> None:
    gui = start(qtbot, secured, backup_first_ms=50)
    try:
        qtbot.waitUntil(lambda: gui.window.session.last_backup is not None, timeout=10000)
        made = gui.window.session.last_backup
        assert made.parent == secured / "backups" and made.name.startswith("station-auto-")
        gui.window.session.check_backup()  # not due again today: no second file
        idle(qtbot, gui)
        assert len(list((secured / "backups").glob("station-auto-*.stbak"))) == 1
    finally:
        stop(qtbot, gui)


def test_chief_adds_an_account_that_can_sign_in(gui: Any, qtbot: Any) -> None:
    w = gui.window
    sign_in(qtbot, gui, "chief", CHIEF_PW)
    page = go(qtbot, gui, SETTINGS)
    idle(qtbot, gui)
    table = find(page, "账号列表")
    qtbot.waitUntil(lambda: table.model().rowCount() == 2, timeout=5000)
    type_text(qtbot, find(page, "新账号用户名", QLineEdit), "Bad Name")
    click(qtbot, find(page, "添加账号", QPushButton))
    qtbot.waitUntil(lambda: find(page, "新账号用户名错误", QLabel).isVisible(), timeout=5000)
    name = find(page, "新账号用户名", QLineEdit)
    name.clear()
    type_text(qtbot, name, "lili")
    type_text(qtbot, find(page, "新账号姓名", QLineEdit), "李丽")
    type_text(qtbot, find(page, "初始密码", QLineEdit), "lili-pass-1")
    tick(qtbot, find(page.security.accounts_box, "人民调解员"))  # not the staff form's box of that name
    click(qtbot, find(page, "添加账号", QPushButton))
    qtbot.waitUntil(lambda: table.model().rowCount() == 3, timeout=5000)
    assert find(page, "账号操作结果", QLabel).text() == "已添加账号 lili（人民调解员）"
    click(qtbot, find(w, "退出登录", QPushButton))
    idle(qtbot, gui)
    sign_in(qtbot, gui, "lili", "lili-pass-1")
    qtbot.waitUntil(lambda: w.nav.isVisible(), timeout=5000)
    assert find(w, "当前账号", QLabel).text() == "已登录：李丽（人民调解员）"


def test_restore_from_backup_replaces_the_data_and_asks_to_sign_in_again(gui: Any, qtbot: Any) -> None:
    w = gui.window
    sign_in(qtbot, gui, "chief", CHIEF_PW)
    page = go(qtbot, gui, SETTINGS)
    idle(qtbot, gui)
    click(qtbot, find(page, "立即备份", QPushButton))
    result = find(page, "备份结果", QLabel)
    qtbot.waitUntil(lambda: result.text().startswith("已备份到"), timeout=10000)
    path = Path(result.text().removeprefix("已备份到 ").rsplit("（", 1)[0])
    gui.worker.run(lambda st: st.people.save_person({"name": "赵铁柱", "gender": "男"}))  # after the backup
    idle(qtbot, gui)
    assert [h for h in gui.station.search("赵铁柱") if h.kind == "person"]
    page.security.confirm_restore(path)
    click(qtbot, find(dialog("restore_confirm"), "确认恢复", QPushButton))
    idle(qtbot, gui)
    qtbot.waitUntil(lambda: find(w, "用户名", QLineEdit).isVisible(), timeout=10000)
    assert "已从备份恢复" in find(w, "登录说明", QLabel).text() and not on_screen("赵铁柱")
    sign_in(qtbot, gui, "chief", CHIEF_PW)
    qtbot.waitUntil(lambda: w.nav.isVisible(), timeout=5000)
    assert not [h for h in gui.station.search("赵铁柱") if h.kind == "person"]  # the backup's data is back
    assert [h for h in gui.station.search("王桂英") if h.kind == "person"]
    assert list((gui.station.data_dir / "backups").glob("station-before-restore-*.db"))


def test_clerk_changes_own_password(gui: Any, qtbot: Any) -> None:
    w = gui.window
    sign_in(qtbot, gui, "clerk", CLERK_PW)
    page = go(qtbot, gui, SETTINGS)
    idle(qtbot, gui)
    box = page.security.own_box
    type_text(qtbot, find(box, "原密码", QLineEdit), "not-my-password")
    type_text(qtbot, find(box, "新密码", QLineEdit), "clerk-pass-2")
    type_text(qtbot, find(box, "再输入一次新密码", QLineEdit), "clerk-pass-2")
    click(qtbot, find(box, "修改密码", QPushButton))
    qtbot.waitUntil(lambda: find(box, "原密码错误", QLabel).text() == "原密码不正确", timeout=5000)
    find(box, "原密码", QLineEdit).clear()
    type_text(qtbot, find(box, "原密码", QLineEdit), CLERK_PW)
    click(qtbot, find(box, "修改密码", QPushButton))
    qtbot.waitUntil(lambda: find(box, "修改密码结果", QLabel).text().startswith("密码已修改"), timeout=5000)
    click(qtbot, find(w, "退出登录", QPushButton))
    idle(qtbot, gui)
    sign_in(qtbot, gui, "clerk", CLERK_PW)
    assert gui.station.account is None
    sign_in(qtbot, gui, "clerk", "clerk-pass-2")
    assert gui.station.account["username"] == "clerk"
