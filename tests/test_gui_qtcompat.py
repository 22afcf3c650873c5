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


def test_fast_feature_check_answers_as_the_binding_does(tmp_path: "os.PathLike[str]") -> None:
    """PySide6's import hook asks each new module whether it uses PySide6; the fast answer (file bytes)
    must be the binding's own (inspect.getsource) for sources, and fall back to it for the rest."""
    import importlib.util
    import inspect
    import json

    import ui.app
    feature = sys.modules["shibokensupport.feature"]
    check = feature._mod_uses_pyside
    assert getattr(check, "station_fast", False) and qtcompat.fast_feature_check()
    assert check(ui.app) is True and check(json) is False
    assert "PySide6" in inspect.getsource(ui.app) and "PySide6" not in inspect.getsource(json)
    assert check(sys) is False  # built in: no file, the binding's own check answers
    # a module of one's own, and then its file gone (the binding's check: no source, no PySide6)
    path = os.path.join(tmp_path, "uses_qt_mod.py")
    with open(path, "w", encoding="utf-8") as f:
        f.write("# 使用 PySide6 的模块\nfrom PySide6.QtCore import QObject\n")
    spec = importlib.util.spec_from_file_location("uses_qt_mod", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert check(mod) is True
    os.remove(path)
    assert check(mod) is False
