"""Fingerprints of ledger rows already imported, so re-importing a ledger creates nothing new."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db.base import Base


class LedgerImport(Base):
    """One imported Excel ledger row.

    ``fingerprint`` hashes the row's kind and key fields (not the file name or row
    position), so the same row found again — in a re-saved copy, another sheet
    order, with rows inserted above — is recognised and skipped. Device-local,
    like the print log: the records themselves sync.
    """

    __tablename__ = "ledger_imports"
    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    record_uid: Mapped[str] = mapped_column(String(36))
    source: Mapped[str] = mapped_column(String(260), default="")
    sheet: Mapped[str] = mapped_column(String(100), default="")
    row: Mapped[int] = mapped_column(Integer, default=0)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime)
