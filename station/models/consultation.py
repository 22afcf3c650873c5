"""来访咨询: walk-in, phone and online consultations, with referral and legal-aid screen."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, Float, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db.base import Base, Synced


class Consultation(Synced, Base):
    """One consultation (一次咨询); people are linked through :class:`ConsultationPerson`."""

    __tablename__ = "consultations"
    KIND, LABEL = "consultation", "来访咨询"
    number: Mapped[str] = mapped_column(String(40), unique=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime)
    channel: Mapped[str] = mapped_column(String(16), default="visit")
    category_code: Mapped[str] = mapped_column(String(16))
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text, default="")
    handling: Mapped[str] = mapped_column(String(16), default="answered")
    referral_target: Mapped[str | None] = mapped_column(String(16))
    referral_status: Mapped[str | None] = mapped_column(String(16))
    referral_outcome: Mapped[str] = mapped_column(Text, default="")
    satisfaction: Mapped[str | None] = mapped_column(String(16))
    staff_uid: Mapped[str | None] = mapped_column(ForeignKey("staff.uid"))
    village_uid: Mapped[str | None] = mapped_column(ForeignKey("villages.uid"))
    on_behalf: Mapped[bool] = mapped_column(Boolean, default=False)  # 代他人咨询
    identity_refused: Mapped[bool] = mapped_column(Boolean, default=False)
    case_uid: Mapped[str | None] = mapped_column(String(36))  # opened mediation case, if any
    # legal-aid screen (a suggestion; only the legal-aid agency decides)
    aid_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    aid_income: Mapped[float | None] = mapped_column(Float)  # monthly per capita, 元
    aid_line: Mapped[float | None] = mapped_column(Float)  # hardship line at the time
    aid_suggested: Mapped[bool | None] = mapped_column(Boolean)
    aid_confirmed: Mapped[bool | None] = mapped_column(Boolean)
    aid_override_reason: Mapped[str] = mapped_column(Text, default="")
    seq: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        Index("ix_consultations_occurred_at", "occurred_at"),
        # statistics: covering index for the report's GROUP BY (migration 0006)
        Index("ix_consultations_stats", "occurred_at", "deleted", "category_code", "channel", "handling",
              "referral_target", "referral_status", "satisfaction"),
    )


class ConsultationPerson(Synced, Base):
    """Link of a person to a consultation: the visitor, or the other party they talk about."""

    __tablename__ = "consultation_persons"
    KIND, LABEL = "consultation_person", "咨询人"
    consultation_uid: Mapped[str] = mapped_column(ForeignKey("consultations.uid"), index=True)
    person_uid: Mapped[str] = mapped_column(ForeignKey("persons.uid"), index=True)
    role: Mapped[str] = mapped_column(String(16), default="visitor")  # visitor | other_party
