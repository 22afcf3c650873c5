"""Take a PNG of every screen with realistic demo data: ``xvfb-run -a python docs/make_screenshots.py``.

Writes docs/screenshots/*.png at 1280×800. Look at every one: cut, overlapping or
boxed-out text is a bug.
"""
from __future__ import annotations

import datetime as dt
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEvent, Qt  # noqa: E402
from PySide6.QtGui import QKeyEvent  # noqa: E402
from PySide6.QtWidgets import QApplication, QLineEdit, QScrollArea, QWidget  # noqa: E402

from station import Station, demo  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
SIZE = (1280, 800)


def spin(app: QApplication, gui: Any, seconds: float = 0.6) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end or gui.worker.pending:
        app.processEvents()
        time.sleep(0.01)


def find(root: QWidget, name: str, cls: type = QWidget) -> Any:
    return next(w for w in root.findChildren(cls) if w.accessibleName() == name and w.isVisible())


def type_into(w: QWidget, text: str) -> None:
    w.setFocus()
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(w, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch))


def prepare(folder: Path, records: int) -> dict[str, str]:
    st = Station.open(folder)
    demo.generate(st, records)
    ids: dict[str, str] = {}
    p1 = st.people.save_person({"name": "欧阳䶮堃", "gender": "男", "id_number": "11010519491231002X",
                                "phone": "13905571234", "address": "安徽省濉溪县临涣镇南坪村三组"}).uid
    p2 = st.people.save_person({"name": "𠀀喆", "gender": "女", "phone": "13805579876",
                                "address": "安徽省濉溪县临涣镇五沟村"}).uid
    # a party that is an organisation, with a long name: among the newest, so on the people list's first page
    st.people.save_person({"kind": "org", "name": "濉溪县临涣镇鑫源建筑劳务有限公司", "representative": "赵德胜",
                           "address": "安徽省濉溪县临涣镇工业园区"})
    mediators = [s["uid"] for s in st.reference.list_reference("staff") if "mediator" in s["roles"]]
    case = st.mediation.apply_case({
        "applied_on": dt.date.today().isoformat(), "dispute_type": "02", "title": "宅基地排水纠纷",
        "facts": "两家宅基地相邻，因排水沟走向发生争执，雨天积水流入申请人院内。", "claims": "请求被申请人改道排水沟",
        "parties": [{"side": "applicant", "person": p1}, {"side": "respondent", "person": p2}]}).uid
    st.mediation.accept_case(case, {"accepted_on": dt.date.today().isoformat(), "mediator_uids": mediators[:1]})
    st.mediation.record_session(case, {"kind": "mediation", "held_at": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
                                       "place": "司法所调解室", "record": "双方陈述意见，同意现场查看排水沟走向。"})
    st.consultations.record_consultation({"category_code": "C05", "question": "邻居排水沟改道影响我家宅基地，怎么处理？",
                                          "answer": "建议先申请人民调解", "handling": "mediation", "persons": [p1]})
    ids.update(person=p1, case=case)
    st.close()
    return ids


