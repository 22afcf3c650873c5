"""SQLite engine with the pragmas the station relies on.

* WAL so readers never block the writer;
* ``synchronous=FULL`` because every user action commits at once and
  "nothing typed is ever lost" outranks a few milliseconds;
* foreign keys on; a busy timeout so the GUI, the sync job and the CLI can share
  one file;
* our own ``BEGIN`` (the pysqlite driver's implicit transactions are turned off)
  so write sessions can take the lock up front with ``BEGIN IMMEDIATE`` and
  never fail half-way with "database is locked";
* ``hide_parameters`` and a filter on SQLAlchemy's DEBUG row log: bound values and
  result rows (names, ID numbers, phones) never reach a log or an error message,
  even when SQL logging is switched on.
"""
from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any, Sequence

from sqlalchemy import Engine, create_engine, event

BUSY_TIMEOUT_MS = 10_000


class _NoValues(logging.Filter):
    """SQLAlchemy logs result rows at DEBUG: drop them, they hold personal data (statements stay)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


logging.getLogger("sqlalchemy.engine.Engine").addFilter(_NoValues())


def make_engine(path: Path | str, *, echo: bool = False, key: bytes | None = None,
                sqlcipher: bool = False) -> Engine:
    """Engine on ``path``; with ``key`` the file is a SQLCipher database opened through sqlcipher3.

    ``sqlcipher=True`` without a key: a plain file through sqlcipher3's SQLite build (benchmarks only).
    """
    url = "sqlite://" if str(path) == ":memory:" else f"sqlite:///{path}"
    if key is not None or sqlcipher:
        from sqlcipher3 import dbapi2  # type: ignore[import-untyped]

        from ..security.crypto import connect

        engine = create_engine(url, echo=echo, hide_parameters=True, module=dbapi2, creator=lambda: connect(
            path, key, sqlcipher=True, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False))
    else:
        engine = create_engine(url, echo=echo, hide_parameters=True,
                               connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA cache_size=-32000")
        cur.execute("PRAGMA temp_store=MEMORY")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def driver_rows(session: Any, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Rows as the driver returns them (plain tuples), in the session's transaction.

    For bulk reads of tens of thousands of rows (sync batches, audit uploads, the final
    check), where building SQLAlchemy ``Row`` objects costs more than reading the rows.
    """
    cur = session.connection().connection.driver_connection.cursor()
    try:
        return list(cur.execute(sql, tuple(params)).fetchall())
    finally:
        cur.close()
