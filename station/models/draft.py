"""Unsaved form drafts, so that nothing typed is lost if the program dies."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db.base import Base


class Draft(Base):
    """Autosaved content of an open form, keyed by form and (if editing) the record uid.

    Drafts are device-local and never sync; a successful save deletes the draft
    in the same transaction.
    """

    __tablename__ = "drafts"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    form: Mapped[str] = mapped_column(String(40))
    record_uid: Mapped[str | None] = mapped_column(String(36))
    data: Mapped[dict[str, object]] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
