"""Build the hand-computed report fixture (tests/fixtures/report_2026_10.json) through the services."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from station import Station

FIXTURE = Path(__file__).parent / "fixtures" / "report_2026_10.json"


def load() -> dict[str, Any]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def _clean(d: dict[str, Any], *drop: str) -> dict[str, Any]:
    return {k: v for k, v in d.items() if not k.startswith("_") and k not in drop}


def build(st: Station, data: dict[str, Any] | None = None) -> dict[str, str]:
    """Enter every record of the fixture; returns ref/name → uid."""
    data = data or load()
    ids: dict[str, str] = {}
    st.reference.setup_station({"code": "340621101", "name": "临涣镇司法所", "county": "濉溪县", "abbr": "临"})
    for key, value in data["settings"].items():
        st.reference.put_setting(key, value)
    for v in data["villages"]:
        ids[v["name"]] = st.reference.save_village(_clean(v)).uid
    for s in data["staff"]:
        ids[s["name"]] = st.reference.save_staff(_clean(s)).uid
    for c in data["committees"]:
        ids[c["name"]] = st.reference.save_committee(_clean(c)).uid
    for c in data["consultations"]:
        rec = _clean(c, "ref", "village", "staff", "referral_outcome", "delete")
        rec.update(question=f"{c['ref']}咨询事项", answer="依法解答",
                   persons=[{"name": f"{c['ref']}来访人", "gender": "男"}])
        if c.get("village"):
            rec["village_uid"] = ids[c["village"]]
        if c.get("staff"):
            rec["staff_uid"] = ids[c["staff"]]
        uid = st.consultations.record_consultation(rec).uid
        if c.get("referral_outcome"):
            st.consultations.record_referral_outcome(uid, *c["referral_outcome"])
        if c.get("delete"):
            st.records.delete_record("consultation", uid)
        ids[c["ref"]] = uid
    mediator = ids["孙德胜"]
    for k in data["cases"]:
        ref = k["ref"]
        rec = _clean(k, "ref", "committee", "village", "accept", "session", "agreement", "jc", "follow_up",
                     "refuse", "failure")
        rec.update(facts=f"{ref}纠纷情况", committee_uid=ids[k["committee"]], parties=[
            {"side": "applicant", "person": {"name": f"{ref}申请人", "gender": "女"}},
            {"side": "respondent", "person": {"name": f"{ref}被申请人", "gender": "男"}}])
        if k.get("village"):
            rec["village_uid"] = ids[k["village"]]
        uid = st.mediation.apply_case(rec).uid
        ids[ref] = uid
        if k.get("refuse"):
            st.mediation.refuse_case(uid, {"outcome_on": k["refuse"], "refusal_reason": "一方明确拒绝调解"})
            continue
        st.mediation.accept_case(uid, {"accepted_on": k["accept"], "mediator_uids": [mediator]})
        if k.get("session"):
            st.mediation.record_session(uid, {"held_at": k["session"], "record": "双方陈述意见"})
        if k.get("agreement"):
            st.mediation.record_agreement(uid, {**k["agreement"], "terms": ["按约履行"],
                                                "performance_method": "现金"})
        if k.get("failure"):
            st.mediation.record_failure(uid, {**k["failure"], "outcome_reason": "双方分歧较大"})
        if k.get("follow_up"):
            st.mediation.record_follow_up(uid, {**k["follow_up"], "notes": "已回访"})
        if k.get("jc"):
            st.mediation.record_judicial_confirmation(uid, {**k["jc"], "jc_court": "濉溪县人民法院"})
    for v in data["visits"]:
        rec = _clean(v, "ref", "village", "adviser")
        rec.update(village_uid=ids[v["village"]], adviser_uid=ids[v["adviser"]], content=f"{v['ref']}服务内容")
        ids[v["ref"]] = st.visits.record_visit(rec).uid
    return ids
