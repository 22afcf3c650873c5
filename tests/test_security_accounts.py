"""Accounts and roles: the core refuses what a role may not do, sign-in failures slow down and are recorded."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from station import Station
from station.errors import LoginFailed, PermissionDenied, ValidationError
from station.security import accounts, audit

from .conftest import VALID_ID

PW = "correct-horse-1"


@pytest.fixture
def staffed(ready: Station) -> Station:
    """A station with a chief and one account per role; nobody signed in."""
    ids = ready.ids  # type: ignore[attr-defined]
    ready.accounts.create_chief("chief", PW, name="王所长")
    ready.sign_in("chief", PW)
    ready.accounts.add_account("clerk", PW, ["counter"], staff_uid=ids["clerk"])
    ready.accounts.add_account("mediator", PW, ["mediator"], staff_uid=ids["mediator"])
    ready.accounts.add_account("adviser", PW, ["adviser"], staff_uid=ids["mediator"] and
                               ready.reference.save_staff({"name": "李顾问", "roles": ["adviser"]}).uid)
    ready.sign_out()
    return ready


def _case(st: Station) -> dict:
    return {"applied_on": "2026-11-02", "dispute_type": "02", "facts": "邻里纠纷", "claims": "赔偿",
            "parties": [{"side": "applicant", "person": {"name": "张三", "id_number": VALID_ID}},
                        {"side": "respondent", "person": {"name": "李四"}}]}


def _consultation(st: Station) -> dict:
    return {"occurred_at": "2026-11-02 09:00", "channel": "visit", "category_code": "C99", "question": "问",
            "answer": "答", "handling": "answered", "persons": [{"name": "赵五"}]}


def test_system_actor_until_the_first_account(ready: Station) -> None:
    assert ready.records.count_records("person") == 0  # no account yet: the facade runs as the system
    ready.accounts.create_chief("chief", PW, name="王所长")
    with pytest.raises(PermissionDenied, match="请先登录"):
        ready.records.count_records("person")
    with pytest.raises(PermissionDenied):
        ready.accounts.create_chief("other", PW, name="赵")
    chief = ready.sign_in("chief", PW)
    assert ready.records.count_records("person") == 0
    assert ready.actor_uid == chief["staff_uid"]
    with pytest.raises(PermissionDenied, match="已经有账号"):
        ready.accounts.create_chief("second", PW, name="赵")


def test_roles_are_enforced_in_the_core(staffed: Station) -> None:
    st = staffed
    ids = st.ids  # type: ignore[attr-defined]
    st.sign_in("clerk", PW)
    c = st.consultations.record_consultation(_consultation(st))
    assert c.record["created_by"] == ids["clerk"]
    with pytest.raises(PermissionDenied, match="人民调解案件"):
        st.mediation.apply_case(_case(st))
    with pytest.raises(PermissionDenied, match="系统设置"):
        st.reference.put_setting("hardship_line", 1000)
    with pytest.raises(PermissionDenied, match="统计报表"):
        st.reports.build_report("2026")
    with pytest.raises(PermissionDenied, match="账号管理"):
        st.accounts.list_accounts()
    with pytest.raises(PermissionDenied):
        st.records.delete_record("visit", "x")
    st.sign_in("mediator", PW)
    case = st.mediation.apply_case(_case(st))
    with pytest.raises(PermissionDenied, match="来访咨询"):
        st.consultations.record_consultation(_consultation(st))
    with pytest.raises(PermissionDenied):
        st.records.delete_record("consultation", c.uid)
    st.records.delete_record("case", case.uid)
    st.sign_in("chief", PW)
    assert st.reports.build_report("2026") is not None
    assert [a["username"] for a in st.accounts.list_accounts()] == ["adviser", "chief", "clerk", "mediator"]
    assert all("password_hash" not in a for a in st.accounts.list_accounts())


def test_adviser_records_only_own_visits(staffed: Station) -> None:
    st = staffed
    ids = st.ids  # type: ignore[attr-defined]
    me = st.sign_in("adviser", PW)["staff_uid"]
    visit = {"village_uid": ids["village"], "visit_date": "2026-11-20", "hours": 2,
             "service_types": ["consultation"], "content": "值班"}
    mine = st.visits.record_visit({**visit, "adviser_uid": me})
    with pytest.raises(PermissionDenied, match="本人"):
        st.visits.record_visit({**visit, "adviser_uid": ids["mediator"]})
    with pytest.raises(PermissionDenied, match="本人"):
        st.visits.update_visit(mine.uid, {"adviser_uid": ids["mediator"]})
    with pytest.raises(PermissionDenied):
        st.people.save_person({"name": "钱六"})
    st.sign_in("chief", PW)
    other = st.visits.record_visit({**visit, "adviser_uid": ids["mediator"]})
    st.sign_in("adviser", PW)
    with pytest.raises(PermissionDenied):
        st.visits.update_visit(other.uid, {"hours": 3})
    assert st.records.count_records("visit") == 2


def test_passwords_are_salted_slow_hashes(staffed: Station) -> None:
    with staffed.read() as s:
        hashes = [h for (h,) in s.execute(text("SELECT password_hash FROM accounts"))]
    assert all(h.startswith("scrypt$16384$8$1$") and PW not in h for h in hashes)
    assert len(set(hashes)) == len(hashes)  # same password, different salts
    assert accounts.check_password(hashes[0], PW) and not accounts.check_password(hashes[0], PW + "x")


def test_failed_logins_slow_down_and_are_recorded(staffed: Station, monkeypatch: pytest.MonkeyPatch) -> None:
    st = staffed
    now = dt.datetime(2026, 11, 23, 10, 0, 0)
    monkeypatch.setattr(accounts, "_now", lambda: now)
    for i in range(1, 5):
        with pytest.raises(LoginFailed, match="^用户名或密码不正确$"):
            st.sign_in("clerk", "wrong-password")
    with pytest.raises(LoginFailed, match="30 秒后"):
        st.sign_in("clerk", "wrong-password")
    with pytest.raises(LoginFailed, match="连续登录失败"):  # even the right password waits
        st.sign_in("clerk", PW)
    now += dt.timedelta(seconds=31)
    with pytest.raises(LoginFailed, match="60 秒后"):  # the delay doubles
        st.sign_in("clerk", "wrong-password")
    now += dt.timedelta(seconds=61)
    assert st.sign_in("clerk", PW)["failed_count"] == 0
    with pytest.raises(LoginFailed):
        st.sign_in("nobody", PW)
    with st.read() as s:
        rows = s.execute(text("SELECT action, detail FROM audit_log WHERE action LIKE 'login%' ORDER BY seq")).all()
    actions = [a for a, _ in rows]
    assert actions.count("login_failed") == 8 and actions[-2] == "login"
    failed = [d for a, d in rows if a == "login_failed"]
    assert '"reason":"locked"' in failed[5] and '"reason":"unknown"' in failed[-1]
    assert all("clerk" not in d and "nobody" not in d for _, d in rows)


def test_disabled_account_and_passwords(staffed: Station) -> None:
    st = staffed
    st.sign_in("chief", PW)
    st.accounts.set_active("clerk", False)
    with pytest.raises(PermissionDenied, match="最后一个所长"):
        st.accounts.set_active("chief", False)
    with pytest.raises(LoginFailed, match="停用"):
        st.sign_in("clerk", PW)
    st.sign_in("mediator", PW)
    with pytest.raises(PermissionDenied, match="本人"):
        st.accounts.set_password("adviser", "new-password-1")
    with pytest.raises(PermissionDenied, match="原密码"):
        st.accounts.set_password("mediator", "new-password-1", "bad")
    with pytest.raises(ValidationError, match="至少8位"):
        st.accounts.set_password("mediator", "short", PW)
    st.accounts.set_password("mediator", "new-password-1", PW)
    assert st.verify_password("new-password-1") and not st.verify_password(PW)
    with pytest.raises(ValidationError, match="用户名"):
        st.sign_in("chief", PW) and st.accounts.add_account("Bad Name", PW, ["counter"], name="某")


def test_audit_details_refuse_personal_data(staffed: Station) -> None:
    with staffed.write() as s:
        for bad in ({"name": "张三"}, {"id": VALID_ID}, {"phone": "13800138000"}):
            with pytest.raises(ValueError):
                audit.audit(s, "reveal", kind="person", uid="p", detail=bad)
        audit.audit(s, "reveal", kind="person", uid="p", detail={"field": "id_number"})


def test_drafts_submit_and_reveals_are_checked_and_reveals_audited(staffed: Station) -> None:
    st = staffed
    st.sign_in("chief", PW)
    person = st.people.save_person({"name": "钱七", "id_number": VALID_ID})
    st.sign_in("adviser", PW)
    with pytest.raises(PermissionDenied, match="人民调解案件"):  # a draft cannot smuggle a write past the check
        st.drafts.submit("case:new", "mediation", "apply_case", _case(st))
    with pytest.raises(PermissionDenied, match="当事人信息"):
        st.privacy.reveal_person_field(person.uid, "id_number")
    st.sign_in("clerk", PW)
    assert st.privacy.reveal_person_field(person.uid, "id_number") == VALID_ID
    with st.read() as s:
        row = s.execute(text("SELECT action, kind, uid, detail, actor FROM audit_log ORDER BY seq DESC LIMIT 1")).one()
    assert row[:4] == ("reveal", "person", person.uid, '{"field":"id_number"}') and row.actor == st.actor_uid


def test_records_show_who_registered_and_changed_them_by_name(staffed: Station) -> None:
    st = staffed
    st.sign_in("clerk", PW)
    c = st.consultations.record_consultation(_consultation(st))
    who = st.records.provenance(c.uid)
    assert who["created_by"] == "马建国" and who["updated_by"] == ""
    assert who["text"].startswith("马建国 于 ") and "登记" in who["text"] and "修改" not in who["text"]
    assert len(who["created_at"]) == 16  # local time to the minute, no uid anywhere
    st.sign_in("chief", PW)
    st.consultations.update_consultation(c.uid, {**_consultation(st), "answer": "补充答复"},
                                         base_version=c.record["version"])
    who = st.records.provenance(c.record["number"])
    assert who["created_by"] == "马建国" and who["updated_by"] == "王所长"
    assert who["text"].endswith("最后修改") and "王所长" in who["text"]
    assert c.record["created_by"] not in who["text"]
