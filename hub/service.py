"""Hub operations, free of HTTP: registration, ingest, download pages, verification, stats.

The HTTP layer (:mod:`hub.app`) and the command line (:mod:`hub.cli`) both call
these. Every ingest runs in one transaction: a batch is written whole or not at all.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import multiprocessing
import os
import secrets
import threading
import uuid
from collections import Counter
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, Iterable, Iterator

import orjson
from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from station.sync import protocol as P

from . import fingerprints
from .db import IN_CHUNK, insert_rows, lock_scope, select_in, text_param, writer
from .models import HubBatch, HubChange, HubConflict, HubDevice, HubRecord, HubStation, utcnow
from .payload_check import PayloadReader

log = logging.getLogger("station_hub")

_STATION_NS = uuid.UUID("0b7e5f0e-8d0a-4a57-b5b1-6d8f9f2f1c11")


class HubError(Exception):
    """A refusal with an HTTP status, a short machine code and a message for people."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def __reduce__(self) -> tuple[Any, ...]:  # raised in the parse worker process, re-raised here
        return type(self), (self.status, self.code, self.message)


@dataclass(frozen=True)
class Device:
    id: int
    station_code: str
    device_no: int


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _stamp(t: dt.datetime) -> str:
    return t.replace(microsecond=0).isoformat(sep=" ")


# --- stations and devices ---------------------------------------------------------------

def ensure_scope(conn: Connection, code: str, **fields: str) -> None:
    if conn.execute(select(HubStation.code).where(HubStation.code == code)).first() is None:
        conn.execute(insert(HubStation).values(code=code, seq=0, created_at=utcnow(), **fields))
        fingerprints.start(conn, code)
    elif fields:
        conn.execute(update(HubStation).where(HubStation.code == code).values(**fields))


def register_device(engine: Engine, station_code: str, *, name: str | None = None, county: str = "",
                    abbr: str = "", label: str = "", device_no: int | None = None) -> dict[str, Any]:
    """Issue a device token (returned once, stored as a hash) and allocate the device number.

    The first registration of a station creates it, and its identity record
    (kind ``station``) which flows down to every device of that station.
    """
    if not station_code or not station_code.replace("-", "").isalnum():
        raise HubError(400, "bad_station", "司法所编码只能包含字母和数字")
    token = secrets.token_urlsafe(32)
    with writer(engine).begin() as conn:
        ensure_scope(conn, P.COUNTY_SCOPE, name="县级")
        exists = conn.execute(select(HubStation).where(HubStation.code == station_code)).first()
        if exists is None and not name:
            raise HubError(400, "name_required", "首次登记该司法所时需要 --name（司法所名称）")
        if exists is None or name:
            ensure_scope(conn, station_code, name=name or (exists.name if exists else ""),
                         county=county or (exists.county if exists else ""),
                         abbr=abbr or (exists.abbr if exists else "") or (name or "")[:2])
            st = conn.execute(select(HubStation).where(HubStation.code == station_code)).one()
            put_records_conn(conn, station_code, [{
                "_kind": "station", "uid": str(uuid.uuid5(_STATION_NS, station_code)), "code": st.code,
                "name": st.name, "county": st.county, "abbr": st.abbr}], only_if_changed=True)
        taken = set(conn.execute(select(HubDevice.device_no).where(HubDevice.station_code == station_code)).scalars())
        if device_no is None:
            device_no = max(taken, default=0) + 1
        elif device_no in taken:
            raise HubError(409, "device_no_taken", f"设备编号 {device_no} 已被使用")
        if not 1 <= device_no <= 99:
            raise HubError(400, "device_no_range", "设备编号应在1到99之间")
        conn.execute(insert(HubDevice).values(station_code=station_code, device_no=device_no, label=label,
                                              token_hash=hash_token(token), created_at=utcnow(), last_seq=0))
    log.info("registered device station=%s device_no=%s", station_code, device_no)
    return {"station": station_code, "device_no": device_no, "token": token}


