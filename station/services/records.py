"""Generic record access: get by uid or number, list a kind, tombstone-delete."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..db.base import Synced
from ..errors import NotFound, ValidationError
from ..models import SYNCED_MODELS, AdviserVisit, Consultation, MediationCase, Staff
from ..records import to_dict
from .base import Saved, check_version, load, reads, saved, writes
from ..security import permissions as perms

NUMBERED = (Consultation, MediationCase, AdviserVisit)

#: default ordering of each listable kind: newest first
_ORDER = {
    "consultation": Consultation.occurred_at, "case": MediationCase.applied_on,
    "visit": AdviserVisit.visit_date,
}


def model(kind: str) -> type[Synced]:
    try:
        return SYNCED_MODELS[kind]
    except KeyError:
        raise ValidationError.single("kind", "记录类型", f"没有这种记录：“{kind}”（可选：{'、'.join(SYNCED_MODELS)}）")


def find(session: Session, key: str) -> Synced:
    """A live record by uid (any kind), by a unique uid prefix of 8+ characters, or by number."""
    for m in SYNCED_MODELS.values():
        found = session.get(m, key)
        if found is not None and not found.deleted:
            return found
    obj: Any
    for m in NUMBERED:
        obj = session.scalars(select(m).where((m.number == key) | (
            getattr(m, "display_number", m.number) == key))).first()  # type: ignore[attr-defined]
        if obj is not None and not obj.deleted:
            return obj
    if len(key) >= 8:
        for m in SYNCED_MODELS.values():
            rows = session.scalars(select(m).where(m.uid.like(key + "%"), m.deleted.is_(False)).limit(2)).all()
            if len(rows) == 1:
                return rows[0]
    raise NotFound("记录", key)


@reads
def get_record(session: Session, key: str) -> dict[str, Any]:
    return to_dict(find(session, key))


def _local(t: dt.datetime | None) -> str:
    """A stored UTC time as the machine's local time, to the minute."""
    if t is None:
        return ""
    return t.replace(tzinfo=dt.timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M")


def _staff_name(session: Session, uid: str | None) -> str:
    if not uid:
        return "（未登录操作）"
    staff = session.get(Staff, uid)
    return staff.name if staff is not None else "（已删除的工作人员）"


@reads
def provenance(session: Session, key: str) -> dict[str, Any]:
    """Who registered and who last changed a record, by name and local time: what the GUI and
    printouts show (the stored staff uids mean nothing to a reader)."""
    obj = find(session, key)
    changed = obj.version > 1 or obj.updated_at != obj.created_at
    return {
        "created_by": _staff_name(session, obj.created_by), "created_at": _local(obj.created_at),
        "updated_by": _staff_name(session, obj.updated_by) if changed else "",
        "updated_at": _local(obj.updated_at) if changed else "",
        "version": obj.version,
        "text": (f"{_staff_name(session, obj.created_by)} 于 {_local(obj.created_at)} 登记"
                 + (f"；{_staff_name(session, obj.updated_by)} 于 {_local(obj.updated_at)} 最后修改" if changed else "")),
    }


@reads
def list_records(session: Session, kind: str, *, limit: int = 50, offset: int = 0,
                 filters: dict[str, Any] | None = None, order: str | None = None) -> list[dict[str, Any]]:
    """A page of live records, newest first; ``order`` is a column name (``-name`` descending)."""
    m = model(kind)
    q = select(m).where(m.deleted.is_(False))
    for key, value in (filters or {}).items():
        q = q.where(getattr(m, key) == value)
    if order:
        col = getattr(m, order.lstrip("-"), None)
        if col is None:
            raise ValidationError.single("order", "排序", f"没有这一列：“{order}”")
        q = q.order_by(col.desc() if order.startswith("-") else col.asc(), m.uid)
    else:
        default = _ORDER.get(kind)
        q = q.order_by(default.desc(), m.uid) if default is not None else q.order_by(m.created_at.desc(), m.uid)
    return [to_dict(r) for r in session.scalars(q.limit(limit).offset(offset))]


@reads
def count_records(session: Session, kind: str, filters: dict[str, Any] | None = None) -> int:
    m = model(kind)
    q = select(func.count()).select_from(m).where(m.deleted.is_(False))
    for key, value in (filters or {}).items():
        q = q.where(getattr(m, key) == value)
    return int(session.scalar(q) or 0)


#: what deleting a record of each kind needs
_DELETE_PERMISSION = {"person": perms.PEOPLE, "consultation": perms.CONSULTATIONS, "consultation_person": perms.CONSULTATIONS,
                      "case": perms.CASES, "case_party": perms.CASES, "case_session": perms.CASES,
                      "follow_up": perms.CASES, "visit": perms.VISITS,
                      "period_closure": perms.REPORTS}


def _delete_permission(kind: str, *_args: Any, **_kw: Any) -> str:
    return _DELETE_PERMISSION.get(kind, perms.SETTINGS)


@writes(perm=_delete_permission)
def delete_record(session: Session, kind: str, uid: str, base_version: int | None = None) -> Saved:
    """Delete as a tombstone: the record stays, marked deleted, so the deletion can sync."""
    obj = load(session, model(kind), uid)
    check_version(obj, base_version)
    obj.deleted = True
    return saved(obj)


def require_exists(session: Session, kind: str, uid: str) -> None:
    if session.get(model(kind), uid) is None:
        raise NotFound(kind, uid)
