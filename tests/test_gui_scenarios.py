"""Scenario tests of the counter GUI, driven headless as a user would, widgets found by accessible name."""
from __future__ import annotations

import os
from typing import Any, Iterator

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import (QCheckBox, QComboBox, QLabel, QLineEdit, QListWidget, QPlainTextEdit,  # noqa: E402
                               QPushButton, QSpinBox)

from station import Station  # noqa: E402

from .conftest import VALID_ID  # noqa: E402
from .gui_helpers import choose, click, dialog, find, idle, start_gui, stop_gui, tick, type_text  # noqa: E402


@pytest.fixture
def gui(ready: Station, qtbot: Any) -> Iterator[Any]:
    ready.people.save_person({"name": "王桂英", "gender": "女", "phone": "13912345678", "id_number": VALID_ID})
    ready.people.save_person({"name": "张三丰", "gender": "男", "phone": "13800001111"})
    ready.people.save_person({"name": "李四海", "gender": "男", "phone": "13800002222"})
    folder = ready.data_dir
    ready.close()
    app = start_gui(qtbot, folder)
    yield app
    stop_gui(qtbot, app)


def go(qtbot: Any, gui: Any, n: int) -> Any:
    """Switch screens with the keyboard (Ctrl+1 … Ctrl+6)."""
    gui.window.activateWindow()
    qtbot.keyClick(gui.window, getattr(Qt.Key, f"Key_{n}"), Qt.KeyboardModifier.ControlModifier)
    assert gui.window.stack.currentIndex() == n - 1
    idle(qtbot, gui)
    return gui.window.pages[n - 1]


def pick_person(qtbot: Any, gui: Any, page: Any, label: str, typed: str) -> None:
    edit = find(page, label, QLineEdit)
    edit.setFocus()
    type_text(qtbot, edit, typed)
    suggestions = find(page, f"{label}候选", QListWidget, visible=False)
    qtbot.waitUntil(lambda: suggestions.isVisible() and suggestions.count() > 0, timeout=5000)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: find(page, f"{label}已选", QLabel).text().startswith("已选："), timeout=5000)


def test_consultation_from_empty_form_to_ledger(gui: Any, qtbot: Any) -> None:
    page = go(qtbot, gui, 2)
    ledger = page.model
    before = ledger.total
    pick_person(qtbot, gui, page, "咨询人", "wgy")  # pinyin initials of 王桂英
    assert "王桂英" in find(page, "咨询人已选", QLabel).text()
    assert "11010519491231002X" not in find(page, "咨询人已选", QLabel).text()  # masked on screen
    choose(qtbot, find(page, "咨询类别", QComboBox), "劳动争议")
    type_text(qtbot, find(page, "咨询事项", QPlainTextEdit), "在工地干了三个月 老板拖欠工资一万二")
    type_text(qtbot, find(page, "答复意见", QPlainTextEdit), "可向劳动监察投诉或申请劳动仲裁")
    choose(qtbot, find(page, "满意度", QComboBox), "满意")
    qtbot.keyClick(gui.window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: find(page, "保存结果", QLabel).text().startswith("已保存"), timeout=5000)
    idle(qtbot, gui)
    qtbot.waitUntil(lambda: ledger.total == before + 1, timeout=5000)
    first = ledger.record(0)
    assert first["question"] == "在工地干了三个月 老板拖欠工资一万二"
    table = find(page, "咨询台账")
    assert table.model().index(0, 2).data() == "劳动争议"
    assert find(page, "咨询事项", QPlainTextEdit).toPlainText() == ""  # form ready for the next visitor
    assert gui.station.drafts.load_draft("consultation:new") is None


