"""Start the counter GUI: fonts, Chinese translations, the station, the main window."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

# Only what the first paint needs is imported here: every module (and every Qt enum namespace,
# `Qt` alone costs ~20 ms) that is not needed before the window shows is imported lazily.
from PySide6.QtCore import QEvent, QLibraryInfo, QLocale, QObject, QTimer, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from station.fonts import FACES, font_path

from .bus import StationBus
from .main_window import MainWindow
from .worker import DbWorker
from .qtcompat import emit
from .session import BACKUP_FIRST_MS, KeyBroker, open_with_key

UI_FAMILIES = ["WenQuanYi Micro Hei", "HanaMinA", "HanaMinB"]
BASE_POINT_SIZE = 10
LARGE_POINT_SIZE = 15


def register_fonts(roles: tuple[str, ...] = ("ui", "fallback", "fallback2")) -> list[str]:
    """Register the shipped CJK faces with Qt, so Chinese renders on a machine without any.

    Only the screen face and the rare-character fallbacks: the print faces (宋/楷) are embedded in
    the PDFs and need not be loaded for the screen. The start-up registers the screen face before
    the first paint and the large fallbacks (HanaMin A/B, 50 MB) right after it.
    """
    families: list[str] = []
    for face in (f for f in FACES if f.role in roles):
        fid = QFontDatabase.addApplicationFont(str(font_path(face)))
        if fid >= 0:
            families += QFontDatabase.applicationFontFamilies(fid)
    return families


def set_chinese_locale() -> None:
    """Before any widget exists: widgets take the default locale when made (dates, numbers, and which
    fallback font draws Han characters), and keep it."""
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))


def install_chinese(app: QApplication) -> None:
    """Qt's own texts (dialog buttons, context menus) in Chinese; they are first needed after the first paint."""
    set_chinese_locale()
    tr = QTranslator(app)
    if tr.load("qtbase_zh_CN", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(tr)
    app._station_translator = tr  # type: ignore[attr-defined]  # keep it alive


def ui_prefs(data_dir: Path) -> dict[str, Any]:
    import json
    try:
        return dict(json.loads((data_dir / "ui.json").read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


def save_ui_prefs(data_dir: Path, prefs: dict[str, Any]) -> None:
    import json
    (data_dir / "ui.json").write_text(json.dumps(prefs, ensure_ascii=False), encoding="utf-8")


def apply_font(app: QApplication, large: bool, *, style_sheet: bool = True) -> None:
    """The app font and size. ``style_sheet=False`` (before the first paint): the font only; the app-wide
    style sheet that carries later size changes follows right after the paint (it costs every widget a
    style-sheet polish)."""
    font = QFont()
    font.setFamilies(UI_FAMILIES)
    size = LARGE_POINT_SIZE if large else BASE_POINT_SIZE
    font.setPointSize(size)
    app.setFont(font)
    if style_sheet:
        # widgets with a style sheet of their own ignore later app font changes; this reaches them too
        app.setStyleSheet(f"QWidget {{ font-size: {size}pt; }}")


def application() -> QApplication:
    """The QApplication with the screen font: what the first paint needs (the rest: :func:`finish_application`)."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Station")
    if not getattr(app, "_station_ready", False):
        register_fonts(("ui",))
        set_chinese_locale()
        app._station_ready = True  # type: ignore[attr-defined]
    return app


def finish_application(app: QApplication) -> None:
    """After the first paint: Qt's own texts in Chinese (dialog buttons), the window icon, and the
    rare-character fallback fonts (HanaMin A/B, 50 MB)."""
    if getattr(app, "_station_finished", False):
        return
    app._station_finished = True  # type: ignore[attr-defined]
    from PySide6.QtGui import QIcon

    from station.about import icon_path
    install_chinese(app)
    app.setWindowIcon(QIcon(str(icon_path())))
    register_fonts(("fallback", "fallback2"))


def encrypt_new(folder: Path, wanted: bool | None) -> bool:
    """Whether to make a *new* data folder encrypted: yes when a keyring can hold the key, unless the caller
    (tests, bench) or ``STATION_GUI_PLAIN=1`` asks for a plain one. An existing database keeps its form."""
    from station import paths
    from station.security import crypto

    if wanted is None:
        wanted = os.environ.get("STATION_GUI_PLAIN") != "1"
    db = paths.data_dir(folder) / paths.DB_NAME
    return wanted and not (db.exists() and db.stat().st_size > 0) and crypto.keyring_available()


def _first_run() -> Any:
    """ui.first_run, imported when needed: it pulls in the core, which must load after the first paint."""
    from . import first_run
    return first_run


class _AfterFirstPaint(QObject):
    """Calls ``then`` once the window has painted: the DB layer loads while the user looks."""

    def __init__(self, then: Any) -> None:
        super().__init__()
        self.then, self.done = then, False

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if not self.done and event.type() == QEvent.Type.Paint:
            self.done = True
            QTimer.singleShot(0, self.then)
        return False


class StationApp:
    """The running GUI: station, worker, bus and window (tests and the bench build one directly)."""

    def __init__(self, data_dir: str | Path, sync_options: dict[str, Any] | None = None,
                 lock_ms: int | None = None, backup_first_ms: int = BACKUP_FIRST_MS,
                 encrypt: bool | None = None) -> None:
        self.app = application()
        self.data_dir = Path(data_dir)
        self.prefs = ui_prefs(self.data_dir)
        apply_font(self.app, bool(self.prefs.get("large_font")), style_sheet=False)
        self.bus = StationBus()
        folder = self.data_dir

        # an encrypted database without its key in the keyring: the DB thread asks for it (dialog) and waits
        self.keys = KeyBroker(lambda: getattr(self, "window", None))
        self.keys.cancelled.connect(self.quit)
        self.cancelled = False

        def open_station() -> Any:
            # station is imported on the DB thread, after the window is up
            return open_with_key(folder, self.keys, encrypt=encrypt_new(folder, encrypt))
        self.worker = DbWorker(open_station, on_unhandled=self._unhandled)
        self.bus.font_scale_changed.connect(self.set_large_font)
        self.window = MainWindow(self.worker, self.bus, lock_ms=lock_ms)
        self.window.session.configure(self.prefs, lambda p: save_ui_prefs(self.data_dir, p), lock_ms,
                                      backup_first_ms)
        self.window.resize(1280, 800)
        self.window.station_missing.connect(self.ask_identity)
        self._sync_options = sync_options or {}
        self.sync: Any = None  # the SyncController, from the first paint on
        # a wizard closed halfway (draft kept) comes back even once the hub has supplied the identity
        self.worker.run(lambda st: _first_run().first_run_pending(st), lambda pending: pending and self.ask_identity(),
                        lambda _e: None)
        self._first_paint = _AfterFirstPaint(self._after_first_paint)
        self.window.installEventFilter(self._first_paint)
        QTimer.singleShot(2000, self._after_first_paint)  # never shown (scripts) or no paint: start anyway

    def _after_first_paint(self) -> None:
        """The window is on screen: open the database, fill the first page, load the rare-glyph fonts."""
        if getattr(self, "_started", False):
            return
        self._started = True
        self.worker.start()
        self.window.finish_setup()
        from .sync_controller import SyncController
        self.sync = SyncController(self.worker, self.bus, **self._sync_options)
        self.window.attach_sync(self.sync)
        finish_application(self.app)
        # re-resolve with the fallback fonts; and the style sheet that carries later size changes
        apply_font(self.app, bool(self.prefs.get("large_font")))

    @property
    def station(self) -> Any:
        """The open station (tests read it once the worker is idle)."""
        return self.worker.station

    def ask_identity(self) -> None:
        """No station identity yet (or a first run left unfinished): the first-run wizard."""
        # the wizard signs the new chief in: the session then shows who and starts the idle lock
        _first_run().open_wizard(self.worker, self.bus, self.window,
                                 on_done=lambda _r: self.window.session.refresh())

    def _unhandled(self, exc: BaseException) -> None:
        if self.cancelled:
            return  # the user quit at the key prompt: later ops fail for want of a station, say nothing
        emit(self.bus.error_raised, exc)

    def quit(self) -> None:
        """退出 at the database key prompt: close the window; with no window left the event loop ends."""
        self.cancelled = True
        self.window.close()

    def set_large_font(self, large: bool) -> None:
        self.prefs["large_font"] = large
        save_ui_prefs(self.data_dir, self.prefs)
        apply_font(self.app, large)

    def close(self) -> None:
        from PySide6.QtWidgets import QDialog
        for w in QApplication.topLevelWidgets():
            if isinstance(w, QDialog) and w.isVisible():
                w.reject()
        self.window.close()
        if self.sync is not None:
            self.sync.shutdown()
        self.keys.give_up()  # a DB thread still waiting for the key must not hold the shutdown
        self.worker.shutdown()
        if self.worker.station is not None:
            self.worker.station.close()
        self.window.deleteLater()  # free the widgets now, not at interpreter exit
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def main(data_dir: str | Path) -> int:
    """Entry point of ``station gui``."""
    app = application()
    gui = StationApp(data_dir)
    gui.window.show()
    hook = os.environ.get("STATION_TEST_HOOK")
    if hook:
        from . import test_hooks
        test_hooks.install(gui, hook)
    code = app.exec()
    gui.close()
    return code


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("STATION_DATA", ".")))
