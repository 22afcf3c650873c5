"""Realistic generated data for screenshots, benchmarks and manual testing (``station demo``).

Deterministic for a given seed. Names include rare characters (堃、喆、䶮、𠀀),
ID numbers carry valid check digits and regions that exist for the birth year,
and cases are spread over every stage of their life. Rows are written through
:mod:`station.bulk` so outbox and search index are filled as in real use.
"""
from __future__ import annotations

import datetime as dt
import random
from typing import Any, Callable

from sqlalchemy.orm import Session
from stdnum.cn import ric

from . import codes, settings
from .bulk import insert_records
from .db.base import new_uid, utcnow
from .models import (AdviserVisit, CaseParty, CaseSession, Consultation, ConsultationPerson, FollowUp,
                     MediationCase, Person)
from .numbering import next_value
from .services import reference
from .station import Station
from .textindex import name_pinyin

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢"
                ) + ["欧阳", "司马", "诸葛", "上官"]
GIVEN = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国春梅玉兰志强海燕红梅德胜文博子涵雨轩浩然"
             "欣怡梓萱俊杰")
RARE = ["堃", "喆", "䶮", "𠀀", "昇", "垚", "淼", "犇"]
REGIONS = ["340621"] * 6 + ["340121", "340421", "360121"]
VILLAGES = ["临涣村", "南坪村", "双堆村", "孙疃村", "韩村", "铁佛村", "百善村", "四铺村", "五沟村", "刘桥社区",
            "濉溪社区", "城关社区"]
STREETS = ["前街", "后街", "东组", "西组", "南庄", "北庄", "新村", "老街"]
QUESTIONS = [
    ("C01", "丈夫长期外出打工不回家，想离婚，孩子抚养权怎么判？", "依据《民法典》第一千零八十四条，离婚后不满两周岁的子女以由母亲直接抚养为原则。"),
    ("C02", "三个儿子都不愿意给父亲赡养费，老人该怎么办？", "成年子女对父母负有赡养义务，可先申请人民调解，调解不成可向法院起诉要求支付赡养费。"),
    ("C05", "邻居翻建房屋占了我家宅基地半米，能不能要求拆除？", "宅基地使用权受法律保护，可申请村调委会调解，或依法向法院提起排除妨害之诉。"),
    ("C11", "在工地干了八个月，包工头拖欠工资两万三千元不给。", "可向劳动保障监察部门投诉，或申请劳动仲裁；农民工讨薪可申请法律援助，无需审查经济困难条件。"),
    ("C14", "电动车被小轿车撞了，对方保险公司只赔医药费。", "可主张医疗费、误工费、护理费、交通费等损失，协商不成可申请交通事故纠纷调解或诉讼。"),
    ("C03", "父亲去世没有遗嘱，姐姐要独占老房子。", "无遗嘱时按法定继承，同一顺序继承人原则上均等分配。"),
    ("C09", "借给同村人三万元，有借条，到期不还。", "诉讼时效为三年，可先催告并保留证据，协商不成可起诉。"),
    ("C06", "村里调整土地承包，我家的地被少分了一亩。", "承包期内发包方不得违法调整承包地，可向乡镇人民政府申请调解或申请仲裁。"),
    ("C12", "在厂里干活手指被机器压伤，老板不给报工伤。", "应先申请工伤认定，用人单位未参保的由单位支付工伤保险待遇。"),
    ("C16", "网上买的农药是假的，庄稼减产了。", "可要求经营者赔偿损失，属于农资损害的可申请法律援助。"),
]
FACTS = {
    "01": ("婚姻家庭纠纷", "夫妻双方因家庭琐事长期争吵，女方要求离婚并由其抚养孩子，男方不同意。"),
    "02": ("邻里纠纷", "两家因排水沟走向发生争执，雨天积水流入申请人院内，双方多次口角。"),
    "03": ("房屋宅基地纠纷", "被申请人翻建房屋时越过宅基地界线约0.5米，申请人要求恢复原状。"),
    "06": ("损害赔偿纠纷", "被申请人饲养的狗咬伤申请人，申请人花去医药费3200元，要求赔偿。"),
    "07": ("山林土地纠纷", "双方对村东一块承包地的边界有争议，均主张该地块归自己承包经营。"),
    "10": ("劳动争议纠纷", "申请人在被申请人处务工八个月，被拖欠工资23000元。"),
    "13": ("道路交通事故纠纷", "被申请人驾驶小型轿车与申请人电动车相撞，申请人受伤住院十五天。"),
    "04": ("合同纠纷", "双方签订土地流转合同后，被申请人未按期支付流转费8000元。"),
}
COURTS = ["濉溪县人民法院", "淮北市相山区人民法院"]


