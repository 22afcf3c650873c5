"""导入台账: take in an office's Excel ledger — pick the sheet, check how each column and coded value
will be read, preview, check (dry run) and import in one transaction.

The workbook is read on a reader thread of its own (no database needed), the check and the import
on the DB thread; the page itself only shows what the core (station.ledger) decides, so the GUI
and ``station import ledger.xlsx`` read a ledger the same way.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QProgressBar, QPushButton, QSplitter, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from station.ledger.fields import KINDS, all_fields, field_label
from station.ledger.table import Sheet

from ..qtcompat import emit
from ..worker import DbWorker
from .base import OK_STYLE, Page, read_only_table, title_label

SKIP = "（不导入）"
AS_READ = "（按识别结果）"
PREVIEW_ROWS = 20
ERROR_COLOR = QColor("#b3261e")
WARN_COLOR = QColor("#8a5a00")
CHANGED_KINDS = {"case", "consultation", "visit", "person", "staff", "village"}
_WHAT = {"case": "调解案件", "consultation": "咨询", "visit": "顾问工作记录", "person": "当事人",
         "staff": "工作人员", "village": "村(居)"}


def read_file(path: str) -> tuple[list[str], Sheet | None]:
    """Every sheet name, and the first sheet with a recognisable ledger header (reader thread)."""
    from station.ledger.table import list_sheets, read_all
    names = list_sheets(path)
    found = read_all(path)
    return names, (found[0] if found else None)


def run_import(st: Any, params: dict[str, Any], dry_run: bool, progress: Callable[[int, int], None]) -> Any:
    """The check or the import (DB thread): the account needs the data permission, as on the CLI."""
    from station.ledger.importer import import_ledger
    from station.security.permissions import DATA
    st.require(DATA)
    return import_ledger(st, params["path"], sheet=params["sheet"], kind=params["kind"],
                         overrides=params["overrides"], value_maps=params["value_maps"],
                         default_mediator=params["mediator"], dry_run=dry_run, progress=progress)


def _stop_reader(reader: DbWorker) -> None:
    """The page is gone: a read still running delivers to nobody, and the thread ends."""
    reader._closed = True
    reader._pool.shutdown(wait=False)


def created_text(created: dict[str, int]) -> str:
    """The records first, then the people, staff and villages they brought along."""
    order = list(_WHAT)
    ranked = sorted(created.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))
    return "，".join(f"{_WHAT.get(k, k)} {n}" for k, n in ranked if n) or "无"


class _Progress(QObject):
    """Row progress from the DB thread; the queued signal hops it to the GUI thread."""

    moved = Signal(int, int)

    def __init__(self) -> None:
        super().__init__()
        self._last = -1

    def report(self, done: int, total: int) -> None:
        percent = done * 100 // max(total, 1)
        if percent != self._last or done == total:
            self._last = percent
            emit(self.moved, done, total)


def _item(text: str, color: QColor | None = None) -> QTableWidgetItem:
    it = QTableWidgetItem(text)
    it.setFlags(it.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if color is not None:
        it.setForeground(color)
    return it


def _table(headers: list[str], name: str) -> QTableWidget:
    return read_only_table(headers, name, stretch_last=False, word_wrap=False)


class LedgerImportPage(Page):
    TITLE = "导入台账"

    def __init__(self, worker: DbWorker, bus: Any, ref: dict[str, Any]) -> None:
        super().__init__(worker, bus)
        self.ref = ref
        # reading a workbook needs no database: a reader thread of its own keeps the DB thread free
        self.reader = DbWorker(lambda: None)  # type: ignore[arg-type, return-value]
        self.reader.start()
        self.destroyed.connect(lambda *_a, r=self.reader: _stop_reader(r))
        self.path = ""
        self.sheet: Sheet | None = None  # as read, with the guessed mapping
        self.mapping: dict[str, str | None] = {}  # column letter → field
        self._generation = 0
        self.report: Any = None

        self.file = QLineEdit()
        self.file.setAccessibleName("文件")
        self.file.setPlaceholderText("选择或粘贴 .xlsx 台账文件的位置，回车读取")
        self.file.returnPressed.connect(lambda: self.load(self.file.text().strip()))
        browse = QPushButton("选择文件…")
        browse.setAccessibleName("选择文件")
        browse.setObjectName("browse")
        browse.clicked.connect(self.choose_file)
        self.sheets = QComboBox()
        self.sheets.setAccessibleName("工作表")
        self.sheets.setMinimumContentsLength(8)
        self.sheets.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.sheets.activated.connect(lambda _i: self.reread(kind=None))
        self.kind = QComboBox()
        self.kind.setAccessibleName("台账类型")
        self.kind.addItem("（请选择）", None)
        for code, label in KINDS.items():
            self.kind.addItem(label, code)
        self.kind.activated.connect(lambda _i: self.reread(kind=self.kind.currentData()))
        self.mediator = QComboBox()
        self.mediator.setAccessibleName("默认调解员")
        self.mediator.setToolTip("台账中没有写调解员的已受理案件，记在这位调解员名下")
        self.mediator_label = QLabel("默认调解员：")
        self.status = QLabel("请选择要导入的 Excel 台账文件（.xlsx）。")
        self.status.setAccessibleName("读取结果")
        self.status.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(QLabel("文件："))
        top.addWidget(self.file, 1)
        top.addWidget(browse)
        top.addSpacing(12)
        top.addWidget(QLabel("工作表："))
        top.addWidget(self.sheets)
        top.addWidget(QLabel("台账类型："))
        top.addWidget(self.kind)
        top.addWidget(self.mediator_label)
        top.addWidget(self.mediator)

        self.columns = _table(["列", "台账表头", "导入为"], "列对应")
        self.values = _table(["字段", "台账中的写法", "行数", "识别为", "改为"], "值对应")
        self.preview = _table(["行"], "导入预览")
        self.problems = _table(["行", "列", "问题"], "检查结果")
        self.problems.setWordWrap(True)  # a long message wraps rather than being cut
        self.reveal = QCheckBox("显示完整个人信息")
        self.reveal.setAccessibleName("显示完整个人信息")
        self.reveal.setToolTip("预览中默认遮盖姓名、身份证号、电话和住址；显示完整信息将记入审计日志")
        self.reveal.toggled.connect(self._reveal_toggled)

        def group(title: str, *widgets: QWidget) -> QGroupBox:
            g = QGroupBox(title)
            lay = QVBoxLayout(g)
            lay.setContentsMargins(6, 6, 6, 6)
            for w in widgets:
                lay.addWidget(w)
            return g

        preview_head = QWidget()
        ph = QHBoxLayout(preview_head)
        ph.setContentsMargins(0, 0, 0, 0)
        self.preview_note = QLabel(f"前 {PREVIEW_ROWS} 行，按导入时的读法显示")
        ph.addWidget(self.preview_note)
        ph.addStretch(1)
        ph.addWidget(self.reveal)
        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(group("列对应（每一列导入为哪个字段）", self.columns))
        left.addWidget(group("值对应（台账的写法 → 系统的值）", self.values))
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(group("预览", preview_head, self.preview))
        right.addWidget(group("检查结果（每一处问题的行和列）", self.problems))
        body = QSplitter()
        body.addWidget(left)
        body.addWidget(right)
        body.setStretchFactor(0, 5)
        body.setStretchFactor(1, 6)
        body.setSizes([560, 680])

        self.check_btn = QPushButton("检查")
        self.check_btn.setAccessibleName("检查")
        self.check_btn.setToolTip("试导入：列出每一处问题，不写入任何数据")
        self.check_btn.clicked.connect(lambda: self.start(dry_run=True))
        self.import_btn = QPushButton("导入")
        self.import_btn.setAccessibleName("导入")
        self.import_btn.setToolTip("全部行一次导入；有任何错误则一行也不写入")
        self.import_btn.clicked.connect(lambda: self.start(dry_run=False))
        self.progress = QProgressBar()
        self.progress.setAccessibleName("导入进度")
        self.progress.setMaximumWidth(220)
        self.progress.hide()
        self.result = QLabel()
        self.result.setAccessibleName("导入结果")
        self.result.setWordWrap(True)
        bottom = QHBoxLayout()
        bottom.addWidget(self.check_btn)
        bottom.addWidget(self.import_btn)
        bottom.addWidget(self.progress)
        bottom.addWidget(self.result, 1)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 6, 8, 6)
        lay.addWidget(title_label("导入台账"))
        lay.addLayout(top)
        lay.addWidget(self.status)
        lay.addWidget(body, 1)
        lay.addLayout(bottom)
        self._progress = _Progress()
        self._progress.moved.connect(self._moved)
        self._set_ready(False)
        self._show_mediator(False)

    # page ----------------------------------------------------------------------------------
    def set_reference(self, ref: dict[str, Any]) -> None:
        current = self.mediator.currentText()
        self.mediator.clear()
        self.mediator.addItem("（无）", None)
        for s in ref.get("staff", []):
            if "mediator" in s.get("roles", []):
                self.mediator.addItem(s["name"], s["name"])
        self.mediator.setCurrentIndex(max(self.mediator.findText(current), 0))
        if self.sheet is not None:
            self._fill_values()

    def find(self) -> None:
        self.file.setFocus()

    def new(self) -> None:
        self.choose_file()

    # reading the file (reader thread) ---------------------------------------------------------
    def choose_file(self) -> None:
        path, _f = QFileDialog.getOpenFileName(self, "选择台账文件", self.path or str(Path.home()),
                                               "Excel 台账 (*.xlsx *.xlsm)")
        if path:
            self.file.setText(path)
            self.load(path)

    def load(self, path: str) -> None:
        """Read ``path``: its sheets, and the first sheet that holds a ledger."""
        if not path:
            return
        if not Path(path).is_file():
            self._clear(f"找不到文件：{path}")
            return
        self.path = path
        self.file.setText(path)
        gen = self._next()
        self._clear("正在读取…")
        self.reader.run(lambda _none: read_file(path),
                        lambda r: gen == self._generation and self._file_read(*r),
                        lambda e: gen == self._generation and self._clear(self._unreadable(e)))

    def reread(self, kind: str | None) -> None:
        """The user picked another sheet (``kind`` None: guess again) or another ledger kind."""
        if not self.path or self.sheets.currentIndex() < 0:
            return
        from station.ledger.table import read_sheet
        path, name = self.path, self.sheets.currentText()
        gen = self._next()
        self._clear("正在读取…")
        self.reader.run(lambda _none: read_sheet(path, name, kind),
                        lambda s: gen == self._generation and self._show_sheet(s),
                        lambda e: gen == self._generation and self._clear(self._unreadable(e)))

    def _next(self) -> int:
        self._generation += 1
        return self._generation

    @staticmethod
    def _unreadable(e: BaseException) -> str:
        return f"无法读取这个文件（{type(e).__name__}）：请确认它是 Excel 2007 及以后的 .xlsx 文件，且未加密。"

    def _file_read(self, names: list[str], sheet: Sheet | None) -> None:
        self.sheets.clear()
        self.sheets.addItems(names)
        if sheet is None:
            self._clear("文件中没有找到可识别的台账表头：请选择工作表和台账类型。")
            return
        self.sheets.setCurrentText(sheet.name)
        self._show_sheet(sheet)

    def _clear(self, message: str) -> None:
        self.sheet = None
        self.mapping = {}
        for t in (self.columns, self.values, self.preview, self.problems):
            t.setRowCount(0)
        self.result.clear()
        self.status.setText(message)
        self._set_ready(False)

    def _show_sheet(self, sheet: Sheet) -> None:
        self.kind.setCurrentIndex(max(self.kind.findData(sheet.kind), 0))
        if sheet.kind is None or not sheet.columns:
            self._clear(f"工作表“{sheet.name}”中找不到台账表头：请在“台账类型”中指明这是哪种台账。")
            return
        self.sheet = sheet
        self.mapping = {c.letter: c.field for c in sheet.columns}
        rows = "、".join(str(r) for r in sheet.header_rows)
        title = f"“{sheet.title}”，" if sheet.title else ""
        self.status.setText(f"工作表“{sheet.name}”：{title}{KINDS[sheet.kind]}，表头在第{rows}行，"
                            f"共 {len(sheet.rows)} 行数据。请核对每一列导入为哪个字段，再点“检查”。")
        self._show_mediator(sheet.kind == "case")
        self._fill_columns()
        self._mapping_changed()
        self._set_ready(True)

    def _show_mediator(self, shown: bool) -> None:
        self.mediator.setVisible(shown)
        self.mediator_label.setVisible(shown)

    # column and value mapping -----------------------------------------------------------------
    def _fill_columns(self) -> None:
        assert self.sheet is not None and self.sheet.kind is not None
        kind = self.sheet.kind
        self.columns.setRowCount(len(self.sheet.columns))
        for i, c in enumerate(self.sheet.columns):
            self.columns.setItem(i, 0, _item(c.letter))
            self.columns.setItem(i, 1, _item(c.header))
            combo = QComboBox()
            combo.setAccessibleName(c.header)
            combo.addItem(SKIP, None)
            for f in all_fields(kind):
                combo.addItem(field_label(kind, f), f)
            combo.setCurrentIndex(max(combo.findData(c.field), 0))
            combo.activated.connect(lambda _i, letter=c.letter, cb=combo: self.map_column(letter, cb.currentData()))
            self.columns.setCellWidget(i, 2, combo)
        self._fit(self.columns, stretch=1)

    def column_combo(self, letter: str) -> QComboBox:
        assert self.sheet is not None
        row = next(i for i, c in enumerate(self.sheet.columns) if c.letter == letter)
        combo = self.columns.cellWidget(row, 2)
        assert isinstance(combo, QComboBox)
        return combo

    def map_column(self, letter: str, field: str | None) -> None:
        """Column ``letter`` is imported as ``field``; a column that had that field before is no longer."""
        if field is not None:
            for other, f in self.mapping.items():
                if f == field and other != letter:
                    self.mapping[other] = None
                    self.column_combo(other).setCurrentIndex(0)
        self.mapping[letter] = field
        combo = self.column_combo(letter)
        combo.setCurrentIndex(max(combo.findData(field), 0))
        self._mapping_changed()

    def mapped_sheet(self) -> Sheet:
        """The sheet as read, with the user's column mapping."""
        assert self.sheet is not None
        cols = [dataclasses.replace(c, field=self.mapping.get(c.letter)) for c in self.sheet.columns]
        return dataclasses.replace(self.sheet, columns=cols)

    def _names(self) -> dict[str, dict[str, str]]:
        return {"dispute_type": dict(self.ref.get("dispute_types", {})),
                "consultation_category": dict(self.ref.get("categories", {}))}

    def _mapping_changed(self) -> None:
        self._fill_values()
        self._fill_preview()
        self.problems.setRowCount(0)
        self.result.clear()

    def _fill_values(self) -> None:
        from station.ledger.valuemap import choices, coded_columns
        keep = self.value_maps()
        self.values.setRowCount(0)
        if self.sheet is None:
            return
        names = self._names()
        for col in coded_columns(self.mapped_sheet(), names):
            options = choices(col["field"], names)
            for v in col["values"]:
                r = self.values.rowCount()
                self.values.insertRow(r)
                self.values.setItem(r, 0, _item(f"{col['column']} {col['field_label']}"))
                self.values.setItem(r, 1, _item(v["raw"]))
                self.values.setItem(r, 2, _item(str(v["rows"])))
                shown = v["reads_as"] if v["problem"] is None else "无法识别"
                item = _item(shown, ERROR_COLOR if v["problem"] else None)
                item.setToolTip(v["problem"] or "")
                self.values.setItem(r, 3, item)
                combo = QComboBox()
                combo.setAccessibleName(f"{col['field_label']}：{v['raw']}")
                combo.addItem(AS_READ, None)
                for target, label in options.items():
                    combo.addItem(label, target)
                combo.setProperty("field", col["field"])
                combo.setProperty("raw", v["raw"])
                chosen = keep.get(col["field"], {}).get(v["raw"])
                combo.setCurrentIndex(max(combo.findData(chosen), 0))
                combo.activated.connect(lambda _i: self._value_changed())
                self.values.setCellWidget(r, 4, combo)
        self._fit(self.values, stretch=4)

    def _value_changed(self) -> None:
        self._fill_preview()
        self.problems.setRowCount(0)
        self.result.setText("值对应已更改，请重新检查。")

    def value_combo(self, field_label_text: str, raw: str) -> QComboBox:
        for r in range(self.values.rowCount()):
            w = self.values.cellWidget(r, 4)
            if isinstance(w, QComboBox) and w.accessibleName() == f"{field_label_text}：{raw}":
                return w
        raise KeyError(raw)

    def value_maps(self) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        for r in range(self.values.rowCount()):
            w = self.values.cellWidget(r, 4)
            if isinstance(w, QComboBox) and w.currentData() is not None:
                out.setdefault(str(w.property("field")), {})[str(w.property("raw"))] = str(w.currentData())
        return out

    def overrides(self) -> dict[str, str]:
        return {letter: field or "-" for letter, field in self.mapping.items()}

    # preview -----------------------------------------------------------------------------------
    def _fill_preview(self) -> None:
        from station.ledger.valuemap import preview_read
        self.preview.clear()
        if self.sheet is None or self.sheet.kind is None:
            self.preview.setRowCount(0)
            return
        sheet = self.mapped_sheet()
        kind = self.sheet.kind
        fields = [c.field for c in sheet.columns if c.field]
        self.preview.setColumnCount(1 + len(fields))
        self.preview.setHorizontalHeaderLabels(["行"] + [field_label(kind, f) for f in fields])
        rows = preview_read(sheet, self._names(), self.value_maps(), PREVIEW_ROWS, reveal=self.reveal.isChecked())
        self.preview.setRowCount(len(rows))
        for r, row in enumerate(rows):
            self.preview.setItem(r, 0, _item(str(row["row"])))
            for i, f in enumerate(fields, 1):
                cell = row["cells"].get(f, {"text": "", "problem": None})
                text = str(cell["text"])
                it = _item(text.replace("\n", " / "), ERROR_COLOR if cell["problem"] else None)
                it.setToolTip(cell["problem"] or (text if len(text) > 20 else ""))
                self.preview.setItem(r, i, it)
        self._fit(self.preview, cap=220)

    def _reveal_toggled(self, on: bool) -> None:
        if on and self.sheet is not None:
            n = min(len(self.sheet.rows), PREVIEW_ROWS)
            self.worker.run(lambda st: st.audit("reveal", kind="ledger_import",
                                                detail={"via": "ledger-preview", "rows": n}))
        self._fill_preview()

    @staticmethod
    def _fit(table: QTableWidget, stretch: int | None = None, cap: int = 360) -> None:
        table.resizeColumnsToContents()
        header = table.horizontalHeader()
        for i in range(table.columnCount()):
            if table.columnWidth(i) > cap:
                table.setColumnWidth(i, cap)
        if stretch is not None:
            header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)

    # check and import (DB thread) ----------------------------------------------------------------
    def params(self) -> dict[str, Any]:
        assert self.sheet is not None
        return {"path": self.path, "sheet": self.sheet.name, "kind": self.sheet.kind,
                "overrides": self.overrides(), "value_maps": self.value_maps(),
                "mediator": self.mediator.currentData() if self.sheet.kind == "case" else None}

    def start(self, dry_run: bool) -> None:
        if self.sheet is None:
            self.result.setText("请先选择台账文件。")
            return
        params = self.params()
        self._set_ready(False)
        self._set_busy(True)
        self.progress.setRange(0, max(len(self.sheet.rows), 1))
        self.progress.setValue(0)
        self.progress.show()
        self.problems.setRowCount(0)
        self.result.setStyleSheet("")
        self.result.setText("正在检查…" if dry_run else "正在导入…")
        report_progress = self._progress.report
        self.worker.run(lambda st: run_import(st, params, dry_run, report_progress),
                        lambda rep: self._done(rep, dry_run), self._failed)

    def _moved(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _failed(self, exc: BaseException) -> None:
        self.progress.hide()
        self._set_busy(False)
        self._set_ready(self.sheet is not None)
        self.result.setStyleSheet(f"color: {ERROR_COLOR.name()};")
        from station.errors import StationError
        self.result.setText(str(exc) if isinstance(exc, StationError)
                            else f"未完成：发生意外错误（{type(exc).__name__}）")

    def _done(self, report: Any, dry_run: bool) -> None:
        self.report = report
        self.progress.hide()
        self._set_busy(False)
        self._set_ready(True)
        self._fill_problems(report.problems)
        errors, warnings = len(report.errors), len(report.warnings)
        skipped = f"已导入过，跳过 {report.skipped} 行"
        if errors:
            self.result.setStyleSheet(f"color: {ERROR_COLOR.name()};")
            self.result.setText(f"有 {errors} 处错误" + (f"、{warnings} 处提示" if warnings else "") +
                                "，未写入任何数据。请修改台账，或调整列对应、值对应后重新检查。")
        elif dry_run:
            self.result.setStyleSheet(OK_STYLE)
            self.result.setText(f"检查通过（未写入）：将新建 {created_text(report.created)}；"
                                f"沿用已有当事人 {report.reused_persons}；{skipped}。")
        else:
            self.result.setStyleSheet(OK_STYLE)
            self.result.setText(f"已导入：新建 {created_text(report.created)}；"
                                f"沿用已有当事人 {report.reused_persons}；{skipped}。")
            emit(self.bus.station_changed, CHANGED_KINDS, self)
            emit(self.bus.status_shown, f"台账已导入：新建 {created_text(report.created)}；{skipped}")

    def _fill_problems(self, problems: list[Any]) -> None:
        ordered = sorted(problems, key=lambda p: (p.level != "error", p.row or 0, p.column or ""))
        self.problems.setRowCount(len(ordered))
        for r, p in enumerate(ordered):
            color = ERROR_COLOR if p.level == "error" else WARN_COLOR
            where = f"{p.column} {p.header}" if p.column else p.header
            self.problems.setItem(r, 0, _item(str(p.row) if p.row else "", color))
            self.problems.setItem(r, 1, _item(where, color))
            what = p.message if p.level == "error" else f"提示：{p.message}"
            it = _item(what, color)
            it.setToolTip(what)
            self.problems.setItem(r, 2, it)
        self._fit(self.problems, stretch=2)
        self.problems.resizeRowsToContents()

    def problem_rows(self) -> list[tuple[str, str, str]]:
        """The problems table as shown (tests and screenshots read it)."""
        return [tuple(self.problems.item(r, c).text() for c in range(3))  # type: ignore[misc]
                for r in range(self.problems.rowCount())]

    def _set_busy(self, busy: bool) -> None:
        """While a check or import runs, the file and the mappings it was started with stay as they are."""
        for w in (self.file, self.sheets, self.kind, self.mediator, self.columns, self.values, self.reveal):
            w.setEnabled(not busy)
        self.findChild(QPushButton, "browse").setEnabled(not busy)

    def _set_ready(self, ready: bool) -> None:
        self.check_btn.setEnabled(ready)
        self.import_btn.setEnabled(ready)
