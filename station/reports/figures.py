"""Statistics of a period: consultations, mediation, adviser services, satisfaction.

Definitions (also in docs/statistics.md):

* Every event is counted in the period that holds **the date of that event**:
  咨询 by ``occurred_at``; 申请 by ``applied_on``; 受理 by ``accepted_on``;
  不予受理 by ``refused_on``; 成功 / 不成 / 终止 / 撤回 by ``outcome_on``;
  司法确认申请 by ``jc_applied_on``; 司法确认结果 by ``jc_decided_on``;
  回访 by ``visited_on``; 法律顾问服务 by ``visit_date``. One case can thus be
  受理 in September and 成功 in October.
* 调解成功 = agreement reached (书面 or 口头协议). 调解成功率 = 成功 /
  (成功 + 调解不成 + 终止); withdrawn cases are not in the denominator. No
  outcome in the period → the rate is empty, not 0.
* 协议履行率 = agreements reached in the period whose performance status is
  now 已履行 / agreements reached in the period (a cohort, so ≤ 100 %).
* 协议涉及金额 = sum of ``amount`` (元) of the agreements reached in the period.
* 群体性案件 = cases accepted in the period flagged 群体性. 防止民转刑 and
  防止群体性上访 = cases with that flag whose outcome date is in the period
  (件), and the sum of the persons recorded (人).
* Adviser hours are summed per village; 年度累计 runs from 1 January of the
  year the period ends in up to the period's end; 进度目标 = yearly target ×
  days of that year elapsed at the period's end / days in the year.
* Satisfaction: consultations by ``occurred_at``, mediation follow-ups by
  ``visited_on``; 满意率 = (满意 + 基本满意) / rated.
* Deleted (tombstoned) records are never counted.

All figures come from SQL ``GROUP BY`` queries on indexed date columns; Python
only folds the grouped rows (a few hundred at most), never the records.
"""
from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from typing import Any, Iterable

from sqlalchemy import String, and_, func, or_, select, text, type_coerce
from sqlalchemy.orm import Session

from .. import codes, settings
from ..models import (AdviserVisit, CodeEntry, Committee, Consultation, FollowUp, MediationCase, Staff,
                      StationInfo, Village)
from .model import Column, Table
from ..periods import Period, Scope

UNSET = "未填写"


def ratio(num: float, den: float) -> float | None:
    """A ratio rounded to 4 places (0.9741 = 97.41 %), or None when there is no denominator."""
    return round(num / den, 4) if den else None


def code_names(session: Session, table: str, period: Period) -> list[tuple[str, str]]:
    """Codes of ``table`` valid at some point of the period, in display order."""
    q = (select(CodeEntry.code, CodeEntry.name).where(
        CodeEntry.table == table, CodeEntry.deleted.is_(False), CodeEntry.valid_from <= period.end,
        or_(CodeEntry.valid_to.is_(None), CodeEntry.valid_to >= period.start))
         .order_by(CodeEntry.sort, CodeEntry.code))
    return [(c, n) for c, n in session.execute(q)]


def all_code_names(session: Session, table: str) -> dict[str, str]:
    return {c: n for c, n in session.execute(select(CodeEntry.code, CodeEntry.name).where(CodeEntry.table == table))}


def _day_range(col: Any, period: Period) -> Any:
    return and_(col >= period.start, col <= period.end)


def _time_range(col: Any, period: Period) -> Any:
    start = dt.datetime.combine(period.start, dt.time())
    stop = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time())
    return and_(col >= start, col < stop)


# ---------------------------------------------------------------- scope filters

def consultation_scope(scope: Scope) -> Any | None:
    """WHERE clause for consultations in scope; None: consultations are not part of this scope."""
    if scope.kind == "station":
        return Consultation.deleted.is_(False)
    if scope.kind == "village":
        return and_(Consultation.deleted.is_(False), Consultation.village_uid == scope.uid)
    if scope.kind == "adviser":
        return and_(Consultation.deleted.is_(False), Consultation.staff_uid == scope.uid)
    return None


