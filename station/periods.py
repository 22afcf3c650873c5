"""Periods and report scopes, parsed from the short forms users type (reports, ledgers).

A period is always a closed range of calendar days ``[start, end]`` in local
(China Standard) time. Forms accepted::

    2026-10                   month
    2026-Q4 / 2026Q4          quarter
    2026-H1                   half year
    2026                      year
    2026-10-01..2026-10-15    custom range (both days included)
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from .errors import ValidationError

#: China has one time zone; record timestamps (updated_at, closed_at) are UTC.
LOCAL_OFFSET = dt.timedelta(hours=8)


@dataclass(frozen=True)
class Period:
    key: str
    start: dt.date
    end: dt.date
    label: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def bounds_utc(self) -> tuple[dt.datetime, dt.datetime]:
        """The period as a half-open UTC range ``[from, to)`` for comparing with ``updated_at``."""
        lo = dt.datetime.combine(self.start, dt.time()) - LOCAL_OFFSET
        hi = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time()) - LOCAL_OFFSET
        return lo, hi


def _bad(text: str) -> ValidationError:
    return ValidationError.single(
        "period", "统计期间",
        f"无法识别“{text}”（可写 2026-10、2026-Q4、2026-H1、2026 或 2026-10-01..2026-10-15）")


def parse_period(text: str) -> Period:
    """Parse a period; raises :class:`ValidationError` with a Chinese message on bad input."""
    t = (text or "").strip().upper().replace("／", "/")
    try:
        if m := re.fullmatch(r"(\d{4})", t):
            y = int(m[1])
            return Period(t, dt.date(y, 1, 1), dt.date(y, 12, 31), f"{y}年")
        if m := re.fullmatch(r"(\d{4})-?Q([1-4])", t):
            y, q = int(m[1]), int(m[2])
            start = dt.date(y, 3 * q - 2, 1)
            end_month = 3 * q
            end = dt.date(y, end_month, calendar.monthrange(y, end_month)[1])
            return Period(f"{y}-Q{q}", start, end, f"{y}年第{'一二三四'[q - 1]}季度")
        if m := re.fullmatch(r"(\d{4})-?H([12])", t):
            y, h = int(m[1]), int(m[2])
            start, end = (dt.date(y, 1, 1), dt.date(y, 6, 30)) if h == 1 else (dt.date(y, 7, 1), dt.date(y, 12, 31))
            return Period(f"{y}-H{h}", start, end, f"{y}年{'上下'[h - 1]}半年")
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})", t):
            y, mo = int(m[1]), int(m[2])
            start = dt.date(y, mo, 1)
            end = dt.date(y, mo, calendar.monthrange(y, mo)[1])
            return Period(f"{y}-{mo:02d}", start, end, f"{y}年{mo}月")
        if m := re.fullmatch(r"(\d{4}-\d{1,2}-\d{1,2})\s*(?:\.\.|~|至|—|/)\s*(\d{4}-\d{1,2}-\d{1,2})", t):
            a, b = (dt.date(*map(int, s.split("-"))) for s in (m[1], m[2]))
            if b < a:
                raise ValidationError.single("period", "统计期间", f"结束日期{b}早于开始日期{a}")
            return Period(f"{a.isoformat()}..{b.isoformat()}", a, b, f"{a.year}年{a.month}月{a.day}日至{b.year}年{b.month}月{b.day}日")
    except ValueError:
        raise _bad(text) from None
    raise _bad(text)


def previous(p: Period) -> Period:
    """The period before ``p`` of the same kind (上月/上季度/上年…; a custom range: the same number of days)."""
    k = p.key
    if "..." not in k and ".." in k:
        end = p.start - dt.timedelta(days=1)
        start = end - dt.timedelta(days=p.days - 1)
        return parse_period(f"{start.isoformat()}..{end.isoformat()}")
    y = p.start.year
    if re.fullmatch(r"\d{4}", k):
        return parse_period(str(y - 1))
    if "-Q" in k:
        q = (p.start.month - 1) // 3 + 1
        return parse_period(f"{y - 1}-Q4" if q == 1 else f"{y}-Q{q - 1}")
    if "-H" in k:
        return parse_period(f"{y - 1}-H2" if p.start.month == 1 else f"{y}-H1")
    return parse_period(f"{y - 1}-12" if p.start.month == 1 else f"{y}-{p.start.month - 1:02d}")


SCOPE_KINDS = {"station": "全所", "committee": "调解委员会", "adviser": "法律顾问", "village": "村(居)"}


@dataclass(frozen=True)
class Scope:
    kind: str  # station | committee | adviser | village
    uid: str | None = None

    @property
    def key(self) -> str:
        return self.kind if self.uid is None else f"{self.kind}:{self.uid}"


def parse_scope(text: str | None) -> Scope:
    t = (text or "station").strip()
    kind, _, uid = t.partition(":")
    if kind not in SCOPE_KINDS or (kind == "station") != (not uid):
        raise ValidationError.single(
            "scope", "统计范围", f"无法识别“{t}”（可写 station、committee:UID、adviser:UID、village:UID）")
    return Scope(kind, uid or None)
