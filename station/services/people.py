"""当事人 (一人一档): create, edit, find duplicates, and everything linked to a person."""
from __future__ import annotations

from typing import Any, Mapping

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .. import codes
from ..errors import FieldError, ValidationError
from ..models import (CaseParty, Consultation, ConsultationPerson, FollowUp,
                      MediationCase, Person)
from ..records import to_dict
from ..textindex import name_pinyin
from ..validation import (ID_TYPES, check_choice, check_phone, check_ric, check_uscc, normalise_name,
                          normalise_text, parse_date, require)
from .base import Saved, check_version, load, raise_if, reads, saved, text, writes
from ..security import permissions as perms

#: permission the facade requires for this module's writes (reads: any signed-in account)
WRITE_PERMISSION = perms.PEOPLE

LABELS = {
    "name": "姓名", "gender": "性别", "ethnicity": "民族", "id_type": "证件类型", "id_number": "证件号码",
    "birth_date": "出生日期", "phone": "联系电话", "address": "住址", "credit_code": "统一社会信用代码",
    "representative": "法定代表人", "kind": "类别", "special_groups": "特殊群体",
}


def _clean(data: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Validate and normalise person fields; raises with every field error at once."""
    errors: list[FieldError] = []
    warnings: list[str] = []
    kind = data.get("kind") or "person"
    out: dict[str, Any] = {"kind": kind}
    check_choice(errors, kind, {"person", "org"}, "kind", LABELS["kind"])
    name = normalise_name(data.get("name"))
    require(errors, name, "name", "名称" if kind == "org" else LABELS["name"])
    out["name"] = name
    for key in ("address", "occupation", "representative", "notes"):
        out[key] = text(data, key)
    if kind == "org":
        code = text(data, "credit_code")
        if code:
            try:
                out["credit_code"] = check_uscc(code)
            except ValidationError as e:
                errors.extend(e.errors)
        out.update(gender="", ethnicity="", id_type="none", id_number="", birth_date=None)
    else:
        gender = text(data, "gender")
        check_choice(errors, gender, codes.GENDERS, "gender", LABELS["gender"])
        ethnicity = text(data, "ethnicity")
        if ethnicity and ethnicity not in codes.ETHNICITIES:
            if ethnicity + "族" in codes.ETHNICITIES:
                ethnicity += "族"
            else:
                errors.append(FieldError("ethnicity", LABELS["ethnicity"], f"不是有效的民族：“{ethnicity}”"))
        id_type = data.get("id_type") or ("ric" if data.get("id_number") else "none")
        check_choice(errors, id_type, ID_TYPES, "id_type", LABELS["id_type"])
        id_number = normalise_text(data.get("id_number")).replace(" ", "").upper()
        birth = None
        try:
            birth = parse_date(data.get("birth_date"), field="birth_date", label=LABELS["birth_date"])
        except ValidationError as e:
            errors.extend(e.errors)
        if id_type == "ric" and id_number:
            try:
                info, warn = check_ric(id_number, field="id_number", label="身份证号码")
                warnings += warn
                id_number = info.number
                if birth and birth != info.birth_date:
                    warnings.append("出生日期与身份证号码不一致，已按身份证号码填写")
                birth = info.birth_date
                if gender and gender != info.gender and gender != "未说明":
                    warnings.append(f"性别“{gender}”与身份证号码（{info.gender}）不一致，请核对")
                gender = gender or info.gender
            except ValidationError as e:
                errors.extend(e.errors)
        elif id_type not in ("none", "ric") and not id_number:
            errors.append(FieldError("id_number", LABELS["id_number"], "选择了证件类型时不能为空", "required"))
        out.update(gender=gender, ethnicity=ethnicity, id_type=id_type if id_number or id_type != "ric"
                   else "none", id_number=id_number, birth_date=birth, credit_code="")
        groups = list(data.get("special_groups") or [])
        for g in groups:
            check_choice(errors, g, codes.SPECIAL_GROUPS, "special_groups", LABELS["special_groups"])
        out["special_groups"] = groups
    phone = text(data, "phone")
    out["phone"] = ""
    if phone:
        try:
            out["phone"], warn = check_phone(phone)
            warnings += warn
        except ValidationError as e:
            errors.extend(e.errors)
    if data.get("household_size") not in (None, ""):
        try:
            out["household_size"] = int(data["household_size"])
            if out["household_size"] < 1:
                raise ValueError
        except (TypeError, ValueError):
            errors.append(FieldError("household_size", "家庭人口", "应为正整数"))
    raise_if(errors)
    return out, warnings


def _derive(row: Person) -> None:
    row.initials = " ".join(name_pinyin(row.name))
    row.id_rev = row.id_number[::-1]
    digits = row.phone.replace("-", "").split("转")[0]
    row.phone_rev = digits[::-1]


@reads
def find_duplicates(session: Session, data: Mapping[str, Any], exclude_uid: str | None = None
                    ) -> list[dict[str, Any]]:
    """Likely duplicates: the same ID number, or the same name with the same phone."""
    conds = []
    id_number = normalise_text(data.get("id_number")).replace(" ", "").upper()
    if id_number:
        conds.append(Person.id_number == id_number)
    credit = normalise_text(data.get("credit_code")).upper()
    if credit:
        conds.append(Person.credit_code == credit)
    name = normalise_name(data.get("name"))
    phone = text(data, "phone")
    if name and phone:
        try:
            phone = check_phone(phone)[0]
        except ValidationError:
            pass
        conds.append((Person.name == name) & (Person.phone == phone))
    if not conds:
        return []
    q = select(Person).where(or_(*conds), Person.deleted.is_(False))
    if exclude_uid:
        q = q.where(Person.uid != exclude_uid)
    return [to_dict(p) for p in session.scalars(q.limit(10))]


def _duplicate_warnings(dups: list[dict[str, Any]], data: Mapping[str, Any]) -> list[str]:
    out = []
    for d in dups:
        why = "证件号码相同" if d["id_number"] and d["id_number"] == data.get("id_number") else \
            "信用代码相同" if d["credit_code"] and d["credit_code"] == data.get("credit_code") else "姓名和电话相同"
        out.append(f"可能重复：已有当事人“{d['name']}”（{why}，编号 {d['uid'][:8]}）")
    return out


@writes
def save_person(session: Session, data: Mapping[str, Any], uid: str | None = None,
                base_version: int | None = None) -> Saved:
    """Create (``uid`` None) or update a person. Likely duplicates are warnings, not refusals:
    two real people can share a name and a family phone."""
    clean, warnings = _clean(data)
    row = load(session, Person, uid) if uid else Person()
    if uid:
        check_version(row, base_version)
    for key, value in clean.items():
        setattr(row, key, value)
    _derive(row)
    session.add(row)
    session.flush()
    warnings += _duplicate_warnings(find_duplicates(session, clean, exclude_uid=row.uid), clean)
    return saved(row, warnings)


def resolve_person(session: Session, ref: Mapping[str, Any] | str) -> tuple[Person, list[str]]:
    """A person reference in a record: an existing uid, ``{"uid": …}``, or new person fields."""
    if isinstance(ref, str):
        return load(session, Person, ref), []
    if ref.get("uid") and len(ref) <= 2:
        return load(session, Person, str(ref["uid"])), []
    result = save_person(session, ref, uid=ref.get("uid"))
    return load(session, Person, result.uid), result.warnings


@reads
def get_person(session: Session, uid: str) -> dict[str, Any]:
    return to_dict(load(session, Person, uid))


@reads
def person_dossier(session: Session, uid: str) -> dict[str, Any]:
    """一人一档: the person and every consultation, case and follow-up linked to them."""
    person = load(session, Person, uid)
    cons = session.scalars(select(Consultation).join(ConsultationPerson,
                           ConsultationPerson.consultation_uid == Consultation.uid)
                           .where(ConsultationPerson.person_uid == uid, ConsultationPerson.deleted.is_(False),
                                  Consultation.deleted.is_(False))
                           .order_by(Consultation.occurred_at.desc())).all()
    cases = session.scalars(select(MediationCase).join(CaseParty, CaseParty.case_uid == MediationCase.uid)
                            .where(or_(CaseParty.person_uid == uid, CaseParty.agent_uid == uid),
                                   CaseParty.deleted.is_(False), MediationCase.deleted.is_(False))
                            .order_by(MediationCase.applied_on.desc())).unique().all()
    follow = session.scalars(select(FollowUp).where(FollowUp.person_uid == uid,
                                                    FollowUp.deleted.is_(False))).all()
    return {
        "person": to_dict(person),
        "consultations": [to_dict(c) for c in cons],
        "cases": [to_dict(c) for c in cases],
        "follow_ups": [to_dict(f) for f in follow],
    }