def case_scope(scope: Scope) -> Any:
    live = MediationCase.deleted.is_(False)
    if scope.kind == "committee":
        return and_(live, MediationCase.committee_uid == scope.uid)
    if scope.kind == "village":
        return and_(live, MediationCase.village_uid == scope.uid)
    if scope.kind == "adviser":  # cases the person mediated
        return and_(live, type_coerce(MediationCase.mediator_uids, String).like(f'%"{scope.uid}"%'))
    return live


def visit_scope(scope: Scope) -> Any | None:
    live = AdviserVisit.deleted.is_(False)
    if scope.kind == "village":
        return and_(live, AdviserVisit.village_uid == scope.uid)
    if scope.kind == "adviser":
        return and_(live, AdviserVisit.adviser_uid == scope.uid)
    if scope.kind == "committee":
        return None
    return live


def scope_label(session: Session, scope: Scope) -> str:
    if scope.kind == "station":
        info = session.scalar(select(StationInfo).where(StationInfo.deleted.is_(False)))
        return info.name if info else "全所"
    model = {"committee": Committee, "village": Village, "adviser": Staff}[scope.kind]
    row: Any = session.get(model, scope.uid)
    if row is None:
        from ..errors import ValidationError
        raise ValidationError.single("scope", "统计范围", f"找不到{_SCOPE_NOUN[scope.kind]}：{scope.uid}")
    return f"{_SCOPE_NOUN[scope.kind]}：{row.name}"


_SCOPE_NOUN = {"committee": "调解委员会", "village": "村(居)", "adviser": "法律顾问"}


# ---------------------------------------------------------------- consultations

def _count_table(key: str, title: str, first: str, counts: dict[Any, int],
                 names: Iterable[tuple[Any, str]], note: str = "") -> Table:
    total = sum(counts.values())
    rows: list[list[Any]] = []
    seen = set()
    for code, name in names:
        seen.add(code)
        rows.append([name, counts.get(code, 0), ratio(counts.get(code, 0), total)])
    for code in sorted((c for c in counts if c not in seen), key=lambda c: (c is None, str(c))):
        rows.append([UNSET if code is None else str(code), counts[code], ratio(counts[code], total)])
    rows.append(["合计", total, ratio(total, total)])
    return Table(key, title, [Column("name", first, "text"), Column("count", "件数"),
                              Column("share", "占比", "percent")], rows, note, has_total=True)


