"""The pipelined upload and the short download after a big upload, against a real hub (SQLite).

The upload reads and sends batch N+1 while the hub answers batch N; these tests pin down
what that must never change: a later edit of a record never goes up before the answer
about its earlier edit is recorded (so a conflict still holds it back), and nothing is
sent after a batch failed.
"""
from __future__ import annotations

import json
import threading
from typing import Any

from conftest import Devices
from helpers import add_people, held, hub_held, pending
from sqlalchemy import text

from station.bulk import insert_records
from station.db.base import utcnow
from station.models import Person
from station.sync import run_sync
from station.sync.client import HubClient
from station.sync.errors import SyncError

A = "340621101"


class CountingClient(HubClient):
    """Counts pushes and pulls; optionally fails the n-th push as a dropped network would.

    With ``fail_late`` the failing push first waits until the push after it was answered
    (a slow request that dies while the next batch, already on its way, gets through)."""

    def __init__(self, *a: Any, fail_push: int = 0, max_changes: int = 0, fail_late: bool = False,
                 **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.pushes: list[list[int]] = []
        self.answered: list[list[int]] = []
        self.pulls = 0
        self.fail_push, self.max_changes, self.fail_late = fail_push, max_changes, fail_late
        self.next_answered = threading.Event()

    def push(self, station: str, device_no: int, device_id: str, changes: Any,  # dicts, or rows as frames
             batch_id: str | None = None, *, frames: bool = False) -> dict[str, Any]:
        seqs = [c[0] if frames else c["seq"] for c in changes]
        self.pushes.append(seqs)
        n = len(self.pushes)
        if n == self.fail_push:
            if self.fail_late:
                assert self.next_answered.wait(10), "the next batch was not sent while this one was in flight"
            raise SyncError("网络中断（测试）", code="network")
        if self.max_changes and len(changes) > self.max_changes:  # as a hub with a smaller body limit answers
            raise SyncError("请求过大（测试）", code="too_large", status=413)
        out = super().push(station, device_no, device_id, changes, batch_id=batch_id, frames=frames)
        self.answered.append(seqs)
        if n == self.fail_push + 1:
            self.next_answered.set()
        return out

    def pull(self, cursor: dict[str, int], limit: int = 1000) -> dict[str, Any]:
        self.pulls += 1
        return super().pull(cursor, limit)


def _client(devices: Devices, st: Any, **kw: Any) -> CountingClient:
    return CountingClient(devices.hub.url, st.hub_token, device_id=st.device_id, **kw)


def _hub_record(devices: Devices, uid: str) -> tuple[int, dict[str, Any]]:
    eng = devices.hub.engine()
    try:
        with eng.connect() as c:
            version, payload = c.execute(text("SELECT version, payload FROM hub_records WHERE uid = :u"),
                                         {"u": uid}).one()
            sent = c.execute(text("SELECT version FROM hub_changes WHERE uid = :u ORDER BY version"),
                             {"u": uid}).scalars().all()
    finally:
        eng.dispose()
    return version, {**json.loads(payload), "_versions": sent}


def _bulk_people(st: Any, n: int, start: int = 0) -> None:
    """``n`` people written in bulk (one outbox entry and one audit entry each), uids from ``start``."""
    now = utcnow()
    rows = [{"uid": f"00000000-0000-4000-9000-{start + i:012d}", "version": 1, "created_at": now,
             "updated_at": now, "device_id": st.device_id, "created_by": None, "updated_by": None, "deleted": False,
             "kind": "person", "name": f"批量{i}", "gender": "男", "ethnicity": "汉族", "id_type": "none",
             "id_number": "", "birth_date": None, "phone": "", "address": "", "occupation": "", "special_groups": [],
             "credit_code": "", "representative": "", "initials": "pl", "id_rev": "", "phone_rev": "", "notes": "",
             "merged_into": None, "household_size": None} for i in range(n)]
    with st.write() as s:
        insert_records(s, Person, rows)


def test_a_later_edit_waits_for_the_answer_about_the_earlier_one(sqlite_devices: Devices) -> None:
    a1, a2 = sqlite_devices.new(A, "临涣镇司法所"), sqlite_devices.new(A, "临涣镇司法所")
    uid = a1.people.save_person({"name": "王小明", "gender": "男", "address": "南坪村"}).uid
    assert run_sync(a1).ok and run_sync(a2).ok
    a1.people.save_person({"name": "王小明", "gender": "男", "address": "北坪村"}, uid=uid, base_version=1)
    assert run_sync(a1).ok
    # a2, offline, edits the same person twice: two consecutive outbox entries, one per batch
    a2.people.save_person({"name": "王小明", "gender": "男", "address": "东坪村"}, uid=uid, base_version=1)
    a2.people.save_person({"name": "王小明", "gender": "男", "address": "东坪村3组"}, uid=uid, base_version=2)
    client = _client(sqlite_devices, a2)
    res = run_sync(a2, client=client, batch_size=1)
    client.close()
    assert res.ok and res.conflicts == 1 and res.held == 1, res.summary()
    # the second edit never went up on the stale base: the hub still has a1's version 2 and no version 3
    version, hub = _hub_record(sqlite_devices, uid)
    assert version == 2 and hub["address"] == "北坪村" and hub["_versions"] == [1, 2]
    assert all(len(p) == 1 for p in client.pushes) and len(client.pushes) == 1


def test_nothing_is_sent_after_a_failed_batch(sqlite_devices: Devices) -> None:
    a1 = sqlite_devices.new(A, "临涣镇司法所")
    assert run_sync(a1).ok and pending(a1) == 0
    for i in range(9):
        a1.people.save_person({"name": f"测试{i}", "gender": "女"})
    total = pending(a1)
    assert total == 9
    client = _client(sqlite_devices, a1, fail_push=2)
    res = run_sync(a1, client=client, batch_size=3)
    client.close()
    assert res.status == "error" and res.retryable
    # the first batch was answered and recorded; the failed second and everything after it wait
    # (a third may be on its way already while the second is in flight: see the next test)
    assert len(client.pushes) in (2, 3) and pending(a1) == total - 3
    res = run_sync(a1)
    assert res.ok and res.verified and pending(a1) == 0
    assert held(a1) == hub_held(sqlite_devices.hub, A)


def test_a_batch_in_flight_when_the_one_before_fails_goes_again_as_duplicates(sqlite_devices: Devices) -> None:
    """Two batches in flight: batch 2 dies after batch 3, sent meanwhile, was taken by the hub. Batch 3's
    answer is never recorded (answers are recorded in order), nothing after it is sent, and the next
    sync sends 2 and 3 again: 3 comes back as duplicates, each record is on the hub once."""
    a1 = sqlite_devices.new(A, "临涣镇司法所")
    assert run_sync(a1).ok and pending(a1) == 0
    uids = [a1.people.save_person({"name": f"测试{i}", "gender": "女"}).uid for i in range(12)]
    total = pending(a1)
    client = _client(sqlite_devices, a1, fail_push=2, fail_late=True)
    res = run_sync(a1, client=client, batch_size=3)
    client.close()
    assert res.status == "error" and res.retryable
    assert [len(p) for p in client.pushes] == [3, 3, 3] and len(client.answered) == 2  # the 4th never went
    assert pending(a1) == total - 3
    res = run_sync(a1)
    assert res.ok and res.verified and pending(a1) == 0
    assert (res.accepted, res.duplicate) == (total - 6, 3), res.summary()
    assert held(a1) == hub_held(sqlite_devices.hub, A)
    for uid in uids:
        assert _hub_record(sqlite_devices, uid)[1]["_versions"] == [1]


def test_a_batch_too_large_for_the_hub_goes_in_halves(sqlite_devices: Devices) -> None:
    a1 = sqlite_devices.new(A, "临涣镇司法所")
    assert run_sync(a1).ok
    uids = [a1.people.save_person({"name": f"测试{i}", "gender": "女"}).uid for i in range(10)]
    client = _client(sqlite_devices, a1, max_changes=3)
    res = run_sync(a1, client=client, batch_size=10)
    client.close()
    assert res.ok and res.verified and res.accepted == 10 and pending(a1) == 0, res.summary()
    assert [len(p) for p in client.pushes] == [10, 5, 2, 3, 5, 2, 3]  # refused whole, then halves, in order
    sent = [seq for p in client.pushes[2:4] + client.pushes[5:] for seq in p]
    assert sent == sorted(sent)
    assert set(uids) <= set(hub_held(sqlite_devices.hub, A))


def test_own_uploads_do_not_come_back_as_empty_pages(sqlite_devices: Devices) -> None:
    a1, a2 = sqlite_devices.new(A, "临涣镇司法所"), sqlite_devices.new(A, "临涣镇司法所")
    _bulk_people(a1, 2500)
    client = _client(sqlite_devices, a1)
    res = run_sync(a1, client=client)
    client.close()
    assert res.ok and res.verified and res.accepted >= 2500
    assert client.pulls == 1  # was one page per 1000 of its own records, each sent back empty
    # another device of the station still gets all of them, page by page
    client = _client(sqlite_devices, a2)
    res = run_sync(a2, client=client)
    client.close()
    assert res.ok and res.verified and client.pulls >= 3
    assert held(a1) == held(a2) == hub_held(sqlite_devices.hub, A)


def test_batches_are_cut_by_payload_bytes_not_characters() -> None:
    from station.sync.run import BATCH_PAYLOAD_BYTES, _cut
    # rows carry the payload as the UTF-8 bytes read from the outbox
    big = ("调" * (BATCH_PAYLOAD_BYTES // 6 + 1)).encode()  # a third of the budget in characters, over half in UTF-8
    rows = [(i, "person", "u", 1, 0, big, "h") for i in range(3)]
    assert _cut(rows) == rows[:1]
    huge = [(1, "person", "u", 1, 0, b"x" * (BATCH_PAYLOAD_BYTES + 1), "h")]
    assert _cut(huge) == huge  # a single oversized entry still goes (the hub's limits decide)
    small = [(i, "person", "u", 1, 0, b"{}", "h") for i in range(5000)]
    assert _cut(small) == small


class AuditCountingClient(CountingClient):
    """Records the size of each audit upload; ``old_hub``: answers hello as a hub that states no audit limit."""

    def __init__(self, *a: Any, old_hub: bool = False, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.audits: list[int] = []
        self.old_hub = old_hub

    def hello(self) -> dict[str, Any]:
        out = super().hello()
        if self.old_hub:
            out["limits"] = {k: v for k, v in out["limits"].items() if k != "audit_entries"}
        return out

    def audit(self, entries: list[list[Any]] | bytes) -> dict[str, Any]:
        self.audits.append(len(json.loads(entries) if isinstance(entries, bytes) else entries))
        return super().audit(entries)


def test_audit_entries_go_up_in_the_batches_the_hub_allows(sqlite_devices: Devices) -> None:
    from station.sync import protocol as P
    a1 = sqlite_devices.new(A, "临涣镇司法所")
    assert run_sync(a1).ok
    _bulk_people(a1, 6000)  # one audit entry per record written
    client = AuditCountingClient(sqlite_devices.hub.url, a1.hub_token, device_id=a1.device_id, old_hub=True)
    res = run_sync(a1, client=client)
    client.close()
    assert res.ok and res.verified and res.accepted == 6000
    # a hub that states no limit takes the old 5000 at most: two requests
    assert len(client.audits) == 2 and max(client.audits) == P.OLD_HUB_AUDIT_ENTRIES and sum(client.audits) >= 6000
    _bulk_people(a1, 6000, start=6000)
    client = AuditCountingClient(sqlite_devices.hub.url, a1.hub_token, device_id=a1.device_id)
    res = run_sync(a1, client=client)
    client.close()
    assert res.ok and res.verified and res.accepted == 6000
    assert len(client.audits) == 1 and client.audits[0] >= 6000  # this hub says 20,000: one request
    with a1.read() as s:
        last = s.execute(text("SELECT max(seq) FROM audit_log WHERE device_id = :d"), {"d": a1.device_id}).scalar()
    eng = sqlite_devices.hub.engine()
    try:
        with eng.connect() as c:
            held_seq = c.execute(text("SELECT last_seq, broken_seq FROM hub_audit_chains")).all()
    finally:
        eng.dispose()
    # every entry up to this run's own "sync" entry (written after its upload) is on the hub, chain unbroken
    assert (last - 1, None) in [tuple(r) for r in held_seq]


def test_a_prepared_batch_is_sent_as_prepared() -> None:
    import httpx

    from station.sync import protocol as P
    bodies: list[bytes] = []

    def answer(request: httpx.Request) -> httpx.Response:
        bodies.append(request.content)
        return httpx.Response(200, json={"results": []})

    client = HubClient("http://127.0.0.1:9", "token", device_id="d", transport=httpx.MockTransport(answer))
    changes = [{"seq": 1, "kind": "person", "uid": "u", "version": 1, "base_version": 0, "hash": "h",
                "payload": "{}"}]
    client.prepare_push(A, 1, "d", changes, "b-1")
    prepared = client._prepared[("b-1", id(changes))]
    client.push(A, 1, "d", changes, batch_id="b-1")
    assert bodies[-1] is prepared and not client._prepared  # the very bytes, used once
    assert P.unpack(prepared)["batch_id"] == "b-1" and P.unpack(prepared)["changes"] == changes
    client.push(A, 1, "d", list(changes), batch_id="b-1")  # another list: packed afresh, same content
    assert bodies[-1] is not prepared and P.unpack(bodies[-1]) == P.unpack(prepared)
    client.prepare_push(A, 1, "d", changes, "b-2")
    client.discard_prepared()
    assert not client._prepared
    client.close()


def test_a_cancelled_sync_sends_no_audit_entries_either(sqlite_devices: Devices) -> None:
    import threading
    a1 = sqlite_devices.new(A, "临涣镇司法所")
    assert run_sync(a1).ok
    _bulk_people(a1, 50)
    cancel = threading.Event()
    cancel.set()  # the user pressed 取消 as the run began
    client = AuditCountingClient(sqlite_devices.hub.url, a1.hub_token, device_id=a1.device_id)
    res = run_sync(a1, client=client, cancel=cancel)
    assert res.status == "cancelled" and client.pushes == [] and client.audits == []
    assert pending(a1) == 50
    res = run_sync(a1, client=client)  # the next run sends both
    client.close()
    assert res.ok and res.verified and res.accepted == 50 and sum(client.audits) >= 50


def test_marking_sent_touches_exactly_the_acknowledged_entries(sqlite_devices: Devices) -> None:
    """One range update when the acknowledged entries are all the unsent ones between the first and
    the last, seq lists otherwise: either way no other entry is marked."""
    from station.sync.run import _mark_sent
    a1 = sqlite_devices.new(A, "临涣镇司法所")
    add_people(a1, 6, "标")
    with a1.read() as s:
        seqs = list(s.execute(text("SELECT seq FROM outbox WHERE kind = 'person' ORDER BY seq")).scalars())
    now = utcnow()
    with a1.write() as s:
        _mark_sent(s, seqs[1:3], now, "range")  # the unsent entries between them: a range
    with a1.write() as s:
        _mark_sent(s, [seqs[5], seqs[3]], now, "list")  # seqs[4] between them stays unsent: lists
    with a1.read() as s:
        marks = dict(s.execute(text("SELECT seq, batch_id FROM outbox WHERE kind = 'person'")).all())
    assert [marks[q] for q in seqs] == [None, "range", "range", "list", None, "list"]
