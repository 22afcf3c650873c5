"""The strip that says an entry form is editing an existing record, with a way back to a new one."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

EDIT_STYLE = "color: #5b3a00; background: #fff1c9; padding: 4px;"


class EditBar(QWidget):
    """Hidden while the form records a new entry; shows ``正在修改 …`` and 取消修改 while editing."""

    cancelled = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setStyleSheet(EDIT_STYLE)
        self.text.setAccessibleName("修改提示")
        self.cancel = QPushButton("取消修改")
        self.cancel.setAccessibleName("取消修改")
        self.cancel.setAutoDefault(False)
        self.cancel.clicked.connect(self.cancelled)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.text, 1)
        lay.addWidget(self.cancel)
        self.record: dict[str, Any] | None = None
        self.hide()

    @property
    def editing(self) -> bool:
        return self.record is not None

    def start(self, record: dict[str, Any], text: str) -> None:
        self.record = record
        self.text.setText(text)
        self.show()

    def stop(self) -> None:
        self.record = None
        self.hide()
