"""统计报表: a period's report on screen, XLSX/PDF export, closing (报送) a period, and charts.

Everything that touches the station (computing the report, writing the files,
closing the period) runs on the DB thread through ``worker.run``; the page only
shows results. The 图表 tab and QtCharts are loaded the first time the tab is
shown, so the page (and start-up) stays quick for those who never look.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDateEdit, QFileDialog, QGroupBox, QHBoxLayout,
                               QHeaderView, QLabel, QMessageBox, QPushButton, QScrollArea, QSpinBox, QTableWidget,
                               QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget)

from station import codes

from ..qtcompat import emit
from .base import Page, title_label

PERIOD_KINDS = {"month": "月报", "quarter": "季报", "year": "年报", "custom": "自定义期间"}
SCOPE_KINDS = {"station": "全所", "committee": "调解委员会", "adviser": "工作人员", "village": "村(居)"}
QUARTERS = ["第一季度", "第二季度", "第三季度", "第四季度"]
FLAG_STYLE = "color: #a61b1b; font-weight: bold;"
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def period_key(kind: str, year: int, month: int, quarter: int, start: dt.date, end: dt.date) -> str:
    """The period as ``station.periods.parse_period`` reads it."""
    if kind == "month":
        return f"{year}-{month:02d}"
    if kind == "quarter":
        return f"{year}-Q{quarter}"
    if kind == "year":
        return str(year)
    return f"{start.isoformat()}..{end.isoformat()}"


def _combo(name: str) -> QComboBox:
    box = QComboBox()
    box.setAccessibleName(name)
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    return box


def _button(text: str, slot: Any) -> QPushButton:
    b = QPushButton(text)
    b.setAccessibleName(text)
    b.clicked.connect(slot)
    return b


def report_table(table: Any) -> QTableWidget:
    """One report table as a read-only grid, numbers right-aligned, the 合计 row in bold, no inner scrolling."""
    from station.reports.text import fmt
    t = QTableWidget(len(table.rows), len(table.columns))
    t.setAccessibleName(table.title)
    t.setHorizontalHeaderLabels([c.label for c in table.columns])
    t.verticalHeader().hide()
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    for i, row in enumerate(table.rows):
        total = table.has_total and i == len(table.rows) - 1
        for j, value in enumerate(row):
            kind = table.kind_of(i, j)
            item = QTableWidgetItem(fmt(kind, value) if kind != "text" else str(value or ""))
            if kind != "text":
                item.setTextAlignment(RIGHT)
            if total:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            if kind == "text" and len(str(value or "")) > 16:
                item.setToolTip(str(value))
            t.setItem(i, j, item)
    t.resizeColumnsToContents()
    header = t.horizontalHeader()
    header.setStretchLastSection(table.columns[-1].kind == "text")  # a stretched number column reads badly
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    t.resizeRowsToContents()
    height = header.sizeHint().height() + sum(t.rowHeight(r) for r in range(t.rowCount())) + 2 * t.frameWidth()
    if t.horizontalScrollBar().isVisible():
        height += t.horizontalScrollBar().sizeHint().height()
    t.setFixedHeight(height + 2)
    return t


class ReportsPage(Page):
    TITLE = "统计报表"

    def __init__(self, worker: Any, bus: Any, ref: dict[str, Any]) -> None:
        super().__init__(worker, bus)
        self.ref = ref
        self.report: Any = None
        self.charts: Any = None  # the 图表 tab's widget, built on first show
        today = dt.date.today()
        last_month = today.replace(day=1) - dt.timedelta(days=1)
        self.kind = _combo("报表类型")
        for key, label in PERIOD_KINDS.items():
            self.kind.addItem(label, key)
        self.year = QSpinBox()
        self.year.setAccessibleName("年份")
        self.year.setRange(2000, 2100)
        self.year.setSuffix(" 年")
        self.year.setValue(last_month.year)
        self.month = _combo("月份")
        for m in range(1, 13):
            self.month.addItem(f"{m}月", m)
        self.month.setCurrentIndex(last_month.month - 1)
        self.quarter = _combo("季度")
        for q, label in enumerate(QUARTERS, 1):
            self.quarter.addItem(label, q)
        self.quarter.setCurrentIndex((last_month.month - 1) // 3)
        self.start = self._date("起始日期", last_month.replace(day=1))
        self.end = self._date("截止日期", last_month)
        self.scope_kind = _combo("统计范围")
        for key, label in SCOPE_KINDS.items():
            self.scope_kind.addItem(label, key)
        self.scope_item = _combo("范围对象")
        self.scope_item.setMinimumWidth(160)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.scope_kind.currentIndexChanged.connect(self._fill_scope_items)

        controls = QHBoxLayout()
        for label, w in (("", self.kind), ("", self.year), ("", self.month), ("", self.quarter),
                         ("自", self.start), ("至", self.end), ("范围：", self.scope_kind), ("", self.scope_item)):
            if label:
                lab = QLabel(label)
                lab.setBuddy(w)
                controls.addWidget(lab)
                w.setProperty("_label", lab)
            controls.addWidget(w)
        controls.addWidget(_button("生成报表", self.show_report))
        controls.addStretch(1)
        actions = QHBoxLayout()
        self.xlsx_button = _button("导出XLSX", lambda: self.export("xlsx"))
        self.pdf_button = _button("导出PDF", lambda: self.export("pdf"))
        self.close_button = _button("报送本期", self.confirm_close)
        self.close_button.setToolTip("结账并报送：报表快照随下次同步上传县级平台（仅所长）")
        for b in (self.xlsx_button, self.pdf_button, self.close_button):
            b.setEnabled(False)
            actions.addWidget(b)
        self.status = QLabel("请选择期间和范围，然后点“生成报表”。")
        self.status.setAccessibleName("报表状态")
        self.status.setWordWrap(True)
        actions.addWidget(self.status, 1)

        # 报表 tab: one grid per table, stacked in a scroll area
        self.body = QWidget()
        self.body_layout = QVBoxLayout(self.body)
        self.body_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.body)
        self.scroll = scroll
        # 报送记录 tab
        self.closures = QTableWidget(0, 4)
        self.closures.setAccessibleName("报送记录")
        self.closures.setHorizontalHeaderLabels(["统计期间", "范围", "报送时间", "报送人"])
        self.closures.verticalHeader().hide()
        self.closures.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.closures.horizontalHeader().setStretchLastSection(True)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("报表页签")
        self.tabs.addTab(scroll, "报表")
        self.chart_holder = QWidget()
        QVBoxLayout(self.chart_holder).setContentsMargins(0, 0, 0, 0)
        self.tabs.addTab(self.chart_holder, "图表")
        self.tabs.addTab(self.closures, "报送记录")
        self.tabs.currentChanged.connect(self._tab_changed)

        lay = QVBoxLayout(self)
        lay.addWidget(title_label("统计报表"))
        lay.addLayout(controls)
        lay.addLayout(actions)
        lay.addWidget(self.tabs, 1)
        self._kind_changed()
        self._fill_scope_items()

    @staticmethod
    def _date(name: str, day: dt.date) -> QDateEdit:
        w = QDateEdit(QDate(day.year, day.month, day.day))
        w.setAccessibleName(name)
        w.setCalendarPopup(True)
        w.setDisplayFormat("yyyy-MM-dd")
        return w

    # choices ---------------------------------------------------------------------------
    def _kind_changed(self, _i: int = 0) -> None:
        kind = self.kind.currentData()
        shown = {"month": {self.year, self.month}, "quarter": {self.year, self.quarter}, "year": {self.year},
                 "custom": {self.start, self.end}}[kind]
        for w in (self.year, self.month, self.quarter, self.start, self.end):
            w.setVisible(w in shown)
            label = w.property("_label")
            if label is not None:
                label.setVisible(w in shown)

    def _fill_scope_items(self, _i: int = 0) -> None:
        kind = self.scope_kind.currentData()
        self.scope_item.clear()
        items: list[tuple[str, str]] = []
        if kind == "committee":
            items = [(c["uid"], c["name"]) for c in self.ref.get("committees", [])]
        elif kind == "village":
            items = [(v["uid"], v["name"]) for v in self.ref.get("villages", [])]
        elif kind == "adviser":
            items = [(s["uid"], f"{s['name']}（{'、'.join(codes.STAFF_ROLES.get(r, r) for r in s['roles'])}）")
                     for s in self.ref.get("staff", [])]
        for uid, name in items:
            self.scope_item.addItem(name, uid)
        self.scope_item.setVisible(kind != "station")

    def set_reference(self, ref: dict[str, Any]) -> None:
        self.ref = ref
        current = self.scope_item.currentData()
        self._fill_scope_items()
        self.scope_item.setCurrentIndex(max(self.scope_item.findData(current), 0))

    def period(self) -> str:
        s, e = self.start.date(), self.end.date()
        return period_key(self.kind.currentData(), self.year.value(), self.month.currentData(),
                          self.quarter.currentData(), dt.date(s.year(), s.month(), s.day()),
                          dt.date(e.year(), e.month(), e.day()))

    def scope(self) -> str:
        kind = self.scope_kind.currentData()
        uid = self.scope_item.currentData()
        return "station" if kind == "station" or not uid else f"{kind}:{uid}"

    # the report ------------------------------------------------------------------------
    def activate(self) -> None:
        self.load_closures()
        if self.report is None:
            self.show_report()

    def refresh(self, kinds: set[str]) -> None:
        if self.report is not None and self.isVisible():
            self.show_report()

    def show_report(self) -> None:
        period, scope = self.period(), self.scope()
        self.status.setText(f"正在统计 {period}…")

        def op(st: Any) -> Any:
            import station.reports.text  # noqa: F401  (imports openpyxl: here, not on the GUI thread)
            return st.reports.build_report(period, scope)
        self.worker.run(op, self._show, self._failed)
        if self.charts is not None:
            self._load_charts()

    def _failed(self, exc: BaseException) -> None:
        """Refusals (no 统计报表 permission, a period not over, a bad range) are said on the page and in a box."""
        from station.errors import StationError
        self.status.setText(f"未完成：{exc}" if isinstance(exc, StationError) else "未完成：发生意外错误")
        emit(self.bus.error_raised, exc)

    def _show(self, report: Any) -> None:
        self.report = report
        while self.body_layout.count() > 1:  # keep the final stretch
            item = self.body_layout.takeAt(0)
            if item.widget():
                item.widget().hide()
                item.widget().deleteLater()
        at = 0
        if report.corrections:
            flag = QLabel(f"【更正】已报送期间有{len(report.corrections)}条记录在报送后被修改，"
                          "本表按修改后的数据统计，明细见“更正记录”表。")
            flag.setAccessibleName("更正提示")
            flag.setStyleSheet(FLAG_STYLE)
            flag.setWordWrap(True)
            self.body_layout.insertWidget(at, flag)
            at += 1
        for table in report.tables:
            box = QGroupBox(table.title)
            box_lay = QVBoxLayout(box)
            box_lay.addWidget(report_table(table))
            if table.note:
                note = QLabel(f"说明：{table.note}")
                note.setWordWrap(True)
                note.setStyleSheet("color: #555;")
                box_lay.addWidget(note)
            self.body_layout.insertWidget(at, box)
            at += 1
        p, sc = report.period, report.scope
        text = f"{report.title}　{p['start']} 至 {p['end']}　范围：{sc['label']}"
        if report.closure:
            text += f"　（已于 {report.closure['closed_at'][:16]} UTC 报送）"
        self.status.setText(text)
        for b in (self.xlsx_button, self.pdf_button, self.close_button):
            b.setEnabled(True)
        if self.charts is not None:
            self.charts.show_hours(report)

    # export ----------------------------------------------------------------------------
    def ask_path(self, fmt: str, suggested: str) -> str:
        """The file to write (a save dialog; tests replace this)."""
        filters = {"xlsx": "Excel 工作簿 (*.xlsx)", "pdf": "PDF 文件 (*.pdf)"}
        path, _ = QFileDialog.getSaveFileName(self, f"导出{fmt.upper()}", suggested, filters[fmt])
        return path

    def export(self, fmt: str) -> None:
        report = self.report
        if report is None:
            return
        name = f"{report.title}{'' if report.scope['key'] == 'station' else '-' + report.scope['label']}.{fmt}"
        path = self.ask_path(fmt, str(Path.home() / name.replace("：", "-").replace("/", "-")))
        if not path:
            return
        if not path.lower().endswith(f".{fmt}"):
            path += f".{fmt}"

        def op(_st: Any) -> Path:
            if fmt == "pdf":
                from station.reports.pdf import write_pdf
                return write_pdf(report, path)
            from station.reports.xlsx import write_xlsx
            return write_xlsx(report, path)
        self.status.setText(f"正在导出 {Path(path).name}…")
        self.worker.run(op, self._exported, self._failed)

    def _exported(self, path: Path) -> None:
        self.status.setText(f"已导出 {path}")
        emit(self.bus.status_shown, f"已导出 {path.name}")

    # closing ---------------------------------------------------------------------------
    def confirm_close(self) -> None:
        report = self.report
        if report is None:
            return
        again = "本期已报送过，再次报送将以新的快照为准。\n" if report.closure else ""
        box = QMessageBox(QMessageBox.Icon.Question, "报送本期",
                          f"报送“{report.period['label']}（{report.scope['label']}）”？\n{again}"
                          "报表快照将随下次同步上传县级平台；报送后修改本期记录会在下次报表中列为更正。",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setObjectName("confirm_close_period")
        box.button(QMessageBox.StandardButton.Yes).setText("报送")
        box.button(QMessageBox.StandardButton.No).setText("取消")
        box.setDefaultButton(QMessageBox.StandardButton.No)
        period, scope = report.period["key"], report.scope["key"]

        def answered(button: int) -> None:
            if button == QMessageBox.StandardButton.Yes:
                self.worker.run(lambda st: st.reports.close_period(period, scope), self._closed, self._failed)
        box.finished.connect(answered)
        self.confirm = box
        box.open()

    def _closed(self, saved: Any) -> None:
        emit(self.bus.station_changed, {"period_closure"}, self)
        msg = f"已报送 {saved.record['period']}，下次同步时上传"
        if saved.warnings:
            msg += "（" + "；".join(saved.warnings) + "）"
        emit(self.bus.status_shown, msg)
        self.load_closures()
        self.show_report()

    def load_closures(self) -> None:
        self.worker.run(lambda st: st.reports.list_closures(), self._show_closures, self._failed)

    def _show_closures(self, rows: list[dict[str, Any]]) -> None:
        names = self.ref.get("staff_names", {})
        labels = {f"{k}:{x['uid']}": x["name"] for k, key in (("committee", "committees"), ("village", "villages"),
                                                                ("adviser", "staff")) for x in self.ref.get(key, [])}
        self.closures.setRowCount(len(rows))
        for r, c in enumerate(rows):
            scope = "全所" if c["scope"] == "station" else labels.get(c["scope"], c["scope"])
            for j, v in enumerate((c["period"], scope, str(c["closed_at"])[:19] + " UTC",
                                   names.get(c["closed_by"], "") if c["closed_by"] else "")):
                self.closures.setItem(r, j, QTableWidgetItem(v))
        self.closures.resizeColumnsToContents()
        self.closures.horizontalHeader().setStretchLastSection(True)

    # charts ----------------------------------------------------------------------------
    def _tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.chart_holder and self.charts is None:
            from ..widgets.report_charts import ReportCharts  # QtCharts is imported only now
            self.charts = ReportCharts()
            self.chart_holder.layout().addWidget(self.charts)
            self._load_charts()
            if self.report is not None:
                self.charts.show_hours(self.report)

    def _load_charts(self) -> None:
        period, scope = self.period(), self.scope()

        def op(st: Any) -> dict[str, Any]:
            from station.periods import parse_period
            return dict(st.reports.monthly_series(parse_period(period).end.year, scope))
        self.worker.run(op, lambda data: self.charts.show_series(data), self._failed)


__all__ = ["ReportsPage", "period_key"]
