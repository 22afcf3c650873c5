"""当事人: natural persons and organisations, stored once and linked everywhere (一人一档)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db.base import Base, Synced


class Person(Synced, Base):
    """A natural person (``kind='person'``) or an organisation (``kind='org'``).

    ``id_rev``/``phone_rev`` hold the reversed numbers so that "last digits"
    searches are index range scans; ``initials`` holds pinyin initials
    (several readings for heteronyms, space separated).
    """

    __tablename__ = "persons"
    KIND, LABEL = "person", "当事人"
    kind: Mapped[str] = mapped_column(String(8), default="person")
    name: Mapped[str] = mapped_column(String(100))
    gender: Mapped[str] = mapped_column(String(4), default="")
    ethnicity: Mapped[str] = mapped_column(String(20), default="")
    id_type: Mapped[str] = mapped_column(String(20), default="ric")
    id_number: Mapped[str] = mapped_column(String(40), default="")
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    phone: Mapped[str] = mapped_column(String(32), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    occupation: Mapped[str] = mapped_column(String(100), default="")
    special_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    # organisations
    credit_code: Mapped[str] = mapped_column(String(18), default="")
    representative: Mapped[str] = mapped_column(String(50), default="")
    # search helpers (derived on write)
    initials: Mapped[str] = mapped_column(String(200), default="")
    id_rev: Mapped[str] = mapped_column(String(40), default="")
    phone_rev: Mapped[str] = mapped_column(String(32), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    merged_into: Mapped[str | None] = mapped_column(String(36))
    household_size: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_persons_name", "name"),
        Index("ix_persons_id_number", "id_number"),
        Index("ix_persons_id_rev", "id_rev"),
        Index("ix_persons_phone", "phone"),
        Index("ix_persons_phone_rev", "phone_rev"),
        Index("ix_persons_credit_code", "credit_code"),
    )
