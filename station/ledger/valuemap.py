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
