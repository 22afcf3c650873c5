"""The hub keeps each station's summed fingerprint as it writes; the final check reads it instead of every record."""
from __future__ import annotations

import hashlib
import uuid
from typing import Any, Iterator

import pytest
from conftest import Devices
from helpers import add_people
from hub import fingerprints, service
from hub.db import make_engine
from hub.models import HubFingerprint
from sqlalchemy import Engine, delete, text
from station.db.base import new_uid
from station.sync import protocol as P
from station.sync import run_sync

A, B = "340621101", "340621102"


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Engine]:
    from conftest import _new_pg_db
    url = f"sqlite:///{tmp_path / 'hub.db'}" if request.param == "sqlite" else \
        _new_pg_db(request.getfixturevalue("postgres"))
    eng = make_engine(url)
    yield eng
    eng.dispose()


def _change(seq: int, uid: str, version: int, kind: str = "person", **fields: Any) -> dict[str, Any]:
    payload = P.canonical_json({"_kind": kind, "uid": uid, "version": version, **fields})
    return {"seq": seq, "kind": kind, "uid": uid, "version": version, "base_version": version - 1,
            "hash": hashlib.sha256(payload.encode()).hexdigest(), "payload": payload}


def _push(eng: Engine, dev: service.Device, changes: list[dict[str, Any]]) -> list[str]:
    out = service.ingest(eng, dev, {"protocol": P.PROTOCOL_VERSION, "station": dev.station_code,
                                    "device_no": dev.device_no, "device_id": "d", "batch_id": str(uuid.uuid4()),
                                    "changes": changes})
    return [r["status"] for r in out["results"]]


def _recounted(eng: Engine, scope: str) -> dict[str, dict[str, Any]]:
    """What the kept fingerprint must equal: the sums over every record of the scope, read now."""
    with eng.connect() as c:
        rows = c.execute(text("SELECT kind, uid, version FROM hub_records WHERE scope = :s"), {"s": scope}).all()
    return P.fingerprint_sums((r[0], r[1], r[2]) for r in rows)


def _kept(eng: Engine, scope: str) -> dict[str, dict[str, Any]]:
    with eng.connect() as c:
        rows = c.execute(text("SELECT kind, count, total FROM hub_fingerprints WHERE scope = :s AND kind != ''"),
                         {"s": scope}).all()
    return {k: {"count": n, "sum": t} for k, n, t in rows if n}


def _device(eng: Engine, code: str) -> service.Device:
    return service.authenticate(eng, service.register_device(eng, code, name="所")["token"])


def test_every_write_keeps_the_fingerprint_equal_to_a_recount(engine: Engine) -> None:
    a, b = _device(engine, A), _device(engine, B)
    people = [new_uid() for _ in range(6)]
    assert _push(engine, a, [_change(i + 1, u, 1, name=f"人{i}") for i, u in enumerate(people)]) == ["accepted"] * 6
    visit = new_uid()
    # updates (two versions of one record in one batch), a new record of another kind, a duplicate, a conflict
    assert _push(engine, a, [_change(7, people[0], 2, name="改"), _change(8, people[0], 3, name="再改"),
                             _change(9, visit, 1, kind="visit"), _change(10, people[1], 1, name="人1"),
                             _change(11, people[2], 1, name="别的")]) == [
        "accepted", "accepted", "accepted", "duplicate", "conflict"]
    _push(engine, b, [_change(1, new_uid(), 1)])
    # reference data written by the hub: villages of station A, a code-table entry county-wide
    service.put_reference(engine, [{"_kind": "village", "name": "南坪村"}, {"_kind": "code", "table": "t"}], A)
    for scope in (A, B, P.COUNTY_SCOPE):
        assert _kept(engine, scope) == _recounted(engine, scope)
        assert {k: {"count": n, "sum": P.sum_hex(t)} for k, (n, t) in fingerprints.current(engine, scope).items()} \
            == _recounted(engine, scope)
    assert _kept(engine, A)["person"]["count"] == 6 and _kept(engine, A)["visit"]["count"] == 1


