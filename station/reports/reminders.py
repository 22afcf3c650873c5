"""Reminders for the 工作台 and ``station due``: what needs doing, and by when.

Each rule is a small SQL query on indexed columns; ``today`` is passed in so
the rules are testable on their boundary days. Day counts are calendar days
after the start date (the start day itself is day 0), as periods in law are
counted from the next day.

=====================  ==============================================================
kind                   rule
=====================  ==============================================================
follow_up              agreement reached, no follow-up recorded: due
                       ``follow_up_after_days`` after the agreement (warn from
                       ``FOLLOW_UP_NOTICE`` days before; urgent once past)
performance_overdue    performance deadline passed (deadline < today) and the
                       agreement is not recorded as fulfilled
judicial_window        written agreement, no judicial confirmation applied: the
                       30-day joint-application window (人民调解法第三十三条),
                       from its effective date; shown from day 20 to day 30
                       (urgent from day 28); nothing after day 30 (window closed)
case_overdue           case accepted and still open: limit is ``extended_until``,
                       else accepted_on + case_time_limit_days; warn from
                       ``CASE_NOTICE`` days before, urgent when past
referral_no_outcome    referral with no outcome (status 已告知/已转交, no outcome
                       text) ``REFERRAL_WAIT`` days after the consultation
village_hours_behind   this year's hours of a village below its pro-rata target
                       (yearly target × share of the year elapsed)
=====================  ==============================================================
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from .. import settings
from ..models import AdviserVisit, Consultation, FollowUp, MediationCase
from .figures import progress_fraction, village_targets

SEVERITIES = {"info": "提示", "warning": "注意", "urgent": "紧急"}
_ORDER = {"urgent": 0, "warning": 1, "info": 2}

JC_WINDOW_DAYS = 30  # 人民调解法第三十三条
JC_WARN_FROM = 20
JC_URGENT_FROM = 28
FOLLOW_UP_NOTICE = 3
CASE_NOTICE = 5
REFERRAL_WAIT = 7


@dataclass(frozen=True)
class Reminder:
    kind: str
    uid: str
    message: str  # Chinese, for the user
    due: dt.date
    severity: str  # info | warning | urgent

    @property
    def severity_label(self) -> str:
        return SEVERITIES[self.severity]

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "due": self.due.isoformat(), "severity_label": self.severity_label}


def _rows(session: Session, q: Any) -> Any:
    """Result rows, untyped: the selected columns are non-null by the query's own conditions."""
    return session.execute(q)


def _case_name(number: str | None, title: str) -> str:
    return f"{number or '（未编号）'}{title and ' ' + title}"


def follow_ups(session: Session, today: dt.date, limit: int | None = None) -> list[Reminder]:
    after = int(settings.get(session, "follow_up_after_days"))
    m = MediationCase
    has_fu = select(FollowUp.uid).where(FollowUp.case_uid == m.uid, FollowUp.deleted.is_(False)).exists()
    q = (select(m.uid, m.display_number, m.title, m.outcome_on)
         .where(m.deleted.is_(False), m.status == "agreed", m.outcome.in_(("written", "oral")),
                m.outcome_on <= today - dt.timedelta(days=after - FOLLOW_UP_NOTICE), ~has_fu)
         .order_by(m.outcome_on).limit(limit))
    out = []
    for uid, number, title, on in _rows(session, q):
        due = on + dt.timedelta(days=after)
        late = (today - due).days
        msg = (f"{_case_name(number, title)}：协议已达成{(today - on).days}天，尚未回访"
               + (f"（已超过{late}天）" if late > 0 else "（今天应回访）" if late == 0 else f"（{-late}天后应回访）"))
        out.append(Reminder("follow_up", uid, msg, due, "urgent" if late > 0 else "warning"))
    return out


def performance_overdue(session: Session, today: dt.date, limit: int | None = None) -> list[Reminder]:
    m = MediationCase
    q = (select(m.uid, m.display_number, m.title, m.performance_deadline, m.performance_status)
         .where(m.deleted.is_(False), m.outcome.in_(("written", "oral")), m.performance_deadline < today,
                or_(m.performance_status.is_(None), m.performance_status != "fulfilled"))
         .order_by(m.performance_deadline).limit(limit))
    out = []
    for uid, number, title, deadline, status in _rows(session, q):
        state = {"partial": "仅部分履行", "unfulfilled": "未履行"}.get(status or "", "履行情况未登记")
        msg = f"{_case_name(number, title)}：履行期限{deadline.isoformat()}已过{(today - deadline).days}天，{state}"
        out.append(Reminder("performance_overdue", uid, msg, deadline, "urgent"))
    return out


