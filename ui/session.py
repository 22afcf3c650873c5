"""Who is at the counter: sign-in, the idle lock, the database key prompt, the daily backup timer.

Once a data folder has accounts the core refuses every call until someone signs
in, so the window covers its content with :class:`AccessPanel` (sign-in form)
until then. After ``lock_ms`` without keyboard or mouse input (or Ctrl+L) the
same panel covers the window again as a lock screen: the pages are hidden, open
dialogs too, the title loses the station's name, and only the signed-in
account's password (or 切换用户) brings the work back. Hidden widgets paint
nothing, so nothing personal is left on screen while the clerk is away.
"""
from __future__ import annotations

import queue
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

# Loaded before the window's first paint: no `Qt` namespace (~20 ms) or station.codes at import;
# the sign-in panel, the dialogs and the lock shortcut are built when first needed.
from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QWidget

from .qtcompat import emit

if TYPE_CHECKING:
    from PySide6.QtGui import QAction

    from .main_window import MainWindow
    from .session_widgets import AccessPanel, KeyDialog

DEFAULT_LOCK_MINUTES = 10
#: the first scheduled-backup check comes a minute after start (not in the middle of start-up), then every 30 min
BACKUP_FIRST_MS, BACKUP_EVERY_MS = 60_000, 30 * 60_000
_INPUT = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel,
          QEvent.Type.TouchBegin}


def role_names(roles: list[str]) -> str:
    from station import codes
    return "、".join(codes.STAFF_ROLES.get(r, r) for r in roles)


def failure_text(exc: BaseException) -> str:
    """The reason a sign-in failed, in Chinese (LoginFailed carries it, including the wait)."""
    from station.errors import StationError
    if isinstance(exc, StationError):
        return str(exc)
    return f"登录未完成：发生意外错误（{type(exc).__name__}）"


