from __future__ import annotations

import pytest

from station import Station
from station.errors import ValidationError


def test_hours_come_from_the_time_span(ready: Station) -> None:
    ids = ready.ids  # type: ignore[attr-defined]
    saved = ready.visits.record_visit({"adviser_uid": ids["mediator"], "village_uid": ids["village"],
                                       "visit_date": "2026-11-20", "start_time": "9:00", "end_time": "11:30",
                                       "mode": "onsite", "service_types": ["education", "consultation"],
                                       "attendees": "35", "content": "民法典进村讲座", "hours": 3})
    assert saved.record["hours"] == 2.5 and saved.record["attendees"] == 35
    assert any("不一致" in w for w in saved.warnings)
    assert saved.record["number"].startswith("GW340621101-01-2026")


@pytest.mark.parametrize("data,field", [
    ({"start_time": "11:00", "end_time": "10:00"}, "end_time"),
    ({"start_time": "25:00", "end_time": "26:00"}, "start_time"),
    ({"hours": 30}, "hours"),
    ({}, "hours"),
    ({"hours": 1, "service_types": ["education"]}, "attendees"),
    ({"hours": 1, "service_types": []}, "service_types"),
])
def test_bad_visits_name_the_field(ready: Station, data: dict, field: str) -> None:
    ids = ready.ids  # type: ignore[attr-defined]
    base = {"adviser_uid": ids["mediator"], "village_uid": ids["village"], "visit_date": "2026-11-20",
            "service_types": ["consultation"], "content": "解答咨询"}
    with pytest.raises(ValidationError) as e:
        ready.visits.record_visit({**base, **data})
    assert field in e.value.fields
    assert ready.records.count_records("visit") == 0


def test_village_hours_against_target(ready: Station) -> None:
    ids = ready.ids  # type: ignore[attr-defined]
    other = ready.reference.save_village({"name": "双堆村"}).uid
    for day, village, hours in [("2026-01-10", ids["village"], 2), ("2026-03-10", ids["village"], 3.5),
                                ("2025-12-30", ids["village"], 4), ("2026-02-01", other, 1)]:
        ready.visits.record_visit({"adviser_uid": ids["mediator"], "village_uid": village, "visit_date": day,
                                   "hours": hours, "service_types": ["consultation"], "content": "值班"})
    rows = {r["village"]: r for r in ready.visits.village_hours(2026)}
    assert (rows["南坪村"]["hours"], rows["南坪村"]["target"], rows["南坪村"]["ratio"]) == (5.5, 50.0, 0.11)
    assert (rows["双堆村"]["hours"], rows["双堆村"]["target"]) == (1.0, 50.0)  # station default
