"""人民调解: a case from application to archive, in the legal order.

The order (People's Mediation Law ch. IV–V and the 2010 file formats)::

    applied ──accept──▶ accepted ──session──▶ mediating ──agree──▶ agreed ──close──▶ closed ──archive──▶ archived
       │                   │                     │
       └─refuse─▶ refused  └──────fail/withdraw──┴─▶ failed / withdrawn ──close──▶ closed

Every step asks :func:`missing` what is still lacking; the GUI shows the same
list, so what the user sees and what the core enforces cannot drift apart.
Follow-up visits and judicial confirmation are records on an agreed case, not
states of their own.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import codes
from ..errors import FieldError, InvalidTransition, ValidationError
from ..models import CaseParty, CaseSession, FollowUp, MediationCase, Person, Staff
from ..numbering import case_display_number, record_number
from ..records import to_dict
from ..validation import check_choice, parse_date, parse_datetime, require
from .base import Saved, check_version, load, number, raise_if, reads, saved, text, writes
from .people import resolve_person
from .reference import check_code, require_station
from ..security import permissions as perms

#: permission the facade requires for this module's writes (reads: any signed-in account)
WRITE_PERMISSION = perms.CASES

LABELS = {
    "dispute_type": "纠纷类型", "source": "案件来源", "applied_on": "申请日期", "facts": "纠纷简要情况",
    "claims": "申请事项", "parties": "当事人", "amount": "涉及金额", "accepted_on": "受理日期",
    "mediator_uids": "人民调解员", "refusal_reason": "不予受理理由", "terms": "协议内容",
    "performance_method": "履行方式", "performance_deadline": "履行期限", "outcome_on": "日期",
    "agreement_effective_on": "协议生效日期", "outcome_reason": "原因", "held_at": "时间", "place": "地点",
    "record": "记录内容", "visited_on": "回访日期", "jc_applied_on": "申请司法确认日期", "jc_court": "受理法院",
    "jc_result": "司法确认结果", "jc_decided_on": "裁定日期", "copies": "份数", "title": "纠纷名称",
    "closed_on": "结案日期", "archived_on": "归档日期", "people_involved": "涉及人数",
}

OPEN_STATUSES = {"applied", "accepted", "mediating"}


def _parties(session: Session, case_uid: str) -> list[CaseParty]:
    return list(session.scalars(select(CaseParty).where(CaseParty.case_uid == case_uid,
                                                        CaseParty.deleted.is_(False))
                                .order_by(CaseParty.position)))


def _count_sessions(session: Session, case_uid: str, kind: str = "mediation") -> int:
    return int(session.scalar(select(func.count()).select_from(CaseSession).where(
        CaseSession.case_uid == case_uid, CaseSession.kind == kind, CaseSession.deleted.is_(False))) or 0)


def missing(session: Session, case: MediationCase, action: str) -> list[str]:
    """What is still lacking before ``action`` is allowed on ``case`` (empty list: allowed)."""
    status = case.status
    allowed_from = {
        "accept": {"applied"}, "refuse": {"applied"}, "session": {"accepted", "mediating"},
        "agree": {"accepted", "mediating"}, "fail": {"accepted", "mediating"}, "withdraw": {"applied", "accepted", "mediating"},
        "follow_up": {"agreed", "closed"}, "judicial": {"agreed", "closed"},
        "close": {"agreed", "failed", "withdrawn", "refused"}, "archive": {"closed"},
    }[action]
    out: list[str] = []
    if status not in allowed_from:
        names = "、".join(codes.CASE_STATUSES[s] for s in sorted(allowed_from))
        out.append(f"案件当前为“{codes.CASE_STATUSES[status]}”，此操作只能在“{names}”时进行")
        return out
    parties = _parties(session, case.uid)
    if action == "accept":
        sides = {p.side for p in parties}
        if len(parties) < 2:
            out.append("至少需要两方当事人")
        elif not ({"applicant", "respondent"} <= sides):
            out.append("需要申请人和被申请人各至少一人")
        if not case.facts:
            out.append("纠纷简要情况")
        if not case.dispute_type:
            out.append("纠纷类型")
    elif action == "agree":
        if _count_sessions(session, case.uid) == 0:
            out.append("至少一次调解记录")
    elif action == "close" and status == "agreed":
        if case.outcome == "written" and case.performance_status in (None, "pending"):
            out.append("回访并登记履行情况（已履行/部分履行/未履行）")
    return out


def _require(session: Session, case: MediationCase, action: str, label: str) -> None:
    lacking = missing(session, case, action)
    if lacking:
        if lacking[0].startswith("案件当前为"):
            raise InvalidTransition(case.status, action, lacking[0])
        raise InvalidTransition(case.status, action, f"{label}前还缺少：{'、'.join(lacking)}")


@reads
def next_steps(session: Session, uid: str) -> dict[str, list[str]]:
    """For each action, what is still missing (the GUI greys out actions with a non-empty list)."""
    case = load(session, MediationCase, uid)
    return {a: missing(session, case, a) for a in
            ("accept", "refuse", "session", "agree", "fail", "withdraw", "follow_up", "judicial", "close",
             "archive")}


def _date(data: Mapping[str, Any], key: str, errors: list[FieldError], *, required: bool = False,
          not_before: dt.date | None = None, not_before_label: str = "") -> dt.date | None:
    try:
        value = parse_date(data.get(key), field=key, label=LABELS.get(key, key))
    except ValidationError as e:
        errors.extend(e.errors)
        return None
    if value is None:
        if required:
            errors.append(FieldError(key, LABELS.get(key, key), "不能为空", "required"))
        return None
    if value > dt.date.today() + dt.timedelta(days=1) and key not in ("performance_deadline",):
        errors.append(FieldError(key, LABELS.get(key, key), "不能晚于今天", "future"))
    if not_before and value < not_before:
        errors.append(FieldError(key, LABELS.get(key, key), f"不能早于{not_before_label}（{not_before}）", "order"))
    return value


def _set_parties(session: Session, case: MediationCase, parties: list[Mapping[str, Any]]) -> list[str]:
    warnings: list[str] = []
    for old in _parties(session, case.uid):
        old.deleted = True
    for i, p in enumerate(parties):
        side = p.get("side") or "applicant"
        person, warn = resolve_person(session, p["person"] if "person" in p else str(p.get("person_uid")))
        warnings += warn
        agent_uid = None
        if p.get("agent"):
            agent, warn = resolve_person(session, p["agent"])
            warnings += warn
            agent_uid = agent.uid
        session.add(CaseParty(case_uid=case.uid, person_uid=person.uid, side=side, position=i,
                              agent_uid=agent_uid, agent_kind=p.get("agent_kind") or ("entrusted" if agent_uid
                                                                                      else None)))
    return warnings


def _check_parties(parties: list[Mapping[str, Any]], errors: list[FieldError]) -> None:
    if not parties:
        errors.append(FieldError("parties", LABELS["parties"], "至少需要一方当事人", "required"))
    for i, p in enumerate(parties, 1):
        check_choice(errors, p.get("side"), codes.PARTY_SIDES, "parties", f"第{i}位当事人的身份")
        check_choice(errors, p.get("agent_kind"), codes.AGENT_KINDS, "parties", f"第{i}位当事人的代理人类型")
        if not (p.get("person") or p.get("person_uid")):
            errors.append(FieldError("parties", LABELS["parties"], f"第{i}位当事人未选择", "required"))


def _apply_case_fields(session: Session, case: MediationCase, data: Mapping[str, Any],
                       errors: list[FieldError]) -> None:
    applied = _date(data, "applied_on", errors, required=True)
    dtype = text(data, "dispute_type")
    require(errors, dtype, "dispute_type", LABELS["dispute_type"])
    check_code(session, errors, codes.DISPUTE_TYPE, dtype, applied, "dispute_type", LABELS["dispute_type"])
    source = data.get("source") or "applied"
    check_choice(errors, source, codes.CASE_SOURCES, "source", LABELS["source"])
    facts = text(data, "facts")
    require(errors, facts, "facts", LABELS["facts"])
    amount = number(data, "amount", LABELS["amount"], errors)
    involved = number(data, "people_involved", LABELS["people_involved"], errors, minimum=1, integer=True)
    for key in ("prevents_crime_persons", "prevents_petition_persons"):
        number(data, key, "人数", errors, minimum=0, integer=True)
    if errors:
        return
    case.applied_on, case.dispute_type, case.source = applied, dtype, source  # type: ignore[assignment]
    case.facts, case.claims, case.title = facts, text(data, "claims"), text(data, "title")
    case.amount, case.people_involved = amount, involved
    case.committee_uid = data.get("committee_uid") or None
    case.village_uid = data.get("village_uid") or None
    case.consultation_uid = data.get("consultation_uid") or case.consultation_uid
    for flag in ("is_group", "is_difficult", "prevents_crime", "prevents_petition"):
        if flag in data:
            setattr(case, flag, bool(data[flag]))
    for key in ("prevents_crime_persons", "prevents_petition_persons"):
        if key in data:
            setattr(case, key, int(data[key]) if data[key] not in (None, "") else None)


@writes
def apply_case(session: Session, data: Mapping[str, Any]) -> Saved:
    """Register an application (人民调解申请书 / 受理登记表 intake) with its parties."""
    station = require_station(session)
    errors: list[FieldError] = []
    case = MediationCase(status="applied")
    _apply_case_fields(session, case, data, errors)
    parties = list(data.get("parties") or [])
    _check_parties(parties, errors)
    raise_if(errors)
    if not case.title:
        case.title = codes_name(session, case.dispute_type)
    case.number, case.seq = record_number(session, "case", station.code, case.applied_on.year)
    case.registered_by = session.info.get("actor_uid")
    session.add(case)
    session.flush()
    warnings = _set_parties(session, case, parties)
    return saved(case, warnings)


def codes_name(session: Session, code: str) -> str:
    from .reference import code_name
    return code_name(session, codes.DISPUTE_TYPE, code) or ""


@writes
def update_case(session: Session, uid: str, data: Mapping[str, Any], base_version: int | None = None) -> Saved:
    """Edit facts, claims, type, flags or parties while the case is still open."""
    case = load(session, MediationCase, uid)
    check_version(case, base_version)
    errors: list[FieldError] = []
    merged = {**to_dict(case), **data}
    if case.status not in OPEN_STATUSES and set(data) - {"is_group", "is_difficult", "prevents_crime",
                                                         "prevents_crime_persons", "prevents_petition",
                                                         "prevents_petition_persons", "title"}:
        raise InvalidTransition(case.status, "edit", f"案件已“{codes.CASE_STATUSES[case.status]}”，不能再修改案情")
    _apply_case_fields(session, case, merged, errors)
    warnings: list[str] = []
    if "parties" in data:
        _check_parties(list(data["parties"]), errors)
        raise_if(errors)
        warnings = _set_parties(session, case, list(data["parties"]))
    raise_if(errors)
    return saved(case, warnings)


@writes
def accept_case(session: Session, uid: str, data: Mapping[str, Any]) -> Saved:
    """受理: the committee agrees to mediate; the case gets its display number."""
    case = load(session, MediationCase, uid)
    _require(session, case, "accept", "受理")
    errors: list[FieldError] = []
    accepted = _date(data, "accepted_on", errors, required=True, not_before=case.applied_on,
                     not_before_label="申请日期")
    mediators = list(data.get("mediator_uids") or [])
    require(errors, mediators, "mediator_uids", LABELS["mediator_uids"])
    for m in mediators:
        if session.get(Staff, m) is None:
            errors.append(FieldError("mediator_uids", LABELS["mediator_uids"], "工作人员不存在"))
    raise_if(errors)
    station = require_station(session)
    assert accepted is not None
    case.status, case.accepted_on, case.mediator_uids = "accepted", accepted, mediators
    case.display_number, case.display_seq = case_display_number(session, accepted.year, station.abbr)
    return saved(case)


@writes
def refuse_case(session: Session, uid: str, data: Mapping[str, Any]) -> Saved:
    """不予受理 — including a party clearly refusing mediation (Art. 17)."""
    case = load(session, MediationCase, uid)
    _require(session, case, "refuse", "不予受理")
    errors: list[FieldError] = []
    on = _date(data, "outcome_on", errors, required=True, not_before=case.applied_on, not_before_label="申请日期")
    reason = text(data, "refusal_reason")
    require(errors, reason, "refusal_reason", LABELS["refusal_reason"])
    raise_if(errors)
    case.status, case.refused_on, case.refusal_reason = "refused", on, reason
    return saved(case)


@writes
def record_session(session: Session, uid: str, data: Mapping[str, Any]) -> Saved:
    """调查记录 or 调解记录. The first mediation session moves the case to 调解中."""
    case = load(session, MediationCase, uid)
    _require(session, case, "session", "登记调解/调查记录")
    errors: list[FieldError] = []
    kind = data.get("kind") or "mediation"
    check_choice(errors, kind, codes.SESSION_KINDS, "kind", "记录类型")
    try:
        held = parse_datetime(data.get("held_at"), field="held_at", label=LABELS["held_at"])
    except ValidationError as e:
        errors.extend(e.errors)
        held = None
    if held is None and not any(e.field == "held_at" for e in errors):
        errors.append(FieldError("held_at", LABELS["held_at"], "不能为空", "required"))
    elif held and case.accepted_on and held.date() < case.accepted_on:
        errors.append(FieldError("held_at", LABELS["held_at"], f"不能早于受理日期（{case.accepted_on}）", "order"))
    record = text(data, "record")
    require(errors, record, "record", LABELS["record"])
    raise_if(errors)
    row = CaseSession(case_uid=uid, kind=kind, held_at=held, place=text(data, "place"),
                      attendees=text(data, "attendees"), participants=text(data, "participants"),
                      mediator_uids=list(data.get("mediator_uids") or case.mediator_uids),
                      recorder_uid=data.get("recorder_uid"), record=record)
    session.add(row)
    if kind == "mediation" and case.status == "accepted":
        case.status = "mediating"
    return saved(row)


@writes
def record_agreement(session: Session, uid: str, data: Mapping[str, Any]) -> Saved:
    """达成协议, written (协议书) or oral (口头协议登记表)."""
    case = load(session, MediationCase, uid)
    _require(session, case, "agree", "登记调解协议")
    errors: list[FieldError] = []
    form = data.get("outcome") or "written"
    check_choice(errors, form, {"written", "oral"}, "outcome", "协议形式")
    on = _date(data, "outcome_on", errors, required=True, not_before=case.accepted_on, not_before_label="受理日期")
    terms_raw = data.get("terms") or []
    terms = [t.strip() for t in (terms_raw.splitlines() if isinstance(terms_raw, str) else terms_raw)
             if t and t.strip()]
    if not terms:
        errors.append(FieldError("terms", LABELS["terms"], "协议至少要有一条内容", "required"))
    method = text(data, "performance_method")
    if form == "written":
        require(errors, method, "performance_method", LABELS["performance_method"])
    deadline = _date(data, "performance_deadline", errors, not_before=on, not_before_label="协议日期")
    effective = _date(data, "agreement_effective_on", errors, not_before=on, not_before_label="协议日期") or on
    n_parties = len(_parties(session, uid))
    copies = number(data, "copies", LABELS["copies"], errors, minimum=1, integer=True) or n_parties + 1
    raise_if(errors)
    case.status, case.outcome, case.outcome_on = "agreed", form, on
    case.terms, case.performance_method, case.performance_deadline = terms, method, deadline
    case.agreement_effective_on, case.copies = effective, copies
    case.performance_status = "pending"
    warnings = []
    if copies < n_parties + 1:
        warnings.append(f"份数（{copies}）少于当事人数加一（{n_parties + 1}）")
    return saved(case, warnings)


@writes
def record_failure(session: Session, uid: str, data: Mapping[str, Any]) -> Saved:
    """调解不成 / 终止调解 / 当事人撤回 — with the reason and the routes left."""
    case = load(session, MediationCase, uid)
    kind = data.get("outcome") or "failed"
    _require(session, case, "withdraw" if kind == "withdrawn" else "fail", codes.OUTCOMES.get(kind, "终止"))
    errors: list[FieldError] = []
    check_choice(errors, kind, {"failed", "terminated", "withdrawn"}, "outcome", "结果")
    on = _date(data, "outcome_on", errors, required=True, not_before=case.accepted_on or case.applied_on,
               not_before_label="受理日期")
    reason = text(data, "outcome_reason")
    require(errors, reason, "outcome_reason", LABELS["outcome_reason"])
    raise_if(errors)
    case.status = "withdrawn" if kind == "withdrawn" else "failed"
    case.outcome, case.outcome_on, case.outcome_reason = kind, on, reason
    return saved(case)


@writes
def record_follow_up(session: Session, uid: str, data: Mapping[str, Any]) -> Saved:
    """回访: how performance stands; updates the case's performance status."""
    case = load(session, MediationCase, uid)
    _require(session, case, "follow_up", "登记回访")
    errors: list[FieldError] = []
    on = _date(data, "visited_on", errors, required=True, not_before=case.outcome_on, not_before_label="协议日期")
    status = data.get("performance_status") or "pending"
    check_choice(errors, status, codes.PERFORMANCE_STATUSES, "performance_status", "履行情况")
    satisfaction = data.get("satisfaction") or None
    check_choice(errors, satisfaction, codes.SATISFACTION, "satisfaction", "满意度")
    notes = text(data, "notes")
    require(errors, notes, "notes", "回访情况")
    person_uid = data.get("person_uid") or None
    if person_uid and session.get(Person, person_uid) is None:
        errors.append(FieldError("person_uid", "被回访人", "当事人不存在"))
    raise_if(errors)
    row = FollowUp(case_uid=uid, visited_on=on, person_uid=person_uid, staff_uid=data.get("staff_uid"),
                   performance_status=status, satisfaction=satisfaction, notes=notes,
                   risk_found=bool(data.get("risk_found")))
    session.add(row)
    case.performance_status = status
    if status == "fulfilled":
        case.performed_on = on
    return saved(row)


