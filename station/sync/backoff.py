"""Retry delay for scheduled syncs: capped exponential backoff with jitter (pure, for the GUI timer)."""
from __future__ import annotations

import random
from typing import Callable


def backoff_delay(failures: int, *, base: float = 30.0, cap: float = 3600.0, jitter: float = 0.25,
                  rand: Callable[[], float] = random.random) -> float:
    """Seconds to wait before the next attempt after ``failures`` consecutive failures.

    ``failures == 0`` (last sync succeeded) gives ``base``; each failure doubles the
    delay up to ``cap``. The result is spread by ±``jitter`` (a fraction) so that many
    stations coming back online together do not hit the hub in step; it never
    exceeds ``cap`` nor goes below ``base * (1 - jitter)``.
    """
    if failures < 0:
        raise ValueError("failures must be >= 0")
    if base <= 0 or cap < base or not 0 <= jitter < 1:
        raise ValueError("need 0 < base <= cap and 0 <= jitter < 1")
    raw = min(cap, base * 2.0 ** min(failures, 60))
    spread = raw * jitter * (2.0 * rand() - 1.0)
    return max(base * (1 - jitter), min(cap, raw + spread))
