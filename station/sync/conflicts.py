"""Conflicts the hub reported: list them for a person, and resolve them (mine, theirs or merged).

Resolving never deletes a version silently: the losing side stays in the
conflict row (and on the hub), and the chosen content goes up as a new
version built on the hub's, so every device converges on it.
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Mapping

from sqlalchemy import text
from sqlalchemy.orm.attributes import flag_modified

from ..db.base import utcnow
from ..errors import NotFound, ValidationError
from ..models import SYNCED_MODELS
from ..records import decode
from .apply import apply_records, close_page_connection, open_page_connection

if TYPE_CHECKING:
    from ..station import Station

#: columns that are bookkeeping, not content a person compares or merges
SYNC_COLUMNS = frozenset({"_kind", "uid", "version", "created_at", "updated_at", "device_id", "created_by",
                          "updated_by"})


def list_conflicts(station: "Station", *, include_resolved: bool = False) -> list[dict[str, Any]]:
    """Conflicts as plain dicts, with both versions and the names of the fields that differ."""
    sql = "SELECT * FROM sync_conflicts" + ("" if include_resolved else " WHERE resolved_at IS NULL") + " ORDER BY id"
    with station.read() as s:
        rows = s.execute(text(sql)).mappings().all()
    out = []
    for r in rows:
        mine, theirs = json.loads(r["mine_payload"]), json.loads(r["theirs_payload"])
        model = SYNCED_MODELS.get(r["kind"])
        out.append({
            "id": r["id"], "kind": r["kind"], "label": model.LABEL if model else r["kind"], "uid": r["uid"],
            "mine_version": r["mine_version"], "theirs_version": r["theirs_version"], "mine": mine,
            "theirs": theirs, "detected_at": str(r["detected_at"]), "resolved_at": r["resolved_at"],
            "resolution": r["resolution"],
            "fields": sorted(k for k in set(mine) | set(theirs)
                             if k not in SYNC_COLUMNS and mine.get(k) != theirs.get(k)),
        })
    return out


def resolve_conflict(station: "Station", conflict_id: int, choice: str,
                     merged: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Settle one conflict.

    ``choice='theirs'`` takes the hub's version locally (nothing goes up);
    ``'mine'`` keeps this device's content and ``'merged'`` applies ``merged``
    (field → value) on top of mine; both go up as the version after the hub's.
    """
    if choice not in ("mine", "theirs", "merged"):
        raise ValidationError.single("choice", "处理方式", "应为 mine、theirs 或 merged")
    with station.read() as s:
        row = s.execute(text("SELECT * FROM sync_conflicts WHERE id = :i AND resolved_at IS NULL"),
                        {"i": conflict_id}).mappings().first()
    if row is None:
        raise NotFound("同步冲突", str(conflict_id))
    kind, uid = row["kind"], row["uid"]
    model = SYNCED_MODELS[kind]
    theirs = json.loads(row["theirs_payload"])
    now = utcnow()
    if choice == "theirs":
        conn = open_page_connection(station.engine)
        try:
            with conn.begin():
                conn.execute(text("UPDATE outbox SET sent_at = :t, batch_id = 'superseded' WHERE uid = :u"
                                  " AND sent_at IS NULL"), {"t": now, "u": uid})
                conn.execute(text("UPDATE sync_conflicts SET resolved_at = :t, resolution = 'theirs' WHERE id = :i"),
                             {"t": now, "i": conflict_id})
                conn.execute(text(f"UPDATE {model.__tablename__} SET version = 0 WHERE uid = :u"),  # type: ignore[attr-defined]
                             {"u": uid})
                apply_records(conn, [{"kind": kind, "uid": uid, "version": row["theirs_version"],
                                      "hash": row["theirs_hash"], "payload": theirs, "scope": "station"}])
        finally:
            close_page_connection(conn)
        return theirs
    content = dict(json.loads(row["mine_payload"]))
    if choice == "merged":
        unknown = set(merged or {}) - set(content)
        if unknown:
            raise ValidationError.single("merged", "合并内容", f"未知字段：{', '.join(sorted(unknown))}")
        content.update(merged or {})
    values = {k: v for k, v in decode(model, content).items() if k not in SYNC_COLUMNS}
    with station.write() as s:
        s.execute(text("UPDATE outbox SET sent_at = :t, batch_id = 'superseded' WHERE uid = :u AND sent_at IS NULL"),
                  {"t": now, "u": uid})
        s.execute(text("UPDATE sync_conflicts SET resolved_at = :t, resolution = :r WHERE id = :i"),
                  {"t": now, "r": choice, "i": conflict_id})
        obj = s.get(model, uid)
        if obj is None:
            obj = model(uid=uid)  # type: ignore[call-arg]
            s.add(obj)
        for k, v in values.items():
            setattr(obj, k, v)
        obj.version = int(row["theirs_version"])  # the new version is built on the hub's
        flag_modified(obj, "deleted")  # goes up even when nothing but the base version changed
        s.flush()
        from ..records import to_dict
        return to_dict(obj)
