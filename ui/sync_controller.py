"""Background sync for the GUI: when, on which thread, and what the screens are told.

A sync talks to the network for seconds or minutes, so it never runs on the GUI
thread nor on the DB worker (which would freeze every page behind it). It runs on a
thread of its own holding a *second* :class:`Station` on the same folder (SQLite WAL
lets both work at once; an encrypted database is opened with the key the main
station already holds). Local-only work — the status counts, listing and resolving
conflicts — stays on the DB worker like any other page's.

Triggers: the app start (once the main station is open), a timer after each run,
the network coming back (QNetworkInformation where the platform has a backend, and
a cheap probe of the hub's ``/health`` while the last attempt failed, which also
notices a hub that was down while the network was fine), and the 立即同步 button.
Failures are retried after :func:`station.sync.backoff_delay` (capped exponential
backoff with jitter); errors that waiting cannot fix (token refused, protocol
mismatch) stop the automatic retries until the user acts. Never two runs at once:
``running`` here, and the core's file lock against other processes.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from .bus import StationBus
from .qtcompat import emit
from .worker import DbWorker

if TYPE_CHECKING:
    from station import Station

log = logging.getLogger(__name__)


def _ms(seconds: float) -> int:
    return max(0, int(seconds * 1000))


class SyncController(QObject):
    """Schedules and runs syncs off the GUI thread; the 同步 page and the status bar listen to it.

    Intervals are in seconds and injectable (tests use fractions of a second).
    """

    changed = Signal(object)  # state dict (see ``state``), after every change
    progressed = Signal(str, int, int)  # phase (upload/download/verify), done, total
    finished = Signal(object)  # the SyncResult of a run
    _progress = Signal(str, int, int)  # emitted on the sync thread, delivered queued on the GUI thread

    def __init__(self, worker: DbWorker, bus: StationBus, *, interval: float = 600.0, retry_base: float = 30.0,
                 retry_cap: float = 3600.0, probe_interval: float = 30.0, probe_timeout: float = 2.0,
                 start_delay: float = 2.0, watch_network: bool = True) -> None:
        super().__init__()
        self.worker, self.bus = worker, bus
        self.interval, self.retry_base, self.retry_cap = interval, retry_base, retry_cap
        self.probe_timeout, self.start_delay = probe_timeout, start_delay
        self.net = DbWorker(self._open_own, on_unhandled=self._unhandled)  # the sync thread
        self.running = False
        self.failures = 0  # consecutive failed runs (0 after a success)
        self.runs = 0  # runs finished since the app started (tests wait on it)
        self._cancel: threading.Event | None = None
        self._probing = False
        self._closed = False
        #: what the page and the status bar show
        self.state: dict[str, Any] = {"pending": None, "last_success_at": None, "logged_in": False, "hub_url": None,
                                      "open_conflicts": 0, "running": False, "error": "", "retryable": True,
                                      "next_at": None, "last": None}
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(lambda: self.sync_now("timer"))
        self.probe_timer = QTimer(self)
        self.probe_timer.setInterval(_ms(probe_interval))
        self.probe_timer.timeout.connect(self._probe)
        self._progress.connect(self._on_progress)
        # QtNetwork and its reachability backend load once the station is open, not before the first paint
        self._watch = watch_network
        self.network: Any = None
        bus.station_changed.connect(self._local_change)
        worker.run(lambda _st: None, lambda _r: self._main_ready())  # queued behind the main station's open

    # threads --------------------------------------------------------------------------------
    def _open_own(self) -> Station:
        """Runs on the sync thread: a second station on the same folder (and key) as the main one."""
        from station import Station
        main = self.worker.station
        if main is None or self._closed:
            raise RuntimeError("main station not open, or the window is closing")
        return Station.open(main.data_dir, key=main.key)

    def _on_net(self, op: Callable[[Station], Any], success: Callable[[Any], None] | None = None,
                failure: Callable[[BaseException], None] | None = None) -> None:
        """Run ``op`` on the sync thread, acting as whoever is signed in on the main station."""
        def run(st: Station) -> Any:
            main = self.worker.station
            if st is None:
                raise RuntimeError("sync station not open")
            if main is not None:
                st.account, st.actor_uid = main.account, main.actor_uid
            return op(st)
        self.net.run(run, success, failure)

    def _unhandled(self, exc: BaseException) -> None:
        log.error("sync thread op failed: %s", type(exc).__name__)

    def _main_ready(self) -> None:
        if self._closed or self.worker.station is None:
            return
        self.net.start()
        if self._watch and self.network is None:
            self.network = self._watch_network()
        self.refresh(lambda s: s["logged_in"] and self.schedule(self.start_delay))

    # state -----------------------------------------------------------------------------------
    def refresh(self, then: Callable[[dict[str, Any]], Any] | None = None) -> None:
        """Reload the counts (pending changes, open conflicts, last success) on the DB worker."""
        from station.sync import status

        def loaded(s: dict[str, Any]) -> None:
            for k in ("pending", "last_success_at", "logged_in", "hub_url", "open_conflicts"):
                self.state[k] = s[k]
            last = s.get("last_result") or None
            if self.state["last"] is None and last:  # after a restart: show how the last run ended
                self.state["last"] = last
                if last.get("status") == "error":
                    from station.sync.errors import plain_message
                    self.state["error"] = plain_message(last.get("code", ""), last.get("message", ""))
                    self.state["retryable"] = bool(last.get("retryable", True))
            self._changed()
            if then is not None:
                then(self.state)
        self.worker.run(status, loaded, lambda e: log.error("sync status failed: %s", type(e).__name__))

    def _changed(self) -> None:
        self.state["running"] = self.running
        emit(self.changed, dict(self.state))

    def _local_change(self, kinds: set[str], initiator: object) -> None:
        if initiator is not self:
            self.refresh()

    # scheduling ------------------------------------------------------------------------------
    def schedule(self, seconds: float) -> None:
        """Next automatic run in ``seconds`` (replaces any earlier plan)."""
        if self._closed:
            return
        import time
        self.timer.start(_ms(seconds))
        self.state["next_at"] = time.time() + seconds

    def sync_now(self, reason: str = "manual") -> bool:
        """Start a run unless one is going; automatic triggers need a login, the button reports its absence."""
        if self._closed or self.running:
            return False
        if reason != "manual" and not self.state["logged_in"]:
            return False
        self.timer.stop()
        self.probe_timer.stop()
        self.running = True
        self._cancel = threading.Event()
        self.state["next_at"] = None
        self._changed()
        log.info("sync started (%s)", reason)
        cancel = self._cancel
        from station.sync import run_sync

        def progress(phase: str, done: int, total: int) -> None:
            emit(self._progress, phase, done, total)  # sync thread → queued to the GUI thread
        self._on_net(lambda st: run_sync(st, progress=progress, cancel=cancel), self._done, self._crashed)
        return True

    def cancel(self) -> None:
        if self._cancel is not None:
            self._cancel.set()

    def _on_progress(self, phase: str, done: int, total: int) -> None:
        emit(self.progressed, phase, done, total)

    def _done(self, res: Any) -> None:
        from station.models import SYNCED_MODELS
        from station.sync import backoff_delay
        from station.sync.errors import plain_message
        self.running, self._cancel = False, None
        self.runs += 1
        self.state["last"] = res.to_dict()
        if res.status == "error":
            self.failures += 1
            self.state["error"], self.state["retryable"] = plain_message(res.code, res.message), res.retryable
            if res.retryable:
                self.schedule(backoff_delay(self.failures, base=self.retry_base, cap=self.retry_cap))
                self.probe_timer.start()
            else:
                self.timer.stop()  # waiting cannot fix it: the user must act (the page says what to do)
        else:
            if res.status in ("ok", "cancelled"):
                self.failures = 0
                self.state["error"], self.state["retryable"] = "", True
            # "busy": another process (station sync) holds the lock: look again soon
            self.schedule(self.retry_base if res.status == "busy" else self.interval)
        if res.applied or res.repaired:
            emit(self.bus.station_changed, set(SYNCED_MODELS), self)  # records came down: pages reload
        emit(self.finished, res)
        self.refresh()

    def _crashed(self, exc: BaseException) -> None:
        """run_sync itself raised (a bug or a local database error): say so, retry with backoff."""
        from station.sync import backoff_delay
        log.error("sync crashed: %s", type(exc).__name__)
        self.running, self._cancel = False, None
        self.runs += 1
        self.failures += 1
        from station.sync import SyncResult
        res = SyncResult(status="error", message=f"同步出错（{type(exc).__name__}），稍后会自动重试", code="crash")
        self.state["last"] = res.to_dict()
        self.state["error"], self.state["retryable"] = res.message, True
        self.schedule(backoff_delay(self.failures, base=self.retry_base, cap=self.retry_cap))
        self.probe_timer.start()
        emit(self.finished, res)
        self.refresh()

    # network return ----------------------------------------------------------------------------
    def _watch_network(self) -> Any:
        """QNetworkInformation's reachability, where the platform has a backend (else None: the probe covers it)."""
        try:
            from PySide6.QtNetwork import QNetworkInformation
            if not QNetworkInformation.loadBackendByFeatures(QNetworkInformation.Feature.Reachability):
                return None
            info = QNetworkInformation.instance()
            if info is None:
                return None
            info.reachabilityChanged.connect(self._reachability)
            return info
        except Exception as e:  # noqa: BLE001 - no backend is a normal case
            log.info("no network information backend: %s", type(e).__name__)
            return None

    def _reachability(self, reachability: Any) -> None:
        from PySide6.QtNetwork import QNetworkInformation
        if reachability == QNetworkInformation.Reachability.Online and self.failures:
            self.sync_now("network")

    def _probe(self) -> None:
        """While the last attempt failed: is the hub reachable again? (cheap GET, short timeout, sync thread)."""
        url = self.state["hub_url"]
        if not self.failures:
            self.probe_timer.stop()
            return
        if self.running or self._probing or not url:
            return
        from station.sync.client import probe
        self._probing = True
        timeout = self.probe_timeout

        def answered(up: bool) -> None:
            self._probing = False
            if up and self.failures and not self.running:
                log.info("hub reachable again")
                self.sync_now("network")

        def failed(_e: BaseException) -> None:
            self._probing = False
        self._on_net(lambda _st: probe(url, timeout), answered, failed)

    # login, keyring ------------------------------------------------------------------------------
    def login(self, hub_url: str, token: str, token_file: str | None, success: Callable[[dict[str, Any]], None],
              failure: Callable[[BaseException], None]) -> None:
        """Check the token with the hub and store it (keyring, or the file the user chose), then sync."""
        from station.sync import login

        def ok(info: dict[str, Any]) -> None:
            self.failures = 0
            self.state["error"], self.state["retryable"], self.state["logged_in"] = "", True, True
            self.state["hub_url"] = info["hub_url"]
            success(info)
            self.refresh()
            self.sync_now("login")
        self._on_net(lambda st: login(st, hub_url, token, token_file=token_file), ok, failure)

    def check_keyring(self, answer: Callable[[bool], None]) -> None:
        """Is there an OS keyring to keep the token in? (asked on the sync thread: backends can be slow)"""
        from station.sync.credentials import keyring_usable
        self._on_net(lambda _st: keyring_usable(), answer)

    def shutdown(self) -> None:
        """Stop timers, cancel a run (it stops between batches; what is done stays done), close the station."""
        self._closed = True
        self.timer.stop()
        self.probe_timer.stop()
        self.cancel()
        self.net.shutdown()
        if self.net.station is not None:
            self.net.station.close()
