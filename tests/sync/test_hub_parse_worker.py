"""The hub's parse worker process: it reads pushes beside the hub's writes, refuses what the hub refused
before, and never outlives the hub, however the hub ends. Linux: children are found through /proc."""
from __future__ import annotations

import time
from pathlib import Path

from conftest import Devices, HubProcess
from helpers import add_people, held, hub_held

from station.sync import run_sync

A = "340621101"


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _workers(hub: HubProcess) -> list[int]:
    assert hub.proc is not None
    return [p for p in _children(hub.proc.pid)
            if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()]


def test_the_parse_worker_ends_with_the_hub_even_when_the_hub_is_killed(tmp_path: Path) -> None:
    for end in ("stop", "kill"):  # SIGTERM (a service stop), SIGKILL (a crash)
        hub = HubProcess(f"sqlite:///{tmp_path / 'hub.db'}", tmp_path).start()
        try:
            workers = _workers(hub)
            assert workers, "the hub runs pushes through a parse worker process"
        finally:
            getattr(hub, end)()
        deadline = time.monotonic() + 10
        while any(_alive(p) for p in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(p) for p in workers), f"parse worker left running after hub {end}"


def test_without_a_parse_worker_pushes_are_read_in_the_hub_process(tmp_path: Path, _station_template: Path) -> None:
    hub = HubProcess(f"sqlite:///{tmp_path / 'hub.db'}", tmp_path, STATION_HUB_PARSE_WORKERS="0").start()
    devices = Devices(hub, tmp_path, _station_template)
    try:
        assert _workers(hub) == []
        a1 = devices.new(A, "临涣镇司法所")
        add_people(a1, 4, "甲")
        res = run_sync(a1)
        assert res.ok and res.verified and res.accepted >= 4, res.summary()
        assert held(a1) == hub_held(hub, A)
    finally:
        devices.close()
        hub.stop()
