"""Apply records downloaded from the hub: one local transaction per page, no outbox entries.

Writes go through Core on a connection of their own, so the ORM change tracking
(:mod:`station.db.tracking`) never sees them and they are not sent back up.
Foreign keys are off for the page: the hub orders records by its own sequence,
so a child may arrive a page before the newest version of its parent; the data
was consistent on the device that wrote it.
"""
from __future__ import annotations

import json
import logging
from typing import Any, Iterable

from sqlalchemy import Connection, Table, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..models import SYNCED_MODELS
from ..records import decode
from ..search_index import index_rows
from . import protocol as P
from . import state

log = logging.getLogger("station.sync")


def _in(conn: Connection, sql: str, uids: list[str]) -> list[Any]:
    out: list[Any] = []
    for i in range(0, len(uids), 500):
        part = uids[i:i + 500]
        marks = ",".join(f":u{j}" for j in range(len(part)))
        out.extend(conn.execute(text(sql.format(marks=marks)), {f"u{j}": u for j, u in enumerate(part)}).all())
    return out


def blocked_uids(conn: Connection, uids: list[str]) -> tuple[set[str], set[str]]:
    """(uids with local changes not yet acknowledged, uids with an open conflict)."""
    pending = {r[0] for r in _in(conn, "SELECT DISTINCT uid FROM outbox WHERE sent_at IS NULL AND uid IN ({marks})",
                                 uids)}
    conflicted = {r[0] for r in _in(conn, "SELECT uid FROM sync_conflicts WHERE resolved_at IS NULL"
                                          " AND uid IN ({marks})", uids)}
    return pending, conflicted


def upsert(conn: Connection, kind: str, payloads: list[dict[str, Any]]) -> None:
    model = SYNCED_MODELS[kind]
    table: Table = model.__table__  # type: ignore[attr-defined]
    mapper = inspect(model)
    names = {a.key: a.columns[0].name for a in mapper.column_attrs}
    rows = []
    for p in payloads:
        values = decode(model, p)
        rows.append({names[k]: v for k, v in values.items()})
    by_keys: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for r in rows:
        by_keys.setdefault(tuple(sorted(r)), []).append(r)
    for keys, group in by_keys.items():
        stmt = sqlite_insert(table)
        stmt = stmt.on_conflict_do_update(index_elements=["uid"],
                                          set_={k: stmt.excluded[k] for k in keys if k != "uid"})
        conn.execute(stmt, group)


def apply_records(conn: Connection, records: Iterable[dict[str, Any]]) -> dict[str, int]:
    """Apply hub records inside the caller's transaction; returns counts (applied, skipped, held)."""
    records = [r for r in records if r.get("kind") in SYNCED_MODELS]
    counts = {"applied": 0, "skipped": 0, "held": 0, "failed": 0}
    failures: list[dict[str, Any]] = []
    if not records:
        return counts
    uids = [r["uid"] for r in records]
    pending, conflicted = blocked_uids(conn, uids)
    local: dict[str, int] = {}
    for kind in {r["kind"] for r in records}:
        table = SYNCED_MODELS[kind].__tablename__  # type: ignore[attr-defined]
        local.update({u: v for u, v in _in(conn, f"SELECT uid, version FROM {table} WHERE uid IN ({{marks}})",
                                           [r["uid"] for r in records if r["kind"] == kind])})
    todo: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        uid, version = r["uid"], int(r["version"])
        if uid in conflicted:
            conn.execute(text("UPDATE sync_conflicts SET theirs_version = :v, theirs_hash = :h, theirs_payload = :p"
                              " WHERE uid = :u AND resolved_at IS NULL AND theirs_version < :v"),
                         {"v": version, "h": r["hash"], "p": P.canonical_json(r["payload"]), "u": uid})
            counts["held"] += 1
            continue
        if uid in pending and r.get("scope") != "county":
            counts["held"] += 1
            continue
        if r.get("scope") != "county" and local.get(uid, 0) >= version:
            counts["skipped"] += 1
            continue
        if r["kind"] == "station":  # the hub's identity record replaces one made at local set-up
            conn.execute(text("DELETE FROM stations WHERE code = :c AND uid <> :u"),
                         {"c": r["payload"].get("code"), "u": uid})
        todo.setdefault(r["kind"], []).append(r["payload"])
        local[uid] = version
        counts["applied"] += 1
    done: list[dict[str, Any]] = []
    for kind in SYNCED_MODELS:  # parents first
        if kind not in todo:
            continue
        try:
            with conn.begin_nested():
                upsert(conn, kind, todo[kind])
            done.extend(todo[kind])
        except IntegrityError:  # e.g. a record number already used here: skip that record, keep the rest
            for p in todo[kind]:
                try:
                    with conn.begin_nested():
                        upsert(conn, kind, [p])
                    done.append(p)
                except IntegrityError as e:
                    counts["applied"] -= 1
                    counts["failed"] += 1
                    failures.append({"kind": kind, "uid": p["uid"], "version": p.get("version"),
                                     "error": type(e.orig).__name__ + ": " + str(e.orig)[:120]})
    index_rows(conn, done)
    if failures:
        log.warning("download: %d record(s) could not be applied: %s", len(failures),
                    ", ".join(f"{f['kind']}:{f['uid']}" for f in failures[:10]))
        known = state.get(conn, "apply_failures") or []
        state.put(conn, "apply_failures", (known + failures)[-200:])
    return counts


def open_page_connection(engine: Any) -> Connection:
    """A connection with foreign keys off (must be set outside a transaction); caller restores them."""
    conn = engine.execution_options(sqlite_begin="IMMEDIATE").connect()
    raw = conn.connection.driver_connection  # a PRAGMA inside a transaction would be ignored
    assert raw is not None
    raw.execute("PRAGMA foreign_keys=OFF")
    return conn


def close_page_connection(conn: Connection) -> None:
    try:
        if conn.in_transaction():
            conn.rollback()
        raw = conn.connection.driver_connection
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=ON")
    finally:
        conn.close()


def parse_payload(text_: str) -> dict[str, Any]:
    return dict(json.loads(text_))
