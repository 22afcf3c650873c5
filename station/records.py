"""Records as plain dicts: one serialisation for the outbox, exports, the CLI and the UI.

A record dict holds every column, dates as ISO text, plus ``"_kind"`` (the
record type; some tables have a column of their own called ``kind``). The same
dict is what goes up to the hub and what ``station export`` writes, so an
export can be imported and re-exported byte for byte.
"""
from __future__ import annotations

import datetime as dt
import hashlib

import orjson
from typing import Any

from sqlalchemy import Date, DateTime, Time, inspect

from .db.base import Synced
from .models import SYNCED_MODELS


def columns(model: type[Synced]) -> list[str]:
    return [c.key for c in inspect(model).column_attrs]


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return value


def to_dict(obj: Synced) -> dict[str, Any]:
    """Every column of ``obj`` as JSON-ready values, with ``_kind`` first."""
    out: dict[str, Any] = {"_kind": obj.KIND}
    for key in columns(type(obj)):
        out[key] = _encode(getattr(obj, key))
    return out


def decode(model: type[Synced], data: dict[str, Any]) -> dict[str, Any]:
    """Turn a record dict back into column values (ISO text → dates); unknown keys are dropped."""
    mapper = inspect(model)
    out: dict[str, Any] = {}
    for attr in mapper.column_attrs:
        key = attr.key
        if key not in data:
            continue
        value = data[key]
        coltype = attr.columns[0].type
        if value is not None and isinstance(value, str):
            if isinstance(coltype, DateTime):
                value = dt.datetime.fromisoformat(value)
            elif isinstance(coltype, Date):
                value = dt.date.fromisoformat(value)
            elif isinstance(coltype, Time):
                value = dt.time.fromisoformat(value)
        out[key] = value
    return out


def canonical_json(data: dict[str, Any]) -> str:
    """Stable JSON text: sorted keys, no spaces, real UTF-8 (rare characters stay readable).

    orjson gives the same bytes as ``json.dumps(sort_keys=True, ensure_ascii=False,
    separators=(",", ":"))`` at a fraction of the cost; every write serialises its record.
    """
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode("utf-8")


def hash_text(payload: str) -> str:
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def content_hash(data: dict[str, Any]) -> str:
    return hash_text(canonical_json(data))


def model_for(kind: str) -> type[Synced]:
    try:
        return SYNCED_MODELS[kind]
    except KeyError:
        raise KeyError(f"unknown record kind {kind!r}") from None
