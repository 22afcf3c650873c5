"""Fault scenarios for sync, usable from tests (once each) and from bench/sync_faults.py (in loops).

Each scenario makes devices against a running hub, injects one fault, syncs again
and checks that nothing was lost or duplicated (raises AssertionError otherwise).
"""
from __future__ import annotations

import datetime as dt
import socket
import subprocess
import sys
import threading
import time
from typing import Any

from conftest import ROOT, Devices
from helpers import add_people, held, hub_held, outbox_changes, pending
from station.sync import list_conflicts, run_sync
from station.sync.client import HubClient
from station.sync.run import _exclusive  # noqa: F401  (documented lock)


class DropProxy:
    """Loopback TCP proxy in front of the hub that can swallow the answer to the next upload(s).

    The hub has committed by the time it answers, so this is exactly "the connection
    was cut after the hub committed but before the acknowledgement arrived".
    """

    def __init__(self, target_port: int) -> None:
        self.target = target_port
        self.drop_pushes = 0
        self.dropped = 0
        self._lock = threading.Lock()
        self._srv = socket.socket()
        self._srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._srv.bind(("127.0.0.1", 0))
        self._srv.listen(64)
        self.port = self._srv.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self._srv.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._srv.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target))
            except OSError:
                client.close()
                continue
            state = {"drop": False}
            threading.Thread(target=self._up, args=(client, upstream, state), daemon=True).start()
            threading.Thread(target=self._down, args=(client, upstream, state), daemon=True).start()

    def _up(self, client: socket.socket, upstream: socket.socket, state: dict[str, bool]) -> None:
        try:
            while data := client.recv(65536):
                if data.startswith(b"POST /v1/push"):
                    with self._lock:
                        if self.drop_pushes > 0:
                            self.drop_pushes -= 1
                            state["drop"] = True
                upstream.sendall(data)
        except OSError:
            pass
        finally:
            _close(upstream)

    def _down(self, client: socket.socket, upstream: socket.socket, state: dict[str, bool]) -> None:
        try:
            while data := upstream.recv(65536):
                if state["drop"]:
                    self.dropped += 1
                    break
                client.sendall(data)
        except OSError:
            pass
        finally:
            _close(client)
            _close(upstream)


def _close(s: socket.socket) -> None:
    try:
        s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    s.close()


def _converged(devices: Devices, code: str, *sts: Any) -> None:
    for st in sts:
        res = run_sync(st)
        assert res.status == "ok" and res.verified, (res.status, res.message, res.mismatched)
    hub = hub_held(devices.hub, code)  # also asserts no duplicated change on the hub
    for st in sts:
        assert pending(st) == 0
        assert held(st) == hub, "device and hub disagree"


def lost_ack(devices: Devices, code: str = "340621201") -> None:
    proxy = DropProxy(devices.hub.port)
    try:
        a1 = devices.new(code, "测试所", url=proxy.url)
        uids = add_people(a1, 40, "丢")
        proxy.drop_pushes = 2  # the client retries a dropped upload once at once: cut both
        res = run_sync(a1)
        assert res.status == "error" and res.retryable and proxy.dropped == 2, res
        assert set(uids) <= set(hub_held(devices.hub, code))  # the hub did commit
        assert pending(a1) == 40  # but nothing is marked sent without the answer
        res = run_sync(a1)
        assert res.status == "ok" and res.duplicate == 40 and res.accepted == 0, res
        more = add_people(a1, 10, "再")
        proxy.drop_pushes = 1  # one cut: the immediate retry gets the answer (as duplicates)
        res = run_sync(a1)
        assert res.status == "ok" and res.duplicate == 10 and res.accepted == 0 and proxy.dropped == 3, res
        assert set(more) <= set(hub_held(devices.hub, code))
        _converged(devices, code, a1)
    finally:
        proxy.close()


def hub_killed_mid_batch(devices: Devices, code: str = "340621202") -> None:
    a1 = devices.new(code, "测试所")
    devices.hub.restart(STATION_HUB_INGEST_DELAY="3")
    uids = add_people(a1, 30, "断")
    out: dict[str, Any] = {}
    t = threading.Thread(target=lambda: out.update(res=run_sync(a1)))
    t.start()
    time.sleep(1.2)
    devices.hub.kill()  # inside the ingest transaction
    t.join(30)
    assert out["res"].status == "error" and out["res"].retryable
    devices.hub.start(STATION_HUB_INGEST_DELAY="0")
    assert not set(uids) & set(hub_held(devices.hub, code))  # no partial batch
    _converged(devices, code, a1)
    assert set(uids) <= set(hub_held(devices.hub, code))


