"""Open the main window in this process's display scale (QT_SCALE_FACTOR) at 1280×800 logical,
visit every screen and print, as JSON, every label or button whose text does not fit.

``python tests/gui_scale_probe.py DATA_DIR SHOTS_DIR CASE_UID PERSON_UID`` (run by test_gui_accessibility
with QT_SCALE_FACTOR=2); a PNG of each screen goes to SHOTS_DIR.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget  # noqa: E402


def spin(app: QApplication, gui: Any, seconds: float = 0.5) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end or gui.worker.pending:
        app.processEvents()
        time.sleep(0.01)


def _where(w: QWidget) -> str:
    return f"{type(w).__name__} {w.accessibleName() or ''!r}"


def cut_texts(root: QWidget) -> list[str]:
    """Visible labels and buttons whose text needs more room than they have."""
    problems = []
    for lab in root.findChildren(QLabel):
        text = lab.text()
        if not lab.isVisible() or not text or lab.textFormat() == Qt.TextFormat.RichText or not lab.pixmap().isNull():
            continue
        cr = lab.contentsRect()
        fm = lab.fontMetrics()
        if lab.wordWrap():
            need_h = lab.heightForWidth(lab.width())
            if need_h > lab.height() + 1:
                problems.append(f"wrapped text cut at the bottom ({need_h}>{lab.height()}): {text[:30]!r}")
            continue
        lines = text.split("\n")
        need_w = max(fm.horizontalAdvance(line) for line in lines)
        need_h = fm.height() * len(lines)
        if need_w > cr.width() + 1:
            problems.append(f"label cut ({need_w}>{cr.width()}): {text[:30]!r} {_where(lab)}")
        elif need_h > cr.height() + 1:
            problems.append(f"label cut vertically ({need_h}>{cr.height()}): {text[:30]!r} {_where(lab)}")
    from ui.models.record_table import RecordTable
    for table in root.findChildren(RecordTable):  # record lists: every column but the last, stretching one
        if not table.isVisible():
            continue
        model, fm = table.model(), table.fontMetrics()
        margin = table.style().pixelMetric(table.style().PixelMetric.PM_FocusFrameHMargin, None, table)
        for row in range(min(model.rowCount(), 25)):
            for col in range(model.columnCount() - 1):
                text = model.index(row, col).data() or ""
                room = table.columnWidth(col) - 2 * (margin + 1) - 1  # the view's text margins and grid line
                if fm.horizontalAdvance(text) > room:
                    problems.append(f"cell cut in {table.accessibleName()} column "
                                    f"{model.headerData(col, Qt.Orientation.Horizontal)}: {text!r}")
    for btn in root.findChildren(QAbstractButton):
        if btn.isVisible() and btn.text() and btn.sizeHint().width() > btn.width() + 1:
            problems.append(f"button cut ({btn.sizeHint().width()}>{btn.width()}): {btn.text()!r}")
    return problems


def main(folder: str, shots: str, case_uid: str, person_uid: str) -> None:
    from ui.app import StationApp
    from ui.main_window import SCREENS
    gui = StationApp(folder)
    app, win = gui.app, gui.window
    win.resize(1280, 800)
    win.show()
    spin(app, gui, 1.5)
    out = Path(shots)
    report: dict[str, Any] = {"scale": win.devicePixelRatioF(), "size": [win.width(), win.height()],
                              "problems": [], "screens": []}

    def look(name: str, widget: QWidget | None = None) -> None:
        spin(app, gui)
        target = widget or win
        report["problems"] += [f"{name}: {p}" for p in cut_texts(target)]
        report["screens"].append(name)
        target.grab().save(str(out / f"{name}.png"))

    for n, (_title, module, _cls) in enumerate(SCREENS):  # every sidebar screen, named by its module
        win.show_page(n)
        look(module)
    win.open_case(case_uid)
    look("case")
    case_page = win.page("MediationPage").case_page
    case_page.start_edit()
    look("case-edit")
    case_page.cancel_edit()
    case_page.scroll.verticalScrollBar().setValue(case_page.scroll.verticalScrollBar().maximum())
    look("case-steps-end")
    win.page("MediationPage").new()
    look("case-new")
    win.open_person(person_uid)
    look("person")
    people = win.page("PeoplePage")
    people.edit_person()
    spin(app, gui)
    assert people.dialog is not None
    look("person-edit", people.dialog)
    people.dialog.reject()
    print(json.dumps(report, ensure_ascii=False), flush=True)
    gui.close()


if __name__ == "__main__":
    main(*sys.argv[1:5])
