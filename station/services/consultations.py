"""来访咨询: register a consultation, its referral outcome, and the legal-aid screen."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import codes, settings
from ..errors import FieldError, ValidationError
from ..models import Consultation, ConsultationPerson, Person, Staff
from ..numbering import record_number
from ..records import to_dict
from ..validation import check_choice, parse_datetime, require
from .base import Saved, check_version, load, number, raise_if, reads, saved, text, writes
from .people import resolve_person
from .reference import check_code, require_station
from ..security import permissions as perms

#: permission the facade requires for this module's writes (reads: any signed-in account)
WRITE_PERMISSION = perms.CONSULTATIONS

LABELS = {
    "occurred_at": "咨询时间", "channel": "接待方式", "category_code": "咨询类别", "question": "咨询事项",
    "answer": "答复意见", "handling": "处理方式", "referral_target": "转介去向", "referral_status": "转介状态",
    "satisfaction": "满意度", "staff_uid": "接待人", "persons": "咨询人", "aid_income": "家庭月人均收入",
    "aid_override_reason": "不采纳建议的理由",
}


@dataclass(frozen=True)
class AidScreen:
    """Suggestion of the legal-aid screen. Only the legal-aid agency decides; staff confirm or override."""

    suggested: bool
    reasons: list[str]
    line: float | None


def screen_legal_aid(groups: list[str], income: float | None, line: float | None) -> AidScreen:
    """Art. 42 groups need no hardship check; otherwise income per head at or below the county line."""
    reasons: list[str] = []
    exempt = [codes.SPECIAL_GROUPS[g] for g in groups if g in codes.AID_EXEMPT_GROUPS]
    if exempt:
        reasons.append(f"属于免予核查经济困难状况的人员（{'、'.join(exempt)}，法律援助法第四十二条）")
    if "dv_victim" in groups:
        reasons.append("家庭暴力受害人申请不受经济困难条件限制（法律援助法第三十二条）")
    if income is not None and line:
        if income <= line:
            reasons.append(f"家庭月人均收入{income:g}元，不高于本县经济困难标准{line:g}元")
        elif not reasons:
            return AidScreen(False, [f"家庭月人均收入{income:g}元，高于本县经济困难标准{line:g}元"], line)
    if not reasons:
        why = "未设置本县经济困难标准" if not line else "未填写家庭收入"
        return AidScreen(False, [f"暂无依据建议法律援助（{why}）"], line or None)
    return AidScreen(True, reasons, line or None)


def _apply(session: Session, row: Consultation, data: Mapping[str, Any]) -> list[str]:
    errors: list[FieldError] = []
    warnings: list[str] = []
    try:
        occurred = parse_datetime(data.get("occurred_at"), field="occurred_at", label=LABELS["occurred_at"])
    except ValidationError as e:
        errors.extend(e.errors)
        occurred = None
    occurred = occurred or row.occurred_at or dt.datetime.now().replace(microsecond=0)
    if occurred > dt.datetime.now() + dt.timedelta(days=1):
        errors.append(FieldError("occurred_at", LABELS["occurred_at"], "不能晚于今天", "future"))
    channel = data.get("channel") or "visit"
    check_choice(errors, channel, codes.CHANNELS, "channel", LABELS["channel"])
    category = text(data, "category_code")
    require(errors, category, "category_code", LABELS["category_code"])
    check_code(session, errors, codes.CONSULTATION_CATEGORY, category, occurred.date(), "category_code",
               LABELS["category_code"])
    question = text(data, "question")
    require(errors, question, "question", LABELS["question"])
    handling = data.get("handling") or "answered"
    check_choice(errors, handling, codes.HANDLINGS, "handling", LABELS["handling"])
    target = data.get("referral_target") or None
    if handling == "referred":
        require(errors, target, "referral_target", LABELS["referral_target"])
    elif handling == "legal_aid":
        target = "legal_aid"
    elif handling == "mediation":
        target = target or "mediation"
    check_choice(errors, target, codes.REFERRAL_TARGETS, "referral_target", LABELS["referral_target"])
    status = data.get("referral_status") or ("informed" if target else None)
    check_choice(errors, status, codes.REFERRAL_STATUSES, "referral_status", LABELS["referral_status"])
    if handling == "answered":
        require(errors, text(data, "answer"), "answer", LABELS["answer"])
    satisfaction = data.get("satisfaction") or None
    check_choice(errors, satisfaction, codes.SATISFACTION, "satisfaction", LABELS["satisfaction"])
    staff_uid = data.get("staff_uid") or None
    if staff_uid and session.get(Staff, staff_uid) is None:
        errors.append(FieldError("staff_uid", LABELS["staff_uid"], "工作人员不存在"))
    # legal-aid screen
    groups = list(data.get("aid_groups") or [])
    for g in groups:
        check_choice(errors, g, codes.SPECIAL_GROUPS, "aid_groups", "特殊群体")
    income = number(data, "aid_income", LABELS["aid_income"], errors)
    refs = list(data.get("persons") or [])
    identity_refused = bool(data.get("identity_refused"))
    if not refs and not row.uid:
        if not identity_refused:
            errors.append(FieldError("persons", LABELS["persons"], "请选择或登记咨询人（当事人拒绝提供身份的请勾选）",
                                     "required"))
    raise_if(errors)

    line = float(settings.get(session, "hardship_line") or 0) or None
    screen = screen_legal_aid(groups, income, line) if (groups or income is not None) else None
    confirmed = data.get("aid_confirmed")
    reason = text(data, "aid_override_reason")
    if screen is not None and confirmed is not None and bool(confirmed) != screen.suggested and not reason:
        raise_if([FieldError("aid_override_reason", LABELS["aid_override_reason"],
                             "与系统建议不一致时须填写理由", "required")])

    row.occurred_at, row.channel, row.category_code = occurred, channel, category
    row.question, row.answer, row.handling = question, text(data, "answer"), handling
    row.referral_target, row.referral_status = target, status
    row.referral_outcome = text(data, "referral_outcome")
    row.satisfaction, row.staff_uid = satisfaction, staff_uid
    row.village_uid = data.get("village_uid") or None
    row.on_behalf, row.identity_refused = bool(data.get("on_behalf")), identity_refused
    row.aid_groups, row.aid_income = groups, income
    row.aid_line = screen.line if screen else None
    row.aid_suggested = screen.suggested if screen else None
    row.aid_confirmed = None if confirmed is None else bool(confirmed)
    row.aid_override_reason = reason
    if not row.number:
        station = require_station(session)
        row.number, row.seq = record_number(session, "consultation", station.code, occurred.year)
    session.add(row)
    if refs:
        session.flush()
        for link in session.scalars(select(ConsultationPerson).where(
                ConsultationPerson.consultation_uid == row.uid, ConsultationPerson.deleted.is_(False))):
            link.deleted = True
        for ref in refs:
            role = "visitor"
            if isinstance(ref, Mapping) and ref.get("role"):
                role = str(ref["role"])
                ref = {k: v for k, v in ref.items() if k != "role"}
            person, warn = resolve_person(session, ref)
            warnings += warn
            session.add(ConsultationPerson(consultation_uid=row.uid, person_uid=person.uid, role=role))
    return warnings


@writes
def record_consultation(session: Session, data: Mapping[str, Any]) -> Saved:
    """Register a consultation with its people (existing uids or new person fields)."""
    row = Consultation()
    warnings = _apply(session, row, data)
    return saved(row, warnings)


@writes
def update_consultation(session: Session, uid: str, data: Mapping[str, Any],
                        base_version: int | None = None) -> Saved:
    row = load(session, Consultation, uid)
    check_version(row, base_version)
    merged = {**{k: v for k, v in to_dict(row).items()}, **data}
    warnings = _apply(session, row, merged)
    return saved(row, warnings)


@writes
def record_referral_outcome(session: Session, uid: str, status: str, outcome: str) -> Saved:
    """Later news of a referral (accepted by the legal-aid centre, declined…)."""
    row = load(session, Consultation, uid)
    errors: list[FieldError] = []
    check_choice(errors, status, codes.REFERRAL_STATUSES, "referral_status", LABELS["referral_status"])
    if not row.referral_target:
        errors.append(FieldError("referral_status", LABELS["referral_status"], "此咨询未转介"))
    raise_if(errors)
    row.referral_status, row.referral_outcome = status, outcome.strip()
    return saved(row)


@reads
def get_consultation(session: Session, uid: str) -> dict[str, Any]:
    row = load(session, Consultation, uid)
    out = to_dict(row)
    out["persons"] = _persons(session, uid)
    return out


def _persons(session: Session, uid: str) -> list[dict[str, Any]]:
    rows = session.execute(select(ConsultationPerson.role, Person)
                           .join(Person, Person.uid == ConsultationPerson.person_uid)
                           .where(ConsultationPerson.consultation_uid == uid,
                                  ConsultationPerson.deleted.is_(False))).all()
    return [{"role": role, "person": to_dict(p)} for role, p in rows]