def _id_number(rng: random.Random, born: dt.date, male: bool) -> str:
    seq = rng.randrange(0, 50) * 2 + (1 if male else 0)
    body = f"{rng.choice(REGIONS)}{born:%Y%m%d}{rng.randrange(0, 10)}{seq % 10}"
    body = body[:16] + str(seq % 10)
    return body + ric.calc_check_digit(body + "0")


def _name(rng: random.Random) -> str:
    given = rng.choice(GIVEN)
    if rng.random() < 0.6:
        given += rng.choice(GIVEN)
    if rng.random() < 0.03:
        given = given[:-1] + rng.choice(RARE)
    return rng.choice(SURNAMES) + given


class _Gen:
    def __init__(self, st: Station, session: Session, seed: int, station_code: str) -> None:
        self.st, self.session, self.rng = st, session, random.Random(seed)
        self.code = station_code
        self.device_no = int(settings.get(session, "device_no"))
        self.now = utcnow()

    def meta(self) -> dict[str, Any]:
        return {"uid": new_uid(), "version": 1, "created_at": self.now, "updated_at": self.now,
                "device_id": self.st.device_id, "created_by": None, "updated_by": None, "deleted": False}

    def number(self, kind: str, year: int) -> tuple[str, int]:
        seq = next_value(self.session, f"{kind}:{year}")
        prefix = {"consultation": "ZX", "case": "TJ", "visit": "GW"}[kind]
        return f"{prefix}{self.code}-{self.device_no:02d}-{year}{seq:06d}", seq

    def day(self, days_back: int = 1000) -> dt.date:
        return dt.date.today() - dt.timedelta(days=self.rng.randrange(0, days_back))

    def person(self) -> dict[str, Any]:
        rng = self.rng
        male = rng.random() < 0.5
        born = dt.date(rng.randrange(1940, 2007), rng.randrange(1, 13), rng.randrange(1, 29))
        name = _name(rng)
        idn = _id_number(rng, born, male)
        phone = f"1{rng.choice('3578')}{rng.randrange(0, 10)}{rng.randrange(10**7, 10**8)}"
        groups = []
        if born.year < 1962:
            groups.append("elderly")
        if rng.random() < 0.08:
            groups.append(rng.choice(["disabled", "migrant_worker", "veteran", "low_income"]))
        return {**self.meta(), "kind": "person", "name": name, "gender": "男" if male else "女",
                "ethnicity": "汉族" if rng.random() < 0.97 else "回族", "id_type": "ric", "id_number": idn,
                "birth_date": born, "phone": phone,
                "address": f"安徽省濉溪县临涣镇{rng.choice(VILLAGES)}{rng.choice(STREETS)}{rng.randrange(1, 99)}号",
                "occupation": rng.choice(["农民", "务工", "个体经营", "退休", "教师", "无业"]),
                "special_groups": groups, "credit_code": "", "representative": "",
                "initials": " ".join(name_pinyin(name)), "id_rev": idn[::-1], "phone_rev": phone[::-1],
                "notes": "", "merged_into": None, "household_size": rng.randrange(1, 7)}


