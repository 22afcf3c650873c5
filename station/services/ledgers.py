"""Period listings for printed ledgers (来访咨询登记台账, 村(居)法律顾问工作日志)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import AdviserVisit, Consultation, ConsultationPerson, Person, Staff, Village
from ..records import to_dict
from .base import reads


@reads
def consultations_between(session: Session, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Consultations from ``start`` to ``end`` inclusive, oldest first, each with its people."""
    rows = list(session.scalars(
        select(Consultation).where(Consultation.deleted.is_(False),
                                   Consultation.occurred_at >= dt.datetime.combine(start, dt.time()),
                                   Consultation.occurred_at < dt.datetime.combine(end + dt.timedelta(days=1),
                                                                                  dt.time()))
        .order_by(Consultation.occurred_at, Consultation.number)))
    people: dict[str, list[dict[str, Any]]] = {}
    if rows:
        links = session.execute(
            select(ConsultationPerson.consultation_uid, ConsultationPerson.role, Person)
            .join(Person, Person.uid == ConsultationPerson.person_uid)
            .where(ConsultationPerson.consultation_uid.in_([r.uid for r in rows]),
                   ConsultationPerson.deleted.is_(False)))
        for cuid, role, person in links:
            people.setdefault(cuid, []).append({"role": role, "person": to_dict(person)})
    staff = {s.uid: s.name for s in session.scalars(select(Staff))}
    out = []
    for r in rows:
        d = to_dict(r)
        d["persons"] = sorted(people.get(r.uid, []), key=lambda p: (p["role"] != "visitor", p["person"]["name"]))
        d["staff_name"] = staff.get(r.staff_uid or "", "")
        out.append(d)
    return out


@reads
def visits_between(session: Session, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Adviser visits from ``start`` to ``end`` inclusive, oldest first, with village and adviser names."""
    villages = {v.uid: v.name for v in session.scalars(select(Village))}
    staff = {s.uid: s.name for s in session.scalars(select(Staff))}
    rows = session.scalars(select(AdviserVisit).where(
        AdviserVisit.deleted.is_(False), AdviserVisit.visit_date >= start, AdviserVisit.visit_date <= end)
        .order_by(AdviserVisit.visit_date, AdviserVisit.start_time, AdviserVisit.number))
    return [{**to_dict(r), "village": villages.get(r.village_uid, ""), "adviser": staff.get(r.adviser_uid, "")}
            for r in rows]
