"""Helpers shared by the service modules."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, TypeVar

from sqlalchemy.orm import Session

from ..db.base import Synced
from ..errors import Conflict, FieldError, NotFound, ValidationError
from ..records import to_dict
from ..security.permissions import Permission

F = TypeVar("F", bound=Callable[..., Any])


def _mark(fn: Any, writes_: bool, perm: Any) -> Any:
    fn._station_writes = writes_
    if perm is not None:
        fn._station_perm = perm
    return fn


def writes(fn: F | None = None, *, perm: "Permission | None" = None) -> Any:
    """Mark a service function as a write: the facade runs it in a ``BEGIN IMMEDIATE`` transaction.

    ``perm`` (see :mod:`station.security.permissions`) overrides the module's
    ``WRITE_PERMISSION``; the facade checks it against the signed-in account.
    """
    if fn is None:
        return lambda f: _mark(f, True, perm)
    return _mark(fn, True, perm)


def reads(fn: F | None = None, *, perm: "Permission | None" = None) -> Any:
    """Mark a service function as a read (any signed-in account unless ``perm``/``READ_PERMISSION`` says more)."""
    if fn is None:
        return lambda f: _mark(f, False, perm)
    return _mark(fn, False, perm)


@dataclass
class Saved:
    """What a write returns: the record as a dict, plus warnings the user should see."""

    record: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

    @property
    def uid(self) -> str:
        return str(self.record["uid"])


M = TypeVar("M", bound=Synced)


def load(session: Session, model: type[M], uid: str, *, for_update: bool = True) -> M:
    obj = session.get(model, uid)
    if obj is None or obj.deleted:
        raise NotFound(model.LABEL, uid)
    return obj


def check_version(obj: Synced, base_version: int | None) -> None:
    """Refuse an edit made on an older copy of the record (someone else saved in between)."""
    if base_version is not None and obj.version != base_version:
        raise Conflict(f"{obj.LABEL}已被修改（当前第{obj.version}版，您编辑的是第{base_version}版），请刷新后再改")


def text(data: Mapping[str, Any], key: str) -> str:
    from ..validation import normalise_text
    value = data.get(key)
    if value is None:
        return ""
    if isinstance(value, str) and "\n" in value:
        return "\n".join(normalise_text(line) for line in value.strip().splitlines())
    return normalise_text(value)


def raise_if(errors: list[FieldError]) -> None:
    if errors:
        raise ValidationError(errors)


def number(data: Mapping[str, Any], key: str, label: str, errors: list[FieldError], *,
           minimum: float | None = 0, integer: bool = False) -> Any:
    value = data.get(key)
    if value is None or value == "":
        return None
    try:
        num = int(str(value).strip()) if integer else round(float(str(value).replace(",", "").strip()), 2)
    except ValueError:
        errors.append(FieldError(key, label, f"应为{'整数' if integer else '数字'}：“{value}”", "format"))
        return None
    if minimum is not None and num < minimum:
        errors.append(FieldError(key, label, f"不能小于{minimum:g}", "range"))
        return None
    return num


def saved(obj: Synced, warnings: list[str] | None = None) -> Saved:
    """Flush (so uid, version and timestamps are final) and wrap the record."""
    from sqlalchemy.orm import object_session
    sess = object_session(obj)
    if sess is not None:
        sess.flush()
    return Saved(to_dict(obj), warnings or [])