def consultation_tables(session: Session, period: Period, scope: Scope,
                        figures: dict[str, Any]) -> list[Table]:
    where = consultation_scope(scope)
    if where is None:
        return []
    c = Consultation
    q = (select(c.category_code, c.channel, c.handling, c.referral_target, c.referral_status, c.satisfaction,
                func.count())
         .where(where, _time_range(c.occurred_at, period))
         .group_by(c.category_code, c.channel, c.handling, c.referral_target, c.referral_status, c.satisfaction))
    by_cat: dict[Any, int] = defaultdict(int)
    by_channel: dict[Any, int] = defaultdict(int)
    by_handling: dict[Any, int] = defaultdict(int)
    referrals: dict[Any, dict[Any, int]] = defaultdict(lambda: defaultdict(int))
    sat: dict[Any, int] = defaultdict(int)
    total = 0
    for cat, channel, handling, target, status, satisfaction, n in session.execute(q):
        total += n
        by_cat[cat] += n
        by_channel[channel] += n
        by_handling[handling] += n
        if target:
            referrals[target][status] += n
        sat[satisfaction] += n
    figures["consultations.total"] = total
    figures["consultations.referred"] = sum(sum(v.values()) for v in referrals.values())
    figures["consultations.referral_outcome_known"] = sum(
        n for v in referrals.values() for s, n in v.items() if s in ("accepted", "feedback", "declined"))
    figures["_consultation_satisfaction"] = dict(sat)
    cats = code_names(session, codes.CONSULTATION_CATEGORY, period)
    known = dict(cats)
    extra = all_code_names(session, codes.CONSULTATION_CATEGORY)
    cat_names = cats + [(k, extra.get(k, k)) for k in by_cat if k not in known and k in extra]
    tables = [
        _count_table("consultations_by_category", "来访咨询：按咨询类别", "咨询类别", by_cat, cat_names),
        _count_table("consultations_by_channel", "来访咨询：按接待方式", "接待方式", by_channel,
                     codes.CHANNELS.items()),
        _count_table("consultations_by_handling", "来访咨询：按处理方式", "处理方式", by_handling,
                     codes.HANDLINGS.items()),
    ]
    statuses = list(codes.REFERRAL_STATUSES.items()) + [(None, UNSET)]
    cols = [Column("target", "转介去向", "text"), Column("total", "转介件数")] + [
        Column(f"status_{s or 'none'}", label) for s, label in statuses]
    rows: list[list[Any]] = []
    for target, label in codes.REFERRAL_TARGETS.items():
        by_status = referrals.get(target, {})
        rows.append([label, sum(by_status.values())] + [by_status.get(s, 0) for s, _ in statuses])
    rows.append(["合计", sum(r[1] for r in rows)] + [sum(r[2 + i] for r in rows) for i in range(len(statuses))])
    tables.append(Table("referrals", "转介：按去向和结果", cols, rows,
                        "结果为转介状态的最新登记；“已受理、已反馈、未受理”视为已有结果。", has_total=True))
    return tables


# ---------------------------------------------------------------- mediation

def _sum_if(cond: Any, value: Any = 1) -> Any:
    from sqlalchemy import case
    return func.coalesce(func.sum(case((cond, value), else_=0)), 0)


