"""Bulk writes that bypass the ORM unit of work but keep its guarantees.

Used by import and demo data: rows go in with one ``executemany`` per table,
and the same transaction appends their outbox entries and search-index rows
(:func:`station.db.tracking.emit_changes`), exactly as an ORM write would.
"""
from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import insert
from sqlalchemy.orm import Session

from .db.base import Synced
from .db.tracking import emit_changes
from .records import _encode, columns


def encode_row(model: type[Synced], row: dict[str, Any]) -> dict[str, Any]:
    """The record dict (as :func:`station.records.to_dict` makes it) of a column-value row."""
    out: dict[str, Any] = {"_kind": model.KIND}
    for key in columns(model):
        out[key] = _encode(row.get(key))
    return out


def insert_records(session: Session, model: type[Synced], rows: Iterable[dict[str, Any]], *,
                   base_versions: Iterable[int] | None = None) -> int:
    """Insert complete rows (all sync columns set) and their outbox/search entries."""
    rows = list(rows)
    if not rows:
        return 0
    session.execute(insert(model), rows)
    bases = list(base_versions) if base_versions is not None else [r["version"] - 1 for r in rows]
    emit_changes(session, ((encode_row(model, r), b) for r, b in zip(rows, bases)))
    return len(rows)
