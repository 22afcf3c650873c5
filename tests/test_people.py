from __future__ import annotations

import pytest
from sqlalchemy import text

from station import Station
from station.errors import Conflict, ValidationError

from .conftest import ORG_CODE, VALID_ID


def _count(st: Station, table: str) -> int:
    with st.read() as s:
        return int(s.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_person_birth_date_and_gender_come_from_the_id(ready: Station) -> None:
    saved = ready.people.save_person({"name": " 张 三 ", "id_number": VALID_ID.lower(), "phone": "138 1234 5678"})
    p = saved.record
    assert (p["name"], p["birth_date"], p["gender"], p["id_number"], p["phone"]) == \
        ("张三", "1949-12-31", "女", VALID_ID, "13812345678")
    assert p["version"] == 1 and p["device_id"] == ready.device_id
    assert saved.warnings == []


def test_bad_id_is_refused_and_nothing_is_written(ready: Station) -> None:
    before = (_count(ready, "persons"), _count(ready, "outbox"))
    with pytest.raises(ValidationError) as e:
        ready.people.save_person({"name": "李四", "id_number": "110105194912310021", "phone": "1381234"})
    assert {f.field for f in e.value.errors} == {"id_number", "phone"}
    assert "身份证号码" in str(e.value) and "联系电话" in str(e.value)
    assert (_count(ready, "persons"), _count(ready, "outbox")) == before


def test_missing_name_names_the_field(ready: Station) -> None:
    with pytest.raises(ValidationError) as e:
        ready.people.save_person({"name": "  "})
    assert e.value.errors[0].field == "name" and "姓名" in str(e.value)


def test_organisation_with_credit_code(ready: Station) -> None:
    org = ready.people.save_person({"kind": "org", "name": "濉溪县鑫源建筑劳务有限公司", "credit_code": ORG_CODE.lower(),
                                    "representative": "赵德胜"}).record
    assert org["credit_code"] == ORG_CODE and org["id_number"] == ""


def test_likely_duplicates_warn_but_do_not_block(ready: Station) -> None:
    first = ready.people.save_person({"name": "王芳", "id_number": VALID_ID})
    same_id = ready.people.save_person({"name": "王方", "id_number": VALID_ID})
    assert any("证件号码相同" in w and first.uid[:8] in w for w in same_id.warnings)
    ready.people.save_person({"name": "刘洋", "phone": "13900001111"})
    same_phone = ready.people.save_person({"name": "刘洋", "phone": "139-0000-1111"})
    assert any("姓名和电话相同" in w for w in same_phone.warnings)
    other = ready.people.save_person({"name": "刘洋", "phone": "13900002222"})
    assert other.warnings == []
    assert len(ready.people.find_duplicates({"name": "刘洋", "phone": "13900001111"})) == 2


def test_edit_on_a_stale_version_is_refused(ready: Station) -> None:
    p = ready.people.save_person({"name": "赵敏"}).record
    ready.people.save_person({"name": "赵敏", "address": "南坪村"}, uid=p["uid"], base_version=1)
    with pytest.raises(Conflict):
        ready.people.save_person({"name": "赵敏", "address": "北庄"}, uid=p["uid"], base_version=1)


def test_dossier_links_everything_to_one_person(ready: Station) -> None:
    person = ready.people.save_person({"name": "周堃", "phone": "13800000001"}).uid
    ready.consultations.record_consultation({"category_code": "C05", "question": "宅基地被占", "answer": "可申请调解",
                                             "persons": [person]})
    ready.mediation.apply_case({"applied_on": "2026-11-01", "dispute_type": "03", "facts": "越界建房",
                                "parties": [{"side": "applicant", "person": person},
                                            {"side": "respondent", "person": {"name": "吴喆"}}]})
    dossier = ready.people.person_dossier(person)
    assert dossier["person"]["name"] == "周堃"
    assert len(dossier["consultations"]) == 1 and len(dossier["cases"]) == 1
