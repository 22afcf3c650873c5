from __future__ import annotations

import pytest

from station import Station
from station.errors import ValidationError
from station.services.consultations import screen_legal_aid

from .conftest import VALID_ID


def test_consultation_with_new_person_and_referral(ready: Station) -> None:
    saved = ready.consultations.record_consultation({
        "occurred_at": "2026-11-20 09:30", "channel": "visit", "category_code": "C11",
        "question": "包工头拖欠工资两万三千元", "handling": "legal_aid", "satisfaction": "satisfied",
        "staff_uid": ready.ids["clerk"],  # type: ignore[attr-defined]
        "persons": [{"name": "韩磊", "id_number": VALID_ID, "phone": "13812345678"}],
    })
    c = ready.consultations.get_consultation(saved.uid)
    assert c["referral_target"] == "legal_aid" and c["referral_status"] == "informed"
    assert c["number"].startswith("ZX340621101-01-2026")
    assert [p["person"]["name"] for p in c["persons"]] == ["韩磊"]
    later = ready.consultations.record_referral_outcome(saved.uid, "accepted", "法律援助中心已受理")
    assert later.record["referral_status"] == "accepted" and later.record["version"] == 2


def test_consultation_errors_name_every_missing_field(ready: Station) -> None:
    with pytest.raises(ValidationError) as e:
        ready.consultations.record_consultation({"handling": "referred", "persons": [{"name": "王五"}]})
    assert {f.field for f in e.value.errors} >= {"category_code", "question", "referral_target"}
    assert ready.records.count_records("person") == 0  # nothing half-written


def test_person_refusing_identity_is_noted_not_blocked(ready: Station) -> None:
    saved = ready.consultations.record_consultation({"category_code": "C99", "question": "咨询", "answer": "已答复",
                                                     "identity_refused": True})
    assert saved.record["identity_refused"] is True


def test_expired_category_refused_for_new_dates(ready: Station) -> None:
    import datetime as dt
    ready.reference.end_code("consultation_category", "C21", dt.date(2026, 1, 1))
    with pytest.raises(ValidationError, match="不适用"):
        ready.consultations.record_consultation({"occurred_at": "2026-03-01", "category_code": "C21",
                                                 "question": "公证", "answer": "答", "identity_refused": True})
    ok = ready.consultations.record_consultation({"occurred_at": "2025-12-01", "category_code": "C21",
                                                  "question": "公证", "answer": "答", "identity_refused": True})
    assert ok.record["category_code"] == "C21"


def test_legal_aid_screen() -> None:
    assert screen_legal_aid(["migrant_worker"], None, None).suggested
    below = screen_legal_aid([], 900, 1500)
    assert below.suggested and "不高于" in below.reasons[0]
    above = screen_legal_aid([], 2000, 1500)
    assert not above.suggested and "高于" in above.reasons[0]
    assert not screen_legal_aid([], 900, None).suggested


def test_overriding_the_aid_suggestion_needs_a_reason(ready: Station) -> None:
    ready.reference.put_setting("hardship_line", 1500)
    base = {"category_code": "C02", "question": "赡养费", "answer": "可调解", "identity_refused": True,
            "aid_income": 800}
    with pytest.raises(ValidationError) as e:
        ready.consultations.record_consultation({**base, "aid_confirmed": False})
    assert e.value.errors[0].field == "aid_override_reason"
    saved = ready.consultations.record_consultation({**base, "aid_confirmed": False,
                                                     "aid_override_reason": "有稳定房租收入"})
    r = saved.record
    assert (r["aid_suggested"], r["aid_confirmed"], r["aid_line"]) == (True, False, 1500)
