"""Editing existing records in the GUI: open from the ledger, save as an update, refuse stale edits."""
from __future__ import annotations

import datetime as dt
import os
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QListWidget, QPlainTextEdit  # noqa: E402

from .conftest import VALID_ID  # noqa: E402
from .gui_helpers import click, dialog, find, idle, start_gui, stop_gui, type_text  # noqa: E402
from . import test_gui_scenarios as scenarios  # noqa: E402

gui = scenarios.gui  # the running app, as in the scenario tests (a pytest fixture)
go = scenarios.go


def _open_row(qtbot: Any, table: Any, row: int = 0) -> None:
    """Keyboard: focus the ledger, go to the row, Enter."""
    qtbot.waitUntil(lambda: table.model().rowCount() > row, timeout=5000)
    table.setFocus()
    table.setCurrentIndex(table.model().index(row, 0))
    qtbot.keyClick(table, Qt.Key.Key_Return)


def _consultation(gui: Any, question: str = "邻居占用通道怎么办") -> dict[str, Any]:
    st = gui.station
    person = st.records.list_records("person", limit=10)[0]
    code = next(iter(gui.window.ref["categories"]))
    return st.consultations.record_consultation({"persons": [person["uid"]], "category_code": code,
                                                 "question": question, "answer": "可先协商，再申请调解"}).record


def _replace_text(qtbot: Any, box: QPlainTextEdit, text: str) -> None:
    box.setFocus()
    box.selectAll()
    qtbot.keyClick(box, Qt.Key.Key_Delete)
    type_text(qtbot, box, text)


def test_consultation_opens_from_the_ledger_and_saves_as_an_update(gui: Any, qtbot: Any) -> None:
    page = go(qtbot, gui, 2)
    rec = _consultation(gui)
    page.model.reload()
    idle(qtbot, gui)
    _open_row(qtbot, find(page, "咨询台账"))
    question = find(page, "咨询事项", QPlainTextEdit)
    qtbot.waitUntil(lambda: question.toPlainText() == "邻居占用通道怎么办", timeout=5000)
    assert rec["number"] in find(page, "修改提示", QLabel).text()
    qtbot.waitUntil(lambda: find(page, "咨询人已选", QLabel).text().startswith("已选："), timeout=5000)
    _replace_text(qtbot, question, "邻居占用消防通道堆放杂物怎么办")
    qtbot.keyClick(gui.window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: find(page, "保存结果", QLabel).text() == f"已修改：{rec['number']}", timeout=5000)
    idle(qtbot, gui)
    after = gui.station.consultations.get_consultation(rec["uid"])
    assert after["question"] == "邻居占用消防通道堆放杂物怎么办"
    assert after["version"] == rec["version"] + 1
    assert [p["person"]["uid"] for p in after["persons"]] == [p["person"]["uid"] for p in
                                                               gui.station.consultations.get_consultation(
                                                                   rec["uid"])["persons"]]
    assert gui.station.records.count_records("consultation") == 1  # updated, not a second record
    assert not find(page, "修改提示", QLabel, visible=False).isVisible()  # back to a new entry
    assert question.toPlainText() == ""
    assert gui.station.drafts.list_drafts() == []


