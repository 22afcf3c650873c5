"""Logs never hold ID numbers, phones or names: a whole scenario runs with every logger at DEBUG."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest

from station import Station
from station.errors import LoginFailed, ValidationError
from station.security import backup

from .conftest import VALID_ID

SECRETS = (VALID_ID, "13912345678", "欧阳明", "王所长", "南坪村")


def test_scenario_logs_no_personal_data(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # root at DEBUG: SQLAlchemy's engine logger would print statements
    logging.getLogger("sqlalchemy.engine").setLevel(logging.DEBUG)
    st = Station.open(tmp_path / "a", encrypt=True)
    st.reference.setup_station({"code": "340621101", "name": "临涣镇司法所", "abbr": "临"})
    village = st.reference.save_village({"name": "南坪村"}).uid
    st.accounts.create_chief("chief", "chief-pass-1", name="王所长")
    with pytest.raises(LoginFailed):
        st.sign_in("chief", "wrong-password")
    st.sign_in("chief", "chief-pass-1")
    p = st.people.save_person({"name": "欧阳明", "id_number": VALID_ID, "phone": "13912345678", "address": "南坪村"})
    with pytest.raises(ValidationError):
        st.people.save_person({"name": "欧阳明", "id_number": VALID_ID[:-1] + "9", "phone": "139"})
    st.consultations.record_consultation({"occurred_at": "2026-11-02 09:00", "channel": "visit", "category_code": "C99",
                                          "question": "欧阳明咨询", "answer": "答", "persons": [p.uid]})
    assert st.search("欧阳") and st.search(VALID_ID[-6:]) is not None
    st.visits.record_visit({"adviser_uid": st.actor_uid, "village_uid": village, "visit_date": "2026-11-20",
                            "hours": 2, "service_types": ["consultation"], "content": "值班"})
    backup.create_backup(st)
    st.close()
    assert "INSERT" in caplog.text  # the SQL log really was on
    for secret in SECRETS:
        assert secret not in caplog.text
