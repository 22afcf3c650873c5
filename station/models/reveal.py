"""Reveal log: who looked at an unmasked ID number or phone, and when."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db.base import Base


class RevealEntry(Base):
    """One explicit reveal of masked personal data on screen (GB/T 35273: access is accountable).

    Device-local and append-only; the value itself is never stored here.
    """

    __tablename__ = "reveal_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    revealed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor_uid: Mapped[str | None] = mapped_column(String(36))
    actor_name: Mapped[str] = mapped_column(String(60), default="")
    record_kind: Mapped[str] = mapped_column(String(24))
    record_uid: Mapped[str] = mapped_column(String(36))
    field: Mapped[str] = mapped_column(String(40))

    __table_args__ = (Index("ix_reveal_log_record", "record_uid"),)
