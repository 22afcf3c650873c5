"""统计报表 page, driven headless as a user would: pick a period, read the tables, export, close, charts."""
from __future__ import annotations

import datetime as dt
import gc
import io
import os
import re
import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from openpyxl import load_workbook  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QComboBox, QLabel, QMessageBox, QSpinBox, QTableWidget, QTabWidget  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from station import Station  # noqa: E402

from . import report_fixture  # noqa: E402
from .gui_helpers import choose, click, dialog, find, idle, open_screen, screen_key, start_gui, stop_gui  # noqa: E402

EXPECTED = report_fixture.load()["expected"]


@pytest.fixture(scope="module")
def fixture_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("gui_reports") / "data"
    with Station.open(folder) as st:
        report_fixture.build(st)
    return folder


@pytest.fixture
def gui(fixture_dir: Path, tmp_path: Path, qtbot: Any) -> Iterator[Any]:
    folder = tmp_path / "data"
    shutil.copytree(fixture_dir, folder)
    app = start_gui(qtbot, folder)
    yield app
    stop_gui(qtbot, app)


def open_reports(qtbot: Any, gui: Any) -> Any:
    assert gui.window.nav.item(screen_key("ReportsPage") - 1).text() == "统计报表"
    return open_screen(qtbot, gui, "ReportsPage")


def pick_october(qtbot: Any, gui: Any, page: Any) -> None:
    choose(qtbot, find(page, "报表类型", QComboBox), "月报")
    year = find(page, "年份", QSpinBox)
    year.setFocus()
    year.selectAll()
    qtbot.keyClicks(year, "2026")
    choose(qtbot, find(page, "月份", QComboBox), "10月")
    show_report(qtbot, gui, page)
    assert "2026年10月工作统计" in find(page, "报表状态", QLabel).text()


def show_report(qtbot: Any, gui: Any, page: Any) -> None:
    """Click 生成报表 and wait for the new report's tables to be on screen."""
    idle(qtbot, gui)
    before = page.report
    click(qtbot, find(page, "生成报表"))
    qtbot.waitUntil(lambda: page.report is not before and any(
        t.isVisible() for t in page.findChildren(QTableWidget) if t.accessibleName() == "人民调解：主要指标"),
        timeout=10000)


def cell(table: QTableWidget, label: str, col: int = 1) -> Any:
    for r in range(table.rowCount()):
        if table.item(r, 0).text() == label:
            return table.item(r, col)
    raise AssertionError(f"no row {label!r}")


def test_pick_a_month_see_the_figures_and_export_both_formats(gui: Any, qtbot: Any, tmp_path: Path) -> None:
    page = open_reports(qtbot, gui)
    pick_october(qtbot, gui, page)
    summary = find(page, "人民调解：主要指标", QTableWidget)
    rate = cell(summary, "调解成功率")
    assert rate.text() == "50.00%"
    assert rate.textAlignment() & int(Qt.AlignmentFlag.AlignRight)  # numbers right-aligned
    assert cell(summary, "协议涉及金额(元)").text() == "25,000.00"
    assert cell(summary, "受理调解").text() == str(EXPECTED["figures"]["cases.accepted"][0])
    by_type = find(page, "人民调解：按纠纷类型", QTableWidget)
    assert cell(by_type, "合计").text() == "6" and cell(by_type, "合计").font().bold()
    villages = find(page, "村(居)法律顾问：服务时长与年度目标", QTableWidget)
    assert villages.rowCount() == len(EXPECTED["tables"]["visits_by_village"])

    paths = {"xlsx": tmp_path / "十月.xlsx", "pdf": tmp_path / "十月"}  # the extension is added when missing
    page.ask_path = lambda fmt, suggested: str(paths[fmt])
    click(qtbot, find(page, "导出XLSX"))
    qtbot.waitUntil(lambda: "已导出" in find(page, "报表状态", QLabel).text(), timeout=10000)
    wb = load_workbook(paths["xlsx"])
    ws = wb["人民调解-主要指标"]
    assert ws["A1"].value == "临涣镇司法所2026年10月工作统计"
    assert next(r for r in ws.iter_rows() if r[0].value == "调解成功率")[1].value == 0.5
    click(qtbot, find(page, "导出PDF"))
    pdf = tmp_path / "十月.pdf"
    qtbot.waitUntil(lambda: pdf.exists() and "十月.pdf" in find(page, "报表状态", QLabel).text(), timeout=20000)
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages))
    assert "调解成功率50.00%" in text and "临涣镇司法所2026年10月工作统计" in text


