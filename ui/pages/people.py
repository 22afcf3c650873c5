"""当事人: find a person, and everything linked to them on one page (一人一档)."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QPushButton, QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from station import codes
from station.masking import mask_address, mask_id, mask_phone

from ..widgets.export_excel import ExportButton
from ..models.record_table import Column, RecordTable, RecordTableModel
from ..widgets.masked import MaskedValue
from ..widgets.person_picker import DEBOUNCE_MS, PersonDialog, hit_text
from ..worker import single_shot_timer
from .base import Page, read_only_table, title_label
from ..qtcompat import emit


def person_columns() -> list[Column]:
    return [
        Column("name", "姓名", width=220), Column("gender", "性别", width=45),  # organisations: 15 characters
        Column("id_number", "身份证号码", lambda r: mask_id(r["id_number"]), 170),
        Column("phone", "联系电话", lambda r: mask_phone(r["phone"]), 115),
        Column("address", "住址", lambda r: mask_address(r["address"])),
    ]


class PeoplePage(Page):
    TITLE = "当事人"

    def __init__(self, worker: Any, bus: Any, ref: dict[str, Any]) -> None:
        super().__init__(worker, bus)
        self.ref = ref
        self.uid: str | None = None
        self.query = QLineEdit()
        self.query.setPlaceholderText("姓名、拼音首字母、身份证号或电话（Ctrl+F）")
        self.query.setAccessibleName("查找当事人")
        self.hits = QListWidget()
        self.hits.setAccessibleName("查找结果")
        self.hits.hide()
        self.hits.itemActivated.connect(lambda it: self.open_person(it.data(Qt.ItemDataRole.UserRole)))
        self.timer = single_shot_timer(self, DEBOUNCE_MS)
        self.timer.timeout.connect(self._search)
        self.query.textEdited.connect(lambda _t: self.timer.start())
        self.query.returnPressed.connect(self._first_hit)
        self.model = RecordTableModel(worker, "person", person_columns())
        self.table = RecordTable(self.model, "当事人列表")
        self.table.opened.connect(lambda r: self.open_person(r["uid"]))
        new_btn = QPushButton("新建当事人（Ctrl+N）")
        new_btn.setAccessibleName("新建当事人")
        new_btn.clicked.connect(self.new)
        left = QWidget()
        ll = QVBoxLayout(left)
        top = QHBoxLayout()
        top.addWidget(title_label("当事人"))
        top.addStretch(1)
        self.export = ExportButton(self, "person")
        top.addWidget(self.export)
        top.addWidget(new_btn)
        ll.addLayout(top)
        ll.addWidget(self.query)
        ll.addWidget(self.hits)
        ll.addWidget(self.table, 1)

        self.name = QLabel()
        self.name.setStyleSheet("font-size: 18pt; font-weight: bold;")
        self.name.setAccessibleName("当事人姓名")
        self.edit_btn = QPushButton("修改信息")
        self.edit_btn.setAccessibleName("修改当事人信息")
        self.edit_btn.setEnabled(False)
        self.edit_btn.clicked.connect(lambda: self.edit_person())
        self.person: dict[str, Any] | None = None
        self.id_number = MaskedValue(worker, "身份证号码", "id_number")
        self.phone = MaskedValue(worker, "联系电话", "phone")
        self.address = MaskedValue(worker, "住址", "address")
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setAccessibleName("基本情况")
        info = QFormLayout()
        info.addRow("身份证号码：", self.id_number)
        info.addRow("联系电话：", self.phone)
        info.addRow("住址：", self.address)
        info.addRow("基本情况：", self.details)
        self.cons = read_only_table(["编号", "时间", "咨询事项"], "相关咨询")
        self.cases = read_only_table(["编号", "纠纷名称", "状态"], "相关调解案件")
        self.cases.doubleClicked.connect(self._open_case)
        self.follows = read_only_table(["回访日期", "履行情况", "回访情况"], "相关回访")
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.addWidget(title_label("一人一档"))
        name_row = QHBoxLayout()
        name_row.addWidget(self.name, 1)
        name_row.addWidget(self.edit_btn)
        rl.addLayout(name_row)
        rl.addLayout(info)
        for title, t in (("咨询记录", self.cons), ("调解案件", self.cases), ("回访记录", self.follows)):
            box = QGroupBox(title)
            QVBoxLayout(box).addWidget(t)
            rl.addWidget(box, 1)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 5)
        split.setStretchFactor(1, 5)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(split)
        self._started = False
        self.dialog: PersonDialog | None = None

    def set_reference(self, ref: dict[str, Any]) -> None:
        if not self._started:
            self._started = True
            self.model.reload()
            self.worker.run(lambda st: [d for d in st.drafts.list_drafts() if d["form"] in ("person", "person_edit")],
                            self._resume_drafts)

    def _resume_drafts(self, drafts: list[dict[str, Any]]) -> None:
        """After a crash: reopen the person form that was being filled (it restores its draft)."""
        if not drafts:
            return
        d = drafts[0]
        if d["form"] == "person":
            self.new()
        else:
            uid = d["record_uid"]
            self.worker.run(lambda st: st.people.get_person(uid), self.edit_person, lambda _e: None)

    def refresh(self, kinds: set[str]) -> None:
        if "person" in kinds:
            self.model.reload()
        if self.uid and kinds & {"person", "consultation", "case"}:
            self.open_person(self.uid)

    def find(self) -> None:
        self.query.setFocus()
        self.query.selectAll()

    def new(self) -> None:
        self.dialog = PersonDialog(self.worker, self.window(), self.query.text().strip())
        self.dialog.person_saved.connect(lambda p: (emit(self.bus.station_changed, {"person"}, None),
                                                    self.open_person(p["uid"])))
        self.dialog.open()

    def edit_person(self, person: dict[str, Any] | None = None) -> None:
        """修改信息: the shown person's details in the form, saved with the version they were read at."""
        person = person or self.person
        if person is None:
            return
        self.dialog = PersonDialog(self.worker, self.window(), person=person)
        self.dialog.person_saved.connect(lambda p: (emit(self.bus.station_changed, {"person"}, None),
                                                    self.open_person(p["uid"])))
        self.dialog.open()

    def _search(self) -> None:
        text = self.query.text().strip()
        if not text:
            self.hits.hide()
            return
        self.worker.run(lambda st: [h.as_dict() for h in st.search(text, kinds={"person"}, limit=20)],
                        lambda hits: self._show_hits(text, hits))

    def _show_hits(self, text: str, hits: list[dict[str, Any]]) -> None:
        if text != self.query.text().strip():
            return
        self.hits.clear()
        for h in hits:
            item = QListWidgetItem(hit_text(h))
            item.setData(Qt.ItemDataRole.UserRole, h["uid"])
            self.hits.addItem(item)
        if not hits:
            self.hits.addItem("没有找到")
        self.hits.show()

    def _first_hit(self) -> None:
        item = self.hits.item(0)
        if item is not None and item.data(Qt.ItemDataRole.UserRole):
            self.open_person(item.data(Qt.ItemDataRole.UserRole))

    def open_person(self, uid: str) -> None:
        self.uid = uid
        self.worker.run(lambda st: st.people.person_dossier(uid), self._show)

    def _open_case(self, index: Any) -> None:
        item = self.cases.item(index.row(), 0)
        if item is not None:
            self.go_case(item.data(Qt.ItemDataRole.UserRole))

    def _show(self, d: dict[str, Any]) -> None:
        p = d["person"]
        if p["uid"] != self.uid:
            return
        self.name.setText(p["name"])
        self.person = p
        self.edit_btn.setEnabled(True)
        self.id_number.set_person(p["uid"], p["id_number"])
        self.phone.set_person(p["uid"], p["phone"])
        self.address.set_person(p["uid"], p["address"])
        groups = "、".join(codes.SPECIAL_GROUPS.get(g, g) for g in p["special_groups"])
        self.details.setText("　".join(x for x in (p["gender"], p["ethnicity"], p["birth_date"] or "",
                                                   groups) if x))
        self._fill(self.cons, [[c["number"], c["occurred_at"][:16], c["question"][:40]] for c in d["consultations"]])
        self._fill(self.cases, [[c["display_number"] or c["number"], c["title"], codes.CASE_STATUSES[c["status"]]]
                                for c in d["cases"]], [c["uid"] for c in d["cases"]])
        self._fill(self.follows, [[f["visited_on"], codes.PERFORMANCE_STATUSES[f["performance_status"]], f["notes"]]
                                  for f in d["follow_ups"]])

    @staticmethod
    def _fill(t: QTableWidget, rows: list[list[str]], uids: list[str] | None = None) -> None:
        t.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                item = QTableWidgetItem(v)
                if uids:
                    item.setData(Qt.ItemDataRole.UserRole, uids[r])
                t.setItem(r, c, item)
        t.resizeColumnsToContents()
        t.horizontalHeader().setStretchLastSection(True)
