"""Accounts and the audit chain from the command line (real processes)."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from station.security import crypto

from .test_cli import run

PW = {"STATION_NEW_PASSWORD": "chief-pass-1"}
AS_CHIEF = {"STATION_USER": "chief", "STATION_PASSWORD": "chief-pass-1"}


def test_cli_accounts_login_and_audit_verify(tmp_path: Path) -> None:
    d = ["--data-dir", str(tmp_path / "data")]
    r = run(*d, "init", "--code", "340621101", "--name", "临涣镇司法所", "--abbr", "临")
    assert r.returncode == 0 and "恢复码" in r.stdout
    r = run(*d, "account", "create-chief", "chief", "--name", "王所长", env=PW)
    assert r.returncode == 0, r.stderr
    r = run(*d, "list", "person")
    assert r.returncode == 1 and "请先登录" in r.stderr and "--user" in r.stderr
    r = run(*d, "--user", "chief", "list", "person", env={"STATION_PASSWORD": "wrong-pass"})
    assert r.returncode == 1 and "用户名或密码不正确" in r.stderr
    r = run(*d, "account", "add", "clerk", "--role", "counter", "--name", "马建国",
            env={**AS_CHIEF, "STATION_NEW_PASSWORD": "clerk-pass-1"})
    assert r.returncode == 0, r.stderr
    r = run(*d, "--user", "clerk", "export", env={"STATION_PASSWORD": "clerk-pass-1"})
    assert r.returncode == 1 and "数据导入导出和备份" in r.stderr and r.stdout == ""
    r = run(*d, "demo", "--records", "60", "--quiet", env=AS_CHIEF)
    assert r.returncode == 0, r.stderr
    r = run(*d, "export", "-o", str(tmp_path / "out.jsonl"), env=AS_CHIEF)
    assert r.returncode == 0, r.stderr
    r = run(*d, "account", "list", env=AS_CHIEF)
    assert "clerk" in r.stdout and "窗口接待" in r.stdout
    r = run(*d, "audit", "verify", "--json", env=AS_CHIEF)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["entries"] > 60 and report["broken"] == []
    folder = tmp_path / "data"
    with pytest.raises(sqlite3.DatabaseError):  # encrypted by `init`
        sqlite3.connect(folder / "station.db").execute("SELECT count(*) FROM audit_log").fetchone()
    key = crypto.load_key(folder, crypto.read_info(folder))  # the test keyring shared with the subprocesses
    with crypto.connect(folder / "station.db", key) as conn:
        actions = {a for (a,) in conn.execute("SELECT DISTINCT action FROM audit_log")}
        assert {"create", "login", "login_failed", "export", "account"} <= actions
        seq = conn.execute("SELECT seq FROM audit_log WHERE action = 'export'").fetchone()[0]
        conn.execute("UPDATE audit_log SET detail = '{\"records\":0}' WHERE action = 'export'")
    r = run(*d, "audit", "verify", env=AS_CHIEF)
    assert r.returncode == 1 and f"第 {seq} 条" in r.stdout and "被修改" in r.stdout


def test_cli_backup_and_restore(tmp_path: Path) -> None:
    d = ["--data-dir", str(tmp_path / "data")]
    assert run(*d, "init", "--code", "340621101", "--name", "临涣镇司法所", "--abbr", "临").returncode == 0
    assert run(*d, "demo", "--records", "40", "--quiet").returncode == 0
    r = run(*d, "backup", "-o", str(tmp_path / "b.stbak"))
    assert r.returncode == 0 and "已备份" in r.stdout, r.stderr
    assert run(*d, "demo", "--records", "40", "--quiet", "--seed", "9").returncode == 0
    before = run(*d, "list", "person", "--limit", "1000").stdout.count("\n")
    (tmp_path / "bad.stbak").write_bytes((tmp_path / "b.stbak").read_bytes()[:5000])
    r = run(*d, "restore", str(tmp_path / "bad.stbak"))
    assert r.returncode == 1 and ("损坏" in r.stderr or "不完整" in r.stderr), r.stderr
    assert run(*d, "list", "person", "--limit", "1000").stdout.count("\n") == before
    r = run(*d, "restore", str(tmp_path / "b.stbak"))
    assert r.returncode == 0 and "已从" in r.stdout, r.stderr
    after = run(*d, "list", "person", "--limit", "1000").stdout.count("\n")
    assert 0 < after < before
    assert run(*d, "audit", "verify").returncode == 0
