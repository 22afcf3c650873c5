"""Maintenance of the FTS5 search index (``search_docs`` + ``search_fts``).

``search_docs`` maps a record uid to the integer rowid used by ``search_fts``
so a record can be re-indexed in place; the FTS table holds only tokens
(see :mod:`station.textindex`), never ID or phone numbers.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

from sqlalchemy import Connection, text

from .textindex import index_text, name_pinyin



def _person(d: dict[str, Any]) -> str:
    # ``initials`` already holds the name's pinyin (set on write); recomputing it costs more
    # than everything else in the index.
    pinyin = d.get("initials")
    if pinyin is None:
        pinyin = " ".join(name_pinyin(d.get("name") or ""))
    return " ".join([index_text(d.get("name"), d.get("address"), d.get("occupation"),
                                d.get("representative")), pinyin])


def _consultation(d: dict[str, Any]) -> str:
    return index_text(d.get("number"), d.get("question"), d.get("answer"), d.get("referral_outcome"))


def _case(d: dict[str, Any]) -> str:
    return index_text(d.get("number"), d.get("display_number"), d.get("title"), d.get("facts"),
                      d.get("claims"), " ".join(d.get("terms") or []), d.get("outcome_reason"))


def _visit(d: dict[str, Any]) -> str:
    return index_text(d.get("number"), d.get("content"), d.get("people_served"), d.get("result"))


#: kinds that are searchable, and how their body is made
INDEXERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "person": _person, "consultation": _consultation, "case": _case, "visit": _visit,
}


def index_rows(conn: Connection, records: Iterable[dict[str, Any]], *, fresh: bool = False) -> None:
    """(Re)index record dicts; deleted records leave the index. ``fresh``: none indexed yet."""
    rows = [r for r in records if r["_kind"] in INDEXERS]
    if not rows:
        return
    existing = {} if fresh else _ids(conn, [r["uid"] for r in rows])
    stale = [{"id": existing[r["uid"]]} for r in rows if r["uid"] in existing]
    if stale:
        conn.execute(text("DELETE FROM search_fts WHERE rowid = :id"), stale)
        conn.execute(text("DELETE FROM search_docs WHERE id = :id"), stale)
    live = [r for r in rows if not r.get("deleted")]
    if not live:
        return
    # Writers hold the database lock (BEGIN IMMEDIATE), so ids can be allocated here.
    first = int(conn.execute(text("SELECT coalesce(max(id), 0) FROM search_docs")).scalar_one()) + 1
    raw = conn.exec_driver_sql
    raw("INSERT INTO search_docs (id, uid, kind) VALUES (?, ?, ?)",
        [(first + i, r["uid"], r["_kind"]) for i, r in enumerate(live)])
    raw("INSERT INTO search_fts (rowid, body) VALUES (?, ?)",
        [(first + i, INDEXERS[r["_kind"]](r)) for i, r in enumerate(live)])


def _ids(conn: Connection, uids: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for i in range(0, len(uids), 500):
        chunk = uids[i:i + 500]
        marks = ",".join(f":u{j}" for j in range(len(chunk)))
        out.update(conn.execute(text(f"SELECT uid, id FROM search_docs WHERE uid IN ({marks})"),
                                {f"u{j}": u for j, u in enumerate(chunk)}).all())
    return out
