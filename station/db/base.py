"""Declarative base and the columns every synced record carries."""
from __future__ import annotations

import datetime as dt
from typing import ClassVar

from sqlalchemy import Boolean, DateTime, Integer, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

try:
    from uuid import uuid7  # type: ignore[attr-defined,unused-ignore]  # Python 3.14+
except ImportError:  # the same RFC 9562 generator, backported
    from uuid6 import uuid7

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_uid() -> str:
    """Client-generated identity; the same on every device and on the hub.

    A time-ordered UUID (version 7): records made together have neighbouring keys, so
    the primary-key indexes here and on the hub take a batch of new records near their
    right edge instead of at random pages all over the tree. A random (v4) key made every
    hub transaction of a sync rewrite most of the uid index, and more so as the county's
    database grew. Older v4 uids stay valid: nothing depends on the version.
    """
    return str(uuid7())


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)


class Base(DeclarativeBase):
    """Base for all station tables."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Synced:
    """Mixin for every record that syncs: UUID key, version, timestamps, device, tombstone.

    ``version`` starts at 1 and grows by one on every committed change; a change
    on the hub is identified by (uid, version). Records are never deleted, only
    marked ``deleted`` so the tombstone can travel.
    """

    __tablename__: str
    #: short name used in the outbox, exports and the CLI ("person", "case"...)
    KIND: ClassVar[str] = ""
    #: Chinese name of the kind for messages
    LABEL: ClassVar[str] = ""

    uid: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uid)
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    device_id: Mapped[str] = mapped_column(String(36), default="")
    created_by: Mapped[str | None] = mapped_column(String(36))
    updated_by: Mapped[str | None] = mapped_column(String(36))
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.uid[:8]} v{self.version}>"
