"""当事人选择: type a name, pinyin initials, ID number or phone; pick or create a person.

Search runs on the DB thread after a short pause in typing; a stale answer (the
user kept typing) is dropped. Choosing or creating a person checks for likely
duplicates and says so.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QLineEdit,
                               QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget)

from station import codes
from station.masking import mask_address, mask_id, mask_phone

from ..worker import DbWorker, single_shot_timer
from .drafting import DraftKeeper, draft_banner
from .field_form import ERROR_STYLE, Field, FieldForm
from ..qtcompat import emit

WARN_STYLE = "color: #8a5300; background: #fff4d6; padding: 3px;"
DEBOUNCE_MS = 250


def person_summary(p: dict[str, Any]) -> str:
    bits = [p.get("name", "")]
    if p.get("gender"):
        bits.append(p["gender"])
    if p.get("id_number"):
        bits.append(mask_id(p["id_number"]))
    if p.get("phone"):
        bits.append(mask_phone(p["phone"]))
    return "  ".join(bits)


def hit_text(h: dict[str, Any]) -> str:
    """A person suggestion: name, masked address (bystanders see the counter screen), why it matched."""
    detail = mask_address(h["detail"]) if h.get("kind", "person") == "person" else h["detail"]
    return "  ".join(x for x in (h["title"], detail, f"〔{h['why']}〕") if x)


def duplicate_text(dups: list[dict[str, Any]]) -> str:
    return "可能重复：" + "；".join(f"已有当事人“{d['name']}”（{person_summary(d)}）" for d in dups)


class _Edit(QLineEdit):
    """Line edit that hands Down/Enter to the suggestion list."""

    key_down = Signal()
    key_enter = Signal()
    has_suggestions = False  # a plain attribute: bool dynamic properties upset PySide6's refcounts

    def keyPressEvent(self, e: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if e.key() == Qt.Key.Key_Down:
            emit(self.key_down)
            return
        if e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.has_suggestions:
            emit(self.key_enter)
            return
        super().keyPressEvent(e)


class PersonDialog(QDialog):
    """登记新当事人 (or 修改 an existing one: ``person``), with a duplicate check before saving.

    What is typed is kept as a draft (person:new, or person:edit:<uid> with the base version).
    Editing shows the ID number, phone and address masked: left empty they stay as they are.
    """

    person_saved = Signal(dict)

    def __init__(self, worker: DbWorker, parent: QWidget | None = None, name: str = "",
                 person: dict[str, Any] | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.person = person
        self.setWindowTitle("修改当事人信息" if person else "登记当事人")
        self.setObjectName("person_dialog")
        self.form = FieldForm([
            Field("name", "姓名", required=True),
            Field("gender", "性别", "choice", {"男": "男", "女": "女"}),
            Field("id_number", "身份证号码", placeholder="18位，末位可为X"),
            Field("phone", "联系电话"),
            Field("address", "住址"),
            Field("special_groups", "特殊群体", "multi", codes.SPECIAL_GROUPS, extra={"columns": 3}),
        ])
        self.form.set_value("name", name)
        if person is not None:
            self.form.set_values({k: person.get(k) for k in ("name", "gender", "special_groups")})
            for key, mask in (("id_number", mask_id), ("phone", mask_phone), ("address", mask_address)):
                self.form.inputs[key].setPlaceholderText(  # type: ignore[attr-defined]
                    f"不修改请留空（现为 {mask(person.get(key)) or '未填'}）")
        self.banner = draft_banner()
        if person is None:
            self.drafts = DraftKeeper(worker, self.form, "person:new", "person", self.banner)
        else:
            self.drafts = DraftKeeper(worker, self.form, f"person:edit:{person['uid']}", "person_edit", self.banner)
            self.drafts.retarget(self.drafts.key, "person_edit", person["uid"], {"version": person["version"]})
        self.dup = QLabel()
        self.dup.setWordWrap(True)
        self.dup.setStyleSheet(WARN_STYLE)
        self.dup.setAccessibleName("重复提示")
        self.dup.hide()
        self.use_existing = QPushButton("使用已有当事人")
        self.use_existing.setAccessibleName("使用已有当事人")
        self.use_existing.hide()
        self.use_existing.clicked.connect(self._use_existing)
        buttons = QDialogButtonBox()
        self.save_btn = buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_btn.setAccessibleName("保存当事人")
        cancel = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setAccessibleName("取消")
        self.save_btn.clicked.connect(self.save)
        cancel.clicked.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.banner)
        lay.addWidget(self.form)
        lay.addWidget(self.dup)
        lay.addWidget(self.use_existing)
        lay.addWidget(buttons)
        self._dups: list[dict[str, Any]] = []
        self._confirmed = False
        for key in ("id_number", "phone"):
            self.form.inputs[key].editingFinished.connect(self._check)  # type: ignore[attr-defined]
        self.form.changed.connect(self._reset_confirm)
        self.drafts.mark_clean()
        self.drafts.restore()  # what was typed here before the program was killed
        self.resize(560, 420)

    def reject(self) -> None:
        """Cancelled: the user chose not to keep what was typed."""
        self.drafts.discard()
        super().reject()

    def _reset_confirm(self) -> None:
        self._confirmed = False
        self.save_btn.setText("保存")

    def _check(self, then_save: bool = False) -> None:
        data = self.form.values()
        exclude = self.person["uid"] if self.person else None
        self.worker.run(lambda st: st.people.find_duplicates(data, exclude_uid=exclude),
                        lambda dups: self._show_dups(dups, then_save))

    def _show_dups(self, dups: list[dict[str, Any]], then_save: bool) -> None:
        self._dups = dups
        self.dup.setVisible(bool(dups))
        self.use_existing.setVisible(bool(dups) and self.person is None)  # editing: nothing to swap in
        if dups:
            again = "仍然保存" if self.person is not None else "仍然新建"
            self.dup.setText(duplicate_text(dups) + f"。如确属不同的人，请再点“{again}”。")
            self.use_existing.setText(f"使用已有当事人“{dups[0]['name']}”")
            self.save_btn.setText(again)
            self._confirmed = True
        elif then_save:
            self._save_now()

    def _use_existing(self) -> None:
        if self._dups:
            self.drafts.discard()
            emit(self.person_saved, self._dups[0])
            self.accept()

    def save(self) -> None:
        if self._confirmed:
            self._save_now()
        else:
            self._check(then_save=True)

    def _save_now(self) -> None:
        data = self.form.values()
        key = self.drafts.key
        self.drafts.timer.stop()
        if self.person is None:
            self.worker.run(lambda st: st.drafts.submit(key, "people", "save_person", data), self._saved, self._failed)
            return
        uid, version = self.person["uid"], self.drafts.meta.get("version")

        def update(st: Any) -> Any:
            # fields this dialog does not show keep their values; an empty ID/phone/address means "unchanged"
            current = st.people.get_person(uid)
            typed = {k: v for k, v in data.items() if v or k not in ("id_number", "phone", "address")}
            return st.drafts.submit(key, "people", "save_person", {**current, **typed}, uid=uid,
                                    base_version=version)
        self.worker.run(update, self._saved, self._failed)

    def _saved(self, saved: Any) -> None:
        self.drafts.saved()
        emit(self.person_saved, saved.record)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        from station.errors import Conflict
        if isinstance(exc, Conflict):
            self.form.form_error.setText(f"未保存：{exc}。您填写的内容仍保留在表单中。")
            self.form.form_error.show()
            return
        errors = getattr(exc, "errors", None)
        if errors is None:
            raise exc
        self.form.show_errors(errors)


class PersonPicker(QWidget):
    """Search-as-you-type person chooser; ``value()`` is the chosen person's uid."""

    changed = Signal()

    def __init__(self, worker: DbWorker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self._uid: str | None = None
        self._person: dict[str, Any] | None = None
        self._seq = 0
        self.edit = _Edit()
        self.edit.setPlaceholderText("输入姓名、拼音首字母、身份证号或电话")
        self.new_btn = QPushButton("新建…")
        self.new_btn.setAccessibleName("新建当事人")
        self.new_btn.setAutoDefault(False)
        self.list = QListWidget()
        self.list.setMaximumHeight(140)
        self.list.hide()
        self.chosen = QLabel()
        self.chosen.setWordWrap(True)
        self.chosen.hide()
        self.warn = QLabel()
        self.warn.setWordWrap(True)
        self.warn.setStyleSheet(WARN_STYLE)
        self.warn.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.new_btn)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addLayout(row)
        lay.addWidget(self.list)
        lay.addWidget(self.chosen)
        lay.addWidget(self.warn)
        self.setFocusProxy(self.edit)
        self.timer = single_shot_timer(self, DEBOUNCE_MS)
        self.timer.timeout.connect(self._search)
        self.edit.textEdited.connect(lambda _t: self.timer.start())
        self.edit.key_down.connect(self._to_list)
        self.edit.key_enter.connect(lambda: self._choose_item(self.list.item(0)))
        self.list.itemActivated.connect(self._choose_item)
        self.new_btn.clicked.connect(self.create_person)
        self.dialog: PersonDialog | None = None

    def setAccessibleName(self, name: str) -> None:  # noqa: N802 - mirrors Qt API
        super().setAccessibleName(name)
        self.edit.setAccessibleName(name)
        self.list.setAccessibleName(f"{name}候选")
        self.chosen.setAccessibleName(f"{name}已选")
        self.warn.setAccessibleName(f"{name}重复提示")
        self.new_btn.setAccessibleName(f"新建{name}")

    # search ------------------------------------------------------------------------------
    def _search(self) -> None:
        text = self.edit.text().strip()
        self._seq += 1
        seq = self._seq
        if not text:
            self._show_hits([], seq)
            return
        self.worker.run(lambda st: [h.as_dict() for h in st.search(text, kinds={"person"}, limit=8)],
                        lambda hits: self._show_hits(hits, seq))

    def _show_hits(self, hits: list[dict[str, Any]], seq: int) -> None:
        if seq != self._seq:
            return  # the user typed on; a newer search is coming
        self.list.clear()
        for h in hits:
            item = QListWidgetItem(hit_text(h))
            item.setData(Qt.ItemDataRole.UserRole, h["uid"])
            self.list.addItem(item)
        self.list.setVisible(bool(hits))
        self.edit.has_suggestions = bool(hits)
        if hits:
            self.list.setCurrentRow(0)

    def _to_list(self) -> None:
        if self.list.count():
            self.list.setFocus()
            self.list.setCurrentRow(min(1, self.list.count() - 1) if self.list.currentRow() == 0 else 0)

    def _choose_item(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        self.set_value(item.data(Qt.ItemDataRole.UserRole), check_duplicates=True)
        self.edit.setFocus()
        self.focusNextChild()

    # value -------------------------------------------------------------------------------
    def value(self) -> str | None:
        return self._uid

    def person(self) -> dict[str, Any] | None:
        return self._person

    def set_value(self, uid: str | None, check_duplicates: bool = False) -> None:
        self._uid = uid
        self._seq += 1  # drop answers to searches typed before this choice
        self.list.clear()
        self.list.hide()
        self.edit.has_suggestions = False
        self.warn.hide()
        if not uid:
            self._person = None
            self.chosen.clear()
            self.chosen.hide()
            self.edit.clear()
            emit(self.changed)
            return

        def load(st: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
            p = st.people.get_person(uid)
            dups = st.people.find_duplicates(p, exclude_uid=uid) if check_duplicates else []
            return p, dups

        self.worker.run(load, self._loaded)
        emit(self.changed)

    def _loaded(self, result: tuple[dict[str, Any], list[dict[str, Any]]]) -> None:
        p, dups = result
        if p["uid"] != self._uid:
            return
        self._person = p
        self.edit.setText(p["name"])
        self.chosen.setText("已选：" + person_summary(p))
        self.chosen.show()
        if dups:
            self.warn.setText(duplicate_text(dups) + "，请核对是否同一人")
            self.warn.show()

    def create_person(self) -> None:
        self.dialog = PersonDialog(self.worker, self.window(), name=self.edit.text().strip())
        self.dialog.person_saved.connect(lambda p: self.set_value(p["uid"], check_duplicates=True))
        self.dialog.open()

    def clear(self) -> None:
        self.set_value(None)


class PartyList(QWidget):
    """当事人 of a case: pick a person, choose the side, add; Delete removes the selected row."""

    changed = Signal()

    def __init__(self, worker: DbWorker) -> None:
        super().__init__()
        self.picker = PersonPicker(worker)
        self.side = QComboBox()
        for code, label in codes.PARTY_SIDES.items():
            self.side.addItem(label, code)
        self.side.setAccessibleName("当事人身份")
        self.add_btn = QPushButton("加入")
        self.add_btn.setAccessibleName("加入当事人")
        self.add_btn.setAutoDefault(False)
        self.rows = QListWidget()
        self.rows.setAccessibleName("已加入的当事人")
        self.rows.setMaximumHeight(110)
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.side)
        row.addWidget(self.add_btn)
        row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.picker)
        lay.addLayout(row)
        lay.addWidget(self.rows)
        self.add_btn.clicked.connect(self.add_current)
        self.setFocusProxy(self.picker)

    def setAccessibleName(self, name: str) -> None:  # noqa: N802
        super().setAccessibleName(name)
        self.picker.setAccessibleName(name)

    def add_current(self) -> None:
        p = self.picker.person()
        if not p:
            return
        self._add({"side": self.side.currentData(), "person": p["uid"], "name": p["name"]})
        self.picker.clear()
        self.side.setCurrentIndex(min(self.side.currentIndex() + 1, 1))
        self.picker.setFocus()

    def _add(self, party: dict[str, Any]) -> None:
        item = QListWidgetItem(f"{codes.PARTY_SIDES.get(party['side'], '')}：{party.get('name', '')}")
        item.setData(Qt.ItemDataRole.UserRole, party)
        self.rows.addItem(item)
        emit(self.changed)

    def keyPressEvent(self, e: QKeyEvent) -> None:  # noqa: N802
        if e.key() == Qt.Key.Key_Delete and self.rows.hasFocus() and self.rows.currentRow() >= 0:
            self.rows.takeItem(self.rows.currentRow())
            emit(self.changed)
            return
        super().keyPressEvent(e)

    def value(self) -> list[dict[str, Any]]:
        return [self.rows.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.rows.count())]

    def set_value(self, parties: list[dict[str, Any]] | None) -> None:
        self.rows.clear()
        for p in parties or []:
            self._add(p)
        self.picker.clear()
