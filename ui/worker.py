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
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QObject, Signal, Slot

from .qtcompat import emit

if TYPE_CHECKING:
    from PySide6.QtCore import QTimer

    from station import Station

log = logging.getLogger(__name__)

Op = Callable[["Station"], Any]


class DbWorker(QObject):
    """Runs ops on the DB thread.

    The station itself is opened by the first op (``opener``), on that thread, so
    the window can paint before SQLAlchemy is even imported; later ops queue behind it.
    """

    _finished = Signal()  # "closures pending": results wait in a locked list (Anki's taskman pattern)
    busy_changed = Signal(bool)

    def __init__(self, opener: Callable[[], "Station"],
                 on_unhandled: Callable[[BaseException], None] | None = None) -> None:
        super().__init__()
        self.station: Station | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="station-db")
        self._pending = 0
        self._lock = threading.Lock()
        self._on_unhandled = on_unhandled
        self._closed = False
        self._done: list[tuple[Future[Any], Any, Any]] = []
        self._finished.connect(self._drain)

        self._go = threading.Event()

        def open_station(_none: Any) -> None:
            self._go.wait()  # released by start(): after the window's first paint
            self.station = opener()
        self.run(open_station)

    def start(self) -> None:
        """Let the DB thread open the station (ops queued so far run after it)."""
        self._go.set()

    @property
    def pending(self) -> int:
        return self._pending

    def run(self, op: Op, success: Callable[[Any], None] | None = None,
            failure: Callable[[BaseException], None] | None = None) -> Future[Any] | None:
        """Queue ``op``; ``success(result)`` or ``failure(exc)`` later runs on the GUI thread.

        After :meth:`shutdown` (window closing) new ops are dropped.
        """
        if self._closed:
            return None
        self._pending += 1
        if self._pending == 1:
            emit(self.busy_changed, True)
        fut = self._pool.submit(lambda: op(self.station))
        fut.add_done_callback(lambda f: self._queue((f, success, failure)))
        return fut

    def _queue(self, item: tuple[Future[Any], Any, Any]) -> None:
        with self._lock:
            self._done.append(item)
        emit(self._finished)

    @Slot()
    def _drain(self) -> None:
        with self._lock:
            items, self._done = self._done, []
        if self._closed:
            return  # the window is gone; nobody is left to show results to
        for item in items:
            self._deliver(item)

    def _deliver(self, item: tuple[Future[Any], Any, Any]) -> None:
        fut, success, failure = item
        self._pending -= 1
        if self._pending == 0:
            emit(self.busy_changed, False)
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
        self._closed = True
        self._go.set()
        self._pool.shutdown(wait=True)


def single_shot_timer(parent: QObject, msec: int) -> "QTimer":
    """A restartable one-shot timer (debounce). Set up with setters, not constructor keywords."""
    from PySide6.QtCore import QTimer
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(msec)
    return timer
