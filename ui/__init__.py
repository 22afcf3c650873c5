"""The counter GUI (PySide6). Importing it first applies the binding work-arounds in qtcompat."""
from . import qtcompat as _qtcompat  # noqa: F401  # before any other ui module: its import check is cheaper
