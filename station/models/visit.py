"""村(居)法律顾问工作日志: one entry per adviser visit or remote service."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, Float, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column

from ..db.base import Base, Synced


class AdviserVisit(Synced, Base):
    """One service session of a village legal adviser; ``hours`` is what counts for the target."""

    __tablename__ = "adviser_visits"
    KIND, LABEL = "visit", "法律顾问服务"
    number: Mapped[str] = mapped_column(String(40), unique=True)
    adviser_uid: Mapped[str] = mapped_column(ForeignKey("staff.uid"), index=True)
    village_uid: Mapped[str] = mapped_column(ForeignKey("villages.uid"), index=True)
    visit_date: Mapped[dt.date] = mapped_column(Date)
    start_time: Mapped[dt.time | None] = mapped_column(Time)
    end_time: Mapped[dt.time | None] = mapped_column(Time)
    hours: Mapped[float] = mapped_column(Float)
    mode: Mapped[str] = mapped_column(String(16), default="onsite")
    service_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    attendees: Mapped[int | None] = mapped_column(Integer)  # legal-education audience
    content: Mapped[str] = mapped_column(Text)
    people_served: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str] = mapped_column(Text, default="")
    seq: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        Index("ix_adviser_visits_visit_date", "visit_date"),
        # statistics: covering index for the report's GROUP BY (migration 0006)
        Index("ix_adviser_visits_stats", "visit_date", "deleted", "village_uid", "mode", "hours", "attendees",
              "service_types", "adviser_uid"),
    )
