"""Hub refusals, protocol versions, verification repair, login, CLI and the backoff function."""
from __future__ import annotations

import gzip
import json
import subprocess
import sys

import pytest
from sqlalchemy import text

from conftest import ROOT, Devices, http
from helpers import add_people, held, hub_held, outbox_changes, pending
from station.sync import SyncError, backoff_delay, login, run_sync
from station.sync import protocol as P
from station.sync.client import HubClient

CODE = "340621301"


def _changes(st, kind: str = "person") -> list[dict]:
    return outbox_changes(st, kind, unsent=True)


def _body(st, changes: list[dict], **over: object) -> dict:
    return {"protocol": 1, "station": CODE, "device_no": 1, "device_id": st.device_id,
            "batch_id": __import__("uuid").uuid4().hex[:8] + "-0000-4000-8000-000000000000", "changes": changes,
            **over}


def test_corrupt_oversized_and_forged_batches_are_refused_whole(sqlite_devices: Devices) -> None:
    hub = sqlite_devices.hub
    a1 = sqlite_devices.new(CODE, "测试所")
    other = hub.register("340621302", "别的所")
    add_people(a1, 3, "坏")
    good = _changes(a1)
    bad_hash = [dict(c) for c in good]
    bad_hash[2] = {**bad_hash[2], "payload": bad_hash[2]["payload"].replace("坏2", "篡改")}
    gz = {"Content-Encoding": "gzip"}
    with http(hub, a1.hub_token) as c:
        cases = [
            (c.post("/v1/push", content=b"\x1f\x8bnot gzip at all", headers=gz), 400, "bad_gzip"),
            (c.post("/v1/push", content=gzip.compress(b"{not json"), headers=gz), 400, "bad_json"),
            (c.post("/v1/push", content=gzip.compress(json.dumps(_body(a1, good)).encode())[:-9], headers=gz),
             400, "bad_gzip"),
            (c.post("/v1/push", content=P.pack(_body(a1, bad_hash)), headers=gz), 422, "bad_hash"),
            (c.post("/v1/push", content=P.pack(_body(a1, good * (P.MAX_BATCH_CHANGES // 3 + 1))), headers=gz),
             413, "batch_too_large"),
            (c.post("/v1/push", content=b"\0" * (P.MAX_REQUEST_BYTES + 1), headers=gz), 413, "too_large"),
            (c.post("/v1/push", content=P.pack(_body(a1, good, station="340621302")), headers=gz), 403,
             "wrong_station"),
            (c.post("/v1/push", content=json.dumps(_body(a1, good)).encode()), 415, "not_gzip"),
        ]
    with http(hub, other["token"]) as c:  # another station's valid token, this station's batch
        cases.append((c.post("/v1/push", content=P.pack(_body(a1, good)), headers=gz), 403, "wrong_station"))
    with http(hub, "forged-token") as c:
        cases.append((c.post("/v1/push", content=P.pack(_body(a1, good)), headers=gz), 401, "bad_token"))
    for resp, status, code in cases:
        assert (resp.status_code, resp.json()["code"]) == (status, code), resp.text
    assert hub_held(hub, CODE) == {}  # no partial writes from any of them
    log = hub.log()
    for _, status, code in cases:
        assert f"status={status} code={code}" in log
    # one invalid change among good ones is rejected alone
    odd = [dict(c) for c in good]
    odd[1] = {**odd[1], "kind": "spaceship"}
    with HubClient(hub.url, a1.hub_token) as c:
        out = c.push(CODE, 1, a1.device_id, odd)
    assert [r["status"] for r in out["results"]] == ["accepted", "rejected", "accepted"]
    assert out["results"][1]["reason"] == "unknown_kind"
    res = run_sync(a1)
    assert res.ok and res.duplicate == 2 and res.accepted == 1
    assert held(a1) == hub_held(hub, CODE)


def test_revoked_token_and_protocol_versions_give_clear_messages(sqlite_devices: Devices) -> None:
    hub = sqlite_devices.hub
    a1 = sqlite_devices.new(CODE, "测试所")
    with http(hub, a1.hub_token, protocol=None) as c:
        r = c.get("/v1/hello")
        assert r.status_code == 426 and "升级本机程序" in r.json()["message"]
    with http(hub, a1.hub_token, protocol="0") as c:
        assert "升级本机程序" in c.get("/v1/hello").json()["message"]
    with http(hub, a1.hub_token, protocol=str(P.PROTOCOL_VERSION + 1)) as c:
        r = c.get("/v1/hello")
        assert r.status_code == 426 and "升级平台" in r.json()["message"]
    from hub.service import revoke_device
    eng = hub.engine()
    assert revoke_device(eng, CODE, 1)
    eng.dispose()
    res = run_sync(a1)
    assert res.status == "error" and not res.retryable and "吊销" in res.message


def test_mismatch_found_by_the_final_check_is_repaired_by_resending(sqlite_devices: Devices) -> None:
    hub = sqlite_devices.hub
    a1 = sqlite_devices.new(CODE, "测试所")
    a2 = sqlite_devices.new(CODE, "测试所")
    uids = add_people(a1, 10, "补")
    assert run_sync(a1).verified
    eng = hub.engine()
    with eng.begin() as c:  # the hub lost two records (e.g. restored from an older backup)
        for u in uids[:2]:
            c.execute(text("DELETE FROM hub_records WHERE uid = :u"), {"u": u})
            c.execute(text("DELETE FROM hub_changes WHERE uid = :u"), {"u": u})
    eng.dispose()
    res = run_sync(a1)
    assert res.ok and res.verified and res.repaired == 2, res
    assert held(a1) == hub_held(hub, CODE)
    with a2.write() as s:  # a device lost a record locally: the check brings it back down
        s.execute(text("DELETE FROM persons WHERE uid = :u"), {"u": uids[5]})
    run_sync(a2)
    res = run_sync(a2)
    assert res.ok and res.verified
    assert held(a2) == held(a1)


def test_login_refuses_another_stations_token_and_stores_device_no(sqlite_devices: Devices, tmp_path) -> None:
    hub = sqlite_devices.hub
    a1 = sqlite_devices.new(CODE, "测试所")
    other = hub.register("340621399", "别的所")
    with pytest.raises(SyncError, match="属于司法所 340621399"):
        login(a1, hub.url, other["token"], token_file=tmp_path / "t")
    a2 = sqlite_devices.new(CODE, "测试所")
    assert a2.reference.get_settings()["device_no"] == 2
    assert (a2.data_dir / "hub.token").stat().st_mode & 0o077 == 0  # owner-only file


def test_without_a_keyring_login_says_so_and_needs_an_explicit_file(sqlite_devices: Devices) -> None:
    hub = sqlite_devices.hub
    reg = hub.register(CODE, "测试所")
    folder = sqlite_devices.tmp / "nokeyring"
    env = {"PYTHONPATH": str(ROOT), "STATION_HUB_TOKEN": reg["token"],
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}  # a machine without any keyring

    def station(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "station.cli", "--data-dir", str(folder), *args],
                              capture_output=True, text=True, env=env, cwd=str(ROOT))

    r = station("login", "--hub", hub.url)
    assert r.returncode == 1 and "没有可用的系统密钥环" in r.stderr and "--token-file" in r.stderr
    r = station("login", "--hub", hub.url, "--token-file", str(folder / "tok"))
    assert r.returncode == 0, r.stderr
    assert (folder / "tok").read_text().strip() == reg["token"]
    r = station("sync", "--quiet")
    assert r.returncode == 0 and "同步完成" in r.stdout and "核对一致" in r.stdout, r.stdout + r.stderr
    r = station("sync", "--json")
    assert json.loads(r.stdout)["status"] == "ok"
    assert station("conflicts").stdout.strip() == "没有待处理的同步冲突"


def test_station_hub_cli_registers_lists_revokes_and_reports(tmp_path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"

    def hubcli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "hub.cli", "--db", db, *args], capture_output=True, text=True,
                              env={"PYTHONPATH": str(ROOT)}, cwd=str(tmp_path))

    r = hubcli("register", CODE)
    assert r.returncode == 2 and "--name" in r.stderr
    r = hubcli("register", CODE, "--name", "测试所", "--json")
    token = json.loads(r.stdout)["token"]
    assert json.loads(hubcli("register", CODE, "--json").stdout)["device_no"] == 2
    listing = hubcli("devices").stdout
    assert token not in listing and listing.count(CODE) == 2
    eng = __import__("hub.db", fromlist=["make_engine"]).make_engine(db)
    with eng.connect() as c:
        assert token not in str(c.execute(text("SELECT * FROM hub_devices")).all())
    eng.dispose()
    assert hubcli("revoke", CODE, "2").returncode == 0
    assert "已吊销" in hubcli("devices").stdout
    ref = tmp_path / "ref.jsonl"
    ref.write_text(json.dumps({"_kind": "village", "name": "新村", "code": "1", "kind": "village",
                               "target_hours": 40.0, "adviser_uid": None}, ensure_ascii=False) + "\n")
    assert hubcli("reference", str(ref), "--station", CODE).returncode == 0
    stats = json.loads(hubcli("stats", "--json").stdout)
    assert stats[0]["counts"] == {"station": 1, "village": 1} and stats[0]["devices"] == 1


def test_stats_over_http_show_only_the_devices_own_station(sqlite_devices: Devices) -> None:
    a1 = sqlite_devices.new(CODE, "测试所")
    b1 = sqlite_devices.new("340621302", "别的所")
    add_people(a1, 2, "统")
    run_sync(a1)
    run_sync(b1)
    with HubClient(sqlite_devices.hub.url, a1.hub_token) as c:
        [mine] = c.stats()
    assert mine["station"] == CODE and mine["counts"]["person"] == 2 and mine["last_sync_at"]
    sqlite_devices.hub.restart(STATION_HUB_ADMIN_TOKEN="county-admin-secret")
    with http(sqlite_devices.hub, "county-admin-secret") as c:
        every = c.get("/v1/stats").json()
    assert [s["station"] for s in every] == [CODE, "340621302"]
    with http(sqlite_devices.hub, "county-admin-secret") as c:  # the admin token is not a device token
        assert c.get("/v1/pull").status_code == 401


def test_token_goes_to_the_os_keyring_not_the_database(sqlite_devices: Devices) -> None:
    import keyring
    from keyring.backend import KeyringBackend

    class MemoryKeyring(KeyringBackend):
        priority = 1  # type: ignore[assignment]

        def __init__(self) -> None:
            super().__init__()
            self.store: dict[tuple[str, str], str] = {}

        def get_password(self, service: str, username: str) -> str | None:
            return self.store.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.store[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            self.store.pop((service, username), None)

    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    try:
        hub = sqlite_devices.hub
        reg = hub.register(CODE, "测试所")
        from station import Station
        st = Station.open(sqlite_devices.tmp / "kr")
        try:
            st.reference.setup_station({"code": CODE, "name": "测试所"})
            out = login(st, hub.url, reg["token"])
            assert out["storage"] == "keyring" and list(ring.store.values()) == [reg["token"]]
            assert run_sync(st).ok
        finally:
            st.close()
        for f in (sqlite_devices.tmp / "kr").rglob("*"):
            assert not f.is_file() or reg["token"].encode() not in f.read_bytes(), f
    finally:
        keyring.set_keyring(previous)


def test_backoff_doubles_up_to_the_cap_and_jitters_within_bounds() -> None:
    mid = lambda: 0.5  # noqa: E731 - no jitter at the midpoint
    assert [backoff_delay(n, base=30, cap=600, rand=mid) for n in range(7)] == [30, 60, 120, 240, 480, 600, 600]
    assert backoff_delay(1000, base=30, cap=600, rand=mid) == 600
    assert backoff_delay(2, base=30, cap=600, jitter=0.2, rand=lambda: 0.0) == pytest.approx(96)
    assert backoff_delay(2, base=30, cap=600, jitter=0.2, rand=lambda: 1.0) == pytest.approx(144)
    assert backoff_delay(9, base=30, cap=600, jitter=0.2, rand=lambda: 1.0) == 600  # never above the cap
    assert backoff_delay(0, base=30, cap=600, jitter=0.2, rand=lambda: 0.0) == pytest.approx(24)
    with pytest.raises(ValueError):
        backoff_delay(-1)


def test_progress_and_cancel(sqlite_devices: Devices) -> None:
    import threading
    a1 = sqlite_devices.new(CODE, "测试所")
    add_people(a1, 25, "进")
    seen: list[tuple[str, int, int]] = []
    stop = threading.Event()

    def progress(phase: str, done: int, total: int) -> None:
        seen.append((phase, done, total))
        if phase == "upload" and done >= 10:
            stop.set()

    res = run_sync(a1, progress=progress, cancel=stop, batch_size=10)
    total = seen[0][2]
    assert seen[0] == ("upload", 0, total) and total >= 25
    assert res.status == "cancelled" and 0 < pending(a1) < total
    assert any(p == "upload" and 0 < d < total for p, d, _ in seen)
    assert not any(p == "download" for p, _, _ in seen)
    res = run_sync(a1)
    assert res.ok and res.verified and pending(a1) == 0
