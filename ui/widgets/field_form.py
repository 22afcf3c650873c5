"""Declarative forms: labelled inputs whose accessible name is the visible label,
with a Chinese error line under each field for the core's ValidationError."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QDateTimeEdit, QFormLayout, QGridLayout,
                               QLabel, QLineEdit, QPlainTextEdit, QTimeEdit, QVBoxLayout, QWidget)

from station.errors import FieldError

ERROR_STYLE = "color: #b00020;"


@dataclass
class Field:
    """One input: ``kind`` is line | text | lines | choice | multi | date | datetime | time | number | check
    | custom (``widget`` given)."""

    key: str
    label: str
    kind: str = "line"
    choices: Mapping[str, str] | None = None
    required: bool = False
    placeholder: str = ""
    widget: QWidget | None = None
    blank: bool = True  # choice: allow an empty first entry
    height: int = 70
    extra: dict[str, Any] = field(default_factory=dict)


class MultiCheck(QWidget):
    """A group of check boxes standing for a list of codes (service types, special groups)."""

    changed = Signal()

    def __init__(self, choices: Mapping[str, str], columns: int = 3) -> None:
        super().__init__()
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.boxes: dict[str, QCheckBox] = {}
        for i, (code, label) in enumerate(choices.items()):
            box = QCheckBox(label)
            box.setAccessibleName(label)
            box.toggled.connect(self.changed)
            grid.addWidget(box, i // columns, i % columns)
            self.boxes[code] = box

    def value(self) -> list[str]:
        return [c for c, b in self.boxes.items() if b.isChecked()]

    def set_value(self, codes: list[str] | None) -> None:
        for c, b in self.boxes.items():
            b.setChecked(c in (codes or []))


def fill_combo(combo: QComboBox, choices: Mapping[str, str], blank: bool = True) -> None:
    current = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    if blank:
        combo.addItem("", None)
    for code, label in choices.items():
        combo.addItem(label, code)
    idx = combo.findData(current)
    combo.setCurrentIndex(idx if idx >= 0 else 0)
    combo.blockSignals(False)


class FieldForm(QWidget):
    """A form of :class:`Field` rows. ``changed`` fires on any edit (drafts listen to it)."""

    changed = Signal()

    def __init__(self, fields: list[Field], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fields = {f.key: f for f in fields}
        self.inputs: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.labels: dict[str, QLabel] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.form_error = QLabel()
        self.form_error.setStyleSheet(ERROR_STYLE)
        self.form_error.setWordWrap(True)
        self.form_error.setAccessibleName("保存失败原因")
        self.form_error.hide()
        outer.addWidget(self.form_error)
        self.layout_ = QFormLayout()
        self.layout_.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.layout_.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        outer.addLayout(self.layout_)
        for f in fields:
            self._add(f)

    # construction -------------------------------------------------------------------------
    def _make(self, f: Field) -> QWidget:
        if f.widget is not None:
            f.kind = "custom"
            w = f.widget
            sig = getattr(w, "changed", None)
            if sig is not None:
                sig.connect(self.changed)
            return w
        if f.kind == "line" or f.kind == "number":
            w = QLineEdit()
            w.setPlaceholderText(f.placeholder)
            w.textEdited.connect(self.changed)
            return w
        if f.kind in ("text", "lines"):
            w = QPlainTextEdit()
            w.setTabChangesFocus(True)  # keyboard users move on with Tab
            w.setPlaceholderText(f.placeholder)
            w.setMinimumHeight(f.height)
            w.setMaximumHeight(f.height * 2)
            w.textChanged.connect(self.changed)
            return w
        if f.kind == "choice":
            w = QComboBox()
            fill_combo(w, f.choices or {}, f.blank)
            w.currentIndexChanged.connect(self.changed)
            return w
        if f.kind == "multi":
            w = MultiCheck(f.choices or {}, f.extra.get("columns", 3))
            w.changed.connect(self.changed)
            return w
        if f.kind == "date":
            w = QDateEdit(QDate.currentDate())
            w.setCalendarPopup(True)
            w.setDisplayFormat("yyyy-MM-dd")
            w.dateChanged.connect(self.changed)
            return w
        if f.kind == "datetime":
            w = QDateTimeEdit(QDateTime.currentDateTime())
            w.setCalendarPopup(True)
            w.setDisplayFormat("yyyy-MM-dd HH:mm")
            w.dateTimeChanged.connect(self.changed)
            return w
        if f.kind == "time":
            w = QTimeEdit(QTime(9, 0))
            w.setDisplayFormat("HH:mm")
            w.timeChanged.connect(self.changed)
            return w
        if f.kind == "check":
            w = QCheckBox(f.label)
            w.toggled.connect(self.changed)
            return w
        raise ValueError(f.kind)

    def _add(self, f: Field) -> None:
        w = self._make(f)
        w.setAccessibleName(f.label)
        w.setObjectName(f"field_{f.key}")
        err = QLabel()
        err.setStyleSheet(ERROR_STYLE)
        err.setWordWrap(True)
        err.setAccessibleName(f"{f.label}错误")
        err.hide()
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(w)
        lay.addWidget(err)
        label = QLabel(f.label + ("*" if f.required else "") + "：")
        label.setBuddy(w)
        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.layout_.addRow(label, box)
        self.inputs[f.key], self.errors[f.key], self.labels[f.key] = w, err, label
        self._watch(w, err)

    @staticmethod
    def _watch(w: QWidget, err: QLabel) -> None:
        """Editing a field clears its error: the message was about the old value."""
        for name in ("textEdited", "textChanged", "currentIndexChanged", "changed", "dateChanged", "toggled"):
            sig = getattr(w, name, None)
            if sig is not None and hasattr(sig, "connect"):
                sig.connect(lambda *_a: err.hide())
                return

    def set_choices(self, key: str, choices: Mapping[str, str]) -> None:
        w = self.inputs[key]
        if isinstance(w, QComboBox):
            fill_combo(w, choices, self.fields[key].blank)
        self.fields[key].choices = choices

    def replace_input(self, key: str, widget: QWidget) -> None:
        """Swap a custom input (e.g. choices that arrive later), keeping name, buddy and error."""
        old = self.inputs[key]
        old.parentWidget().layout().replaceWidget(old, widget)
        old.hide()
        old.deleteLater()
        widget.setAccessibleName(self.fields[key].label)
        widget.setObjectName(f"field_{key}")
        sig = getattr(widget, "changed", None)
        if sig is not None:
            sig.connect(self.changed)
        self.labels[key].setBuddy(widget)
        self._watch(widget, self.errors[key])
        self.inputs[key] = widget

    def set_visible(self, key: str, visible: bool) -> None:
        self.inputs[key].parentWidget().setVisible(visible)
        self.labels[key].setVisible(visible)

    # values -------------------------------------------------------------------------------
    def value(self, key: str) -> Any:
        w, f = self.inputs[key], self.fields[key]
        if f.kind in ("multi", "custom"):
            return w.value()  # type: ignore[attr-defined]
        if isinstance(w, QLineEdit):
            return w.text().strip()
        if isinstance(w, QPlainTextEdit):
            t = w.toPlainText()
            return [x for x in (s.strip() for s in t.splitlines()) if x] if f.kind == "lines" else t.strip()
        if isinstance(w, QComboBox):
            return w.currentData()
        if isinstance(w, QDateTimeEdit) and f.kind == "datetime":
            return w.dateTime().toString("yyyy-MM-dd HH:mm")
        if isinstance(w, QDateEdit):
            return w.date().toString("yyyy-MM-dd")
        if isinstance(w, QTimeEdit):
            return w.time().toString("HH:mm")
        if isinstance(w, QCheckBox):
            return w.isChecked()
        return w.value()  # type: ignore[attr-defined]

    def values(self) -> dict[str, Any]:
        return {k: self.value(k) for k in self.inputs}

    def set_value(self, key: str, value: Any) -> None:
        w, f = self.inputs[key], self.fields[key]
        if isinstance(w, QLineEdit):
            w.setText("" if value is None else str(value))
        elif isinstance(w, QPlainTextEdit):
            w.setPlainText("\n".join(value) if isinstance(value, list) else (value or ""))
        elif isinstance(w, QComboBox):
            idx = w.findData(value)
            w.setCurrentIndex(max(idx, 0))
        elif isinstance(w, QDateTimeEdit) and f.kind == "datetime":
            if value:
                w.setDateTime(QDateTime.fromString(str(value)[:16], "yyyy-MM-dd HH:mm"))
        elif isinstance(w, QDateEdit):
            if value:
                w.setDate(QDate.fromString(str(value)[:10], "yyyy-MM-dd"))
        elif isinstance(w, QTimeEdit):
            if value:
                w.setTime(QTime.fromString(str(value)[:5], "HH:mm"))
        elif isinstance(w, QCheckBox):
            w.setChecked(bool(value))
        elif hasattr(w, "set_value"):
            w.set_value(value)

    def set_values(self, data: Mapping[str, Any]) -> None:
        for k, v in data.items():
            if k in self.inputs:
                self.set_value(k, v)

    def reset(self, defaults: Mapping[str, Any] | None = None) -> None:
        for key, w in self.inputs.items():
            f = self.fields[key]
            if isinstance(w, QLineEdit):
                w.clear()
            elif isinstance(w, QPlainTextEdit):
                w.clear()
            elif isinstance(w, QComboBox):
                w.setCurrentIndex(0)
            elif isinstance(w, QDateTimeEdit) and f.kind == "datetime":
                w.setDateTime(QDateTime.currentDateTime())
            elif isinstance(w, QDateEdit):
                w.setDate(QDate.currentDate())
            elif isinstance(w, QCheckBox):
                w.setChecked(False)
            elif hasattr(w, "set_value"):
                w.set_value(None)
        if defaults:
            self.set_values(defaults)
        self.clear_errors()

    # errors -------------------------------------------------------------------------------
    def clear_errors(self) -> None:
        for e in self.errors.values():
            e.clear()
            e.hide()
        self.form_error.hide()

    def show_errors(self, errors: list[FieldError]) -> None:
        """Put each core error next to its field; errors for fields not on the form go on top."""
        self.clear_errors()
        other: list[str] = []
        first: QWidget | None = None
        for e in errors:
            label = self.errors.get(e.field)
            if label is None:
                other.append(str(e))
                continue
            label.setText((label.text() + "\n" if label.text() else "") + e.message)
            label.show()
            first = first or self.inputs[e.field]
        if other:
            self.form_error.setText("\n".join(other))
            self.form_error.show()
        if first is not None:
            first.setFocus()

    def first_input(self) -> QWidget:
        return next(iter(self.inputs.values()))


def today_iso() -> str:
    return dt.date.today().isoformat()


Loader = Callable[[], None]