def case_tables(session: Session, period: Period, scope: Scope, figures: dict[str, Any]) -> list[Table]:
    m = MediationCase
    where = case_scope(scope)
    f = figures

    def count(*conds: Any) -> int:
        return int(session.scalar(select(func.count()).select_from(m).where(where, *conds)) or 0)

    f["cases.applied"] = count(_day_range(m.applied_on, period))
    f["cases.refused"] = count(_day_range(m.refused_on, period))
    # 受理, by type / source / committee
    acc_q = (select(m.dispute_type, m.source, m.committee_uid, func.count(), _sum_if(m.is_group),
                    func.coalesce(func.sum(m.amount), 0))
             .where(where, _day_range(m.accepted_on, period))
             .group_by(m.dispute_type, m.source, m.committee_uid))
    acc: list[Any] = [tuple(r) for r in session.execute(acc_q)]
    # outcomes, by type / source / committee / outcome / performance
    out_q = (select(m.dispute_type, m.source, m.committee_uid, m.outcome, m.performance_status, func.count(),
                    func.coalesce(func.sum(m.amount), 0), _sum_if(m.prevents_crime),
                    _sum_if(m.prevents_crime, func.coalesce(m.prevents_crime_persons, 0)),
                    _sum_if(m.prevents_petition),
                    _sum_if(m.prevents_petition, func.coalesce(m.prevents_petition_persons, 0)))
             .where(where, _day_range(m.outcome_on, period), m.outcome.is_not(None))
             .group_by(m.dispute_type, m.source, m.committee_uid, m.outcome, m.performance_status))
    out: list[Any] = [tuple(r) for r in session.execute(out_q)]
    jc_applied = count(_day_range(m.jc_applied_on, period))
    jc_q = (select(m.jc_result, func.count()).where(where, _day_range(m.jc_decided_on, period))
            .group_by(m.jc_result))
    jc_decided = {r: int(n) for r, n in session.execute(jc_q)}

    f["cases.accepted"] = sum(r[3] for r in acc)
    f["cases.group"] = sum(r[4] for r in acc)
    f["cases.amount_accepted"] = round(sum(float(r[5]) for r in acc), 2)
    by_outcome: dict[str, int] = defaultdict(int)
    for r in out:
        by_outcome[r[3]] += r[5]
    succeeded = by_outcome["written"] + by_outcome["oral"]
    f["cases.succeeded"] = succeeded
    f["cases.written"] = by_outcome["written"]
    f["cases.oral"] = by_outcome["oral"]
    f["cases.failed"] = by_outcome["failed"]
    f["cases.terminated"] = by_outcome["terminated"]
    f["cases.withdrawn"] = by_outcome["withdrawn"]
    f["cases.success_rate"] = ratio(succeeded, succeeded + by_outcome["failed"] + by_outcome["terminated"])
    agreed = [r for r in out if r[3] in ("written", "oral")]
    fulfilled = sum(r[5] for r in agreed if r[4] == "fulfilled")
    f["cases.fulfilled"] = fulfilled
    f["cases.fulfilment_rate"] = ratio(fulfilled, succeeded)
    f["cases.amount_agreed"] = round(sum(float(r[6]) for r in agreed), 2)
    f["cases.jc_applied"] = jc_applied
    f["cases.jc_confirmed"] = jc_decided.get("confirmed", 0)
    f["cases.jc_rejected"] = jc_decided.get("rejected", 0)
    f["cases.prevents_crime"] = sum(int(r[7]) for r in out)
    f["cases.prevents_crime_persons"] = sum(int(r[8]) for r in out)
    f["cases.prevents_petition"] = sum(int(r[9]) for r in out)
    f["cases.prevents_petition_persons"] = sum(int(r[10]) for r in out)

    def breakdown(key: str, title: str, first: str, idx: int, names: list[tuple[Any, str]]) -> Table:
        stats: dict[Any, dict[str, float]] = defaultdict(lambda: dict.fromkeys(_CASE_COUNTS, 0))
        for r in acc:
            stats[r[idx]]["accepted"] += r[3]
        for r in out:
            s = stats[r[idx]]
            if r[3] in ("written", "oral"):
                s["succeeded"] += r[5]
                s[r[3]] += r[5]
                s["amount"] += float(r[6])
                if r[4] == "fulfilled":
                    s["fulfilled"] += r[5]
            elif r[3] in ("failed", "terminated"):
                s["failed"] += r[5]
            else:
                s["withdrawn"] += r[5]
        rows = []
        seen = set()
        empty: dict[str, float] = dict.fromkeys(_CASE_COUNTS, 0.0)
        for code, name in names:
            seen.add(code)
            rows.append(_case_row(name, stats.get(code, empty)))
        for code in [c for c in stats if c not in seen]:
            rows.append(_case_row(UNSET if code is None else str(code), stats[code]))
        rows.append(_case_row("合计", {k: sum(st[k] for st in stats.values()) for k in _CASE_COUNTS}))
        return Table(key, title, [Column("name", first, "text"), Column("accepted", "受理"),
                                  Column("succeeded", "调解成功"), Column("written", "其中书面协议"),
                                  Column("oral", "其中口头协议"), Column("failed", "调解不成(含终止)"),
                                  Column("withdrawn", "撤回"), Column("success_rate", "调解成功率", "percent"),
                                  Column("fulfilled", "已履行"), Column("amount", "协议涉及金额(元)", "money")],
                     rows, has_total=True)

    dtypes = code_names(session, codes.DISPUTE_TYPE, period)
    known = {c for c, _ in dtypes}
    all_types = all_code_names(session, codes.DISPUTE_TYPE)
    used = {r[0] for r in acc} | {r[0] for r in out}
    dtypes += [(c, all_types[c]) for c in sorted(used - known) if c in all_types]
    committees = [(c.uid, c.name) for c in session.scalars(
        select(Committee).where(Committee.deleted.is_(False)).order_by(Committee.name))]
    if scope.kind == "committee":
        committees = [(u, n) for u, n in committees if u == scope.uid]
    tables = [
        _summary_table(f),
        breakdown("cases_by_type", "人民调解：按纠纷类型", "纠纷类型", 0, dtypes),
        breakdown("cases_by_source", "人民调解：按案件来源", "案件来源", 1, list(codes.CASE_SOURCES.items())),
        breakdown("cases_by_committee", "人民调解：按调解组织", "调解组织", 2, committees),
    ]
    return tables


