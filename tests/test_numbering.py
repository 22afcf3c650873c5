"""一案一码: numbers never collide across devices working offline at the same time."""
from __future__ import annotations

from pathlib import Path

from station import Station


def _device(folder: Path, device_no: int) -> Station:
    st = Station.open(folder)
    st.reference.setup_station({"code": "340621101", "name": "临涣镇司法所", "abbr": "临", "device_no": device_no})
    return st


def _work(st: Station, n: int) -> tuple[list[str], list[str]]:
    mediator = st.reference.save_staff({"name": "调解员", "roles": ["mediator"]}).uid
    numbers, display = [], []
    for i in range(n):
        c = st.consultations.record_consultation({"category_code": "C01", "question": f"问题{i}", "answer": "答",
                                                  "identity_refused": True})
        numbers.append(c.record["number"])
        case = st.mediation.apply_case({"applied_on": "2026-11-01", "dispute_type": "02", "facts": "争执",
                                        "parties": [{"side": "applicant", "person": {"name": "甲"}},
                                                    {"side": "respondent", "person": {"name": "乙"}}]})
        numbers.append(case.record["number"])
        display.append(st.mediation.accept_case(case.uid, {"accepted_on": "2026-11-02",
                                                           "mediator_uids": [mediator]}).record["display_number"])
    return numbers, display


def test_two_offline_devices_never_make_the_same_number(tmp_path: Path) -> None:
    a, b = _device(tmp_path / "a", 1), _device(tmp_path / "b", 2)
    (na, da), (nb, db) = _work(a, 15), _work(b, 15)
    assert len(set(na)) == len(na) == 30 and len(set(nb)) == 30
    assert not set(na) & set(nb)
    assert not set(da) & set(db)
    assert da[0] == "（2026）临人调字第1号" and db[0] == "（2026）临人调字第1001号"
    uids_a = {r["uid"] for r in a.records.list_records("case", limit=100)}
    uids_b = {r["uid"] for r in b.records.list_records("case", limit=100)}
    assert not uids_a & uids_b


def test_display_number_format_is_a_setting(tmp_path: Path) -> None:
    st = _device(tmp_path / "c", 1)
    st.reference.put_setting("case_number_format", "{abbr}调〔{year}〕{seq:03d}号")
    _, display = _work(st, 2)
    assert display == ["临调〔2026〕001号", "临调〔2026〕002号"]
