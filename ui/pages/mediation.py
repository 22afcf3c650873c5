"""人民调解: case list, and a case page that walks the legal order step by step.

Each step shows what the core says is still missing (``next_steps``); its button
is enabled only when nothing is.
"""
from __future__ import annotations


from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtWidgets import (QComboBox, QGroupBox, QHBoxLayout, QLabel, QPushButton, QScrollArea,
                               QStackedWidget, QVBoxLayout, QWidget)

from station import codes

from ..qtcompat import emit
from ..widgets.export_excel import ExportButton
from ..models.record_table import Column, RecordTable, RecordTableModel
from ..widgets.drafting import DraftKeeper, draft_banner
from ..widgets.editing import EditBar
from ..widgets.field_form import Field, FieldForm, MultiCheck
from ..widgets.person_picker import PartyList
from .base import OK_STYLE, Page, title_label

MISSING_STYLE = "color: #8a5300;"
NEW_KEY = "case:new"
EDIT_FORM, STEP_FORM = "case_edit", "case_step"  # drafts keyed case:edit:<uid> and case:<uid>:<step>
OPEN_STATUSES = ("applied", "accepted", "mediating")  # the core allows editing the facts only then
EDITED = ("applied_on", "dispute_type", "source", "title", "facts", "claims", "amount")  # what 修改案情 changes


def _edited_part(case: dict[str, Any]) -> tuple[Any, ...]:
    """The part of a case that 修改案情 shows and saves (to tell whether a newer version touched it)."""
    parties = tuple((p["side"], p["person_uid"], p.get("agent_uid")) for p in case["parties"])
    return (*(case.get(k) for k in EDITED), parties)


@dataclass
class Step:
    action: str  # key of next_steps
    title: str
    button: str
    service: str  # station.services.mediation.<service>
    fields: Callable[["CasePage"], list[Field]]
    also: tuple[str, ...] = ()  # other next_steps keys that allow this step


def _mediators(page: "CasePage") -> MultiCheck:
    page.mediators = MultiCheck({s["uid"]: s["name"] for s in page.ref.get("staff", [])
                                 if "mediator" in s["roles"]}, 3)
    return page.mediators


STEPS = [
    Step("accept", "二、受理", "受理", "accept_case", lambda p: [
        Field("accepted_on", "受理日期", "date"),
        Field("mediator_uids", "人民调解员", widget=_mediators(p), required=True)]),
    Step("refuse", "　或：不予受理", "不予受理", "refuse_case", lambda p: [
        Field("outcome_on", "不予受理日期", "date"),
        Field("refusal_reason", "不予受理理由", "text", required=True, height=50)]),
    Step("session", "三、调查与调解", "登记调解记录", "record_session", lambda p: [
        Field("kind", "记录类型", "choice", {"mediation": "调解", "investigation": "调查"}, blank=False),
        Field("held_at", "调解时间", "datetime"), Field("place", "调解地点"),
        Field("attendees", "到场当事人"), Field("record", "调解记录", "text", required=True)]),
    Step("agree", "四、调解结果：达成协议", "登记调解协议", "record_agreement", lambda p: [
        Field("outcome", "协议形式", "choice", {"written": "书面协议", "oral": "口头协议"}, blank=False),
        Field("outcome_on", "协议日期", "date"),
        Field("terms", "协议内容", "lines", required=True, placeholder="每行一条"),
        Field("performance_method", "履行方式"), Field("performance_deadline", "履行期限", "date"),
        Field("copies", "协议份数", "number")]),
    Step("fail", "　或：调解不成 / 终止 / 撤回", "登记调解终结", "record_failure", lambda p: [
        Field("outcome", "终结方式", "choice", {"failed": "调解不成", "terminated": "终止调解",
                                           "withdrawn": "当事人撤回"}, blank=False),
        Field("outcome_on", "终结日期", "date"), Field("outcome_reason", "终结原因", "text", required=True, height=50)],
         also=("withdraw",)),
    Step("follow_up", "五、回访", "登记回访", "record_follow_up", lambda p: [
        Field("visited_on", "回访日期", "date"),
        Field("performance_status", "履行情况", "choice", codes.PERFORMANCE_STATUSES, blank=False),
        Field("satisfaction", "当事人满意度", "choice", codes.SATISFACTION),
        Field("notes", "回访情况", "text", required=True, height=50)]),
    Step("judicial", "六、司法确认", "登记司法确认", "record_judicial_confirmation", lambda p: [
        Field("jc_applied_on", "申请司法确认日期", "date"), Field("jc_court", "受理法院", required=True),
        Field("jc_result", "司法确认结果", "choice", codes.JC_RESULTS, blank=False),
        Field("jc_decided_on", "裁定日期", "date")]),
    Step("close", "七、结案", "结案", "close_case", lambda p: [Field("closed_on", "结案日期", "date")]),
    Step("archive", "八、归档", "归档", "archive_case", lambda p: [Field("archived_on", "归档日期", "date")]),
]


