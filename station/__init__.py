"""司法所 Station core: domain model, storage, validation, search. Never imports Qt."""
from __future__ import annotations

from .errors import (Conflict, FieldError, ImportFailed, InvalidTransition, NotFound, SchemaError,
                     StationError, ValidationError)
from .station import Station

__version__ = "0.1.0"

__all__ = [
    "Conflict", "FieldError", "ImportFailed", "InvalidTransition", "NotFound", "SchemaError", "Station",
    "StationError", "ValidationError", "__version__",
]
