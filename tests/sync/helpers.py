"""Helpers shared by the sync tests: what a device holds, what the hub holds."""
from __future__ import annotations

from typing import Any

from sqlalchemy import text

from station import Station
from station.models import SYNCED_MODELS
from station.sync import protocol as P


def held(st: Station, kinds: frozenset[str] = P.UPLOAD_KINDS) -> dict[str, int]:
    """uid -> version of every station record of ``kinds`` on a device."""
    out: dict[str, int] = {}
    with st.read() as s:
        for kind in kinds:
            table = SYNCED_MODELS[kind].__tablename__
            out.update({u: v for u, v in s.execute(text(f"SELECT uid, version FROM {table}"))})
    return out


def hub_held(hub: Any, scope: str, kinds: frozenset[str] = P.UPLOAD_KINDS) -> dict[str, int]:
    eng = hub.engine()
    try:
        with eng.connect() as c:
            rows = c.execute(text("SELECT uid, version, kind FROM hub_records WHERE scope = :s"), {"s": scope}).all()
            changes = c.execute(text("SELECT uid, version, count(*) FROM hub_changes WHERE scope = :s"
                                     " GROUP BY uid, version HAVING count(*) > 1"), {"s": scope}).all()
    finally:
        eng.dispose()
    assert changes == [], f"hub holds duplicated changes: {changes[:3]}"
    return {u: v for u, v, k in rows if k in kinds}


def pending(st: Station) -> int:
    with st.read() as s:
        return int(s.execute(text("SELECT count(*) FROM outbox WHERE sent_at IS NULL")).scalar_one())


def outbox_changes(st: Station, kind: str = "person", unsent: bool = False) -> list[dict[str, Any]]:
    """The device's outbox entries of ``kind`` (only unsent ones if asked) as changes of a JSON push body."""
    with st.read() as s:
        rows = s.execute(text("SELECT * FROM outbox JOIN outbox_payloads USING (seq) WHERE kind = :k"
                              + (" AND sent_at IS NULL" if unsent else "") + " ORDER BY seq"), {"k": kind}).mappings()
        return [{"seq": r["seq"], "kind": r["kind"], "uid": r["uid"], "version": r["version"],
                 "base_version": r["base_version"], "hash": r["content_hash"], "payload": r["payload"]} for r in rows]


def add_people(st: Station, n: int, prefix: str) -> list[str]:
    return [st.people.save_person({"name": f"{prefix}{i}", "gender": "男"}).uid for i in range(n)]
