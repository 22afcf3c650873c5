"""Upload batches as frames (payload bytes beside a JSON head): same checks and answers as gzip JSON."""
from __future__ import annotations

import hashlib
import uuid
from typing import Any

import orjson
import pytest
from isal import igzip
from sqlalchemy import text

from conftest import Devices, http
from helpers import add_people, held, hub_held
from hub import service
from hub.db import make_engine
from station.db.base import new_uid
from station.sync import protocol as P
from station.sync import run_sync
from station.sync.client import HubClient

CODE = "340621401"


def _row(seq: int, uid: str, version: int = 1, kind: str = "person", **fields: Any) -> tuple[Any, ...]:
    """An outbox row as the device reads it: (seq, kind, uid, version, base_version, payload bytes, hash)."""
    payload = P.canonical_json({"_kind": kind, "uid": uid, "version": version, **fields}).encode()
    return seq, kind, uid, version, version - 1, payload, hashlib.sha256(payload).hexdigest()


def _envelope(dev: service.Device) -> dict[str, Any]:
    return {"protocol": P.PROTOCOL_VERSION, "station": dev.station_code, "device_no": dev.device_no,
            "device_id": "d", "batch_id": str(uuid.uuid4())}


def _framed(envelope: dict[str, Any], head: list[Any], tail: bytes) -> bytes:
    """A hand-made frames body: ``head`` as the change list, ``tail`` as the payload bytes."""
    return igzip.compress(orjson.dumps({**envelope, "changes": head}) + b"\n" + tail)


@pytest.fixture
def device(tmp_path: Any) -> Any:
    eng = make_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    yield eng, service.authenticate(eng, service.register_device(eng, CODE, name="所")["token"])
    eng.dispose()


def test_frames_and_json_give_the_same_checked_batch(device: Any) -> None:
    _, dev = device
    rows = [_row(1, new_uid(), name="张三"), _row(2, new_uid(), name="李四\n\"引号\""),
            _row(3, new_uid(), kind="spaceship"), _row(4, new_uid(), version=2, notes="é" * 300)]
    env = _envelope(dev)
    framed = service.parse_push(P.pack_frames(env, rows), dev, frames=True)
    as_json = service.prepare({**env, "changes": [
        {"seq": r[0], "kind": r[1], "uid": r[2], "version": r[3], "base_version": r[4], "hash": r[6],
         "payload": r[5].decode()} for r in rows]}, dev)
    assert framed == as_json
    assert [c[7] for c in framed.checked] == [None, None, "unknown_kind", None]
    assert framed.checked[1][6] == rows[1][5]  # the payload bytes, exactly as hashed


@pytest.mark.parametrize("case, status, code", [
    ("no newline", 400, "bad_frames"),
    ("head not json", 400, "bad_frames"),
    ("bytes left over", 400, "bad_frames"),
    ("lengths run past the end", 400, "bad_frames"),
    ("negative length", 400, "bad_frames"),
    ("change not a list", 400, "bad_change"),
    ("not utf-8", 400, "bad_json"),
    ("wrong hash", 422, "bad_hash"),
    ("payload not json", 400, "bad_json"),
])
def test_corrupt_frames_are_refused_whole(device: Any, case: str, status: int, code: str) -> None:
    _, dev = device
    env = _envelope(dev)
    a, b = _row(1, new_uid()), _row(2, new_uid())
    head = [[r[0], r[1], r[2], r[3], r[4], r[6], len(r[5])] for r in (a, b)]
    tail = a[5] + b[5]
    if case == "no newline":
        body = igzip.compress(orjson.dumps({**env, "changes": head}) + tail)
    elif case == "head not json":
        body = igzip.compress(b"{not json\n" + tail)
    elif case == "bytes left over":
        body = _framed(env, head, tail + b" ")
    elif case == "lengths run past the end":
        body = _framed(env, head, tail[:-1])
    elif case == "negative length":
        body = _framed(env, [head[0][:6] + [-1], head[1]], tail)
    elif case == "change not a list":
        body = _framed(env, [{"seq": 1}, head[1]], tail)
    elif case == "not utf-8":
        bad = a[5].replace(b"person", b"pers\xffn")
        body = _framed(env, [head[0][:5] + [hashlib.sha256(bad).hexdigest(), len(bad)], head[1]], bad + b[5])
    elif case == "wrong hash":
        body = _framed(env, [head[0][:5] + ["0" * 64, head[0][6]], head[1]], tail)
    else:
        bad = a[5][:-1]  # cut short: not JSON, hashed as it is
        body = _framed(env, [head[0][:5] + [hashlib.sha256(bad).hexdigest(), len(bad)], head[1]], bad + b[5])
    with pytest.raises((P.ProtocolError, service.HubError)) as e:
        service.parse_push(body, dev, frames=True)
    assert (e.value.status, e.value.code) == (status, code)


