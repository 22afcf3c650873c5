"""A masked ID number or phone with an explicit, logged reveal."""
from __future__ import annotations

from typing import Callable, ClassVar

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from station.masking import mask_address, mask_id, mask_phone

from ..worker import DbWorker


class MaskedValue(QWidget):
    """Shows ``138****5678`` (an ID number, phone or address masked); 显示 asks the core for the raw
    value, which logs who revealed it."""

    MASKS: ClassVar[dict[str, Callable[[str | None], str]]] = {
        "id_number": mask_id, "phone": mask_phone, "address": mask_address}

    def __init__(self, worker: DbWorker, label: str, field: str) -> None:
        super().__init__()
        self.worker, self.field, self.label = worker, field, label
        self.uid: str | None = None
        self.text = QLabel()
        self.text.setAccessibleName(label)
        self.button = QPushButton("显示")
        self.button.setAccessibleName(f"显示{label}")
        self.button.setToolTip(f"显示完整{label}（将记录查看人和时间）")
        self.button.clicked.connect(self.reveal)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.text)
        lay.addWidget(self.button)
        lay.addStretch(1)

    def set_person(self, uid: str | None, raw: str | None) -> None:
        self.uid = uid
        masked = self.MASKS[self.field](raw)
        self.text.setText(masked or "（未填）")
        self.button.setEnabled(bool(raw))
        self.button.setText("显示")

    def reveal(self) -> None:
        uid = self.uid
        if not uid:
            return
        self.worker.run(lambda st: st.privacy.reveal_person_field(uid, self.field), self._shown)

    def _shown(self, raw: str) -> None:
        self.text.setText(raw)
        self.button.setEnabled(False)
        self.button.setText("已显示（已记录）")
