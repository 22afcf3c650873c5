"""Each station's per-kind fingerprint of the records the hub holds, kept up to date as it writes.

The final check of every sync compares the device's fingerprint with the hub's. Reading
all of a station's records for it cost the hub as much as a whole upload batch, for
every sync of every device. Instead, the writers (``ingest`` and reference data) add
and take out record terms (:func:`station.sync.protocol.record_term`) in the same
transaction as the records, and the check reads a few rows (:func:`current`).

The row of kind ``""`` marks the scope ``seq`` at which the kept rows are complete.
A scope written without keeping them (a hub database from before, a restore of
part of a table) is recounted from its records by the next check, as it is when the
kept counts differ from the records' (rows deleted behind the hub's back).
"""
from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, text

from station.sync import protocol as P

from .db import lock_scope, writer
from .models import HubFingerprint, HubStation

MARKER = ""
log = logging.getLogger("station_hub")


class Tally:
    """The kept fingerprint of one scope, changed in a write transaction and saved with it.

    Made by :meth:`open` under the scope's write lock; None when the scope's rows are not
    complete (then nothing is kept and the next check recounts).
    """

    def __init__(self, kinds: dict[str, list[int]]) -> None:
        self.kinds = kinds
        self.touched: set[str] = set()

    @classmethod
    def open(cls, conn: Connection, scope: str, seq: int) -> "Tally | None":
        rows = {k: [int(n), int(t, 16)] for k, n, t in conn.execute(
            select(HubFingerprint.kind, HubFingerprint.count, HubFingerprint.total)
            .where(HubFingerprint.scope == scope))}
        marker = rows.pop(MARKER, None)
        if marker is None or marker[0] != seq:
            return None
        return cls(rows)

    def put(self, kind: str, term: int, count: int = 1) -> None:
        """A record of ``kind`` is new (``term`` of its version); or ``count`` records, ``term`` the sum of theirs."""
        a = self.kinds.setdefault(kind, [0, 0])
        a[0] += count
        a[1] += term
        self.touched.add(kind)

    def take(self, kind: str, term: int) -> None:
        """A record of ``kind`` (``term`` of its version) is no longer held as it was."""
        a = self.kinds.setdefault(kind, [0, 0])
        a[0] -= 1
        a[1] -= term
        self.touched.add(kind)

    def replace(self, kind: str, old_term: int, term: int) -> None:
        """A record of ``kind`` moved from the version of ``old_term`` to the version of ``term``."""
        a = self.kinds.setdefault(kind, [0, 0])
        a[1] += term - old_term
        self.touched.add(kind)

    def save(self, conn: Connection, scope: str, seq: int) -> None:
        """Write the changed kinds and mark the rows complete at ``seq`` (the scope's new seq)."""
        _write(conn, scope, {k: self.kinds[k] for k in self.touched}, seq)


def start(conn: Connection, scope: str, seq: int = 0) -> None:
    """A new scope: its (empty) fingerprint is complete at ``seq``."""
    _write(conn, scope, {}, seq)


def _write(conn: Connection, scope: str, kinds: dict[str, list[int]], seq: int) -> None:
    names = [*kinds, MARKER]
    conn.execute(delete(HubFingerprint).where(HubFingerprint.scope == scope, HubFingerprint.kind.in_(names)))
    conn.execute(insert(HubFingerprint), [
        {"scope": scope, "kind": k, "count": n, "total": P.sum_hex(t)} for k, (n, t) in kinds.items()]
        + [{"scope": scope, "kind": MARKER, "count": seq, "total": P.sum_hex(0)}])


def current(engine: Engine, scope: str) -> dict[str, tuple[int, int]]:
    """``{kind: (count, sum)}`` of the records of ``scope``: the kept rows, or recounted if they are not complete."""
    with engine.connect() as conn:
        # one statement: the rows and the seq they are checked against come from one snapshot
        rows = conn.execute(select(HubStation.seq, HubFingerprint.kind, HubFingerprint.count, HubFingerprint.total)
                            .outerjoin(HubFingerprint, HubFingerprint.scope == HubStation.code)
                            .where(HubStation.code == scope)).all()
        kept = {r[1]: (int(r[2]), int(r[3], 16)) for r in rows if r[1] is not None}
        marker = kept.pop(MARKER, None)
        if rows and marker is not None and marker[0] == rows[0][0]:
            counts = dict(conn.execute(text("SELECT kind, count(*) FROM hub_records WHERE scope = :s GROUP BY kind"),
                                       {"s": scope}).all())
            if counts == {k: n for k, (n, _) in kept.items() if n}:
                return kept
    with writer(engine).begin() as conn:
        return _recount(conn, scope)


def _recount(conn: Connection, scope: str) -> dict[str, tuple[int, int]]:
    seq = lock_scope(conn, scope)  # writers of the scope wait: the count is of one state, at ``seq``
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    acc = P.term_sums(conn.exec_driver_sql(
        f"SELECT kind, uid, version FROM hub_records WHERE scope = {mark}", (scope,)).fetchall())
    conn.execute(delete(HubFingerprint).where(HubFingerprint.scope == scope))
    _write(conn, scope, acc, seq)
    log.info("recounted fingerprints station=%s records=%d", scope, sum(n for n, _ in acc.values()))
    return {k: (n, t) for k, (n, t) in acc.items()}


def without(kept: dict[str, tuple[int, int]], records: list[Any]) -> dict[str, dict[str, Any]]:
    """The wire form of ``kept`` with ``records`` ((kind, uid, version) rows of the scope) taken out."""
    acc = {k: [n, t] for k, (n, t) in kept.items()}
    for kind, (n, t) in P.term_sums(records).items():
        if kind in acc:
            acc[kind][0] -= n
            acc[kind][1] -= t
    return {k: {"count": n, "sum": P.sum_hex(t)} for k, (n, t) in acc.items() if n}
