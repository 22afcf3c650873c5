"""PDF of a :class:`Report` in the house style of :mod:`station.printing` (landscape A4, like the 台账).

Title in Song, tables as ruled grids (headers in Song, values in Kai, numbers
right-aligned, 合计 rows in Hei), Chinese line breaking and rare-character
fallback faces from the printing module, page numbers "— n —" and the
generation time at the foot of every page. Rendering is a pure function of the
report: the same :class:`Report` (including its ``generated_at``) always gives
the same bytes, so a closure snapshot reprints identically.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, TableStyle

from ..periods import LOCAL_OFFSET
from ..printing import fonts
from ..printing.fonts import HEI
from ..printing.layout import (
    HEADING,
    PLAIN,
    SMALL,
    SMALL_LABEL,
    TITLE,
    PageInfo,
    TextBlock,
    build,
    gap,
    grid,
)
from .model import Report, Table
from .text import fmt

REPORT_TITLE = replace(TITLE, size=18, leading=30)
SUBTITLE = replace(PLAIN, size=12, leading=20, align="center")
TABLE_TITLE = replace(HEADING, size=12, leading=22)
NOTE = replace(PLAIN, size=10.5, leading=16, align="left")
FLAG = replace(PLAIN, font=HEI, size=11, leading=18, align="left")
CELL_TEXT = SMALL
CELL_NUMBER = replace(SMALL, align="right")
TOTAL_TEXT = replace(SMALL, font=HEI)
TOTAL_NUMBER = replace(CELL_NUMBER, font=HEI)

#: usable width of the landscape page (297 mm − 2 × 20 mm margins, see layout.build)
AVAILABLE_MM = 257.0
PAD_PT = 8.0 + 2.0  # left + right cell padding, plus a little air
MIN_COL_MM = 16.0


def local_time(generated_at: str) -> str:
    """``generated_at`` (UTC, ISO) as China Standard Time, to the minute."""
    try:
        when = dt.datetime.fromisoformat(generated_at) + LOCAL_OFFSET
    except ValueError:
        return generated_at
    return when.strftime("%Y-%m-%d %H:%M")


def _text_width(text: str, style: Any) -> float:
    return max((fonts.width(line, style.font, style.size) for line in text.split("\n")), default=0.0)


def column_widths(table: Table, body: list[list[str]], available_mm: float = AVAILABLE_MM) -> list[float]:
    """Widths in mm: numbers never wrap; text and headers wrap when the table would be too wide."""
    n = len(table.columns)
    natural, least = [], []
    for j, col in enumerate(table.columns):
        cells = [row[j] for row in body]
        text_col = col.kind == "text"
        # measured in the wider of the two faces: the 合计 row is set in Hei
        body_w = max((max(_text_width(c, CELL_TEXT), _text_width(c, TOTAL_TEXT)) for c in cells),
                     default=0.0) + PAD_PT
        head_w = _text_width(col.label, SMALL_LABEL) + PAD_PT
        # a header may wrap after about four characters; a number must not wrap at all
        head_min = min(head_w, 4 * SMALL_LABEL.size + PAD_PT)
        natural.append(max(body_w, head_w) / mm)
        least.append(max(head_min, min(body_w, 30 * mm) if text_col else body_w) / mm)
    widths = [max(w, MIN_COL_MM) for w in natural]
    total = sum(widths)
    if total > available_mm:  # shrink what can wrap, in proportion to its slack
        slack = [w - max(lo, MIN_COL_MM) for w, lo in zip(widths, least)]
        room = sum(slack)
        cut = min(total - available_mm, room)
        if room > 0:
            widths = [w - cut * s / room for w, s in zip(widths, slack)]
    elif total < available_mm and n > 3:  # wide tables fill the page width, so they line up
        extra = (available_mm - total) / n
        widths = [w + extra for w in widths]
    return [round(w, 2) for w in widths]


def _cell(value: str, numeric: bool, total: bool) -> TextBlock:
    style = (TOTAL_NUMBER if numeric else TOTAL_TEXT) if total else (CELL_NUMBER if numeric else CELL_TEXT)
    return TextBlock(value, style)


def table_flowables(table: Table) -> list[Flowable]:
    body = [[fmt(table.kind_of(i, j), v) for j, v in enumerate(row)] for i, row in enumerate(table.rows)]
    widths = column_widths(table, body)
    rows: list[list[Any]] = [[c.label for c in table.columns]]
    for i, row in enumerate(body):
        total = table.has_total and i == len(body) - 1
        rows.append([_cell(v, table.kind_of(i, j) != "text", total) for j, v in enumerate(row)])
    # a table title never ends a page: start a new page unless the title and a few rows fit
    out: list[Flowable] = [CondPageBreak(40 * mm), TextBlock(table.title, TABLE_TITLE)]
    ruled = grid(rows, widths, label_cols=(), header_rows=1, cell=CELL_TEXT, label=SMALL_LABEL)
    ruled.setStyle(TableStyle([("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)]))
    out.append(ruled)
    if table.note:
        out.append(TextBlock(f"说明：{table.note}", NOTE))
    out.append(gap(5))
    return out


def story(report: Report) -> list[Flowable]:
    period, scope = report.period, report.scope
    out: list[Flowable] = [
        TextBlock(report.title, REPORT_TITLE),
        TextBlock(f"统计期间：{period['label']}（{period['start']} 至 {period['end']}）　　范围：{scope['label']}",
                  SUBTITLE),
        TextBlock(f"生成时间：{local_time(report.generated_at)}", SUBTITLE),
    ]
    if report.closure:
        out.append(TextBlock(f"本期已于{local_time(report.closure['closed_at'])}报送（快照随同步上传县级平台）。",
                             SUBTITLE))
    if report.corrections:
        periods = "、".join(dict.fromkeys(c["period"] for c in report.corrections))
        out.append(gap(2))
        out.append(TextBlock(f"【更正】已报送期间（{periods}）有{len(report.corrections)}条记录在报送后被修改，"
                             "本表按修改后的数据统计，明细见文末“更正记录”表。", FLAG))
    out.append(gap(3))
    for table in report.tables:
        out += table_flowables(table)
    return out


def render_pdf(report: Report) -> bytes:
    """The report as PDF bytes (deterministic for the same report)."""
    scope = "" if report.scope["key"] == "station" else f"　{report.scope['label']}"
    info = PageInfo(report.title, header=f"{report.title}{scope}",
                    reference=f"统计报表 {report.period['key']}{scope}　生成时间 {local_time(report.generated_at)}",
                    landscape=True)
    return build(story(report), info)


def write_pdf(report: Report, path: str | Path) -> Path:
    """Write the PDF to ``path`` through a temporary file (a failure leaves no half file)."""
    target = Path(path)
    data = render_pdf(report)
    tmp = target.with_name(target.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(target)
    return target


__all__ = ["column_widths", "render_pdf", "story", "write_pdf"]