def test_quarter_and_a_committee_scope(gui: Any, qtbot: Any) -> None:
    page = open_reports(qtbot, gui)
    choose(qtbot, find(page, "报表类型", QComboBox), "季报")
    assert not find(page, "月份", QComboBox, visible=False).isVisible()
    year = find(page, "年份", QSpinBox)
    year.setValue(2026)
    choose(qtbot, find(page, "季度", QComboBox), "第四季度")
    choose(qtbot, find(page, "统计范围", QComboBox), "调解委员会")
    choose(qtbot, find(page, "范围对象", QComboBox), "南坪村")
    show_report(qtbot, gui, page)
    assert "2026-10-01 至 2026-12-31" in find(page, "报表状态", QLabel).text()
    assert "南坪村人民调解委员会" in find(page, "报表状态", QLabel).text()
    # a committee's report has no consultation or adviser tables
    assert not [t for t in page.findChildren(QTableWidget) if t.isVisible() and t.accessibleName().startswith("来访咨询")]
    assert find(page, "人民调解：按调解组织", QTableWidget).rowCount() == 2  # the committee and 合计


def test_close_a_period_with_confirmation_and_see_it_listed(gui: Any, qtbot: Any) -> None:
    page = open_reports(qtbot, gui)
    pick_october(qtbot, gui, page)
    click(qtbot, find(page, "报送本期"))
    box = dialog("confirm_close_period")
    assert "2026年10月" in box.text()
    click(qtbot, box.button(QMessageBox.StandardButton.No))  # cancel: nothing closed
    idle(qtbot, gui)
    assert gui.station.reports.list_closures() == []
    click(qtbot, find(page, "报送本期"))
    click(qtbot, dialog("confirm_close_period").button(QMessageBox.StandardButton.Yes))
    qtbot.waitUntil(lambda: "报送" in find(page, "报表状态", QLabel).text(), timeout=10000)
    idle(qtbot, gui)
    closures = find(page, "报送记录", QTableWidget, visible=False)
    assert closures.rowCount() == 1 and closures.item(0, 0).text() == "2026-10"
    assert gui.station.reports.get_snapshot("2026-10").figures["cases.success_rate"] == 0.5
    # a period not yet over is refused, and the refusal is shown
    today = dt.date.today()
    find(page, "年份", QSpinBox).setValue(today.year)
    page.month.setCurrentIndex(today.month - 1)
    show_report(qtbot, gui, page)
    assert f"{today.year}年{today.month}月" in find(page, "报表状态", QLabel).text()
    click(qtbot, find(page, "报送本期"))
    click(qtbot, dialog("confirm_close_period").button(QMessageBox.StandardButton.Yes))
    qtbot.waitUntil(lambda: any(w.accessibleName() == "错误提示" and w.isVisible()
                                for w in gui.app.topLevelWidgets()), timeout=10000)
    error = next(w for w in gui.app.topLevelWidgets() if w.accessibleName() == "错误提示" and w.isVisible())
    assert "尚未结束" in error.text()
    error.accept()
    assert len(gui.station.reports.list_closures()) == 1


def test_the_page_does_not_import_qtcharts() -> None:
    """Start-up and the page itself stay light: QtCharts loads with the 图表 tab only."""
    import subprocess
    import sys
    code = "import sys, ui.main_window, ui.pages.reports; assert 'PySide6.QtCharts' not in sys.modules"
    r = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parent.parent, check=False,
                       capture_output=True, text=True, env={**os.environ, "PYTHONPATH": "."}, timeout=120)
    assert r.returncode == 0, r.stderr


