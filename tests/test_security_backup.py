"""Backups: consistent while the app writes, checked before anything is replaced, rotated, encrypted."""
from __future__ import annotations

import threading
import zipfile
from pathlib import Path

import pytest

from station import Station
from station.security import backup as bk
from station.security.audit import verify


def _station(folder: Path, encrypt: bool) -> Station:
    st = Station.open(folder, encrypt=encrypt)
    if st.reference.station_info() is None:
        st.reference.setup_station({"code": "340621101", "name": "临涣镇司法所", "abbr": "临"})
    return st


@pytest.mark.parametrize("encrypt", [True, False])
def test_round_trip_while_another_connection_writes(tmp_path: Path, encrypt: bool) -> None:
    folder = tmp_path / "a"
    st = _station(folder, encrypt)
    writer = Station.open(folder)  # a second handle: "the app" writing while the backup runs
    stop, written = threading.Event(), []

    def write() -> None:
        while not stop.is_set() or len(written) < 40:
            written.append(writer.people.save_person({"name": f"张{len(written)}"}).uid)

    t = threading.Thread(target=write)
    t.start()
    while len(written) < 20:
        pass
    made = bk.create_backup(st, tmp_path / "b.stbak")
    stop.set()
    t.join()
    writer.close()
    checked = bk.check_backup(made, st.key, tmp_path)
    in_backup = checked.manifest["counts"]["persons"]
    assert 20 <= in_backup <= len(written) and checked.manifest["encrypted"] == encrypt
    assert checked.manifest["counts"]["outbox"] >= in_backup  # a consistent snapshot: every row has its outbox row
    raw = zipfile.ZipFile(made).read("station.db")
    assert raw.startswith(b"SQLite format 3") != encrypt and ("张1".encode() in raw) != encrypt
    assert st.records.count_records("person") == len(written)
    st.close()
    manifest = bk.restore(folder, made, key=st.key)
    assert manifest["sha256"] == checked.manifest["sha256"]
    st = Station.open(folder)
    assert st.records.count_records("person") == in_backup
    with st.read() as s:
        assert verify(s)[1] == []
    st.close()
    assert len(list((folder / "backups").glob("station-before-restore-*.db"))) == 1


def _corrupt(src: Path, dest: Path, how: str) -> Path:
    data = bytearray(src.read_bytes())
    if how == "truncated":
        data = data[: len(data) // 2]
    else:  # flip bytes inside the stored database
        data[len(data) // 2: len(data) // 2 + 16] = b"\xff" * 16
    dest.write_bytes(bytes(data))
    return dest


@pytest.mark.parametrize("how", ["truncated", "flipped"])
def test_damaged_backup_is_refused_and_nothing_replaced(tmp_path: Path, how: str) -> None:
    folder = tmp_path / "a"
    st = _station(folder, True)
    st.people.save_person({"name": "李四"})
    made = bk.create_backup(st)
    st.people.save_person({"name": "王五"})
    key = st.key
    st.close()
    before = (folder / "station.db").read_bytes()
    with pytest.raises(bk.BackupError, match="损坏|不完整|不符"):
        bk.restore(folder, _corrupt(made, tmp_path / "bad.stbak", how), key=key)
    assert (folder / "station.db").read_bytes() == before
    assert not list((folder / "backups").glob("station-before-restore-*"))
    assert not list(folder.glob(".restore-*"))


def test_restore_on_a_new_machine_needs_the_recovery_code(tmp_path: Path) -> None:
    st = Station.open(tmp_path / "a", encrypt=True)
    code = st.recovery_code
    st.reference.setup_station({"code": "340621101", "name": "临涣镇司法所", "abbr": "临"})
    uid = st.people.save_person({"name": "赵六"}).uid
    made = bk.create_backup(st)
    st.close()
    new = tmp_path / "new"
    new.mkdir()
    with pytest.raises(Exception, match="恢复码"):
        import keyring

        from station.security import crypto
        info = crypto.read_info(tmp_path / "a")
        keyring.delete_password(crypto.KEYRING_SERVICE, f"database-{info.db_id}")
        bk.restore(new, made)
    bk.restore(new, made, recovery_code=code)
    st = Station.open(new)
    assert st.people.get_person(uid)["name"] == "赵六"
    st.close()


def test_scheduled_backups_keep_n(station: Station) -> None:
    assert bk.backup_due(station)
    made = [bk.scheduled_backup(station, keep=3) for _ in range(5)]
    left = sorted((station.data_dir / "backups").glob("station-auto-*.stbak"))
    assert left == made[-3:] and not bk.backup_due(station)