def list_devices(engine: Engine, station_code: str | None = None) -> list[dict[str, Any]]:
    q = select(HubDevice).order_by(HubDevice.station_code, HubDevice.device_no)
    if station_code:
        q = q.where(HubDevice.station_code == station_code)
    with engine.connect() as conn:
        return [{"id": d.id, "station": d.station_code, "device_no": d.device_no, "label": d.label,
                 "token_hash": d.token_hash[:12], "created_at": d.created_at, "revoked_at": d.revoked_at,
                 "last_seen_at": d.last_seen_at} for d in conn.execute(q)]


def revoke_device(engine: Engine, station_code: str, device_no: int) -> bool:
    with writer(engine).begin() as conn:
        n = conn.execute(update(HubDevice).where(HubDevice.station_code == station_code,
                                                 HubDevice.device_no == device_no,
                                                 HubDevice.revoked_at.is_(None)).values(revoked_at=utcnow())).rowcount
    log.info("revoked device station=%s device_no=%s", station_code, device_no)
    return bool(n)


def authenticate(engine: Engine, token: str | None) -> Device:
    if not token:
        raise HubError(401, "no_token", "缺少设备令牌，请先运行 station login")
    with engine.connect() as conn:
        row = conn.execute(select(HubDevice).where(HubDevice.token_hash == hash_token(token))).first()
    if row is None:
        raise HubError(401, "bad_token", "设备令牌无效，请重新登录")
    if row.revoked_at is not None:
        raise HubError(401, "revoked", "设备令牌已被吊销，请联系县级管理员")
    return Device(row.id, row.station_code, row.device_no)


# --- upload -------------------------------------------------------------------------------

def _json_changes(raw: list[Any]) -> Iterator[tuple[Any, ...]]:
    """The changes of a JSON batch as ``(seq, kind, uid, version, base_version, hash, payload
    UTF-8 bytes or None)``; ``None`` when the payload is not text that can have been hashed."""
    for c in raw:
        if not isinstance(c, dict):
            raise P.ProtocolError(400, "bad_change", "change is not an object")
        try:
            seq, kind, uid = int(c["seq"]), str(c["kind"]), str(c["uid"])
            version, base, chash, payload = int(c["version"]), int(c["base_version"]), str(c["hash"]), c["payload"]
        except (KeyError, TypeError, ValueError):
            raise P.ProtocolError(400, "bad_change",
                                  "change lacks seq/kind/uid/version/base_version/hash/payload") from None
        try:
            data = payload.encode("utf-8") if isinstance(payload, str) else None
        except UnicodeEncodeError:  # lone surrogates: not text a device can have hashed
            data = None
        yield seq, kind, uid, version, base, chash, data


def _framed_changes(head: list[Any], payloads: memoryview) -> Iterator[tuple[Any, ...]]:
    """The changes of a batch sent as frames (:func:`station.sync.protocol.pack_frames`), in the
    form of :func:`_json_changes`; the payload lengths must add up to the bytes that follow."""
    end = len(payloads)
    at = 0
    for c in head:
        try:
            if not isinstance(c, list) or len(c) != 7:
                raise TypeError
            seq, kind, uid, version, base, chash, size = (int(c[0]), str(c[1]), str(c[2]), int(c[3]), int(c[4]),
                                                          str(c[5]), int(c[6]))
        except (TypeError, ValueError):
            raise P.ProtocolError(400, "bad_change", "a framed change is [seq, kind, uid, version, base_version,"
                                  " hash, payload length]") from None
        if size < 0 or at + size > end:
            raise P.ProtocolError(400, "bad_frames", f"payload lengths run past the body (seq {seq})")
        # kept as bytes: the JSON check validates their UTF-8, and the hub stores them as text (insert_rows)
        yield seq, kind, uid, version, base, chash, bytes(payloads[at:at + size])
        at += size
    if at != end:
        raise P.ProtocolError(400, "bad_frames", "payload bytes left over after the last change")


