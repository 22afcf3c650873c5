"""Encryption at rest: unreadable without the key, recovery code, password fallback, in-place migration."""
from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from station import Station
from station.errors import DatabaseKeyError
from station.security import crypto

from .conftest import VALID_ID


def _fill(st: Station) -> str:
    st.reference.setup_station({"code": "340621101", "name": "临涣镇司法所", "abbr": "临"})
    return st.people.save_person({"name": "张三", "id_number": VALID_ID, "phone": "13800138000"}).uid


def test_copied_file_is_unreadable_without_the_key(tmp_path: Path) -> None:
    st = Station.open(tmp_path / "a", encrypt=True)
    uid = _fill(st)
    st.close()
    raw = (tmp_path / "a" / "station.db").read_bytes()
    assert VALID_ID.encode() not in raw and "张三".encode() not in raw and not raw.startswith(b"SQLite format 3")
    copy = tmp_path / "stolen"
    copy.mkdir()
    shutil.copy(tmp_path / "a" / "station.db", copy / "station.db")
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(copy / "station.db").execute("SELECT * FROM persons").fetchall()
    with pytest.raises(DatabaseKeyError, match="无法读取"):  # no key info beside it: a clear message
        Station.open(copy)
    st = Station.open(tmp_path / "a")  # the key comes from the keyring
    assert st.people.get_person(uid)["id_number"] == VALID_ID
    st.close()


def test_recovery_code_opens_when_the_keyring_is_lost(tmp_path: Path) -> None:
    st = Station.open(tmp_path / "a", encrypt=True)
    code = st.recovery_code
    assert code and len(code) == 35
    uid = _fill(st)
    st.close()
    info = crypto.read_info(tmp_path / "a")
    assert info is not None and code.replace("-", "") not in (tmp_path / "a" / crypto.KEYINFO).read_text()
    keyring.delete_password(crypto.KEYRING_SERVICE, f"database-{info.db_id}")  # new machine / lost keyring
    with pytest.raises(DatabaseKeyError, match="恢复码"):
        Station.open(tmp_path / "a")
    with pytest.raises(DatabaseKeyError, match="恢复码不正确"):
        Station.open(tmp_path / "a", recovery_code="AAAAA-AAAAA-AAAAA-AAAAA-AAAAA-AAAAA")
    st = Station.open(tmp_path / "a", recovery_code=code.lower().replace("-", " "))
    assert st.people.get_person(uid)["name"] == "张三"
    st.close()
    st = Station.open(tmp_path / "a")  # the key went back into the keyring
    assert st.recovery_code is None
    st.close()


def test_wrong_key_and_damaged_file_are_reported_clearly(tmp_path: Path) -> None:
    st = Station.open(tmp_path / "a", encrypt=True)
    _fill(st)
    st.close()
    with pytest.raises(DatabaseKeyError, match="密钥不对"):
        Station.open(tmp_path / "a", key=b"\x01" * 32)
    db = tmp_path / "a" / "station.db"
    data = bytearray(db.read_bytes())
    data[:4096] = b"\x00" * 4096  # the first page (salt, schema) destroyed
    db.write_bytes(bytes(data))
    with pytest.raises(DatabaseKeyError, match="损坏"):
        Station.open(tmp_path / "a")


def test_password_fallback_without_a_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyring.core, "_keyring_backend", fail.Keyring())
    assert not crypto.keyring_available()
    with pytest.raises(DatabaseKeyError, match="没有可用的系统密钥库"):
        Station.open(tmp_path / "a", encrypt=True)
    st = Station.open(tmp_path / "a", encrypt=True, password="db-password-1")
    uid = _fill(st)
    code = st.recovery_code
    st.close()
    assert json.loads((tmp_path / "a" / crypto.KEYINFO).read_text())["mode"] == "password"
    with pytest.raises(DatabaseKeyError, match="请输入数据库密码"):
        Station.open(tmp_path / "a")
    with pytest.raises(DatabaseKeyError, match="数据库密码不正确"):
        Station.open(tmp_path / "a", password="db-password-2")
    for kw in ({"password": "db-password-1"}, {"recovery_code": code}):
        st = Station.open(tmp_path / "a", **kw)
        assert st.people.get_person(uid)["phone"] == "13800138000"
        st.close()


def _content(st: Station) -> dict[str, tuple[int, str]]:
    """Row count and a hash of every row of every table."""
    out = {}
    with st.read() as s:
        conn = s.connection()
        for (t,) in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"):
            rows = sorted(repr(tuple(r)) for r in conn.exec_driver_sql(f'SELECT * FROM "{t}"'))
            out[t] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return out


def test_plain_database_is_encrypted_in_place_keeping_every_record(tmp_path: Path) -> None:
    from station.demo import generate

    folder = tmp_path / "a"
    st = Station.open(folder)
    st.reference.setup_station({"code": "340621101", "name": "临涣镇司法所", "abbr": "临"})
    generate(st, 300, seed=7)
    before = _content(st)
    st.close()
    st = Station.open(folder, encrypt=True)
    assert st.recovery_code
    after = _content(st)
    st.close()
    assert after == before and before["persons"][0] > 100
    assert not (folder / "backups" / "station-before-encryption.db").exists()  # no plain copy left behind
    assert not (folder / "station.db").read_bytes().startswith(b"SQLite format 3")
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(folder / "station.db").execute("SELECT count(*) FROM persons").fetchall()