@writes
def record_judicial_confirmation(session: Session, uid: str, data: Mapping[str, Any]) -> Saved:
    """司法确认 (Art. 33): joint application within 30 days of the agreement taking effect, then the result."""
    case = load(session, MediationCase, uid)
    _require(session, case, "judicial", "登记司法确认")
    errors: list[FieldError] = []
    warnings: list[str] = []
    if case.outcome != "written":
        errors.append(FieldError("jc_applied_on", LABELS["jc_applied_on"], "只有书面调解协议才能申请司法确认"))
    applied = _date(data, "jc_applied_on", errors, required=True, not_before=case.agreement_effective_on,
                    not_before_label="协议生效日期")
    court = text(data, "jc_court")
    require(errors, court, "jc_court", LABELS["jc_court"])
    result = data.get("jc_result") or "pending"
    check_choice(errors, result, codes.JC_RESULTS, "jc_result", LABELS["jc_result"])
    decided = _date(data, "jc_decided_on", errors, not_before=applied, not_before_label="申请日期")
    if result != "pending" and decided is None:
        errors.append(FieldError("jc_decided_on", LABELS["jc_decided_on"], "已有结果时须填写裁定日期", "required"))
    raise_if(errors)
    assert applied is not None
    if case.agreement_effective_on and (applied - case.agreement_effective_on).days > 30:
        warnings.append("申请日期已超过协议生效之日起30日（人民调解法第三十三条），法院可能不予受理")
    case.jc_applied_on, case.jc_court, case.jc_result, case.jc_decided_on = applied, court, result, decided
    return saved(case, warnings)


