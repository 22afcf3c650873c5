"""村(居)法律顾问工作日志: adviser visits and their hours."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import codes, settings
from ..errors import FieldError, ValidationError
from ..models import AdviserVisit, Staff, Village
from ..numbering import record_number
from ..records import to_dict
from ..validation import check_choice, parse_date, require
from .base import Saved, check_version, load, number, raise_if, reads, saved, text, writes
from .reference import require_station
from ..security import permissions as perms

#: permission the facade requires for this module's writes (reads: any signed-in account)
WRITE_PERMISSION = perms.VISITS

LABELS = {
    "adviser_uid": "法律顾问", "village_uid": "村(居)", "visit_date": "服务日期", "start_time": "开始时间",
    "end_time": "结束时间", "hours": "服务时长", "mode": "服务方式", "service_types": "服务类型",
    "attendees": "参加人数", "content": "服务内容",
}


def _time(data: Mapping[str, Any], key: str, errors: list[FieldError]) -> dt.time | None:
    value = data.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, dt.time):
        return value
    m = re.fullmatch(r"(\d{1,2})[:：](\d{2})(?::\d{2})?", str(value).strip())
    if not m or int(m[1]) > 23 or int(m[2]) > 59:
        errors.append(FieldError(key, LABELS[key], f"时间格式不正确：“{value}”（应为 09:30）", "format"))
        return None
    return dt.time(int(m[1]), int(m[2]))


def hours_between(start: dt.time, end: dt.time) -> float:
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    return round(minutes / 60, 2)


def _apply(session: Session, row: AdviserVisit, data: Mapping[str, Any]) -> list[str]:
    errors: list[FieldError] = []
    warnings: list[str] = []
    adviser_uid = data.get("adviser_uid")
    require(errors, adviser_uid, "adviser_uid", LABELS["adviser_uid"])
    adviser = session.get(Staff, adviser_uid) if adviser_uid else None
    if adviser_uid and adviser is None:
        errors.append(FieldError("adviser_uid", LABELS["adviser_uid"], "工作人员不存在"))
    elif adviser is not None and "adviser" not in adviser.roles:
        warnings.append(f"{adviser.name}未登记为村(居)法律顾问")
    village_uid = data.get("village_uid")
    require(errors, village_uid, "village_uid", LABELS["village_uid"])
    if village_uid and session.get(Village, village_uid) is None:
        errors.append(FieldError("village_uid", LABELS["village_uid"], "村(居)不存在"))
    try:
        day = parse_date(data.get("visit_date"), field="visit_date", label=LABELS["visit_date"])
    except ValidationError as e:
        errors.extend(e.errors)
        day = dt.date.today()
    if day is None:
        errors.append(FieldError("visit_date", LABELS["visit_date"], "不能为空", "required"))
    elif day > dt.date.today() + dt.timedelta(days=1):
        errors.append(FieldError("visit_date", LABELS["visit_date"], "不能晚于今天", "future"))
    start, end = _time(data, "start_time", errors), _time(data, "end_time", errors)
    hours = number(data, "hours", LABELS["hours"], errors)
    if start and end:
        if end <= start:
            errors.append(FieldError("end_time", LABELS["end_time"], "应晚于开始时间", "order"))
        else:
            span = hours_between(start, end)
            if hours is not None and abs(hours - span) > 0.01:
                warnings.append(f"填写的时长{hours:g}小时与起止时间（{span:g}小时）不一致，已按起止时间计算")
            hours = span
    elif hours is None and not any(e.field in ("start_time", "end_time", "hours") for e in errors):
        errors.append(FieldError("hours", LABELS["hours"], "请填写起止时间或服务时长", "required"))
    if hours is not None and (hours <= 0 or hours > 24):
        errors.append(FieldError("hours", LABELS["hours"], "应在0到24小时之间", "range"))
    mode = data.get("mode") or "onsite"
    check_choice(errors, mode, codes.VISIT_MODES, "mode", LABELS["mode"])
    types = list(data.get("service_types") or [])
    require(errors, types, "service_types", LABELS["service_types"])
    for t in types:
        check_choice(errors, t, codes.SERVICE_TYPES, "service_types", LABELS["service_types"])
    attendees = number(data, "attendees", LABELS["attendees"], errors, minimum=0, integer=True)
    if "education" in types and not attendees:
        errors.append(FieldError("attendees", LABELS["attendees"], "法治宣传须填写参加人数", "required"))
    content = text(data, "content")
    require(errors, content, "content", LABELS["content"])
    raise_if(errors)
    row.adviser_uid, row.village_uid, row.visit_date = adviser_uid, village_uid, day  # type: ignore[assignment]
    row.start_time, row.end_time, row.hours = start, end, hours  # type: ignore[assignment]
    row.mode, row.service_types, row.attendees = mode, types, attendees
    row.content, row.people_served, row.result = content, text(data, "people_served"), text(data, "result")
    if not row.number:
        assert day is not None
        row.number, row.seq = record_number(session, "visit", require_station(session).code, day.year)
    session.add(row)
    return warnings


@writes
def record_visit(session: Session, data: Mapping[str, Any]) -> Saved:
    row = AdviserVisit()
    warnings = _apply(session, row, data)
    perms.require_own_visit(session, row.adviser_uid)
    return saved(row, warnings)


@writes
def update_visit(session: Session, uid: str, data: Mapping[str, Any], base_version: int | None = None) -> Saved:
    row = load(session, AdviserVisit, uid)
    check_version(row, base_version)
    perms.require_own_visit(session, row.adviser_uid)
    warnings = _apply(session, row, {**to_dict(row), **data})
    perms.require_own_visit(session, row.adviser_uid)
    return saved(row, warnings)


@reads
def village_hours(session: Session, year: int, adviser_uid: str | None = None) -> list[dict[str, Any]]:
    """Hours per village for a year against its target (village target, else the station default)."""
    default = float(settings.get(session, "default_target_hours") or 0)
    q = (select(AdviserVisit.village_uid, func.sum(AdviserVisit.hours), func.count())
         .where(AdviserVisit.deleted.is_(False),
                AdviserVisit.visit_date >= dt.date(year, 1, 1), AdviserVisit.visit_date <= dt.date(year, 12, 31))
         .group_by(AdviserVisit.village_uid))
    if adviser_uid:
        q = q.where(AdviserVisit.adviser_uid == adviser_uid)
    done = {v: (float(h or 0), int(n)) for v, h, n in session.execute(q)}
    out = []
    for v in session.scalars(select(Village).where(Village.deleted.is_(False)).order_by(Village.name)):
        hours, visits = done.get(v.uid, (0.0, 0))
        target = float(v.target_hours) if v.target_hours is not None else default
        out.append({"village_uid": v.uid, "village": v.name, "hours": round(hours, 2), "visits": visits,
                    "target": target, "ratio": round(hours / target, 3) if target else None})
    return out
