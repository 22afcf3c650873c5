"""Realistic records for the printing tests, the docs PNGs and the benchmark, made through the services."""
from __future__ import annotations

from typing import Any

from station import Station

ORG_CODE = "91110000600037341L"
VALID_ID = "11010519491231002X"


def make_station(st: Station) -> dict[str, Any]:
    """Station identity, a village, staff; a written-agreement case, an oral one, consultations, visits."""
    st.reference.setup_station({"code": "340621101", "name": "临涣镇司法所", "county": "濉溪县", "abbr": "临"})
    ids: dict[str, Any] = {}
    ids["village"] = st.reference.save_village({"name": "南坪村", "target_hours": 50}).uid
    ids["village2"] = st.reference.save_village({"name": "临涣社区", "kind": "community"}).uid
    ids["mediator"] = st.reference.save_staff({"name": "孙德胜", "roles": ["mediator", "adviser"]}).uid
    ids["recorder"] = st.reference.save_staff({"name": "周敏", "roles": ["mediator", "counter"]}).uid
    ids["clerk"] = st.reference.save_staff({"name": "马建国", "roles": ["counter"]}).uid
    st.reference.save_committee({"name": "临涣镇人民调解委员会", "kind": "township"})
    ids["case"] = written_case(st, ids)
    ids["oral"] = oral_case(st, ids)
    consultations(st, ids)
    visits(st, ids)
    return ids


def written_case(st: Station, ids: dict[str, Any]) -> str:
    m, r = ids["mediator"], ids["recorder"]
    uid = st.mediation.apply_case({
        "applied_on": "2026-11-02", "dispute_type": "1001", "source": "applied", "amount": "23,000",
        "facts": ("申请人刘喆、王䶮自2026年3月起在被申请人承建的南坪村安置房项目（二期）务工，从事钢筋绑扎工作，"
                  "约定日工资300元。截至2026年10月底，被申请人尚欠申请人工资共计23,000元（其中刘喆13,500元、王䶮9,500元），"
                  "经多次催要未果。被申请人称因建设单位未按期拨付工程款，暂时无力支付。"),
        "claims": "被申请人支付拖欠的工资23,000元\n被申请人承担申请人为讨要工资支出的交通费300元",
        "parties": [
            {"side": "applicant", "person": {"name": "刘喆", "id_number": VALID_ID, "ethnicity": "汉族",
                                             "phone": "13812345678", "address": "安徽省濉溪县临涣镇南坪村三组18号",
                                             "occupation": "务工人员"}},
            {"side": "applicant", "person": {"name": "王䶮", "gender": "男", "ethnicity": "回族",
                                             "birth_date": "1988-07-15", "phone": "13955556666",
                                             "address": "安徽省濉溪县临涣镇南坪村五组7号"}},
            {"side": "respondent", "person": {"kind": "org", "name": "濉溪县鑫源建筑劳务有限公司",
                                              "credit_code": ORG_CODE, "representative": "赵德胜",
                                              "address": "安徽省濉溪县濉溪镇沱河路66号", "phone": "0561-6012345"},
             "agent": {"name": "张堃", "gender": "男", "ethnicity": "汉族", "phone": "13700001111",
                       "occupation": "公司项目经理"}, "agent_kind": "entrusted"},
        ]}).uid
    st.mediation.accept_case(uid, {"accepted_on": "2026-11-03", "mediator_uids": [m]})
    st.mediation.record_session(uid, {
        "kind": "investigation", "held_at": "2026-11-04 09:30", "place": "南坪村安置房项目部",
        "attendees": "张堃（被申请人项目经理）", "participants": "南坪村村委会主任李𠀀", "recorder_uid": r,
        "record": "问：申请人在你项目部务工的时间和工资标准是多少？\n答：从今年3月开始，日工资300元，有考勤表。\n"
                  "问：目前欠付多少？\n答：刘喆13,500元，王䶮9,500元，共23,000元，我们认可。"})
    st.mediation.record_session(uid, {
        "held_at": "2026-11-05 14:00", "place": "临涣镇人民调解委员会调解室",
        "attendees": "申请人刘喆、王䶮；被申请人委托代理人张堃", "participants": "南坪村村委会主任李𠀀",
        "recorder_uid": r,
        "record": "调解员告知当事人在调解活动中的权利和义务，当事人表示已清楚，不申请回避。\n"
                  "申请人陈述：务工八个月，被拖欠工资23,000元，要求一次付清并承担交通费。\n"
                  "被申请人代理人陈述：认可欠款数额，但因工程款未到位，希望分两期支付。\n"
                  "调解员释明《保障农民工工资支付条例》的有关规定，双方经协商同意分两期付清，交通费由申请人自行承担。"})
    st.mediation.record_agreement(uid, {
        "outcome_on": "2026-11-05",
        "terms": ["被申请人濉溪县鑫源建筑劳务有限公司于2026年11月15日前向申请人刘喆支付拖欠工资13,500元，向申请人王䶮支付拖欠工资9,500元，共计23,000元。",
                  "上述款项通过银行转账方式支付至申请人本人账户（刘喆：中国农业银行6228480012345678901；王䶮：中国邮政储蓄银行6217991234567890123）。",
                  "申请人自愿放弃交通费等其他请求。",
                  "本协议履行完毕后，双方就本纠纷再无其他争议。"],
        "performance_method": "银行转账，一次性支付", "performance_deadline": "2026-11-15"})
    st.mediation.record_follow_up(uid, {"visited_on": "2026-11-16", "person_uid": None, "staff_uid": m,
                                        "performance_status": "fulfilled", "satisfaction": "satisfied",
                                        "notes": "电话回访申请人刘喆、王䶮，二人确认已于11月14日收到全部工资，对调解结果满意。"})
    st.mediation.record_judicial_confirmation(uid, {"jc_applied_on": "2026-11-10", "jc_court": "濉溪县人民法院"})
    return uid