@writes
def close_case(session: Session, uid: str, data: Mapping[str, Any]) -> Saved:
    case = load(session, MediationCase, uid)
    _require(session, case, "close", "结案")
    errors: list[FieldError] = []
    after = case.outcome_on or case.refused_on or case.applied_on
    on = _date(data, "closed_on", errors, required=True, not_before=after, not_before_label="结果日期")
    raise_if(errors)
    case.status, case.closed_on = "closed", on
    return saved(case)


@writes
def archive_case(session: Session, uid: str, data: Mapping[str, Any]) -> Saved:
    """立卷归档."""
    case = load(session, MediationCase, uid)
    _require(session, case, "archive", "归档")
    errors: list[FieldError] = []
    on = _date(data, "archived_on", errors, required=True, not_before=case.closed_on, not_before_label="结案日期")
    raise_if(errors)
    case.status, case.archived_on = "archived", on
    return saved(case)


@reads
def get_case(session: Session, uid: str) -> dict[str, Any]:
    """The case with its parties (and agents), sessions and follow-ups."""
    case = load(session, MediationCase, uid)
    out = to_dict(case)
    parties = []
    for p in _parties(session, uid):
        person = session.get(Person, p.person_uid)
        agent = session.get(Person, p.agent_uid) if p.agent_uid else None
        parties.append({**to_dict(p), "person": to_dict(person) if person else None,
                        "agent": to_dict(agent) if agent else None})
    out["parties"] = parties
    out["sessions"] = [to_dict(s) for s in session.scalars(
        select(CaseSession).where(CaseSession.case_uid == uid, CaseSession.deleted.is_(False))
        .order_by(CaseSession.held_at))]
    out["follow_ups"] = [to_dict(f) for f in session.scalars(
        select(FollowUp).where(FollowUp.case_uid == uid, FollowUp.deleted.is_(False))
        .order_by(FollowUp.visited_on))]
    return out
