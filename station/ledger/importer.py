"""Import an Excel ledger: every row in one transaction, or nothing.

A dry run does the very same work inside the transaction and rolls it back, so what it
reports is exactly what the import would meet — including the services' own checks —
and nothing is written. Each row runs in a savepoint so that one bad row cannot hide
the problems of the rows after it. Rows already imported (same kind and key fields, see
:mod:`station.models.ledger_import`) are skipped, so importing the same ledger again
creates nothing new.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from sqlalchemy.orm import Session

from .. import codes
from ..errors import UsageError
from ..models import LedgerImport
from . import kinds
from .context import Row, RowFailed
from .fields import all_fields, field_label, norm_header
from .problems import ImportReport, Problem
from .table import Sheet, list_sheets, read_all, read_sheet

if TYPE_CHECKING:
    from ..station import Station


class _RollBack(Exception):
    pass


def read_ledger(path: str | Path, sheet: str | None = None, kind: str | None = None,
                overrides: dict[str, str] | None = None) -> list[Sheet]:
    """The sheets to import with their columns mapped (guessed, then ``overrides`` COL → field).

    ``overrides`` keys are column letters or header texts; a value of ``""`` or ``"-"`` unmaps.
    """
    path = Path(path)
    if kind is not None and kind not in kinds_available():
        raise UsageError(f"未知的台账类型：{kind}（可选：{', '.join(kinds_available())}）")
    if sheet is not None:
        if sheet not in list_sheets(path):
            raise UsageError(f"工作表不存在：{sheet}（有：{'、'.join(list_sheets(path))}）")
        sheets = [read_sheet(path, sheet, kind)]
        if sheets[0].kind is None:
            raise UsageError(f"工作表“{sheet}”中找不到台账表头（请用 --kind 指明台账类型）")
    else:
        sheets = read_all(path, kind)
        if not sheets:
            raise UsageError("文件中没有找到可识别的台账表头（请用 --sheet 和 --kind 指明）")
    for s in sheets:
        _apply_overrides(s, overrides or {})
    return sheets


def kinds_available() -> list[str]:
    return ["case", "consultation", "visit"]


def _apply_overrides(sheet: Sheet, overrides: dict[str, str]) -> None:
    assert sheet.kind is not None
    allowed = all_fields(sheet.kind)
    for key, field in overrides.items():
        col = next((c for c in sheet.columns if c.letter == key.upper() or norm_header(c.header) == norm_header(key)
                    or norm_header(c.header.split("/")[-1]) == norm_header(key)), None)
        if col is None:
            raise UsageError(f"--map：工作表“{sheet.name}”中没有列“{key}”")
        field = field.strip()
        if field in ("", "-"):
            col.field = None
            continue
        if field not in allowed:
            raise UsageError(f"--map：未知字段“{field}”（可选：{', '.join(allowed)}）")
        for other in sheet.columns:
            if other.field == field:
                other.field = None
        col.field = field


def describe(sheet: Sheet) -> dict[str, object]:
    """Sheet summary for the CLI and the GUI preview: kind, header rows, column → field."""
    assert sheet.kind is not None
    return {"sheet": sheet.name, "kind": sheet.kind, "title": sheet.title, "header_rows": list(sheet.header_rows),
            "rows": len(sheet.rows),
            "columns": [{"column": c.letter, "header": c.header, "field": c.field,
                         "field_label": field_label(sheet.kind, c.field) if c.field else None}
                        for c in sheet.columns]}


def fingerprint(kind: str, key: list[str]) -> str:
    return hashlib.sha256(json.dumps([kind, key], ensure_ascii=False).encode()).hexdigest()


_KEYS: dict[str, Callable[[Row], list[str]]] = {"case": kinds.key_case, "consultation": kinds.key_consultation,
                                                "visit": kinds.key_visit}


def import_ledger(st: "Station", path: str | Path, *, sheet: str | None = None, kind: str | None = None,
                  overrides: dict[str, str] | None = None, dry_run: bool = False,
                  default_mediator: str | None = None,
                  value_maps: dict[str, dict[str, str]] | None = None,
                  progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Import (or with ``dry_run`` only check) a ledger. Nothing is written unless every row is understood.

    ``value_maps``: the user's mapping of values the ledger writes its own way, per field
    (``{"outcome": {"好了": "调解成功"}, "dispute_type": {"宅基地": "03"}}``), applied before reading.
    ``progress(done, total)`` is called as rows are worked through (from the calling thread).
    """
    sheets = read_ledger(path, sheet, kind, overrides)
    report = ImportReport(str(path), dry_run, [describe(s) for s in sheets])
    total = sum(len(s.rows) for s in sheets)
    done = [0]

    def step() -> None:
        done[0] += 1
        if progress is not None:
            progress(done[0], total)
    try:
        with st.write() as session:
            for s in sheets:
                _import_sheet(session, s, report, Path(path).name, default_mediator, value_maps or {}, step)
            report.committed = not dry_run and not report.errors
            if not report.committed:
                raise _RollBack()
            from ..security.audit import audit
            audit(session, "import", detail={"format": "xlsx", **report.created,
                                             "skipped": report.skipped})
    except _RollBack:
        pass
    return report


