"""Keyboard and screen-reader access on every page: each visible input is named by its visible label,
and Tab walks a form's fields from top to bottom."""
from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtWidgets import (QAbstractItemView, QAbstractSpinBox, QApplication, QCheckBox, QComboBox,  # noqa: E402
                               QHeaderView, QLabel, QLineEdit, QPlainTextEdit, QTextEdit, QWidget)

from ui.widgets.field_form import FieldForm  # noqa: E402

from . import test_gui_scenarios as scenarios  # noqa: E402
from .gui_helpers import click, dialog, find, idle  # noqa: E402

gui = scenarios.gui  # the running app (pytest fixture)
INPUTS = (QLineEdit, QComboBox, QPlainTextEdit, QTextEdit, QAbstractSpinBox, QCheckBox, QAbstractItemView)


def _inputs(root: QWidget) -> list[QWidget]:
    """Visible inputs a user can reach, not the parts inside another input (a spin box's line edit)."""
    out = []
    for w in root.findChildren(QWidget):
        if not isinstance(w, INPUTS) or isinstance(w, QHeaderView) or not w.isVisible():
            continue  # a table's header is part of the (named) table
        parent = w.parentWidget()
        if isinstance(parent, (QAbstractSpinBox, QComboBox)) or (parent is not None and
                                                                 isinstance(parent.parentWidget(), QComboBox)):
            continue
        out.append(w)
    return out


def _visible_label(w: QWidget, root: QWidget) -> str | None:
    """The text of a QLabel that is the buddy of ``w``, if any."""
    for label in root.findChildren(QLabel):
        if label.buddy() is w and label.isVisible():
            return label.text().rstrip("：").rstrip("*")
    return None


def check_names(root: QWidget) -> list[str]:
    problems = []
    form_inputs: dict[int, str] = {}
    for form in root.findChildren(FieldForm):
        for key, label in form.labels.items():
            form_inputs[id(form.inputs[key])] = label.text().rstrip("：").rstrip("*")
    for w in _inputs(root):
        name = w.accessibleName()
        where = f"{type(w).__name__} {w.objectName() or ''} {name!r}"
        if not name:
            problems.append(f"no accessible name: {where}")
            continue
        expected = form_inputs.get(id(w))
        if expected is None and isinstance(w, QLineEdit):  # the text box of a custom field (person picker)
            holder = w.parentWidget()
            while holder is not None and id(holder) not in form_inputs and holder is not root:
                holder = holder.parentWidget()
            if holder is not None and id(holder) in form_inputs:
                expected = form_inputs[id(holder)]
        if expected is not None and name != expected:
            problems.append(f"name {name!r} is not the visible label {expected!r}: {where}")
        if isinstance(w, QCheckBox) and name != w.text():
            problems.append(f"check box named {name!r} but shows {w.text()!r}")
        buddy_text = _visible_label(w, root)
        if buddy_text and buddy_text not in name:
            problems.append(f"label {buddy_text!r} not in the name {name!r}")
    return problems


def _focusable(w: QWidget) -> bool:
    return (w.isVisible() and w.isEnabled() and bool(w.focusPolicy() & Qt.FocusPolicy.TabFocus))


def check_tab_order(qtbot: Any, form: FieldForm) -> list[str]:
    """Press Tab from the first field and record where each field is first reached;
    the fields must be reached in their top-to-bottom (then left-to-right) order."""
    owners: dict[int, str] = {}
    for key, w in form.inputs.items():
        if not w.isVisible():
            continue
        for part in [w, *w.findChildren(QWidget)]:
            if _focusable(part):
                owners.setdefault(id(part), key)
    fields = [k for k, w in form.inputs.items() if w.isVisible() and any(
        owners.get(id(p)) == k for p in [w, *w.findChildren(QWidget)])]
    if len(fields) < 2:
        return []

    def pos(key: str) -> tuple[int, int]:
        p = form.inputs[key].mapTo(form, QPoint(0, 0))
        return (p.y(), p.x())
    visual = sorted(fields, key=pos)
    first = form.inputs[visual[0]]
    form.window().activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is form.window(), timeout=2000)
    first.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=2000)
    reached: list[str] = []
    for _ in range(400):
        fw = QApplication.focusWidget()
        key = owners.get(id(fw)) if fw is not None else None
        if key is not None and key not in reached:
            reached.append(key)
        if len(reached) == len(fields):
            break
        qtbot.keyClick(fw, Qt.Key.Key_Tab)
    if reached != visual:
        return [f"Tab order {reached} differs from the visual order {visual}"]
    return []