def case_columns(ref: dict[str, Any]) -> list[Column]:
    def types() -> dict[str, str]:
        return ref.get("dispute_types", {})
    return [
        Column("number", "编号", lambda r: r["display_number"] or r["number"], 190),
        Column("title", "纠纷名称", width=200),
        Column("dispute_type", "纠纷类型", lambda r: types().get(r["dispute_type"], r["dispute_type"]), 120),
        Column("status", "状态", lambda r: codes.CASE_STATUSES.get(r["status"], r["status"]), 90),
        Column("applied_on", "申请日期", width=100),
        Column("facts", "简要情况", lambda r: (r["facts"] or "").replace("\n", " ")[:50]),
    ]


class CasePage(QWidget):
    """One case (or a new application), its steps in the legal order."""

    def __init__(self, page: "MediationPage") -> None:
        super().__init__()
        self.page, self.worker, self.ref = page, page.worker, page.ref
        self.uid: str | None = None
        self.case: dict[str, Any] | None = None
        self.mediators: MultiCheck | None = None
        self.heading = title_label("新案件申请")
        self.heading.setAccessibleName("案件标题")
        self.status = QLabel()
        self.status.setAccessibleName("案件状态")
        back = QPushButton("← 返回案件列表")
        back.setAccessibleName("返回案件列表")
        back.clicked.connect(page.show_list)
        self.print_form = QComboBox()
        self.print_form.setAccessibleName("打印文书")
        self.print_form.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.print_btn = QPushButton("打印（Ctrl+P）")
        self.print_btn.setAccessibleName("打印")
        self.print_btn.clicked.connect(self.print_)
        top = QHBoxLayout()
        top.addWidget(back)
        top.addWidget(self.heading, 1)
        top.addWidget(self.status)
        top.addWidget(self.print_form)
        top.addWidget(self.print_btn)
        # step 1: application
        self.parties = PartyList(self.worker)
        self.apply_form = FieldForm([
            Field("applied_on", "申请日期", "date"),
            Field("dispute_type", "纠纷类型", "choice", {}, required=True),
            Field("source", "案件来源", "choice", codes.CASE_SOURCES, blank=False),
            Field("title", "纠纷名称"),
            Field("parties", "当事人", widget=self.parties, required=True),
            Field("facts", "纠纷简要情况", "text", required=True),
            Field("claims", "申请事项", "text", height=50),
            Field("amount", "涉及金额（元）", "number"),
        ])
        self.banner = draft_banner()
        self.drafts = DraftKeeper(self.worker, self.apply_form, NEW_KEY, "case", self.banner)
        self.edit_bar = EditBar()
        self.edit_bar.cancelled.connect(self.cancel_edit)
        self.apply_btn = QPushButton("提交申请")
        self.apply_btn.setAccessibleName("提交申请")
        self.apply_btn.clicked.connect(self.apply)
        self.update_btn = QPushButton("保存修改")
        self.update_btn.setAccessibleName("保存案情修改")
        self.update_btn.clicked.connect(self.save_edit)
        self.update_btn.hide()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("申请情况")
        self.edit_btn = QPushButton("修改案情")
        self.edit_btn.setAccessibleName("修改案情")
        self.edit_btn.setToolTip("修改纠纷类型、当事人、简要情况和申请事项（结案前可改）")
        self.edit_btn.clicked.connect(lambda: self.start_edit())
        self.edit_btn.hide()
        apply_box = QGroupBox("一、申请")
        al = QVBoxLayout(apply_box)
        al.addWidget(self.edit_bar)
        al.addWidget(self.banner)
        al.addWidget(self.apply_form)
        buttons = QHBoxLayout()
        buttons.addWidget(self.apply_btn)
        buttons.addWidget(self.update_btn)
        buttons.addStretch(1)
        al.addLayout(buttons)
        al.addWidget(self.summary)
        edit_row = QHBoxLayout()
        edit_row.addWidget(self.edit_btn)
        edit_row.addStretch(1)
        al.addLayout(edit_row)
        self.apply_box = apply_box
        body = QWidget()
        self.body_layout = QVBoxLayout(body)
        self.body_layout.addWidget(apply_box)
        self.steps: dict[str, tuple[Step, QGroupBox, QLabel, FieldForm, QPushButton, QLabel]] = {}
        self.step_drafts: dict[str, DraftKeeper] = {}
        self._drafts_uid: str | None = None  # the case the step drafts point at
        for step in STEPS:
            self._add_step(step)
        self.body_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        self.scroll = scroll
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        lay.addWidget(scroll, 1)

    def _add_step(self, step: Step) -> None:
        box = QGroupBox(step.title)
        missing = QLabel()
        missing.setWordWrap(True)
        missing.setStyleSheet(MISSING_STYLE)
        missing.setAccessibleName(f"{step.button}尚缺")
        form = FieldForm(step.fields(self))
        banner = draft_banner()
        banner.setAccessibleName(f"{step.button}草稿提示")
        keeper = DraftKeeper(self.worker, form, f"case:-:{step.action}", STEP_FORM, banner)
        # a recovered draft of a step the case no longer allows stays put, unannounced, with its form
        keeper.draft_restored.connect(lambda _m, f=form, b=banner: b.setVisible(not f.isHidden()))
        self.step_drafts[step.action] = keeper
        btn = QPushButton(step.button)
        btn.setAccessibleName(step.button)
        btn.clicked.connect(lambda _c=False, s=step: self.run_step(s))
        history = QLabel()
        history.setWordWrap(True)
        history.setAccessibleName(f"{step.button}记录")
        lay = QVBoxLayout(box)
        lay.addWidget(missing)
        lay.addWidget(banner)
        lay.addWidget(form)
        row = QHBoxLayout()
        row.addWidget(btn)
        row.addStretch(1)
        lay.addLayout(row)
        lay.addWidget(history)
        self.body_layout.addWidget(box)
        self.steps[step.action] = (step, box, missing, form, btn, history)

    def set_reference(self, ref: dict[str, Any]) -> None:
        with self.drafts.suspend():
            self.apply_form.set_choices("dispute_type", ref.get("dispute_types", {}))
        if self.mediators is not None:
            form = self.steps["accept"][3]
            new = MultiCheck({s["uid"]: s["name"] for s in ref.get("staff", []) if "mediator" in s["roles"]}, 3)
            form.replace_input("mediator_uids", new)
            self.mediators = new

    # new application ---------------------------------------------------------------------
    def start_new(self) -> None:
        self.uid, self.case = None, None
        self.edit_bar.stop()
        self.update_btn.hide()
        self.edit_btn.hide()
        self.drafts.retarget(NEW_KEY, "case")
        self.print_form.hide()
        self.print_btn.hide()
        self.heading.setText("新案件申请")
        self.status.setText("")
        self.apply_form.show()
        self.apply_btn.show()
        self.summary.hide()
        for _s, box, *_ in self.steps.values():
            box.hide()
        with self.drafts.suspend():
            self.apply_form.reset()
        self.drafts.mark_clean()
        self.drafts.restore()
        self.apply_form.first_input().setFocus()

    def apply(self) -> None:
        if self.uid is not None:
            return  # the form is editing an open case: 保存修改 saves it
        data = self.apply_form.values()
        self.drafts.timer.stop()
        self.page.write(lambda st: st.drafts.submit(NEW_KEY, "mediation", "apply_case", data),
                        self.apply_form, {"case", "person"}, self._applied)

    def _applied(self, saved: Any) -> None:
        self.drafts.saved()
        with self.drafts.suspend():
            self.apply_form.reset()
        self.drafts.mark_clean()
        self.open(saved.uid)

    # editing the facts of an open case ----------------------------------------------------
    def start_edit(self, draft: dict[str, Any] | None = None) -> None:
        """Bring the application's fields into the form; 保存修改 updates the case (with its version)."""
        c = self.case
        if c is None:
            return
        self.drafts.retarget(f"case:edit:{c['uid']}", EDIT_FORM, c["uid"], {"version": c["version"]})
        parties = [{"side": p["side"], "person": p["person"]["uid"], "name": p["person"]["name"],
                    **({"agent": p["agent"]["uid"], "agent_kind": p["agent_kind"]} if p.get("agent") else {})}
                   for p in c["parties"] if p.get("person")]
        values = {k: c.get(k) for k in EDITED if k != "amount"}
        values.update(parties=parties, amount="" if c.get("amount") is None else f"{c['amount']:g}")
        with self.drafts.suspend():
            self.apply_form.reset(values)
        self.drafts.mark_clean()
        number = c["display_number"] or c["number"]
        self.edit_bar.start(c, f"正在修改案情：{number}（保存将更新本案；点“取消修改”放弃）")
        self.apply_form.show()
        self.update_btn.show()
        self.edit_btn.hide()
        self.summary.hide()
        if draft is not None:
            self.drafts.apply(draft)
        self.apply_form.inputs["facts"].setFocus()

    def save_edit(self) -> None:
        uid, key = self.uid, self.drafts.key
        if uid is None or not self.edit_bar.editing:
            return
        data = self.apply_form.values()
        version = self.drafts.meta.get("version")
        self.drafts.timer.stop()
        self.page.write(lambda st: st.drafts.submit(key, "mediation", "update_case", uid, data, base_version=version),
                        self.apply_form, {"case", "person"}, self._edited)

    def _edited(self, saved: Any) -> None:
        self.drafts.saved()
        self._end_edit()
        self.page.status(f"已修改案情：{saved.record['display_number'] or saved.record['number']}")
        self.open(saved.uid)

    def cancel_edit(self) -> None:
        if self.edit_bar.editing:
            self.drafts.discard()
            self._end_edit()
            if self.case is not None:
                self.summary.show()
                self.edit_btn.setVisible(self.case["status"] in OPEN_STATUSES)

    def _end_edit(self) -> None:
        self.edit_bar.stop()
        self.drafts.retarget(NEW_KEY, "case")
        with self.drafts.suspend():
            self.apply_form.reset()
        self.drafts.mark_clean()
        self.apply_form.hide()
        self.update_btn.hide()

    # an existing case --------------------------------------------------------------------
    def open(self, uid: str) -> None:
        if self.edit_bar.editing and uid != self.uid:
            self._end_edit()  # its draft stays: it comes back when this case is opened again
        self.uid = uid

        def op(st: Any) -> tuple[dict[str, Any], dict[str, list[str]], list[tuple[str, str]]]:
            from station import printing  # ReportLab loads on the DB thread, never on the GUI thread
            case = st.mediation.get_case(uid)
            return case, st.mediation.next_steps(uid), [(f.key, f.title) for f in printing.forms_for(case)]
        self.worker.run(op, self._loaded)

    def print_(self) -> None:
        """Lay out the chosen form on the DB thread, then preview it; printing or saving logs it."""
        uid, form = self.uid, self.print_form.currentData()
        if not uid or not form:
            return
        self.print_btn.setEnabled(False)
        self.page.status("正在生成文书…")
        title = self.print_form.currentText()

        def op(st: Any) -> tuple[bytes, Any]:
            from station import printing
            return printing.build(st, form, uid)

        def done(result: tuple[bytes, Any]) -> None:
            from ..widgets.print_preview import PrintPreview
            pdf, built = result
            self.print_btn.setEnabled(True)
            self.page.status(f"已生成：{title}（{len(pdf) // 1024} KB），请在预览中打印或另存")
            number = (self.case or {}).get("display_number") or (self.case or {}).get("number", uid[:8])

            def logged(copies: int) -> None:
                def log(st: Any) -> None:
                    from dataclasses import replace

                    from station import printing
                    printing.log_print(st, form, replace(built, copies=copies), pdf, st.actor_uid)
                self.worker.run(log, lambda _r: self.page.status(f"已打印：{title}，{copies} 份（已记录）"))
            self.preview = PrintPreview(pdf, title, built.copies, f"{number}-{title}.pdf", logged, self.page)
            self.preview.open()

        def failed(exc: BaseException) -> None:
            self.print_btn.setEnabled(True)
            self.page.status(f"未能生成文书：{exc}")
        self.worker.run(op, done, failed)

    def _loaded(self, result: tuple[dict[str, Any], dict[str, list[str]], list[tuple[str, str]]]) -> None:
        case, steps, forms = result
        self.print_form.clear()
        for key, title in forms:
            self.print_form.addItem(title, key)
        self.print_form.setVisible(bool(forms))
        self.print_btn.setVisible(bool(forms))
        if case["uid"] != self.uid:
            return
        self.case = case
        self.heading.setText(f"{case['display_number'] or case['number']}　{case['title']}")
        self.status.setText(f"状态：{codes.CASE_STATUSES[case['status']]}")
        self.apply_btn.hide()
        if self.edit_bar.editing:
            self._rebase_edit(case)
        else:
            self.apply_form.hide()
            self.banner.hide()
        parties = "；".join(f"{codes.PARTY_SIDES[p['side']]}：{p['person']['name']}" for p in case["parties"])
        types = self.ref.get("dispute_types", {})
        self.summary.setText(f"申请日期：{case['applied_on']}　纠纷类型：{types.get(case['dispute_type'], '')}"
                             f"　来源：{codes.CASE_SOURCES.get(case['source'], '')}\n当事人：{parties}\n"
                             f"纠纷简要情况：{case['facts']}\n申请事项：{case['claims']}")
        self.summary.setVisible(not self.edit_bar.editing)
        self.edit_btn.setVisible(case["status"] in OPEN_STATUSES and not self.edit_bar.editing)
        if case["uid"] != self._drafts_uid:
            self._point_drafts(case)
        for action, (step, box, missing, form, btn, history) in self.steps.items():
            lacking = [steps[a] for a in (action, *step.also)]
            allowed = any(not m for m in lacking)
            box.show()
            form.setVisible(allowed)
            btn.setEnabled(allowed)
            first = lacking[0]
            if allowed:
                missing.setText("可以办理")
                missing.setStyleSheet(OK_STYLE)
            else:
                missing.setStyleSheet(MISSING_STYLE)
                missing.setText(first[0] if first[0].startswith("案件当前为") else "尚缺：" + "、".join(first))
            history.setText(self._history(action, case))
            history.setVisible(bool(history.text()))

    def _rebase_edit(self, case: dict[str, Any]) -> None:
        """A newer version arrived while the facts are being edited (e.g. this user recorded a session
        below). If it left the edited part alone, the edit now builds on it; otherwise the old base
        version stays and saving is refused as stale."""
        base = self.edit_bar.record
        if (base is not None and case["version"] != base["version"] and self.drafts.meta.get("version") ==
                base["version"] and _edited_part(case) == _edited_part(base)):
            self.drafts.meta["version"] = case["version"]
            self.edit_bar.record = case

    def _point_drafts(self, case: dict[str, Any]) -> None:
        """Step forms (and an edit of the facts) keep one draft per case; bring back this case's."""
        uid = case["uid"]
        self._drafts_uid = uid
        for action, keeper in self.step_drafts.items():
            keeper.retarget(f"case:{uid}:{action}", STEP_FORM, uid)
            with keeper.suspend():
                self.steps[action][3].reset()
            keeper.mark_clean()
            keeper.restore()
        self.worker.run(lambda st: st.drafts.load_draft(f"case:edit:{uid}"), self._edit_draft)

    def _edit_draft(self, draft: dict[str, Any] | None) -> None:
        if draft and self.case is not None and draft["record_uid"] == self.case["uid"] and not self.edit_bar.editing:
            self.start_edit(draft)

    def _history(self, action: str, c: dict[str, Any]) -> str:
        names = self.ref.get("staff_names", {})
        if action == "accept" and c["accepted_on"]:
            return f"已于 {c['accepted_on']} 受理，调解员：{'、'.join(names.get(u, '') for u in c['mediator_uids'])}"
        if action == "refuse" and c["refused_on"]:
            return f"已于 {c['refused_on']} 不予受理：{c['refusal_reason']}"
        if action == "session":
            return "\n".join(f"{s['held_at'][:16]} {codes.SESSION_KINDS[s['kind']]}（{s['place']}）：{s['record'][:60]}"
                             for s in c["sessions"])
        if action == "agree" and c["outcome"] in ("written", "oral"):
            return (f"{codes.OUTCOMES[c['outcome']]}，{c['outcome_on']}：" + "；".join(c["terms"])
                    + (f"　履行期限：{c['performance_deadline']}" if c["performance_deadline"] else ""))
        if action == "fail" and c["outcome"] in ("failed", "terminated", "withdrawn"):
            return f"{codes.OUTCOMES[c['outcome']]}，{c['outcome_on']}：{c['outcome_reason']}"
        if action == "follow_up":
            return "\n".join(f"{f['visited_on']} {codes.PERFORMANCE_STATUSES[f['performance_status']]}：{f['notes']}"
                             for f in c["follow_ups"])
        if action == "judicial" and c["jc_applied_on"]:
            return f"{c['jc_applied_on']} 向{c['jc_court']}申请，{codes.JC_RESULTS.get(c['jc_result'] or '', '')}"
        if action == "close" and c["closed_on"]:
            return f"已于 {c['closed_on']} 结案"
        if action == "archive" and c["archived_on"]:
            return f"已于 {c['archived_on']} 归档"
        return ""

    def run_step(self, step: Step) -> None:
        uid = self.uid
        if not uid:
            return
        form = self.steps[step.action][3]
        data = form.values()
        if step.action == "judicial" and data.get("jc_result") == "pending":
            data["jc_decided_on"] = None
        if step.action == "agree" and data.get("outcome") == "oral":
            data["performance_deadline"] = data["performance_deadline"] or None
        fn, keeper = step.service, self.step_drafts[step.action]
        key = keeper.key
        keeper.timer.stop()
        self.page.write(lambda st: st.drafts.submit(key, "mediation", fn, uid, data), form, {"case"},
                        lambda _r: self._step_done(form, keeper))

    def _step_done(self, form: FieldForm, keeper: DraftKeeper) -> None:
        keeper.saved()
        with keeper.suspend():
            form.reset()
        keeper.mark_clean()
        if self.uid:
            self.open(self.uid)


