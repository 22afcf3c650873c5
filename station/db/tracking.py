"""Change tracking: versions, outbox entries and the search index, in the writer's transaction.

A session created by :class:`station.Station` carries ``device_id`` (and the
acting staff member, if known) in ``session.info``. Before each flush every new
or modified synced record gets its version bumped (once per transaction),
``updated_at``/``device_id`` set; before commit every touched record is written
to the outbox and re-indexed for search. Because this runs inside the same
transaction, a change and its outbox entry are on disk together or not at all.

Bulk paths that bypass the ORM (import, demo data) call :func:`emit_changes`
themselves.
"""
from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import event
from sqlalchemy.orm import Session

from ..records import canonical_json, hash_text, to_dict
from .base import Synced, utcnow

_TOUCHED = "station_touched"


def install(session_factory: Any) -> None:
    """Attach the tracking hooks to a sessionmaker."""
    event.listen(session_factory, "before_flush", _before_flush)
    event.listen(session_factory, "before_commit", _before_commit)
    event.listen(session_factory, "after_rollback", _forget)
    event.listen(session_factory, "after_commit", _forget)


def _before_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    touched: dict[str, tuple[Synced, int]] = session.info.setdefault(_TOUCHED, {})
    now = utcnow()
    device = session.info.get("device_id", "")
    actor = session.info.get("actor_uid")
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, Synced):
            continue
        if obj in session.dirty and not session.is_modified(obj):
            continue
        if obj.uid is None:
            from .base import new_uid
            obj.uid = new_uid()
        if obj.uid not in touched:
            base = obj.version or 0
            obj.version = base + 1
            touched[obj.uid] = (obj, base)
        else:
            touched[obj.uid] = (obj, touched[obj.uid][1])
        if obj in session.new and obj.created_at is None:
            obj.created_at = now
        if obj in session.new:
            obj.created_by = obj.created_by or actor
        obj.updated_at = now
        obj.updated_by = actor
        obj.device_id = device


def _before_commit(session: Session) -> None:
    touched: dict[str, tuple[Synced, int]] = session.info.get(_TOUCHED, {})
    if not touched:
        return
    session.flush()
    touched = session.info.pop(_TOUCHED, {})
    emit_changes(session, ((to_dict(obj), base) for obj, base in touched.values()))


def _forget(session: Session) -> None:
    session.info.pop(_TOUCHED, None)


def emit_changes(session: Session, changes: Iterable[tuple[dict[str, Any], int]], *,
                 fresh: bool = False) -> int:
    """Append outbox rows and audit entries, and refresh the search index, for already-written record dicts.

    ``fresh``: the records were just inserted, so there are no old index entries to remove.
    """
    from ..search_index import index_rows
    from ..security import audit

    now = utcnow().strftime("%Y-%m-%d %H:%M:%S.%f")
    outbox: list[dict[str, Any]] = []
    records: list[dict[str, Any]] = []
    for data, base in changes:
        records.append(data)
        payload = canonical_json(data)
        outbox.append({
            "kind": data["_kind"], "uid": data["uid"], "version": data["version"],
            "base_version": base, "payload": payload, "content_hash": hash_text(payload), "created_at": now,
        })
    if not outbox:
        return 0
    conn = session.connection()
    # seqs given here, not by the insert, so that each payload row gets its entry's seq (written under the
    # transaction's write lock: no other writer can take the same ones)
    first = int(conn.exec_driver_sql("SELECT coalesce(max(seq), 0) FROM outbox").scalar_one()) + 1
    conn.exec_driver_sql(
        "INSERT INTO outbox (seq, kind, uid, version, base_version, content_hash, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(first + i, o["kind"], o["uid"], o["version"], o["base_version"], o["content_hash"], o["created_at"])
         for i, o in enumerate(outbox)])
    conn.exec_driver_sql("INSERT INTO outbox_payloads (seq, payload) VALUES (?, ?)",
                         [(first + i, o["payload"]) for i, o in enumerate(outbox)])
    index_rows(conn, records, fresh=fresh)
    changes_ = ((r, o["base_version"], o["content_hash"]) for r, o in zip(records, outbox))
    audit.append(session, audit.change_items(changes_), check=False)
    return len(outbox)