def test_every_visible_input_is_named_by_its_label_and_tab_follows_the_form(gui: Any, qtbot: Any) -> None:
    problems: list[str] = []
    from ui.main_window import SCREENS
    for n in range(1, len(SCREENS) + 1):  # every sidebar screen
        page = scenarios.go(qtbot, gui, n)
        problems += [f"{type(page).__name__}: {p}" for p in check_names(page)]
        for form in page.findChildren(FieldForm):
            if form.isVisible():
                problems += [f"{type(page).__name__}: {p}" for p in check_tab_order(qtbot, form)]
    # the case page: a new application, then an opened case with its step forms
    med = scenarios.go(qtbot, gui, 3)
    click(qtbot, find(med, "新案件申请"))
    idle(qtbot, gui)
    problems += [f"new case: {p}" for p in check_names(med)]
    problems += [f"new case: {p}" for p in check_tab_order(qtbot, med.case_page.apply_form)]
    people = {p["name"]: p["uid"] for p in gui.station.records.list_records("person", limit=10)}
    code = next(iter(gui.window.ref["dispute_types"]))
    case = gui.station.mediation.apply_case({"dispute_type": code, "facts": "排水沟纠纷",
                                             "applied_on": __import__("datetime").date.today().isoformat(),
                                             "parties": [{"side": "applicant", "person": people["张三丰"]},
                                                         {"side": "respondent", "person": people["李四海"]}]})
    med.open_case(case.uid)
    qtbot.waitUntil(lambda: find(med, "案件状态", QLabel).text() == "状态：已申请", timeout=5000)
    idle(qtbot, gui)
    problems += [f"open case: {p}" for p in check_names(med)]
    step_forms = [f for f in med.case_page.findChildren(FieldForm) if f.isVisible()]
    assert len(step_forms) >= 3  # accept, refuse, withdraw/fail
    for form in step_forms:
        problems += [f"open case: {p}" for p in check_tab_order(qtbot, form)]
    # the person form
    ppl = scenarios.go(qtbot, gui, 5)
    click(qtbot, find(ppl, "新建当事人"))
    dlg = dialog("person_dialog")
    problems += [f"person form: {p}" for p in check_names(dlg)]
    problems += [f"person form: {p}" for p in check_tab_order(qtbot, dlg.form)]
    click(qtbot, find(dlg, "取消"))
    assert not problems, "\n".join(problems)


def test_the_checks_catch_a_nameless_input_and_a_wrong_tab_order(gui: Any, qtbot: Any) -> None:
    """The checks above can fail: an unnamed line edit and a form whose Tab order is reversed."""
    from ui.widgets.field_form import Field
    host = QWidget()
    form = FieldForm([Field("a", "甲"), Field("b", "乙"), Field("c", "丙")], host)
    stray = QLineEdit(host)
    host.show()
    qtbot.waitExposed(host)
    assert any("no accessible name" in p for p in check_names(host))
    stray.setAccessibleName("丁")
    assert check_names(host) == []
    assert check_tab_order(qtbot, form) == []
    QWidget.setTabOrder(form.inputs["c"], form.inputs["b"])
    QWidget.setTabOrder(form.inputs["b"], form.inputs["a"])
    QWidget.setTabOrder(form.inputs["a"], stray)
    assert check_tab_order(qtbot, form)
    host.close()


