"""Sync bookkeeping on the station: state (hub, cursor, last result) and conflicts to resolve."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db.base import Base


class SyncState(Base):
    """Key/value state of the sync client (hub URL, download cursor, last result).

    Kept apart from ``settings`` because it is written by the sync job, not the user,
    and never travels to the hub.
    """

    __tablename__ = "sync_state"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[object] = mapped_column(JSON)


class SyncConflict(Base):
    """A local change the hub refused because someone else changed the record first.

    Both versions are kept until a person decides: ``mine`` is what this device
    wrote, ``theirs`` what the hub holds. Nothing is overwritten in the meantime.
    """

    __tablename__ = "sync_conflicts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(24))
    uid: Mapped[str] = mapped_column(String(36))
    mine_version: Mapped[int] = mapped_column(Integer)
    mine_hash: Mapped[str] = mapped_column(String(64))
    mine_payload: Mapped[str] = mapped_column(Text)
    theirs_version: Mapped[int] = mapped_column(Integer)
    theirs_hash: Mapped[str] = mapped_column(String(64))
    theirs_payload: Mapped[str] = mapped_column(Text)
    detected_at: Mapped[dt.datetime] = mapped_column(DateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    resolution: Mapped[str | None] = mapped_column(String(16))  # mine | theirs | merged

    __table_args__ = (Index("ix_sync_conflicts_uid", "uid", "resolved_at"),)