def generate(st: Station, records: int = 1000, *, seed: int = 2026,
             progress: Callable[[int, int], None] | None = None, chunk: int = 5000) -> dict[str, int]:
    """Add about ``records`` top-level records (people, consultations, cases, visits) to ``st``.

    Sets up the station identity, villages, staff and committee first if missing.
    Returns counts per kind.
    """
    with st.write() as s:
        if reference.station_info(s) is None:
            reference.setup_station(s, {"code": "340621101", "name": "临涣镇司法所", "county": "濉溪县",
                                        "abbr": "临"})
        if not reference.list_reference(s, "staff"):
            for name, roles in [("周秀兰", ["chief", "mediator"]), ("马建国", ["counter"]), ("陈静", ["counter"]),
                                ("孙德胜", ["mediator"]), ("韩志强", ["adviser"]), ("李欣怡", ["adviser"]),
                                ("郭博", ["adviser", "mediator"])]:
                reference.save_staff(s, {"name": name, "roles": roles,
                                         "organisation": "安徽淮海律师事务所" if "adviser" in roles else ""})
        if not reference.list_reference(s, "village"):
            for i, v in enumerate(VILLAGES):
                reference.save_village(s, {"name": v, "code": f"34062110{i:04d}",
                                           "kind": "community" if v.endswith("社区") else "village"})
        if not reference.list_reference(s, "committee"):
            reference.save_committee(s, {"name": "临涣镇人民调解委员会", "kind": "township"})
        staff = reference.list_reference(s, "staff")
        villages = reference.list_reference(s, "village")
        committee = reference.list_reference(s, "committee")[0]["uid"]
        station_code = reference.station_info(s)["code"]  # type: ignore[index]
    counters: dict[str, int] = {"person": 0, "consultation": 0, "case": 0, "visit": 0}
    done = 0
    batch = 0
    while done < records:
        n = min(chunk, records - done)
        with st.write() as s:
            g = _Gen(st, s, seed + batch, station_code)
            _chunk(g, n, staff, villages, committee, counters)
        done += n
        batch += 1
        if progress:
            progress(done, records)
    return counters


