"""Reference data: the station, its villages, staff, committees, code tables, settings.

Reference records sync too (they flow down from the county hub), so they carry
the :class:`Synced` columns.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db.base import Base, Synced


class StationInfo(Synced, Base):
    """司法所: code, name, county. One row per station database."""

    __tablename__ = "stations"
    KIND, LABEL = "station", "司法所"
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    county: Mapped[str] = mapped_column(String(100), default="")
    abbr: Mapped[str] = mapped_column(String(20), default="")  # used in the case number（2026）X人调字


class Village(Synced, Base):
    """村(居): a village or residents' community the station serves."""

    __tablename__ = "villages"
    KIND, LABEL = "village", "村(居)"
    code: Mapped[str] = mapped_column(String(32), default="")
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16), default="village")  # village | community
    target_hours: Mapped[float | None] = mapped_column(Float)  # yearly adviser-hour target
    adviser_uid: Mapped[str | None] = mapped_column(ForeignKey("staff.uid"))


class Staff(Synced, Base):
    """工作人员 with roles (counter, mediator, adviser, chief)."""

    __tablename__ = "staff"
    KIND, LABEL = "staff", "工作人员"
    name: Mapped[str] = mapped_column(String(50))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    phone: Mapped[str] = mapped_column(String(32), default="")
    organisation: Mapped[str] = mapped_column(String(100), default="")  # law firm for advisers
    active: Mapped[bool] = mapped_column(default=True)


class Committee(Synced, Base):
    """人民调解委员会."""

    __tablename__ = "committees"
    KIND, LABEL = "committee", "调解委员会"
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16), default="township")
    village_uid: Mapped[str | None] = mapped_column(ForeignKey("villages.uid"))
    abbr: Mapped[str] = mapped_column(String(20), default="")


class CodeEntry(Synced, Base):
    """One entry of a versioned code table (dispute types, consultation categories).

    Entries are never edited into something else: a change of list ends the old
    entry (``valid_to``) and adds a new one, so old records keep their meaning.
    """

    __tablename__ = "code_entries"
    KIND, LABEL = "code", "字典"
    table: Mapped[str] = mapped_column(String(32), index=True)
    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(50))
    parent: Mapped[str | None] = mapped_column(String(16))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    sort: Mapped[int] = mapped_column(Integer, default=0)


class Setting(Base):
    """Key/value settings of this database (station-wide and device-local)."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[object] = mapped_column(JSON)


class Counter(Base):
    """Monotonic local sequences (record numbers, display numbers, outbox)."""

    __tablename__ = "counters"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)

