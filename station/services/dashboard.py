"""工作台 figures: what the counter needs to see first thing in the morning."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Consultation, MediationCase, OutboxEntry
from ..records import to_dict
from .base import reads
from .mediation import OPEN_STATUSES
from .visits import village_hours
from ..reports.reminders import due

@reads
def unsynced_count(session: Session) -> int:
    """Outbox rows not yet acknowledged by the hub."""
    return int(session.scalar(select(func.count()).select_from(OutboxEntry)
                              .where(OutboxEntry.sent_at.is_(None))) or 0)


@reads
def overview(session: Session, today: dt.date | None = None, limit: int = 20) -> dict[str, Any]:
    today = today or dt.date.today()
    start = dt.datetime.combine(today, dt.time())
    live = MediationCase.deleted.is_(False)
    cons_q = select(Consultation).where(Consultation.deleted.is_(False), Consultation.occurred_at >= start,
                                        Consultation.occurred_at < start + dt.timedelta(days=1))
    open_q = select(MediationCase).where(live, MediationCase.status.in_(OPEN_STATUSES))
    def count(q: Any) -> int:
        return int(session.scalar(select(func.count()).select_from(q.subquery())) or 0)

    return {
        "today": today.isoformat(),
        "limit": limit,
        "consultations_today": count(cons_q),
        "consultations": [to_dict(c) for c in session.scalars(
            cons_q.order_by(Consultation.occurred_at.desc()).limit(limit))],
        "open_cases": count(open_q),
        "open_case_list": [to_dict(c) for c in session.scalars(
            open_q.order_by(MediationCase.applied_on).limit(limit))],
        # The same reminders as `station due` (station.reports.reminders), capped per kind.
        "reminders": [r.to_dict() for r in due(session, today, limit=limit)],
        "village_hours": village_hours(session, today.year),
        "unsynced": unsynced_count(session),
    }
