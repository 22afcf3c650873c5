"""What the GUI builds on: error codes on SyncResult, plain Chinese messages, the hub's /health probe."""
from __future__ import annotations

from station import Station
from station.sync import run_sync
from station.sync.client import probe
from station.sync.errors import PLAIN_MESSAGES, plain_message

from conftest import Devices, HubProcess, free_port


def test_plain_messages_are_chinese_and_keep_protocol_detail() -> None:
    assert plain_message("network").startswith("连不上县级平台")
    assert "令牌无效" in plain_message("bad_token", "设备令牌无效，请重新登录", 401)
    assert plain_message("protocol", "本机同步协议版本（9）比县级平台（1）新").endswith("比县级平台（1）新")
    assert plain_message("something_new", "县级平台拒绝了请求（400 x）：y") == "县级平台拒绝了请求（400 x）：y"
    assert plain_message("something_new", "", 503) == PLAIN_MESSAGES["internal"]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in PLAIN_MESSAGES.values())


def test_result_carries_the_error_code(sqlite_devices: Devices, sqlite_hub: HubProcess) -> None:
    st: Station = sqlite_devices.new("340621101", "临涣镇司法所")
    assert run_sync(st).code == ""
    sqlite_hub.kill()
    res = run_sync(st)
    assert (res.status, res.code, res.retryable) == ("error", "network", True)
    assert plain_message(res.code, res.message) == PLAIN_MESSAGES["network"]
    sqlite_hub.start()
    from hub.service import revoke_device
    eng = sqlite_hub.engine()
    revoke_device(eng, "340621101", 1)
    eng.dispose()
    res = run_sync(st)
    assert (res.status, res.code, res.retryable) == ("error", "revoked", False)


def test_probe_sees_the_hub_come_and_go(sqlite_hub: HubProcess) -> None:
    import httpx
    r = httpx.get(sqlite_hub.url + "/health", timeout=5, trust_env=False)  # no token, no protocol header
    assert r.status_code == 200 and r.json() == {"ok": True, "protocol": 1}
    assert "no_token" not in sqlite_hub.log()  # not an authentication failure (those lock the address out)
    assert probe(sqlite_hub.url, timeout=2)
    sqlite_hub.kill()
    assert not probe(sqlite_hub.url, timeout=0.5)
    assert not probe(f"http://127.0.0.1:{free_port()}", timeout=0.5)