def judicial_window(session: Session, today: dt.date, limit: int | None = None) -> list[Reminder]:
    m = MediationCase
    q = (select(m.uid, m.display_number, m.title, m.agreement_effective_on)
         .where(m.deleted.is_(False), m.outcome == "written", m.jc_applied_on.is_(None),
                m.agreement_effective_on >= today - dt.timedelta(days=JC_WINDOW_DAYS),
                m.agreement_effective_on <= today - dt.timedelta(days=JC_WARN_FROM))
         .order_by(m.agreement_effective_on).limit(limit))
    out = []
    for uid, number, title, effective in _rows(session, q):
        day = (today - effective).days
        last = effective + dt.timedelta(days=JC_WINDOW_DAYS)
        left = JC_WINDOW_DAYS - day
        when = "今天是最后一天" if left == 0 else f"还剩{left}天（截至{last.isoformat()}）"
        msg = f"{_case_name(number, title)}：如需司法确认，双方应自协议生效起30日内共同申请，{when}"
        out.append(Reminder("judicial_window", uid, msg, last, "urgent" if day >= JC_URGENT_FROM else "warning"))
    return out


def case_overdue(session: Session, today: dt.date, limit: int | None = None) -> list[Reminder]:
    limit_days = int(settings.get(session, "case_time_limit_days"))
    m = MediationCase
    ends = func.coalesce(m.extended_until, func.date(m.accepted_on, f"+{limit_days} days"))
    q = (select(m.uid, m.display_number, m.title, m.accepted_on, m.extended_until)
         .where(m.deleted.is_(False), m.status.in_(("accepted", "mediating")),
                ends <= today + dt.timedelta(days=CASE_NOTICE))
         .order_by(ends).limit(limit))
    out = []
    for uid, number, title, accepted, extended in _rows(session, q):
        due = extended or accepted + dt.timedelta(days=limit_days)
        late = (today - due).days
        basis = f"延长至{extended.isoformat()}" if extended else f"受理后{limit_days}日"
        msg = (f"{_case_name(number, title)}：调解期限（{basis}）"
               + (f"已超过{late}天，尚未结案" if late > 0 else "今天到期" if late == 0 else f"还剩{-late}天"))
        out.append(Reminder("case_overdue", uid, msg, due, "urgent" if late > 0 else "warning"))
    return out


def referral_no_outcome(session: Session, today: dt.date, limit: int | None = None) -> list[Reminder]:
    c = Consultation
    stop = dt.datetime.combine(today - dt.timedelta(days=REFERRAL_WAIT - 1), dt.time())
    q = (select(c.uid, c.number, c.occurred_at, c.referral_target)
         .where(c.deleted.is_(False), c.referral_target.is_not(None), c.occurred_at < stop,
                or_(c.referral_status.is_(None), c.referral_status.in_(("informed", "transferred"))),
                c.referral_outcome == "")
         .order_by(c.occurred_at).limit(limit))
    from ..codes import REFERRAL_TARGETS
    out = []
    for uid, number, when, target in _rows(session, q):
        day = when.date()
        msg = (f"咨询{number}：{day.isoformat()}转介至{REFERRAL_TARGETS.get(target, target)}，"
               f"已{(today - day).days}天未登记结果")
        out.append(Reminder("referral_no_outcome", uid, msg, day + dt.timedelta(days=REFERRAL_WAIT), "info"))
    return out


def village_hours_behind(session: Session, today: dt.date, limit: int | None = None) -> list[Reminder]:
    v = AdviserVisit
    q = (select(v.village_uid, func.sum(v.hours))
         .where(v.deleted.is_(False), v.visit_date >= dt.date(today.year, 1, 1), v.visit_date <= today)
         .group_by(v.village_uid))
    done = {u: float(h or 0) for u, h in session.execute(q)}
    frac = progress_fraction(today)
    out = []
    for uid, name, target in village_targets(session):
        due_hours = round(target * frac, 2)
        hours = round(done.get(uid, 0.0), 2)
        if target and hours < due_hours:
            msg = (f"{name}：今年法律顾问服务{hours:g}小时，按进度应达{due_hours:g}小时"
                   f"（年度目标{target:g}小时），落后{round(due_hours - hours, 2):g}小时")
            out.append(Reminder("village_hours_behind", uid, msg, dt.date(today.year, 12, 31),
                                "warning" if hours >= due_hours / 2 else "urgent"))
    out.sort(key=lambda r: r.severity != "urgent")
    return out[:limit] if limit is not None else out


RULES = (performance_overdue, case_overdue, judicial_window, follow_ups, referral_no_outcome, village_hours_behind)


def due(session: Session, today: dt.date | None = None, limit: int | None = None) -> list[Reminder]:
    """All reminders as of ``today``, most urgent first, then by due date.

    ``limit``: at most this many of each kind (the oldest first), so a home page stays quick even
    when a data set holds thousands of open items.
    """
    today = today or dt.date.today()
    found = [r for rule in RULES for r in rule(session, today, limit)]
    found.sort(key=lambda r: (_ORDER[r.severity], r.due, r.kind, r.uid))
    return found


__all__ = ["Reminder", "SEVERITIES", "due"]