def oral_case(st: Station, ids: dict[str, Any]) -> str:
    uid = st.mediation.apply_case({
        "applied_on": "2026-11-06", "dispute_type": "02", "source": "initiative",
        "facts": "两家房屋相邻，被申请人在屋后修建排水沟，雨水流入申请人院内，双方发生口角。",
        "parties": [{"side": "applicant", "person": {"name": "陈桂兰", "gender": "女", "phone": "13600002222"}},
                    {"side": "respondent", "person": {"name": "陈大山", "gender": "男"}}]}).uid
    st.mediation.accept_case(uid, {"accepted_on": "2026-11-06", "mediator_uids": [ids["mediator"]]})
    st.mediation.record_session(uid, {"held_at": "2026-11-06 15:00", "place": "南坪村村委会",
                                      "record": "双方现场查看排水沟走向，同意改道。"})
    st.mediation.record_agreement(uid, {"outcome": "oral", "outcome_on": "2026-11-06",
                                        "terms": ["陈大山于11月10日前将排水沟改向东侧。", "双方互谅互让，和睦相处。"],
                                        "performance_method": "自行施工", "performance_deadline": "2026-11-10"})
    return uid


def consultations(st: Station, ids: dict[str, Any]) -> None:
    data = [
        ("2026-10-08 09:15", "visit", "C11", "在工地务工被拖欠工资五个月，老板失联，如何讨要？",
         "legal_aid", "legal_aid", {"name": "刘喆", "id_number": VALID_ID}),
        ("2026-10-12 14:40", "phone", "C01", "离婚后孩子抚养费对方一直不给，能否申请强制执行？",
         "answered", None, {"name": "李𠀀", "gender": "女", "phone": "13911112222", "address": "临涣镇临涣社区"}),
        ("2026-10-20 10:05", "visit", "C05", "宅基地与邻居界限不清，想请村里调解。",
         "mediation", None, {"name": "陈桂兰", "gender": "女", "phone": "13600002222"}),
    ]
    for when, channel, cat, q, handling, target, person in data:
        st.consultations.record_consultation({
            "occurred_at": when, "channel": channel, "category_code": cat, "question": q,
            "answer": "已解答", "handling": handling, "referral_target": target,
            "referral_status": "informed" if target else None, "staff_uid": ids["clerk"], "persons": [person]})


def visits(st: Station, ids: dict[str, Any]) -> None:
    st.visits.record_visit({"adviser_uid": ids["mediator"], "village_uid": ids["village"], "visit_date": "2026-10-09",
                            "start_time": "09:00", "end_time": "11:30", "mode": "onsite",
                            "service_types": ["education", "consultation"], "attendees": 35,
                            "people_served": "南坪村村民", "content": "开展《民法典》婚姻家庭编专题讲座，现场解答村民咨询6人次。",
                            "result": "发放宣传资料80份"})
    st.visits.record_visit({"adviser_uid": ids["mediator"], "village_uid": ids["village2"], "visit_date": "2026-10-16",
                            "start_time": "14:00", "end_time": "16:00", "mode": "onsite",
                            "service_types": ["rules_review"], "people_served": "临涣社区居委会",
                            "content": "审查《临涣社区居民公约（修订稿）》，提出修改意见4条。",
                            "result": "出具书面审查意见"})
