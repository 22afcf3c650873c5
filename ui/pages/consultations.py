"""来访咨询: register a walk-in with the keyboard alone, and the ledger of past ones."""
from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (QComboBox, QDialog, QHBoxLayout, QLabel, QPushButton, QTextBrowser, QVBoxLayout, QWidget)

from station import codes

from ..models.record_table import Column, RecordTable, RecordTableModel
from ..widgets.export_excel import ExportButton
from ..widgets.drafting import DraftKeeper, draft_banner
from ..widgets.editing import EditBar
from ..widgets.field_form import Field, FieldForm, fill_combo
from ..widgets.person_picker import PersonPicker
from .base import OK_STYLE, Page, form_column, split_layout, title_label

DRAFT_KEY = "consultation:new"
EDIT_FORM = "consultation_edit"  # drafts of edits are keyed consultation:edit:<uid>
FORM_KEYS = ("category_code", "question", "answer", "handling", "referral_target", "satisfaction",
             "occurred_at", "channel", "staff_uid")


def consultation_columns(ref: dict[str, Any]) -> list[Column]:
    def cats() -> dict[str, str]:
        return ref.get("categories", {})  # looked up per row: the reference data reloads
    return [
        Column("number", "编号", width=215),
        Column("occurred_at", "咨询时间", lambda r: (r["occurred_at"] or "")[:16], 130),
        Column("category_code", "类别", lambda r: cats().get(r["category_code"], r["category_code"]), 145),
        Column("handling", "处理方式", lambda r: codes.HANDLINGS.get(r["handling"], ""), 120),
        Column("question", "咨询事项", lambda r: (r["question"] or "").replace("\n", " ")[:60]),
    ]


