"""Report PDF: every figure of the hand-computed month is printed, fonts are embedded, bytes are stable."""
from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from station import Station
from station.printing.linebreak import cjk_punctuation
from station.reports.model import Report
from station.reports.pdf import column_widths, render_pdf, write_pdf
from station.reports.text import fmt

from . import report_fixture

ROOT = Path(__file__).resolve().parent.parent
DATA = report_fixture.load()
EXPECTED = DATA["expected"]


IDS: dict[str, str] = {}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report_pdf") / "data"
    with Station.open(folder) as st:
        IDS.update(report_fixture.build(st, DATA))
    return folder


@pytest.fixture(scope="module")
def october(data_dir: Path) -> tuple[Report, bytes]:
    with Station.open(data_dir) as st:
        report = st.reports.build_report("2026-10")
    return report, render_pdf(report)


def flat(pdf: bytes) -> str:
    """All text, whitespace removed, so a row matches however its cells wrapped."""
    return re.sub(r"\s+", "", "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages))


def shown(kind: str, value: Any) -> str:
    """A fixture value as the PDF prints it (the fixture's own numbers, not the report's)."""
    if kind == "int" and value is not None:
        value = int(value)
    return re.sub(r"\s+", "", cjk_punctuation(fmt(kind, value)))


def test_every_row_of_the_fixture_is_printed_cell_by_cell(october: tuple[Report, bytes]) -> None:
    report, pdf = october
    text = flat(pdf)
    checked = 0
    for table_key, rows in EXPECTED["tables"].items():
        table = report.table(table_key)
        assert cjk_punctuation(table.title).replace(" ", "") in text
        assert "".join(cjk_punctuation(c.label) for c in table.columns).replace(" ", "") in text, table_key
        for label, cols in rows.items():
            row = cjk_punctuation(label) + "".join(shown(c.kind, cols[c.key]) for c in table.columns[1:])
            assert row in text, f"{table_key} / {label}: {row} not in the PDF"
            checked += 1
    assert checked == sum(len(r) for r in EXPECTED["tables"].values()) == 46


def test_every_headline_figure_is_printed(october: tuple[Report, bytes]) -> None:
    _report, pdf = october
    text = flat(pdf)
    from station.reports.figures import SUMMARY
    for key, label, kind, _how in SUMMARY:
        value, why = EXPECTED["figures"][key]
        assert cjk_punctuation(label) + shown(kind, value) in text, f"{label}: {value} ({why})"
    assert "调解成功率50.00%" in text and "协议涉及金额（元）25,000.00" in text
    # 咨询 / 顾问 / 满意度 headline figures live in the totals and rows of their tables
    assert f"合计{EXPECTED['figures']['consultations.total'][0]}100.00%" in text
    visits, hours = EXPECTED["figures"]["visits.count"][0], EXPECTED["figures"]["visits.hours"][0]
    assert "按服务方式服务方式次数时长（小时）" in text and f"合计{visits}{hours:g}满意度" in text
    assert f"法治宣传教育{EXPECTED['figures']['visits.education_sessions'][0]}65" in text  # 2 sessions, 65 attendees
    assert text.count("75.00%") >= 1 and "人民调解回访" in text  # satisfaction rates


def test_title_period_scope_page_numbers_and_generation_time(october: tuple[Report, bytes]) -> None:
    report, pdf = october
    reader = PdfReader(io.BytesIO(pdf))
    first = re.sub(r"\s+", "", reader.pages[0].extract_text())
    assert "临涣镇司法所2026年10月工作统计统计期间" in first  # the title, then the period line
    assert "统计期间：2026年10月（2026-10-01至2026-10-31）" in first and "范围：临涣镇司法所" in first
    local = (dt.datetime.fromisoformat(report.generated_at) + dt.timedelta(hours=8)).strftime("%Y-%m-%d%H:%M")
    assert f"生成时间：{local}" in first
    assert len(reader.pages) >= 3
    for n, page in enumerate(reader.pages, 1):
        assert f"—{n}—" in re.sub(r"\s+", "", page.extract_text()), n
    assert reader.metadata.title == report.title
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height  # landscape, like the 台账


def _fonts(pdf: bytes) -> list[tuple[str, bool]]:
    out = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            desc = font["/DescendantFonts"][0].get_object()["/FontDescriptor"] if "/DescendantFonts" in font \
                else font.get("/FontDescriptor", {})
            out.append((str(font["/BaseFont"]), "/FontFile2" in desc))
    return out


def test_fonts_are_embedded_subsets_of_the_shipped_faces(october: tuple[Report, bytes]) -> None:
    used = _fonts(october[1])
    assert used
    for name, embedded in used:
        assert embedded, name
        assert re.fullmatch(r"/[A-Z]{6}\+(UMingCN|UKaiCN|WenQuanYiMicroHei|HanaMinA|HanaMinB)(-\d+)?", name), name


def test_same_report_same_bytes(october: tuple[Report, bytes]) -> None:
    report, pdf = october
    assert render_pdf(report) == pdf
    assert render_pdf(Report.from_dict(report.to_dict())) == pdf  # a closure snapshot reprints identically


def test_same_data_same_bytes(data_dir: Path, october: tuple[Report, bytes]) -> None:
    report, pdf = october
    with Station.open(data_dir) as st:
        again = st.reports.build_report("2026-10")
    again.generated_at = report.generated_at  # the one thing that differs between two runs
    assert render_pdf(again) == pdf


def test_numbers_never_wrap_and_tables_fit_the_page(october: tuple[Report, bytes]) -> None:
    report, _ = october
    from station.printing import fonts
    from station.printing.fonts import HEI
    for table in report.tables:
        body = [[fmt(table.kind_of(i, j), v) for j, v in enumerate(r)] for i, r in enumerate(table.rows)]
        widths = column_widths(table, body)
        assert sum(widths) <= 257.01, table.key
        for j, col in enumerate(table.columns):
            if col.kind == "text":
                continue
            widest = max(fonts.width(r[j], HEI, 10.5) for r in body) / 2.8346
            assert widths[j] * 1.0 >= widest + 8 / 2.8346, (table.key, col.key)


def test_corrections_are_flagged(data_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(data_dir, folder)
    with Station.open(folder) as st:
        st.reports.close_period("2026-10", today=dt.date(2026, 11, 1))
        time.sleep(1.05)  # whole-second timestamps: the edit must be later than the closure
        st.mediation.update_case(IDS["K3"], {"is_difficult": True})
        report = st.reports.build_report("2026-10")
    assert len(report.corrections) == 1 and report.closure
    text = flat(render_pdf(report))
    assert f"【更正】已报送期间（2026-10）有{len(report.corrections)}条记录在报送后被修改" in text
    assert "更正记录（已报送期间报送后修改的记录）" in text and "本期已于" in text


def test_cli_writes_a_pdf(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "十月.pdf"
    r = subprocess.run([sys.executable, "-m", "station.cli", "--data-dir", str(data_dir), "report", "--period",
                        "2026-10", "--format", "pdf", "-o", str(out)], check=False, cwd=ROOT, capture_output=True, text=True,
                       env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "已导出" in r.stderr and not out.with_name(out.name + ".part").exists()
    pdf = out.read_bytes()
    assert pdf.startswith(b"%PDF") and "调解成功率50.00%" in flat(pdf)


def test_write_pdf_leaves_no_partial_file(october: tuple[Report, bytes], tmp_path: Path) -> None:
    path = write_pdf(october[0], tmp_path / "r.pdf")
    assert path.read_bytes() == october[1] and list(tmp_path.iterdir()) == [path]
