"""Audit chains on the hub: each device's entries are checked on arrival and kept.

A device uploads its audit entries after the ones the hub already holds. The
hub checks that they continue its stored chain (seq and prev_hash) and that
every hash recomputes (:func:`station.security.audit.links` and ``chain_breaks``). A break is
recorded once, with its seq and reason, and shown per station in ``stats``
(the county page): the entries are kept anyway, as evidence.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from sqlalchemy import Connection, Engine, insert, select, update

from station.security.audit import GENESIS, Break, Link, chain_breaks, links
from station.sync import protocol as P

from .db import writer
from .models import HubAuditChain, HubAuditEntry, HubAuditSegment, HubDevice

MAX_ENTRIES = P.MAX_AUDIT_ENTRIES


@dataclass(frozen=True)
class Run:
    """An upload's entries checked as one run of a chain, assuming it continues the hub's copy: what
    the hub needs when it does (almost always), instead of every entry's :data:`Link`."""
    first_seq: int
    first_prev: str
    last_seq: int
    last_hash: str
    count: int
    devices: frozenset[str]
    breaks: list[Break]  # within the run, from its first entry on


@dataclass(frozen=True)
class AuditUpload:
    """An audit upload checked as far as it can be without the hub's copy: entries sorted by seq, as
    :data:`~station.security.audit.Link` (hashes recomputed), and the entries themselves when no
    received body is kept instead. From the parse worker, only the :class:`Run` comes back: should
    the run not continue the hub's copy, the hub reads the received body again."""
    links: list[Link] | None
    rows: list[list[Any]] | None = None
    run: Run | None = None


def parse_audit(raw: bytes) -> AuditUpload:
    """Inflate, parse and check an audit body: runs in the hub's parse worker (see :mod:`hub.app`)."""
    chain = links(_rows(P.unpack(raw)))
    if not chain:
        return AuditUpload(chain)
    first, last = chain[0], chain[-1]
    return AuditUpload(None, run=Run(first[0], first[2], last[0], last[3], len(chain), frozenset(r[1] for r in chain),
                                     chain_breaks(chain, start=(first[0] - 1, first[2]))))


def _rows(body: dict[str, Any]) -> list[list[Any]]:
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
        rows.append(e)
    rows.sort(key=lambda r: r[0])
    return rows


def pack_segment(rows: list[list[Any]]) -> bytes:
    """Entries in the form segments keep: an audit upload's body (gzip JSON ``{"entries": [...]}``)."""
    return P.pack({"entries": rows})


def stored_entries(conn: Connection, device_pk: int, first: int = 1,
                   last: int = 2 ** 62) -> Iterator[tuple[Any, ...]]:
    """A device's entries the hub holds with ``first <= seq <= last``, by seq: the per-entry rows of
    older hubs, then the segments (``(seq, device_id, actor, action, kind, uid, version, at, detail,
    prev_hash, hash)``)."""
    for r in conn.execute(select(HubAuditEntry.seq, HubAuditEntry.device_id, HubAuditEntry.actor,
                                 HubAuditEntry.action, HubAuditEntry.kind, HubAuditEntry.uid,
                                 HubAuditEntry.version, HubAuditEntry.at, HubAuditEntry.detail,
                                 HubAuditEntry.prev_hash, HubAuditEntry.hash).where(
            HubAuditEntry.device_pk == device_pk, HubAuditEntry.seq.between(first, last))
            .order_by(HubAuditEntry.seq)):
        yield tuple(r)
    for lo, hi, data in conn.execute(select(HubAuditSegment.first_seq, HubAuditSegment.last_seq,
                                            HubAuditSegment.entries).where(
            HubAuditSegment.device_pk == device_pk, HubAuditSegment.last_seq >= first,
            HubAuditSegment.first_seq <= last).order_by(HubAuditSegment.first_seq)):
        lo, hi = max(lo, first), min(hi, last)  # a body sent again also carries entries held before
        yield from sorted(tuple(e) for e in P.unpack(data)["entries"] if lo <= e[0] <= hi)


def _held_hashes(conn: Connection, device_pk: int, seqs: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(seqs))
    if not wanted:
        return {}
    return {r[0]: r[10] for r in stored_entries(conn, device_pk, wanted[0], wanted[-1])}


