"""Editing existing records in the GUI: open from the ledger, save as an update, refuse stale edits."""
from __future__ import annotations

import datetime as dt
import os
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QListWidget, QPlainTextEdit  # noqa: E402

from .gui_helpers import click, dialog, find, idle, type_text  # noqa: E402
from .test_gui_scenarios import go, gui  # noqa: E402,F401  (the fixture)


def _open_row(qtbot: Any, table: Any, row: int = 0) -> None:
    """Keyboard: focus the ledger, go to the row, Enter."""
    qtbot.waitUntil(lambda: table.model().rowCount() > row, timeout=5000)
    table.setFocus()
    table.setCurrentIndex(table.model().index(row, 0))
    qtbot.keyClick(table, Qt.Key.Key_Return)


def _consultation(gui: Any, question: str = "邻居占用通道怎么办") -> dict[str, Any]:
    st = gui.station
    person = st.records.list_records("person", limit=10)[0]
    code = next(iter(gui.window.ref["categories"]))
    return st.consultations.record_consultation({"persons": [person["uid"]], "category_code": code,
                                                 "question": question, "answer": "可先协商，再申请调解"}).record


def _replace_text(qtbot: Any, box: QPlainTextEdit, text: str) -> None:
    box.setFocus()
    box.selectAll()
    qtbot.keyClick(box, Qt.Key.Key_Delete)
    type_text(qtbot, box, text)


def test_consultation_opens_from_the_ledger_and_saves_as_an_update(gui: Any, qtbot: Any) -> None:
    page = go(qtbot, gui, 2)
    rec = _consultation(gui)
    page.model.reload()
    idle(qtbot, gui)
    _open_row(qtbot, find(page, "咨询台账"))
    question = find(page, "咨询事项", QPlainTextEdit)
    qtbot.waitUntil(lambda: question.toPlainText() == "邻居占用通道怎么办", timeout=5000)
    assert rec["number"] in find(page, "修改提示", QLabel).text()
    qtbot.waitUntil(lambda: find(page, "咨询人已选", QLabel).text().startswith("已选："), timeout=5000)
    _replace_text(qtbot, question, "邻居占用消防通道堆放杂物怎么办")
    qtbot.keyClick(gui.window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: find(page, "保存结果", QLabel).text() == f"已修改：{rec['number']}", timeout=5000)
    idle(qtbot, gui)
    after = gui.station.consultations.get_consultation(rec["uid"])
    assert after["question"] == "邻居占用消防通道堆放杂物怎么办"
    assert after["version"] == rec["version"] + 1
    assert [p["person"]["uid"] for p in after["persons"]] == [p["person"]["uid"] for p in
                                                               gui.station.consultations.get_consultation(
                                                                   rec["uid"])["persons"]]
    assert gui.station.records.count_records("consultation") == 1  # updated, not a second record
    assert not find(page, "修改提示", QLabel, visible=False).isVisible()  # back to a new entry
    assert question.toPlainText() == ""
    assert gui.station.drafts.list_drafts() == []


def test_a_stale_consultation_edit_is_refused_and_keeps_what_was_typed(gui: Any, qtbot: Any) -> None:
    page = go(qtbot, gui, 2)
    rec = _consultation(gui)
    page.model.reload()
    idle(qtbot, gui)
    _open_row(qtbot, find(page, "咨询台账"))
    question = find(page, "咨询事项", QPlainTextEdit)
    qtbot.waitUntil(lambda: question.toPlainText() == "邻居占用通道怎么办", timeout=5000)
    idle(qtbot, gui)
    # meanwhile a colleague saves the same consultation
    gui.station.consultations.update_consultation(rec["uid"], {"answer": "已告知可申请人民调解"},
                                                  base_version=rec["version"])
    _replace_text(qtbot, question, "我改的问题")
    qtbot.keyClick(gui.window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    error = find(page, "保存失败原因", QLabel, visible=False)
    qtbot.waitUntil(error.isVisible, timeout=5000)
    assert "已被修改" in error.text() and "第1版" in error.text()
    idle(qtbot, gui)
    now = gui.station.consultations.get_consultation(rec["uid"])
    assert now["question"] == "邻居占用通道怎么办" and now["answer"] == "已告知可申请人民调解"  # not overwritten
    assert question.toPlainText() == "我改的问题"  # nothing typed is lost
    assert find(page, "修改提示", QLabel).isVisible()
    # cancelling the edit drops it and leaves an empty new form
    click(qtbot, find(page, "取消修改"))
    idle(qtbot, gui)
    assert question.toPlainText() == ""
    assert gui.station.drafts.list_drafts() == []


def test_new_entry_typed_before_an_edit_comes_back_after_it(gui: Any, qtbot: Any) -> None:
    page = go(qtbot, gui, 2)
    _consultation(gui)
    page.model.reload()
    idle(qtbot, gui)
    question = find(page, "咨询事项", QPlainTextEdit)
    type_text(qtbot, question, "半句话")
    _open_row(qtbot, find(page, "咨询台账"))
    qtbot.waitUntil(lambda: question.toPlainText() == "邻居占用通道怎么办", timeout=5000)
    idle(qtbot, gui)
    assert gui.station.drafts.load_draft("consultation:new")["data"]["question"] == "半句话"
    click(qtbot, find(page, "取消修改"))
    qtbot.waitUntil(lambda: question.toPlainText() == "半句话", timeout=5000)


def test_visit_opens_from_the_log_and_saves_as_an_update(gui: Any, qtbot: Any) -> None:
    page = go(qtbot, gui, 4)
    staff = [s for s in gui.window.ref["staff"] if "adviser" in s["roles"]][0]
    village = gui.window.ref["villages"][0]
    rec = gui.station.visits.record_visit({
        "adviser_uid": staff["uid"], "village_uid": village["uid"], "visit_date": dt.date.today().isoformat(),
        "start_time": "09:00", "end_time": "10:00", "mode": "onsite",
        "service_types": ["consultation"], "content": "解答宅基地问题"}).record
    page.model.reload()
    idle(qtbot, gui)
    _open_row(qtbot, find(page, "服务日志"))
    content = find(page, "服务内容", QPlainTextEdit)
    qtbot.waitUntil(lambda: content.toPlainText() == "解答宅基地问题", timeout=5000)
    assert find(page, "服务时长", QLabel).text() == "1 小时"
    end = find(page, "结束时间")
    end.setFocus()
    end.setTime(end.time().addSecs(3600))
    qtbot.waitUntil(lambda: find(page, "服务时长", QLabel).text() == "2 小时", timeout=2000)
    qtbot.keyClick(gui.window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: find(page, "保存结果", QLabel).text().startswith("已修改"), timeout=5000)
    idle(qtbot, gui)
    after = gui.station.records.get_record(rec["uid"])
    assert after["hours"] == 2 and after["version"] == rec["version"] + 1
    assert gui.station.records.count_records("visit") == 1


__all__ = ["QCheckBox", "QComboBox", "QLineEdit", "QListWidget", "dialog"]
