from __future__ import annotations

import datetime as dt

import pytest

from station import Station
from station.errors import InvalidTransition, ValidationError

from .conftest import ORG_CODE, VALID_ID


def _apply(st: Station, **extra: object) -> str:
    data = {"applied_on": "2026-11-02", "dispute_type": "10", "source": "applied", "amount": "23,000",
            "facts": "申请人在被申请人处务工八个月，被拖欠工资", "claims": "支付拖欠工资23000元",
            "parties": [
                {"side": "applicant", "person": {"name": "刘喆", "id_number": VALID_ID, "phone": "13812345678"}},
                {"side": "respondent", "person": {"kind": "org", "name": "濉溪县鑫源建筑劳务有限公司",
                                                  "credit_code": ORG_CODE, "representative": "赵德胜"},
                 "agent": {"name": "钱律师"}, "agent_kind": "entrusted"},
            ]}
    data.update(extra)
    return ready_uid(st.mediation.apply_case(data))


def ready_uid(saved: object) -> str:
    return saved.uid  # type: ignore[attr-defined,no-any-return]


def test_case_walks_the_legal_order_to_archive(ready: Station) -> None:
    m = ready.ids["mediator"]  # type: ignore[attr-defined]
    uid = _apply(ready)
    case = ready.mediation.get_case(uid)
    assert case["status"] == "applied" and case["amount"] == 23000
    assert [p["side"] for p in case["parties"]] == ["applicant", "respondent"]
    assert case["parties"][1]["agent"]["name"] == "钱律师"
    assert case["title"] == "劳动争议纠纷"

    accepted = ready.mediation.accept_case(uid, {"accepted_on": "2026-11-03", "mediator_uids": [m]}).record
    assert accepted["display_number"] == "（2026）临人调字第1号"
    ready.mediation.record_session(uid, {"kind": "investigation", "held_at": "2026-11-04 09:00", "record": "问：…答：…"})
    assert ready.mediation.get_case(uid)["status"] == "accepted"  # an investigation is not a mediation
    ready.mediation.record_session(uid, {"held_at": "2026-11-05 09:00", "place": "调解室", "record": "双方陈述"})
    assert ready.mediation.get_case(uid)["status"] == "mediating"
    agreed = ready.mediation.record_agreement(uid, {
        "outcome_on": "2026-11-05", "terms": ["被申请人于2026年11月15日前支付工资23000元。", "双方再无其他争议。"],
        "performance_method": "银行转账", "performance_deadline": "2026-11-15"}).record
    assert (agreed["status"], agreed["copies"], agreed["agreement_effective_on"]) == ("agreed", 3, "2026-11-05")

    jc = ready.mediation.record_judicial_confirmation(uid, {"jc_applied_on": "2026-11-10", "jc_court": "濉溪县人民法院"})
    assert jc.warnings == [] and jc.record["jc_result"] == "pending"
    with pytest.raises(InvalidTransition, match="回访"):
        ready.mediation.close_case(uid, {"closed_on": "2026-11-20"})
    ready.mediation.record_follow_up(uid, {"visited_on": "2026-11-16", "performance_status": "fulfilled",
                                           "satisfaction": "satisfied", "notes": "工资已全部支付"})
    assert ready.mediation.get_case(uid)["performed_on"] == "2026-11-16"
    ready.mediation.close_case(uid, {"closed_on": "2026-11-20"})
    done = ready.mediation.archive_case(uid, {"archived_on": "2026-11-21"}).record
    assert done["status"] == "archived"
    assert ready.mediation.next_steps(uid)["archive"]  # nothing further allowed


def test_each_step_lists_what_is_missing(ready: Station) -> None:
    uid = ready.mediation.apply_case({"applied_on": "2026-11-02", "dispute_type": "02", "facts": "排水沟",
                                      "parties": [{"side": "applicant", "person": {"name": "甲"}}]}).uid
    steps = ready.mediation.next_steps(uid)
    assert steps["accept"] == ["至少需要两方当事人"]
    assert "已受理" in steps["agree"][0] or "调解中" in steps["agree"][0]
    with pytest.raises(InvalidTransition, match="至少需要两方当事人"):
        ready.mediation.accept_case(uid, {"accepted_on": "2026-11-03", "mediator_uids": [ready.ids["mediator"]]})
    with pytest.raises(InvalidTransition):
        ready.mediation.record_session(uid, {"held_at": "2026-11-04 09:00", "record": "x"})


