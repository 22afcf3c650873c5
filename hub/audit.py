"""Audit chains on the hub: each device's entries are checked on arrival and kept.

A device uploads its audit entries after the ones the hub already holds. The
hub checks that they continue its stored chain (seq and prev_hash) and that
every hash recomputes (:func:`station.security.audit.verify_rows`). A break is
recorded once, with its seq and reason, and shown per station in ``stats``
(the county page): the entries are kept anyway, as evidence.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, insert, select, update

from station.security.audit import GENESIS, verify_rows
from station.sync import protocol as P

from .db import insert_rows, writer
from .models import HubAuditChain, HubAuditEntry, HubDevice

MAX_ENTRIES = P.MAX_AUDIT_ENTRIES
_ENTRY_COLS = ("device_pk", "seq", "device_id", "actor", "action", "kind", "uid", "version", "at", "detail",
               "prev_hash", "hash")


def _rows(body: dict[str, Any]) -> list[tuple[Any, ...]]:
    entries = body.get("entries")
    if not isinstance(entries, list) or len(entries) > MAX_ENTRIES:
        raise P.ProtocolError(400, "bad_json", f"audit needs entries (a list of at most {MAX_ENTRIES})")
    rows = []
    for e in entries:
        if not (isinstance(e, list) and len(e) == 11 and isinstance(e[0], int) and isinstance(e[1], str)
                and isinstance(e[3], str) and isinstance(e[7], str) and isinstance(e[8], str)
                and isinstance(e[9], str) and isinstance(e[10], str)):  # spelled out: runs per entry
            raise P.ProtocolError(400, "bad_json", "an audit entry is [seq, device_id, actor, action, kind, uid,"
                                  " version, at, detail, prev_hash, hash]")
        rows.append(tuple(e))
    return sorted(rows, key=lambda r: r[0])


def ingest_audit(engine: Engine, device: Any, body: dict[str, Any]) -> dict[str, Any]:
    """Store and check a device's new audit entries; returns where its chain stands and any break."""
    rows = _rows(body)
    with writer(engine).begin() as conn:
        dev = conn.execute(select(HubDevice).where(HubDevice.id == device.id)).one()
        if any(r[1] != dev.device_id for r in rows) and dev.device_id:
            raise P.ProtocolError(400, "bad_device", "audit entries of another device")
        chain = conn.execute(select(HubAuditChain).where(HubAuditChain.device_pk == device.id)).first()
        if chain is None:
            conn.execute(insert(HubAuditChain).values(device_pk=device.id, last_seq=0, last_hash=GENESIS))
            last_seq, last_hash, broken_seq = 0, GENESIS, None
        else:
            last_seq, last_hash, broken_seq = chain.last_seq, chain.last_hash, chain.broken_seq
        new = [r for r in rows if r[0] > last_seq]
        reason = None
        old = [r for r in rows if r[0] <= last_seq]
        if old:  # sent again: must be exactly what the hub already holds
            held = {s: h for s, h in conn.execute(select(HubAuditEntry.seq, HubAuditEntry.hash).where(
                HubAuditEntry.device_pk == device.id, HubAuditEntry.seq.in_([r[0] for r in old])))}
            changed = [r[0] for r in old if held.get(r[0]) != r[10]]
            if changed:
                reason = (changed[0], "已上传的记录在本机被改动")
        if new:
            breaks = verify_rows(new, start=(last_seq, last_hash))
            if breaks and reason is None:
                reason = (breaks[0].seq, breaks[0].reason)
            insert_rows(conn, HubAuditEntry.__tablename__, _ENTRY_COLS, [(device.id, *r) for r in new])
            last_seq, last_hash = new[-1][0], new[-1][10]
        values: dict[str, Any] = {"last_seq": last_seq, "last_hash": last_hash}
        if reason is not None and broken_seq is None:
            values.update(broken_seq=reason[0], broken_reason=reason[1][:200])
            broken_seq = reason[0]
        conn.execute(update(HubAuditChain).where(HubAuditChain.device_pk == device.id).values(**values))
        got = conn.execute(select(HubAuditChain).where(HubAuditChain.device_pk == device.id)).one()
    return {"last_seq": got.last_seq, "stored": len(new),
            "broken": None if got.broken_seq is None else {"seq": got.broken_seq, "reason": got.broken_reason}}


def broken_chains(conn: Any, station_code: str) -> list[dict[str, Any]]:
    """Devices of a station whose audit chain broke (for the county page)."""
    q = (select(HubDevice.device_no, HubAuditChain.broken_seq, HubAuditChain.broken_reason)
         .join(HubAuditChain, HubAuditChain.device_pk == HubDevice.id)
         .where(HubDevice.station_code == station_code, HubAuditChain.broken_seq.is_not(None)))
    return [{"device_no": n, "seq": s, "reason": r} for n, s, r in conn.execute(q)]
