"""Read and write the sync client's key/value state (``sync_state`` table) through Core."""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session


def _conn(s: Session | Connection) -> Connection:
    return s.connection() if isinstance(s, Session) else s


def get(s: Session | Connection, key: str, default: Any = None) -> Any:
    row = _conn(s).execute(text("SELECT value FROM sync_state WHERE key = :k"), {"k": key}).first()
    return default if row is None else json.loads(row[0]) if isinstance(row[0], str) else row[0]


def put(s: Session | Connection, key: str, value: Any) -> None:
    _conn(s).execute(text("INSERT INTO sync_state (key, value) VALUES (:k, :v) "
                          "ON CONFLICT(key) DO UPDATE SET value = excluded.value"),
                     {"k": key, "v": json.dumps(value, ensure_ascii=False)})