def _chunk(g: _Gen, n: int, staff: list[dict[str, Any]], villages: list[dict[str, Any]], committee: str,
           counters: dict[str, int]) -> None:
    rng = g.rng
    n_people = max(2, int(n * 0.4))
    n_cons = int(n * 0.3)
    n_cases = int(n * 0.1)
    n_visits = n - n_people - n_cons - n_cases
    people = [g.person() for _ in range(n_people)]
    if rng.random() < 0.5 or n_people > 20:
        org_uid = g.meta()
        people.append({**people[0], **org_uid, "kind": "org", "name": "濉溪县鑫源建筑劳务有限公司",
                       "gender": "", "ethnicity": "", "id_type": "none", "id_number": "", "birth_date": None,
                       "credit_code": "91340621MA2N0X1T3L"[:17] + "0", "representative": "赵德胜",
                       "initials": "", "id_rev": "", "special_groups": []})
        from stdnum.cn import uscc
        people[-1]["credit_code"] = people[-1]["credit_code"][:17] + uscc.calc_check_digit(
            people[-1]["credit_code"][:17])
    insert_records(g.session, Person, people)
    counters["person"] += len(people)
    counselors = [s["uid"] for s in staff if "counter" in s["roles"]] or [staff[0]["uid"]]
    mediators = [s["uid"] for s in staff if "mediator" in s["roles"]] or [staff[0]["uid"]]
    advisers = [s["uid"] for s in staff if "adviser" in s["roles"]] or [staff[0]["uid"]]

    cons, links = [], []
    for _ in range(n_cons):
        cat, q, a = rng.choice(QUESTIONS)
        when = dt.datetime.combine(g.day(), dt.time(rng.randrange(8, 17), rng.randrange(0, 60)))
        number, seq = g.number("consultation", when.year)
        handling = rng.choices(["answered", "referred", "legal_aid", "mediation", "deferred"], [60, 15, 10, 10, 5])[0]
        target = {"referred": rng.choice(["notary", "arbitration", "court", "lawyer"]),
                  "legal_aid": "legal_aid", "mediation": "mediation"}.get(handling)
        row = {**g.meta(), "number": number, "seq": seq, "occurred_at": when,
               "channel": rng.choices(list(codes.CHANNELS), [70, 20, 5, 5, 0])[0], "category_code": cat,
               "question": q, "answer": a, "handling": handling, "referral_target": target,
               "referral_status": rng.choice(["informed", "transferred", "accepted"]) if target else None,
               "referral_outcome": "", "satisfaction": rng.choices(list(codes.SATISFACTION), [80, 17, 3])[0],
               "staff_uid": rng.choice(counselors), "village_uid": rng.choice(villages)["uid"],
               "on_behalf": False, "identity_refused": False, "case_uid": None, "aid_groups": [],
               "aid_income": None, "aid_line": None, "aid_suggested": None, "aid_confirmed": None,
               "aid_override_reason": ""}
        cons.append(row)
        links.append({**g.meta(), "consultation_uid": row["uid"], "person_uid": rng.choice(people)["uid"],
                      "role": "visitor"})
    insert_records(g.session, Consultation, cons)
    insert_records(g.session, ConsultationPerson, links)
    counters["consultation"] += len(cons)

    cases, parties, sessions, follows = [], [], [], []
    for _ in range(n_cases):
        dtype, (title, facts) = rng.choice(list(FACTS.items()))
        applied = g.day(900)
        number, seq = g.number("case", applied.year)
        stage = rng.choices(["applied", "accepted", "mediating", "agreed", "failed", "closed", "archived", "refused"],
                            [5, 5, 10, 25, 8, 27, 15, 5])[0]
        case: dict[str, Any] = {**g.meta(), "number": number, "seq": seq, "display_number": None,
                               "display_seq": None, "title": title, "committee_uid": committee,
                               "village_uid": rng.choice(villages)["uid"],
                               "source": rng.choices(list(codes.CASE_SOURCES), [70, 15, 5, 5, 1, 2, 1, 1])[0],
                               "dispute_type": dtype, "facts": facts, "claims": "请求依法调解，要求对方赔偿损失。",
                               "amount": float(rng.choice([0, 800, 3200, 8000, 23000, 50000])),
                               "people_involved": rng.choice([2, 2, 2, 3, 5, 12]), "status": stage,
                               "applied_on": applied, "accepted_on": None, "refused_on": None,
                               "refusal_reason": "", "mediator_uids": [rng.choice(mediators)], "recorder_uid": None,
                               "registered_by": None, "extended_until": None, "outcome": None, "outcome_on": None,
                               "outcome_reason": "", "terms": [], "performance_method": "",
                               "performance_deadline": None, "agreement_effective_on": None, "copies": None,
                               "performance_status": None, "performed_on": None, "jc_applied_on": None,
                               "jc_court": "", "jc_result": None, "jc_decided_on": None,
                               "is_group": False, "is_difficult": rng.random() < 0.05,
                               "prevents_crime": rng.random() < 0.05, "prevents_crime_persons": None,
                               "prevents_petition": False, "prevents_petition_persons": None,
                               "closed_on": None, "archived_on": None, "consultation_uid": None}
        case["is_group"] = case["people_involved"] >= 5
        if case["prevents_crime"]:
            case["prevents_crime_persons"] = 2
        if stage == "refused":
            case["refused_on"] = applied + dt.timedelta(days=1)
            case["refusal_reason"] = "被申请人明确拒绝调解"
        elif stage != "applied":
            acc = applied + dt.timedelta(days=rng.randrange(0, 3))
            case["accepted_on"] = acc
            dseq = next_value(g.session, f"case_display:{acc.year}")
            case["display_seq"] = dseq
            case["display_number"] = f"（{acc.year}）临人调字第{dseq}号"
            if stage != "accepted":
                held = dt.datetime.combine(acc + dt.timedelta(days=rng.randrange(1, 10)), dt.time(9, 30))
                sessions.append({**g.meta(), "case_uid": case["uid"], "kind": "mediation", "held_at": held,
                                 "place": "临涣镇人民调解委员会调解室", "attendees": "双方当事人", "participants": "村干部",
                                 "mediator_uids": case["mediator_uids"], "recorder_uid": None,
                                 "record": "告知双方权利义务后，双方分别陈述，调解员释法说理，双方同意协商解决。"})
                if stage in ("agreed", "closed", "archived"):
                    out_on = held.date()
                    case.update(outcome=rng.choice(["written", "written", "written", "oral"]), outcome_on=out_on,
                               terms=["被申请人于协议签订之日起十日内赔偿申请人损失人民币" f"{int(case['amount'] or 500)}元。",
                                      "双方今后互相尊重，和睦相处，不再因此事发生纠纷。"],
                               performance_method="一次性现金支付", agreement_effective_on=out_on,
                               performance_deadline=out_on + dt.timedelta(days=10), copies=3,
                               performance_status="pending")
                    if stage != "agreed":
                        fu = out_on + dt.timedelta(days=15)
                        case.update(performance_status="fulfilled", performed_on=fu, closed_on=fu)
                        follows.append({**g.meta(), "case_uid": case["uid"], "visited_on": fu, "person_uid": None,
                                        "staff_uid": case["mediator_uids"][0], "performance_status": "fulfilled",
                                        "satisfaction": "satisfied", "notes": "协议已履行完毕，双方满意。",
                                        "risk_found": False})
                        if stage == "archived":
                            case["archived_on"] = fu + dt.timedelta(days=5)
                    if case["outcome"] == "written" and rng.random() < 0.2:
                        case.update(jc_applied_on=out_on + dt.timedelta(days=5), jc_court=rng.choice(COURTS),
                                   jc_result="confirmed", jc_decided_on=out_on + dt.timedelta(days=12))
                elif stage == "failed":
                    case.update(outcome="failed", outcome_on=held.date(), outcome_reason="双方分歧较大，已告知可向人民法院起诉")
        cases.append(case)
        applicant, respondent = rng.sample(people[:n_people], 2)
        parties.append({**g.meta(), "case_uid": case["uid"], "person_uid": applicant["uid"], "side": "applicant",
                        "position": 0, "agent_uid": None, "agent_kind": None})
        parties.append({**g.meta(), "case_uid": case["uid"], "person_uid": respondent["uid"], "side": "respondent",
                        "position": 1, "agent_uid": None, "agent_kind": None})
    insert_records(g.session, MediationCase, cases)
    insert_records(g.session, CaseParty, parties)
    insert_records(g.session, CaseSession, sessions)
    insert_records(g.session, FollowUp, follows)
    counters["case"] += len(cases)

    visits = []
    for _ in range(n_visits):
        day = g.day(700)
        number, seq = g.number("visit", day.year)
        start = dt.time(rng.choice([8, 9, 14, 15]), rng.choice([0, 30]))
        span = rng.choice([1, 1.5, 2, 2.5, 3])
        end = (dt.datetime.combine(day, start) + dt.timedelta(hours=span)).time()
        types = rng.sample(list(codes.SERVICE_TYPES), rng.choice([1, 1, 2]))
        visits.append({**g.meta(), "number": number, "seq": seq, "adviser_uid": rng.choice(advisers),
                       "village_uid": rng.choice(villages)["uid"], "visit_date": day, "start_time": start,
                       "end_time": end, "hours": float(span), "mode": rng.choices(list(codes.VISIT_MODES), [70, 20, 10])[0],
                       "service_types": types, "attendees": rng.randrange(10, 80) if "education" in types else None,
                       "content": rng.choice(["到村开展民法典专题讲座", "为村民解答土地承包法律问题", "审查村集体土地流转合同",
                                              "参与调解邻里宅基地纠纷", "协助修订村规民约", "为村民代写起诉状"]),
                       "people_served": "村民", "result": "已解答"})
    insert_records(g.session, AdviserVisit, visits)
    counters["visit"] += len(visits)