def sync_shots(gui: Any, ids: dict[str, str], folder: Path, shot: Callable[..., None],
               wait: Callable[[float], None]) -> None:
    """17-sync: connected to a real local hub, one conflict with a second device, then the hub gone."""
    import socket
    import subprocess

    from hub.db import make_engine
    from hub.service import register_device
    from station.sync import login, run_sync

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = f"sqlite:///{folder / 'hub.db'}"
    hub = subprocess.Popen([sys.executable, "-m", "hub.cli", "--db", db, "serve", "--host", "127.0.0.1", "--port",
                            str(port)], cwd=str(folder), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        eng = make_engine(db)
        mine, theirs = (register_device(eng, "340621101", name="临涣镇司法所") for _ in range(2))
        eng.dispose()
        win = gui.window
        win.show_page(win._index("SyncPage"))
        page = win.page("SyncPage")
        page.form.set_value("hub_url", url)
        page.form.set_value("token", mine["token"])
        wait(0.5)
        if page.use_file.isVisible():  # no OS keyring here (xvfb, CI): the explicit file fallback
            page.use_file.setChecked(True)
            page.form.set_value("token_file", str(folder / "hub.token"))
        page.connect_hub()

        def settle(runs: int) -> None:
            for _ in range(200):
                if gui.sync.runs > runs and not gui.sync.running:
                    return
                wait(0.3)
            raise RuntimeError(f"sync did not finish: {page.connect_result.text()} {gui.sync.state}")
        settle(0)
        other = Station.open(folder / "other")
        login(other, url, theirs["token"], token_file=folder / "other" / "hub.token")
        run_sync(other)
        uid = ids["person"]
        base = other.people.get_person(uid)["version"]
        other.people.save_person({"name": "欧阳䶮堃", "gender": "男", "phone": "13800005555",
                                  "address": "安徽省濉溪县临涣镇南坪村四组"}, uid=uid, base_version=base)
        run_sync(other)
        other.close()
        gui.worker.run(lambda st: st.people.save_person({"name": "欧阳䶮堃", "gender": "男",
                                                         "phone": "13905570000", "occupation": "农民"},
                                                        uid=uid, base_version=base))
        wait(0.5)
        runs = gui.sync.runs
        page.sync_now()
        settle(runs)
        hub.kill()
        hub.wait(10)
        runs = gui.sync.runs
        page.sync_now()
        settle(runs)
        shot("17-sync")
    finally:
        gui.sync.shutdown()
        if hub.poll() is None:
            hub.kill()
            hub.wait(10)


def main(records: int = 3000) -> None:
    from ui.app import StationApp
    OUT.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="station-shots-"))
    try:
        ids = prepare(folder, records)
        gui = StationApp(folder)
        app = gui.app
        win = gui.window
        win.resize(*SIZE)
        win.show()
        spin(app, gui, 1.5)

        def shot(name: str, before: Callable[[], None] | None = None, widget: QWidget | None = None) -> None:
            if before:
                before()
            spin(app, gui)
            (widget or win).grab().save(str(OUT / f"{name}.png"))
            print("wrote", name)

        shot("01-home")
        win.show_page(1)
        page = win.pages[1]
        shot("02-consultation-ledger")

        def fill_consultation() -> None:
            type_into(find(page, "咨询人", QLineEdit), "欧阳")
            spin(app, gui, 0.8)
        shot("03-consultation-person-search", fill_consultation)
        picker = page.picker
        picker._choose_item(picker.list.item(0))
        type_into(find(page, "咨询事项"), "儿子在外打工受伤，老板不给工伤赔偿，怎么办？")
        page.save()
        shot("04-consultation-refused-fields")  # category missing: error next to the field
        win.show_page(2)
        shot("05-mediation-cases")
        win.open_case(ids["case"])
        shot("06-mediation-case-steps")
        win.page("MediationPage").case_page.scroll.verticalScrollBar().setValue(420)
        shot("07-mediation-case-agreement-step")
        case_page = win.page("MediationPage").case_page
        case_page.print_()  # the first printable form of this case, laid out on the DB thread
        for _ in range(40):
            spin(app, gui, 0.25)
            if getattr(case_page, "preview", None) is not None:
                break
        case_page.preview.resize(900, 1000)
        shot("07b-print-preview", widget=case_page.preview)
        case_page.preview.close()
        win.show_page(3)
        shot("08-adviser-visits")
        win.open_person(ids["person"])
        shot("09-person-dossier")
        people = win.page("PeoplePage")
        people.new()
        dlg = people.dialog
        assert dlg is not None
        type_into(find(dlg, "姓名"), "欧阳䶮堃")
        type_into(find(dlg, "身份证号码"), "110105194912310021")
        dlg.save()
        shot("10-person-bad-id-number", widget=dlg)
        find(dlg, "身份证号码").clear()
        type_into(find(dlg, "身份证号码"), "11010519491231002X")
        dlg.save()
        shot("11-person-duplicate-warning", widget=dlg)
        dlg.reject()
        reports = win.page("ReportsPage")
        win.show_page(win._built.index(reports))
        spin(app, gui, 1.5)
        shot("14-reports")
        reports.tabs.setCurrentIndex(1)  # 图表: QtCharts is loaded now
        spin(app, gui, 1.5)
        shot("15-reports-charts")
        reports.tabs.setCurrentIndex(0)
        win.show_page(win._built.index(win.page("SettingsPage")))
        shot("12-settings")
        gui.set_large_font(True)
        win.show_page(1)
        shot("13-large-font-consultation")
        gui.set_large_font(False)
        from docs.make_ledger_screenshots import ledger_shots
        ledger_shots(app, gui, shot, spin, folder)  # 18-20: 导入台账, its dry run, the About box
        sync_shots(gui, ids, folder, shot, lambda s: spin(app, gui, s))
        gui.close()
        security_shots(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def security_shots(folder: Path) -> None:
    """14 sign-in, 15 idle lock (over a page with a name on it), 16 设置 → 锁屏、备份、账号."""
    from ui.app import StationApp
    st = Station.open(folder)
    if not st.has_accounts():
        st.accounts.create_chief("zhouming", "chief-pass-1", name="周明")
    st.close()
    gui = StationApp(folder)
    app, win = gui.app, gui.window
    win.resize(*SIZE)
    win.show()
    spin(app, gui, 1.5)
    type_into(find(win, "用户名", QLineEdit), "zhouming")
    type_into(find(win, "密码", QLineEdit), "wrong")
    win.session.panel.go.click()
    spin(app, gui, 1.0)
    win.grab().save(str(OUT / "14-sign-in.png"))
    print("wrote 14-sign-in")
    find(win, "密码", QLineEdit).setText("chief-pass-1")
    win.session.panel.go.click()
    spin(app, gui, 1.0)
    win.show_page(4)
    spin(app, gui, 1.0)
    win.session.lock()
    spin(app, gui, 0.5)
    win.grab().save(str(OUT / "15-idle-lock.png"))
    print("wrote 15-idle-lock")
    find(win, "密码", QLineEdit).setText("chief-pass-1")
    win.session.panel.go.click()
    spin(app, gui, 1.0)
    win.show_page(win._index("SettingsPage"))
    spin(app, gui, 1.0)
    settings = win.page("SettingsPage")
    settings.security.make_backup()
    spin(app, gui, 1.5)
    scroll = settings.findChildren(QScrollArea)[0]
    scroll.ensureWidgetVisible(settings.security.accounts_box)
    spin(app, gui, 0.5)
    win.grab().save(str(OUT / "16-settings-security.png"))
    print("wrote 16-settings-security")
    gui.close()
    key_prompt_shot()


def key_prompt_shot() -> None:
    """17: an encrypted database in password mode asks for its password (after a wrong one)."""
    from ui.app import StationApp
    folder = Path(tempfile.mkdtemp(prefix="station-shots-key-"))
    try:
        st = Station.open(folder, encrypt=True, password="db-password-1")
        st.close()
        gui = StationApp(folder)
        app = gui.app
        gui.window.resize(*SIZE)
        gui.window.show()
        for _ in range(100):
            app.processEvents()
            time.sleep(0.02)
            if gui.keys.dialog is not None and gui.keys.dialog.isVisible():
                break
        dlg = gui.keys.dialog
        assert dlg is not None
        type_into(find(dlg, "数据库密码", QLineEdit), "wrong-password")
        find(dlg, "打开").click()
        for _ in range(200):
            app.processEvents()
            time.sleep(0.02)
            if gui.keys.dialog is not dlg and gui.keys.dialog is not None and gui.keys.dialog.isVisible():
                break
        assert gui.keys.dialog is not None
        gui.keys.dialog.grab().save(str(OUT / "17-database-key.png"))
        print("wrote 17-database-key")
        gui.keys.dialog.reject()
        app.processEvents()
        gui.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def wizard_shots() -> None:
    """The first-run wizard on a fresh folder, one PNG per page (16-wizard-*.png)."""
    import os

    import keyring

    from ui.app import StationApp
    from ui.first_run import current
    tmp = Path(tempfile.mkdtemp(prefix="station-wizard-"))
    # a throwaway key for a throwaway folder: never the user's real keyring
    os.environ["STATION_TEST_KEYRING"] = str(tmp / "keyring.json")
    sys.path.insert(0, str(ROOT))
    from tests.keyring_backend import FileKeyring
    keyring.set_keyring(FileKeyring())
    try:
        gui = StationApp(tmp / "data")
        app = gui.app
        gui.window.resize(*SIZE)
        gui.window.show()
        end = time.monotonic() + 20
        while current() is None and time.monotonic() < end:
            spin(app, gui, 0.2)
        wiz = current()
        wiz.resize(860, 640)

        def page(name: str, fill: dict[str, str] | None = None, forward: bool = True) -> None:
            for key, value in (fill or {}).items():
                for form in wiz.forms():
                    if key in form.inputs:
                        form.set_value(key, value)
                        form.clear_errors()  # as typing would
                        getattr(wiz.currentPage(), "errors", form.form_error).hide()
            spin(app, gui, 0.4)
            wiz.grab().save(str(OUT / f"{name}.png"))
            print("wrote", name)
            if forward:
                wiz.next()
                spin(app, gui, 0.3)

        wiz.station_page.from_hub.setChecked(True)
        page("16-wizard-station-hub", {"hub_url": "https://sfj.suixi.example.gov.cn", "hub_token": "x" * 43},
             forward=False)
        wiz.station_page.manual.setChecked(True)
        wiz.next()  # empty name: refused next to the field
        spin(app, gui, 0.3)
        page("16-wizard-station-refused", forward=False)
        page("16-wizard-station", {"code": "340621101", "name": "临涣镇司法所", "county": "濉溪县", "abbr": "临"})
        page("17-wizard-chief", {"username": "zhangsan", "chief_name": "张建华", "password": "Linhuan#2026",
                                 "password2": "Linhuan#2026"})
        page("18-wizard-villages", {"villages": "村（社区）名称\t编码\n南坪村\t340621101201\n\u3000五沟村\u3000\t"
                                                "３４０６２１１０１２０２\n临涣社区\t\n南坪村\t\n西湖村\t12?\n"},
             forward=False)
        wiz.next()  # the bad code is refused
        spin(app, gui, 0.3)
        page("18-wizard-villages-refused", forward=False)
        page("18-wizard-villages", {"villages": "村（社区）名称\t编码\n南坪村\t340621101201\n\u3000五沟村\u3000\t"
                                                "３４０６２１１０１２０２\n临涣社区\t\n南坪村\t\n"}, forward=False)
        wiz.next()
        spin(app, gui, 0.3)
        page("19-wizard-numbering")
        page("20-wizard-backup", {"backup_dir": "/media/usb/司法所备份", "backup_keep": "7"})
        page("21-wizard-recovery-code", forward=False)
        wiz.pages_[-2].confirm.setChecked(True)
        wiz.next()
        page("22-wizard-done", forward=False)
        wiz.reject()  # closed before 完成: the draft is kept
        gui.close()
        gui = StationApp(tmp / "data")  # next start: the wizard comes back with what was typed, and says so
        gui.window.resize(*SIZE)
        gui.window.show()
        end = time.monotonic() + 20
        while current() is None and time.monotonic() < end:
            spin(gui.app, gui, 0.2)
        wiz = current()
        wiz.resize(860, 640)
        page("16-wizard-station-restored", forward=False)
        wiz.reject()
        gui.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["security"]:  # only the sign-in / lock / security settings shots, on a small demo
        OUT.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix="station-shots-"))
        try:
            prepare(tmp, 300)
            security_shots(tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    elif sys.argv[1:] == ["--wizard"]:
        OUT.mkdir(parents=True, exist_ok=True)
        wizard_shots()
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000)
        wizard_shots()
