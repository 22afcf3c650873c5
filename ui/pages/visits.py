"""村居法律顾问: the adviser's visit log, and hours per village for the year."""
from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtWidgets import (QHBoxLayout, QHeaderView, QLabel, QProgressBar, QPushButton, QSpinBox,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from station import codes

from ..widgets.export_excel import ExportButton
from ..models.record_table import Column, RecordTable, RecordTableModel
from ..widgets.drafting import DraftKeeper, draft_banner
from ..widgets.editing import EditBar
from ..widgets.field_form import Field, FieldForm
from .base import OK_STYLE, Page, form_column, split_layout, title_label

DRAFT_KEY = "visit:new"
EDIT_FORM = "visit_edit"  # drafts of edits are keyed visit:edit:<uid>
FORM_KEYS = ("adviser_uid", "village_uid", "visit_date", "start_time", "end_time", "mode", "service_types",
             "attendees", "content")


def span_hours(start: str, end: str) -> float | None:
    try:
        a, b = dt.time.fromisoformat(start), dt.time.fromisoformat(end)
    except ValueError:
        return None
    minutes = (b.hour * 60 + b.minute) - (a.hour * 60 + a.minute)
    return round(minutes / 60, 2) if minutes > 0 else None


class VisitsPage(Page):
    TITLE = "村居法律顾问"

    def __init__(self, worker: Any, bus: Any, ref: dict[str, Any]) -> None:
        super().__init__(worker, bus)
        self.ref = ref
        self.form = FieldForm([
            Field("adviser_uid", "法律顾问", "choice", {}, required=True),
            Field("village_uid", "服务村(居)", "choice", {}, required=True),
            Field("visit_date", "服务日期", "date"),
            Field("start_time", "开始时间", "time"),
            Field("end_time", "结束时间", "time"),
            Field("mode", "服务方式", "choice", codes.VISIT_MODES, blank=False),
            Field("service_types", "服务类型", "multi", codes.SERVICE_TYPES, required=True, extra={"columns": 2}),
            Field("attendees", "参加人数", "number", placeholder="法治宣传时必填"),
            Field("content", "服务内容", "text", required=True),
        ])
        self.form.inputs["end_time"].setTime(self.form.inputs["start_time"].time().addSecs(7200))  # type: ignore
        self.hours = QLabel()
        self.hours.setAccessibleName("服务时长")
        self.form.layout_.insertRow(5, "服务时长：", self.hours)
        self.form.changed.connect(self._update_hours)
        self._update_hours()
        self.banner = draft_banner()
        self.drafts = DraftKeeper(worker, self.form, DRAFT_KEY, "visit", self.banner)
        self.edit_bar = EditBar()
        self.edit_bar.cancelled.connect(self.cancel_edit)
        save = QPushButton("保存（Ctrl+S）")
        save.setAccessibleName("保存服务记录")
        save.clicked.connect(self.save)
        self.result = QLabel()
        self.result.setStyleSheet(OK_STYLE)
        self.result.setAccessibleName("保存结果")
        scroll = form_column("登记服务日志", self.edit_bar, self.banner, self.form, save, self.result)

        self.year = QSpinBox()
        self.year.setRange(2010, 2100)
        self.year.setValue(dt.date.today().year)
        self.year.setAccessibleName("年度")
        self.year.valueChanged.connect(lambda _v: self.load_hours())
        self.table_hours = QTableWidget(0, 5)
        self.table_hours.setAccessibleName("各村(居)服务时长")
        self.table_hours.setHorizontalHeaderLabels(["村(居)", "次数", "已服务（小时）", "目标（小时）", "完成情况"])
        self.table_hours.verticalHeader().hide()
        self.table_hours.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.model = RecordTableModel(worker, "visit", [
            Column("number", "编号", width=200), Column("visit_date", "日期", width=95),
            Column("village_uid", "村(居)", lambda r: ref.get("village_names", {}).get(r["village_uid"], ""), 90),
            Column("adviser_uid", "法律顾问", lambda r: ref.get("staff_names", {}).get(r["adviser_uid"], ""), 80),
            Column("hours", "时长", lambda r: f"{r['hours']:g}", 50),
            Column("content", "服务内容", lambda r: (r["content"] or "").replace("\n", " ")[:50]),
        ])
        self.ledger = RecordTable(self.model, "服务日志")
        self.ledger.opened.connect(self.open_record)
        right = QWidget()
        rl = QVBoxLayout(right)
        top = QHBoxLayout()
        top.addWidget(title_label("年度服务时长"))
        top.addStretch(1)
        filter_label = QLabel("年度：")
        filter_label.setBuddy(self.year)  # the visible label of the filter
        top.addWidget(filter_label)
        top.addWidget(self.year)
        rl.addLayout(top)
        rl.addWidget(self.table_hours, 1)
        log_head = QHBoxLayout()
        log_head.addWidget(title_label("服务日志"))
        log_head.addStretch(1)
        self.export = ExportButton(self, "visit")
        log_head.addWidget(self.export)
        rl.addLayout(log_head)
        rl.addWidget(self.ledger, 1)
        split_layout(self, scroll, right)
        self._started = False

    def _update_hours(self) -> None:
        h = span_hours(self.form.value("start_time"), self.form.value("end_time"))
        self.hours.setText(f"{h:g} 小时" if h else "结束时间应晚于开始时间")

    def set_reference(self, ref: dict[str, Any]) -> None:
        with self.drafts.suspend():
            self.form.set_choices("adviser_uid", {s["uid"]: s["name"] for s in ref.get("staff", [])
                                                  if "adviser" in s["roles"]})
            self.form.set_choices("village_uid", {v["uid"]: v["name"] for v in ref.get("villages", [])})
        if not self._started:
            self._started = True
            self.drafts.mark_clean()
            self.drafts.restore()
            self.model.reload()
            self.worker.run(lambda st: [d for d in st.drafts.list_drafts() if d["form"] == EDIT_FORM][:1],
                            self._resume_edit)
        self.load_hours()

    def refresh(self, kinds: set[str]) -> None:
        if "visit" in kinds:
            self.model.reload()
            self.load_hours()

    def new(self) -> None:
        self.form.first_input().setFocus()

    def load_hours(self) -> None:
        year = self.year.value()
        self.worker.run(lambda st: st.visits.village_hours(year), self._show_hours)

    def _show_hours(self, rows: list[dict[str, Any]]) -> None:
        t = self.table_hours
        t.setRowCount(len(rows))
        for r, v in enumerate(rows):
            for c, text in enumerate((v["village"], str(v["visits"]), f"{v['hours']:g}", f"{v['target']:g}")):
                t.setItem(r, c, QTableWidgetItem(text))
            bar = QProgressBar()
            bar.setRange(0, 100)
            bar.setValue(min(100, int(round((v["ratio"] or 0) * 100))))
            bar.setFormat(f"{(v['ratio'] or 0) * 100:.0f}%")
            t.setCellWidget(r, 4, bar)
        t.resizeColumnsToContents()
        t.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)

    def save(self) -> None:
        data = self.form.values()
        self.drafts.timer.stop()
        key = self.drafts.key
        if self.edit_bar.record is not None:
            uid, version = self.edit_bar.record["uid"], self.drafts.meta.get("version")
            self.write(lambda st: st.drafts.submit(key, "visits", "update_visit", uid, data, base_version=version),
                       self.form, {"visit"}, self._saved)
            return
        self.write(lambda st: st.drafts.submit(key, "visits", "record_visit", data), self.form,
                   {"visit"}, self._saved)

    def _saved(self, saved: Any) -> None:
        self.drafts.saved()
        done = "已修改" if self.edit_bar.editing else "已保存"
        self.result.setText(f"{done}：{saved.record['number']}（{saved.record['hours']:g} 小时）")
        keep = {k: self.form.value(k) for k in ("adviser_uid", "village_uid")}
        if self.edit_bar.editing:
            self._back_to_new()
        else:
            with self.drafts.suspend():
                self.form.reset(keep)
            self.drafts.mark_clean()
        self.model.reload()
        self.load_hours()

    # editing an existing visit ------------------------------------------------------------
    def open_record(self, record: dict[str, Any]) -> None:
        """Double-click/Enter in the log: the visit comes into the form for editing."""
        uid = record["uid"]
        self.worker.run(lambda st: st.records.get_record(uid), self._edit)

    def _edit(self, v: dict[str, Any], draft: dict[str, Any] | None = None) -> None:
        self.drafts.retarget(f"visit:edit:{v['uid']}", EDIT_FORM, v["uid"], {"version": v["version"]})
        values = {k: v.get(k) for k in FORM_KEYS}
        values["attendees"] = "" if v.get("attendees") is None else str(v["attendees"])
        with self.drafts.suspend():
            self.form.reset(values)
        self.drafts.mark_clean()
        self.edit_bar.start(v, f"正在修改 {v['number']}（保存将更新原记录；点“取消修改”回到新登记）")
        self.result.clear()
        if draft is not None:
            self.drafts.apply(draft)
        else:
            self.drafts.restore()
        self.form.inputs["content"].setFocus()

    def _resume_edit(self, drafts: list[dict[str, Any]]) -> None:
        if not drafts:
            return
        draft = drafts[0]
        uid = draft["record_uid"]
        self.worker.run(lambda st: st.records.get_record(uid), lambda v: self._edit(v, draft),
                        lambda _e: None)

    def cancel_edit(self) -> None:
        if self.edit_bar.editing:
            self.drafts.discard()
            self._back_to_new()
            self.form.first_input().setFocus()

    def _back_to_new(self) -> None:
        self.edit_bar.stop()
        self.drafts.retarget(DRAFT_KEY, "visit")
        with self.drafts.suspend():
            self.form.reset()
            self.form.inputs["end_time"].setTime(  # type: ignore[attr-defined]
                self.form.inputs["start_time"].time().addSecs(7200))  # type: ignore[attr-defined]
        self.drafts.mark_clean()
        self.drafts.restore()


__all__ = ["VisitsPage", "QTableWidgetItem"]
