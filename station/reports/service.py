"""Service functions for reports and reminders (``Station.reports``).

The GUI, the CLI and the hub call these; each runs in its own transaction via
the Station facade. See :mod:`station.reports.figures` for the definitions of
every figure.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db.base import utcnow
from ..errors import ValidationError
from ..models import PeriodClosure, StationInfo
from ..records import to_dict
from ..services.base import Saved, reads, writes
from . import closures, figures, reminders, series
from .model import Column, Report, Table
from ..periods import Period, Scope, parse_period, parse_scope, previous
from ..security import permissions as perms

#: permission the facade requires for this module's calls
WRITE_PERMISSION = perms.REPORTS
READ_PERMISSION = perms.REPORTS

DEFINITIONS = (figures.__doc__ or "").strip()


def _as_period(period: str | Period) -> Period:
    return period if isinstance(period, Period) else parse_period(period)


def _as_scope(scope: str | Scope | None) -> Scope:
    return scope if isinstance(scope, Scope) else parse_scope(scope)


def compute(session: Session, period: str | Period, scope: str | Scope | None = "station",
            compare: bool = False) -> Report:
    """The report of ``period`` for ``scope`` (no transaction handling; for use inside others).

    ``compare``: also compute the previous period (上期) and add 上期/增减 to the summary table;
    this runs every query twice.
    """
    p, sc = _as_period(period), _as_scope(scope)
    label = figures.scope_label(session, sc)
    info = session.scalar(select(StationInfo).where(StationInfo.deleted.is_(False)))
    figs, tables = figures.build_tables(session, p, sc)
    before = None
    if compare:
        prev = previous(p)
        before, _ = figures.build_tables(session, prev, sc)
        figures.add_comparison(tables[0], before, f"上期（{prev.label}）")
    found = closures.corrections(session, p, sc)
    if found:
        tables.append(Table("corrections", "更正记录（已报送期间报送后修改的记录）",
                            [Column("period", "所属期间", "text"), Column("kind", "记录类型", "text"),
                             Column("label", "编号/名称", "text"), Column("updated_at", "修改时间(UTC)", "text"),
                             Column("closed_at", "报送时间(UTC)", "text")],
                            [[c["period"], c["kind_label"], c["label"], c["updated_at"], c["closed_at"]]
                             for c in found]))
    closed = closures.latest_closures(session, sc).get(p.key)
    station = info.name if info else ""
    return Report(
        title=f"{station}{p.label}工作统计", station=station,
        period={"key": p.key, "label": p.label, "start": p.start.isoformat(), "end": p.end.isoformat()},
        scope={"key": sc.key, "label": label},
        generated_at=utcnow().isoformat(sep=" "), figures=figs, tables=tables, corrections=found,
        closure=closures.closure_info(closed) if closed else None, definitions=DEFINITIONS, previous=before)


@reads
def build_report(session: Session, period: str | Period, scope: str | Scope | None = "station",
                 compare: bool = False) -> Report:
    """Statistics of a period (``2026-10``, ``2026-Q4``, ``2026``, ``2026-10-01..2026-10-15``) for a scope
    (``station``, ``committee:UID``, ``adviser:UID``, ``village:UID``); ``compare`` adds the previous period."""
    return compute(session, period, scope, compare)


@writes
def close_period(session: Session, period: str | Period, scope: str | Scope | None = "station",
                 today: dt.date | None = None) -> Saved:
    """Close and submit a finished period: store the report snapshot as a synced record.

    Closing again replaces the snapshot (a new closure record; the newest one counts).
    """
    p, sc = _as_period(period), _as_scope(scope)
    today = today or dt.date.today()
    if p.end >= today:
        raise ValidationError.single("period", "统计期间", f"{p.label}尚未结束（截至{p.end.isoformat()}），不能报送")
    report = compute(session, p, sc)
    row = closures.new_closure(session, p, sc, report.to_dict())
    report.closure = closures.closure_info(row)
    row.snapshot = report.to_dict()
    session.flush()
    return Saved(to_dict(row), [f"本期有{len(report.corrections)}条更正记录"] if report.corrections else [])


@reads
def list_closures(session: Session, scope: str | None = None) -> list[dict[str, Any]]:
    """Closed periods, newest first (without the snapshots)."""
    q = select(PeriodClosure).where(PeriodClosure.deleted.is_(False)).order_by(PeriodClosure.closed_at.desc())
    if scope:
        q = q.where(PeriodClosure.scope == _as_scope(scope).key)
    return [{k: v for k, v in to_dict(c).items() if k != "snapshot"} for c in session.scalars(q)]


@reads
def get_snapshot(session: Session, period: str, scope: str | None = "station") -> Report | None:
    """The report as it was submitted, or None if the period is not closed."""
    c = closures.latest_closures(session, _as_scope(scope)).get(_as_period(period).key)
    return Report.from_dict(c.snapshot) if c else None


@reads(perm=perms.SIGNED_IN)  # the home page's reminders are for everyone
def due(session: Session, today: dt.date | None = None, limit: int | None = None) -> list[reminders.Reminder]:
    """Reminders for the 工作台, most urgent first; ``limit`` caps each kind (see :mod:`.reminders`)."""
    return reminders.due(session, today, limit)


@reads
def monthly_series(session: Session, year: int, scope: str | Scope | None = "station") -> dict[str, Any]:
    """Twelve monthly values per series (咨询, 受理, 成功, 不成, 顾问时长) for charts."""
    return series.monthly(session, year, scope)