_CASE_COUNTS = ("accepted", "succeeded", "written", "oral", "failed", "withdrawn", "fulfilled", "amount")


def _case_row(name: str, s: dict[str, float]) -> list[Any]:
    return [name, *(int(s[k]) for k in _CASE_COUNTS[:6]), ratio(s["succeeded"], s["succeeded"] + s["failed"]),
            int(s["fulfilled"]), round(s["amount"], 2)]


#: headline figures in display order: key, label, kind, how it is computed
SUMMARY = [
    ("cases.applied", "申请调解", "int", "申请日期在期内"),
    ("cases.accepted", "受理调解", "int", "受理日期在期内"),
    ("cases.refused", "不予受理", "int", "不予受理日期在期内"),
    ("cases.succeeded", "调解成功", "int", "书面协议 + 口头协议，结果日期在期内"),
    ("cases.written", "其中：书面协议", "int", ""),
    ("cases.oral", "其中：口头协议", "int", ""),
    ("cases.failed", "调解不成", "int", "结果日期在期内"),
    ("cases.terminated", "终止调解", "int", "结果日期在期内"),
    ("cases.withdrawn", "当事人撤回", "int", "结果日期在期内，不计入成功率"),
    ("cases.success_rate", "调解成功率", "percent", "成功 ÷ (成功 + 不成 + 终止)"),
    ("cases.fulfilled", "已履行协议", "int", "期内达成的协议中现已履行的"),
    ("cases.fulfilment_rate", "协议履行率", "percent", "已履行 ÷ 期内达成协议数"),
    ("cases.amount_agreed", "协议涉及金额(元)", "money", "期内达成协议的涉及金额之和"),
    ("cases.amount_accepted", "受理案件涉及金额(元)", "money", "期内受理案件的涉及金额之和"),
    ("cases.jc_applied", "申请司法确认", "int", "申请日期在期内"),
    ("cases.jc_confirmed", "司法确认有效", "int", "裁定日期在期内"),
    ("cases.jc_rejected", "司法确认驳回/无效", "int", "裁定日期在期内"),
    ("cases.group", "群体性纠纷", "int", "期内受理且标记为群体性"),
    ("cases.prevents_crime", "防止民转刑(件)", "int", "结果日期在期内且标记"),
    ("cases.prevents_crime_persons", "防止民转刑(人)", "int", ""),
    ("cases.prevents_petition", "防止群体性上访(件)", "int", "结果日期在期内且标记"),
    ("cases.prevents_petition_persons", "防止群体性上访(人)", "int", ""),
]


def _summary_table(f: dict[str, Any]) -> Table:
    rows = [[label, f.get(key), how] for key, label, _kind, how in SUMMARY]
    return Table("cases_summary", "人民调解：主要指标",
                 [Column("name", "指标", "text"), Column("value", "数值", "mixed"), Column("how", "口径", "text")],
                 rows, row_kinds=[kind for _k, _l, kind, _h in SUMMARY])


def add_comparison(table: Table, before: dict[str, Any], label: str) -> None:
    """Add 上期 and 增减 columns to the summary table (rates change in percentage points, as ratios)."""
    table.columns[2:2] = [Column("previous", label, "mixed"), Column("change", "增减", "mixed")]
    for row, (key, _label, kind, _how) in zip(table.rows, SUMMARY):
        now, then = row[1], before.get(key)
        change = None if now is None or then is None else round(now - then, 4 if kind == "percent" else 2)
        if change is not None and kind == "int":
            change = int(change)
        row[2:2] = [then, change]


# ---------------------------------------------------------------- advisers

