"""Turning one understood ledger row into records through the ordinary services.

A mediation case is walked through the same steps a user would take — apply, accept,
a mediation session, then the agreement, failure or refusal — with the ledger's dates,
so it lands in the state the ledger records and every rule of the case workflow (parties
on both sides, dates in order, mediators) is checked exactly as for a typed-in case.
Where the ledger does not record a detail the workflow needs (the session's minutes), the
record says so in words rather than inventing one.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from .. import codes
from ..errors import InvalidTransition, ValidationError
from ..services import consultations, mediation, reference, visits
from . import values as V
from .context import Row

NOT_RECORDED = "（台账未记载）"
SESSION_NOTE = "据原台账导入：原台账未记载调解过程，详见纸质卷宗。"


def code_names(session: Session, table: str) -> dict[str, str]:
    return {c["code"]: c["name"] for c in reference.list_codes(session, table)}


def key_case(row: Row) -> list[str]:
    return [row.text("applicant.name"), row.text("applicant.id_number"), row.text("respondent.name"),
            _day_key(row, "accepted_on") or _day_key(row, "applied_on"), row.text("dispute_type"),
            row.text("facts")[:200]]


def key_consultation(row: Row) -> list[str]:
    return [row.text("person.name"), row.text("person.id_number"), _day_key(row, "occurred_at", True),
            row.text("question")[:200]]


def key_visit(row: Row) -> list[str]:
    return [row.text("adviser"), row.text("village"), _day_key(row, "visit_date"), row.text("content")[:200]]


def _day_key(row: Row, field: str, with_time: bool = False) -> str:
    try:
        value = V.parse_datetime(row.cells.get(field))
    except V.Unclear:
        return row.text(field)
    if value is None:
        return ""
    return value.isoformat(sep=" ") if with_time else value.date().isoformat()


def _step(row: Row, columns: dict[str, str], fn: Any, *args: Any) -> Any:
    """Call a service step; its validation errors become problems on the columns they came from."""
    try:
        result = fn(*args)
        for w in getattr(result, "warnings", []):
            row.problem(None, w, "warning", header="提示")
        return result
    except ValidationError as e:
        row.service_errors(e, columns)
    except InvalidTransition as e:
        row.problem(None, str(e), header="案件状态")
    row.check()


def import_case(session: Session, row: Row, names: dict[str, str], default_mediator: str | None) -> str:
    applicant = row.person(session, "applicant")
    respondent = row.person(session, "respondent")
    row.need("applicant.name", applicant)
    accepted = row.parse("accepted_on", V.parse_date)
    applied = row.parse("applied_on", V.parse_date) or accepted
    if not row.has("accepted_on") and not row.has("applied_on"):
        row.problem(None, "台账中没有受理日期或申请日期一列", header="受理日期")
    else:
        row.need("accepted_on" if row.has("accepted_on") else "applied_on", applied)
    dtype = row.parse("dispute_type", lambda v: V.dispute_type(v, names))
    row.need("dispute_type", dtype)
    result = row.parse("outcome", V.outcome)
    ended = row.parse("outcome_on", V.parse_date)
    amount = row.parse("amount", V.parse_number)
    involved = row.parse("people_involved", V.parse_number)
    mediators: list[str] = []
    if accepted or result:
        mediators = row.staff(session, "mediators", "mediator")
        if not mediators and default_mediator:
            mediators = _named_staff(session, row, default_mediator)
        if not mediators:
            row.need("mediators", None, "受理的案件须有调解员（或在导入时指定默认调解员）")
    row.check()
    parties = [{"side": "applicant", "person": applicant}]
    if respondent:
        parties.append({"side": "respondent", "person": respondent})
    cols = {"applied_on": "accepted_on" if not row.has("applied_on") else "applied_on", "facts": "facts",
            "dispute_type": "dispute_type", "claims": "claims", "amount": "amount", "title": "title",
            "people_involved": "people_involved", "parties": "applicant.name"}
    saved = _step(row, cols, mediation.apply_case, session, {
        "applied_on": applied, "dispute_type": dtype, "facts": row.text("facts"), "claims": row.text("claims"),
        "amount": amount, "title": row.text("title"), "parties": parties,
        "people_involved": int(involved) if involved else None})
    uid: str = saved.uid
    if result == "refused":
        _step(row, {"outcome_on": "outcome_on", "refusal_reason": "outcome_reason"}, mediation.refuse_case, session,
              uid, {"outcome_on": ended or applied, "refusal_reason": row.text("outcome_reason") or "据原台账：不予受理"})
        return uid
    if not (accepted or result):
        return uid
    on_accept = accepted or applied
    _step(row, {"accepted_on": "accepted_on", "mediator_uids": "mediators"}, mediation.accept_case, session, uid,
          {"accepted_on": on_accept, "mediator_uids": mediators})
    if result is None:
        return uid
    ended = ended or on_accept
    if result in ("written", "oral"):
        _step(row, {"held_at": "outcome_on"}, mediation.record_session, session, uid,
              {"kind": "mediation", "held_at": ended, "record": SESSION_NOTE})
        terms = row.text("terms")
        row.need("terms", terms, "调解成功的案件须有协议内容")
        row.check()
        _step(row, {"outcome_on": "outcome_on", "terms": "terms", "performance_method": "performance_method"},
              mediation.record_agreement, session, uid,
              {"outcome": result, "outcome_on": ended, "terms": terms.splitlines(),
               "performance_method": row.text("performance_method") or NOT_RECORDED})
    else:
        reason = row.text("outcome_reason") or f"据原台账：{row.text('outcome')}"
        _step(row, {"outcome_on": "outcome_on", "outcome_reason": "outcome_reason"}, mediation.record_failure,
              session, uid, {"outcome": result, "outcome_on": ended, "outcome_reason": reason})
    return uid


def _named_staff(session: Session, row: Row, name: str) -> list[str]:
    from sqlalchemy import select

    from ..models import Staff
    found = session.scalars(select(Staff).where(Staff.name == name, Staff.deleted.is_(False))).first()
    if found is None:
        saved = reference.save_staff(session, {"name": name, "roles": ["mediator"]})
        row.count("staff")
        return [saved.uid]
    return [found.uid]


def import_consultation(session: Session, row: Row, names: dict[str, str]) -> str:
    person = row.person(session, "person")
    row.need("person.name", person)
    when = row.parse("occurred_at", V.parse_datetime)
    row.need("occurred_at", when)
    channel = row.parse("channel", V.channel) or ("visit" if not row.text("channel") else None)
    category = row.parse("category_code", lambda v: V.consultation_category(v, names))
    row.need("category_code", category)
    question = row.text("question")
    row.need("question", question)
    answer = row.text("answer")
    handling = row.parse("handling", V.handling) or (None if row.text("handling") else "answered")
    satisfaction = None
    if row.text("satisfaction"):
        satisfaction = row.parse("satisfaction", lambda v: V.match_label(str(v), codes.SATISFACTION, what="满意度"))
    staff = row.staff(session, "staff", "counter") if row.text("staff") else []
    row.check()
    saved = _step(row, {"occurred_at": "occurred_at", "channel": "channel", "category_code": "category_code",
                        "question": "question", "answer": "answer", "handling": "handling",
                        "persons": "person.name", "satisfaction": "satisfaction"},
                  consultations.record_consultation, session,
                  {"occurred_at": when, "channel": channel, "category_code": category, "question": question,
                   "answer": answer, "handling": handling, "satisfaction": satisfaction,
                   "staff_uid": staff[0] if staff else None, "persons": [person]})
    return str(saved.uid)


def import_visit(session: Session, row: Row) -> str:
    adviser = row.staff(session, "adviser", "adviser") if row.text("adviser") else []
    row.need("adviser", adviser)
    village = row.village(session, "village")
    row.need("village", village)
    day = row.parse("visit_date", V.parse_date)
    row.need("visit_date", day)
    start, end = row.parse("start_time", V.parse_time), row.parse("end_time", V.parse_time)
    hours = row.parse("hours", V.parse_number)
    mode = row.parse("mode", V.visit_mode) or ("onsite" if not row.text("mode") else None)
    types = row.parse("service_types", V.service_types)
    row.need("service_types", types)
    attendees = row.parse("attendees", V.parse_number)
    row.check()
    saved = _step(row, {"visit_date": "visit_date", "hours": "hours", "start_time": "start_time",
                        "end_time": "end_time", "service_types": "service_types", "attendees": "attendees",
                        "content": "content", "mode": "mode", "adviser_uid": "adviser", "village_uid": "village"},
                  visits.record_visit, session,
                  {"adviser_uid": adviser[0] if adviser else None, "village_uid": village, "visit_date": day,
                   "start_time": start, "end_time": end, "hours": hours, "mode": mode, "service_types": types,
                   "attendees": int(attendees) if attendees is not None else None, "content": row.text("content"),
                   "people_served": row.text("people_served"), "result": row.text("result")})
    return str(saved.uid)