def test_agreement_needs_a_mediation_session_and_terms(ready: Station) -> None:
    uid = _apply(ready)
    ready.mediation.accept_case(uid, {"accepted_on": "2026-11-03", "mediator_uids": [ready.ids["mediator"]]})
    with pytest.raises(InvalidTransition, match="调解记录"):
        ready.mediation.record_agreement(uid, {"outcome_on": "2026-11-05", "terms": ["x"], "performance_method": "y"})
    ready.mediation.record_session(uid, {"held_at": "2026-11-05 09:00", "record": "陈述"})
    before = ready.mediation.get_case(uid)["version"]
    with pytest.raises(ValidationError) as e:
        ready.mediation.record_agreement(uid, {"outcome_on": "2026-11-05", "terms": [], "performance_method": ""})
    assert {f.field for f in e.value.errors} == {"terms", "performance_method"}
    assert "协议内容" in str(e.value)
    assert ready.mediation.get_case(uid)["version"] == before  # nothing written


def test_refusal_needs_a_reason_and_dates_keep_their_order(ready: Station) -> None:
    uid = _apply(ready)
    with pytest.raises(ValidationError, match="不予受理理由"):
        ready.mediation.refuse_case(uid, {"outcome_on": "2026-11-03"})
    with pytest.raises(ValidationError, match="不能早于申请日期"):
        ready.mediation.accept_case(uid, {"accepted_on": "2026-10-01", "mediator_uids": [ready.ids["mediator"]]})
    ready.mediation.refuse_case(uid, {"outcome_on": "2026-11-03", "refusal_reason": "被申请人明确拒绝调解"})
    assert ready.mediation.get_case(uid)["status"] == "refused"
    with pytest.raises(InvalidTransition):
        ready.mediation.accept_case(uid, {"accepted_on": "2026-11-04", "mediator_uids": [ready.ids["mediator"]]})


def test_failure_and_late_judicial_confirmation_warning(ready: Station) -> None:
    m = ready.ids["mediator"]  # type: ignore[attr-defined]
    uid = _apply(ready, applied_on="2026-09-01")
    ready.mediation.accept_case(uid, {"accepted_on": "2026-09-03", "mediator_uids": [m]})
    ready.mediation.record_session(uid, {"held_at": "2026-09-05 09:00", "record": "陈述"})
    ready.mediation.record_agreement(uid, {"outcome_on": "2026-09-05", "terms": ["付款"], "performance_method": "现金"})
    late = ready.mediation.record_judicial_confirmation(uid, {"jc_applied_on": "2026-10-20", "jc_court": "濉溪县人民法院"})
    assert any("30日" in w for w in late.warnings)

    other = _apply(ready)
    ready.mediation.accept_case(other, {"accepted_on": "2026-11-03", "mediator_uids": [m]})
    ready.mediation.record_failure(other, {"outcome": "terminated", "outcome_on": "2026-11-04",
                                           "outcome_reason": "一方要求终止调解，已告知可向法院起诉"})
    assert ready.mediation.get_case(other)["status"] == "failed"
    ready.mediation.close_case(other, {"closed_on": str(dt.date(2026, 11, 5))})


def test_oral_agreement_cannot_go_to_judicial_confirmation(ready: Station) -> None:
    uid = _apply(ready)
    ready.mediation.accept_case(uid, {"accepted_on": "2026-11-03", "mediator_uids": [ready.ids["mediator"]]})
    ready.mediation.record_session(uid, {"held_at": "2026-11-05 09:00", "record": "陈述"})
    ready.mediation.record_agreement(uid, {"outcome": "oral", "outcome_on": "2026-11-05", "terms": ["当场付清"]})
    with pytest.raises(ValidationError, match="书面"):
        ready.mediation.record_judicial_confirmation(uid, {"jc_applied_on": "2026-11-06", "jc_court": "濉溪县人民法院"})


def test_flags_for_statistics_can_be_set_after_closing(ready: Station) -> None:
    uid = _apply(ready, is_group=True)
    ready.mediation.update_case(uid, {"prevents_crime": True, "prevents_crime_persons": 3})
    case = ready.mediation.get_case(uid)
    assert case["is_group"] and case["prevents_crime"] and case["prevents_crime_persons"] == 3
