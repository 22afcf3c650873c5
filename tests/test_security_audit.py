"""The audit chain: every change is logged in its transaction; edits, removals and reorders are found."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from station import Station
from station.security.audit import verify

from .conftest import VALID_ID


def _entries(st: Station) -> list[tuple]:
    with st.read() as s:
        return s.execute(text("SELECT seq, action, kind, uid, version, detail, actor FROM audit_log ORDER BY seq")).all()


def _verify(st: Station) -> tuple[int, list]:
    with st.read() as s:
        return verify(s)


@pytest.fixture
def logged(ready: Station) -> Station:
    p = ready.people.save_person({"name": "张三", "id_number": VALID_ID, "phone": "13800138000"})
    ready.people.save_person({"name": "张三丰", "phone": "13800138000"}, uid=p.uid, base_version=1)
    ready.records.delete_record("person", p.uid)
    ready.audit("reveal", kind="person", uid=p.uid, detail={"field": "id_number"})
    return ready


def test_every_change_is_logged_without_personal_data(logged: Station) -> None:
    rows = _entries(logged)
    person = [r for r in rows if r.kind == "person"]
    assert [(r.action, r.version) for r in person] == [("create", 1), ("update", 2), ("delete", 3), ("reveal", None)]
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    with logged.read() as s:
        dump = "\n".join(str(tuple(r)) for r in s.execute(text("SELECT * FROM audit_log")))
    for secret in ("张三", VALID_ID, "13800138000", "临涣镇", "南坪村", "孙德胜"):
        assert secret not in dump
    assert _verify(logged) == (len(rows), [])


def test_failed_write_leaves_no_entry(logged: Station) -> None:
    before = len(_entries(logged))
    with pytest.raises(Exception):
        logged.people.save_person({"name": "", "id_number": "123"})
    assert len(_entries(logged)) == before


def _tamper(st: Station, sql: str) -> list:
    with st.write() as s:
        s.execute(text(sql))
    return _verify(st)[1]


def test_edited_entry_is_found(logged: Station) -> None:
    breaks = _tamper(logged, "UPDATE audit_log SET action = 'update' WHERE seq = 6")
    assert [(b.seq, "修改" in b.reason) for b in breaks] == [(6, True)]


def test_removed_entry_is_found(logged: Station) -> None:
    breaks = _tamper(logged, "DELETE FROM audit_log WHERE seq = 5")
    assert [b.seq for b in breaks] == [5] and "删除" in breaks[0].reason


def test_removed_and_renumbered_entries_are_found(logged: Station) -> None:
    with logged.write() as s:
        s.execute(text("DELETE FROM audit_log WHERE seq = 4"))
        s.execute(text("UPDATE audit_log SET seq = seq - 1 WHERE seq > 4"))
    breaks = _verify(logged)[1]
    assert [b.seq for b in breaks] == [4] and "衔接" in breaks[0].reason


def test_reordered_entries_are_found(logged: Station) -> None:
    with logged.write() as s:
        s.execute(text("UPDATE audit_log SET seq = -1 WHERE seq = 6"))
        s.execute(text("UPDATE audit_log SET seq = 6 WHERE seq = 7"))
        s.execute(text("UPDATE audit_log SET seq = 7 WHERE seq = -1"))
    assert [b.seq for b in _verify(logged)[1]] == [6]


def test_print_is_logged(ready: Station) -> None:
    from station.printing import render

    render(ready, "consultations", "2026-11")
    last = _entries(ready)[-1]
    assert (last.action, last.uid) == ("print", "consultations:2026-11") and '"form":"consultations"' in last.detail


def test_entries_go_up_as_json_that_reads_back_as_the_rows(logged: Station) -> None:
    """The upload's JSON array is written by SQLite: it must read back as exactly the entries (types,
    nulls, escapes), and the hashes must recompute from it as the hub recomputes them."""
    import json

    from station.security.audit import chain_breaks, entries_json_after, links
    logged.audit("export", detail={"format": "xlsx", "to": "a:b/c+d=e", "records": 3, "revealed": False})
    device = logged.device_id
    with logged.read() as s:
        every = [list(r) for r in s.execute(text(
            "SELECT seq, device_id, actor, action, kind, uid, version, at, detail, prev_hash, hash FROM audit_log"
            " WHERE device_id = :d ORDER BY seq"), {"d": device})]
        text_all, n_all = entries_json_after(s, device, 0, 1000)
        text_part, n_part = entries_json_after(s, device, 2, 3)
        text_none, n_none = entries_json_after(s, device, len(every), 10)
    assert len(every) >= 6 and any(e[2] is None for e in every) and any(e[6] is None for e in every)
    assert json.loads(text_all) == every and n_all == len(every)
    assert json.loads(text_part) == every[2:5] and n_part == 3
    assert json.loads(text_none) == [] and n_none == 0
    assert chain_breaks(links(json.loads(text_all))) == []
