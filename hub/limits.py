"""Request limits of the hub: per device token and, for failed sign-ins, per address.

In memory, per hub process (one county hub runs one process): enough to stop a
runaway device or a token-guessing loop; a restart forgets the counts, which
only ever errs on the side of letting a station sync.
"""
from __future__ import annotations

import os
import threading
import time
from collections import defaultdict, deque

WINDOW_S = 60.0


class Window:
    """At most ``limit`` events per key in the last minute."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._events: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _trim(self, key: str, now: float) -> deque[float]:
        q = self._events[key]
        while q and q[0] <= now - WINDOW_S:
            q.popleft()
        return q

    def full(self, key: str) -> bool:
        with self._lock:
            return len(self._trim(key, time.monotonic())) >= self.limit

    def hit(self, key: str) -> bool:
        """Count one event; False when the key was already at its limit (the event is refused)."""
        with self._lock:
            now = time.monotonic()
            q = self._trim(key, now)
            if len(q) >= self.limit:
                return False
            q.append(now)
            return True


def from_env() -> tuple[Window, Window]:
    """(requests per device per minute, failed token checks per address per minute)."""
    return (Window(int(os.environ.get("STATION_HUB_RATE_PER_MIN", "6000"))),
            Window(int(os.environ.get("STATION_HUB_AUTH_FAILURES_PER_MIN", "20"))))


#: headers on every response: nothing may frame, sniff, cache or refer; the API serves JSON only
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
