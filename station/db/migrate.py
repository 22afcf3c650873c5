"""Bring a station database to the current schema, safely.

Before any migration runs on a file that already holds data, a consistent copy
is taken with SQLite's online backup API (safe even while another process has
the file open in WAL mode). The upgrade itself runs in one transaction with
foreign keys off (Alembic's batch mode rebuilds tables), and a
``foreign_key_check`` must pass before it commits.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

from ..errors import SchemaError

if TYPE_CHECKING:
    from alembic.config import Config

#: the newest revision this program knows (a test keeps it equal to Alembic's head)
SCHEMA_HEAD = "0010"  # 0008: ledger imports; 0009: outbox indexes; 0010: outbox payloads apart

_MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


# Alembic is imported only when a migration has to run: opening an up-to-date
# database should not pay for it.


def alembic_config() -> "Config":
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    return cfg


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def backup_file(src: Path, dest: Path, key: bytes | None = None) -> Path:
    """Consistent copy of a live SQLite file through the backup API (encrypted with ``key`` if given)."""
    from ..security.crypto import connect

    dest.parent.mkdir(parents=True, exist_ok=True)
    s, d = connect(src, key), connect(dest, key)
    try:
        s.backup(d)
    finally:
        d.close()
        s.close()
    return dest


def migrate(engine: Engine, db_path: Path | None, backup_dir: Path | None,
            target: str = "head", key: bytes | None = None) -> Path | None:
    """Upgrade to ``target``; returns the backup made first, if any.

    :raises SchemaError: the file was written by a newer program.
    """
    rev = current_revision(engine)
    if rev == SCHEMA_HEAD and target == "head":
        return None
    if rev is not None and rev not in known_revisions():
        raise SchemaError(f"数据库版本 {rev} 比本程序新，请升级程序后再打开")
    backup = None
    if rev is not None and db_path is not None and backup_dir is not None:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        backup = backup_file(db_path, backup_dir / f"station-before-migration-{rev}-{stamp}.db", key)
    from alembic import command

    cfg = alembic_config()
    with engine.connect() as conn:
        raw = conn.connection.driver_connection  # PRAGMA foreign_keys is ignored inside a transaction
        assert raw is not None
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, target)
                bad = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if bad:
                    raise SchemaError(f"迁移后外键检查失败：{bad[:3]}")
        finally:
            raw.execute("PRAGMA foreign_keys=ON")
    return backup