def test_mediation_case_from_application_to_written_agreement(gui: Any, qtbot: Any) -> None:
    page = go(qtbot, gui, 3)
    click(qtbot, find(page, "新案件申请"))
    choose(qtbot, find(page, "纠纷类型", QComboBox), "邻里纠纷")
    pick_person(qtbot, gui, page, "当事人", "张三丰")
    click(qtbot, find(page, "加入当事人"))
    pick_person(qtbot, gui, page, "当事人", "李四海")
    assert find(page, "当事人身份", QComboBox).currentText() == "被申请人"
    click(qtbot, find(page, "加入当事人"))
    parties = find(page, "已加入的当事人", QListWidget)
    assert [parties.item(i).text() for i in range(parties.count())] == ["申请人：张三丰", "被申请人：李四海"]
    type_text(qtbot, find(page, "纠纷简要情况", QPlainTextEdit), "两家因排水沟走向发生争执")
    click(qtbot, find(page, "提交申请"))
    qtbot.waitUntil(lambda: find(page, "案件状态", QLabel).text() == "状态：已申请", timeout=5000)
    # the steps say what is missing before they are allowed
    assert "只能在" in find(page, "登记调解协议尚缺", QLabel).text()
    assert not find(page, "登记调解协议").isEnabled()
    assert find(page, "受理尚缺", QLabel).text() == "可以办理"
    click(qtbot, find(page, "受理"))  # no mediator chosen: refused next to the field
    qtbot.waitUntil(lambda: find(page, "人民调解员错误", QLabel).isVisible(), timeout=5000)
    assert find(page, "案件状态", QLabel).text() == "状态：已申请"
    tick(qtbot, find(page, "孙德胜", QCheckBox))
    click(qtbot, find(page, "受理"))
    qtbot.waitUntil(lambda: find(page, "案件状态", QLabel).text() == "状态：已受理", timeout=5000)
    assert "至少一次调解记录" in find(page, "登记调解协议尚缺", QLabel).text()
    type_text(qtbot, find(page, "调解地点"), "司法所调解室")
    type_text(qtbot, find(page, "调解记录", QPlainTextEdit), "双方同意重新疏通排水沟")
    click(qtbot, find(page, "登记调解记录"))
    qtbot.waitUntil(lambda: find(page, "案件状态", QLabel).text() == "状态：调解中", timeout=5000)
    type_text(qtbot, find(page, "协议内容", QPlainTextEdit), "李四海于十日内将排水沟改至自家东侧\n费用由双方各半负担")
    type_text(qtbot, find(page, "履行方式"), "自行履行")
    click(qtbot, find(page, "登记调解协议"))
    qtbot.waitUntil(lambda: find(page, "案件状态", QLabel).text() == "状态：已达成协议", timeout=5000)
    idle(qtbot, gui)
    case = gui.station.mediation.get_case(page.case_page.uid)
    assert case["status"] == "agreed" and case["outcome"] == "written"
    assert [(p["side"], p["person"]["name"]) for p in case["parties"]] == [("applicant", "张三丰"),
                                                                          ("respondent", "李四海")]
    assert case["terms"] == ["李四海于十日内将排水沟改至自家东侧", "费用由双方各半负担"]
    assert "书面协议" in find(page, "登记调解协议记录", QLabel).text()
    # Ctrl+P prints the chosen form off the GUI thread: a PDF, and a line in the print log
    choose(qtbot, find(page, "打印文书", QComboBox), "人民调解协议书")
    gui.window.activateWindow()
    qtbot.keyClick(gui.window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: getattr(page.case_page, "preview", None) is not None, timeout=30000)
    preview = page.case_page.preview
    assert preview.accessibleName() == "打印预览" and preview.page_count() >= 1
    assert find(preview, "页码", QLabel).text() == f"第 1 / {preview.page_count()} 页"
    if preview.page_count() > 1:
        qtbot.mouseClick(find(preview, "下一页", QPushButton), Qt.MouseButton.LeftButton)
        assert find(preview, "页码", QLabel).text().startswith("第 2 /")
    find(preview, "份数", QSpinBox).setValue(4)
    target = gui.data_dir / "协议书.pdf"
    preview.save_to(target)  # what 另存为PDF does after its file dialog
    assert target.read_bytes() == preview.pdf and preview.pdf.startswith(b"%PDF-")
    from PySide6.QtPrintSupport import QPrinter
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)  # a file printer stands in for a real one
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(gui.data_dir / "printed.pdf"))
    preview.print_to(printer)
    assert (gui.data_dir / "printed.pdf").read_bytes().startswith(b"%PDF-")
    qtbot.waitUntil(lambda: len(gui.station.prints.list_prints(case["uid"])) == 2, timeout=10000)
    assert [p["copies"] for p in gui.station.prints.list_prints(case["uid"])] == [4, 4]


