"""人民调解: a case through its whole life, its parties, sessions and follow-up visits."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, Float, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ..db.base import Base, Synced


class MediationCase(Synced, Base):
    """人民调解案件. ``status`` moves only in the legal order (see ``services.mediation``)."""

    __tablename__ = "mediation_cases"
    KIND, LABEL = "case", "调解案件"
    number: Mapped[str] = mapped_column(String(40), unique=True)  # 一案一码
    display_number: Mapped[str | None] = mapped_column(String(60))  # （2026）X人调字第N号
    display_seq: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200), default="")  # 案由 / 纠纷名称
    committee_uid: Mapped[str | None] = mapped_column(ForeignKey("committees.uid"))
    village_uid: Mapped[str | None] = mapped_column(ForeignKey("villages.uid"))
    source: Mapped[str] = mapped_column(String(16), default="applied")
    dispute_type: Mapped[str] = mapped_column(String(16))
    facts: Mapped[str] = mapped_column(Text, default="")
    claims: Mapped[str] = mapped_column(Text, default="")
    amount: Mapped[float | None] = mapped_column(Float)  # 涉及金额, 元
    people_involved: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="applied")
    applied_on: Mapped[dt.date] = mapped_column(Date)
    accepted_on: Mapped[dt.date | None] = mapped_column(Date)
    refused_on: Mapped[dt.date | None] = mapped_column(Date)
    refusal_reason: Mapped[str] = mapped_column(Text, default="")
    mediator_uids: Mapped[list[str]] = mapped_column(JSON, default=list)
    recorder_uid: Mapped[str | None] = mapped_column(String(36))
    registered_by: Mapped[str | None] = mapped_column(String(36))
    extended_until: Mapped[dt.date | None] = mapped_column(Date)  # parties agreed to go past 30 days
    # outcome
    outcome: Mapped[str | None] = mapped_column(String(16))
    outcome_on: Mapped[dt.date | None] = mapped_column(Date)
    outcome_reason: Mapped[str] = mapped_column(Text, default="")
    terms: Mapped[list[str]] = mapped_column(JSON, default=list)
    performance_method: Mapped[str] = mapped_column(Text, default="")
    performance_deadline: Mapped[dt.date | None] = mapped_column(Date)
    agreement_effective_on: Mapped[dt.date | None] = mapped_column(Date)
    copies: Mapped[int | None] = mapped_column(Integer)
    performance_status: Mapped[str | None] = mapped_column(String(16))
    performed_on: Mapped[dt.date | None] = mapped_column(Date)
    # judicial confirmation (Art. 33)
    jc_applied_on: Mapped[dt.date | None] = mapped_column(Date)
    jc_court: Mapped[str] = mapped_column(String(100), default="")
    jc_result: Mapped[str | None] = mapped_column(String(16))
    jc_decided_on: Mapped[dt.date | None] = mapped_column(Date)
    # statistics flags
    is_group: Mapped[bool] = mapped_column(Boolean, default=False)  # 群体性
    is_difficult: Mapped[bool] = mapped_column(Boolean, default=False)  # 疑难
    prevents_crime: Mapped[bool] = mapped_column(Boolean, default=False)  # 防止民转刑
    prevents_crime_persons: Mapped[int | None] = mapped_column(Integer)
    prevents_petition: Mapped[bool] = mapped_column(Boolean, default=False)  # 防止群体性上访
    prevents_petition_persons: Mapped[int | None] = mapped_column(Integer)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    archived_on: Mapped[dt.date | None] = mapped_column(Date)
    consultation_uid: Mapped[str | None] = mapped_column(String(36))
    seq: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        Index("ix_mediation_cases_status", "status"),
        Index("ix_mediation_cases_applied_on", "applied_on"),
        # statistics: covering indexes led by each event date (migration 0006)
        Index("ix_mediation_cases_applied_stats", "applied_on", "deleted"),
        Index("ix_mediation_cases_accepted_stats", "accepted_on", "deleted", "dispute_type", "source",
              "committee_uid", "is_group", "amount"),
        Index("ix_mediation_cases_outcome_stats", "outcome_on", "deleted", "outcome", "dispute_type", "source",
              "committee_uid", "performance_status", "amount", "prevents_crime", "prevents_crime_persons",
              "prevents_petition", "prevents_petition_persons"),
        Index("ix_mediation_cases_refused_on", "refused_on"),
        Index("ix_mediation_cases_jc_applied_on", "jc_applied_on"),
        Index("ix_mediation_cases_jc_decided_on", "jc_decided_on"),
        Index("ix_mediation_cases_deleted_uid", "uid", sqlite_where=text("deleted = 1")),
    )


class CaseParty(Synced, Base):
    """A party to a case, with side, order and optional agent."""

    __tablename__ = "case_parties"
    KIND, LABEL = "case_party", "案件当事人"
    case_uid: Mapped[str] = mapped_column(ForeignKey("mediation_cases.uid"), index=True)
    person_uid: Mapped[str] = mapped_column(ForeignKey("persons.uid"), index=True)
    side: Mapped[str] = mapped_column(String(16), default="applicant")
    position: Mapped[int] = mapped_column(Integer, default=0)
    agent_uid: Mapped[str | None] = mapped_column(ForeignKey("persons.uid"))
    agent_kind: Mapped[str | None] = mapped_column(String(16))


class CaseSession(Synced, Base):
    """调查 or 调解 session: when, where, who, and what was said."""

    __tablename__ = "case_sessions"
    KIND, LABEL = "case_session", "调解/调查记录"
    case_uid: Mapped[str] = mapped_column(ForeignKey("mediation_cases.uid"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="mediation")
    held_at: Mapped[dt.datetime] = mapped_column(DateTime)
    place: Mapped[str] = mapped_column(String(200), default="")
    attendees: Mapped[str] = mapped_column(Text, default="")  # parties present
    participants: Mapped[str] = mapped_column(Text, default="")  # invited helpers (参加人)
    mediator_uids: Mapped[list[str]] = mapped_column(JSON, default=list)
    recorder_uid: Mapped[str | None] = mapped_column(String(36))
    record: Mapped[str] = mapped_column(Text, default="")


class FollowUp(Synced, Base):
    """人民调解回访记录."""

    __tablename__ = "follow_ups"
    KIND, LABEL = "follow_up", "回访记录"
    case_uid: Mapped[str] = mapped_column(ForeignKey("mediation_cases.uid"), index=True)
    visited_on: Mapped[dt.date] = mapped_column(Date)
    person_uid: Mapped[str | None] = mapped_column(ForeignKey("persons.uid"))
    staff_uid: Mapped[str | None] = mapped_column(String(36))
    performance_status: Mapped[str] = mapped_column(String(16), default="pending")
    satisfaction: Mapped[str | None] = mapped_column(String(16))
    notes: Mapped[str] = mapped_column(Text, default="")
    risk_found: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (Index("ix_follow_ups_stats", "visited_on", "deleted", "satisfaction", "case_uid"),)
