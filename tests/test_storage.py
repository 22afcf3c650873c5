"""SQLite set-up, one transaction per action, the outbox and tombstones."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from station import NotFound, Station
from station.models import Person
from station.records import content_hash


def test_pragmas(station: Station) -> None:
    with station.read() as s:
        got = {p: s.execute(text(f"PRAGMA {p}")).scalar() for p in
               ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")}
    assert got == {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1, "busy_timeout": 10000}


def test_opening_a_missing_folder_creates_it(tmp_path) -> None:
    target = tmp_path / "a" / "b"
    with Station.open(target) as st:
        assert (target / "station.db").is_file() and st.device_id


def test_every_write_appends_an_outbox_entry_with_hash(ready: Station) -> None:
    saved = ready.people.save_person({"name": "孙淼"})
    ready.people.save_person({"name": "孙淼", "address": "五沟村"}, uid=saved.uid)
    with ready.read() as s:
        rows = s.execute(text("SELECT version, base_version, payload, content_hash FROM outbox"
                              " JOIN outbox_payloads USING (seq) WHERE uid = :u ORDER BY seq"), {"u": saved.uid}).all()
    assert [(r.version, r.base_version) for r in rows] == [(1, 0), (2, 1)]
    payload = json.loads(rows[1].payload)
    assert payload["address"] == "五沟村" and payload["_kind"] == "person"
    assert rows[1].content_hash == content_hash(payload)


def test_a_failed_action_leaves_nothing_behind(ready: Station) -> None:
    with ready.read() as s:
        before = s.execute(text("SELECT (SELECT count(*) FROM persons), (SELECT count(*) FROM outbox),"
                                " (SELECT count(*) FROM search_docs)")).one()
    with pytest.raises(RuntimeError):
        with ready.write() as s:
            s.add(Person(name="半途"))
            s.flush()
            raise RuntimeError("power cut")
    with ready.read() as s:
        after = s.execute(text("SELECT (SELECT count(*) FROM persons), (SELECT count(*) FROM outbox),"
                               " (SELECT count(*) FROM search_docs)")).one()
    assert tuple(after) == tuple(before)


def test_one_action_is_one_transaction_even_with_new_people(ready: Station) -> None:
    """A consultation that creates a person and then fails validation writes neither."""
    with pytest.raises(Exception):
        ready.consultations.record_consultation({"category_code": "C01", "question": "离婚", "answer": "答",
                                                 "persons": [{"name": "新人"}, {"uid": "no-such-person"}]})
    assert ready.records.count_records("person") == 0


def test_delete_is_a_tombstone(ready: Station) -> None:
    uid = ready.people.save_person({"name": "钱垚"}).uid
    gone = ready.records.delete_record("person", uid)
    assert gone.record["deleted"] is True and gone.record["version"] == 2
    with pytest.raises(NotFound):
        ready.people.get_person(uid)
    assert ready.search("钱垚") == []
    with ready.read() as s:
        assert s.get(Person, uid).deleted  # the row is still there, marked
        assert s.execute(text("SELECT count(*) FROM outbox WHERE uid=:u"), {"u": uid}).scalar() == 2


def test_two_writers_in_two_processes_share_the_file(ready: Station) -> None:
    import subprocess
    import sys
    code = ("import sys; from station import Station\n"
            "st = Station.open(sys.argv[1])\n"
            "for i in range(20): st.people.save_person({'name': f'并发{i}'})\n")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(ready.data_dir)]) for _ in range(2)]
    for i in range(20):
        ready.people.save_person({"name": f"本进程{i}"})
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    assert ready.records.count_records("person") == 60
