"""PySide6 6.12's emit() steals a reference to True; ui.qtcompat.emit must give it back."""
from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QObject, Signal  # noqa: E402

from ui.qtcompat import emit  # noqa: E402


class _Source(QObject):
    changed = Signal()
    moved = Signal(int)


def test_many_emits_leave_the_refcount_of_true_alone() -> None:
    src = _Source()
    got: list[int] = []
    src.moved.connect(got.append)
    before = sys.getrefcount(True)
    for i in range(5000):
        emit(src.changed)
        emit(src.moved, i)
    assert len(got) == 5000
    assert sys.getrefcount(True) >= before