def test_hub_takes_frames_over_http_and_refuses_bad_ones_without_writing(sqlite_devices: Devices) -> None:
    hub = sqlite_devices.hub
    a1 = sqlite_devices.new(CODE, "测试所")
    add_people(a1, 3, "帧")
    with a1.read() as s:
        rows = [tuple(r) for r in s.execute(text(
            "SELECT seq, kind, uid, version, base_version, CAST(payload AS BLOB), content_hash FROM outbox"
            " JOIN outbox_payloads USING (seq) WHERE kind = 'person' ORDER BY seq"))]
    env = {"protocol": 1, "station": CODE, "device_no": 1, "device_id": a1.device_id}
    headers = {"Content-Encoding": "gzip", "Content-Type": P.FRAMES_CONTENT_TYPE}
    with http(hub, a1.hub_token) as c:
        hello = c.get("/v1/hello").json()
        assert P.FEATURE_PUSH_FRAMES in hello["features"]
        short = P.pack_frames({**env, "batch_id": str(uuid.uuid4())}, rows)
        cut = igzip.decompress(short)[:-5]  # the last payload's bytes are missing
        r = c.post("/v1/push", content=igzip.compress(cut), headers=headers)
        assert (r.status_code, r.json()["code"]) == (400, "bad_frames")
        assert hub_held(hub, CODE) == {}
    with HubClient(hub.url, a1.hub_token, device_id=a1.device_id) as client:
        out = client.push(CODE, 1, a1.device_id, rows, frames=True)
    assert [r["status"] for r in out["results"]] == ["accepted"] * 3
    res = run_sync(a1)  # what went up as frames is what the device holds: duplicates, then a clean check
    assert res.ok and res.verified and res.duplicate == 3
    assert held(a1) == hub_held(hub, CODE)


class OldHubClient(HubClient):
    """Answers hello as a hub from before features: no frames, no kept fingerprints, full answers."""

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.answers: list[dict[str, Any]] = []

    def hello(self) -> dict[str, Any]:
        out = super().hello()
        out.pop("features", None)
        self.features = frozenset()
        return out

    def push(self, *a: Any, **kw: Any) -> dict[str, Any]:
        out = super().push(*a, **kw)
        self.answers.append(out)
        return out


def _sync_through(devices: Devices, client_class: type[HubClient], people: int) -> tuple[Any, Any, Any]:
    """A new device of CODE with ``people`` new records, synced once through ``client_class``:
    (device, result, client)."""
    a1 = devices.new(CODE, "测试所")
    add_people(a1, people, "人")
    with client_class(devices.hub.url, a1.hub_token, device_id=a1.device_id) as client:
        return a1, run_sync(a1, client=client), client


def test_a_hub_without_features_gets_json_batches_and_hashed_fingerprints(sqlite_devices: Devices) -> None:
    hub = sqlite_devices.hub
    a1, res, client = _sync_through(sqlite_devices, OldHubClient, 4)
    assert res.ok and res.verified and res.accepted >= 4
    assert client.answers and all("accepted" not in a and len(a["results"]) >= 4 for a in client.answers)
    assert held(a1) == hub_held(hub, CODE)
    assert "form=hash ok=True" in hub.log()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_engine(request: pytest.FixtureRequest, tmp_path: Any) -> Any:
    from conftest import _new_pg_db
    url = f"sqlite:///{tmp_path / 'hub.db'}" if request.param == "sqlite" else \
        _new_pg_db(request.getfixturevalue("postgres"))
    eng = make_engine(url)
    yield eng
    eng.dispose()


