"""Reminders (工作台 / ``station due``): each rule on its boundary days."""
from __future__ import annotations

import datetime as dt

import pytest

from station import Station
from station.models import MediationCase

D = dt.date


def _case(st: Station, *, applied: str = "2026-08-30", accepted: str = "2026-09-01") -> str:
    uid = st.mediation.apply_case({
        "applied_on": applied, "dispute_type": "02", "facts": "宅基地边界争执", "parties": [
            {"side": "applicant", "person": {"name": "王春兰", "gender": "女"}},
            {"side": "respondent", "person": {"name": "李国富", "gender": "男"}}]}).uid
    st.mediation.accept_case(uid, {"accepted_on": accepted, "mediator_uids": [st.ids["mediator"]]})  # type: ignore[attr-defined]
    return uid


def _agreed(st: Station, on: str = "2026-09-01", form: str = "written", deadline: str | None = None) -> str:
    uid = _case(st, accepted=on)
    st.mediation.record_session(uid, {"held_at": f"{on} 09:00", "record": "双方陈述"})
    st.mediation.record_agreement(uid, {"outcome": form, "outcome_on": on, "terms": ["李国富拆除围墙"],
                                        "performance_method": "自行拆除", "performance_deadline": deadline})
    return uid


def _kinds(st: Station, today: dt.date, kind: str) -> list[tuple[str, str]]:
    return [(r.uid, r.severity) for r in st.reports.due(today) if r.kind == kind]


def test_judicial_confirmation_window_days_19_20_28_30_31(ready: Station) -> None:
    uid = _agreed(ready, "2026-09-01")  # effective 2026-09-01 = day 0
    oral = _agreed(ready, "2026-09-01", form="oral")
    assert _kinds(ready, D(2026, 9, 20), "judicial_window") == []  # day 19
    assert _kinds(ready, D(2026, 9, 21), "judicial_window") == [(uid, "warning")]  # day 20
    assert _kinds(ready, D(2026, 9, 28), "judicial_window") == [(uid, "warning")]  # day 27
    assert _kinds(ready, D(2026, 9, 29), "judicial_window") == [(uid, "urgent")]  # day 28
    last = [r for r in ready.reports.due(D(2026, 10, 1)) if r.kind == "judicial_window"]  # day 30
    assert [(r.uid, r.severity, r.due) for r in last] == [(uid, "urgent", D(2026, 10, 1))]
    assert "今天是最后一天" in last[0].message
    assert "还剩10天" in next(r.message for r in ready.reports.due(D(2026, 9, 21)) if r.kind == "judicial_window")
    assert _kinds(ready, D(2026, 10, 2), "judicial_window") == []  # day 31: the window has closed
    assert oral not in {u for u, _ in _kinds(ready, D(2026, 9, 25), "judicial_window")}  # oral: no confirmation
    ready.mediation.record_judicial_confirmation(uid, {"jc_applied_on": "2026-09-22", "jc_court": "濉溪县人民法院"})
    assert _kinds(ready, D(2026, 9, 25), "judicial_window") == []


def test_case_time_limit_days_25_30_31_and_extension(ready: Station) -> None:
    uid = _case(ready, accepted="2026-09-01")  # limit: 2026-10-01 (受理后30日)
    assert _kinds(ready, D(2026, 9, 25), "case_overdue") == []  # day 24
    assert _kinds(ready, D(2026, 9, 26), "case_overdue") == [(uid, "warning")]  # 5 days before
    today = [r for r in ready.reports.due(D(2026, 10, 1)) if r.kind == "case_overdue"]  # day 30
    assert [(r.severity, r.due) for r in today] == [("warning", D(2026, 10, 1))] and "今天到期" in today[0].message
    late = [r for r in ready.reports.due(D(2026, 10, 2)) if r.kind == "case_overdue"]  # day 31
    assert [(r.uid, r.severity) for r in late] == [(uid, "urgent")] and "已超过1天" in late[0].message
    with ready.write() as s:  # parties agreed to go on (extended_until)
        s.get(MediationCase, uid).extended_until = D(2026, 10, 20)  # type: ignore[union-attr]
    assert _kinds(ready, D(2026, 10, 2), "case_overdue") == []
    assert _kinds(ready, D(2026, 10, 21), "case_overdue") == [(uid, "urgent")]
    ready.reference.put_setting("case_time_limit_days", 45)
    other = _case(ready, accepted="2026-09-01")
    assert _kinds(ready, D(2026, 10, 2), "case_overdue") == []  # day 31 of 45
    assert set(_kinds(ready, D(2026, 10, 17), "case_overdue")) == {(other, "urgent"),  # day 46
                                                                   (uid, "warning")}  # 3 days before 10-20
    ready.mediation.record_session(other, {"held_at": "2026-09-02 09:00", "record": "调解"})
    ready.mediation.record_failure(other, {"outcome_on": "2026-09-03", "outcome_reason": "分歧大"})
    assert _kinds(ready, D(2026, 10, 17), "case_overdue") == [(uid, "warning")]  # `other` is not open any more


def test_follow_up_due_15_days_after_the_agreement(ready: Station) -> None:
    uid = _agreed(ready, "2026-09-01")  # due 2026-09-16
    assert _kinds(ready, D(2026, 9, 12), "follow_up") == []
    assert _kinds(ready, D(2026, 9, 13), "follow_up") == [(uid, "warning")]  # 3 days ahead
    assert "今天应回访" in next(r.message for r in ready.reports.due(D(2026, 9, 16)) if r.kind == "follow_up")
    assert _kinds(ready, D(2026, 9, 17), "follow_up") == [(uid, "urgent")]
    ready.mediation.record_follow_up(uid, {"visited_on": "2026-09-17", "performance_status": "partial",
                                           "notes": "已拆除一半"})
    assert _kinds(ready, D(2026, 9, 20), "follow_up") == []


