"""Audit chains travel to the hub, which verifies each device's chain on arrival and flags a break."""
from __future__ import annotations

from conftest import Devices
from helpers import add_people
from hub.service import stats
from sqlalchemy import text
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
            held = dict(conn.execute(text("SELECT device_id, count(*) FROM hub_audit GROUP BY device_id")).all())
        assert held[a1.device_id] >= 5 and held[a2.device_id] >= 3
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