def test_payload_bytes_are_stored_as_the_text_sent(any_engine: Any) -> None:
    """The checked payloads stay UTF-8 bytes up to the database, which must keep them as text (not
    blobs): new records, a newer version of a held record, and a kept conflict."""
    eng = any_engine
    dev = service.authenticate(eng, service.register_device(eng, CODE, name="所")["token"])
    a, b = new_uid(), new_uid()
    first = [_row(1, a, name="张三", notes="引号\"与\\反斜杠\n换行"), _row(2, b, name="李四 é ✓")]
    service.ingest(eng, dev, service.parse_push(P.pack_frames(_envelope(dev), first), dev, frames=True))
    newer = _row(3, a, version=2, name="张三丰")
    rival = _row(4, b, version=2, name="李四（另一台）")
    rival = (rival[0], rival[1], rival[2], 2, 0, rival[5], rival[6])  # on base 0 although the hub holds 1
    out = service.ingest(eng, dev, service.parse_push(P.pack_frames(_envelope(dev), [newer, rival]), dev,
                                                      frames=True))
    assert [r["status"] for r in out["results"]] == ["accepted", "conflict"]
    sqlite = eng.dialect.name == "sqlite"
    with eng.connect() as c:
        held_now = dict(c.execute(text("SELECT uid, payload FROM hub_records WHERE kind = 'person'")).all())
        conflict = c.execute(text("SELECT payload FROM hub_conflicts")).scalar_one()
        if sqlite:
            assert {r[0] for r in c.execute(text("SELECT typeof(payload) FROM hub_records"))} == {"text"}
    assert held_now == {a: newer[5].decode(), b: first[1][5].decode()}
    assert conflict == rival[5].decode()


def _ingest_frames(eng: Any, dev: service.Device, rows: list[tuple[Any, ...]], compact: bool) -> dict[str, Any]:
    env = {**_envelope(dev), **({"answer": P.ANSWER_COMPACT} if compact else {})}
    return service.ingest(eng, dev, service.parse_push(P.pack_frames(env, rows), dev, frames=True))


def test_a_compact_answer_lists_only_what_was_not_simply_accepted(device: Any) -> None:
    eng, dev = device
    a, b = new_uid(), new_uid()
    assert _ingest_frames(eng, dev, [_row(1, a, name="甲"), _row(2, b, name="乙")], compact=False)["results"][0][
        "status"] == "accepted"
    rival = _row(5, b, version=2, name="乙（另一台）")
    rows = [_row(1, a, name="甲"),  # duplicate
            _row(3, new_uid(), name="丙"), _row(4, new_uid(), kind="spaceship"),  # accepted, rejected
            (5, "person", b, 2, 0, rival[5], rival[6]),  # conflict: on base 0 although the hub holds 1
            _row(6, new_uid(), name="丁")]
    full = _ingest_frames(eng, dev, rows, compact=False)
    statuses = [r["status"] for r in full["results"]]
    assert statuses == ["duplicate", "accepted", "rejected", "conflict", "accepted"]
    again = [(r[0] + 10, *r[1:]) for r in rows]  # the same changes once more, in a new batch
    compact = _ingest_frames(eng, dev, again, compact=True)
    assert compact["accepted"] == 0 and [r["status"] for r in compact["results"]] == [
        "duplicate", "duplicate", "rejected", "conflict", "duplicate"]
    fresh = [_row(20, new_uid(), name="戊"), _row(21, new_uid(), kind="spaceship"), _row(22, new_uid(), name="己")]
    compact = _ingest_frames(eng, dev, fresh, compact=True)
    assert compact["accepted"] == 2
    assert compact["results"] == [{"seq": 21, "uid": fresh[1][2], "version": 1, "status": "rejected",
                                   "reason": "unknown_kind"}]


class ShortCountClient(HubClient):
    """Passes on the hub's compact answers with one accepted change too many."""

    def push(self, *a: Any, **kw: Any) -> dict[str, Any]:
        out = super().push(*a, **kw)
        assert "accepted" in out  # this hub answers compactly
        return {**out, "accepted": out["accepted"] + 1}


def test_a_compact_answer_that_does_not_add_up_marks_nothing_sent(sqlite_devices: Devices) -> None:
    hub = sqlite_devices.hub
    a1, res, _ = _sync_through(sqlite_devices, ShortCountClient, 3)
    assert not res.ok and "对不上" in res.message
    with a1.read() as s:
        assert s.execute(text("SELECT count(*) FROM outbox WHERE sent_at IS NULL AND kind = 'person'")).scalar() == 3
    res = run_sync(a1)  # the next sync sends them again: the hub has them, as duplicates
    assert res.ok and res.verified and res.duplicate == 3
    assert held(a1) == hub_held(hub, CODE)
