"""Hub database: SQLite by default, PostgreSQL by URL; schema made with ``create_all``."""
from __future__ import annotations

import json
import os
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, create_engine, event, text

from .models import HubBase

DEFAULT_URL = "sqlite:///station-hub.db"


def database_url(explicit: str | None = None) -> str:
    return explicit or os.environ.get("STATION_HUB_DB") or DEFAULT_URL


def _json(value: Any) -> str:
    """JSON columns (an upload batch's per-change results: thousands of entries) through the fast encoder."""
    try:
        return orjson.dumps(value).decode("utf-8")
    except TypeError:
        return json.dumps(value, ensure_ascii=False)


def make_engine(url: str) -> Engine:
    """Engine with the settings the ingest relies on (SQLite: WAL, immediate write lock)."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, json_serializer=_json)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            # 32 MB page cache per connection (default 2 MB): an upload batch looks up and inserts
            # thousands of random uids, whose index pages should stay in memory between batches
            cur.execute("PRAGMA cache_size=-32768")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            conn.exec_driver_sql(f"BEGIN {conn.get_execution_options().get('sqlite_begin', 'DEFERRED')}")
    else:
        engine = create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True, json_serializer=_json)
    HubBase.metadata.create_all(engine)
    return engine


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def writer(engine: Engine) -> Engine:
    """The engine to use for write transactions (takes SQLite's write lock up front)."""
    return engine.execution_options(sqlite_begin="IMMEDIATE") if is_sqlite(engine) else engine


def lock_scope(conn: Connection, scope: str) -> int:
    """Serialise writers of one scope and return its current seq.

    On PostgreSQL the row lock makes commit order equal to ``seq`` order within a
    scope, so a download cursor can never skip a change committed late.
    SQLite already serialises all writers (``BEGIN IMMEDIATE``).
    """
    suffix = "" if conn.dialect.name == "sqlite" else " FOR UPDATE"
    row = conn.execute(text(f"SELECT seq FROM hub_stations WHERE code = :c{suffix}"), {"c": scope}).first()
    if row is None:
        raise KeyError(scope)
    return int(row[0])


#: IN lists are cut to this many values (SQLite's and drivers' parameter limits)
IN_CHUNK = 900


def select_in(conn: Connection, sql: str, values: list[str]) -> list[Any]:
    """Rows of ``sql`` (one ``IN ({})``) for all ``values``, in chunks, straight through the driver."""
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    out: list[Any] = []
    for i in range(0, len(values), IN_CHUNK):
        part = values[i:i + IN_CHUNK]
        out += conn.exec_driver_sql(sql.format(", ".join([mark] * len(part))), tuple(part)).fetchall()
    return out


def text_param(conn: Connection, mark: str) -> str:
    """A placeholder for UTF-8 bytes to be stored as text (the upload's payloads, never decoded
    here): SQLite reads a blob cast to text as its bytes; PostgreSQL decodes, checking UTF-8."""
    return f"CAST({mark} AS TEXT)" if conn.dialect.name == "sqlite" else f"convert_from({mark}, 'UTF8')"


def insert_rows(conn: Connection, table: str, cols: tuple[str, ...], rows: list[tuple[Any, ...]],
                text_bytes: frozenset[str] = frozenset()) -> None:
    """Bulk insert of ready row tuples with one driver ``executemany`` (sqlite3; psycopg pipelines it).

    Values must already be in the driver's form (on SQLite, datetimes as SQLAlchemy's text form);
    the columns named in ``text_bytes`` take UTF-8 bytes and store them as text (:func:`text_param`).
    Core's per-row parameter processing would cost more than the insert itself.
    """
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    q = conn.dialect.identifier_preparer.quote
    conn.exec_driver_sql(f"INSERT INTO {table} ({', '.join(q(c) for c in cols)}) "
                         f"VALUES ({', '.join(text_param(conn, mark) if c in text_bytes else mark for c in cols)})",
                         rows)
