"""The coded columns of a ledger (调解结果, 纠纷类型, 接待方式…): which values a sheet holds and how
the import will read each, so a user can map the ones it cannot read (or reads otherwise than meant)
before importing. The targets offered are values the import's own parsers accept, so a mapping
chosen here goes straight into ``import_ledger(value_maps=...)``.
"""
from __future__ import annotations

from typing import Any, Callable

from .. import codes
from . import values as V
from .fields import field_label
from .table import Sheet

OPEN_CASE = "调解中"  # read by values.outcome as "no outcome yet"

#: code tables by the key the GUI's reference data and this module share
Names = dict[str, dict[str, str]]  # {"dispute_type": code→name, "consultation_category": code→name}


def _sub(field: str) -> str:
    return field.split(".", 1)[1] if "." in field else field


def is_coded(field: str) -> bool:
    return _sub(field) in ("outcome", "dispute_type", "category_code", "channel", "handling", "mode",
                           "service_types", "satisfaction", "gender")


def choices(field: str, names: Names) -> dict[str, str]:
    """Values a raw ledger value can be mapped to: text the import accepts → label shown."""
    sub = _sub(field)
    if sub == "outcome":
        return {**codes.OUTCOMES, "refused": "不予受理", OPEN_CASE: "调解中（未结案）"}
    if sub == "dispute_type":
        return dict(names.get("dispute_type", {}))
    if sub == "category_code":
        return dict(names.get("consultation_category", {}))
    if sub == "channel":
        return dict(codes.CHANNELS)
    if sub == "satisfaction":
        return dict(codes.SATISFACTION)
    table = {"handling": codes.HANDLINGS, "mode": codes.VISIT_MODES, "service_types": codes.SERVICE_TYPES,
             "gender": {"男": "男", "女": "女"}}.get(sub, {})
    return {label: label for label in table.values()}


def read_as(field: str, raw: Any, names: Names) -> str:
    """The label the import reads ``raw`` as; :class:`values.Unclear` if it cannot."""
    sub = _sub(field)
    disputes, categories = names.get("dispute_type", {}), names.get("consultation_category", {})
    readers: dict[str, Callable[[Any], str]] = {
        "outcome": lambda v: _outcome_label(V.outcome(v)),
        "dispute_type": lambda v: _named(V.dispute_type(v, disputes), disputes),
        "category_code": lambda v: _named(V.consultation_category(v, categories), categories),
        "channel": lambda v: codes.CHANNELS[V.channel(v)],
        "handling": lambda v: codes.HANDLINGS[V.handling(v)],
        "mode": lambda v: codes.VISIT_MODES[V.visit_mode(v)],
        "service_types": lambda v: "、".join(codes.SERVICE_TYPES[c] for c in V.service_types(v)),
        "satisfaction": lambda v: codes.SATISFACTION[V.match_label(str(v), codes.SATISFACTION, what="满意度")],
        "gender": V.gender,
    }
    return readers[sub](raw)


def _named(code: str, table: dict[str, str]) -> str:
    return table.get(code, code)


def _outcome_label(code: str | None) -> str:
    if code is None:
        return "调解中（未结案）"
    return codes.OUTCOMES.get(code) or {"refused": "不予受理"}.get(code, code)


def coded_columns(sheet: Sheet, names: Names, limit: int = 60) -> list[dict[str, Any]]:
    """Per mapped coded column: its distinct values (first ``limit``), how many rows hold each,
    and how the import reads it (``reads_as``) or why it cannot (``problem``)."""
    assert sheet.kind is not None
    out: list[dict[str, Any]] = []
    for col in sheet.columns:
        if not col.field or not is_coded(col.field):
            continue
        counts: dict[str, int] = {}
        for _n, row in sheet.rows:
            raw = V.clean(row[col.index] if col.index < len(row) else None)
            if raw:
                counts[raw] = counts.get(raw, 0) + 1
        found: list[dict[str, Any]] = []
        for raw, n in list(counts.items())[:limit]:
            try:
                found.append({"raw": raw, "rows": n, "reads_as": read_as(col.field, raw, names), "problem": None})
            except V.Unclear as e:
                found.append({"raw": raw, "rows": n, "reads_as": None, "problem": str(e)})
        out.append({"field": col.field, "field_label": field_label(sheet.kind, col.field), "column": col.letter,
                    "header": col.header, "values": found})
    return out


_DATES = ("accepted_on", "applied_on", "outcome_on", "visit_date")
_NUMBERS = ("amount", "hours", "attendees", "people_involved")


def preview_read(sheet: Sheet, names: Names, value_maps: dict[str, dict[str, str]] | None = None,
                 limit: int = 20, *, reveal: bool = False) -> list[dict[str, Any]]:
    """The first rows as the import will read them: dates as dates, coded values as what they map to,
    with what cannot be read marked (``problem``). Names, ID numbers, phones and addresses are
    masked unless ``reveal``. (The services' own checks, such as an ID number's check digit, are
    left to the dry run.)"""
    from ..masking import mask_address, mask_id, mask_name, mask_phone

    masks: dict[str, Callable[[str], str]] = {"name": mask_name, "id_number": mask_id, "phone": mask_phone,
                                              "address": mask_address}
    out: list[dict[str, Any]] = []
    for number, row in sheet.rows[:limit]:
        cells: dict[str, dict[str, Any]] = {}
        for col in sheet.columns:
            if not col.field:
                continue
            raw = row[col.index] if col.index < len(row) else None
            mapped = (value_maps or {}).get(col.field, {}).get(V.clean(raw))
            if mapped is not None:
                raw = mapped
            sub = _sub(col.field)
            problem = None
            try:
                text = _read_cell(col.field, sub, raw, names)
            except V.Unclear as e:
                text, problem = V.clean(raw), str(e)
            if text and not reveal and "." in col.field and sub in masks:
                text = masks[sub](text)
            cells[col.field] = {"text": text, "problem": problem}
        out.append({"row": number, "cells": cells})
    return out


def _read_cell(field: str, sub: str, raw: Any, names: Names) -> str:
    if raw is None or V.clean(raw) == "":
        return ""
    if sub in _DATES:
        day = V.parse_date(raw)
        return day.isoformat() if day else ""
    if sub == "occurred_at":
        when = V.parse_datetime(raw)
        return "" if when is None else when.strftime("%Y-%m-%d %H:%M" if when.time() else "%Y-%m-%d")
    if sub in ("start_time", "end_time"):
        t = V.parse_time(raw)
        return t.strftime("%H:%M") if t else ""
    if sub in _NUMBERS:
        n = V.parse_number(raw)
        return "" if n is None else f"{n:g}"
    if sub == "id_number":
        return V.parse_id_number(raw)
    if sub == "name":
        from ..validation import normalise_name
        return normalise_name(V.clean(raw))
    if is_coded(field):
        return read_as(field, raw, names)
    return V.clean(raw)