class ConsultationPage(Page):
    TITLE = "来访咨询"

    def __init__(self, worker: Any, bus: Any, ref: dict[str, Any]) -> None:
        super().__init__(worker, bus)
        self.ref = ref
        self.picker = PersonPicker(worker)
        self.form = FieldForm([
            Field("persons", "咨询人", widget=self.picker, required=True),
            Field("category_code", "咨询类别", "choice", {}, required=True),
            Field("question", "咨询事项", "text", required=True, placeholder="来访人反映的问题"),
            Field("answer", "答复意见", "text", placeholder="当场解答的内容"),
            Field("handling", "处理方式", "choice", codes.HANDLINGS, blank=False),
            Field("referral_target", "转介去向", "choice", codes.REFERRAL_TARGETS),
            Field("satisfaction", "满意度", "choice", codes.SATISFACTION),
            Field("occurred_at", "咨询时间", "datetime"),
            Field("channel", "接待方式", "choice", codes.CHANNELS, blank=False),
            Field("staff_uid", "接待人", "choice", {}),
        ])
        self.banner = draft_banner()
        self.drafts = DraftKeeper(worker, self.form, DRAFT_KEY, "consultation", self.banner)
        self.edit_bar = EditBar()
        self.edit_bar.cancelled.connect(self.cancel_edit)
        self.result = QLabel()
        self.result.setStyleSheet(OK_STYLE)
        self.result.setAccessibleName("保存结果")
        self.save_btn = QPushButton("保存（Ctrl+S）")
        self.save_btn.setAccessibleName("保存咨询")
        self.save_btn.clicked.connect(self.save)
        clear_btn = QPushButton("清空")
        clear_btn.setAccessibleName("清空表单")
        clear_btn.clicked.connect(self.clear_form)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_btn)
        buttons.addWidget(clear_btn)
        buttons.addStretch(1)

        scroll = form_column("登记来访咨询", self.edit_bar, self.banner, self.form, buttons, self.result)

        self.model = RecordTableModel(worker, "consultation", consultation_columns(ref))
        self.table = RecordTable(self.model, "咨询台账")
        self.table.opened.connect(self.open_record)
        self.filter = QComboBox()
        self.filter.setAccessibleName("按类别筛选")
        self.filter.currentIndexChanged.connect(
            lambda _i: self.model.set_filters({"category_code": self.filter.currentData()}))
        self.count = QLabel()
        self.count.setAccessibleName("台账条数")
        self.model.total_changed.connect(lambda n: self.count.setText(f"共 {n:,} 条"))
        right = QWidget()
        rl = QVBoxLayout(right)
        top = QHBoxLayout()
        top.addWidget(title_label("咨询台账"))
        top.addStretch(1)
        filter_label = QLabel("类别：")
        filter_label.setBuddy(self.filter)  # the visible label of the filter
        top.addWidget(filter_label)
        top.addWidget(self.filter)
        top.addWidget(self.count)
        self.export = ExportButton(self, "consultation")
        top.addWidget(self.export)
        rl.addLayout(top)
        rl.addWidget(self.table)

        split_layout(self, scroll, right)
        self._started = False

    def set_reference(self, ref: dict[str, Any]) -> None:
        with self.drafts.suspend():
            self.form.set_choices("category_code", ref.get("categories", {}))
            self.form.set_choices("staff_uid", {s["uid"]: s["name"] for s in ref.get("staff", [])})
        fill_combo(self.filter, ref.get("categories", {}))
        self.filter.setItemText(0, "全部")
        if not self._started:
            self._started = True
            self.drafts.mark_clean()
            self.drafts.restore()
            self.model.reload()
            self.worker.run(lambda st: [d for d in st.drafts.list_drafts() if d["form"] == EDIT_FORM][:1],
                            self._resume_edit)

    def refresh(self, kinds: set[str]) -> None:
        if "consultation" in kinds:
            self.model.reload()

    def new(self) -> None:
        self.picker.setFocus()

    def find(self) -> None:
        self.table.setFocus()

    def clear_form(self) -> None:
        if self.edit_bar.editing:
            self.cancel_edit()
            return
        with self.drafts.suspend():
            self.form.reset()
        self.drafts.mark_clean()
        self.drafts.discard()
        self.picker.setFocus()

    def data(self) -> dict[str, Any]:
        v = self.form.values()
        chosen = v["persons"]
        v["persons"] = [chosen] if chosen else []
        if self.edit_bar.record is not None:
            # the form shows the first person only: the others (and everyone's role) stay as they were
            others = [{"uid": p["person"]["uid"], "role": p["role"]} for p in self.edit_bar.record["persons"]]
            first = {"uid": chosen, "role": others[0]["role"]} if chosen and others else chosen
            v["persons"] = ([first] if chosen else []) + others[1:] if others else v["persons"]
        return v

    def save(self) -> None:
        data = self.data()
        self.drafts.timer.stop()
        key = self.drafts.key
        if self.edit_bar.record is not None:
            uid, version = self.edit_bar.record["uid"], self.drafts.meta.get("version")
            self.write(lambda st: st.drafts.submit(key, "consultations", "update_consultation", uid, data,
                                                   base_version=version),
                       self.form, {"consultation", "person"}, self._saved)
            return
        self.write(lambda st: st.drafts.submit(key, "consultations", "record_consultation", data),
                   self.form, {"consultation", "person"}, self._saved)

    def _saved(self, saved: Any) -> None:
        self.drafts.saved()
        if self.edit_bar.editing:
            self.result.setText(f"已修改：{saved.record['number']}")
            self._back_to_new()
        else:
            self.result.setText(f"已保存：{saved.record['number']}")
            with self.drafts.suspend():
                self.form.reset()
            self.drafts.mark_clean()
        self.model.reload()
        self.picker.setFocus()

    # editing an existing consultation -----------------------------------------------------
    def open_record(self, record: dict[str, Any]) -> None:
        """Double-click/Enter in the ledger: the consultation comes into the form for editing."""
        uid = record["uid"]
        self.worker.run(lambda st: st.consultations.get_consultation(uid), self._edit)

    def _edit(self, c: dict[str, Any], draft: dict[str, Any] | None = None) -> None:
        self.drafts.retarget(f"consultation:edit:{c['uid']}", EDIT_FORM, c["uid"], {"version": c["version"]})
        values = {k: c[k] for k in FORM_KEYS}
        values["persons"] = c["persons"][0]["person"]["uid"] if c["persons"] else None
        with self.drafts.suspend():
            self.form.reset(values)
        self.drafts.mark_clean()
        self.edit_bar.start(c, f"正在修改 {c['number']}（保存将更新原记录；点“取消修改”回到新登记）")
        self.result.clear()
        if draft is not None:
            self.drafts.apply(draft)
        else:
            self.drafts.restore()  # an unsaved edit of this record left by an earlier run
        self.form.inputs["question"].setFocus()

    def _resume_edit(self, drafts: list[dict[str, Any]]) -> None:
        """After a crash: reopen the record whose edit was not saved, with what was typed."""
        if not drafts:
            return
        draft = drafts[0]
        uid = draft["record_uid"]
        self.worker.run(lambda st: st.consultations.get_consultation(uid), lambda c: self._edit(c, draft),
                        lambda _e: None)

    def cancel_edit(self) -> None:
        """Leave the edit (its draft is dropped: the user chose not to save) for a new entry."""
        if self.edit_bar.editing:
            self.drafts.discard()
            self._back_to_new()
            self.picker.setFocus()

    def _back_to_new(self) -> None:
        self.edit_bar.stop()
        self.drafts.retarget(DRAFT_KEY, "consultation")
        with self.drafts.suspend():
            self.form.reset()
        self.drafts.mark_clean()
        self.drafts.restore()  # a new entry typed before the edit comes back


class RecordDialog(QDialog):
    """Read-only view of one record."""

    def __init__(self, parent: QWidget, title: str, rows: list[tuple[str, str]]) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        view = QTextBrowser()
        view.setAccessibleName("记录详情")
        from html import escape
        view.setHtml("<table cellpadding=4>" + "".join(
            f"<tr><td align=right valign=top><b>{escape(k)}：</b></td><td>{escape(str(v or ''))}</td></tr>"
            for k, v in rows) + "</table>")
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        lay = QVBoxLayout(self)
        lay.addWidget(view)
        lay.addWidget(close)
        self.resize(560, 420)