def test_adviser_visit_and_village_hours(gui: Any, qtbot: Any) -> None:
    page = go(qtbot, gui, 4)
    choose(qtbot, find(page, "法律顾问", QComboBox), "孙德胜")
    choose(qtbot, find(page, "服务村(居)", QComboBox), "南坪村")
    assert find(page, "服务时长", QLabel).text() == "2 小时"  # 09:00–11:00 by default
    tick(qtbot, find(page, "法律咨询解答", QCheckBox))
    type_text(qtbot, find(page, "服务内容", QPlainTextEdit), "为村民解答土地承包问题")
    qtbot.keyClick(gui.window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: find(page, "保存结果", QLabel).text().startswith("已保存"), timeout=5000)
    idle(qtbot, gui)
    hours = find(page, "各村(居)服务时长")
    qtbot.waitUntil(lambda: hours.rowCount() == 1 and hours.item(0, 2).text() == "2", timeout=5000)
    assert hours.item(0, 0).text() == "南坪村"
    assert gui.station.visits.village_hours(__import__("datetime").date.today().year)[0]["hours"] == 2


def _open_person_dialog(qtbot: Any, gui: Any) -> Any:
    page = go(qtbot, gui, 5)
    click(qtbot, find(page, "新建当事人"))
    return dialog("person_dialog")


def test_duplicate_person_is_warned_before_creating(gui: Any, qtbot: Any) -> None:
    before = gui.station.records.count_records("person")
    dlg = _open_person_dialog(qtbot, gui)
    type_text(qtbot, find(dlg, "姓名"), "王桂英")
    type_text(qtbot, find(dlg, "联系电话"), "139 1234 5678")
    click(qtbot, find(dlg, "保存当事人"))
    warning = find(dlg, "重复提示", QLabel, visible=False)
    qtbot.waitUntil(warning.isVisible, timeout=5000)
    assert "可能重复" in warning.text() and "王桂英" in warning.text()
    assert "13912345678" not in warning.text()  # phone masked in the warning
    idle(qtbot, gui)
    assert gui.station.records.count_records("person") == before
    click(qtbot, find(dlg, "使用已有当事人"))
    qtbot.waitUntil(lambda: not dlg.isVisible(), timeout=5000)
    idle(qtbot, gui)
    assert gui.station.records.count_records("person") == before
    assert find(gui.window.pages[4], "当事人姓名", QLabel).text() == "王桂英"


def test_bad_id_number_is_refused_next_to_the_field(gui: Any, qtbot: Any) -> None:
    before = gui.station.records.count_records("person")
    dlg = _open_person_dialog(qtbot, gui)
    type_text(qtbot, find(dlg, "姓名"), "赵喆")
    type_text(qtbot, find(dlg, "身份证号码"), "11010519491231002 1")
    click(qtbot, find(dlg, "保存当事人"))
    error = find(dlg, "身份证号码错误", QLabel, visible=False)
    qtbot.waitUntil(error.isVisible, timeout=5000)
    assert "校验位错误" in error.text()
    assert dlg.isVisible()
    idle(qtbot, gui)
    assert gui.station.records.count_records("person") == before
    assert not any(p["name"] == "赵喆" for p in gui.station.records.list_records("person", limit=100))


def test_reveal_is_explicit_and_logged(gui: Any, qtbot: Any) -> None:
    page = go(qtbot, gui, 5)
    edit = find(page, "查找当事人", QLineEdit)
    edit.setFocus()
    type_text(qtbot, edit, "王桂英")
    hits = find(page, "查找结果", QListWidget, visible=False)
    qtbot.waitUntil(lambda: hits.count() > 0 and bool(hits.item(0).data(Qt.ItemDataRole.UserRole)), timeout=5000)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    shown = find(page, "身份证号码", QLabel, visible=False)
    qtbot.waitUntil(lambda: shown.text() == "110105********002X", timeout=5000)
    click(qtbot, find(page, "显示身份证号码"))
    qtbot.waitUntil(lambda: shown.text() == VALID_ID, timeout=5000)
    idle(qtbot, gui)
    log = gui.station.privacy.list_reveals()
    assert [(r["field"], r["record_kind"]) for r in log] == [("id_number", "person")]


def test_every_form_input_is_named_by_its_visible_label(gui: Any, qtbot: Any) -> None:
    from ui.widgets.field_form import FieldForm
    forms = [f for page in gui.window.pages for f in page.findChildren(FieldForm)]
    assert len(forms) >= 10
    for form in forms:
        for key, label in form.labels.items():
            visible = label.text().rstrip("：").rstrip("*")
            assert form.inputs[key].accessibleName() == visible, (key, visible)
            assert label.buddy() is form.inputs[key]
