"""Errors of the sync client, with a Chinese message for people and a code for programs."""
from __future__ import annotations

from ..errors import StationError


class SyncError(StationError):
    """A sync step failed. ``retryable`` says whether trying again later may help."""

    def __init__(self, message: str, *, code: str = "error", status: int | None = None,
                 retryable: bool = True) -> None:
        super().__init__(message)
        self.message, self.code, self.status, self.retryable = message, code, status, retryable


class NotLoggedIn(SyncError):
    def __init__(self) -> None:
        super().__init__("本机尚未登录县级平台，请先运行 station login --hub 地址", code="not_logged_in",
                         retryable=False)
