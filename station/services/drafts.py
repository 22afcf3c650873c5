"""Form drafts: what a clerk has typed but not saved yet survives a crash or a kill.

A draft is keyed by form (and the record uid when editing). :func:`submit` runs
the real save and deletes the draft in the same transaction, so a saved record
never leaves a stale draft behind and a failed save never loses one.
"""
from __future__ import annotations

import datetime as dt
import importlib
from typing import Any, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import ValidationError
from ..models import Draft
from ..security import permissions as perms
from .base import reads, writes


def _row(d: Draft) -> dict[str, Any]:
    return {"key": d.key, "form": d.form, "record_uid": d.record_uid, "data": d.data,
            "updated_at": d.updated_at.isoformat(sep=" ", timespec="seconds")}


@writes
def save_draft(session: Session, key: str, form: str, data: Mapping[str, Any],
               record_uid: str | None = None) -> None:
    """Create or replace the draft for ``key`` (called on every pause in typing)."""
    row = session.get(Draft, key) or Draft(key=key)
    row.form, row.record_uid, row.data = form, record_uid, dict(data)
    row.updated_at = dt.datetime.now().replace(microsecond=0)
    session.add(row)


@reads
def load_draft(session: Session, key: str) -> dict[str, Any] | None:
    row = session.get(Draft, key)
    return _row(row) if row else None


def discard(session: Session, key: str) -> bool:
    row = session.get(Draft, key)
    if row is None:
        return False
    session.delete(row)
    return True


@writes
def discard_draft(session: Session, key: str) -> bool:
    return discard(session, key)


@reads
def list_drafts(session: Session) -> list[dict[str, Any]]:
    return [_row(d) for d in session.scalars(select(Draft).order_by(Draft.updated_at.desc()))]


@writes
def submit(session: Session, key: str, service: str, name: str, *args: Any, **kwargs: Any) -> Any:
    """Run write service ``station.services.<service>.<name>`` and discard draft ``key``, atomically."""
    module = importlib.import_module(f"{__package__}.{service}")
    fn = getattr(module, name, None)
    if fn is None or getattr(fn, "_station_writes", None) is not True:
        raise ValidationError.single("service", "操作", f"不是可保存的操作：{service}.{name}")
    perms.require(session.info.get("perms"), perms.needed(fn, module, args, kwargs))  # the inner call's own check
    result = fn(session, *args, **kwargs)
    discard(session, key)
    return result