def test_charts_tab_is_built_on_first_show_with_the_expected_series(gui: Any, qtbot: Any) -> None:
    page = open_reports(qtbot, gui)
    pick_october(qtbot, gui, page)
    assert page.charts is None  # nothing built (nor QtCharts imported for it) before the tab is shown
    tabs = find(page, "报表页签", QTabWidget)
    tabs.setCurrentIndex(next(i for i in range(tabs.count()) if tabs.tabText(i) == "图表"))
    qtbot.waitUntil(lambda: page.charts is not None and page.charts.type_series is not None
                    and page.charts.hours_bars is not None, timeout=10000)
    idle(qtbot, gui)
    charts = page.charts
    # 2026: K8 (Aug), K1 (Sep) and six in October were accepted, of six dispute types
    sets = charts.type_series.barSets()
    assert len(sets) == 6 and all(s.count() == 12 for s in sets)
    assert sum(s.at(i) for s in sets for i in range(12)) == 8
    assert sum(s.at(9) for s in sets) == EXPECTED["figures"]["cases.accepted"][0]
    marriage = next(s for s in sets if s.label() == "婚姻家庭纠纷")
    assert [marriage.at(i) for i in (7, 8, 9)] == [1, 1, 1]
    # success rate: months with an outcome only (Aug K8, Oct 2 of 4, Nov K4)
    points = [(p.x(), p.y()) for p in charts.rate_series.points()]
    assert points == [(7, 100.0), (9, 50.0), (10, 100.0)]
    # hours per village: one bar per village, and the yearly target line over the same villages
    rows = EXPECTED["tables"]["visits_by_village"]
    villages = {k: v for k, v in rows.items() if k != "合计"}
    bars = charts.hours_bars.barSets()[0]
    assert bars.count() == len(villages)
    assert charts.target_line.count() == charts.due_line.count() == 2 * len(villages)  # a level across each bar
    assert sorted(bars.at(i) for i in range(bars.count())) == sorted(float(v["ytd"]) for v in villages.values())
    targets = [p.y() for p in charts.target_line.points()]
    assert targets[::2] == targets[1::2]
    assert sorted(targets[::2]) == sorted(float(v["target"]) for v in villages.values())
    assert sorted(p.y() for p in charts.due_line.points()[::2]) == sorted(float(v["due"]) for v in villages.values())


def test_home_lists_every_reminder_of_station_due(gui: Any, qtbot: Any) -> None:
    from ui.pages.home import REMINDER_KINDS
    gui.window.show_page(0)
    idle(qtbot, gui)
    home = gui.window.pages[0]
    due = [r.to_dict() for r in gui.station.reports.due(limit=20)]
    assert due  # the fixture leaves open cases, unvisited agreements and villages behind their hours
    table = find(home, "待办事项列表", QTableWidget)
    qtbot.waitUntil(lambda: table.rowCount() == len(due), timeout=10000)
    shown = [[table.item(r, c).text() for c in range(4)] for r in range(table.rowCount())]
    assert shown == [[r["severity_label"], REMINDER_KINDS[r["kind"]], r["due"], r["message"]] for r in due]
    urgent = sum(1 for r in due if r["severity"] == "urgent")
    assert find(home, "紧急待办", QLabel).text() == str(urgent)
    assert {r["kind"] for r in due} >= {"case_overdue", "village_hours_behind"}


def test_an_account_without_the_reports_permission_is_refused_on_the_page(
        fixture_dir: Path, tmp_path: Path, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page does not decide who may see reports: the core refuses, the page says so."""
    from ui.app import StationApp
    folder = tmp_path / "data"
    shutil.copytree(fixture_dir, folder)
    with Station.open(folder) as st:
        st.accounts.create_chief("zhang", "所长的密码123", name="张所长")
        st.sign_in("zhang", "所长的密码123")
        st.accounts.add_account("li", "接待员密码456", ["counter"], name="李接待")
    opened = Station.open

    def open_signed_in(*args: Any, **kwargs: Any) -> Station:
        st = opened(*args, **kwargs)
        st.sign_in("li", "接待员密码456")
        return st
    monkeypatch.setattr(Station, "open", open_signed_in)
    app = StationApp(folder)
    try:
        app.window.show()
        qtbot.waitExposed(app.window)
        idle(qtbot, app)
        page = open_reports(qtbot, app)
        qtbot.waitUntil(lambda: "统计报表" in find(page, "报表状态", QLabel).text(), timeout=10000)
        assert "没有“统计报表”权限" in find(page, "报表状态", QLabel).text()
        assert not find(page, "报送本期").isEnabled() and not find(page, "导出PDF").isEnabled()
        assert any(w.accessibleName() == "错误提示" and "统计报表" in w.text()
                   for w in app.app.topLevelWidgets() if w.isVisible())
    finally:
        idle(qtbot, app)
        app.close()
        del app
        gc.collect()


@pytest.mark.parametrize("kind,expected,label", [
    ("month", "2026-10", "2026年10月"), ("quarter", "2026-Q4", "2026年第四季度"), ("year", "2026", "2026年"),
    ("custom", "2026-10-05..2026-10-09", None)])
def test_period_choices_give_periods_the_core_reads(kind: str, expected: str, label: str | None) -> None:
    from station.periods import parse_period
    from ui.pages.reports import period_key
    key = period_key(kind, 2026, 10, 4, dt.date(2026, 10, 5), dt.date(2026, 10, 9))
    assert key == expected
    period = parse_period(key)
    assert period.key == expected and (label is None or period.label == label)
