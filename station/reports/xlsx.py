"""XLSX export of a :class:`Report`: a sheet per table, real number cells, headers, widths.

Numbers stay numbers (counts as integers, money and hours as decimals, rates as
fractions with a percent format) so the county office can sum and chart them
in a spreadsheet without re-typing.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

from .model import Report, Table

FORMATS = {"int": "0", "money": "#,##0.00", "hours": "0.00", "percent": "0.00%"}
_BOLD = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="DDE4EE")
_THIN = Side(style="thin", color="999999")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def display_width(text: str) -> int:
    """Width in Excel character units: CJK (wide) characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def sheet_title(title: str, taken: set[str]) -> str:
    """Excel sheet names: ≤ 31 chars, none of []:*?/\\ , unique in the workbook."""
    base = re.sub(r"[\[\]:*?/\\]", "", title.replace("：", "-"))[:31] or "表"
    name, n = base, 2
    while name in taken:
        suffix = f"({n})"
        name, n = base[:31 - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name


def _value(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "int":
        return int(value)
    if kind in ("money", "hours", "percent"):
        return float(value)
    return str(value)


def _write_table(ws: Any, report: Report, table: Table) -> None:
    ws.append([report.title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([f"统计期间：{report.period['label']}（{report.period['start']} 至 {report.period['end']}）　"
               f"范围：{report.scope['label']}"])
    ws.append([table.title])
    ws["A3"].font = _BOLD
    header_row = 4
    ws.append([c.label for c in table.columns])
    widths = [display_width(c.label) for c in table.columns]
    for cell in ws[header_row]:
        cell.font, cell.fill, cell.border = _BOLD, _HEAD_FILL, _BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for i, row in enumerate(table.rows):
        cells = []
        for j, v in enumerate(row):
            kind = table.kind_of(i, j)
            cells.append(_value(kind, v))
        ws.append(cells)
        r = ws.max_row
        for j, v in enumerate(row):
            kind = table.kind_of(i, j)
            cell = ws.cell(row=r, column=j + 1)
            cell.border = _BOX
            if kind in FORMATS:
                cell.number_format = FORMATS[kind]
            shown = "" if v is None else (f"{v:.2%}" if kind == "percent" else f"{v:,.2f}" if kind == "money"
                                          else str(v))
            widths[j] = max(widths[j], display_width(shown))
        if table.has_total and i == len(table.rows) - 1:
            for cell in ws[r]:
                cell.font = _BOLD
    if table.note:
        ws.append([])
        ws.append([f"说明：{table.note}"])
    for j, w in enumerate(widths):
        ws.column_dimensions[get_column_letter(j + 1)].width = min(max(w + 2, 8), 60)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=2)


def write_xlsx(report: Report, path: str | Path) -> Path:
    """Write ``report`` to ``path`` (through a temporary file, so a failure leaves no half file)."""
    target = Path(path)
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    for table in report.tables:
        _write_table(wb.create_sheet(sheet_title(table.title, taken)), report, table)
    about = wb.create_sheet(sheet_title("说明", taken))
    about.append(["报表", report.title])
    about.append(["统计期间", f"{report.period['label']}（{report.period['start']} 至 {report.period['end']}）"])
    about.append(["范围", report.scope["label"]])
    about.append(["生成时间(UTC)", report.generated_at])
    if report.closure:
        about.append(["报送时间(UTC)", report.closure["closed_at"]])
    about.append(["更正记录", len(report.corrections)])
    about.append([])
    about.append(["统计口径"])
    for line in report.definitions.splitlines():
        about.append([line])
    about.column_dimensions["A"].width = 16
    about.column_dimensions["B"].width = 60
    tmp = target.with_name(target.name + ".part")
    wb.save(tmp)
    tmp.replace(target)
    return target
