"""Sync with the county hub (Qt-free; the GUI calls :func:`run_sync` from a worker thread).

Scheduling is the caller's: after each run wait :func:`backoff_delay` (failures so far)
seconds — capped exponential backoff with jitter — and run again.
"""
from __future__ import annotations

from .backoff import backoff_delay
from .conflicts import list_conflicts, resolve_conflict
from .errors import NotLoggedIn, SyncError
from .run import SyncResult, last_result, login, run_sync, status

__all__ = ["NotLoggedIn", "SyncError", "SyncResult", "backoff_delay", "last_result", "list_conflicts", "login",
           "resolve_conflict", "run_sync", "status"]
