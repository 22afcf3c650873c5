"""Typed errors raised by the core.

The core never formats UI text except the Chinese message carried by a
:class:`FieldError`, which names the field in words a counter clerk uses.
The GUI, the CLI and the hub all show the same message.
"""
from __future__ import annotations

from dataclasses import dataclass


class StationError(Exception):
    """Root of every error the core raises on purpose."""


@dataclass(frozen=True)
class FieldError:
    """One problem with one field: ``field`` is the attribute name, ``label`` its Chinese label."""

    field: str
    label: str
    message: str
    code: str = "invalid"

    def __str__(self) -> str:
        return f"{self.label}：{self.message}"


class ValidationError(StationError):
    """Bad input. Nothing was written. Carries one or more :class:`FieldError`."""

    def __init__(self, errors: list[FieldError] | FieldError) -> None:
        self.errors: list[FieldError] = errors if isinstance(errors, list) else [errors]
        super().__init__("；".join(str(e) for e in self.errors))

    @property
    def fields(self) -> list[str]:
        return [e.field for e in self.errors]

    @classmethod
    def single(cls, field: str, label: str, message: str, code: str = "invalid") -> "ValidationError":
        return cls(FieldError(field, label, message, code))


class NotFound(StationError):
    """No record with that identifier (or it was deleted)."""

    def __init__(self, kind: str, key: str) -> None:
        self.kind, self.key = kind, key
        super().__init__(f"找不到记录：{kind} {key}")


class InvalidTransition(StationError):
    """A mediation case step asked for out of the legal order."""

    def __init__(self, current: str, action: str, reason: str) -> None:
        self.current, self.action, self.reason = current, action, reason
        super().__init__(reason)


class UsageError(StationError):
    """A command was called with arguments that make no sense (CLI exit status 2)."""


class Conflict(StationError):
    """A write based on a version that is no longer current."""


class SchemaError(StationError):
    """The database file is newer than this program, or cannot be migrated."""


class ImportFailed(StationError):
    """An import file had a bad line; nothing was written."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        super().__init__(f"第 {line} 行：{message}")


class PermissionDenied(StationError):
    """The signed-in account (or nobody) may not do this. Nothing was written."""


class LoginFailed(PermissionDenied):
    """Wrong user name or password, a disabled account, or too many failures in a row."""


class DatabaseKeyError(StationError):
    """The database key is missing or wrong, or the file is damaged (see station.security.crypto)."""