class SessionController(QObject):
    """Sign-in state of the window, the idle lock, and the scheduled backup.

    ``lock_ms`` is the idle time before the lock (tests use ~200 ms); ``prefs``/``save_prefs`` are the
    device's ui.json (lock minutes, backup folder, how many scheduled backups to keep).
    """

    signed_in = Signal(object)  # the account dict (with "name")
    locked_changed = Signal(bool)

    def __init__(self, window: "MainWindow", lock_ms: int | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.worker = window.worker
        self._panel: AccessPanel | None = None
        self.has_accounts = False
        self.account: dict[str, Any] | None = None
        self.locked = False
        self._hidden: list[QWidget] = []
        self._focus: QWidget | None = None
        self._started = False  # the pages have been opened (start_work)
        self._note = ""  # said on the sign-in panel next time (after a restore)
        self._work_for: str | None = None  # the account the open pages were built for
        self._disabled: list[QAction] = []
        self._saved_title = ""
        self.prefs: dict[str, Any] = {}
        self.save_prefs: Callable[[dict[str, Any]], None] = lambda p: None
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.timeout.connect(self._idle_timeout)
        self.set_lock_ms(lock_ms if lock_ms is not None else DEFAULT_LOCK_MINUTES * 60_000)
        # the app-wide input watch (idle lock) starts in finish(): a Python event filter before the first
        # paint makes PySide wrap every start-up event, building ~150 enum types on the way (~60 ms)
        self.lock_action: QAction | None = None  # Ctrl+L, added by finish()
        self.backup_timer = QTimer(self)
        self.backup_timer.setSingleShot(True)
        self.backup_timer.timeout.connect(self.check_backup)
        self.backup_every_ms = BACKUP_EVERY_MS
        self.last_backup: Path | None = None

    @property
    def panel(self) -> AccessPanel:
        """The sign-in / lock panel, built on first use and stacked over the window's content."""
        if self._panel is None:
            from .session_widgets import AccessPanel
            self._panel = AccessPanel()
            self._panel.submitted.connect(self._submit)
            self._panel.switch_user.connect(self.switch_user)
            self.window.cover.addWidget(self._panel)
        return self._panel

    def finish(self) -> None:
        """After the first paint: the input watch for the idle lock and the Ctrl+L shortcut (window-wide)."""
        from PySide6.QtGui import QAction, QKeySequence
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)
        self.lock_action = QAction("锁定屏幕", self.window)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(self.lock)
        self.window.addAction(self.lock_action)

    # -- configuration ---------------------------------------------------------------------------------------
    def configure(self, prefs: dict[str, Any], save_prefs: Callable[[dict[str, Any]], None],
                  lock_ms: int | None = None, backup_first_ms: int = BACKUP_FIRST_MS) -> None:
        """Device settings from ui.json (``lock_ms`` given: tests override the stored minutes)."""
        self.prefs, self.save_prefs = prefs, save_prefs
        if lock_ms is None:
            lock_ms = int(prefs.get("lock_minutes", DEFAULT_LOCK_MINUTES)) * 60_000
        self.set_lock_ms(lock_ms)
        self.backup_timer.start(backup_first_ms)

    @property
    def lock_minutes(self) -> int:
        return int(self.prefs.get("lock_minutes", DEFAULT_LOCK_MINUTES))

    def set_lock_minutes(self, minutes: int) -> None:
        self.prefs["lock_minutes"] = int(minutes)
        self.save_prefs(self.prefs)
        self.set_lock_ms(int(minutes) * 60_000)

    def set_lock_ms(self, ms: int) -> None:
        self.idle.setInterval(max(ms, 50))
        if self.account is not None and not self.locked:
            self.idle.start()

    # backups go where the station's settings say (backup_dir/backup_keep, also set by the first-run
    # wizard): one place, in the (encrypted) database, changed only with the settings permission
    @staticmethod
    def backup_folder(st: Any) -> Path:
        """DB thread: the configured scheduled-backup folder."""
        from station.security.backup import backup_folder
        return backup_folder(st)[0]

    @staticmethod
    def backup_settings(st: Any) -> tuple[Path, int]:
        """DB thread: (folder, how many scheduled backups are kept)."""
        from station.security.backup import backup_folder
        return backup_folder(st)

    def set_backup_prefs(self, folder: str | None, keep: int, done: Callable[[Any], None] | None = None,
                         failed: Callable[[BaseException], None] | None = None) -> None:
        """Store the backup folder (None: keep it) and keep-N as station settings, on the DB thread."""
        def op(st: Any) -> None:
            if folder is not None:
                st.reference.put_setting("backup_dir", folder)
            st.reference.put_setting("backup_keep", int(keep))
        self.worker.run(op, done, failed)

    # -- start-up and sign-in --------------------------------------------------------------------------------
    def start(self) -> None:
        """Ask the core whether this folder has accounts (allowed before signing in), then let work begin."""
        self.worker.run(lambda st: (st.has_accounts(), st.account), self._known)

    def refresh(self) -> None:
        """Someone signed in outside this controller (the first-run wizard): show who, start the idle timer."""
        def op(st: Any) -> tuple[bool, dict[str, Any] | None]:
            return st.has_accounts(), self._with_name(st, st.account)
        self.worker.run(op, lambda r: self._adopt(*r))

    def _known(self, result: tuple[bool, dict[str, Any] | None]) -> None:
        has, account = result
        self.has_accounts = has
        if has and account is None:
            self._cover()
            self.panel.show_sign_in(self._note)
            self._note = ""
            self._show_account()
            return
        if account is not None:
            self.refresh()
        self._show_account()
        self._started = True
        self.window.start_work()
        if self._note:
            emit(self.window.bus.status_shown, self._note)
            self._note = ""

    def _adopt(self, has: bool, account: dict[str, Any] | None) -> None:
        self.has_accounts = has
        self.account = account
        if account is not None:
            self._work_for = account["uid"]
        self._show_account()
        if account is not None and not self.locked:
            self.idle.start()

    @staticmethod
    def _with_name(st: Any, account: dict[str, Any] | None) -> dict[str, Any] | None:
        if account is None:
            return None
        staff = {s["uid"]: s["name"] for s in st.reference.list_reference("staff")}
        return {**account, "name": staff.get(account["staff_uid"], account["username"])}

    def _submit(self) -> None:
        panel = self.panel
        password = panel.password.text()
        username = panel.username.text().strip() if panel.mode == "sign_in" else (self.account or {}).get(
            "username", "")
        if not username:
            panel.show_error("请填写用户名")
            panel.username.setFocus()
            return
        if not password:
            panel.show_error("请填写密码")
            return
        panel.set_busy(True)
        if panel.mode == "locked":
            # sign_in on the same account = verify_password, but keeps the reason (e.g. the wait after failures)
            self.worker.run(lambda st: st.sign_in(username, password), lambda _a: self.unlock_done(),
                            lambda e: panel.show_error(failure_text(e)))
        else:
            self.worker.run(lambda st: self._with_name(st, st.sign_in(username, password)), self._signed_in,
                            lambda e: panel.show_error(failure_text(e)))

    def _signed_in(self, account: dict[str, Any]) -> None:
        previous, self._work_for = self._work_for, account["uid"]
        self.account = account
        self.has_accounts = True
        self._restore_screen(reopen=False)
        self._show_account()
        if not self._started:
            self._started = True
            self.window.start_work()
        elif previous != account["uid"]:
            self.window.reset_pages()  # the next person sees nothing the previous one had open
        else:
            self.window.load_reference()
        self.idle.start()
        emit(self.window.bus.status_shown, f"{account['name']} 已登录")
        emit(self.signed_in, account)

    def sign_out(self) -> None:
        """退出登录: save typed drafts, close what the account had open, show the sign-in form."""
        if not self.has_accounts:
            return
        self.window.flush_drafts()
        self.locked = False
        self._cover()
        self._set_title_private(True)
        from PySide6.QtWidgets import QDialog
        for w in self._hidden:
            if isinstance(w, QDialog):
                w.reject()
            else:
                w.close()
        self._hidden = []
        self.account = None
        self.idle.stop()
        self.panel.show_sign_in()
        self.worker.run(lambda st: st.sign_out())
        self._show_account()

    def switch_user(self) -> None:
        self.sign_out()

    def after_restore(self, note: str) -> None:
        """The database was replaced by a backup (a new Station, nobody signed in): start over."""
        self.account, self.locked, self._work_for, self._started = None, False, None, False
        self.idle.stop()
        self.window.retire_pages()
        self._note = note
        self.start()

    # -- idle lock -------------------------------------------------------------------------------------------
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        kind = event.type()
        if kind in _INPUT:
            if not self.locked and self.account is not None:
                self.idle.start()
        elif kind == QEvent.Type.Show and self._covered() and isinstance(obj, QWidget) and obj.isWindow() \
                and obj is not self.window and obj not in self._hidden:
            # a dialog or message box opened by a late result while locked: keep it hidden until unlock
            self._hidden.append(obj)
            QTimer.singleShot(0, obj.hide)
        return False

    def _covered(self) -> bool:
        return self.locked or (self.has_accounts and self.account is None)

    def _idle_timeout(self) -> None:
        if self.account is not None and not self.locked:
            self.lock()

    def lock(self) -> None:
        """Cover the window now (Ctrl+L, or idle): no page, no dialog, no name stays on screen."""
        if self.account is None or self.locked:
            if not self.has_accounts:
                emit(self.window.bus.status_shown, "本机没有启用账号，无法锁定")
            return
        self.locked = True
        self.idle.stop()
        self._cover()
        self.panel.show_locked(self.account["username"])
        emit(self.locked_changed, True)

    def unlock_done(self) -> None:
        self.locked = False
        self._restore_screen(reopen=True)
        self.idle.start()
        emit(self.locked_changed, False)

    def _cover(self) -> None:
        if self.window.cover_shown():
            return
        focus = QApplication.focusWidget()
        self._focus = focus if focus is not None and self.window.isAncestorOf(focus) else None
        app_windows = [w for w in QApplication.topLevelWidgets()
                       if w is not self.window and w.isVisible() and w.isWindow()]
        for w in app_windows:
            w.hide()
        self._hidden = app_windows
        self.window.show_cover(True)
        self._set_title_private(True)
        self._disabled = [a for a in self.window.actions() if a is not self.lock_action and a.isEnabled()]
        for a in self._disabled:
            a.setEnabled(False)

    def _restore_screen(self, reopen: bool) -> None:
        self.window.show_cover(False)
        self._set_title_private(False)
        for a in self._disabled:
            a.setEnabled(True)
        self._disabled = []
        from PySide6.QtWidgets import QDialog
        hidden, self._hidden = self._hidden, []
        for w in hidden:
            if reopen:
                w.show()
            elif isinstance(w, QDialog):
                w.reject()
            else:
                w.close()
        focus, self._focus = self._focus if reopen else None, None
        self.window.activateWindow()
        (focus or self.window.nav).setFocus()

    def _set_title_private(self, private: bool) -> None:
        if private:
            if not self._saved_title:
                self._saved_title = self.window.windowTitle()
            self.window.setWindowTitle("已锁定 · 司法所工作平台" if self.locked else "请登录 · 司法所工作平台")
        elif self._saved_title:
            self.window.setWindowTitle(self._saved_title)
            self._saved_title = ""

    def title_changed(self, title: str) -> None:
        """The window wants a new title (station name loaded): keep it for after the lock."""
        if self.window.cover_shown():
            self._saved_title = title
        else:
            self.window.setWindowTitle(title)

    def _show_account(self) -> None:
        self.window.show_account(self.has_accounts, self.account)

    # -- scheduled backup ------------------------------------------------------------------------------------
    def check_backup(self) -> None:
        """Daily backup while the app runs: cheap check on the DB thread, a backup only when one is due."""
        def op(st: Any) -> Path | None:
            from station.security.backup import backup_due, scheduled_backup
            if not backup_due(st):
                return None
            return scheduled_backup(st)

        def done(path: Path | None) -> None:
            if path is not None:
                self.last_backup = path
                emit(self.window.bus.status_shown, f"已自动备份：{path.name}")
            self.backup_timer.start(self.backup_every_ms)

        def failed(exc: BaseException) -> None:
            emit(self.window.bus.status_shown, f"自动备份未完成：{exc}")
            self.backup_timer.start(self.backup_every_ms)
        self.worker.run(op, done, failed)


