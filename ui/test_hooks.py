"""Test-only start-up hooks, active only when STATION_TEST_HOOK is set (kill -9 draft test).

``type_consultation``: type into the consultation form like a user, print
``DRAFT_SAVED`` once the autosave committed, then wait to be killed.
``report_draft``: print what the consultation form shows after start (JSON), then quit.
``edit_consultation``: open the newest consultation from the ledger for editing, add ``EDIT_TAIL``
to its question, print ``DRAFT_SAVED`` once the edit's draft committed, then wait to be killed.
``report_edit``: print what the consultation form shows after start, including the edit strip.
"""
from __future__ import annotations

import json
import sys
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

QUESTION = "邻居在我家宅基地上堆放柴草，多次协商不成，怎么办？"
EDIT_TAIL = "（补充：已找村委会协调过一次）"


def _find(root: QWidget, name: str) -> Any:
    return next(w for w in root.findChildren(QWidget) if w.accessibleName() == name)


def _type(box: QWidget, text: str) -> None:
    for ch in text:  # QTest only knows Latin keys: send each character as key text
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(box, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch))


def _report(page: Any) -> None:
    bar = _find(page, "修改提示")
    print(json.dumps({"question": _find(page, "咨询事项").toPlainText(),
                      "banner": _find(page, "草稿提示").text(),
                      "banner_visible": _find(page, "草稿提示").isVisible(),
                      "editing": bar.text() if bar.isVisible() else ""}, ensure_ascii=False), flush=True)


def install(gui: Any, hook: str) -> None:
    page = gui.window.page("ConsultationPage")
    gui.window.show_page(1)

    if hook == "type_consultation":
        def type_now() -> None:
            if gui.worker.pending:  # wait for reference data and the (empty) draft check
                QTimer.singleShot(100, type_now)
                return
            box = _find(page, "咨询事项")
            box.setFocus()
            for ch in QUESTION:  # QTest only knows Latin keys: send each character as key text
                for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                    QApplication.sendEvent(box, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch))
            page.drafts.draft_saved.connect(lambda: (print("DRAFT_SAVED", flush=True)))
        QTimer.singleShot(300, type_now)
    elif hook == "report_draft":
        def report(msg: str = "") -> None:
            print(json.dumps({"question": _find(page, "咨询事项").toPlainText(),
                              "banner": _find(page, "草稿提示").text(),
                              "banner_visible": _find(page, "草稿提示").isVisible()}, ensure_ascii=False), flush=True)
            QApplication.quit()
        page.drafts.draft_restored.connect(report)
        QTimer.singleShot(8000, report)  # no draft came back: report what is there
    elif hook == "edit_consultation":
        def open_newest() -> None:
            if gui.worker.pending or page.model.rowCount() == 0:
                QTimer.singleShot(100, open_newest)
                return
            page.open_record(page.model.record(0))
            QTimer.singleShot(100, type_tail)

        def type_tail() -> None:
            if gui.worker.pending or not _find(page, "修改提示").isVisible():
                QTimer.singleShot(100, type_tail)
                return
            box = _find(page, "咨询事项")
            box.setFocus()
            box.moveCursor(box.textCursor().MoveOperation.End)
            page.drafts.draft_saved.connect(
                lambda: print("DRAFT_SAVED", flush=True) if page.drafts.key.startswith("consultation:edit:") else None)
            _type(box, EDIT_TAIL)
        QTimer.singleShot(300, open_newest)
    elif hook == "report_edit":
        def report_edit(msg: str = "") -> None:
            _report(page)
            QApplication.quit()
        page.drafts.draft_restored.connect(report_edit)
        QTimer.singleShot(8000, report_edit)
    else:
        print(f"unknown hook {hook}", file=sys.stderr)
