"""Audit chains travel to the hub, which verifies each device's chain on arrival and flags a break."""
from __future__ import annotations

import hashlib
from typing import Any

import orjson
from conftest import Devices
from helpers import add_people
from hub import service
from hub.audit import ingest_audit, stored_entries
from hub.db import make_engine
from hub.models import HubAuditChain, HubAuditEntry, HubAuditSegment, HubDevice
from hub.service import stats
from sqlalchemy import insert, select, text, update
from station.security.audit import GENESIS
from station.sync import run_sync, state

A = "340621101"


def _sync(st: object) -> None:
    res = run_sync(st)  # type: ignore[arg-type]
    assert res.status == "ok", res.message


def test_hub_verifies_audit_chains_and_flags_an_edited_entry(sqlite_devices: Devices) -> None:
    a1 = sqlite_devices.new(A, "临涣镇司法所")
    a2 = sqlite_devices.new(A, "临涣镇司法所")
    add_people(a1, 5, "甲")
    add_people(a2, 3, "乙")
    _sync(a1)
    _sync(a2)
    eng = sqlite_devices.hub.engine()
    try:
        with eng.connect() as conn:
            held = {no: len(list(stored_entries(conn, pk)))
                    for pk, no in conn.execute(select(HubDevice.id, HubDevice.device_no))}
        assert held[1] >= 5 and held[2] >= 3  # a1 registered first
        assert stats(eng, A)[0]["audit_broken"] == []
        add_people(a1, 2, "丙")
        with a1.write() as s:  # someone edits a not yet uploaded entry in the station file
            last = s.execute(text("SELECT max(seq) FROM audit_log WHERE device_id = :d"), {"d": a1.device_id}).scalar()
            s.execute(text("UPDATE audit_log SET action = 'update' WHERE device_id = :d AND seq = :q"),
                      {"d": a1.device_id, "q": last - 1})
        _sync(a1)
        _sync(a2)
        broken = stats(eng, A)[0]["audit_broken"]
        assert broken == [{"device_no": 1, "seq": last - 1, "reason": "内容与校验值不符：记录被修改"}]
        with a1.read() as s:
            assert state.get(s, "audit_hub_broken")["seq"] == last - 1
    finally:
        eng.dispose()


def _chain(rows: list[list[Any]], prev: str = GENESIS) -> list[list[Any]]:
    """Entries with prev_hash and hash (re)computed the way a device does: what a careful forger writes."""
    out = []
    for r in rows:
        h = hashlib.sha256(prev.encode("ascii") + orjson.dumps(list(r[:9]))).hexdigest()
        out.append([*r[:9], prev, h])
        prev = h
    return out


def test_a_rewritten_chain_sent_again_is_caught_against_the_copy_the_hub_keeps(sqlite_devices: Devices) -> None:
    a1 = sqlite_devices.new(A, "临涣镇司法所")
    add_people(a1, 6, "甲")
    _sync(a1)
    eng = sqlite_devices.hub.engine()
    try:
        with eng.connect() as conn:  # one upload, one segment holding every entry
            segments = conn.execute(select(HubAuditSegment.first_seq, HubAuditSegment.last_seq,
                                           HubAuditSegment.count)).all()
        with a1.read() as s:
            local = [list(r) for r in s.execute(text(
                "SELECT seq, device_id, actor, action, kind, uid, version, at, detail, prev_hash, hash"
                " FROM audit_log WHERE device_id = :d ORDER BY seq"), {"d": a1.device_id})]
        uploaded = int(segments[-1][1])
        assert segments[0][0] == 1 and sum(c for _, _, c in segments) == uploaded >= 6
        with eng.connect() as conn:
            pk = conn.execute(select(HubDevice.id).where(HubDevice.station_code == A)).scalar_one()
            assert [list(r) for r in stored_entries(conn, pk)] == local[:uploaded]
        # the station file's chain is rewritten from entry 3 on, hashes and all, and sent again from the start
        target = 3
        forged = [list(r) for r in local]
        forged[target - 1][3] = "delete"
        forged = forged[:target - 1] + _chain(forged[target - 1:], forged[target - 2][10])
        with a1.write() as s:
            for r in forged[target - 1:]:
                s.execute(text("UPDATE audit_log SET action = :a, prev_hash = :p, hash = :h"
                               " WHERE device_id = :d AND seq = :q"),
                          {"a": r[3], "p": r[9], "h": r[10], "d": a1.device_id, "q": r[0]})
            state.put(s, "audit_sent_seq", 0)
        _sync(a1)
        assert stats(eng, A)[0]["audit_broken"] == [
            {"device_no": 1, "seq": target, "reason": "已上传的记录在本机被改动"}]
        with eng.connect() as conn:  # the hub's copy is the one first received
            assert [list(r) for r in stored_entries(conn, pk, target, target)] == [local[target - 1]]
    finally:
        eng.dispose()


