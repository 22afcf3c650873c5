"""Closed (submitted) report periods: the figures as they were when the period was closed."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db.base import Base, Synced


class PeriodClosure(Synced, Base):
    """一期报表的结账/报送: period, scope, who closed it and the report snapshot.

    It is a synced record so the snapshot goes up to the county hub with the next
    sync. Records of the period may still be edited afterwards; later reports list
    such edits (``updated_at`` later than ``closed_at``) as corrections.
    """

    __tablename__ = "period_closures"
    KIND, LABEL = "period_closure", "报表报送"
    period: Mapped[str] = mapped_column(String(32))  # "2026-10", "2026-Q4", "2026", "2026-10-01..2026-10-15"
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    scope: Mapped[str] = mapped_column(String(60), default="station")  # station | committee:UID | ...
    closed_at: Mapped[dt.datetime] = mapped_column(DateTime)  # UTC, same clock as updated_at
    closed_by: Mapped[str | None] = mapped_column(String(36))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (Index("ix_period_closures_period", "period", "scope"),)
