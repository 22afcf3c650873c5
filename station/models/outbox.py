"""The outbox: one row per committed change, written in the same transaction as the change."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ..db.base import Base


class OutboxEntry(Base):
    """A change waiting to go up to the hub.

    ``seq`` is this device's sequence number for the change; its payload (the whole
    record as exported, JSON text: :class:`OutboxPayload`) has ``content_hash`` as its
    SHA-256, so the hub can tell a replay from a different change at the same version.
    """

    __tablename__ = "outbox"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(24))
    uid: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer)
    base_version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    batch_id: Mapped[str | None] = mapped_column(String(36))

    #: partial indexes: what sync looks for (unsent, rejected), not every entry ever written (0009)
    __table_args__ = (Index("ix_outbox_unsent", "seq", sqlite_where=text("sent_at IS NULL")),
                      Index("ix_outbox_rejected", "uid", sqlite_where=text("batch_id LIKE 'rejected:%'")))


class OutboxPayload(Base):
    """The payload of outbox entry ``seq``, kept apart from the entry (0010).

    Marking entries sent rewrites their rows: without the payloads (most of an
    entry's bytes, never changed) that is a fraction of the pages to write.
    """

    __tablename__ = "outbox_payloads"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    payload: Mapped[str] = mapped_column(Text)
