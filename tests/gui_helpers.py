"""Drive the GUI as a user would: find widgets by accessible name, type, click, wait."""
from __future__ import annotations

from typing import Any, TypeVar

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

W = TypeVar("W", bound=QWidget)


def find(root: QWidget, name: str, cls: type[W] = QWidget, visible: bool = True) -> W:  # type: ignore[assignment]
    hits = [w for w in root.findChildren(cls) if w.accessibleName() == name and (w.isVisible() or not visible)]
    assert hits, f"no visible widget named {name!r}"
    return hits[0]


def dialog(name: str) -> QWidget:
    hits = [w for w in QApplication.topLevelWidgets() if w.objectName() == name and w.isVisible()]
    assert hits, f"no open dialog {name!r}"
    return hits[-1]


def idle(qtbot: Any, gui: Any, timeout: int = 5000) -> None:
    """Wait until the DB worker has nothing queued (debounce timers may still queue more)."""
    qtbot.waitUntil(lambda: gui.worker.pending == 0, timeout=timeout)


def click(qtbot: Any, button: QWidget) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def choose(qtbot: Any, combo: Any, text: str) -> None:
    """Pick a combo entry by typing its start, as a keyboard user does."""
    combo.setFocus()
    type_text(qtbot, combo, text)
    assert combo.currentText().startswith(text), (combo.currentText(), text)


def type_text(qtbot: Any, widget: QWidget, text: str) -> None:
    """Type ``text`` into ``widget`` key by key. QTest only knows Latin keys, so each Chinese
    character goes as a key event carrying that text (what an input method delivers)."""
    for ch in text:
        if ch == "\n":
            qtbot.keyClick(widget, Qt.Key.Key_Return)
        elif ch.isascii():
            qtbot.keyClicks(widget, ch)
        else:
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch))


def tick(qtbot: Any, box: Any) -> None:
    """Tick a check box from the keyboard (Space), as a keyboard-only user does."""
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Space)
    assert box.isChecked()


def start_gui(qtbot: Any, folder: Any, **kwargs: Any) -> Any:
    """The app on ``folder``, its window shown and the first database work done."""
    from ui.app import StationApp
    app = StationApp(folder, **kwargs)
    app.window.show()
    qtbot.waitExposed(app.window)
    idle(qtbot, app)
    return app


def stop_gui(qtbot: Any, app: Any) -> None:
    """Let queued work finish, close, and collect the window's Python wrappers while Qt is still up."""
    import gc
    idle(qtbot, app)
    app.close()
    gc.collect()


def screen_key(cls_name: str) -> int:
    """The Ctrl+number of a sidebar screen, by its page class (the sidebar grows over time)."""
    from ui.main_window import SCREENS
    return 1 + next(i for i, s in enumerate(SCREENS) if s[2] == cls_name)


def open_screen(qtbot: Any, gui: Any, cls_name: str) -> Any:
    """Switch to a screen with its Ctrl+number, as a keyboard user does; the page."""
    n = screen_key(cls_name)
    gui.window.activateWindow()
    qtbot.keyClick(gui.window, getattr(Qt.Key, f"Key_{n}"), Qt.KeyboardModifier.ControlModifier)
    assert gui.window.stack.currentIndex() == n - 1
    idle(qtbot, gui)
    return gui.window.pages[n - 1]
