"""Lazy list of records: pages of rows fetched on the DB thread as the view scrolls.

Opening a list of 100,000 consultations costs one COUNT and one page; Qt asks
for more through ``canFetchMore``/``fetchMore`` only when the user scrolls near
the end. Sorting and filtering are done by the database, then the list reloads.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from ..worker import DbWorker
from ..qtcompat import emit

Index = QModelIndex | QPersistentModelIndex
BASE_POINT_SIZE = 10  # the normal UI font (ui.app); Column widths are measured at it


@dataclass(frozen=True)
class Column:
    key: str  # database column used for sorting
    header: str
    show: Callable[[dict[str, Any]], str] | None = None  # display shaping (masking, code names)
    width: int = 0  # pixels at the normal 10 pt font; grows with large-font mode


class RecordTableModel(QAbstractTableModel):
    """Rows of one record kind. ``RecordRole`` gives the whole record dict of a row."""

    RecordRole = Qt.ItemDataRole.UserRole + 1
    PAGE = 200
    total_changed = Signal(int)
    page_loaded = Signal()

    def __init__(self, worker: DbWorker, kind: str, columns: list[Column]) -> None:
        super().__init__()
        self.worker, self.kind, self.columns = worker, kind, columns
        self.rows: list[dict[str, Any]] = []
        self.total: int | None = None
        self.filters: dict[str, Any] = {}
        self.order: str | None = None
        self._loading = False
        self._generation = 0

    # loading -----------------------------------------------------------------------------
    def reload(self) -> None:
        self._generation += 1
        gen, kind, filters, order, page = self._generation, self.kind, dict(self.filters), self.order, self.PAGE
        self.beginResetModel()
        self.rows, self.total = [], None
        self.endResetModel()
        self._loading = True

        def op(st: Any) -> tuple[int, list[dict[str, Any]]]:
            return (st.records.count_records(kind, filters),
                    st.records.list_records(kind, limit=page, offset=0, filters=filters, order=order))

        self.worker.run(op, lambda res: self._first(gen, res))

    def _first(self, gen: int, res: tuple[int, list[dict[str, Any]]]) -> None:
        if gen != self._generation:
            return
        self.total = res[0]
        emit(self.total_changed, self.total)
        self._append(gen, res[1])

    def _append(self, gen: int, rows: list[dict[str, Any]]) -> None:
        self._loading = False
        if gen != self._generation:
            return
        if rows:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(rows) - 1)
            self.rows.extend(rows)
            self.endInsertRows()
        emit(self.page_loaded)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: N802 - Qt API
        return not parent.isValid() and not self._loading and self.total is not None and len(self.rows) < self.total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: N802
        if not self.canFetchMore(parent):
            return
        self._loading = True
        gen, kind, filters, order, offset, page = (self._generation, self.kind, dict(self.filters), self.order,
                                                   len(self.rows), self.PAGE)
        self.worker.run(lambda st: st.records.list_records(kind, limit=page, offset=offset, filters=filters,
                                                           order=order),
                        lambda rows: self._append(gen, rows))

    def set_filters(self, filters: dict[str, Any]) -> None:
        self.filters = {k: v for k, v in filters.items() if v not in (None, "")}
        self.reload()

    # Qt model contract -------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):  # a cut cell reads in full on hover
            col = self.columns[index.column()]
            value = col.show(row) if col.show else row.get(col.key)
            return "" if value is None else str(value)
        if role == self.RecordRole:
            return row
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section].header
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if column < 0 or column >= len(self.columns):
            return
        desc = order == Qt.SortOrder.DescendingOrder
        self.order = ("-" if desc else "") + self.columns[column].key
        self.reload()

    def record(self, row: int) -> dict[str, Any]:
        return self.rows[row]


class RecordTable(QTableView):
    """Table of records: double-click or Enter emits ``opened(record)``."""

    opened = Signal(dict)

    def __init__(self, model: RecordTableModel, name: str) -> None:
        super().__init__()
        self.setAccessibleName(name)
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        vh = self.verticalHeader()
        vh.hide()
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # no per-row measuring: smooth scrolling
        hh = self.horizontalHeader()
        hh.setStretchLastSection(True)
        hh.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.setSortingEnabled(True)
        self._fit_columns()
        self.doubleClicked.connect(self._open)

    def _fit_columns(self) -> None:
        """Column widths grow with the font (large-font mode), so masked IDs and dates still fit."""
        base = QFont(self.font())
        base.setPointSizeF(BASE_POINT_SIZE)
        sample = "中文字"  # the widths were chosen for Chinese text at the normal size
        scale = max(1.0, self.fontMetrics().horizontalAdvance(sample) / QFontMetrics(base).horizontalAdvance(sample))
        for i, c in enumerate(self.model().columns):
            if c.width:
                self.setColumnWidth(i, round(c.width * scale))

    def changeEvent(self, e: QEvent) -> None:  # noqa: N802 - Qt API
        super().changeEvent(e)
        if e.type() == QEvent.Type.FontChange:
            self._fit_columns()

    def _open(self, index: QModelIndex) -> None:
        if index.isValid():
            emit(self.opened, self.model().data(index, RecordTableModel.RecordRole))

    def keyPressEvent(self, e: QKeyEvent) -> None:  # noqa: N802
        if e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._open(self.currentIndex())
            return
        super().keyPressEvent(e)
