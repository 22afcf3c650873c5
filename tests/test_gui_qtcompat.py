"""PySide6 6.12's emit() steals a reference to True; ui.qtcompat.emit must give it back."""
from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QObject, Signal  # noqa: E402

from ui import qtcompat  # noqa: E402
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
    # repaid in bulk: never more than 63 references outstanding, none after settle()
    assert sys.getrefcount(True) >= before - 63
    qtcompat.settle()
    assert sys.getrefcount(True) >= before


def test_a_process_that_emits_exits_cleanly() -> None:
    """The references still owed at exit are paid by an atexit hook: no bool_dealloc crash."""
    import subprocess
    code = ("from PySide6.QtCore import QObject, Signal\n"
            "from ui.qtcompat import emit\n"
            "class S(QObject):\n    s = Signal()\n"
            "src = S()\n"
            "for _ in range(20000):\n    emit(src.s)\n"
            "del src\n")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": root})
    assert out.returncode == 0, out.stderr[-2000:]
