"""Plain-text rendering of a :class:`Report` for the terminal (``station report``)."""
from __future__ import annotations

from typing import Any

from .model import Report, Table
from .xlsx import display_width


def fmt(kind: str, value: Any) -> str:
    if value is None:
        return "—"
    if kind == "percent":
        return f"{value:.2%}"
    if kind == "money":
        return f"{value:,.2f}"
    if kind == "hours":
        return f"{value:g}"
    return str(value)


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * max(0, width - display_width(text))
    return gap + text if right else text + gap


def render_table(table: Table) -> str:
    head = [c.label for c in table.columns]
    body = [[fmt(table.kind_of(i, j), v) for j, v in enumerate(row)] for i, row in enumerate(table.rows)]
    widths = [max(display_width(x) for x in col) for col in zip(head, *body)]
    numeric = [c.kind not in ("text",) for c in table.columns]
    lines = [f"【{table.title}】", "  ".join(_pad(h, w, False) for h, w in zip(head, widths))]
    for row in body:
        lines.append("  ".join(_pad(v, w, n) for v, w, n in zip(row, widths, numeric)))
    if table.note:
        lines.append(f"说明：{table.note}")
    return "\n".join(lines)


def render(report: Report) -> str:
    parts = [report.title,
             f"统计期间：{report.period['label']}（{report.period['start']} 至 {report.period['end']}）  "
             f"范围：{report.scope['label']}"]
    if report.closure:
        parts.append(f"本期已于 {report.closure['closed_at']}（UTC）报送")
    if report.corrections:
        parts.append(f"注意：有{len(report.corrections)}条已报送期间的记录在报送后被修改（见“更正记录”）")
    parts += [render_table(t) for t in report.tables]
    return "\n\n".join(parts) + "\n"
