from __future__ import annotations

import pytest

from station import Station

from .conftest import VALID_ID, VALID_ID_2


@pytest.fixture
def people(ready: Station) -> Station:
    ready.people.save_person({"name": "张三", "id_number": VALID_ID, "phone": "13812345678", "address": "南坪村东组"})
    ready.people.save_person({"name": "张三丰", "phone": "0561-6012345"})
    ready.people.save_person({"name": "单喆", "id_number": VALID_ID_2})
    ready.people.save_person({"name": "王䶮"})
    ready.people.save_person({"name": "李𠀀"})
    ready.consultations.record_consultation({"category_code": "C02", "question": "三个儿子都不愿意支付赡养费",
                                             "answer": "可以申请人民调解", "identity_refused": True})
    ready.mediation.apply_case({"applied_on": "2026-11-02", "dispute_type": "03", "facts": "邻居翻建房屋越过宅基地界线",
                                "parties": [{"side": "applicant", "person": {"name": "甲"}}]})
    return ready


def titles(st: Station, q: str) -> list[str]:
    return [h.title for h in st.search(q)]


@pytest.mark.parametrize("query,expected", [
    ("张三", {"张三", "张三丰"}), ("三丰", {"张三丰"}), ("zs", {"张三", "张三丰"}), ("zsf", {"张三丰"}),
    ("zhangsan", {"张三", "张三丰"}), ("sz", {"单喆"}), ("shanzhe", {"单喆"}), ("䶮", {"王䶮"}), ("𠀀", {"李𠀀"}),
    (VALID_ID, {"张三"}), ("002X", {"张三"}), ("002x", {"张三"}), ("0016", {"单喆"}), ("13812345678", {"张三"}),
    ("5678", {"张三"}), ("6012345", {"张三丰"}),
])
def test_people_are_found_by_what_the_clerk_types(people: Station, query: str, expected: set[str]) -> None:
    assert {h.title for h in people.search(query, kinds={"person"})} == expected


@pytest.mark.parametrize("query", ["赡养", "赡养费", "赡", "三个儿子", "人民调解"])
def test_consultation_text_substrings(people: Station, query: str) -> None:
    hits = people.search(query, kinds={"consultation"})
    assert len(hits) == 1 and hits[0].kind == "consultation"


def test_case_by_text_and_by_number(people: Station) -> None:
    hit = people.search("宅基地", kinds={"case"})[0]
    number = people.mediation.get_case(hit.uid)["number"]
    assert [h.uid for h in people.search(number)] == [hit.uid]
    assert people.search("地界", kinds={"case"})[0].uid == hit.uid


def test_no_match_and_fts_syntax_is_harmless(people: Station) -> None:
    assert people.search("离婚") == []
    assert people.search('"张 OR *') is not None
    assert people.search("   ") == []
