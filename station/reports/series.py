"""Monthly series of a year, for charts (the 工作台 dashboard, the hub's county page).

Same definitions as :mod:`station.reports.figures` (each event by its own date), one
``GROUP BY month`` query per series on the same covering indexes.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import AdviserVisit, Consultation, MediationCase
from .. import codes
from .figures import UNSET, all_code_names, case_scope, consultation_scope, visit_scope
from ..periods import Scope, parse_scope

MONTHS = [f"{m}月" for m in range(1, 13)]

#: series key → Chinese label, in display order
SERIES = {
    "consultations": "来访咨询",
    "cases_accepted": "受理调解",
    "cases_succeeded": "调解成功",
    "cases_failed": "调解不成(含终止)",
    "visit_hours": "法律顾问服务时长(小时)",
}


def _fold(rows: Any) -> list[float]:
    values = [0.0] * 12
    for month, value in rows:
        values[int(month) - 1] = round(values[int(month) - 1] + float(value or 0), 2)
    return values


def monthly(session: Session, year: int, scope: str | Scope | None = "station") -> dict[str, Any]:
    """``{"months": [...], "series": {key: {"label": 中文, "values": [12 numbers]}}, "accepted_by_type":
    [{"code", "name", "values"}]}`` (most cases first); series that do not apply to the scope
    (consultations of a committee…) are left out."""
    sc = scope if isinstance(scope, Scope) else parse_scope(scope)
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    out: dict[str, list[float]] = {}
    c_where = consultation_scope(sc)
    if c_where is not None:
        month = func.substr(Consultation.occurred_at, 6, 2)
        out["consultations"] = _fold(session.execute(
            select(month, func.count()).where(c_where, Consultation.occurred_at >= dt.datetime.combine(first, dt.time()),
                                              Consultation.occurred_at < dt.datetime(year + 1, 1, 1))
            .group_by(month)))
    m = MediationCase
    where = case_scope(sc)
    acc_month = func.substr(m.accepted_on, 6, 2)
    out["cases_accepted"] = _fold(session.execute(
        select(acc_month, func.count()).where(where, m.accepted_on >= first, m.accepted_on <= last)
        .group_by(acc_month)))
    out_month = func.substr(m.outcome_on, 6, 2)
    outcomes = session.execute(
        select(out_month, m.outcome, func.count()).where(where, m.outcome_on >= first, m.outcome_on <= last,
                                                         m.outcome.is_not(None))
        .group_by(out_month, m.outcome)).all()
    out["cases_succeeded"] = _fold((mo, n) for mo, o, n in outcomes if o in ("written", "oral"))
    out["cases_failed"] = _fold((mo, n) for mo, o, n in outcomes if o in ("failed", "terminated"))
    # 受理 per month and dispute type, for the stacked bars (types with no case in the year are left out)
    by_type: dict[str, list[float]] = {}
    for mo, code, n in session.execute(
            select(acc_month, m.dispute_type, func.count())
            .where(where, m.accepted_on >= first, m.accepted_on <= last).group_by(acc_month, m.dispute_type)):
        by_type.setdefault(code or "", [0.0] * 12)[int(mo) - 1] += n
    names = all_code_names(session, codes.DISPUTE_TYPE)
    accepted_by_type = [{"code": c, "name": names.get(c, c or UNSET), "values": v}
                        for c, v in sorted(by_type.items(), key=lambda kv: (-sum(kv[1]), kv[0]))]
    v_where = visit_scope(sc)
    if v_where is not None:
        v_month = func.substr(AdviserVisit.visit_date, 6, 2)
        out["visit_hours"] = _fold(session.execute(
            select(v_month, func.sum(AdviserVisit.hours))
            .where(v_where, AdviserVisit.visit_date >= first, AdviserVisit.visit_date <= last).group_by(v_month)))
    return {"year": year, "scope": sc.key, "months": MONTHS, "accepted_by_type": accepted_by_type,
            "series": {k: {"label": SERIES[k], "values": out[k]} for k in SERIES if k in out}}