def test_a_device_compares_sums_and_the_hub_leaves_out_what_it_excludes(engine: Engine) -> None:
    a = _device(engine, A)
    uids = [new_uid() for _ in range(4)]
    _push(engine, a, [_change(i + 1, u, 1) for i, u in enumerate(uids)])
    mine = [("person", u, 1) for u in uids]
    out = service.verify(engine, a, P.fingerprint_sums(mine), [], "sum")
    assert out["ok"] and out["kinds"]["person"]["hub"] == {"count": 4, "sum": P.fingerprint_sums(mine)["person"]["sum"]}
    # an edit not yet uploaded: both sides leave the record out
    out = service.verify(engine, a, P.fingerprint_sums(mine[1:]), [uids[0]], "sum")
    assert out["ok"]
    # the hub lacks a version the device has: no match
    out = service.verify(engine, a, P.fingerprint_sums([("person", uids[0], 2), *mine[1:]]), [], "sum")
    assert not out["ok"] and not out["kinds"]["person"]["match"]
    # a device from before sends sorted-line hashes: still answered, from the records
    assert service.verify(engine, a, P.fingerprint(mine), [], "hash")["ok"]


def test_a_hub_database_from_before_is_recounted_once_then_kept(engine: Engine) -> None:
    a = _device(engine, A)
    _push(engine, a, [_change(i + 1, new_uid(), 1) for i in range(3)])
    with engine.begin() as c:  # what a hub from before this table held: records, no kept fingerprint
        c.execute(delete(HubFingerprint))
    more = new_uid()
    _push(engine, a, [_change(4, more, 1)])  # not kept: nothing complete to add to
    assert _kept(engine, A) == {}
    expected = _recounted(engine, A)
    assert expected["person"]["count"] == 4
    got = fingerprints.current(engine, A)
    assert {k: {"count": n, "sum": P.sum_hex(t)} for k, (n, t) in got.items()} == expected
    assert _kept(engine, A) == expected  # stored by the recount
    _push(engine, a, [_change(5, new_uid(), 1), _change(6, more, 2, name="改")])  # and kept from now on
    assert _kept(engine, A) == _recounted(engine, A)


def test_records_removed_behind_the_hubs_back_are_noticed(engine: Engine) -> None:
    a = _device(engine, A)
    uids = [new_uid() for _ in range(3)]
    _push(engine, a, [_change(i + 1, u, 1) for i, u in enumerate(uids)])
    with engine.begin() as c:  # e.g. part of a table restored from an older backup
        c.execute(text("DELETE FROM hub_records WHERE uid = :u"), {"u": uids[0]})
    out = service.verify(engine, a, P.fingerprint_sums([("person", u, 1) for u in uids]), [], "sum")
    assert not out["ok"] and out["kinds"]["person"]["hub"]["count"] == 2
    assert _kept(engine, A) == _recounted(engine, A)


def test_sync_uses_the_kept_fingerprint_and_still_repairs(sqlite_devices: Devices) -> None:
    """End to end: a hub that announces the feature gets summed fingerprints; a lost record is repaired."""
    hub = sqlite_devices.hub
    a1 = sqlite_devices.new(A, "测试所")
    uids = add_people(a1, 8, "和")
    res = run_sync(a1)
    assert res.ok and res.verified
    assert "form=sum ok=True" in hub.log()
    eng = hub.engine()
    try:
        assert _kept(eng, A)["person"]["count"] == 8
        with eng.begin() as c:
            c.execute(text("DELETE FROM hub_records WHERE uid = :u"), {"u": uids[3]})
            c.execute(text("DELETE FROM hub_changes WHERE uid = :u"), {"u": uids[3]})
        res = run_sync(a1)
        assert res.ok and res.verified and res.repaired == 1, res
        assert _kept(eng, A) == _recounted(eng, A) and _kept(eng, A)["person"]["count"] == 8
    finally:
        eng.dispose()
