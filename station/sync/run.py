"""One sync run: upload the outbox, download what the hub has, compare, repair.

Designed to be called from a worker thread (the GUI) or the CLI:
``run_sync(station, progress=..., cancel=...)`` returns a :class:`SyncResult`
and never raises for network trouble (the result says what went wrong and
whether a retry may help; see :func:`station.sync.backoff.backoff_delay`).

Guarantees, whatever the network does:

* an outbox entry is marked sent only in the transaction that records the
  hub's answer for it, so a lost answer means the change is sent again, and the
  hub recognises it as a duplicate;
* a downloaded page, and the cursor that follows it, are written in one local
  transaction without outbox entries;
* a conflict keeps both versions locally and on the hub until a person decides.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

from sqlalchemy import text

from .. import settings
from ..db.base import utcnow
from ..db.engine import driver_rows
from ..db.tracking import emit_changes
from ..security import audit
from ..models import SYNCED_MODELS
from ..records import to_dict
from . import protocol as P
from . import state
from .apply import apply_records, close_page_connection, open_page_connection
from .client import HubClient
from .credentials import load_token, store_token
from .errors import NotLoggedIn, SyncError

if TYPE_CHECKING:
    from ..station import Station

log = logging.getLogger("station.sync")

Progress = Callable[[str, int, int], None]
Cancel = Callable[[], bool] | threading.Event


@dataclass
class SyncResult:
    """Summary of one run, safe to show (counts and ids, no personal data)."""

    status: str = "ok"  # ok | busy | cancelled | error
    message: str = ""
    code: str = ""  # SyncError.code when status == "error" (see errors.plain_message)
    retryable: bool = True
    sent: int = 0
    accepted: int = 0
    duplicate: int = 0
    conflicts: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    held: int = 0
    received: int = 0
    applied: int = 0
    failed: int = 0  # downloaded records that could not be stored here (see sync_state "apply_failures")
    verified: bool = False
    mismatched: list[str] = field(default_factory=list)
    repaired: int = 0
    open_conflicts: int = 0
    started_at: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        if self.status != "ok":
            return self.message
        parts = [f"上传 {self.sent} 条（新 {self.accepted}，重复 {self.duplicate}）", f"下载 {self.applied} 条"]
        if self.conflicts or self.open_conflicts:
            parts.append(f"待处理冲突 {self.open_conflicts} 条")
        if self.rejected:
            parts.append(f"被拒绝 {len(self.rejected)} 条")
        if self.failed:
            parts.append(f"{self.failed} 条下载记录无法保存（编号冲突等，详见同步日志）")
        if self.repaired:
            parts.append(f"核对后补传/补下 {self.repaired} 条")
        parts.append("核对一致" if self.verified else f"核对不一致：{','.join(self.mismatched)}")
        return "；".join(parts)


# --- local lock -----------------------------------------------------------------------

@contextmanager
def _exclusive(folder: Path) -> Iterator[bool]:
    """One sync per data folder at a time, across threads and processes (OS file lock)."""
    path = folder / "sync.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    got = False
    try:
        try:
            if os.name == "nt":
                import msvcrt
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
            else:
                import fcntl
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            got = True
        except OSError:
            got = False
        yield got
    finally:
        if got and os.name != "nt":
            import fcntl
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


# --- login / configuration -------------------------------------------------------------

def login(station: "Station", hub_url: str, token: str, *, token_file: str | Path | None = None) -> dict[str, Any]:
    """Check the token with the hub, store it (keyring or the chosen file) and take the device number."""
    with HubClient(hub_url, token, device_id=station.device_id) as client:
        hello = client.hello()
    info = station.reference.station_info()
    if info and info["code"] != hello["station"]:
        raise SyncError(f"该令牌属于司法所 {hello['station']}，而本机数据属于 {info['code']}，未登录",
                        code="wrong_station", retryable=False)
    tf = Path(token_file).expanduser().resolve() if token_file else None
    store_token(token, device_id=station.device_id, hub_url=hub_url, token_file=tf)
    with station.write() as s:
        state.put(s, "hub_url", hub_url.rstrip("/"))
        state.put(s, "token_file", str(tf) if tf else None)
        state.put(s, "station", hello["station"])
        settings.put(s, "device_no", int(hello["device_no"]))
    return {"station": hello["station"], "device_no": hello["device_no"], "hub_url": hub_url,
            "storage": "file" if tf else "keyring"}


def client_for(station: "Station") -> HubClient:
    with station.read() as s:
        url, token_file = state.get(s, "hub_url"), state.get(s, "token_file")
    if not url:
        raise NotLoggedIn()
    token = load_token(device_id=station.device_id, hub_url=url, token_file=token_file)
    if not token:
        raise NotLoggedIn()
    return HubClient(url, token, device_id=station.device_id)


def status(station: "Station") -> dict[str, Any]:
    """What the sync page shows without network: hub, last success, waiting changes, open conflicts."""
    with station.read() as s:
        return {
            "hub_url": state.get(s, "hub_url"),
            "logged_in": bool(state.get(s, "hub_url")),
            "last_success_at": state.get(s, "last_success_at"),
            "last_result": state.get(s, "last_result"),
            "pending": int(s.execute(text("SELECT count(*) FROM outbox WHERE sent_at IS NULL")).scalar_one()),
            "open_conflicts": int(s.execute(text(
                "SELECT count(*) FROM sync_conflicts WHERE resolved_at IS NULL")).scalar_one()),
        }


def last_result(station: "Station") -> dict[str, Any] | None:
    with station.read() as s:
        return state.get(s, "last_result")  # type: ignore[no-any-return]


# --- the run ---------------------------------------------------------------------------

def _cancelled(cancel: Cancel | None) -> bool:
    if cancel is None:
        return False
    return cancel.is_set() if isinstance(cancel, threading.Event) else bool(cancel())


class _Cancelled(Exception):
    pass


def run_sync(station: "Station", *, progress: Progress | None = None, cancel: Cancel | None = None,
             client: HubClient | None = None, batch_size: int = P.BATCH_CHANGES) -> SyncResult:
    """Run one complete sync; see the module docstring. Safe to call while the user keeps working."""
    res = SyncResult(started_at=utcnow().isoformat(sep=" "))
    t0 = time.monotonic()
    with _exclusive(station.data_dir) as got:
        if not got:
            res.status, res.message = "busy", "另一个同步正在进行"
            return res
        own = client is None
        try:
            if client is None:
                client = client_for(station)
            _run(station, client, res, progress or (lambda *_: None), cancel, batch_size)
        except _Cancelled:
            res.status, res.message = "cancelled", "同步已取消，已完成的部分已保存"
        except SyncError as e:
            res.status, res.message, res.retryable, res.code = "error", e.message, e.retryable, e.code
        finally:
            if own and client is not None:
                client.close()
        res.seconds = round(time.monotonic() - t0, 3)
        with station.read() as s:
            res.open_conflicts = int(s.execute(text(
                "SELECT count(*) FROM sync_conflicts WHERE resolved_at IS NULL")).scalar_one())
        with station.write() as s:
            state.put(s, "last_result", res.to_dict())
            if res.ok:
                state.put(s, "last_success_at", res.started_at)
            audit.audit(s, "sync", detail={"status": res.status, "sent": res.sent, "accepted": res.accepted,
                                           "conflicts": res.conflicts, "applied": res.applied,
                                           "rejected": len(res.rejected)})
    log.info("sync device=%s status=%s sent=%d accepted=%d duplicate=%d conflicts=%d rejected=%d applied=%d "
             "verified=%s seconds=%.2f", station.device_id, res.status, res.sent, res.accepted, res.duplicate,
             res.conflicts, len(res.rejected), res.applied, res.verified, res.seconds)
    return res


def _run(st: "Station", client: HubClient, res: SyncResult, progress: Progress, cancel: Cancel | None,
         batch_size: int) -> None:
    hello = client.hello()
    with st.read() as s:
        device_no = int(settings.get(s, "device_no"))
    if hello["device_no"] != device_no:
        raise SyncError(f"本机设备编号（{device_no}）与县级平台登记的（{hello['device_no']}）不一致，请重新登录",
                        code="device_no", retryable=False)
    station_code = str(hello["station"])
    limit = (hello.get("limits") or {}).get("batch_changes")
    if isinstance(limit, int) and limit > 0:  # never more than this hub accepts
        batch_size = min(batch_size, limit)
    features = hello.get("features") or ()
    sums = P.FEATURE_FINGERPRINT_SUM in features  # the hub keeps summed fingerprints
    frames = P.FEATURE_PUSH_FRAMES in features  # batches may go as frames (payload bytes beside a JSON head)
    audit_batch = (hello.get("limits") or {}).get("audit_entries")
    if not isinstance(audit_batch, int) or audit_batch <= 0:
        audit_batch = P.OLD_HUB_AUDIT_ENTRIES
    # Beside the change upload, on threads of their own: the audit entries go up once its first
    # batch is on its way (the hub gets that at once; then the device reads and packs one request
    # while the hub works on another), and the snapshot of this device's records for the final
    # check is taken once the last batch is (the hub writes that meanwhile). Uploading changes no
    # record, and a record edited meanwhile has an unsent outbox entry, which the check leaves out
    # anyway: only a download bringing records of uploaded kinds makes the snapshot stale.
    audit_sent: list[Future[None]] = []
    snapshot: list[Future[_Snapshot]] = []

    def send_audit() -> None:
        if not audit_sent:
            audit_sent.append(side.submit(_upload_audit, st, client, min(audit_batch, P.MAX_AUDIT_ENTRIES), cancel))

    def take_snapshot() -> None:
        snapshot.append(side.submit(_Snapshot.take, st, sums))

    with ThreadPoolExecutor(2, thread_name_prefix="sync-side") as side:
        try:
            _upload(st, client, res, progress, cancel, batch_size, station_code, device_no, frames,
                    on_first_sent=send_audit, on_last_sent=take_snapshot)
            send_audit()  # nothing to upload: the audit entries may still have to go
        finally:
            audit_error = audit_sent[0].exception() if audit_sent else None  # waits: nothing of this run outlives it
    if audit_error is not None:
        raise audit_error
    stale = _download(st, client, res, progress, cancel)
    local = snapshot[0].result() if snapshot and not stale and snapshot[0].exception() is None else None
    for attempt in range(2):
        progress("verify", attempt, 2)
        mismatched = _verify(st, client, res, local, sums)
        local = None
        if not mismatched or attempt == 1:
            break
        res.repaired += _repair(st, client, mismatched)
        _upload(st, client, res, progress, cancel, batch_size, station_code, device_no, frames)
        _download(st, client, res, progress, cancel)


def _upload_audit(st: "Station", client: HubClient, batch: int = P.OLD_HUB_AUDIT_ENTRIES,
                  cancel: Cancel | None = None) -> None:
    """Send this device's audit entries the hub does not hold yet; remember a break the hub reports.
    A cancel stops it between two requests (the rest goes next time)."""
    while not _cancelled(cancel):
        with st.read() as s:
            sent = int(state.get(s, "audit_sent_seq") or 0)
            entries, count = audit.entries_json_after(s, st.device_id, sent, batch)
        if not count:
            return
        answer = client.audit(entries)
        with st.write() as s:
            state.put(s, "audit_sent_seq", int(answer["last_seq"]))
            state.put(s, "audit_hub_broken", answer.get("broken"))
        if answer.get("broken"):
            log.warning("hub reports a broken audit chain for device=%s at seq=%s", st.device_id,
                        answer["broken"]["seq"])
        if count < batch:
            return


def _pending_count(st: "Station", upto: int) -> int:
    with st.read() as s:
        return int(s.execute(text("SELECT count(*) FROM outbox WHERE sent_at IS NULL AND seq <= :m"),
                             {"m": upto}).scalar_one())


#: changes in the first upload batch of a run; the next ones are four times larger, up to the batch
#: size. The hub would otherwise wait for the device to read and pack a whole 20,000-change batch
#: before it could start. Not smaller: on a large hub database every transaction rewrites most
#: index pages of its random uids, so small batches cost nearly as much as full ones.
FIRST_BATCH = 5000


def _upload(st: "Station", client: HubClient, res: SyncResult, progress: Progress, cancel: Cancel | None,
            batch_size: int, station_code: str, device_no: int, frames: bool = False,
            on_first_sent: Callable[[], None] | None = None, on_last_sent: Callable[[], None] | None = None) -> None:
    """Send the outbox in batches, pipelined with the local work and the hub's.

    While the hub works on batch N, this thread reads, packs and sends batch N+1 (at most
    two batches in flight: the hub reads N+1 in its parse worker while it writes N), and
    answers are recorded in batch order. Batch N+1 stops before the first record that
    batch N carries, so an entry is never sent before the answer about that record's
    previous version is recorded (a conflict there holds the later edits back, exactly as
    without pipelining). No batch is sent once one before it has failed; one already on
    its way when that happens may still be taken by the hub, and its entries go up again
    next time (duplicates to the hub).
    """
    with st.read() as s:
        upto = int(s.execute(text("SELECT coalesce(max(seq), 0) FROM outbox")).scalar_one())
    total = _pending_count(st, upto)
    done = 0
    progress("upload", 0, total)
    after = 0
    pending: tuple[Future[dict[str, Any]], list[Any], str] | None = None
    pool = ThreadPoolExecutor(2, thread_name_prefix="sync-push")
    size = min(batch_size, FIRST_BATCH)  # the hub starts on a small batch while the device reads the next

    def push(prev: Future[dict[str, Any]] | None, changes: list[Any], batch_id: str) -> dict[str, Any]:
        if prev is not None and prev.done() and prev.exception() is not None:  # never after a failure
            raise _Skipped()
        return _push_split(client, station_code, device_no, st.device_id, changes, batch_id, frames)

    try:
        while True:
            stop = _cancelled(cancel)
            batch: list[Any] = []
            batch_id, skipped, blocked = "", 0, False
            if not stop:
                avoid = {r[2] for r in pending[1]} if pending else set()
                batch, batch_id, skipped, blocked = _next_batch(st, size, upto, res, after, avoid)
                size = min(batch_size, size * 4)
                done += skipped
            nxt = None
            if batch:
                changes: list[Any] = batch if frames else [  # payload: canonical JSON, as hashed
                    {"seq": r[0], "kind": r[1], "uid": r[2], "version": r[3], "base_version": r[4], "hash": r[6],
                     "payload": r[5].decode("utf-8")} for r in batch]
                if pending is not None:  # packed here, while the hub works on the batch before
                    client.prepare_push(station_code, device_no, st.device_id, changes, batch_id, frames=frames)
                nxt = (pool.submit(push, pending[0] if pending else None, changes, batch_id), batch, batch_id)
                after = batch[-1][0]
                if on_first_sent is not None:
                    on_first_sent()
                    on_first_sent = None
            if nxt is None and pending is not None and on_last_sent is not None and not skipped and not blocked:
                on_last_sent()  # nothing left to read: the device is idle until the last answer
                on_last_sent = None
            if pending is not None:
                answer = pending[0].result()  # a failure raises here; the batch queued behind it is not sent
                _record_answer(st, pending[1], pending[2], answer, res)
                done += len(pending[1])
                progress("upload", min(done, total), total)
            pending = nxt
            if stop:
                raise _Cancelled()
            if pending is None and not skipped and not blocked:
                break
    finally:
        pool.shutdown(wait=True)
        client.discard_prepared()


def _push_split(client: HubClient, station_code: str, device_no: int, device_id: str,
                changes: list[Any], batch_id: str | None, frames: bool = False) -> dict[str, Any]:
    """Push one batch; if the hub finds it too large (413), send it as two halves, in order."""
    try:
        return client.push(station_code, device_no, device_id, changes, batch_id=batch_id, frames=frames)
    except SyncError as e:
        if e.status != 413 or len(changes) < 2:
            raise
    half = len(changes) // 2
    first = _push_split(client, station_code, device_no, device_id, changes[:half], None, frames)
    second = _push_split(client, station_code, device_no, device_id, changes[half:], None, frames)
    both = {**first, "results": list(first.get("results", [])) + list(second.get("results", []))}
    if "accepted" in first or "accepted" in second:  # compact answers: each counts its own accepted changes
        both["accepted"] = int(first.get("accepted", 0)) + int(second.get("accepted", 0))
    return both


class _Skipped(Exception):
    """A queued batch that was not sent because the one before it failed."""


#: outbox columns of a batch row, in this order (plain tuples: thousands per batch); the payload as
#: its UTF-8 bytes, as frames send it and as its hash was taken
_OUTBOX_COLS = "o.seq, o.kind, o.uid, o.version, o.base_version, CAST(p.payload AS BLOB), o.content_hash"
#: outbox entries with their payloads (0010: kept apart, so marking entries sent does not rewrite them)
_OUTBOX_FROM = "outbox o JOIN outbox_payloads p ON p.seq = o.seq"
#: upload batches are also cut by payload size, well inside the hub's inflated limit
#: (MAX_INFLATED_BYTES); a batch the hub finds too large compressed is split and sent in halves
BATCH_PAYLOAD_BYTES = 24 * 1024 * 1024


def _cut(rows: Sequence[Any]) -> list[Any]:
    """The longest prefix of ``rows`` whose payloads stay within :data:`BATCH_PAYLOAD_BYTES` of UTF-8 (at least one)."""
    size = 0
    for i, r in enumerate(rows):
        size += len(r[5])
        if size > BATCH_PAYLOAD_BYTES and i:
            return list(rows[:i])
    return list(rows)


def _next_batch(st: "Station", limit: int, upto: int, res: SyncResult, after: int = 0,
                avoid: set[str] | frozenset[str] = frozenset()) -> tuple[list[Any], str, int, bool]:
    """Pick the next pending entries after ``after``; entries that must not go up are settled here.

    Returns (batch, batch id, entries settled, blocked): the batch stops before the first
    entry of a record in ``avoid`` (the batch still in flight); ``blocked`` says one was
    left waiting. The common case (every entry goes up) needs only a read: the batch id
    is written with the hub's answer, in the transaction that marks the entries sent.
    """
    batch_id = str(uuid.uuid4())
    query = (f"SELECT {_OUTBOX_COLS} FROM {_OUTBOX_FROM} WHERE o.sent_at IS NULL AND o.seq > ? AND o.seq <= ?"
             " ORDER BY o.seq LIMIT ?")
    with st.read() as s:
        rows = driver_rows(s, query, (after, upto, limit))
        if not rows:
            return [], batch_id, 0, False
        conflicted = {r[0] for r in s.execute(text("SELECT uid FROM sync_conflicts WHERE resolved_at IS NULL"))}
    if all(r[1] in P.UPLOAD_KINDS and r[2] not in conflicted and r[2] not in avoid for r in rows):
        return _cut(rows), batch_id, 0, False
    now = utcnow()
    blocked = False
    with st.write() as s:  # some entries are settled or held back here: decide again under the write lock
        rows = driver_rows(s, query, (after, upto, limit))
        conflicted = {r[0] for r in s.execute(text("SELECT uid FROM sync_conflicts WHERE resolved_at IS NULL"))}
        batch, settled = [], 0
        for r in rows:
            seq, kind, uid, version, _, payload, chash = r
            if uid in avoid:  # wait for the answer about this record's entry in flight
                blocked = True
                break
            if kind not in P.UPLOAD_KINDS:  # county / hub-owned data is never uploaded
                s.execute(text("UPDATE outbox SET sent_at = :t, batch_id = 'local' WHERE seq = :q"),
                          {"t": now, "q": seq})
                settled += 1
            elif uid in conflicted:  # edits on top of an open conflict wait for the person's decision
                s.execute(text("UPDATE sync_conflicts SET mine_version = :v, mine_hash = :h, mine_payload = :p"
                               " WHERE uid = :u AND resolved_at IS NULL"),
                          {"v": version, "h": chash, "p": payload.decode("utf-8"), "u": uid})
                s.execute(text("UPDATE outbox SET sent_at = :t, batch_id = 'held' WHERE seq = :q"),
                          {"t": now, "q": seq})
                settled += 1
                res.held += 1
            else:
                batch.append(r)
    return _cut(batch), batch_id, settled, blocked


def _record_answer(st: "Station", batch: list[Any], batch_id: str, answer: dict[str, Any],
                   res: SyncResult) -> None:
    """Mark acknowledged entries sent (under the batch id) and store conflicts, in one local transaction.

    A compact answer (``accepted``: a count) lists only the changes not simply accepted: the
    others of the batch are. Its count must add up, or nothing is marked (the batch goes again).
    """
    by_seq = {r[0]: r for r in batch}
    results = answer.get("results", [])
    compact = "accepted" in answer
    if compact:
        listed = {a.get("seq") for a in results}
        accepted = [r[0] for r in batch if r[0] not in listed]
        if len(accepted) != answer["accepted"] or len(listed) != len(results) or not listed <= by_seq.keys():
            raise SyncError("县级平台的应答与所传批次对不上，稍后会自动重试", code="bad_response")
        res.accepted += len(accepted)
        res.sent += len(accepted)
    now = utcnow()
    sent: list[int] = accepted if compact else []
    with st.write() as s:
        for a in results:
            row = by_seq.get(a.get("seq"))
            if row is None:
                continue
            status = a.get("status")
            if status in ("accepted", "duplicate"):
                sent.append(row[0])
                res.accepted += status == "accepted"
                res.duplicate += status == "duplicate"
            elif status == "conflict" and a.get("theirs"):
                theirs = a["theirs"]
                _store_conflict(s, row, theirs, now)
                sent.append(row[0])
                res.conflicts += 1
            elif status == "rejected":
                s.execute(text("UPDATE outbox SET sent_at = :t, batch_id = :b WHERE seq = :q"),
                          {"t": now, "b": f"rejected:{a.get('reason', '')}"[:36], "q": row[0]})
                res.rejected.append({"kind": row[1], "uid": row[2], "reason": a.get("reason", "")})
            else:
                continue
            res.sent += 1
        _mark_sent(s, sent, now, batch_id)


def _mark_sent(s: Any, seqs: list[int], now: dt.datetime, batch_id: str) -> None:
    """Mark outbox entries ``seqs`` sent under ``batch_id``. Usually they are all the unsent entries
    between the first and the last (a batch is read that way, and others of it are settled by now):
    then one range update, a sixth cheaper than lists of seqs."""
    if not seqs:
        return
    lo, hi = min(seqs), max(seqs)
    unsent = s.execute(text("SELECT seq FROM outbox WHERE seq BETWEEN :lo AND :hi AND sent_at IS NULL"),
                       {"lo": lo, "hi": hi}).scalars().all()
    if len(unsent) == len(seqs) and set(unsent) == set(seqs):
        s.execute(text("UPDATE outbox SET sent_at = :t, batch_id = :b WHERE seq BETWEEN :lo AND :hi"
                       " AND sent_at IS NULL"), {"t": now, "b": batch_id, "lo": lo, "hi": hi})
        return
    for i in range(0, len(seqs), 900):
        s.execute(text(f"UPDATE outbox SET sent_at = :t, batch_id = :b WHERE seq IN "
                       f"({','.join(map(str, seqs[i:i + 900]))})"), {"t": now, "b": batch_id})


def _store_conflict(s: Any, row: Any, theirs: dict[str, Any], now: dt.datetime) -> None:
    _, kind, uid, version, _, payload, chash = row
    p_theirs = P.canonical_json(theirs["payload"])
    existing = s.execute(text("SELECT id FROM sync_conflicts WHERE uid = :u AND resolved_at IS NULL"),
                         {"u": uid}).first()
    values = {"k": kind, "u": uid, "mv": version, "mh": chash,
              "mp": payload.decode("utf-8"), "tv": theirs["version"], "th": theirs["hash"], "tp": p_theirs, "t": now}
    if existing:
        s.execute(text("UPDATE sync_conflicts SET mine_version = :mv, mine_hash = :mh, mine_payload = :mp,"
                       " theirs_version = :tv, theirs_hash = :th, theirs_payload = :tp WHERE id = :i"),
                  {**values, "i": existing[0]})
    else:
        s.execute(text("INSERT INTO sync_conflicts (kind, uid, mine_version, mine_hash, mine_payload, theirs_version,"
                       " theirs_hash, theirs_payload, detected_at) VALUES (:k, :u, :mv, :mh, :mp, :tv, :th, :tp, :t)"),
                  values)


def _apply_page(st: "Station", records: list[dict[str, Any]], cursor: dict[str, int] | None) -> dict[str, int]:
    conn = open_page_connection(st.engine)
    try:
        with conn.begin():
            counts = apply_records(conn, records)
            if cursor is not None:
                state.put(conn, "cursor", cursor)
        return counts
    finally:
        close_page_connection(conn)


def _download(st: "Station", client: HubClient, res: SyncResult, progress: Progress,
              cancel: Cancel | None) -> bool:
    """Download and apply pages until the hub has no more; True if any applied page held records
    of uploaded kinds (a snapshot of this device's records taken before is then stale)."""
    uploaded = False
    with st.read() as s:
        cursor = state.get(s, "cursor") or {"s": 0, "c": 0}
    while True:
        if _cancelled(cancel):
            raise _Cancelled()
        page = client.pull(cursor)
        counts = _apply_page(st, page["records"], page["cursor"])
        cursor = page["cursor"]
        res.received += len(page["records"])
        res.applied += counts["applied"]
        res.failed += counts["failed"]
        uploaded = uploaded or (counts["applied"] > 0 and any(r.get("kind") in P.UPLOAD_KINDS for r in page["records"]))
        progress("download", res.received, res.received + (P.PAGE_RECORDS if page["more"] else 0))
        if not page["more"]:
            return uploaded


def _exclusions(s: Any) -> set[str]:
    """Records whose local and hub versions may legitimately differ right now."""
    return {r[0] for r in s.execute(text(  # one SELECT per partial index (an OR would read the whole outbox)
        "SELECT uid FROM outbox WHERE sent_at IS NULL UNION SELECT uid FROM outbox WHERE batch_id LIKE 'rejected:%'"
        " UNION SELECT uid FROM sync_conflicts WHERE resolved_at IS NULL"))}


def _local_versions(s: Any, kind: str) -> dict[str, int]:
    table = SYNCED_MODELS[kind].__tablename__  # type: ignore[attr-defined]
    return {u: int(v) for u, v in s.execute(text(f"SELECT uid, version FROM {table}"))}


def _local_records(st: "Station") -> list[tuple[str, str, int]]:
    """(kind, uid, version) of every record this device uploads, for the final check."""
    with st.read() as s:
        return [(k, u, v) for k in sorted(P.UPLOAD_KINDS) for u, v in driver_rows(
            s, f"SELECT uid, version FROM {SYNCED_MODELS[k].__tablename__}")]  # type: ignore[attr-defined]


@dataclass(frozen=True)
class _Snapshot:
    """This device's records and their fingerprint, taken while the hub writes the last batch."""
    rows: list[tuple[str, str, int]]
    uids: frozenset[str]
    sums: bool  # fingerprint_sums (the hub keeps them) or fingerprint (hubs from before)
    fingerprint: dict[str, dict[str, Any]]

    @classmethod
    def take(cls, st: "Station", sums: bool) -> "_Snapshot":
        rows = _local_records(st)
        return cls(rows, frozenset(r[1] for r in rows), sums,
                   P.fingerprint_sums(rows) if sums else P.fingerprint(rows))

    @property
    def form(self) -> str:
        return "sum" if self.sums else "hash"

    def without(self, exclude: set[str]) -> dict[str, dict[str, Any]]:
        """The fingerprint with ``exclude`` left out (as taken, in the usual case of none to leave out)."""
        if self.uids.isdisjoint(exclude):
            return self.fingerprint
        rows = (r for r in self.rows if r[1] not in exclude)
        return P.fingerprint_sums(rows) if self.sums else P.fingerprint(rows)


def _verify(st: "Station", client: HubClient, res: SyncResult, local: _Snapshot | None = None,
            sums: bool = False) -> list[str]:
    """Compare per-kind fingerprints with the hub. ``local`` is a snapshot taken earlier in this
    run (taken here when None); records with unsent changes or open conflicts are left out on
    both sides."""
    with st.read() as s:
        exclude = _exclusions(s)
    if local is None or local.sums != sums:
        local = _Snapshot.take(st, sums)
    answer = client.verify(local.without(exclude), sorted(exclude), local.form)
    res.verified = bool(answer["ok"])
    res.mismatched = sorted(k for k, v in answer["kinds"].items() if not v["match"])
    return res.mismatched


def _repair(st: "Station", client: HubClient, kinds: list[str]) -> int:
    """Resend what the hub lacks and fetch what this device lacks, for the mismatched kinds."""
    fixed = 0
    for kind in kinds:
        hub = dict(client.manifest(kind))
        with st.read() as s:
            exclude = _exclusions(s)
            local = _local_versions(s, kind)
        resend = [u for u, v in local.items() if u not in exclude and v > hub.get(u, 0)]
        fetch = [u for u, v in hub.items() if u not in exclude and v > local.get(u, 0)]
        log.warning("verify mismatch device=%s kind=%s resend=%d fetch=%d", st.device_id, kind, len(resend),
                    len(fetch))
        if resend:
            model = SYNCED_MODELS[kind]
            with st.write() as s:
                for i in range(0, len(resend), 500):
                    objs = [s.get(model, u) for u in resend[i:i + 500]]
                    emit_changes(s, ((to_dict(o), hub.get(o.uid, 0)) for o in objs if o is not None))
        for i in range(0, len(fetch), 1000):
            _apply_page(st, client.records(fetch[i:i + 1000]), None)
        fixed += len(resend) + len(fetch)
    return fixed
