"""司法所 Station core: domain model, storage, validation, search. Never imports Qt."""
from __future__ import annotations

from .errors import (Conflict, FieldError, ImportFailed, InvalidTransition, NotFound, SchemaError,
                     StationError, ValidationError)
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .station import Station

__version__ = "0.1.0"

__all__ = [
    "Conflict", "FieldError", "ImportFailed", "InvalidTransition", "NotFound", "SchemaError", "Station",
    "StationError", "ValidationError", "__version__",
]


def __getattr__(name: str) -> Any:
    """Import the facade (and SQLAlchemy, Alembic, pypinyin) on first use, not with ``station.codes``:
    the GUI paints its window before the database layer has loaded."""
    if name == "Station":
        from .station import Station
        return Station
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