class MediationPage(Page):
    TITLE = "人民调解"

    def __init__(self, worker: Any, bus: Any, ref: dict[str, Any]) -> None:
        super().__init__(worker, bus)
        self.ref = ref
        self.model = RecordTableModel(worker, "case", case_columns(ref))
        self.table = RecordTable(self.model, "案件列表")
        self.table.opened.connect(lambda r: self.open_case(r["uid"]))
        self.status_filter = QComboBox()
        self.status_filter.setAccessibleName("按状态筛选")
        self.status_filter.addItem("全部", None)
        for code, label in codes.CASE_STATUSES.items():
            self.status_filter.addItem(label, code)
        self.status_filter.currentIndexChanged.connect(
            lambda _i: self.model.set_filters({"status": self.status_filter.currentData()}))
        new_btn = QPushButton("新案件申请（Ctrl+N）")
        new_btn.setAccessibleName("新案件申请")
        new_btn.clicked.connect(self.new)
        self.count = QLabel()
        self.model.total_changed.connect(lambda n: self.count.setText(f"共 {n:,} 件"))
        listing = QWidget()
        ll = QVBoxLayout(listing)
        top = QHBoxLayout()
        top.addWidget(title_label("调解案件"))
        top.addStretch(1)
        filter_label = QLabel("状态：")
        filter_label.setBuddy(self.status_filter)  # the visible label of the filter
        top.addWidget(filter_label)
        top.addWidget(self.status_filter)
        top.addWidget(self.count)
        self.export = ExportButton(self, "case")
        top.addWidget(self.export)
        top.addWidget(new_btn)
        ll.addLayout(top)
        ll.addWidget(self.table)
        self.case_page = CasePage(self)
        self.stack = QStackedWidget()
        self.stack.addWidget(listing)
        self.stack.addWidget(self.case_page)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.stack)
        self._started = False

    def set_reference(self, ref: dict[str, Any]) -> None:
        self.case_page.set_reference(ref)
        if not self._started:
            self._started = True
            self.model.reload()
            self.worker.run(lambda st: [d for d in st.drafts.list_drafts()
                                        if d["form"] in ("case", EDIT_FORM, STEP_FORM)], self._resume_drafts)

    def _resume_drafts(self, drafts: list[dict[str, Any]]) -> None:
        """After a crash: a new application's draft opens the form; else the case with an unsaved step."""
        if any(d["form"] == "case" for d in drafts):
            self.new()
        elif drafts:
            self.open_case(drafts[0]["record_uid"])

    def refresh(self, kinds: set[str]) -> None:
        if "case" in kinds:
            self.model.reload()

    def show_list(self) -> None:
        self.stack.setCurrentIndex(0)
        self.model.reload()
        self.table.setFocus()

    def new(self) -> None:
        self.stack.setCurrentIndex(1)
        self.case_page.start_new()

    def save(self) -> None:
        if self.stack.currentIndex() == 1 and self.case_page.uid is None:
            self.case_page.apply()
        elif self.stack.currentIndex() == 1 and self.case_page.edit_bar.editing:
            self.case_page.save_edit()

    def find(self) -> None:
        self.show_list()

    def print_(self) -> None:
        if self.stack.currentIndex() == 1 and self.case_page.uid:
            self.case_page.print_()
        else:
            self.status("请先打开一个案件再打印")

    def status(self, text: str) -> None:
        emit(self.bus.status_shown, text)

    def open_case(self, uid: str) -> None:
        self.stack.setCurrentIndex(1)
        self.case_page.open(uid)
