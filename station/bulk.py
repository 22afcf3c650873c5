"""Bulk writes that bypass the ORM unit of work but keep its guarantees.

Used by import and demo data: rows go in with one ``executemany`` per table,
and the same transaction appends their outbox entries and search-index rows
(:func:`station.db.tracking.emit_changes`), exactly as an ORM write would.
Values are converted to SQLite storage form here, in the same formats
SQLAlchemy's SQLite types use, so rows written either way read back the same.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any, Callable, Iterable

from sqlalchemy import JSON, Boolean, Date, DateTime, Time, inspect
from sqlalchemy.orm import Session

from .db.base import Synced
from .db.tracking import emit_changes


def _dt_db(v: dt.datetime) -> str:
    return v.strftime("%Y-%m-%d %H:%M:%S.%f")


def _time_db(v: dt.time) -> str:
    return v.strftime("%H:%M:%S.%f")


def _iso(v: Any) -> Any:
    return v.isoformat(sep=" ") if isinstance(v, dt.datetime) else v.isoformat()


_Codec = tuple[list[str], list[Callable[[Any], Any] | None], list[Callable[[Any], Any] | None]]
_CODECS: dict[str, _Codec] = {}


def _codec(model: type[Synced]) -> _Codec:
    """Column keys, their converters to SQLite storage, and to record-dict (export) form."""
    if model.KIND in _CODECS:
        return _CODECS[model.KIND]
    keys: list[str] = []
    to_db: list[Callable[[Any], Any] | None] = []
    to_rec: list[Callable[[Any], Any] | None] = []
    for attr in inspect(model).column_attrs:
        t = attr.columns[0].type
        keys.append(attr.key)
        if isinstance(t, DateTime):
            to_db.append(_dt_db)
            to_rec.append(_iso)
        elif isinstance(t, Date):
            to_db.append(dt.date.isoformat)
            to_rec.append(_iso)
        elif isinstance(t, Time):
            to_db.append(_time_db)
            to_rec.append(_iso)
        elif isinstance(t, JSON):
            to_db.append(json.dumps)
            to_rec.append(None)
        elif isinstance(t, Boolean):
            to_db.append(int)
            to_rec.append(None)
        else:
            to_db.append(None)
            to_rec.append(None)
    _CODECS[model.KIND] = (keys, to_db, to_rec)
    return _CODECS[model.KIND]


def encode_row(model: type[Synced], row: dict[str, Any]) -> dict[str, Any]:
    """The record dict (as :func:`station.records.to_dict` makes it) of a column-value row."""
    keys, _, to_rec = _codec(model)
    out: dict[str, Any] = {"_kind": model.KIND}
    for key, conv in zip(keys, to_rec):
        v = row.get(key)
        out[key] = conv(v) if conv is not None and v is not None else v
    return out


def insert_records(session: Session, model: type[Synced], rows: Iterable[dict[str, Any]], *,
                   base_versions: Iterable[int] | None = None) -> int:
    """Insert complete rows (all sync columns set) and their outbox/search entries."""
    rows = list(rows)
    if not rows:
        return 0
    keys, to_db, _ = _codec(model)
    convert = [(i, c) for i, c in enumerate(to_db) if c is not None]
    params = []
    for r in rows:
        values = [r.get(k) for k in keys]
        for i, conv in convert:
            if values[i] is not None:
                values[i] = conv(values[i])
        params.append(tuple(values))
    cols = ", ".join(f'"{k}"' for k in keys)
    session.connection().exec_driver_sql(
        f"INSERT INTO {model.__tablename__} ({cols}) VALUES ({', '.join('?' * len(keys))})", params)
    bases = list(base_versions) if base_versions is not None else [r["version"] - 1 for r in rows]
    emit_changes(session, ((encode_row(model, r), b) for r, b in zip(rows, bases)), fresh=True)
    return len(rows)