def test_performance_deadline_passed(ready: Station) -> None:
    uid = _agreed(ready, "2026-09-01", deadline="2026-09-10")
    assert _kinds(ready, D(2026, 9, 10), "performance_overdue") == []  # the deadline day itself
    assert _kinds(ready, D(2026, 9, 11), "performance_overdue") == [(uid, "urgent")]
    ready.mediation.record_follow_up(uid, {"visited_on": "2026-09-12", "performance_status": "partial",
                                           "notes": "部分拆除"})
    msg = next(r.message for r in ready.reports.due(D(2026, 9, 13)) if r.kind == "performance_overdue")
    assert "仅部分履行" in msg and "已过3天" in msg
    ready.mediation.record_follow_up(uid, {"visited_on": "2026-09-14", "performance_status": "fulfilled",
                                           "notes": "已全部拆除"})
    assert _kinds(ready, D(2026, 9, 15), "performance_overdue") == []


def test_referral_without_outcome_after_7_days(ready: Station) -> None:
    uid = ready.consultations.record_consultation({
        "occurred_at": "2026-09-01 10:00", "category_code": "C10", "question": "工资被拖欠", "handling": "referred",
        "referral_target": "legal_aid", "identity_refused": True}).uid
    ready.consultations.record_consultation({  # answered on the spot: nothing to follow
        "occurred_at": "2026-09-01 11:00", "category_code": "C01", "question": "离婚", "answer": "可协议离婚",
        "identity_refused": True})
    assert _kinds(ready, D(2026, 9, 7), "referral_no_outcome") == []  # day 6
    assert _kinds(ready, D(2026, 9, 8), "referral_no_outcome") == [(uid, "info")]  # day 7
    ready.consultations.record_referral_outcome(uid, "transferred", "")
    assert _kinds(ready, D(2026, 9, 8), "referral_no_outcome") == [(uid, "info")]  # handed over, no result yet
    ready.consultations.record_referral_outcome(uid, "accepted", "法律援助中心已受理")
    assert _kinds(ready, D(2026, 9, 8), "referral_no_outcome") == []


def test_villages_behind_their_pro_rata_hours(ready: Station) -> None:
    ahead = ready.reference.save_village({"name": "北湖村", "target_hours": 36.5}).uid  # 0.1 h a day in 2026
    ready.reference.save_village({"name": "东岗村", "target_hours": 0})  # no target: never behind
    ready.visits.record_visit({"adviser_uid": ready.ids["mediator"], "village_uid": ahead,  # type: ignore[attr-defined]
                               "visit_date": "2026-02-01", "hours": 6, "service_types": ["consultation"],
                               "content": "解答土地承包问题"})
    # 2026-03-01 is day 60 of 365: due 36.5 × 60/365 = 6.0 h, done 6 h
    assert ahead not in {u for u, _ in _kinds(ready, D(2026, 3, 1), "village_hours_behind")}
    behind = [r for r in ready.reports.due(D(2026, 3, 2)) if r.kind == "village_hours_behind"]  # due 6.1 h
    by_uid = {r.uid: r for r in behind}
    assert by_uid[ahead].severity == "warning" and "落后0.1小时" in by_uid[ahead].message
    nanping = ready.ids["village"]  # type: ignore[attr-defined]
    assert by_uid[nanping].severity == "urgent"  # 0 of 50 × 61/365 h: less than half
    assert len(behind) == 2  # 东岗村 has no target
    # on 1 January the February visit has not happened: both are behind (0 < 0.1 and 0 < 0.14)
    assert set(_kinds(ready, D(2026, 1, 1), "village_hours_behind")) == {(nanping, "urgent"), (ahead, "urgent")}


def test_reminders_are_sorted_and_plain(ready: Station) -> None:
    _agreed(ready, "2026-09-01", deadline="2026-09-05")
    found = ready.reports.due(D(2026, 9, 21))
    order = {"urgent": 0, "warning": 1, "info": 2}
    assert [order[r.severity] for r in found] == sorted(order[r.severity] for r in found)
    d = found[0].to_dict()
    assert set(d) == {"kind", "uid", "message", "due", "severity", "severity_label"}
    assert isinstance(d["due"], str) and d["severity_label"] in {"提示", "注意", "紧急"}


@pytest.mark.parametrize("day", [D(2026, 12, 31), D(2024, 12, 31)])
def test_year_end_progress_is_the_whole_target(day: dt.date) -> None:
    from station.reports.figures import progress_fraction
    assert progress_fraction(day) == 1.0


def test_limit_keeps_the_oldest_of_each_kind(ready: Station) -> None:
    first = _case(ready, applied="2026-08-01", accepted="2026-08-02")
    _case(ready, applied="2026-08-01", accepted="2026-08-10")
    _case(ready, applied="2026-08-01", accepted="2026-08-20")
    everything = ready.reports.due(D(2026, 10, 1))
    assert len([r for r in everything if r.kind == "case_overdue"]) == 3
    capped = ready.reports.due(D(2026, 10, 1), limit=1)
    assert [r.uid for r in capped if r.kind == "case_overdue"] == [first]
    assert len([r for r in capped if r.kind == "village_hours_behind"]) == 1