def _import_sheet(session: Session, sheet: Sheet, report: ImportReport, source: str,
                  default_mediator: str | None, value_maps: dict[str, dict[str, str]],
                  step: Callable[[], None] = lambda: None) -> None:
    assert sheet.kind is not None
    required = {"case": ["dispute_type", "applicant.name"], "consultation": ["question", "person.name"],
                "visit": ["content", "visit_date"]}[sheet.kind]
    mapped = sheet.mapping()
    for f in required:
        if f not in mapped:
            report.problems.append(Problem(sheet.name, None, None, field_label(sheet.kind, f),
                                           "找不到这一列（请用 --map 列=字段 指定）"))
    if any(f not in mapped for f in required):
        return
    for c in sheet.columns:
        if c.field is None and c.header:
            report.problems.append(Problem(sheet.name, None, c.letter, c.header, "未对应到任何字段，该列不导入",
                                           "warning"))
    names = kinds.code_names(session, codes.DISPUTE_TYPE if sheet.kind == "case" else codes.CONSULTATION_CATEGORY)
    seen: dict[str, int] = {}
    for number, values in sheet.rows:
        step()
        row = Row(sheet, number, values, report, value_maps)
        fp = fingerprint(sheet.kind, _KEYS[sheet.kind](row))
        if fp in seen:
            row.problem(None, f"与第{seen[fp]}行内容相同，只导入一次", "warning", header="重复行")
            continue
        seen[fp] = number
        if session.get(LedgerImport, fp) is not None:
            report.skipped += 1
            continue
        try:
            with session.begin_nested():
                if sheet.kind == "case":
                    uid = kinds.import_case(session, row, names, default_mediator)
                elif sheet.kind == "consultation":
                    uid = kinds.import_consultation(session, row, names)
                else:
                    uid = kinds.import_visit(session, row)
                row.check()
                session.add(LedgerImport(fingerprint=fp, kind=sheet.kind, record_uid=uid, source=source[:260],
                                         sheet=sheet.name[:100], row=number,
                                         imported_at=dt.datetime.now().replace(microsecond=0)))
                session.flush()
        except RowFailed:
            continue
        row.count(sheet.kind)
        for k, n in row.created.items():
            report.count(k, n)
        report.reused_persons += row.reused


def preview(sheet: Sheet, limit: int = 20, *, reveal: bool = False) -> list[dict[str, object]]:
    """The first rows as the import will read them (cleaned text per mapped field), for a preview
    table; names, ID numbers, phones and addresses masked unless ``reveal``."""
    from ..masking import mask_address, mask_id, mask_name, mask_phone
    from .values import clean

    masks = {"name": mask_name, "id_number": mask_id, "phone": mask_phone, "address": mask_address}
    out: list[dict[str, object]] = []
    for number, values in sheet.rows[:limit]:
        cells: dict[str, str] = {}
        for c in sheet.columns:
            if not c.field:
                continue
            text = clean(values[c.index] if c.index < len(values) else None)
            sub = c.field.split(".", 1)[1] if "." in c.field else ""
            if text and not reveal and sub in masks:
                text = masks[sub](text)
            cells[c.field] = text
        out.append({"row": number, "cells": cells})
    return out
