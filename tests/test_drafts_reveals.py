"""Drafts survive until a successful save deletes them in the same transaction; reveals are logged."""
from __future__ import annotations

import pytest

from station import Station
from station.errors import ValidationError


def test_draft_round_trip_and_list(station: Station) -> None:
    station.drafts.save_draft("consultation:new", "consultation", {"question": "欠薪"})
    station.drafts.save_draft("consultation:new", "consultation", {"question": "欠薪怎么办"})
    assert station.drafts.load_draft("consultation:new")["data"] == {"question": "欠薪怎么办"}
    assert [d["key"] for d in station.drafts.list_drafts()] == ["consultation:new"]
    assert station.drafts.discard_draft("consultation:new") is True
    assert station.drafts.load_draft("consultation:new") is None


def test_successful_submit_deletes_the_draft(ready: Station) -> None:
    data = {"category_code": "C10", "question": "工资被拖欠三个月", "answer": "可申请劳动仲裁",
            "persons": [{"name": "王桂英", "phone": "13912345678"}]}
    ready.drafts.save_draft("consultation:new", "consultation", data)
    saved = ready.drafts.submit("consultation:new", "consultations", "record_consultation", data)
    assert saved.record["question"] == "工资被拖欠三个月"
    assert ready.drafts.load_draft("consultation:new") is None


def test_failed_submit_keeps_the_draft(ready: Station) -> None:
    data = {"category_code": "C10", "question": "", "persons": [{"name": "王桂英"}]}
    ready.drafts.save_draft("consultation:new", "consultation", data)
    with pytest.raises(ValidationError):
        ready.drafts.submit("consultation:new", "consultations", "record_consultation", data)
    assert ready.drafts.load_draft("consultation:new")["data"] == data
    assert ready.records.count_records("consultation") == 0


def test_submit_refuses_read_functions(ready: Station) -> None:
    with pytest.raises(ValidationError):
        ready.drafts.submit("k", "people", "get_person", "x")


def test_reveal_is_logged_with_actor(ready: Station) -> None:
    person = ready.people.save_person({"name": "李堃", "id_number": "11010519491231002X"}).uid
    ready.actor_uid = ready.ids["clerk"]  # type: ignore[attr-defined]
    assert ready.privacy.reveal_person_field(person, "id_number") == "11010519491231002X"
    log = ready.privacy.list_reveals(person)
    assert [(r["actor_name"], r["field"]) for r in log] == [("马建国", "id_number")]


def test_an_address_is_revealed_like_an_id_number_and_other_fields_are_not(ready: Station) -> None:
    person = ready.people.save_person({"name": "李堃", "address": "南坪村三组12号"}).uid
    assert ready.privacy.reveal_person_field(person, "address") == "南坪村三组12号"
    assert [r["field"] for r in ready.privacy.list_reveals(person)] == ["address"]
    with pytest.raises(ValueError):
        ready.privacy.reveal_person_field(person, "notes")


def test_unsynced_count_and_overview(ready: Station) -> None:
    before = ready.dashboard.unsynced_count()
    ready.people.save_person({"name": "赵喆"})
    assert ready.dashboard.unsynced_count() == before + 1
    ov = ready.dashboard.overview()
    assert ov["unsynced"] == before + 1 and ov["open_cases"] == 0
    assert [v["village"] for v in ov["village_hours"]] == ["南坪村"]


def test_overview_shows_the_same_reminders_as_station_due(ready: Station) -> None:
    import datetime as dt
    m = ready.ids["mediator"]  # type: ignore[attr-defined]
    uid = ready.mediation.apply_case({"applied_on": "2026-09-01", "dispute_type": "02", "facts": "排水沟",
                                      "parties": [{"side": "applicant", "person": {"name": "甲"}},
                                                  {"side": "respondent", "person": {"name": "乙"}}]}).uid
    ready.mediation.accept_case(uid, {"accepted_on": "2026-09-02", "mediator_uids": [m]})
    today = dt.date(2026, 10, 20)  # accepted 48 days ago: over the 30-day limit
    ov = ready.dashboard.overview(today)
    expected = [r.to_dict() for r in ready.reports.due(today, limit=20)]
    assert ov["reminders"] == expected
    assert any(r["kind"] == "case_overdue" and r["uid"] == uid for r in ov["reminders"])