def progress_fraction(day: dt.date) -> float:
    """Share of ``day``'s year elapsed at the end of ``day``."""
    days = 366 if calendar.isleap(day.year) else 365
    return day.timetuple().tm_yday / days


def village_targets(session: Session) -> list[tuple[str, str, float]]:
    default = float(settings.get(session, "default_target_hours") or 0)
    return [(v.uid, v.name, float(v.target_hours) if v.target_hours is not None else default)
            for v in session.scalars(select(Village).where(Village.deleted.is_(False)).order_by(Village.name))]


def visit_tables(session: Session, period: Period, scope: Scope, figures: dict[str, Any]) -> list[Table]:
    where = visit_scope(scope)
    if where is None:
        return []
    v = AdviserVisit
    # one pass: grouped by village, mode and the (JSON) list of service types, so the per-type figures
    # come from the same few hundred groups instead of a second query through json_each
    q = (select(v.village_uid, v.mode, v.service_types, func.count(), func.coalesce(func.sum(v.hours), 0),
                func.coalesce(func.sum(v.attendees), 0))
         .where(where, _day_range(v.visit_date, period)).group_by(v.village_uid, v.mode, v.service_types))
    grouped: list[Any] = []
    type_sums: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0.0])
    rows_any: Any = session.execute(q)
    for village, mode, service_types, n, h, a in rows_any:
        grouped.append((village, mode, int(n), float(h)))
        for t in service_types or []:
            type_sums[t][0] += n
            type_sums[t][1] += a
            type_sums[t][2] += float(h)
    by_type: dict[str, tuple[int, int, float]] = {t: (int(n), int(a), h) for t, (n, a, h) in type_sums.items()}
    year_start = dt.date(period.end.year, 1, 1)
    if period.start == year_start:  # the period is the year so far: no second query
        ytd: dict[str, float] = defaultdict(float)
        for village, _mode, _n, h in grouped:
            ytd[village] += h
    else:
        ytd_q = (select(v.village_uid, func.coalesce(func.sum(v.hours), 0))
                 .where(where, v.visit_date >= year_start, v.visit_date <= period.end).group_by(v.village_uid))
        ytd = {u: float(h) for u, h in session.execute(ytd_q)}

    villages = village_targets(session)
    if scope.kind == "village":
        villages = [x for x in villages if x[0] == scope.uid]
    elif scope.kind == "adviser":
        served = {r[0] for r in grouped} | set(ytd)
        assigned = set(session.scalars(select(Village.uid).where(Village.adviser_uid == scope.uid)))
        villages = [x for x in villages if x[0] in served | assigned]
    frac = progress_fraction(period.end)
    per_village: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    by_mode: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    for village, mode, n, h in grouped:
        per_village[village][0] += n
        per_village[village][1] += float(h)
        by_mode[mode][0] += n
        by_mode[mode][1] += float(h)
    rows: list[list[Any]] = []
    for uid, name, target in villages:
        n, h = per_village.get(uid, [0, 0.0])
        done = round(ytd.get(uid, 0.0), 2)
        rows.append([name, int(n), round(h, 2), done, target, round(target * frac, 2), ratio(done, target)])
    tot_target = sum(r[4] for r in rows)
    tot_done = round(sum(r[3] for r in rows), 2)
    rows.append(["合计", sum(r[1] for r in rows), round(sum(r[2] for r in rows), 2), tot_done, tot_target,
                 round(tot_target * frac, 2), ratio(tot_done, tot_target)])
    figures["visits.count"] = sum(int(r[2]) for r in grouped)
    figures["visits.hours"] = round(sum(float(r[3]) for r in grouped), 2)
    edu = by_type.get("education", (0, 0, 0.0))
    figures["visits.education_sessions"] = edu[0]
    figures["visits.education_attendees"] = edu[1]
    hours = Table("visits_by_village", "村(居)法律顾问：服务时长与年度目标",
                  [Column("village", "村(居)", "text"), Column("visits", "本期服务次数"),
                   Column("hours", "本期时长(小时)", "hours"), Column("ytd", "年度累计(小时)", "hours"),
                   Column("target", "年度目标(小时)", "hours"), Column("due", "进度目标(小时)", "hours"),
                   Column("ratio", "年度完成率", "percent")], rows,
                  f"年度累计截至{period.end.isoformat()}；进度目标 = 年度目标 × {frac:.4f}（当年已过天数比例）。",
                  has_total=True)
    type_rows = [[label, by_type.get(code, (0, 0, 0.0))[0], by_type.get(code, (0, 0, 0.0))[1],
                  round(by_type.get(code, (0, 0, 0.0))[2], 2)] for code, label in codes.SERVICE_TYPES.items()]
    types = Table("visits_by_type", "村(居)法律顾问：按服务类型",
                  [Column("type", "服务类型", "text"), Column("count", "次数"), Column("attendees", "参加人数"),
                   Column("hours", "涉及时长(小时)", "hours")], type_rows,
                  "一次服务可含多种类型，各类型次数之和可大于服务次数；法治宣传的次数即普法讲座场次。")
    mode_rows: list[list[Any]] = [[label, int(by_mode.get(code, [0, 0.0])[0]), round(by_mode.get(code, [0, 0.0])[1], 2)]
                 for code, label in codes.VISIT_MODES.items()]
    mode_rows.append(["合计", sum(r[1] for r in mode_rows), round(sum(r[2] for r in mode_rows), 2)])
    modes = Table("visits_by_mode", "村(居)法律顾问：按服务方式",
                  [Column("mode", "服务方式", "text"), Column("count", "次数"), Column("hours", "时长(小时)", "hours")],
                  mode_rows, has_total=True)
    return [hours, types, modes]


