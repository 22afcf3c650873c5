"""Backups: a consistent copy of the live database in one ``.stbak`` file, checked before any restore.

A backup is a zip (stored, not compressed: the database is encrypted, so it
would not shrink) holding ``station.db`` — copied with SQLite's online backup
API, so the app may keep writing — its key info (wrapped keys only, see
:mod:`.crypto`) and ``manifest.json``: schema revision, sha256 and size of the
database, row counts per table. The copy keeps the live database's encryption:
a backup of an encrypted station is encrypted with the same key.

Nothing is replaced on restore until the file has passed every check: zip
CRCs, the manifest's sha256, ``PRAGMA integrity_check``, a schema revision
this program knows, and the row counts. The current database is copied aside
first (``backups/station-before-restore-*.db``).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..db.migrate import backup_file, known_revisions
from ..errors import StationError
from . import crypto

if TYPE_CHECKING:
    from ..station import Station

SUFFIX = ".stbak"
AUTO_PREFIX = "station-auto-"
FORMAT = 1


class BackupError(StationError):
    """A backup file is incomplete, damaged, from a newer program, or cannot be opened with this key."""


@dataclass(frozen=True)
class Checked:
    """A backup that passed every check, extracted to ``db`` (a temporary file the caller removes)."""

    manifest: dict[str, Any]
    db: Path
    keyinfo: crypto.KeyInfo | None


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _inspect(db: Path, key: bytes | None) -> tuple[str, str | None, dict[str, int]]:
    conn = crypto.connect(db, key)
    try:
        ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
        try:
            rev = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        except Exception:
            rev = None
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()
    return ok, rev, counts


def create_backup(st: "Station", dest: Path | None = None) -> Path:
    """Back up the open station to ``dest`` (default ``backups/station-<time>.stbak``); returns the path."""
    folder = st.data_dir / "backups"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    dest = Path(dest) if dest else folder / f"station-{stamp}{SUFFIX}"
    with tempfile.TemporaryDirectory(dir=folder, prefix=".backup-") as tmp:
        copy = backup_file(st.db_path, Path(tmp) / "station.db", st.key)
        ok, rev, counts = _inspect(copy, st.key)
        if ok != "ok":
            raise BackupError(f"备份副本完整性检查未通过：{ok}")
        info = crypto.read_info(st.data_dir)
        manifest = {"format": FORMAT, "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                    "schema": rev, "encrypted": st.key is not None, "db_id": info.db_id if info else None,
                    "device_id": st.device_id, "sha256": _sha256(copy), "size": copy.stat().st_size,
                    "counts": counts}
        part = dest.with_name(dest.name + ".part")
        with zipfile.ZipFile(part, "w", zipfile.ZIP_STORED) as z:
            z.write(copy, "station.db")
            if info is not None:
                z.write(st.data_dir / crypto.KEYINFO, crypto.KEYINFO)
            z.writestr("manifest.json", json.dumps(manifest, indent=1))
        os.replace(part, dest)
    st.audit("backup", detail={"sha256": manifest["sha256"], "size": manifest["size"]})
    return dest


def check_backup(path: Path, key: bytes | None, work: Path) -> Checked:
    """Every check a restore needs, extracting into the folder ``work``.

    ``key`` opens the backup's database (the station's key, or one recovered from its key info).
    :raises BackupError: what is wrong, in Chinese.
    """
    try:
        with zipfile.ZipFile(path) as z:
            bad = z.testzip()
            if bad is not None:
                raise BackupError(f"备份文件已损坏（{bad} 校验失败）")
            names = set(z.namelist())
            if not {"manifest.json", "station.db"} <= names:
                raise BackupError("备份文件不完整：缺少数据库或清单")
            manifest = json.loads(z.read("manifest.json"))
            keyinfo = crypto.KeyInfo(**json.loads(z.read(crypto.KEYINFO))) if crypto.KEYINFO in names else None
            z.extract("station.db", work)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as e:
        raise BackupError(f"备份文件不完整或已损坏：{e}") from None
    db = work / "station.db"
    if manifest.get("format") != FORMAT:
        raise BackupError(f"不认识的备份格式：{manifest.get('format')}")
    if _sha256(db) != manifest["sha256"] or db.stat().st_size != manifest["size"]:
        raise BackupError("备份文件内容与清单不符（文件不完整或被改动）")
    if manifest["schema"] not in known_revisions():
        raise BackupError(f"备份来自更新的程序（数据库版本 {manifest['schema']}），请升级后再恢复")
    ok, rev, counts = _inspect(db, key)
    if ok != "ok" or rev != manifest["schema"] or counts != manifest["counts"]:
        raise BackupError(f"备份数据库检查未通过：{ok}")
    return Checked(manifest, db, keyinfo)


def restore(data_dir: Path, path: Path, *, key: bytes | None = None, recovery_code: str | None = None,
            password: str | None = None) -> dict[str, Any]:
    """Replace the station database in ``data_dir`` with the backup at ``path``; returns its manifest.

    The station must be closed in this process. ``key`` is the current database's key (None if
    plain or new); a backup of another database (another machine) needs its ``recovery_code``.
    """
    db_path = data_dir / "station.db"
    current = crypto.read_info(data_dir)
    work = Path(tempfile.mkdtemp(dir=data_dir, prefix=".restore-"))
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            info = crypto.KeyInfo(**json.loads(z.read(crypto.KEYINFO))) if crypto.KEYINFO in names else None
    except (zipfile.BadZipFile, OSError, ValueError, KeyError) as e:
        shutil.rmtree(work)
        raise BackupError(f"备份文件不完整或已损坏：{e}") from None
    try:
        same = info is not None and current is not None and info.db_id == current.db_id
        if info is None:
            backup_key = None
        elif same and key is not None:
            backup_key = key
        else:
            backup_key = crypto.load_key(data_dir, info, password=password, recovery_code=recovery_code)
        checked = check_backup(path, backup_key, work)
        if db_path.exists():
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            safety = backup_file(db_path, data_dir / "backups" / f"station-before-restore-{stamp}.db", key)
            if current is not None:
                shutil.copy(data_dir / crypto.KEYINFO, safety.with_suffix(".keyinfo.json"))
        if db_path.exists() and (same or (info is None and current is None)):
            # same key: copy page by page into the live file under SQLite's locks (WAL-safe)
            src, dst = crypto.connect(checked.db, backup_key), crypto.connect(db_path, key)
            try:
                src.backup(dst)
            finally:
                dst.close()
                src.close()
        else:  # another database (other key, or plain <-> encrypted): swap the file and its key info
            for suffix in ("-wal", "-shm"):
                Path(str(db_path) + suffix).unlink(missing_ok=True)
            os.replace(checked.db, db_path)
            if info is not None:
                crypto.write_info(data_dir, info)
            elif current is not None:
                (data_dir / crypto.KEYINFO).unlink()
        return checked.manifest
    finally:
        shutil.rmtree(work, ignore_errors=True)


def backup_folder(st: "Station") -> tuple[Path, int]:
    """Where scheduled backups go and how many are kept (settings ``backup_dir``/``backup_keep``;
    an empty folder means ``backups/`` in the data folder)."""
    from .. import settings

    with st.read() as s:
        folder, keep = str(settings.get(s, "backup_dir") or ""), int(settings.get(s, "backup_keep"))
    return (Path(folder).expanduser() if folder else st.data_dir / "backups"), keep


def scheduled_backup(st: "Station", keep: int | None = None, folder: Path | None = None) -> Path:
    """The GUI timer's daily backup: a new ``station-auto-*.stbak``, keeping the newest ``keep``
    (default: the setting) in ``folder`` (default: the configured one)."""
    configured, kept = backup_folder(st)
    folder = Path(folder) if folder else configured
    keep = kept if keep is None else keep
    if keep < 1:
        raise ValueError("keep must be at least 1")
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    made = create_backup(st, folder / f"{AUTO_PREFIX}{stamp}{SUFFIX}")
    autos = sorted(folder.glob(f"{AUTO_PREFIX}*{SUFFIX}"))
    for old in autos[:-keep]:
        old.unlink()
    return made


def backup_due(st: "Station", every: dt.timedelta = dt.timedelta(days=1), folder: Path | None = None) -> bool:
    """Whether the newest scheduled backup in ``folder`` (default: the configured one) is older than
    ``every`` (or there is none)."""
    autos = sorted((Path(folder) if folder else backup_folder(st)[0]).glob(f"{AUTO_PREFIX}*{SUFFIX}"))
    if not autos:
        return True
    age = dt.datetime.now().timestamp() - autos[-1].stat().st_mtime
    return age >= every.total_seconds()


__all__ = ["BackupError", "backup_due", "backup_folder", "check_backup", "create_backup", "restore",
           "scheduled_backup"]