def test_the_cut_text_check_catches_a_squeezed_label(qtbot: Any) -> None:
    from .gui_scale_probe import cut_texts
    host = QWidget()
    label = QLabel("村(居)年度服务时长目标（小时）", host)
    label.setGeometry(0, 0, 300, 30)
    host.resize(320, 40)
    host.show()
    qtbot.waitExposed(host)
    assert cut_texts(host) == []
    label.setFixedWidth(60)
    assert any("label cut" in p for p in cut_texts(host))
    host.close()


def test_every_screen_fits_its_text_at_200_percent_scaling(tmp_path: Any) -> None:
    """A real process at QT_SCALE_FACTOR=2, 1280×800 logical: no label or button text is cut."""
    import importlib.util
    import json
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location("make_screenshots", root / "docs" / "make_screenshots.py")
    assert spec is not None and spec.loader is not None
    shots_module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(shots_module)
    data = tmp_path / "data"
    data.mkdir()
    ids = shots_module.prepare(data, 300)  # demo data with long names, a case with parties and sessions
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_SCALE_FACTOR": "2", "PYTHONPATH": str(root)}
    for large in (False, True):  # normal, then large-font mode (what the elderly visitor's counter uses)
        (data / "ui.json").write_text(json.dumps({"large_font": large}), encoding="utf-8")
        shots = tmp_path / f"shots-{large}"
        shots.mkdir()
        run = subprocess.run([sys.executable, str(root / "tests" / "gui_scale_probe.py"), str(data), str(shots),
                              ids["case"], ids["person"]], cwd=root, env=env, capture_output=True, text=True,
                             timeout=180, check=False)
        assert run.returncode == 0, run.stderr[-3000:]
        report = json.loads([line for line in run.stdout.splitlines() if line.startswith("{")][-1])
        assert report["scale"] == 2 and report["size"] == [1280, 800]
        from ui.main_window import SCREENS
        assert len(report["screens"]) == len(SCREENS) + 6
        from PySide6.QtGui import QImage
        image = QImage(str(shots / "consultations.png"))
        assert (image.width(), image.height()) == (2560, 1600)  # really drawn at twice the pixels
        assert report["problems"] == [], f"large font {large}:\n" + "\n".join(report["problems"])


def test_list_columns_grow_with_large_font_mode(gui: Any, qtbot: Any) -> None:
    """Switching on 大字模式 widens the fixed list columns, so masked ID numbers and dates still fit."""
    page = scenarios.go(qtbot, gui, 5)
    table = find(page, "当事人列表")
    before = table.columnWidth(2)
    from ui.main_window import SCREENS
    settings = scenarios.go(qtbot, gui, 1 + next(i for i, s in enumerate(SCREENS) if s[2] == "SettingsPage"))
    find(settings, "大字模式", QCheckBox).setChecked(True)
    try:
        qtbot.waitUntil(lambda: table.columnWidth(2) >= before * 1.4, timeout=3000)
        text = "110105********002X"
        assert table.fontMetrics().horizontalAdvance(text) < table.columnWidth(2) - 8
    finally:
        find(settings, "大字模式", QCheckBox).setChecked(False)
    qtbot.waitUntil(lambda: table.columnWidth(2) == before, timeout=3000)


def test_every_screen_is_made_in_the_chinese_locale(gui: Any, qtbot: Any) -> None:
    """The default locale is set before the first widget is made: a widget keeps the locale it was made
    with (date formats, month names, and which fallback font draws Han characters)."""
    from PySide6.QtWidgets import QDateTimeEdit
    assert gui.window.locale().name() == "zh_CN"
    page = scenarios.go(qtbot, gui, 2)  # 来访咨询: its form has a date and time field
    edits = page.findChildren(QDateTimeEdit)
    assert edits and all(e.locale().name() == "zh_CN" for e in edits)
    assert edits[0].locale().toString(edits[0].date(), "MMMM").endswith("月")
