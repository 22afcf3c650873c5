"""Print log service: record each print and list what was printed for a record."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db.base import utcnow
from ..models import PrintLog
from ..security import audit
from .base import reads, writes
from ..security import permissions as perms

#: permission the facade requires for this module's writes (reads: any signed-in account)
WRITE_PERMISSION = perms.SIGNED_IN


@writes
def record_print(session: Session, form: str, record_uid: str, version: int | None, copies: int,
                 actor: str | None, *, record_kind: str = "", sha256: str = "") -> dict[str, Any]:
    """Append one print to the log (in the caller's transaction)."""
    row = PrintLog(printed_at=utcnow(), form=form, record_kind=record_kind, record_uid=record_uid,
                   record_version=version, copies=int(copies), actor_uid=actor,
                   device_id=str(session.info.get("device_id") or ""), sha256=sha256)
    session.add(row)
    session.flush()
    audit.audit(session, "print", kind=record_kind, uid=record_uid, version=version,
                detail={"form": form, "copies": int(copies), "sha256": sha256})
    return _as_dict(row)


@reads
def list_prints(session: Session, record_uid: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """Newest prints first, optionally of one record (or ledger period)."""
    q = select(PrintLog).order_by(PrintLog.id.desc()).limit(limit)
    if record_uid:
        q = q.where(PrintLog.record_uid == record_uid)
    return [_as_dict(r) for r in session.scalars(q)]


def _as_dict(row: PrintLog) -> dict[str, Any]:
    return {"id": row.id, "printed_at": row.printed_at.isoformat(sep=" "), "form": row.form,
            "record_kind": row.record_kind, "record_uid": row.record_uid, "record_version": row.record_version,
            "copies": row.copies, "actor_uid": row.actor_uid, "device_id": row.device_id, "sha256": row.sha256}
