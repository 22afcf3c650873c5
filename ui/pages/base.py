"""What every screen shares: the worker, the bus, and the standard shortcuts."""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtWidgets import (QLabel, QLayout, QMessageBox, QScrollArea, QSplitter, QTableWidget, QVBoxLayout,
                               QWidget)

from station.errors import Conflict, ValidationError

from ..bus import StationBus
from ..widgets.field_form import FieldForm
from ..worker import DbWorker
from ..qtcompat import emit


def read_only_table(headers: list[str], name: str, *, stretch_last: bool = True, word_wrap: bool = True,
                    select_rows: bool = False, min_height: int = 0) -> QTableWidget:
    """A small list the user reads (no row numbers, no editing), named for screen readers and tests."""
    t = QTableWidget(0, len(headers))
    t.setAccessibleName(name)
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().hide()
    t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    t.setWordWrap(word_wrap)
    if select_rows:
        t.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    t.horizontalHeader().setStretchLastSection(stretch_last)
    if min_height:
        t.setMinimumHeight(min_height)
    return t

TITLE_STYLE = "font-size: 16pt; font-weight: bold;"
OK_STYLE = "color: #1b6e20;"


def title_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet(TITLE_STYLE)
    return label


def form_column(title: str, *parts: QWidget | QLayout) -> QScrollArea:
    """The entry side of a page: a title over the given widgets/layouts, scrolling when short of room."""
    inner = QWidget()
    lay = QVBoxLayout(inner)
    lay.addWidget(title_label(title))
    for part in parts:
        if isinstance(part, QLayout):
            lay.addLayout(part)
        else:
            lay.addWidget(part)
    lay.addStretch(1)
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setWidget(inner)
    return scroll


def split_layout(page: QWidget, entry: QWidget, listing: QWidget) -> None:
    """Entry form on the left, its ledger on the right (5:6), filling ``page``."""
    split = QSplitter()
    split.addWidget(entry)
    split.addWidget(listing)
    split.setStretchFactor(0, 5)
    split.setStretchFactor(1, 6)
    lay = QVBoxLayout(page)
    lay.setContentsMargins(6, 6, 6, 6)
    lay.addWidget(split)


class Page(QWidget):
    """A screen in the main window. Shortcuts (Ctrl+N/S/F/P) call the methods below."""

    TITLE = ""

    def __init__(self, worker: DbWorker, bus: StationBus) -> None:
        super().__init__()
        self.worker, self.bus = worker, bus
        self.go_person: Callable[[str], None] = lambda uid: None  # set by the main window
        self.go_case: Callable[[str], None] = lambda uid: None
        bus.station_changed.connect(self._on_changed)

    def _on_changed(self, kinds: set[str], initiator: object) -> None:
        if initiator is not self:
            self.refresh(kinds)

    def activate(self) -> None:
        """The page became visible."""

    def refresh(self, kinds: set[str]) -> None:
        """Something this page may show was written elsewhere."""

    def new(self) -> None: ...

    def save(self) -> None: ...

    def find(self) -> None: ...

    def print_(self) -> None:
        emit(self.bus.status_shown, "本页没有可打印的内容")

    # helpers -----------------------------------------------------------------------------
    def write(self, op: Callable[[Any], Any], form: FieldForm | None, kinds: set[str],
              done: Callable[[Any], None]) -> None:
        """Run a write; on a ValidationError put the messages next to the fields, nothing saved."""
        if form is not None:
            form.clear_errors()

        def ok(result: Any) -> None:
            emit(self.bus.station_changed, kinds, self)
            done(result)
            warnings = getattr(result, "warnings", None)
            if warnings:
                emit(self.bus.status_shown, "；".join(warnings))

        def failed(exc: BaseException) -> None:
            if isinstance(exc, ValidationError) and form is not None:
                form.show_errors(exc.errors)
                emit(self.bus.status_shown, "未保存：请按提示修改")
            elif isinstance(exc, Conflict) and form is not None:
                show_conflict(form, exc)
                emit(self.bus.status_shown, "未保存：记录已被他人修改")
            else:
                emit(self.bus.error_raised, exc)

        self.worker.run(op, ok, failed)


def show_conflict(form: FieldForm, exc: BaseException) -> None:
    """A stale edit: say so on top of the form; what the user typed stays in the form (and its draft)."""
    form.form_error.setText(f"未保存：{exc}。您填写的内容仍保留在表单中，可先记下再点“取消修改”重新打开。")
    form.form_error.show()


def show_error(parent: QWidget, exc: BaseException) -> None:
    """Non-blocking error box in Chinese (window-modal, so the event loop keeps running)."""
    from station.errors import Conflict, InvalidTransition, NotFound, StationError
    if isinstance(exc, (InvalidTransition, Conflict, NotFound, ValidationError)):
        text = str(exc)
    elif isinstance(exc, StationError):
        text = f"操作未完成：{exc}"
    else:
        text = f"发生意外错误（{type(exc).__name__}），操作未完成。"
    box = QMessageBox(QMessageBox.Icon.Warning, "提示", text, QMessageBox.StandardButton.Ok, parent)
    box.setAccessibleName("错误提示")
    box.open()