def test_entries_kept_one_row_each_by_an_older_hub_are_still_the_reference(tmp_path: Any) -> None:
    """A hub upgraded in place holds its earlier entries as rows in hub_audit: the chain goes on from
    them, a resend is compared with them, and reading gives rows and segments in seq order."""
    eng = make_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    try:
        reg = service.register_device(eng, A, name="临涣镇司法所")
        dev = service.authenticate(eng, reg["token"])
        rows = _chain([[i, "dev-a", None, "create", "person", f"u{i}", 1, f"2026-11-0{i} 09:00:00", "{}"]
                       for i in range(1, 6)])
        with eng.begin() as conn:
            conn.execute(update(HubDevice).where(HubDevice.id == dev.id).values(device_id="dev-a"))
            conn.execute(insert(HubAuditEntry), [dict(zip(
                ("seq", "device_id", "actor", "action", "kind", "uid", "version", "at", "detail", "prev_hash",
                 "hash"), r), device_pk=dev.id) for r in rows[:3]])
            conn.execute(insert(HubAuditChain).values(device_pk=dev.id, last_seq=3, last_hash=rows[2][10]))
        out = ingest_audit(eng, dev, {"entries": rows[2:]})  # entry 3 again, as held, then 4 and 5
        assert out == {"last_seq": 5, "stored": 2, "broken": None}
        with eng.connect() as conn:
            assert [list(r) for r in stored_entries(conn, dev.id)] == rows
            assert [list(r) for r in stored_entries(conn, dev.id, 3, 4)] == rows[2:4]
        changed = _chain([[*rows[1][:3], "delete", *rows[1][4:9]]], rows[0][10])  # entry 2, rewritten
        assert ingest_audit(eng, dev, {"entries": changed})["broken"] == {
            "seq": 2, "reason": "已上传的记录在本机被改动"}
    finally:
        eng.dispose()


def test_uploads_read_by_the_parse_worker_give_what_an_entry_by_entry_check_gives(tmp_path: Any) -> None:
    """The parse worker sends back a run's summary: a run that continues the hub's copy is settled
    from it, anything else (entries sent again, a run that does not join) from the body again."""
    from hub.audit import parse_audit
    from station.sync import protocol as P

    def send(eng: Any, dev: Any, entries: list[list[Any]]) -> dict[str, Any]:
        body = P.pack({"entries": entries})
        return ingest_audit(eng, dev, parse_audit(body), body)

    eng = make_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    try:
        dev = service.authenticate(eng, service.register_device(eng, A, name="临涣镇司法所")["token"])
        rows = _chain([[i, "dev-a", None, "create", "person", f"u{i}", 1, f"2026-11-0{i} 09:00:00", "{}"]
                       for i in range(1, 9)])
        assert send(eng, dev, rows[:3]) == {"last_seq": 3, "stored": 3, "broken": None}
        assert send(eng, dev, rows[2:5]) == {"last_seq": 5, "stored": 2, "broken": None}  # entry 3 again
        forged = [*rows[5][:5], "u-other", *rows[5][6:]]  # entry 6 edited, its hashes left as they were
        assert send(eng, dev, [forged, *rows[6:]]) == {"last_seq": 8, "stored": 3, "broken": {
            "seq": 6, "reason": "内容与校验值不符：记录被修改"}}
        with eng.connect() as conn:
            assert [list(r) for r in stored_entries(conn, dev.id)] == [*rows[:5], forged, *rows[6:]]
        other = service.authenticate(eng, service.register_device(eng, A, name="临涣镇司法所")["token"])
        gap = _chain([[i, "dev-b", None, "create", "person", f"v{i}", 1, "2026-11-09 09:00:00", "{}"]
                      for i in range(1, 5)])
        assert send(eng, other, gap[2:]) == {"last_seq": 4, "stored": 2, "broken": {
            "seq": 1, "reason": "缺少第 1 条（下一条是第 3 条）：记录被删除或顺序被改动"}}
    finally:
        eng.dispose()
