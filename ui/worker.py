"""The one thread that touches the database, and the hop back to the GUI thread.

Every read and write of the station runs on a single-worker executor, so the
GUI thread never waits on SQLite and writes are serialised (one writer, like
Anki's collection executor). ``op`` callables receive the :class:`Station` and
must not touch widgets; results come back through a queued Qt signal and the
``success``/``failure`` callbacks run on the GUI thread.
"""
from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal, Slot

from station import Station

log = logging.getLogger(__name__)

Op = Callable[[Station], Any]


class DbWorker(QObject):
    """Runs ops on the DB thread; ``idle`` is emitted when nothing is pending."""

    _finished = Signal(object)
    busy_changed = Signal(bool)

    def __init__(self, station: Station, on_unhandled: Callable[[BaseException], None] | None = None) -> None:
        super().__init__()
        self.station = station
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="station-db")
        self._pending = 0
        self._lock = threading.Lock()
        self._on_unhandled = on_unhandled
        self._finished.connect(self._deliver)

    @property
    def pending(self) -> int:
        return self._pending

    def run(self, op: Op, success: Callable[[Any], None] | None = None,
            failure: Callable[[BaseException], None] | None = None) -> Future[Any]:
        """Queue ``op``; ``success(result)`` or ``failure(exc)`` later runs on the GUI thread."""
        self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)
        fut = self._pool.submit(op, self.station)
        fut.add_done_callback(lambda f: self._finished.emit((f, success, failure)))
        return fut

    @Slot(object)
    def _deliver(self, item: tuple[Future[Any], Any, Any]) -> None:
        fut, success, failure = item
        self._pending -= 1
        if self._pending == 0:
            self.busy_changed.emit(False)
        exc = fut.exception()
        if exc is not None:
            if failure is not None:
                failure(exc)
            elif self._on_unhandled is not None:
                self._on_unhandled(exc)
            else:
                log.error("unhandled error in DB op: %s", type(exc).__name__)
            return
        if success is not None:
            success(fut.result())

    def shutdown(self) -> None:
        """Let queued writes finish before the station is closed."""
        self._pool.shutdown(wait=True)
