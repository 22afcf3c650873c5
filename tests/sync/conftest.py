"""Fixtures for sync tests: real hub processes (uvicorn) on 127.0.0.1, SQLite or PostgreSQL.

PostgreSQL runs as a throwaway cluster (initdb/pg_ctl on a free port under a temp dir)
for the whole session. If the server binaries are missing the PostgreSQL tests fail.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from station import Station

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path(os.environ.get("STATION_PG_BIN", "/usr/lib/postgresql/15/bin"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, timeout: float = 20.0, proc: "subprocess.Popen[bytes] | None" = None) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            break
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


class HubProcess:
    """``station-hub serve`` as a child process; can be killed and restarted on the same port and DB."""

    def __init__(self, db_url: str, log_dir: Path, **env: str) -> None:
        self.db_url, self.log_dir, self.env = db_url, log_dir, env
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / f"hub-{self.port}.log"

    def start(self, **env: str) -> "HubProcess":
        full = {**os.environ, "PYTHONPATH": str(ROOT), "STATION_HUB_TESTING": "1", **self.env, **env}
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "hub.cli", "--db", self.db_url, "serve", "--host",
                                      "127.0.0.1", "--port", str(self.port)], env=full, stdout=log, stderr=log,
                                     cwd=str(self.log_dir))
        try:
            wait_port(self.port, proc=self.proc)
        except RuntimeError:
            self.kill()
            raise RuntimeError(f"hub did not start; log tail:\n{self.log()[-2000:]}") from None
        return self

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def restart(self, **env: str) -> None:
        self.kill()
        self.start(**env)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def engine(self) -> Any:
        from hub.db import make_engine
        return make_engine(self.db_url)

    def register(self, code: str, name: str = "测试司法所") -> dict[str, Any]:
        from hub.service import register_device
        eng = self.engine()
        try:
            return register_device(eng, code, name=name)
        finally:
            eng.dispose()


@pytest.fixture(scope="session")
def postgres() -> Iterator[str]:
    """A throwaway PostgreSQL cluster for the session (fails, never skips, without the binaries)."""
    if not (PG_BIN / "initdb").exists() or not (PG_BIN / "pg_ctl").exists():
        pytest.fail(f"PostgreSQL server binaries not found in {PG_BIN} (install Debian's postgresql package "
                    "or set STATION_PG_BIN); the PostgreSQL sync tests cannot run")
    with pg_cluster() as url:
        yield url


@contextmanager
def pg_cluster() -> Iterator[str]:
    """Start a throwaway PostgreSQL cluster; yields a URL prefix ``postgresql://user@127.0.0.1:port``."""
    initdb, pg_ctl = PG_BIN / "initdb", PG_BIN / "pg_ctl"
    if not initdb.exists() or not pg_ctl.exists():
        raise RuntimeError(f"PostgreSQL server binaries not found in {PG_BIN}")
    # initdb refuses to run as root: then the cluster belongs to the "postgres" system user
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    run_as: list[str] = ["runuser", "-u", "postgres", "--"] if as_root else []
    base = Path(tempfile.mkdtemp(prefix="station-pg-"))
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    if as_root:
        import pwd
        pw = pwd.getpwnam("postgres")
        for p in (base, sock):
            os.chown(p, pw.pw_uid, pw.pw_gid)
    user = "station"
    subprocess.run(run_as + [str(initdb), "-D", str(data), "-U", user, "--auth=trust", "-E", "UTF8", "--no-sync"],
                   check=True, capture_output=True)
    port = free_port()
    subprocess.run(run_as + [str(pg_ctl), "start", "-D", str(data), "-l", str(base / "pg.log"), "-w", "-o",
                             f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off"
                             " -c max_connections=300"],
                   check=True, capture_output=True)
    try:
        yield f"postgresql://{user}@127.0.0.1:{port}"
    finally:
        subprocess.run(run_as + [str(pg_ctl), "-D", str(data), "-m", "immediate", "-w", "stop"],
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def _new_pg_db(prefix: str) -> str:
    import psycopg
    name = "hub_" + uuid.uuid4().hex[:10]
    with psycopg.connect(prefix + "/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return f"{prefix}/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def hub_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty hub database URL, once on SQLite and once on the PostgreSQL cluster."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hub.db'}"
    return _new_pg_db(request.getfixturevalue("postgres"))


@pytest.fixture
def sqlite_hub_db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'hub.db'}"


@pytest.fixture
def hub(hub_db: str, tmp_path: Path) -> Iterator[HubProcess]:
    h = HubProcess(hub_db, tmp_path).start()
    yield h
    h.stop()


@pytest.fixture
def sqlite_hub(sqlite_hub_db: str, tmp_path: Path) -> Iterator[HubProcess]:
    h = HubProcess(sqlite_hub_db, tmp_path).start()
    yield h
    h.stop()


@pytest.fixture
def pg_hub(postgres: str, tmp_path: Path) -> Iterator[HubProcess]:
    h = HubProcess(_new_pg_db(postgres), tmp_path).start()
    yield h
    h.stop()


@pytest.fixture(scope="session")
def _station_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sync-template")
    Station.open(folder).close()
    return folder


class Devices:
    """Makes logged-in station devices against one hub (token kept in a file: no keyring in CI)."""

    def __init__(self, hub: HubProcess, tmp: Path, template: Path) -> None:
        self.hub, self.tmp, self.template, self.opened = hub, tmp, template, []  # type: list[Station]

    def new(self, code: str, name: str = "测试司法所", *, setup: bool = True, url: str | None = None) -> Station:
        from station.sync import login
        reg = self.hub.register(code, name)
        folder = self.tmp / f"dev-{code}-{reg['device_no']}"
        shutil.copytree(self.template, folder)
        for f in folder.glob("station.db-*"):
            f.unlink()
        st = Station.open(folder)
        self.opened.append(st)
        if setup and reg["device_no"] == 1:
            st.reference.setup_station({"code": code, "name": name, "abbr": name[:1]})
        login(st, url or self.hub.url, reg["token"], token_file=folder / "hub.token")
        st.hub_token = reg["token"]  # type: ignore[attr-defined]  # for raw-HTTP tests
        return st

    def close(self) -> None:
        for st in self.opened:
            st.close()


@pytest.fixture
def devices(hub: HubProcess, tmp_path: Path, _station_template: Path) -> Iterator[Devices]:
    d = Devices(hub, tmp_path, _station_template)
    yield d
    d.close()


@pytest.fixture
def sqlite_devices(sqlite_hub: HubProcess, tmp_path: Path, _station_template: Path) -> Iterator[Devices]:
    d = Devices(sqlite_hub, tmp_path, _station_template)
    yield d
    d.close()


def http(hub: HubProcess, token: str | None = None, protocol: str | None = "1") -> httpx.Client:
    headers = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if protocol:
        headers["X-Station-Protocol"] = protocol
    return httpx.Client(base_url=hub.url, headers=headers, trust_env=False, timeout=30)


@pytest.fixture
def pg_devices(pg_hub: HubProcess, tmp_path: Path, _station_template: Path) -> Iterator[Devices]:
    d = Devices(pg_hub, tmp_path, _station_template)
    yield d
    d.close()
