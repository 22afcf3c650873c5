"""Print log: every printed form, who printed it, from which stored version, how many copies."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db.base import Base


class PrintLog(Base):
    """One print (or PDF export) of a form.

    Device-local like the drafts: it documents what left this machine on paper.
    ``sha256`` is the hash of the PDF bytes, so a paper copy can be matched to
    the exact version it was printed from (printing is deterministic).
    """

    __tablename__ = "print_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    printed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    form: Mapped[str] = mapped_column(String(40))
    record_kind: Mapped[str] = mapped_column(String(20), default="")
    record_uid: Mapped[str] = mapped_column(String(60))  # uid, or the period of a ledger
    record_version: Mapped[int | None] = mapped_column(Integer)
    copies: Mapped[int] = mapped_column(Integer, default=1)
    actor_uid: Mapped[str | None] = mapped_column(String(36))
    device_id: Mapped[str] = mapped_column(String(36), default="")
    sha256: Mapped[str] = mapped_column(String(64), default="")

    __table_args__ = (Index("ix_print_log_record_uid", "record_uid"),)