# -- database key ----------------------------------------------------------------------------------------------

class KeyBroker(QObject):
    """Lets the DB thread ask the GUI for the database key and wait for the answer.

    The opener (DB thread) calls :meth:`ask`, which blocks on a queue; the dialog runs on the GUI
    thread (queued signal). Closing the app answers ``None`` so the DB thread never waits forever.
    """

    _asked = Signal(str, str)
    cancelled = Signal()

    def __init__(self, parent_widget: Callable[[], QWidget | None]) -> None:
        super().__init__()
        self._answers: queue.Queue[dict[str, str] | None] = queue.Queue()
        self._parent = parent_widget
        # ask() runs on the DB thread, this object lives on the GUI thread: the automatic connection
        # queues the call (spelling out QueuedConnection would load the Qt namespace before the first paint)
        self._asked.connect(self._show)
        self.dialog: KeyDialog | None = None
        self.gave_up = False

    def ask(self, message: str, mode: str) -> dict[str, str] | None:
        """DB thread: show the dialog and wait for a password / recovery code (None: the user quit)."""
        if self.gave_up:
            return None
        emit(self._asked, message, mode)
        return self._answers.get()

    def give_up(self) -> None:
        self.gave_up = True
        self._answers.put(None)

    def _show(self, message: str, mode: str) -> None:
        from .session_widgets import KeyDialog
        self.dialog = KeyDialog(message, mode, self._parent())
        dlg = self.dialog
        dlg.accepted.connect(lambda: self._answers.put(dlg.answer()))
        dlg.rejected.connect(self._reject)
        dlg.open()

    def _reject(self) -> None:
        self.gave_up = True
        self._answers.put(None)
        emit(self.cancelled)


def open_with_key(folder: Path, broker: KeyBroker, encrypt: bool = False) -> Any:
    """``Station.open`` on the DB thread, asking for the password / recovery code while the key is missing
    (``encrypt``: a new database is created encrypted, see ``ui.app.encrypt_new``)."""
    from station import Station
    from station.errors import DatabaseKeyError
    from station.security import crypto

    secret: dict[str, str] = {}
    while True:
        try:
            return Station.open(folder, encrypt=encrypt, **secret)  # type: ignore[arg-type]
        except DatabaseKeyError as e:
            info = crypto.read_info(folder)
            if info is None:
                raise  # no key info: no password can help (damaged or foreign file)
            answer = broker.ask(str(e), info.mode)
            if answer is None:
                raise KeyPromptCancelled() from None
            secret = answer


class KeyPromptCancelled(Exception):
    """The user chose 退出 at the database key prompt."""
