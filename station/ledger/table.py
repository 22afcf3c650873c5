"""Reading a ledger sheet: find the header (title rows above it, headers merged over two rows),
guess the kind and the column→field mapping, and yield the data rows with their sheet row numbers.

Sheets are read with openpyxl's read-only mode. There merged cells carry their value in the
top-left cell only, so a two-row header is rebuilt from its shape: an empty upper cell over a
filled lower cell belongs to the group header on its left (申请人 over 姓名/身份证号/电话), and a
filled upper cell over an empty lower one is a header merged downwards (受理日期).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from openpyxl import load_workbook  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

from .fields import FIELDS, KINDS, TITLE_WORDS, guess_field
from .values import clean

HEADER_SCAN_ROWS = 15
_FOOTER_WORDS = ("合计", "总计", "小计", "制表", "填表", "审核", "负责人", "备注：", "注：", "说明：")


@dataclass
class Column:
    index: int  # 0-based
    header: str  # as shown, "申请人/身份证号" for a two-row header
    field: str | None = None

    @property
    def letter(self) -> str:
        return get_column_letter(self.index + 1)


@dataclass
class Sheet:
    """A ledger sheet as understood: its kind, header rows and columns (with guessed fields)."""

    name: str
    kind: str | None
    title: str
    header_rows: tuple[int, ...]  # 1-based sheet row numbers
    columns: list[Column] = field(default_factory=list)
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)  # (sheet row number, cell values)

    def mapping(self) -> dict[str, Column]:
        return {c.field: c for c in self.columns if c.field}


def list_sheets(path: str | Path) -> list[str]:
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def _headers(top: list[Any], below: list[Any] | None) -> list[tuple[str, str]]:
    """(group, header) per column for a one- or two-row header."""
    width = max(len(top), len(below or []))
    top_t = [clean(top[i]) if i < len(top) else "" for i in range(width)]
    if below is None:
        return [("", t) for t in top_t]
    low_t = [clean(below[i]) if i < len(below) else "" for i in range(width)]
    out: list[tuple[str, str]] = []
    group = ""
    for t, b in zip(top_t, low_t):
        if t and b:
            group = t
            out.append((t, b))
        elif t:
            group = ""
            out.append(("", t))
        elif b:
            out.append((group, b))
        else:
            group = ""
            out.append(("", ""))
    return out


def _score(kind: str, headers: list[tuple[str, str]]) -> int:
    fields = {guess_field(kind, h, g) for g, h in headers if h or g}
    fields.discard(None)
    return len(fields)


def _best_kind(headers: list[tuple[str, str]], title: str, sheet_name: str) -> tuple[str | None, int]:
    scores = {k: _score(k, headers) for k in KINDS}
    for k, words in TITLE_WORDS.items():
        if any(w in title or w in sheet_name for w in words):
            scores[k] += 3
    kind = max(scores, key=lambda k: scores[k])
    return (kind if scores[kind] >= 3 else None), scores[kind]


def read_sheet(path: str | Path, sheet: str | None = None, kind: str | None = None) -> Sheet:
    """Read one sheet (the first one if ``sheet`` is None)."""
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb[sheet] if sheet else wb.worksheets[0]
        return _read(ws, kind)
    finally:
        wb.close()


def read_all(path: str | Path, kind: str | None = None) -> list[Sheet]:
    """Every sheet with a recognisable ledger header (a workbook often holds one sheet a year)."""
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        sheets = [_read(ws, kind) for ws in wb.worksheets]
    finally:
        wb.close()
    return [s for s in sheets if s.kind and s.columns]


def _read(ws: Any, kind: str | None) -> Sheet:
    if not hasattr(ws, "iter_rows"):  # a chart sheet
        return Sheet(ws.title, None, "", ())
    if hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()  # some programs write a wrong <dimension>; read every row there is
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    head = rows[:HEADER_SCAN_ROWS]
    best: tuple[int, int, list[tuple[str, str]], bool] | None = None  # score, row index, headers, two rows
    for i, row in enumerate(head):
        if sum(1 for v in row if clean(v)) < 2:
            continue
        for two in (False, True):
            if two and i + 1 >= len(rows):
                continue
            headers = _headers(row, rows[i + 1] if two else None)
            title = " ".join(clean(v) for r in head[:i] for v in r if clean(v))
            k = kind or _best_kind(headers, title, ws.title)[0]
            if k is None:
                continue
            score = _score(k, headers)
            if best is None or score > best[0]:
                best = (score, i, headers, two)
    if best is None or best[0] < 3:
        return Sheet(ws.title, None, "", ())
    _, i, headers, two = best
    title = " ".join(clean(v) for r in rows[:i] for v in r if clean(v))
    k = kind or _best_kind(headers, title, ws.title)[0]
    assert k is not None
    columns = _columns(k, headers)
    first_data = i + (2 if two else 1)
    data = []
    for n, row in enumerate(rows[first_data:], start=first_data + 1):
        texts = [clean(v) for v in row]
        filled = [t for t in texts if t]
        if not filled:
            continue
        if filled[0].startswith(_FOOTER_WORDS) and len(filled) <= 3:
            continue  # 合计 / 制表人 / 注 lines under the table
        data.append((n, row))
    header_rows = (i + 1, i + 2) if two else (i + 1,)
    return Sheet(ws.title, k, title, header_rows, columns, data)


def _columns(kind: str, headers: list[tuple[str, str]]) -> list[Column]:
    out: list[Column] = []
    taken: set[str] = set()
    for idx, (g, h) in enumerate(headers):
        if not (g or h):
            continue
        shown = f"{g}/{h}" if g and h else (h or g)
        f = guess_field(kind, h, g)
        if f == "dispute_type" and f in taken:
            f = "title"  # 案由 beside 纠纷类型 names the dispute
        if f in taken or (f and f.startswith("_")):
            f = None
        if f:
            taken.add(f)
        out.append(Column(idx, shown, f))
    return out


def kind_label(kind: str) -> str:
    return KINDS[kind]


def known_field(kind: str, name: str) -> bool:
    from .fields import all_fields
    return name in all_fields(kind)


def fields_of(kind: str) -> dict[str, str]:
    return {f: label for f, (label, _) in FIELDS[kind].items() if not f.startswith("_")}


def iter_cells(sheet: Sheet, row: list[Any]) -> Iterator[tuple[Column, Any]]:
    for c in sheet.columns:
        yield c, (row[c.index] if c.index < len(row) else None)
