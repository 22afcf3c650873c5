"""The tamper-evident audit log: one hash chain per device.

Every entry hashes the previous entry's hash together with its own canonical
fields, so an edited, removed or reordered entry breaks the chain at that
point, and :func:`verify` names the first broken ``seq`` of each device.
Entries are appended in the writer's transaction: the change and its audit
entry are on disk together or not at all.

``detail`` must not hold personal data (names, ID numbers, phones, addresses):
:func:`audit` accepts only numbers, booleans and short ASCII tokens (codes,
hashes, kinds), so a Chinese name or free text cannot slip in.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Sequence

import orjson
from sqlalchemy.orm import Session

from ..db.engine import driver_rows

GENESIS = "0" * 64
ACTIONS = frozenset({"create", "update", "delete", "print", "export", "import", "reveal", "login", "login_failed",
                     "logout", "sync", "backup", "restore", "account", "encrypt"})
_TOKEN = re.compile(r"^[A-Za-z0-9_.:@/+=\-]{0,80}$")
#: 15+ digits in a row look like an ID number, 11 like a mobile number: never in a detail
_DIGITS = re.compile(r"\d{11,}")
FIELDS = ("seq", "device_id", "actor", "action", "kind", "uid", "version", "at", "detail")


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")


def entry_hash(prev_hash: str, entry: dict[str, Any]) -> str:
    """sha256 of the previous hash + the fields as compact UTF-8 JSON (orjson: every write pays for this)."""
    canon = orjson.dumps([entry[f] for f in FIELDS])
    return hashlib.sha256(prev_hash.encode("ascii") + canon).hexdigest()


def _check_detail(value: Any) -> None:
    if value is None or isinstance(value, (bool, int, float)):
        return
    if isinstance(value, str):
        if not _TOKEN.match(value) or (_DIGITS.search(value) and not re.fullmatch(r"[0-9a-f]{64}", value)):
            raise ValueError(f"audit detail holds free text or personal data: {value[:3]!r}…")
        return
    if isinstance(value, (list, tuple)):
        for v in value:
            _check_detail(v)
        return
    if isinstance(value, dict):
        for k, v in value.items():
            _check_detail(str(k))
            _check_detail(v)
        return
    raise ValueError(f"audit detail of type {type(value).__name__}")


def _head(session: Session, device: str) -> tuple[int, str]:
    row = session.connection().exec_driver_sql(
        "SELECT seq, hash FROM audit_log WHERE device_id = ? ORDER BY seq DESC LIMIT 1", (device,)).first()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS)


def append(session: Session, items: Iterable[dict[str, Any]], *, check: bool = True) -> int:
    """Append entries (each: action, kind, uid, version, detail) to this device's chain.

    ``check=False`` only for details this module builds itself (:func:`change_items`).
    """
    device = str(session.info.get("device_id") or "")
    actor = session.info.get("actor_uid")
    seq, prev = _head(session, device)
    at = _now()
    rows = []
    for item in items:
        action = item["action"]
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r}")
        detail = item.get("detail") or {}
        if check:
            _check_detail(detail)
        seq += 1
        entry = {"seq": seq, "device_id": device, "actor": actor, "action": action, "kind": item.get("kind") or "",
                 "uid": str(item.get("uid") or ""), "version": item.get("version"), "at": at,
                 "detail": orjson.dumps(detail, option=orjson.OPT_SORT_KEYS).decode("utf-8")}
        digest = entry_hash(prev, entry)
        rows.append((*(entry[f] for f in FIELDS), prev, digest))
        prev = digest
    if rows:
        session.connection().exec_driver_sql(
            "INSERT INTO audit_log (seq, device_id, actor, action, kind, uid, version, at, detail, prev_hash, hash)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return len(rows)


def audit(session: Session, action: str, *, kind: str = "", uid: str = "", version: int | None = None,
          detail: dict[str, Any] | None = None) -> None:
    """Append one entry (print, export, reveal, login, sync, backup…) in the caller's write transaction."""
    append(session, [{"action": action, "kind": kind, "uid": uid, "version": version, "detail": detail}])


