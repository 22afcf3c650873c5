"""Work-arounds for bugs in the Qt binding we ship with.

PySide6 6.12.0: ``SignalInstance.emit()`` called from Python returns ``True``
without taking a reference, so every Python-side emit steals one reference to
``True``. On Python < 3.12 (``True`` is not immortal) a long session ends in
"Fatal Python error: bool_dealloc". :func:`emit` gives the reference back, but
only when a probe at import shows the binding has the bug.

PySide6's import hook (PYSIDE-2029) asks of every module imported after it whether the source
mentions "PySide6", through ``inspect.getsource`` (tokenize, linecache): about 0.2 ms a module,
8 ms of the start-up. :func:`fast_feature_check` answers the same question from the file's bytes.
"""
from __future__ import annotations

import atexit
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance


class _Probe(QObject):
    fired = Signal()


def _emit_steals_true() -> bool:
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(16):
        probe.fired.emit()
    stolen = before - sys.getrefcount(True)
    _give_back(stolen)
    return stolen >= 16


#: references to True taken by emit and not yet given back: paid in bulk (at 64, and at exit)
#: so ctypes need not load before the window's first paint; True's count is in the thousands
_owed = 0


def _pay() -> None:
    global _owed
    import ctypes
    while _owed:
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))
        _owed -= 1


atexit.register(_pay)


def settle() -> None:
    """Give back every reference still owed now (tests; the app relies on the bulk and exit payments)."""
    _pay()


def _give_back(n: int, obj: object = True) -> None:
    global _owed
    if n <= 0:
        return
    if obj is True:
        _owed += n
        if _owed >= 64:
            _pay()
        return
    import ctypes
    for _ in range(n):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(obj))


EMIT_STEALS_TRUE = _emit_steals_true()


def fast_feature_check() -> bool:
    """Make PySide6's "does this module use PySide6?" import check read the file, not parse it.

    The answer is the one ``shibokensupport.feature`` would give (``"PySide6" in source``); modules
    without a ``.py`` file go to the original check. Returns whether the check is now the fast one.
    """
    feature = sys.modules.get("shibokensupport.feature")
    original = getattr(feature, "_mod_uses_pyside", None)
    if original is None:
        return False
    if getattr(original, "station_fast", False):
        return True

    def uses_pyside(module: Any) -> bool:
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path.endswith(".py"):
            try:
                with open(path, "rb") as source:
                    return b"PySide6" in source.read()
            except OSError:
                pass
        return bool(original(module))

    uses_pyside.station_fast = True  # type: ignore[attr-defined]
    feature._mod_uses_pyside = uses_pyside  # type: ignore[union-attr]
    return True


fast_feature_check()


def process_events() -> None:
    """``QCoreApplication.processEvents()``, which in PySide6 6.12.0 steals a reference to None
    (only scripts, benches and tests call it; the app itself never spins the loop by hand)."""
    from PySide6.QtCore import QCoreApplication
    before = sys.getrefcount(None)
    QCoreApplication.processEvents()
    stolen = before - sys.getrefcount(None)
    if stolen > 0:
        _give_back(stolen, None)


def emit(signal: SignalInstance, *args: Any) -> None:
    """``signal.emit(*args)``, safe on bindings whose emit steals a reference to True."""
    result = signal.emit(*args)
    if EMIT_STEALS_TRUE and result is True:
        _give_back(1)