def _check_changes(changes: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Validate a batch's changes before anything is written; corruption anywhere raises.

    Takes the changes as :func:`_json_changes` or :func:`_framed_changes` yields them.
    Returns ``(seq, kind, uid, version, base_version, hash, payload UTF-8 bytes, reason, term)``
    per change (the bytes go to the database as they are: valid UTF-8 JSON, checked here),
    ``reason`` naming why the change is rejected (or None) and ``term`` its record term for
    the kept fingerprint (:mod:`hub.fingerprints`). One tight loop: it runs for every change
    of every upload.
    """
    out: list[tuple[Any, ...]] = []
    append, sha256, identity, term = out.append, hashlib.sha256, PayloadReader().identity, P.record_term
    upload, known_kinds, uid_ok = P.UPLOAD_KINDS, P.ALL_KINDS, P.UID_RE.match
    for seq, kind, uid, version, base, chash, data in changes:
        # the payload is the canonical JSON text the device hashed: check it byte for byte
        if data is None or sha256(data).hexdigest() != chash:
            raise P.ProtocolError(422, "bad_hash", f"content hash does not match payload (seq {seq})")
        try:
            p_uid, p_version, p_kind, is_object = identity(data)
        except ValueError:
            raise P.ProtocolError(400, "bad_json", f"payload is not valid JSON (seq {seq})") from None
        if not is_object:
            raise P.ProtocolError(400, "bad_json", f"payload is not an object (seq {seq})")
        reason = None
        if kind not in upload:
            reason = "kind_not_uploadable" if kind in known_kinds else "unknown_kind"
        elif not uid_ok(uid):
            reason = "bad_uid"
        elif version < 1 or base < 0 or base >= version:
            reason = "bad_version"
        elif p_uid != uid or p_version != version or p_kind != kind:
            reason = "payload_mismatch"
        append((seq, kind, uid, version, base, chash, data, reason, None if reason else term(uid, version)))
    return out


#: columns written per accepted change, in the order of the row tuples ingest builds
_CHANGE_COLS = ("uid", "version", "base_version", "hash", "scope", "device_no", "device_seq", "batch_id",
                "received_at")
_RECORD_COLS = ("uid", "scope", "kind", "version", "hash", "seq", "device_no", "updated_at", "payload")


@dataclass(frozen=True)
class Batch:
    """An upload batch that passed every check that needs no database: ready to ingest.

    ``compact``: the device asked for the compact answer (:data:`~station.sync.protocol.ANSWER_COMPACT`)."""
    batch_id: str
    checked: list[tuple[Any, ...]]
    compact: bool = False


def parse_worker_init() -> None:
    """In a parse worker: leave as soon as the hub process that started it is gone (even killed)."""
    parent = multiprocessing.parent_process()
    if parent is not None:
        def watch() -> None:
            parent.join()
            os._exit(0)
        threading.Thread(target=watch, name="hub-parent-watch", daemon=True).start()


def parse_push(raw: bytes, device: Device, frames: bool = False) -> Batch:
    """Inflate, parse and check a push body (the CPU-heavy half of a push, no database).

    ``frames``: sent as frames (:func:`station.sync.protocol.pack_frames`), else gzip JSON.
    Runs in the hub's parse worker process (:mod:`hub.app`), so that the hub's main
    process writes batch N while the worker reads batch N+1."""
    if not frames:
        return prepare(P.unpack(raw), device)
    data = P.inflate(raw)
    cut = data.find(b"\n")
    try:
        head = orjson.loads(data[:cut]) if cut >= 0 else None
    except orjson.JSONDecodeError:
        head = None
    if not isinstance(head, dict):
        raise P.ProtocolError(400, "bad_frames", "a framed batch starts with one line of JSON (the envelope)")
    batch_id, changes = _envelope(head, device)
    return Batch(batch_id, _check_changes(_framed_changes(changes, memoryview(data)[cut + 1:])),
                 head.get("answer") == P.ANSWER_COMPACT)


def prepare(body: dict[str, Any], device: Device) -> Batch:
    """Check a batch's envelope and every change; any refusal raises (nothing is written)."""
    batch_id, changes = _envelope(body, device)
    return Batch(batch_id, _check_changes(_json_changes(changes)), body.get("answer") == P.ANSWER_COMPACT)


def _envelope(body: dict[str, Any], device: Device) -> tuple[str, list[Any]]:
    """A batch's id and change list, once its envelope matches the device and the limits."""
    if body.get("protocol") != P.PROTOCOL_VERSION:
        raise P.ProtocolError(426, "protocol", "protocol version in body does not match")
    if body.get("station") != device.station_code or body.get("device_no") != device.device_no:
        raise HubError(403, "wrong_station", "批次所属的司法所或设备与令牌不符")
    batch_id = body.get("batch_id")
    if not isinstance(batch_id, str) or not P.UID_RE.match(batch_id):
        raise P.ProtocolError(400, "bad_batch", "batch_id must be a UUID")
    raw = body.get("changes")
    if not isinstance(raw, list):
        raise P.ProtocolError(400, "bad_batch", "changes must be a list")
    if len(raw) > P.MAX_BATCH_CHANGES:
        raise P.ProtocolError(413, "batch_too_large", f"at most {P.MAX_BATCH_CHANGES} changes per batch")
    return batch_id, raw


def ingest(engine: Engine, device: Device, body: dict[str, Any] | Batch, *, delay: float = 0.0) -> dict[str, Any]:
    """Apply one upload batch in one transaction and answer for every change.

    Set-based: the batch's existing heads, known changes and kept conflicts are read
    with a few ``IN`` queries, every change is classified in memory (in batch order,
    so two changes of one record in a batch see each other), then the new rows go in
    with one ``executemany`` per table. Any refusal raises before anything is written.
    ``body`` is the parsed request, or a :class:`Batch` already checked by :func:`prepare`.

    The answer holds a result per change (``results``), or, if the batch asked for the
    compact answer, the number of changes ``accepted`` and the results of the others only.
    """
    batch = body if isinstance(body, Batch) else prepare(body, device)
    batch_id, checked = batch.batch_id, batch.checked
    scope = device.station_code
    device_no = device.device_no
    others: dict[int, dict[str, Any]] = {}  # index in the batch -> result of a change not simply accepted
    try:
        with writer(engine).begin() as conn:
            sqlite = conn.dialect.name == "sqlite"
            seq = lock_scope(conn, scope)
            if conn.execute(select(HubBatch.batch_id).where(HubBatch.batch_id == batch_id)).first():
                raise HubError(409, "replayed", "该批次已处理过（重放被拒绝）")
            tally = fingerprints.Tally.open(conn, scope, seq)
            uids = list({ch[2] for ch in checked if ch[7] is None})
            heads: dict[str, tuple[str, int, str, str | bytes, str]] = {  # uid -> (scope, version, hash, payload, kind)
                r[0]: (r[1], r[2], r[3], r[4], r[5]) for r in select_in(
                    conn, "SELECT uid, scope, version, hash, payload, kind FROM hub_records WHERE uid IN ({})", uids)}
            # every accepted change and every kept conflict has a head (records are never deleted),
            # so only records the hub already holds can have them: a batch of new records skips these reads
            held = list(heads)
            known: dict[tuple[str, int], str] = {
                (r[0], r[1]): r[2] for r in select_in(conn, "SELECT uid, version, hash FROM hub_changes"
                                                       " WHERE uid IN ({})", held)}
            known_conflicts: set[tuple[str, int, str]] = set()
            open_conflicts = False
            for r in select_in(conn, "SELECT uid, version, hash, resolved_at FROM hub_conflicts"
                                " WHERE uid IN ({})", held):
                known_conflicts.add((r[0], r[1], r[2]))
                open_conflicts = open_conflicts or r[3] is None
            in_db = set(heads)
            now = utcnow()
            now_db: Any = now.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else now  # SQLAlchemy's SQLite text form
            conflicted: set[str] = set()
            new_changes: list[tuple[Any, ...]] = []
            new_conflicts: list[dict[str, Any]] = []
            upserts: dict[str, tuple[Any, ...]] = {}
            added: list[tuple[str, int]] = []  # (kind, term) of records new to the hub, for the tally

            def other(i: int, status: str, **more: Any) -> None:
                seq_, _, uid_, version_ = checked[i][:4]
                others[i] = {"seq": seq_, "uid": uid_, "version": version_, "status": status, **more}

            for i, (cseq, kind, uid, version, base, chash, payload, reason, term) in enumerate(checked):
                if reason:
                    other(i, "rejected", reason=reason)
                    continue
                head = heads.get(uid)
                if head is None:  # new to the hub: nothing it holds can make this a duplicate or a conflict
                    if base != 0:
                        other(i, "rejected", reason="unknown_base")
                        continue
                    added.append((kind, term))
                    kept_kind = kind
                else:
                    if head[0] != scope:
                        other(i, "rejected", reason="wrong_station")
                        continue
                    had = known.get((uid, version))
                    if had == chash:
                        other(i, "duplicate")
                        continue
                    if had is not None or head[1] > base or uid in conflicted \
                            or (uid, version, chash) in known_conflicts:
                        conflicted.add(uid)
                        other(i, "conflict",
                              theirs={"version": head[1], "hash": head[2], "payload": orjson.loads(head[3])})
                        if (uid, version, chash) not in known_conflicts:
                            new_conflicts.append({
                                "scope": scope, "kind": kind, "uid": uid, "version": version,
                                "base_version": base, "hash": chash, "payload": payload.decode("utf-8"),
                                "device_no": device_no, "theirs_version": head[1], "theirs_hash": head[2],
                                "created_at": now, "resolved_at": None})
                            known_conflicts.add((uid, version, chash))
                        continue
                    if head[1] < base:
                        other(i, "rejected", reason="unknown_base")
                        continue
                    kept_kind = head[4]
                    if tally is not None:
                        tally.replace(kept_kind, P.record_term(uid, head[1]), term)
                seq += 1
                upserts[uid] = (uid, scope, kind, version, chash, seq, device_no, now_db, payload)
                heads[uid] = (scope, version, chash, payload, kept_kind)
                known[(uid, version)] = chash
                new_changes.append((uid, version, base, chash, scope, device_no, cseq, batch_id, now_db))
            if delay:
                import time
                time.sleep(delay)  # test hook: lets a test kill the hub inside the transaction
            if new_changes:
                insert_rows(conn, HubChange.__tablename__, _CHANGE_COLS, new_changes)
                fresh = [r for u, r in upserts.items() if u not in in_db]
                if fresh:
                    insert_rows(conn, HubRecord.__tablename__, _RECORD_COLS, fresh, frozenset({"payload"}))
                changed = [{"b_" + k: v for k, v in zip(_RECORD_COLS, r)} for u, r in upserts.items() if u in in_db]
                if changed:
                    conn.exec_driver_sql(
                        "UPDATE hub_records SET version = {v}, hash = {h}, seq = {s}, device_no = {d},"
                        " updated_at = {t}, payload = {p} WHERE uid = {u}".format(
                            p=text_param(conn, _param(conn, "b_payload")), **{
                                k: _param(conn, "b_" + c) for k, c in (
                                    ("v", "version"), ("h", "hash"), ("s", "seq"), ("d", "device_no"),
                                    ("t", "updated_at"), ("u", "uid"))}), changed)
                conn.execute(update(HubStation).where(HubStation.code == scope).values(seq=seq))
                if tally is not None:
                    for kind in {k for k, _ in added}:
                        terms = [t for k, t in added if k == kind]
                        tally.put(kind, sum(terms), len(terms))
                    tally.save(conn, scope, seq)
            if new_conflicts:
                conn.execute(insert(HubConflict), new_conflicts)
            if open_conflicts and new_changes:  # a device's accepted change settles its own conflicts
                resolved = list({c[0] for c in new_changes})
                for i in range(0, len(resolved), IN_CHUNK):
                    conn.execute(update(HubConflict).where(HubConflict.uid.in_(resolved[i:i + IN_CHUNK]),
                                                           HubConflict.device_no == device_no,
                                                           HubConflict.resolved_at.is_(None)).values(resolved_at=now))
            # kept: how many of each answer, and which changes were not simply accepted (an accepted
            # batch would otherwise store one entry per change, read by nobody)
            counts = dict(Counter(r["status"] for r in others.values()))
            if len(checked) > len(others):
                counts["accepted"] = len(checked) - len(others)
            conn.execute(insert(HubBatch).values(batch_id=batch_id, device=device.id, received_at=now,
                                                 changes=len(checked), results={"counts": counts, "others": [
                                                     {"seq": r["seq"], "status": r["status"]} for r in others.values()]}))
            max_seq = max(map(itemgetter(0), checked), default=0)
            conn.execute(update(HubDevice).where(HubDevice.id == device.id).values(
                last_seen_at=now, last_seq=func.greatest(HubDevice.last_seq, max_seq)
                if not sqlite else func.max(HubDevice.last_seq, max_seq)))
    except IntegrityError as e:  # a concurrent writer got there first; nothing of this batch is kept
        log.warning("push conflict-retry station=%s device=%s batch=%s: %s", scope, device.device_no, batch_id,
                    type(e.orig).__name__)
        raise HubError(503, "retry", "并发写入冲突，请稍后重试") from None
    log.info("push station=%s device=%s batch=%s changes=%d %s", scope, device.device_no, batch_id, len(checked),
             " ".join(f"{k}={v}" for k, v in sorted(counts.items())))
    if batch.compact:
        return {"batch_id": batch_id, "accepted": len(checked) - len(others), "results": list(others.values())}
    return {"batch_id": batch_id, "results": [
        others.get(i) or {"seq": c[0], "uid": c[2], "version": c[3], "status": "accepted"}
        for i, c in enumerate(checked)]}


def _param(conn: Connection, name: str) -> str:
    """A named placeholder in the driver's own style (for ``exec_driver_sql``)."""
    return f":{name}" if conn.dialect.name == "sqlite" else f"%({name})s"


# --- hub-side reference data -------------------------------------------------------------

def put_records_conn(conn: Connection, scope: str, records: Iterable[dict[str, Any]], *,
                     only_if_changed: bool = False) -> int:
    """Write hub-managed records (reference data) as new versions on top of whatever the hub holds."""
    seq = lock_scope(conn, scope)
    tally = fingerprints.Tally.open(conn, scope, seq)
    now = utcnow()
    n = 0
    for data in records:
        data = dict(data)
        kind = data.get("_kind")
        if kind not in P.ALL_KINDS:
            raise HubError(400, "unknown_kind", f"未知的记录类型：{kind}")
        uid = data.setdefault("uid", str(uuid.uuid4()))
        head = conn.execute(select(HubRecord).where(HubRecord.uid == uid)).first()
        if head is not None and head.scope != scope:
            raise HubError(400, "wrong_station", f"记录 {uid} 属于其他司法所")
        old = json.loads(head.payload) if head else {}
        merged = {**{"created_at": _stamp(now), "created_by": None, "updated_by": None, "deleted": False}, **old,
                  **data}
        if only_if_changed and head is not None and all(old.get(k) == v for k, v in data.items()):
            continue
        merged["version"] = (head.version if head else 0) + 1
        merged["updated_at"] = _stamp(now)
        merged["device_id"] = "hub"
        h = P.payload_hash(merged)
        seq += 1
        payload = P.canonical_json(merged)
        values = {"scope": scope, "kind": kind, "version": merged["version"], "hash": h, "seq": seq,
                  "device_no": 0, "updated_at": now, "payload": payload}
        if head is None:
            conn.execute(insert(HubRecord).values(uid=uid, **values))
        else:
            conn.execute(update(HubRecord).where(HubRecord.uid == uid).values(**values))
        if tally is not None:
            if head is not None:
                tally.take(head.kind, P.record_term(uid, head.version))
            tally.put(kind, P.record_term(uid, merged["version"]))
        conn.execute(insert(HubChange).values(uid=uid, version=merged["version"], base_version=merged["version"] - 1,
                                              hash=h, scope=scope, device_no=0, device_seq=0, batch_id="hub",
                                              received_at=now))
        n += 1
    conn.execute(update(HubStation).where(HubStation.code == scope).values(seq=seq))
    if tally is not None:
        tally.save(conn, scope, seq)
    return n


def put_reference(engine: Engine, records: list[dict[str, Any]], station_code: str | None = None) -> int:
    """Load reference data: code-table entries county-wide, villages/staff/committees for a station."""
    county = [r for r in records if r.get("_kind") in P.COUNTY_KINDS]
    local = [r for r in records if r.get("_kind") not in P.COUNTY_KINDS]
    if local and not station_code:
        raise HubError(400, "station_required", "村(居)、工作人员、调委会须指定 --station")
    with writer(engine).begin() as conn:
        ensure_scope(conn, P.COUNTY_SCOPE, name="县级")
        n = put_records_conn(conn, P.COUNTY_SCOPE, county) if county else 0
        if local:
            if conn.execute(select(HubStation.code).where(HubStation.code == station_code)).first() is None:
                raise HubError(404, "no_station", f"没有登记司法所 {station_code}")
            n += put_records_conn(conn, station_code or "", local)
    return n


# --- download, verification, stats ------------------------------------------------------

def pull(engine: Engine, device: Device, cursor: dict[str, int], limit: int = P.PAGE_RECORDS) -> dict[str, Any]:
    """One page of records changed since ``cursor`` (station scope first, then county scope).

    The device's own newest versions advance the cursor but are not sent back (nor do
    they fill pages: after uploading 100,000 changes a device gets one short page, not
    a hundred empty ones); should the device have lost one, the final check finds it.
    """
    limit = max(1, min(int(limit), P.PAGE_RECORDS))
    out: list[dict[str, Any]] = []
    new = {"s": int(cursor.get("s", 0)), "c": int(cursor.get("c", 0))}
    scanned = 0
    with engine.connect() as conn:
        # read before the records: every record up to this seq is committed and visible below
        # (writers of a scope are serialised and bump its seq in the same transaction)
        top = conn.execute(select(HubStation.seq).where(HubStation.code == device.station_code)).scalar() or 0
        for key, scope in (("s", device.station_code), ("c", P.COUNTY_SCOPE)):
            room = limit - scanned
            if room <= 0:
                break
            q = (select(HubRecord.kind, HubRecord.uid, HubRecord.version, HubRecord.hash, HubRecord.seq,
                        HubRecord.payload).where(HubRecord.scope == scope, HubRecord.seq > new[key])
                 .order_by(HubRecord.seq).limit(room))
            if key == "s":  # the device's own newest versions are skipped here, not sent and dropped
                q = q.where(HubRecord.device_no != device.device_no)
            rows = conn.execute(q).all()
            scanned += len(rows)
            for r in rows:
                new[key] = r.seq
                out.append({"kind": r.kind, "uid": r.uid, "version": r.version, "hash": r.hash,
                            "scope": "county" if key == "c" else "station", "payload": orjson.loads(r.payload)})
            if len(rows) >= room:
                break
            if key == "s":  # nothing else of this station up to ``top`` is for this device
                new[key] = max(new[key], top)
        more = scanned >= limit
    return {"records": out, "cursor": new, "more": more}


def fetch_records(engine: Engine, device: Device, uids: list[str]) -> list[dict[str, Any]]:
    out = []
    with engine.connect() as conn:
        for i in range(0, len(uids), 500):
            for r in conn.execute(select(HubRecord).where(HubRecord.uid.in_(uids[i:i + 500]),
                                                          HubRecord.scope.in_([device.station_code, P.COUNTY_SCOPE]))):
                out.append({"kind": r.kind, "uid": r.uid, "version": r.version, "hash": r.hash,
                            "scope": "county" if r.scope == P.COUNTY_SCOPE else "station",
                            "payload": json.loads(r.payload)})
    return out


def manifest(engine: Engine, device: Device, kind: str) -> list[tuple[str, int]]:
    with engine.connect() as conn:
        return [(r.uid, r.version) for r in conn.execute(
            select(HubRecord.uid, HubRecord.version).where(
                HubRecord.scope.in_([device.station_code, P.COUNTY_SCOPE]), HubRecord.kind == kind))]


def verify(engine: Engine, device: Device, station_fp: dict[str, Any], exclude: list[str],
           form: str = "hash") -> dict[str, Any]:
    """Compare the station's per-kind fingerprint with the hub's (minus uids the station excludes).

    ``form`` "sum": :func:`~station.sync.protocol.fingerprint_sums`, which the hub keeps as it
    writes (:mod:`hub.fingerprints`); "hash": :func:`~station.sync.protocol.fingerprint`, for
    devices from before, computed here from every record of the station.
    """
    skip = set(exclude)
    if form == "sum":
        kept = fingerprints.current(engine, device.station_code)
        with engine.connect() as conn:
            left_out = [r[1:] for r in select_in(conn, "SELECT scope, kind, uid, version FROM hub_records"
                                                       " WHERE uid IN ({})", sorted(skip))
                        if r[0] == device.station_code]
        hub_fp = fingerprints.without(kept, left_out)
        empty: dict[str, Any] = {"count": 0, "sum": P.sum_hex(0)}
    else:
        with engine.connect() as conn:
            mark = "?" if conn.dialect.name == "sqlite" else "%s"
            rows = conn.exec_driver_sql(f"SELECT kind, uid, version FROM hub_records WHERE scope IN ({mark}, {mark})",
                                        (device.station_code, P.COUNTY_SCOPE)).fetchall()
            kinds_up = P.UPLOAD_KINDS
            hub_fp = P.fingerprint(r for r in rows if r[0] in kinds_up and r[1] not in skip)
        empty = {"count": 0, "hash": ""}
    kinds = sorted((set(hub_fp) | set(station_fp)) & P.UPLOAD_KINDS)
    report = {k: {"hub": hub_fp.get(k, empty), "station": station_fp.get(k, empty)} for k in kinds}
    for k, v in report.items():
        v["match"] = v["hub"] == v["station"]
    ok = all(v["match"] for v in report.values())
    if ok:
        with writer(engine).begin() as conn:
            conn.execute(update(HubStation).where(HubStation.code == device.station_code)
                         .values(last_sync_at=utcnow()))
    log.info("verify station=%s device=%s form=%s ok=%s mismatched=%s", device.station_code, device.device_no,
             form, ok, ",".join(k for k, v in report.items() if not v["match"]) or "-")
    return {"ok": ok, "kinds": report}


def stats(engine: Engine, station_code: str | None = None) -> list[dict[str, Any]]:
    """Per station: counts per kind (live and deleted), open conflicts, devices, last successful sync."""
    with engine.connect() as conn:
        q = select(HubStation).where(HubStation.code != P.COUNTY_SCOPE).order_by(HubStation.code)
        if station_code:
            q = q.where(HubStation.code == station_code)
        stations = conn.execute(q).all()
        out = []
        for s in stations:
            counts = {k: n for k, n in conn.execute(
                select(HubRecord.kind, func.count()).where(HubRecord.scope == s.code).group_by(HubRecord.kind))}
            conflicts = conn.execute(select(func.count()).select_from(HubConflict).where(
                HubConflict.scope == s.code, HubConflict.resolved_at.is_(None))).scalar_one()
            devices = conn.execute(select(func.count()).select_from(HubDevice).where(
                HubDevice.station_code == s.code, HubDevice.revoked_at.is_(None))).scalar_one()
            from .audit import broken_chains
            out.append({"station": s.code, "name": s.name, "counts": counts, "open_conflicts": conflicts,
                        "devices": devices, "audit_broken": broken_chains(conn, s.code),
                        "last_sync_at": s.last_sync_at.isoformat(sep=" ") if s.last_sync_at else None})
    return out
