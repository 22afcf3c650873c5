"""Staff accounts and the hash-chained audit log (device-local tables, see station/security)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db.base import Base


class Account(Base):
    """A sign-in account of one staff member on this station database.

    Accounts never sync: a password hash has no business on the hub. ``staff_uid``
    links to the synced staff record, so created_by/updated_by resolve to a name everywhere.
    """

    __tablename__ = "accounts"
    uid: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    staff_uid: Mapped[str | None] = mapped_column(String(36))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class AuditEntry(Base):
    """One audit entry; entries of a device form a hash chain ordered by ``seq``.

    ``hash`` = sha256(prev_hash + canonical fields), so editing, removing or
    reordering an entry breaks the chain at that point. ``detail`` never holds
    personal data (no names, ID numbers, phones), only codes, counts and hashes.
    """

    __tablename__ = "audit_log"
    device_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor: Mapped[str | None] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20), default="")
    uid: Mapped[str] = mapped_column(String(60), default="")
    version: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[str] = mapped_column(String(26))
    detail: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