def test_a_stale_consultation_edit_is_refused_and_keeps_what_was_typed(gui: Any, qtbot: Any) -> None:
    page = go(qtbot, gui, 2)
    rec = _consultation(gui)
    page.model.reload()
    idle(qtbot, gui)
    _open_row(qtbot, find(page, "咨询台账"))
    question = find(page, "咨询事项", QPlainTextEdit)
    qtbot.waitUntil(lambda: question.toPlainText() == "邻居占用通道怎么办", timeout=5000)
    idle(qtbot, gui)
    # meanwhile a colleague saves the same consultation
    gui.station.consultations.update_consultation(rec["uid"], {"answer": "已告知可申请人民调解"},
                                                  base_version=rec["version"])
    _replace_text(qtbot, question, "我改的问题")
    qtbot.keyClick(gui.window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    error = find(page, "保存失败原因", QLabel, visible=False)
    qtbot.waitUntil(error.isVisible, timeout=5000)
    assert "已被修改" in error.text() and "第1版" in error.text()
    idle(qtbot, gui)
    now = gui.station.consultations.get_consultation(rec["uid"])
    assert now["question"] == "邻居占用通道怎么办" and now["answer"] == "已告知可申请人民调解"  # not overwritten
    assert question.toPlainText() == "我改的问题"  # nothing typed is lost
    assert find(page, "修改提示", QLabel).isVisible()
    # cancelling the edit drops it and leaves an empty new form
    click(qtbot, find(page, "取消修改"))
    idle(qtbot, gui)
    assert question.toPlainText() == ""
    assert gui.station.drafts.list_drafts() == []


def test_new_entry_typed_before_an_edit_comes_back_after_it(gui: Any, qtbot: Any) -> None:
    page = go(qtbot, gui, 2)
    _consultation(gui)
    page.model.reload()
    idle(qtbot, gui)
    question = find(page, "咨询事项", QPlainTextEdit)
    type_text(qtbot, question, "半句话")
    _open_row(qtbot, find(page, "咨询台账"))
    qtbot.waitUntil(lambda: question.toPlainText() == "邻居占用通道怎么办", timeout=5000)
    idle(qtbot, gui)
    assert gui.station.drafts.load_draft("consultation:new")["data"]["question"] == "半句话"
    click(qtbot, find(page, "取消修改"))
    qtbot.waitUntil(lambda: question.toPlainText() == "半句话", timeout=5000)


def test_visit_opens_from_the_log_and_saves_as_an_update(gui: Any, qtbot: Any) -> None:
    page = go(qtbot, gui, 4)
    staff = next(s for s in gui.window.ref["staff"] if "adviser" in s["roles"])
    village = gui.window.ref["villages"][0]
    rec = gui.station.visits.record_visit({
        "adviser_uid": staff["uid"], "village_uid": village["uid"], "visit_date": dt.date.today().isoformat(),
        "start_time": "09:00", "end_time": "10:00", "mode": "onsite",
        "service_types": ["consultation"], "content": "解答宅基地问题"}).record
    page.model.reload()
    idle(qtbot, gui)
    _open_row(qtbot, find(page, "服务日志"))
    content = find(page, "服务内容", QPlainTextEdit)
    qtbot.waitUntil(lambda: content.toPlainText() == "解答宅基地问题", timeout=5000)
    assert find(page, "服务时长", QLabel).text() == "1 小时"
    end = find(page, "结束时间")
    end.setFocus()
    end.setTime(end.time().addSecs(3600))
    qtbot.waitUntil(lambda: find(page, "服务时长", QLabel).text() == "2 小时", timeout=2000)
    qtbot.keyClick(gui.window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: find(page, "保存结果", QLabel).text().startswith("已修改"), timeout=5000)
    idle(qtbot, gui)
    after = gui.station.records.get_record(rec["uid"])
    assert after["hours"] == 2 and after["version"] == rec["version"] + 1
    assert gui.station.records.count_records("visit") == 1


__all__ = ["QCheckBox", "QComboBox", "QLineEdit", "QListWidget", "dialog"]


def _case(gui: Any) -> dict[str, Any]:
    st = gui.station
    people = {p["name"]: p["uid"] for p in st.records.list_records("person", limit=10)}
    code = next(c for c, n in gui.window.ref["dispute_types"].items() if n == "邻里纠纷")
    return st.mediation.apply_case({
        "applied_on": dt.date.today().isoformat(), "dispute_type": code, "facts": "两家因排水沟走向发生争执",
        "parties": [{"side": "applicant", "person": people["张三丰"]},
                    {"side": "respondent", "person": people["李四海"]}]}).record


def _open_case(qtbot: Any, gui: Any, page: Any, uid: str) -> None:
    page.open_case(uid)
    qtbot.waitUntil(lambda: find(page, "案件状态", QLabel).text().startswith("状态："), timeout=5000)
    idle(qtbot, gui)


def test_case_facts_and_claims_are_edited_on_the_case_page(gui: Any, qtbot: Any) -> None:
    page = go(qtbot, gui, 3)
    case = _case(gui)
    _open_case(qtbot, gui, page, case["uid"])
    assert not find(page, "纠纷简要情况", QPlainTextEdit, visible=False).isVisible()
    click(qtbot, find(page, "修改案情"))
    facts = find(page, "纠纷简要情况", QPlainTextEdit)
    assert facts.toPlainText() == "两家因排水沟走向发生争执"
    parties = find(page, "已加入的当事人", QListWidget)
    assert [parties.item(i).text() for i in range(parties.count())] == ["申请人：张三丰", "被申请人：李四海"]
    _replace_text(qtbot, facts, "两家因排水沟走向发生争执，雨天积水流入张家院内")
    type_text(qtbot, find(page, "申请事项", QPlainTextEdit), "请求李四海改走排水沟")
    qtbot.keyClick(gui.window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    summary = find(page, "申请情况", QLabel, visible=False)
    qtbot.waitUntil(lambda: summary.isVisible() and "雨天积水" in summary.text(), timeout=5000)
    idle(qtbot, gui)
    after = gui.station.mediation.get_case(case["uid"])
    assert after["facts"] == "两家因排水沟走向发生争执，雨天积水流入张家院内"
    assert after["claims"] == "请求李四海改走排水沟"
    assert after["version"] > case["version"]
    assert [(p["side"], p["person"]["name"]) for p in after["parties"]] == [("applicant", "张三丰"),
                                                                           ("respondent", "李四海")]
    assert gui.station.drafts.list_drafts() == []


def test_a_stale_case_edit_is_refused(gui: Any, qtbot: Any) -> None:
    page = go(qtbot, gui, 3)
    case = _case(gui)
    _open_case(qtbot, gui, page, case["uid"])
    click(qtbot, find(page, "修改案情"))
    gui.station.mediation.update_case(case["uid"], {"claims": "同事先改了申请事项"}, base_version=case["version"])
    _replace_text(qtbot, find(page, "纠纷简要情况", QPlainTextEdit), "我改的情况")
    click(qtbot, find(page, "保存案情修改"))
    error = find(page, "保存失败原因", QLabel, visible=False)
    qtbot.waitUntil(error.isVisible, timeout=5000)
    assert "已被修改" in error.text()
    idle(qtbot, gui)
    now = gui.station.mediation.get_case(case["uid"])
    assert now["facts"] == "两家因排水沟走向发生争执" and now["claims"] == "同事先改了申请事项"
    assert find(page, "纠纷简要情况", QPlainTextEdit).toPlainText() == "我改的情况"


def test_a_case_step_form_keeps_its_draft_per_case(gui: Any, qtbot: Any) -> None:
    page = go(qtbot, gui, 3)
    case = _case(gui)
    _open_case(qtbot, gui, page, case["uid"])
    type_text(qtbot, find(page, "不予受理理由", QPlainTextEdit), "不属于人民调解范围")
    key = f"case:{case['uid']}:refuse"
    qtbot.waitUntil(lambda: gui.station.drafts.load_draft(key) is not None, timeout=5000)
    assert gui.station.drafts.load_draft(key)["data"]["refusal_reason"] == "不属于人民调解范围"
    click(qtbot, find(page, "返回案件列表"))
    click(qtbot, find(page, "新案件申请"))  # the step form is reused for the next case: it must come back empty
    other = _case(gui)
    _open_case(qtbot, gui, page, other["uid"])
    assert find(page, "不予受理理由", QPlainTextEdit).toPlainText() == ""
    _open_case(qtbot, gui, page, case["uid"])
    reason = find(page, "不予受理理由", QPlainTextEdit)
    qtbot.waitUntil(lambda: reason.toPlainText() == "不属于人民调解范围", timeout=5000)
    banner = find(page, "不予受理草稿提示", QLabel)
    assert "已恢复" in banner.text()
    click(qtbot, find(page, "不予受理"))
    qtbot.waitUntil(lambda: find(page, "案件状态", QLabel).text() == "状态：不予受理", timeout=5000)
    idle(qtbot, gui)
    assert gui.station.drafts.load_draft(key) is None  # saved with the step, atomically


def _show_person(qtbot: Any, gui: Any, name: str) -> Any:
    page = go(qtbot, gui, 5)
    uid = next(p["uid"] for p in gui.station.records.list_records("person", limit=10) if p["name"] == name)
    page.open_person(uid)
    qtbot.waitUntil(lambda: find(page, "当事人姓名", QLabel).text() == name, timeout=5000)
    return page, uid


def test_person_details_are_edited_with_id_and_phone_kept_masked(gui: Any, qtbot: Any) -> None:
    page, uid = _show_person(qtbot, gui, "王桂英")
    before = gui.station.people.get_person(uid)
    click(qtbot, find(page, "修改当事人信息"))
    dlg = dialog("person_dialog")
    assert find(dlg, "姓名", QLineEdit).text() == "王桂英"
    id_box = find(dlg, "身份证号码", QLineEdit)
    assert id_box.text() == "" and "110105********002X" in id_box.placeholderText()  # never shown raw
    type_text(qtbot, find(dlg, "住址", QLineEdit), "南坪村三组12号")
    click(qtbot, find(dlg, "保存当事人"))
    qtbot.waitUntil(lambda: not dlg.isVisible(), timeout=5000)
    idle(qtbot, gui)
    after = gui.station.people.get_person(uid)
    assert after["address"] == "南坪村三组12号" and after["version"] == before["version"] + 1
    assert after["id_number"] == before["id_number"] and after["phone"] == before["phone"]
    shown = find(page, "住址", QLabel)
    qtbot.waitUntil(lambda: shown.text() == "南坪村三组1…", timeout=5000)  # masked on the dossier too
    assert "南坪村三组12号" not in find(page, "基本情况", QLabel).text()
    click(qtbot, find(page, "显示住址"))
    qtbot.waitUntil(lambda: shown.text() == "南坪村三组12号", timeout=5000)
    idle(qtbot, gui)
    assert [r["field"] for r in gui.station.privacy.list_reveals(uid)] == ["address"]


def test_a_stale_person_edit_is_refused(gui: Any, qtbot: Any) -> None:
    page, uid = _show_person(qtbot, gui, "张三丰")
    click(qtbot, find(page, "修改当事人信息"))
    dlg = dialog("person_dialog")
    current = gui.station.people.get_person(uid)
    gui.station.people.save_person({**current, "address": "同事填的住址"}, uid=uid, base_version=current["version"])
    type_text(qtbot, find(dlg, "住址", QLineEdit), "我填的住址")
    click(qtbot, find(dlg, "保存当事人"))
    error = find(dlg, "保存失败原因", QLabel, visible=False)
    qtbot.waitUntil(error.isVisible, timeout=5000)
    assert "已被修改" in error.text() and dlg.isVisible()
    assert gui.station.people.get_person(uid)["address"] == "同事填的住址"
    click(qtbot, find(dlg, "取消"))


def test_person_form_keeps_a_draft_until_saved_or_cancelled(gui: Any, qtbot: Any) -> None:
    page = go(qtbot, gui, 5)
    click(qtbot, find(page, "新建当事人"))
    dlg = dialog("person_dialog")
    type_text(qtbot, find(dlg, "姓名"), "赵喆")
    qtbot.waitUntil(lambda: gui.station.drafts.load_draft("person:new") is not None, timeout=5000)
    assert gui.station.drafts.load_draft("person:new")["data"]["name"] == "赵喆"
    click(qtbot, find(dlg, "取消"))
    idle(qtbot, gui)
    assert gui.station.drafts.load_draft("person:new") is None


def test_person_suggestions_and_list_mask_the_address(gui: Any, qtbot: Any) -> None:
    uid = next(p["uid"] for p in gui.station.records.list_records("person", limit=10) if p["name"] == "李四海")
    cur = gui.station.people.get_person(uid)
    gui.station.people.save_person({**cur, "address": "濉溪县临涣镇南坪村三组十二号"}, uid=uid)
    page = go(qtbot, gui, 2)
    edit = find(page, "咨询人", QLineEdit)
    edit.setFocus()
    type_text(qtbot, edit, "李四海")
    hits = find(page, "咨询人候选", QListWidget, visible=False)
    qtbot.waitUntil(lambda: hits.isVisible() and hits.count() > 0, timeout=5000)
    text = hits.item(0).text()
    assert text.startswith("李四海") and "濉溪县临涣镇…" in text and "三组十二号" not in text
    people = go(qtbot, gui, 5)
    people.model.reload()
    idle(qtbot, gui)
    table = find(people, "当事人列表")
    rows = [table.model().index(r, 4).data() for r in range(table.model().rowCount())]
    assert "濉溪县临涣镇…" in rows and not any("三组" in (r or "") for r in rows)


def test_editing_a_consultation_keeps_its_other_people(gui: Any, qtbot: Any) -> None:
    page = go(qtbot, gui, 2)
    st = gui.station
    people = {p["name"]: p["uid"] for p in st.records.list_records("person", limit=10)}
    code = next(iter(gui.window.ref["categories"]))
    rec = st.consultations.record_consultation({
        "persons": [people["王桂英"], {"uid": people["张三丰"], "role": "companion"}], "category_code": code,
        "question": "母子一同来访", "answer": "已解答"}).record
    page.model.reload()
    idle(qtbot, gui)
    _open_row(qtbot, find(page, "咨询台账"))
    question = find(page, "咨询事项", QPlainTextEdit)
    qtbot.waitUntil(lambda: question.toPlainText() == "母子一同来访", timeout=5000)
    type_text(qtbot, question, "，询问赡养费")
    qtbot.keyClick(gui.window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: find(page, "保存结果", QLabel).text() == f"已修改：{rec['number']}", timeout=5000)
    idle(qtbot, gui)
    after = st.consultations.get_consultation(rec["uid"])
    assert sorted((p["person"]["name"], p["role"]) for p in after["persons"]) == [("张三丰", "companion"),
                                                                                 ("王桂英", "visitor")]


def _start(folder: Any, qtbot: Any) -> Any:
    return start_gui(qtbot, folder)


def _stop(app: Any, qtbot: Any) -> None:
    stop_gui(qtbot, app)


def test_drafts_left_by_a_crash_reopen_their_forms_at_start(ready: Any, qtbot: Any) -> None:
    """Drafts as a killed run leaves them (a case step, an edited visit, a person being edited) come back
    in their forms when the program starts, and the status bar says where."""
    st = ready
    staff = st.ids["mediator"]
    people = [st.people.save_person({"name": n, "gender": "男"}).uid for n in ("张三丰", "李四海")]
    code = st.reference.list_codes("dispute_type")[0]["code"]
    case = st.mediation.apply_case({"applied_on": dt.date.today().isoformat(), "dispute_type": code, "facts": "争执",
                                    "parties": [{"side": "applicant", "person": people[0]},
                                                {"side": "respondent", "person": people[1]}]}).record
    visit = st.visits.record_visit({"adviser_uid": staff, "village_uid": st.ids["village"],
                                    "visit_date": dt.date.today().isoformat(), "start_time": "09:00",
                                    "end_time": "10:00", "mode": "onsite", "service_types": ["consultation"],
                                    "content": "解答问题"}).record
    person = st.people.get_person(people[1])
    st.drafts.save_draft(f"case:{case['uid']}:refuse", "case_step",
                         {"outcome_on": dt.date.today().isoformat(), "refusal_reason": "已起诉至法院"}, case["uid"])
    visit_form = {k: visit[k] for k in ("adviser_uid", "village_uid", "visit_date", "mode", "service_types")}
    st.drafts.save_draft(f"visit:edit:{visit['uid']}", "visit_edit",
                         {**visit_form, "start_time": "09:00", "end_time": "10:00", "attendees": "",
                          "content": "解答问题，并发放宣传册", "_meta": {"version": visit["version"]}}, visit["uid"])
    st.drafts.save_draft(f"person:edit:{person['uid']}", "person_edit",
                         {"name": "李四海", "gender": "男", "id_number": "", "phone": "", "address": "五沟村",
                          "special_groups": [], "_meta": {"version": person["version"]}}, person["uid"])
    folder = st.data_dir
    st.close()
    app = _start(folder, qtbot)
    try:
        win = app.window
        qtbot.waitUntil(lambda: "草稿" in win.statusBar().currentMessage(), timeout=5000)
        assert all(n in win.statusBar().currentMessage() for n in ("人民调解", "村居法律顾问", "当事人"))
        med = win.page("MediationPage")
        reason = find(med, "不予受理理由", QPlainTextEdit, visible=False)
        qtbot.waitUntil(lambda: reason.toPlainText() == "已起诉至法院", timeout=5000)
        assert med.case_page.uid == case["uid"]
        assert "已恢复" in find(med, "不予受理草稿提示", QLabel, visible=False).text()
        visits = win.page("VisitsPage")
        content = find(visits, "服务内容", QPlainTextEdit, visible=False)
        qtbot.waitUntil(lambda: content.toPlainText() == "解答问题，并发放宣传册", timeout=5000)
        assert visit["number"] in find(visits, "修改提示", QLabel, visible=False).text()
        qtbot.waitUntil(lambda: win.page("PeoplePage").dialog is not None, timeout=5000)
        dlg = win.page("PeoplePage").dialog
        qtbot.waitUntil(lambda: find(dlg, "住址", QLineEdit, visible=False).text() == "五沟村", timeout=5000)
        assert "已恢复" in find(dlg, "草稿提示", QLabel, visible=False).text()
        dlg.save()  # saving the recovered edit updates the person it was made on
        qtbot.waitUntil(lambda: not dlg.isVisible(), timeout=5000)
        idle(qtbot, app)
        assert app.station.people.get_person(person["uid"])["address"] == "五沟村"
    finally:
        _stop(app, qtbot)


def test_a_step_recorded_while_editing_the_facts_does_not_make_the_edit_stale(gui: Any, qtbot: Any) -> None:
    page = go(qtbot, gui, 3)
    case = _case(gui)
    _open_case(qtbot, gui, page, case["uid"])
    click(qtbot, find(page, "修改案情"))
    _replace_text(qtbot, find(page, "纠纷简要情况", QPlainTextEdit), "排水沟纠纷，已持续两年")
    find(page, "孙德胜", QCheckBox).setChecked(True)
    click(qtbot, find(page, "受理"))  # the user's own step: a newer case version that leaves the facts alone
    qtbot.waitUntil(lambda: find(page, "案件状态", QLabel).text() == "状态：已受理", timeout=5000)
    idle(qtbot, gui)
    click(qtbot, find(page, "保存案情修改"))
    summary = find(page, "申请情况", QLabel, visible=False)
    qtbot.waitUntil(lambda: summary.isVisible() and "已持续两年" in summary.text(), timeout=5000)
    idle(qtbot, gui)
    after = gui.station.mediation.get_case(case["uid"])
    assert after["facts"] == "排水沟纠纷，已持续两年" and after["status"] == "accepted"


def test_a_newer_version_that_changed_the_facts_keeps_the_edit_stale(gui: Any, qtbot: Any) -> None:
    page = go(qtbot, gui, 3)
    case = _case(gui)
    _open_case(qtbot, gui, page, case["uid"])
    click(qtbot, find(page, "修改案情"))
    _replace_text(qtbot, find(page, "纠纷简要情况", QPlainTextEdit), "我的版本")
    gui.station.mediation.update_case(case["uid"], {"facts": "同事的版本"}, base_version=case["version"])
    find(page, "孙德胜", QCheckBox).setChecked(True)
    click(qtbot, find(page, "受理"))  # the page reloads the case: its facts differ from where the edit began
    qtbot.waitUntil(lambda: find(page, "案件状态", QLabel).text() == "状态：已受理", timeout=5000)
    idle(qtbot, gui)
    click(qtbot, find(page, "保存案情修改"))
    error = find(page, "保存失败原因", QLabel, visible=False)
    qtbot.waitUntil(error.isVisible, timeout=5000)
    assert "已被修改" in error.text()
    idle(qtbot, gui)
    assert gui.station.mediation.get_case(case["uid"])["facts"] == "同事的版本"


def test_editing_a_person_into_a_likely_duplicate_warns_and_saves_on_confirmation(gui: Any, qtbot: Any) -> None:
    page, uid = _show_person(qtbot, gui, "张三丰")
    click(qtbot, find(page, "修改当事人信息"))
    dlg = dialog("person_dialog")
    type_text(qtbot, find(dlg, "身份证号码", QLineEdit), VALID_ID)  # 王桂英's ID number
    click(qtbot, find(dlg, "保存当事人"))
    warning = find(dlg, "重复提示", QLabel, visible=False)
    qtbot.waitUntil(warning.isVisible, timeout=5000)
    assert "王桂英" in warning.text() and "仍然保存" in warning.text()
    assert not find(dlg, "使用已有当事人", visible=False).isVisible()
    assert "张三丰" not in warning.text()  # the person being edited is not its own duplicate
    assert find(dlg, "保存当事人").text() == "仍然保存"
    click(qtbot, find(dlg, "保存当事人"))
    qtbot.waitUntil(lambda: not dlg.isVisible(), timeout=5000)
    idle(qtbot, gui)
    assert gui.station.people.get_person(uid)["id_number"] == VALID_ID
