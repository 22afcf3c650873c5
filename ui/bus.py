"""StationBus: one change signal so screens refresh only what a write touched."""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class StationBus(QObject):
    """Signals shared by the main window and its pages (emitter knows no listeners).

    ``station_changed(kinds, initiator)``: a write committed records of ``kinds``
    (set of str like {"consultation", "person"}); ``initiator`` is the widget that
    asked for it, so it can skip a redundant reload.
    """

    station_changed = Signal(object, object)
    error_raised = Signal(object)  # an exception nobody handled
    status_shown = Signal(str)  # short message for the status bar
    font_scale_changed = Signal(bool)  # large-font mode on/off
