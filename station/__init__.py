"""司法所 Station core: domain model, storage, validation, search. Never imports Qt."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .errors import (Conflict, FieldError, ImportFailed, InvalidTransition, NotFound, SchemaError,
                         StationError, ValidationError)
    from .station import Station

__version__ = "0.1.0"

__all__ = [
    "Conflict", "FieldError", "ImportFailed", "InvalidTransition", "NotFound", "SchemaError", "Station",
    "StationError", "ValidationError", "__version__",
]


def __getattr__(name: str) -> Any:
    """Import the facade (and SQLAlchemy, Alembic, pypinyin) on first use, not with ``station.codes``:
    the GUI paints its window before the database layer has loaded (the errors likewise, as
    ``station.fonts`` is imported before the first paint)."""
    if name == "Station":
        from .station import Station
        return Station
    if name in __all__:
        from . import errors
        return getattr(errors, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
