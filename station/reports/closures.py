"""Closing (submitting) a period, and the corrections made to closed periods afterwards.

Closing stores the report as it stands in a synced :class:`PeriodClosure`, so
the snapshot goes up with the next sync. Records stay editable; an edit to a
record of a closed period (its ``updated_at`` later than the closure's
``closed_at``) is a *correction*. Each correction is listed

* on the report of the closed period itself, and
* on the report of the period in which the edit was made (the "next report"),

so what the county already received can be reconciled with what changed.
A record "of" a period is one whose counted event date lies in it (see
:mod:`station.reports.figures`).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from ..db.base import utcnow
from ..models import AdviserVisit, Consultation, FollowUp, MediationCase, PeriodClosure
from .figures import case_scope, consultation_scope, visit_scope
from ..periods import Period, Scope, parse_period


def latest_closures(session: Session, scope: Scope) -> dict[str, PeriodClosure]:
    """The newest closure of each period for ``scope`` (re-closing replaces the snapshot)."""
    out: dict[str, PeriodClosure] = {}
    q = (select(PeriodClosure).where(PeriodClosure.deleted.is_(False), PeriodClosure.scope == scope.key)
         .order_by(PeriodClosure.closed_at))
    for c in session.scalars(q):
        out[c.period] = c
    return out


def closure_info(c: PeriodClosure) -> dict[str, Any]:
    return {"uid": c.uid, "period": c.period, "scope": c.scope, "closed_at": c.closed_at.isoformat(sep=" "),
            "closed_by": c.closed_by}


def _rows(session: Session, q: Any) -> Any:
    return session.execute(q)


def _in(col: Any, p: Period) -> Any:
    return and_(col >= p.start, col <= p.end)


def changed_records(session: Session, closed: Period, scope: Scope, after: dt.datetime,
                    before: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Records of the closed period, in scope, updated after ``after`` (and before ``before``)."""
    out: list[dict[str, Any]] = []

    def window(model: Any) -> list[Any]:
        conds = [model.updated_at > after]
        if before is not None:
            conds.append(model.updated_at < before)
        return conds

    where = consultation_scope(scope)
    if where is not None:
        start = dt.datetime.combine(closed.start, dt.time())
        stop = dt.datetime.combine(closed.end + dt.timedelta(days=1), dt.time())
        c = Consultation
        for uid, number, when in _rows(session,
                select(c.uid, c.number, c.updated_at).where(where, c.occurred_at >= start, c.occurred_at < stop,
                                                              *window(c))):
            out.append({"kind": "consultation", "uid": uid, "label": number, "updated_at": when})
    m = MediationCase
    dated = or_(*(_in(col, closed) for col in (m.applied_on, m.accepted_on, m.refused_on, m.outcome_on,
                                                m.jc_applied_on, m.jc_decided_on)))
    for uid, number, title, when in _rows(session,
            select(m.uid, m.display_number, m.title, m.updated_at).where(case_scope(scope), dated, *window(m))):
        out.append({"kind": "case", "uid": uid, "label": f"{number or ''} {title}".strip(), "updated_at": when})
    fu = FollowUp
    for uid, number, when in _rows(session,
            select(fu.uid, m.display_number, fu.updated_at).join(m, m.uid == fu.case_uid)
            .where(fu.deleted.is_(False), case_scope(scope), _in(fu.visited_on, closed), *window(fu))):
        out.append({"kind": "follow_up", "uid": uid, "label": f"回访 {number or ''}".strip(), "updated_at": when})
    vwhere = visit_scope(scope)
    if vwhere is not None:
        v = AdviserVisit
        for uid, number, when in _rows(session,
                select(v.uid, v.number, v.updated_at).where(vwhere, _in(v.visit_date, closed), *window(v))):
            out.append({"kind": "visit", "uid": uid, "label": number, "updated_at": when})
    return out


_KIND_LABEL = {"consultation": "来访咨询", "case": "调解案件", "follow_up": "回访记录", "visit": "法律顾问服务"}


def corrections(session: Session, period: Period, scope: Scope) -> list[dict[str, Any]]:
    """Corrections to show on the report of ``period`` (see the module docstring)."""
    lo, hi = period.bounds_utc()
    found: list[dict[str, Any]] = []
    for key, c in latest_closures(session, scope).items():
        closed = Period(key, c.period_start, c.period_end, key)
        if key == period.key:
            rows = changed_records(session, closed, scope, c.closed_at)
        elif closed.end < period.start:
            rows = changed_records(session, closed, scope, max(c.closed_at, lo), hi)
        else:
            continue
        for r in rows:
            found.append({"period": key, "kind": r["kind"], "kind_label": _KIND_LABEL[r["kind"]], "uid": r["uid"],
                          "label": r["label"], "updated_at": r["updated_at"].isoformat(sep=" "),
                          "closed_at": c.closed_at.isoformat(sep=" ")})
    found.sort(key=lambda r: (r["period"], r["updated_at"], r["uid"]))
    return found


def new_closure(session: Session, period: Period, scope: Scope, snapshot: dict[str, Any]) -> PeriodClosure:
    row = PeriodClosure(period=period.key, period_start=period.start, period_end=period.end, scope=scope.key,
                        closed_at=utcnow(), closed_by=session.info.get("actor_uid"), snapshot=snapshot)
    session.add(row)
    session.flush()
    return row


__all__ = ["changed_records", "closure_info", "corrections", "latest_closures", "new_closure", "parse_period"]
