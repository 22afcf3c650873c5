"""What a form needs, loaded through the Station services (never retyped, never raw SQL)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from .. import codes
from ..errors import NotFound, ValidationError
from ..periods import Period, parse_period  # noqa: F401 - re-exported for the forms
from ..station import Station


@dataclass
class CaseContext:
    """A case with everything its forms print: parties, names of staff, committee, station."""

    case: dict[str, Any]
    station: dict[str, Any]
    committee: str
    staff: dict[str, str]  # uid -> name
    dispute_type: str  # Chinese name
    focus: dict[str, Any] | None = None  # the session or follow-up asked for, if any
    focus_kind: str = "case"

    @property
    def number(self) -> str:
        return str(self.case.get("display_number") or self.case["number"])

    @property
    def mediators(self) -> list[str]:
        return [self.staff.get(u, "") for u in self.case.get("mediator_uids") or [] if self.staff.get(u)]

    def sessions(self, kind: str) -> list[dict[str, Any]]:
        if self.focus_kind == "case_session" and self.focus is not None:
            return [self.focus] if self.focus["kind"] == kind else []
        return [s for s in self.case["sessions"] if s["kind"] == kind]

    def follow_ups(self) -> list[dict[str, Any]]:
        if self.focus_kind == "follow_up" and self.focus is not None:
            return [self.focus]
        return list(self.case["follow_ups"])

    def person_name(self, uid: str | None) -> str:
        for p in self.case["parties"]:
            if p["person_uid"] == uid and p["person"]:
                return str(p["person"]["name"])
        return ""


def committee_name(st: Station, station: dict[str, Any], uid: str | None) -> str:
    committees = st.reference.list_reference("committee")
    for c in committees:
        if uid and c["uid"] == uid:
            return str(c["name"])
    for c in committees:
        if c["kind"] in ("township", "street"):
            return str(c["name"])
    base = re.sub(r"司法所$", "", str(station.get("name") or ""))
    return f"{base}人民调解委员会"


def load_case(st: Station, key: str) -> CaseContext:
    """A case by uid, number or display number — or by the uid of one of its sessions or follow-ups."""
    record = st.records.get_record(key)
    kind = record["_kind"]
    focus = None
    if kind in ("case_session", "follow_up"):
        focus, case_uid = record, record["case_uid"]
    elif kind == "case":
        case_uid = record["uid"]
    else:
        raise ValidationError.single("record", "记录", f"这条记录不是调解案件（{kind}）")
    case = st.mediation.get_case(case_uid)
    station = st.reference.station_info() or {}
    staff = {s["uid"]: s["name"] for s in st.reference.list_reference("staff")}
    types = {c["code"]: c["name"] for c in st.reference.list_codes(codes.DISPUTE_TYPE)}
    return CaseContext(case, station, committee_name(st, station, case.get("committee_uid")), staff,
                       types.get(case["dispute_type"], case["dispute_type"]), focus, kind)


def cn_date(value: str | dt.date | None, blank: str = "    年  月  日") -> str:
    """2026-11-05 → 2026年11月5日 (Arabic numerals, as GB/T 9704 asks)."""
    if not value:
        return blank
    d = dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value
    return f"{d.year}年{d.month}月{d.day}日"


def cn_datetime(value: str | None) -> str:
    if not value:
        return ""
    t = dt.datetime.fromisoformat(value)
    return f"{cn_date(t.date())}{t.hour}时{t.minute:02d}分"


def age_on(birth: str | None, on: str | None) -> str:
    if not birth:
        return ""
    b = dt.date.fromisoformat(birth)
    d = dt.date.fromisoformat(on[:10]) if on else dt.date.today()
    return str(d.year - b.year - ((d.month, d.day) < (b.month, b.day)))


def not_found(what: str, key: str) -> NotFound:
    return NotFound(what, key)


@dataclass
class Ledger:
    """Rows of a period ledger, loaded through the services."""

    period: Period
    station: dict[str, Any]
    rows: list[dict[str, Any]] = field(default_factory=list)
