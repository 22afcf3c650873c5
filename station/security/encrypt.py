"""Turn an existing plain station database into an encrypted one, safely.

Order: (1) a consistent plain copy of the live file is taken (backup API) — the
safety net; (2) a new key is made and ``sqlcipher_export`` writes an encrypted
copy; (3) the copy is opened with the key and must pass ``integrity_check`` and
hold exactly as many rows in every table as the original; (4) only then does
the encrypted file replace the plain one (atomic rename). If any step fails,
the plain database is untouched and the key info is removed again. After a
verified switch the plain safety copy is deleted: leaving it would defeat the
encryption.
"""
from __future__ import annotations

import os
from pathlib import Path

from ..db.migrate import backup_file
from ..errors import DatabaseKeyError
from . import crypto


def _counts(conn: object) -> dict[str, int]:
    tables = [r[0] for r in conn.execute(  # type: ignore[attr-defined]
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # type: ignore[attr-defined]


def encrypt_in_place(db_path: Path, *, password: str | None = None) -> str:
    """Encrypt the plain database at ``db_path`` (nobody may have it open); returns the recovery code."""
    from sqlcipher3 import dbapi2  # type: ignore[import-untyped]

    folder = db_path.parent
    if crypto.read_info(folder) is not None:
        raise DatabaseKeyError("数据库已经加密")
    safety = backup_file(db_path, folder / "backups" / "station-before-encryption.db")
    key, code = crypto.setup(folder, password=password)
    enc = db_path.with_name(db_path.name + ".encrypting")
    enc.unlink(missing_ok=True)
    try:
        plain = dbapi2.connect(str(safety))  # sqlcipher opens a plain file when no key is given
        try:
            expected = _counts(plain)
            version = plain.execute("PRAGMA user_version").fetchone()[0]
            plain.execute(f"ATTACH DATABASE ? AS enc KEY \"x'{key.hex()}'\"", (str(enc),))
            plain.execute("SELECT sqlcipher_export('enc')")
            plain.execute(f"PRAGMA enc.user_version = {int(version)}")
            plain.execute("DETACH DATABASE enc")
        finally:
            plain.close()
        check = crypto.connect(enc, key)
        try:
            ok = check.execute("PRAGMA integrity_check").fetchone()[0]
            got = _counts(check)
        finally:
            check.close()
        if ok != "ok" or got != expected:
            raise DatabaseKeyError(f"加密后的副本校验未通过（{ok}），原数据库未改动")
        for suffix in ("-wal", "-shm"):
            Path(str(db_path) + suffix).unlink(missing_ok=True)
        os.replace(enc, db_path)
    except BaseException:
        enc.unlink(missing_ok=True)
        (folder / crypto.KEYINFO).unlink(missing_ok=True)
        raise
    safety.unlink()
    return code
