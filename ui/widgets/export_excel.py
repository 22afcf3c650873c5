"""导出Excel: any ledger list to an .xlsx file, personal data masked unless the user asks otherwise.

The file is written on the DB thread by :func:`station.ledger.export.export_list`, which checks the
account's permission and records the export (and whether it was unmasked) in the audit log.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QVBoxLayout, QWidget)

from station.ledger.export import TITLES

from ..qtcompat import emit


class ExportDialog(QDialog):
    """Where to save, and whether personal data goes out unmasked (off unless ticked)."""

    def __init__(self, parent: QWidget, kind: str) -> None:
        super().__init__(parent)
        self.setObjectName("export_dialog")
        self.setWindowTitle(f"导出{TITLES[kind]}")
        self.path = QLineEdit(str(Path.home() / f"{TITLES[kind]}{dt.date.today():%Y%m%d}.xlsx"))
        self.path.setAccessibleName("保存到")
        self.path.setMinimumWidth(420)
        browse = QPushButton("浏览…")
        browse.setAccessibleName("浏览")
        browse.clicked.connect(self._browse)
        self.reveal = QCheckBox("导出完整个人信息（不遮盖姓名、身份证号、电话、住址）")
        self.reveal.setAccessibleName("导出完整个人信息")
        note = QLabel("默认遮盖个人信息。导出完整信息将记入审计日志，请妥善保管导出的文件。")
        note.setWordWrap(True)
        self.error = QLabel()
        self.error.setAccessibleName("导出提示")
        self.error.setStyleSheet("color: #b3261e;")
        buttons = QDialogButtonBox()
        ok = buttons.addButton("导出", QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setAccessibleName("确定导出")
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(QLabel("保存到："))
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        lay = QVBoxLayout(self)
        lay.addLayout(row)
        lay.addWidget(self.reveal)
        lay.addWidget(note)
        lay.addWidget(self.error)
        lay.addWidget(buttons)

    def _browse(self) -> None:
        path, _f = QFileDialog.getSaveFileName(self, "导出到", self.path.text(), "Excel 文件 (*.xlsx)")
        if path:
            self.path.setText(path if path.lower().endswith(".xlsx") else path + ".xlsx")

    def _accept(self) -> None:
        text = self.path.text().strip()
        if not text:
            self.error.setText("请填写保存位置")
            return
        if not text.lower().endswith(".xlsx"):
            text += ".xlsx"
            self.path.setText(text)
        if not Path(text).parent.is_dir():
            self.error.setText(f"文件夹不存在：{Path(text).parent}")
            return
        self.accept()


class ExportButton(QPushButton):
    """The "导出Excel" button of a list page."""

    def __init__(self, page: Any, kind: str) -> None:
        super().__init__("导出Excel")
        self.page, self.kind = page, kind
        self.setAccessibleName("导出Excel")
        self.setToolTip(f"把{TITLES[kind]}全部记录导出为 Excel 文件")
        self.clicked.connect(self.ask)
        self.dialog: ExportDialog | None = None

    def ask(self) -> None:
        self.dialog = ExportDialog(self.window(), self.kind)
        self.dialog.accepted.connect(lambda: self.export_to(self.dialog.path.text().strip(),  # type: ignore[union-attr]
                                                            self.dialog.reveal.isChecked()))  # type: ignore[union-attr]
        self.dialog.open()

    def export_to(self, path: str, reveal: bool = False) -> None:
        """Write the list to ``path`` off the GUI thread; the status bar says how many went out."""
        from station.ledger.export import export_list
        kind, bus = self.kind, self.page.bus
        self.setEnabled(False)

        def done(n: int) -> None:
            self.setEnabled(True)
            emit(bus.status_shown, f"已导出 {n:,} 条记录到 {path}" + ("（含完整个人信息）" if reveal else ""))

        def failed(exc: BaseException) -> None:
            self.setEnabled(True)
            emit(bus.error_raised, exc)
        self.page.worker.run(lambda st: export_list(st, kind, Path(path), reveal=reveal), done, failed)
