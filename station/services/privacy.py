"""Accountable reveals of masked personal data (ID numbers, phones)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Person, RevealEntry, Staff
from ..security import audit, permissions as perms
from .base import load, reads, writes

REVEALABLE = {"id_number", "phone", "address"}  # masked on screen, shown on request


@writes(perm=perms.PEOPLE)
def reveal_person_field(session: Session, person_uid: str, field: str) -> str:
    """Log who revealed which field of whom, then return the raw value."""
    if field not in REVEALABLE:
        raise ValueError(f"field {field!r} is not revealable")
    person = load(session, Person, person_uid)
    actor = session.info.get("actor_uid")
    staff = session.get(Staff, actor) if actor else None
    session.add(RevealEntry(revealed_at=dt.datetime.now().replace(microsecond=0), actor_uid=actor,
                            actor_name=staff.name if staff else "", record_kind="person",
                            record_uid=person_uid, field=field))
    audit.audit(session, "reveal", kind="person", uid=person_uid, version=person.version, detail={"field": field})
    return str(getattr(person, field) or "")


@reads
def list_reveals(session: Session, record_uid: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    q = select(RevealEntry).order_by(RevealEntry.id.desc()).limit(limit)
    if record_uid:
        q = q.where(RevealEntry.record_uid == record_uid)
    return [{"revealed_at": r.revealed_at.isoformat(sep=" "), "actor_uid": r.actor_uid,
             "actor_name": r.actor_name, "record_kind": r.record_kind, "record_uid": r.record_uid,
             "field": r.field} for r in session.scalars(q)]
