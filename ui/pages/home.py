"""工作台: today at a glance."""
from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QFrame, QGridLayout, QGroupBox, QHeaderView, QLabel, QProgressBar, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from station import codes

from .base import Page, read_only_table, title_label

CARD_STYLE = "QFrame { background: #f4f7fb; border: 1px solid #d6dee8; border-radius: 6px; }"


def card(title: str) -> tuple[QFrame, QLabel]:
    frame = QFrame()
    frame.setStyleSheet(CARD_STYLE)
    lay = QVBoxLayout(frame)
    head = QLabel(title)
    value = QLabel("…")
    value.setStyleSheet("font-size: 22pt; font-weight: bold; color: #0b4f8a; border: none;")
    head.setStyleSheet("border: none;")
    value.setAccessibleName(title)
    lay.addWidget(head)
    lay.addWidget(value)
    return frame, value


def table(headers: list[str], name: str) -> QTableWidget:
    return read_only_table(headers, name, select_rows=True)


def fill(t: QTableWidget, rows: list[list[str]], uids: list[str | None] | None = None) -> None:
    t.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            item = QTableWidgetItem(value)
            item.setToolTip(value)  # reminder messages are longer than the column
            if uids:
                item.setData(Qt.ItemDataRole.UserRole, uids[r])
            t.setItem(r, c, item)
    t.resizeColumnsToContents()
    t.horizontalHeader().setStretchLastSection(True)


#: reminder kinds whose uid is a mediation case (double-click opens it)
CASE_REMINDERS = {"follow_up", "performance_overdue", "judicial_window", "case_overdue"}
#: the kinds of ``st.reports.due()`` as the 待办提醒 table names them
REMINDER_KINDS = {"follow_up": "回访", "performance_overdue": "履行期限", "judicial_window": "司法确认",
                  "case_overdue": "调解期限", "referral_no_outcome": "转介结果", "village_hours_behind": "顾问时长"}
URGENT_COLOR = "#a61b1b"


class HomePage(Page):
    TITLE = "工作台"

    def __init__(self, worker: Any, bus: Any, ref: dict[str, Any]) -> None:
        super().__init__(worker, bus)
        self.ref = ref
        grid = QGridLayout()
        self.cards: dict[str, QLabel] = {}
        for i, (key, title) in enumerate((("consultations_today", "今日咨询"), ("open_cases", "在办调解案件"),
                                          ("urgent", "紧急待办"), ("follow_up", "待回访"),
                                          ("judicial_window", "待司法确认"), ("unsynced", "未同步记录"))):
            frame, value = card(title)
            self.cards[key] = value
            grid.addWidget(frame, 0, i)
        self.today = table(["编号", "时间", "类别", "咨询事项"], "今日咨询列表")
        self.open_cases = table(["编号", "纠纷名称", "状态", "申请日期"], "在办案件列表")
        self.due = table(["紧急程度", "类别", "期限", "事项"], "待办事项列表")
        self.hours = table(["村(居)", "已服务（小时）", "目标（小时）", "完成情况"], "村居服务时长")
        for t in (self.open_cases, self.due):
            t.doubleClicked.connect(lambda idx, t=t: self._open_case(t, idx.row()))
        boxes = QGridLayout()
        for i, (title, w) in enumerate((("今日咨询", self.today), ("在办案件", self.open_cases),
                                        ("待办提醒", self.due), ("本年度村(居)法律顾问服务时长", self.hours))):
            box = QGroupBox(title)
            QVBoxLayout(box).addWidget(w)
            boxes.addWidget(box, i // 2, i % 2)
        lay = QVBoxLayout(self)
        self.heading = title_label("工作台")
        lay.addWidget(self.heading)
        lay.addLayout(grid)
        lay.addLayout(boxes, 1)

    def set_reference(self, ref: dict[str, Any]) -> None:
        info = ref.get("station") or {}
        self.heading.setText(f"工作台　{info.get('name', '')}　{dt.date.today():%Y年%m月%d日}")
        self.refresh({"*"})

    def activate(self) -> None:
        self.refresh({"*"})

    def refresh(self, kinds: set[str]) -> None:
        self.worker.run(lambda st: st.dashboard.overview(), self._show)

    def _open_case(self, t: QTableWidget, row: int) -> None:
        item = t.item(row, 0)
        if item is not None and item.data(Qt.ItemDataRole.UserRole):
            self.go_case(item.data(Qt.ItemDataRole.UserRole))

    def _show(self, ov: dict[str, Any]) -> None:
        cats = self.ref.get("categories", {})
        self.cards["consultations_today"].setText(str(ov["consultations_today"]))
        self.cards["open_cases"].setText(str(ov["open_cases"]))
        limit = ov.get("limit", 20)
        for kind in ("follow_up", "judicial_window"):
            n = sum(1 for r in ov["reminders"] if r["kind"] == kind)
            self.cards[kind].setText(f"{n}+" if n >= limit else str(n))
        urgent = sum(1 for r in ov["reminders"] if r["severity"] == "urgent")
        self.cards["urgent"].setText(str(urgent))
        self.cards["urgent"].setStyleSheet(self.cards["urgent"].styleSheet().replace(
            "#0b4f8a", URGENT_COLOR) if urgent else self.cards["urgent"].styleSheet().replace(URGENT_COLOR, "#0b4f8a"))
        self.cards["unsynced"].setText(f"{ov['unsynced']:,}")
        fill(self.today, [[c["number"], c["occurred_at"][11:16], cats.get(c["category_code"], ""),
                           c["question"][:40]] for c in ov["consultations"]])
        fill(self.open_cases, [[c["display_number"] or c["number"], c["title"], codes.CASE_STATUSES[c["status"]],
                                c["applied_on"]] for c in ov["open_case_list"]],
             [c["uid"] for c in ov["open_case_list"]])
        reminders = ov["reminders"]
        fill(self.due, [[r["severity_label"], REMINDER_KINDS.get(r["kind"], r["kind"]), r["due"], r["message"]]
                        for r in reminders],
             [r["uid"] if r["kind"] in CASE_REMINDERS else None for r in reminders])
        for row, r in enumerate(reminders):  # urgent rows in red: overdue, past the deadline
            if r["severity"] == "urgent":
                for col in range(self.due.columnCount()):
                    self.due.item(row, col).setForeground(QColor(URGENT_COLOR))
        self.hours.setRowCount(len(ov["village_hours"]))
        for r, v in enumerate(ov["village_hours"]):
            self.hours.setItem(r, 0, QTableWidgetItem(v["village"]))
            self.hours.setItem(r, 1, QTableWidgetItem(f"{v['hours']:g}"))
            self.hours.setItem(r, 2, QTableWidgetItem(f"{v['target']:g}"))
            bar = QProgressBar()
            bar.setRange(0, 100)
            bar.setValue(min(100, int(round((v["ratio"] or 0) * 100))))
            bar.setFormat(f"{(v['ratio'] or 0) * 100:.0f}%")
            self.hours.setCellWidget(r, 3, bar)
        self.hours.resizeColumnsToContents()
        self.hours.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)


__all__ = ["HomePage", "QWidget"]