# ---------------------------------------------------------------- satisfaction

def satisfaction_table(session: Session, period: Period, scope: Scope, figures: dict[str, Any]) -> Table:
    levels = list(codes.SATISFACTION.items()) + [(None, "未评价")]
    rows = []
    cons = figures.pop("_consultation_satisfaction", None)
    if cons is not None:
        rows.append(_sat_row("来访咨询", cons, levels))
    m, fu = MediationCase, FollowUp
    q = (select(fu.satisfaction, func.count()).select_from(fu)
         .where(fu.deleted.is_(False), _day_range(fu.visited_on, period)).group_by(fu.satisfaction))
    if scope.kind == "station":  # only leave out deleted cases: a probe of the small partial index
        q = q.where(fu.case_uid.not_in(select(m.uid).where(text("mediation_cases.deleted = 1"))))
    else:
        q = q.join(m, m.uid == fu.case_uid).where(case_scope(scope))
    rows.append(_sat_row("人民调解回访", {s: int(n) for s, n in session.execute(q)}, levels))
    for row in rows:
        key = "consultations" if row[0] == "来访咨询" else "follow_ups"
        figures[f"satisfaction.{key}.rate"] = row[-1]
    cols = [Column("service", "服务", "text")] + [Column(f"sat_{c or 'none'}", label) for c, label in levels] + [
        Column("rate", "满意率", "percent")]
    return Table("satisfaction", "满意度：按服务", cols, rows,
                 "满意率 = (满意 + 基本满意) ÷ 已评价；法律顾问服务日志未记录满意度。")


def _sat_row(name: str, counts: dict[Any, int], levels: list[tuple[Any, str]]) -> list[Any]:
    values = [counts.get(c, 0) for c, _ in levels]
    rated = sum(values[:-1])
    return [name, *values, ratio(values[0] + values[1], rated)]


def build_tables(session: Session, period: Period, scope: Scope) -> tuple[dict[str, Any], list[Table]]:
    figures: dict[str, Any] = {}
    tables = consultation_tables(session, period, scope, figures)
    tables = case_tables(session, period, scope, figures) + tables
    tables += visit_tables(session, period, scope, figures)
    tables.append(satisfaction_table(session, period, scope, figures))
    return figures, tables


