"""设置: station identity, villages, staff, committees, numbering, targets, large-font mode."""
from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (QCheckBox, QGridLayout, QGroupBox, QHBoxLayout, QPushButton, QScrollArea, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from station import codes

from ..widgets.field_form import Field, FieldForm
from .base import Page, read_only_table, title_label
from .settings_security import SecuritySection
from ..qtcompat import emit


def _table(headers: list[str], name: str) -> QTableWidget:
    return read_only_table(headers, name, min_height=120)


class SettingsPage(Page):
    TITLE = "设置"

    def __init__(self, worker: Any, bus: Any, ref: dict[str, Any]) -> None:
        super().__init__(worker, bus)
        self.ref = ref
        self.station_form = FieldForm([
            Field("code", "司法所编码", required=True), Field("name", "司法所名称", required=True),
            Field("county", "所属县（市、区）"), Field("abbr", "简称")])
        self.settings_form = FieldForm([
            Field("case_number_format", "案件编号格式"),
            Field("default_target_hours", "村(居)年度服务时长目标（小时）", "number"),
            Field("hardship_line", "经济困难标准（元/月/人）", "number"),
            Field("case_time_limit_days", "调解期限（天）", "number")])
        self.village_form = FieldForm([
            Field("name", "村(居)名称", required=True),
            Field("kind", "村(居)类型", "choice", {"village": "村", "community": "社区"}, blank=False),
            Field("target_hours", "年度目标（小时）", "number")])
        self.staff_form = FieldForm([
            Field("name", "工作人员姓名", required=True),
            Field("roles", "岗位", "multi", codes.STAFF_ROLES, required=True, extra={"columns": 2}),
            Field("phone", "工作人员电话")])
        self.committee_form = FieldForm([
            Field("name", "调解委员会名称", required=True),
            Field("kind", "调解委员会类型", "choice", codes.COMMITTEE_KINDS, blank=False)])
        self.villages = _table(["村(居)", "类型", "年度目标（小时）"], "村(居)列表")
        self.staff = _table(["姓名", "岗位", "电话"], "工作人员列表")
        self.committees = _table(["名称", "类型"], "调解委员会列表")
        self.large_font = QCheckBox("大字模式")  # the accessible name is the visible text
        self.large_font.setAccessibleName("大字模式")
        self.large_font.setToolTip("放大全部文字，方便老年来访人阅读")
        self.large_font.setAccessibleDescription("放大全部文字，方便老年来访人阅读")
        self.large_font.toggled.connect(bus.font_scale_changed)

        def box(title: str, *widgets: QWidget, button: str = "", slot: Any = None) -> QGroupBox:
            g = QGroupBox(title)
            lay = QVBoxLayout(g)
            for w in widgets:
                lay.addWidget(w)
            if button:
                b = QPushButton(button)
                b.setAccessibleName(button)
                b.clicked.connect(slot)
                lay.addWidget(b)
            return g

        grid = QGridLayout()
        grid.addWidget(box("本所信息", self.station_form, button="保存本所信息", slot=self.save_station), 0, 0)
        grid.addWidget(box("编号与目标", self.settings_form, self.large_font, button="保存设置",
                           slot=self.save_settings), 0, 1)
        grid.addWidget(box("村(居)", self.villages, self.village_form, button="添加村(居)", slot=self.add_village), 1, 0)
        grid.addWidget(box("工作人员", self.staff, self.staff_form, button="添加工作人员", slot=self.add_staff), 1, 1)
        grid.addWidget(box("人民调解委员会", self.committees, self.committee_form, button="添加调解委员会",
                           slot=self.add_committee), 2, 0)
        grid.addWidget(box("设置向导", button="重新运行设置向导", slot=self.rerun_wizard), 2, 1)
        body = QWidget()
        bl = QVBoxLayout(body)
        head = QHBoxLayout()
        head.addWidget(title_label("设置"))
        head.addStretch(1)
        about = QPushButton("关于本软件（F1）")
        about.setAccessibleName("关于本软件")
        about.clicked.connect(lambda: getattr(self.window(), "show_about", lambda: None)())
        head.addWidget(about)
        bl.addLayout(head)
        bl.addLayout(grid)
        self.security = SecuritySection(worker, bus)  # 锁屏、备份、账号 (ui/pages/settings_security.py)
        bl.addWidget(self.security)
        bl.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(scroll)

    def set_reference(self, ref: dict[str, Any]) -> None:
        self.station_form.set_values(ref.get("station") or {})
        s = ref.get("settings", {})
        self.settings_form.set_values({k: s.get(k) for k in self.settings_form.inputs})
        self._fill(self.villages, [[v["name"], "社区" if v["kind"] == "community" else "村",
                                    "" if v["target_hours"] is None else f"{v['target_hours']:g}"]
                                   for v in ref.get("villages", [])])
        self._fill(self.staff, [[p["name"], "、".join(codes.STAFF_ROLES.get(r, r) for r in p["roles"]), p["phone"]]
                                for p in ref.get("staff", [])])
        self._fill(self.committees, [[c["name"], codes.COMMITTEE_KINDS.get(c["kind"], c["kind"])]
                                     for c in ref.get("committees", [])])
        self.large_font.blockSignals(True)
        self.large_font.setChecked(self.font().pointSize() >= 14)
        self.large_font.blockSignals(False)

    @staticmethod
    def _fill(t: QTableWidget, rows: list[list[str]]) -> None:
        t.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                t.setItem(r, c, QTableWidgetItem(v))
        t.resizeColumnsToContents()
        t.horizontalHeader().setStretchLastSection(True)

    def save(self) -> None:
        self.save_settings()

    def save_station(self) -> None:
        data = self.station_form.values()
        self.write(lambda st: st.reference.setup_station(data), self.station_form, {"station"},
                   lambda _r: emit(self.bus.status_shown, "本所信息已保存"))

    def save_settings(self) -> None:
        data = self.settings_form.values()

        from station.errors import FieldError
        values: dict[str, Any] = {}
        errors = []
        for k, v in data.items():
            if v in ("", None):
                continue
            if k == "case_number_format":
                values[k] = v
                continue
            try:
                values[k] = float(v) if "." in str(v) else int(v)
            except ValueError:
                errors.append(FieldError(k, self.settings_form.fields[k].label, f"应为数字：“{v}”"))
        if errors:
            self.settings_form.show_errors(errors)
            return

        def op(st: Any) -> None:
            for k, v in values.items():
                st.reference.put_setting(k, v)
        self.write(op, self.settings_form, {"setting"}, lambda _r: emit(self.bus.status_shown, "设置已保存"))

    def _add(self, form: FieldForm, service: str, kind: str) -> None:
        data = form.values()
        self.write(lambda st: getattr(st.reference, service)(data), form, {kind}, lambda _r: form.reset())

    def add_village(self) -> None:
        self._add(self.village_form, "save_village", "village")

    def add_staff(self) -> None:
        self._add(self.staff_form, "save_staff", "staff")

    def rerun_wizard(self) -> None:
        from ..first_run import open_wizard
        open_wizard(self.worker, self.bus, self.window(), rerun=True)

    def add_committee(self) -> None:
        self._add(self.committee_form, "save_committee", "committee")