def change_items(changes: Iterable[tuple[dict[str, Any], int, str]]) -> Iterator[dict[str, Any]]:
    """Audit items for written records: (record dict, base version, content hash)."""
    for data, base, digest in changes:
        action = "delete" if data.get("deleted") else ("create" if not base else "update")
        yield {"action": action, "kind": data["_kind"], "uid": data["uid"], "version": data["version"],
               "detail": {"hash": digest}}


@dataclass(frozen=True)
class Break:
    """The first entry of a device's chain that does not verify, and why (Chinese, for the CLI)."""

    device_id: str
    seq: int
    reason: str


#: what the chain check needs of an entry: (seq, device_id, prev_hash, hash, content matches hash)
Link = tuple[int, str, str, str, bool]


def links(rows: Iterable[Sequence[Any]]) -> list[Link]:
    """Each row (seq, device_id, actor, action, kind, uid, version, at, detail, prev_hash, hash) reduced to
    its :data:`Link`: the hash is recomputed here (the costly part, per entry) over the row's own
    prev_hash, which up to a chain's first break is the hash of the entry before it."""
    dumps, sha256 = orjson.dumps, hashlib.sha256
    # entry_hash inlined (the row's first nine values are FIELDS in order): the hub runs this per entry
    return [(r[0], r[1], r[9], r[10], isinstance(r[9], str)
             and sha256(r[9].encode("utf-8") + dumps(list(r[:9]))).hexdigest() == r[10]) for r in rows]


def chain_breaks(chain: Iterable[Link], start: tuple[int, str] = (0, GENESIS)) -> list[Break]:
    """First break of each device's chain, given :func:`links` sorted by device then seq; ``start`` is
    the (seq, hash) the chain had reached before these (on the hub: one device per call)."""
    breaks: list[Break] = []
    device: str | None = None
    expected_seq, prev, broken = 1, GENESIS, False
    for seq, dev, prev_hash, hash_, content_ok in chain:
        if dev != device:
            device, expected_seq, prev, broken = dev, start[0] + 1, start[1], False
        if broken:
            continue
        reason = ""
        if seq != expected_seq:
            reason = f"缺少第 {expected_seq} 条（下一条是第 {seq} 条）：记录被删除或顺序被改动"
        elif prev_hash != prev:
            reason = "与上一条不衔接：记录被删除、插入或调换了顺序"
        elif not content_ok:
            reason = "内容与校验值不符：记录被修改"
        if reason:
            breaks.append(Break(str(device), int(seq) if seq == expected_seq else expected_seq, reason))
            broken = True
            continue
        expected_seq, prev = expected_seq + 1, hash_
    return breaks


def verify_rows(rows: Iterable[Sequence[Any]], start: tuple[int, str] = (0, GENESIS)) -> list[Break]:
    """Check chains given rows (seq, device_id, actor, action, kind, uid, version, at, detail, prev_hash, hash),
    sorted by device then seq. Used locally; the hub runs :func:`links` (in its parse worker) and
    :func:`chain_breaks` (against where its copy stands) apart."""
    return chain_breaks(links(rows), start)


def entries_json_after(session: Session, device: str, seq: int, limit: int) -> tuple[bytes, int]:
    """This device's entries after ``seq`` for upload to the hub: (a JSON array of them, each
    ``[seq, device_id, actor, action, kind, uid, version, at, detail, prev_hash, hash]``, how many). SQLite writes the JSON: an upload of 20,000 entries would
    otherwise make 220,000 Python objects only to encode them again."""
    text, count = driver_rows(
        session, "SELECT json_group_array(json_array(seq, device_id, actor, action, kind, uid, version, at, detail,"
        " prev_hash, hash)), count(*) FROM (SELECT * FROM audit_log WHERE device_id = ? AND seq > ?"
        " ORDER BY seq LIMIT ?)", (device, seq, limit))[0]
    return text.encode("utf-8"), int(count)


def verify(session: Session) -> tuple[int, list[Break]]:
    """(number of entries checked, first break of each broken device chain)."""
    rows = session.connection().exec_driver_sql(
        "SELECT seq, device_id, actor, action, kind, uid, version, at, detail, prev_hash, hash FROM audit_log"
        " ORDER BY device_id, seq").fetchall()
    return len(rows), verify_rows(rows)