def ingest_audit(engine: Engine, device: Any, body: dict[str, Any] | AuditUpload,
                 received: bytes | None = None) -> dict[str, Any]:
    """Store and check a device's new audit entries; returns where its chain stands and any break.

    The new entries of one upload are stored as one segment (:class:`HubAuditSegment`),
    after their chain was checked from where the hub's copy stood: ``received``, the
    request body they came in, is kept as it is (nothing to encode again). ``body`` is the
    parsed request, or an :class:`AuditUpload` from :func:`parse_audit` with ``received``.
    """
    if isinstance(body, AuditUpload):
        upload = body
    else:
        entries = _rows(body)
        upload = AuditUpload(links(entries), entries)
    if received is None and upload.rows is None:
        raise ValueError("an audit upload is stored as received or from its rows")
    with writer(engine).begin() as conn:
        dev = conn.execute(select(HubDevice).where(HubDevice.id == device.id)).one()
        chain = conn.execute(select(HubAuditChain).where(HubAuditChain.device_pk == device.id)).first()
        if chain is None:
            conn.execute(insert(HubAuditChain).values(device_pk=device.id, last_seq=0, last_hash=GENESIS))
            last_seq, last_hash, broken_seq = 0, GENESIS, None
        else:
            last_seq, last_hash, broken_seq = chain.last_seq, chain.last_hash, chain.broken_seq
        run = upload.run
        if run is not None and (run.first_seq != last_seq + 1 or run.first_prev != last_hash or len(run.devices) != 1):
            run = None  # not simply the next run of this chain: check it entry by entry
            upload = AuditUpload(links(_rows(P.unpack(received))) if received is not None else upload.links or [],
                                 upload.rows)
        if run is not None:  # continues the hub's copy: its own check is the chain's
            if dev.device_id and run.devices != {dev.device_id}:
                raise P.ProtocolError(400, "bad_device", "audit entries of another device")
            breaks, reason = run.breaks, None
            span: tuple[int, int, int, str] | None = (run.first_seq, run.last_seq, run.count, run.last_hash)
        else:
            rows = upload.links or []
            if any(r[1] != dev.device_id for r in rows) and dev.device_id:
                raise P.ProtocolError(400, "bad_device", "audit entries of another device")
            new = [r for r in rows if r[0] > last_seq]
            reason = None
            old = [r for r in rows if r[0] <= last_seq]
            if old:  # sent again: must be exactly what the hub already holds
                held = _held_hashes(conn, device.id, (r[0] for r in old))
                changed = [r[0] for r in old if held.get(r[0]) != r[3]]
                if changed:
                    reason = (changed[0], "已上传的记录在本机被改动")
            breaks = chain_breaks(new, start=(last_seq, last_hash)) if new else []
            span = (new[0][0], new[-1][0], len(new), new[-1][3]) if new else None
        if span is not None:
            if breaks and reason is None:
                reason = (breaks[0].seq, breaks[0].reason)
            fresh = [r for r in upload.rows or () if r[0] > last_seq]
            conn.execute(insert(HubAuditSegment).values(
                device_pk=device.id, first_seq=span[0], last_seq=span[1], count=span[2], last_hash=span[3],
                entries=received if received is not None else pack_segment(fresh)))
            last_seq, last_hash = span[1], span[3]
        values: dict[str, Any] = {"last_seq": last_seq, "last_hash": last_hash}
        if reason is not None and broken_seq is None:
            values.update(broken_seq=reason[0], broken_reason=reason[1][:200])
            broken_seq = reason[0]
        conn.execute(update(HubAuditChain).where(HubAuditChain.device_pk == device.id).values(**values))
        got = conn.execute(select(HubAuditChain).where(HubAuditChain.device_pk == device.id)).one()
    return {"last_seq": got.last_seq, "stored": span[2] if span is not None else 0,
            "broken": None if got.broken_seq is None else {"seq": got.broken_seq, "reason": got.broken_reason}}


def broken_chains(conn: Any, station_code: str) -> list[dict[str, Any]]:
    """Devices of a station whose audit chain broke (for the county page)."""
    q = (select(HubDevice.device_no, HubAuditChain.broken_seq, HubAuditChain.broken_reason)
         .join(HubAuditChain, HubAuditChain.device_pk == HubDevice.id)
         .where(HubDevice.station_code == station_code, HubAuditChain.broken_seq.is_not(None)))
    return [{"device_no": n, "seq": s, "reason": r} for n, s, r in conn.execute(q)]
