"""Report output: the XLSX file (opened again with openpyxl) and the CLI run as a real process."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from station import Station
from station.reports.xlsx import write_xlsx

from . import report_fixture

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "station.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report_cli") / "data"
    with Station.open(folder) as st:
        report_fixture.build(st)
    return folder


def _header_row(ws: object) -> int:
    for row in ws.iter_rows(min_row=1, max_row=10):  # type: ignore[attr-defined]
        if row[0].font.bold and row[0].fill.fgColor.rgb.endswith("DDE4EE"):
            return row[0].row
    raise AssertionError("no header row")


def test_xlsx_has_a_sheet_per_table_with_numeric_cells(data_dir: Path, tmp_path: Path) -> None:
    with Station.open(data_dir) as st:
        report = st.reports.build_report("2026-10")
    path = write_xlsx(report, tmp_path / "十月.xlsx")
    wb = load_workbook(path)
    assert len(wb.sheetnames) == len(report.tables) + 1 and wb.sheetnames[-1] == "说明"
    assert all(len(n) <= 31 for n in wb.sheetnames)
    for table, name in zip(report.tables, wb.sheetnames):
        ws = wb[name]
        assert ws["A3"].value == table.title
        head = _header_row(ws)
        assert [c.value for c in ws[head]][:len(table.columns)] == [c.label for c in table.columns]
        for i, row in enumerate(table.rows):
            cells = ws[head + 1 + i]
            for j, value in enumerate(row):
                kind, cell = table.kind_of(i, j), cells[j]
                if value is None:
                    assert cell.value is None
                elif kind == "text":
                    assert (cell.value or "") == value  # openpyxl reads an empty string back as None
                else:  # a real number cell with a number format, not text
                    assert cell.data_type == "n" and isinstance(cell.value, (int, float)), (name, i, j, cell.value)
                    assert cell.value == pytest.approx(value)
                    assert cell.number_format == {"int": "0", "money": "#,##0.00", "hours": "0.00",
                                                  "percent": "0.00%"}[kind]
        for j in range(len(table.columns)):
            letter = ws.cell(row=head, column=j + 1).column_letter
            assert ws.column_dimensions[letter].width >= 8  # widths are set, not Excel's default
        first = ws.column_dimensions["A"].width
        longest = max(len(str(r[0])) for r in table.rows)
        assert first >= min(2 * longest, 60)  # CJK text counts double
    ws = wb["人民调解-主要指标"]
    head = _header_row(ws)
    rate = next(r for r in ws.iter_rows(min_row=head + 1) if r[0].value == "调解成功率")[1]
    assert rate.value == 0.5 and rate.number_format == "0.00%"
    money = next(r for r in ws.iter_rows(min_row=head + 1) if r[0].value == "协议涉及金额(元)")[1]
    assert money.value == 25000 and money.number_format == "#,##0.00"


def test_cli_report_formats(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    r = run("--data-dir", str(data_dir), "report", "--period", "2026-10", "--format", "xlsx", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert load_workbook(out)["人民调解-主要指标"]["A1"].value == "临涣镇司法所2026年10月工作统计"
    r = run("--data-dir", str(data_dir), "report", "--period", "2026-10", "--format", "json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["figures"]["cases.accepted"] == 6 and data["figures"]["cases.success_rate"] == 0.5
    r = run("--data-dir", str(data_dir), "report", "--period", "2026-10")
    assert r.returncode == 0 and "调解成功率" in r.stdout and "50.00%" in r.stdout
    r = run("--data-dir", str(data_dir), "report", "--period", "2026-10", "--scope", "village:nope")
    assert r.returncode == 2 and "找不到" in r.stderr


@pytest.mark.parametrize("args,message", [
    (["report"], "--period"),
    (["report", "--period", "2026-13"], "无法识别"),
    (["report", "--period", "2026-10", "--format", "xlsx"], "-o"),
    (["report", "--period", "2026-10", "--scope", "county"], "统计范围"),
    (["report", "--period", "2026-10", "--format", "pdf"], "-o"),
    (["report", "--period", "2026-10", "--format", "docx"], "参数错误"),
    (["due", "--today", "2026-02-30"], "格式不正确"),
])
def test_cli_usage_errors_exit_2(data_dir: Path, args: list[str], message: str) -> None:
    r = run("--data-dir", str(data_dir), *args)
    assert r.returncode == 2 and message in r.stderr, r.stderr


def test_cli_close_and_due(data_dir: Path, tmp_path: Path) -> None:
    r = run("--data-dir", str(data_dir), "report", "close", "--period", "2026-10", "--today", "2026-10-31")
    assert r.returncode == 2 and "尚未结束" in r.stderr
    r = run("--data-dir", str(data_dir), "report", "close", "--period", "2026-10", "--today", "2026-11-01")
    assert r.returncode == 0 and "已报送" in r.stdout, r.stderr
    r = run("--data-dir", str(data_dir), "report", "--period", "2026-10")
    assert "本期已于" in r.stdout
    # K4 (agreed 2026-11-02, no follow-up) is due for a follow-up on 2026-11-17
    r = run("--data-dir", str(data_dir), "due", "--today", "2026-11-18", "--json")
    assert r.returncode == 0, r.stderr
    found = [json.loads(line) for line in r.stdout.splitlines()]
    assert any(f["kind"] == "follow_up" and f["severity"] == "urgent" for f in found)
    assert all(set(f) >= {"kind", "uid", "message", "due", "severity"} for f in found)
    r = run("--data-dir", str(data_dir), "due", "--today", "2026-11-18")
    assert r.returncode == 0 and "[紧急]" in r.stdout
