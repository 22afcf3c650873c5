"""Core of the first-run wizard: village paste parsing, page checks, the one-transaction apply."""
from __future__ import annotations

from typing import Any

import pytest

from station import Station
from station.errors import PermissionDenied, ValidationError
from station.services import first_run as core


def data(**over: Any) -> dict[str, Any]:
    d = {"code": "340621101", "name": "临涣镇司法所", "county": "濉溪县", "abbr": "临", "username": "zhangsan",
         "chief_name": "张建华", "password": "Linhuan#2026", "password2": "Linhuan#2026",
         "villages": "名称\t编码\n南坪村\t340621101201\n五沟村\n", "case_number_format": "（{year}）{abbr}人调字第{seq}号",
         "backup_dir": "", "backup_keep": "7"}
    d.update(over)
    return d


def test_villages_pasted_from_excel() -> None:
    text = "村(居)名称\t代码\t备注\r\n\u3000南 坪 村\u3000\t３４０６２１\t\n临涣社区\n\n南坪村\n五沟村 1234\n西湖村\tA-1?\n"
    rows = core.parse_villages(text, existing={"五沟村"})
    assert [(r["name"], r["code"], r["kind"], r["status"]) for r in rows] == [
        ("南坪村", "340621", "village", "new"), ("临涣社区", "", "community", "new"), ("南坪村", "", "village", "repeat"),
        ("五沟村", "1234", "village", "exists"), ("西湖村", "A-1?", "village", "error")]
    assert rows[-1]["line"] == 7 and "字母和数字" in rows[-1]["problem"]
    # no header: the first row is data
    assert [r["name"] for r in core.parse_villages("南坪村\t1\n")] == ["南坪村"]


def test_case_number_example_and_its_checks() -> None:
    assert core.case_number_example("（{year}）{abbr}人调字第{seq}号", year=2026, abbr="临", seq=1001) == \
        "（2026）临人调字第1001号"
    assert core.next_case_number("{abbr}{seq}", {"device_no": 2, "case_number_block": 1000}, "临") == "临1001"
    for bad, words in (("（{year}）第号", "{seq}"), ("{seq}{who}", "{who}"), ("{seq", "花括号"), ("", "不能为空")):
        with pytest.raises(ValidationError) as e:
            core.case_number_example(bad, year=2026, abbr="临", seq=1)
        assert e.value.errors[0].field == "case_number_format" and words in e.value.errors[0].message


def test_page_checks_name_the_fields() -> None:
    assert core.check_page("station", data()) == []
    assert [(e.field, e.message) for e in core.check_page("station", data(name=" ", code="34 06"))] == [
        ("code", "只能包含字母和数字"), ("name", "不能为空")]
    errs = core.check_page("chief", data(password2="other", username="Zhang"))
    assert {e.field for e in errs} == {"username", "password2"}
    assert [e.field for e in core.check_page("chief", data(password="short", password2="short"))] == ["password"]
    assert [e.field for e in core.check_page("backup", data(backup_keep="0", backup_dir="relative/dir"))] == [
        "backup_dir", "backup_keep"]


def test_apply_is_all_or_nothing_and_safe_to_rerun(station: Station) -> None:
    with pytest.raises(ValidationError) as e:
        station.drafts.submit(core.DRAFT_KEY, "first_run", "apply", data(password2="x" * 12))
    assert e.value.errors[0].field == "password2"
    assert station.reference.station_info() is None and station.reference.list_reference("village") == []
    station.drafts.save_draft(core.DRAFT_KEY, "first_run", {"name": "临涣镇司法所"})
    done = station.drafts.submit(core.DRAFT_KEY, "first_run", "apply", data())
    assert done == {"station": "340621101", "villages_added": 2, "chief": "zhangsan"}
    station.sign_in("zhangsan", "Linhuan#2026")  # an account now exists: nothing more without signing in
    assert station.drafts.load_draft(core.DRAFT_KEY) is None
    again = station.drafts.submit(core.DRAFT_KEY, "first_run", "apply",
                                  data(villages="南坪村\n新河村", county="淮北市濉溪县", username="", password=""))
    assert again == {"station": "340621101", "villages_added": 1, "chief": None}
    assert sorted(v["name"] for v in station.reference.list_reference("village")) == ["五沟村", "南坪村", "新河村"]
    assert station.reference.station_info()["county"] == "淮北市濉溪县"
    with pytest.raises(PermissionDenied):
        station.accounts.create_chief("other", "Linhuan#2026", name="某")


def test_recovery_code_reissued(tmp_path: Any) -> None:
    from station.security import crypto
    st = Station.open(tmp_path / "enc", encrypt=True)
    try:
        first = st.recovery_code
        assert first and st.key
        second = core.reissue_recovery_code(st.data_dir, st.key)
        info = crypto.read_info(st.data_dir)
        assert crypto.load_key(st.data_dir, info, recovery_code=second) == st.key
        with pytest.raises(Exception, match="恢复码不正确"):
            crypto.load_key(st.data_dir, info, recovery_code=first)
    finally:
        st.close()


def test_code_must_stay_the_hubs_once_logged_in(station: Station) -> None:
    from station.sync import state
    with station.write() as s:
        state.put(s, "station", "340621101")
    with pytest.raises(ValidationError) as e:
        station.drafts.submit(core.DRAFT_KEY, "first_run", "apply", data(code="340621999"))
    assert e.value.errors[0].field == "code" and "340621101" in e.value.errors[0].message
    assert station.drafts.submit(core.DRAFT_KEY, "first_run", "apply", data())["station"] == "340621101"