def station_killed_mid_sync(devices: Devices, code: str = "340621203") -> None:
    a1 = devices.new(code, "测试所")
    devices.hub.restart(STATION_HUB_INGEST_DELAY="2")
    uids = add_people(a1, 30, "杀")
    script = ("import sys; from station import Station; from station.sync import run_sync;"
              "run_sync(Station.open(sys.argv[1]))")
    proc = subprocess.Popen([sys.executable, "-c", script, str(a1.data_dir)], env={"PYTHONPATH": str(ROOT)},
                            cwd=str(ROOT))
    time.sleep(1.5)
    proc.kill()  # while its upload is in flight
    proc.wait(10)
    time.sleep(1.5)  # the hub finishes and commits the orphaned batch
    devices.hub.restart(STATION_HUB_INGEST_DELAY="0")
    _converged(devices, code, a1)
    assert set(uids) <= set(hub_held(devices.hub, code))


def replayed_batch(devices: Devices, code: str = "340621204") -> None:
    import httpx

    from station.sync import protocol as P
    a1 = devices.new(code, "测试所")
    add_people(a1, 5, "重")
    body = P.pack({"protocol": 1, "station": code, "device_no": 1, "device_id": a1.device_id,
                   "batch_id": "0f0e0d0c-0b0a-4908-8706-050403020100",
                   "changes": outbox_changes(a1, unsent=True)})
    headers = {"Authorization": f"Bearer {a1.hub_token}", "X-Station-Protocol": "1", "Content-Encoding": "gzip"}
    with httpx.Client(base_url=devices.hub.url, trust_env=False) as c:
        first = c.post("/v1/push", content=body, headers=headers)
        before = hub_held(devices.hub, code)
        again = c.post("/v1/push", content=body, headers=headers)
    assert first.status_code == 200 and {r["status"] for r in first.json()["results"]} == {"accepted"}
    assert again.status_code == 409 and again.json()["code"] == "replayed"
    assert hub_held(devices.hub, code) == before
    _converged(devices, code, a1)
    assert "code=replayed" in devices.hub.log()


def concurrent_syncs(devices: Devices, code: str = "340621205") -> None:
    from station import Station
    a1 = devices.new(code, "测试所")
    add_people(a1, 60, "并")
    twin = Station.open(a1.data_dir)  # the same device opened by a second program
    try:
        results: list[Any] = []
        ts = [threading.Thread(target=lambda st=st: results.append(run_sync(st, batch_size=10)))
              for st in (a1, twin, a1)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(60)
        assert all(r.status in ("ok", "busy") for r in results) and any(r.status == "ok" for r in results)
    finally:
        twin.close()
    # the same changes pushed twice at the same time, around the client lock: one copy on the hub
    changes = outbox_changes(a1)
    outs: list[Any] = []

    def push() -> None:
        with HubClient(devices.hub.url, a1.hub_token) as c:
            try:
                outs.append(c.push(code, 1, a1.device_id, changes))
            except Exception as e:  # noqa: BLE001 - a 503 "retry" is an allowed answer
                outs.append(e)

    ts = [threading.Thread(target=push) for _ in range(3)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(60)
    for o in outs:
        if isinstance(o, dict):
            assert {r["status"] for r in o["results"]} == {"duplicate"}
    _converged(devices, code, a1)


def clocks_disagree(devices: Devices, code: str = "340621206") -> None:
    import station.db.tracking as tracking
    real = tracking.utcnow
    a1 = devices.new(code, "测试所")
    a2 = devices.new(code, "测试所")
    uid = a1.people.save_person({"name": "钟表", "gender": "男"}).uid
    _converged(devices, code, a1, a2)
    try:
        tracking.utcnow = lambda: real() + dt.timedelta(days=3)  # a2's clock runs three days fast
        a2.people.save_person({"name": "钟表", "gender": "男", "notes": "快"}, uid=uid, base_version=1)
        fast = add_people(a2, 3, "快")
        tracking.utcnow = lambda: real() - dt.timedelta(days=400)  # a1's clock is a year behind
        slow = add_people(a1, 3, "慢")
    finally:
        tracking.utcnow = real
    _converged(devices, code, a2, a1, a2)
    assert a1.people.get_person(uid)["notes"] == "快"  # the newer version wins by version, not by clock
    assert set(fast + slow) <= set(held(a1)) and set(fast + slow) <= set(held(a2))
    # a stale edit with a "newer" timestamp is still a conflict, never a silent overwrite
    try:
        tracking.utcnow = lambda: real() + dt.timedelta(days=30)
        with a1.write() as s:  # edit on the old base, as if made before the download
            from sqlalchemy import text
            s.execute(text("UPDATE persons SET version = 1 WHERE uid = :u"), {"u": uid})
        a1.people.save_person({"name": "钟表", "gender": "男", "notes": "旧底稿"}, uid=uid, base_version=1)
    finally:
        tracking.utcnow = real
    res = run_sync(a1)
    assert res.conflicts == 1 and len(list_conflicts(a1)) == 1
    assert a2.people.get_person(uid)["notes"] == "快"


SCENARIOS = {f.__name__: f for f in (lost_ack, hub_killed_mid_batch, station_killed_mid_sync, replayed_batch,
                                     concurrent_syncs, clocks_disagree)}
