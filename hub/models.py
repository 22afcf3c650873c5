"""Hub tables (their own metadata, independent of the station schema).

``hub_records`` holds the newest accepted version of every record (its payload
is what flows down); ``hub_changes`` remembers every accepted (uid, version,
hash) so a replay is recognised as a duplicate; ``hub_conflicts`` keeps every
refused concurrent change with its payload, so nothing a device wrote is lost.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (JSON, BigInteger, DateTime, ForeignKey, Index, Integer, LargeBinary, MetaData, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class HubBase(DeclarativeBase):
    metadata = MetaData(naming_convention={
        "ix": "ix_%(column_0_label)s", "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s", "pk": "pk_%(table_name)s"})


class HubStation(HubBase):
    """A station (or ``*`` for county-wide data); ``seq`` is its download cursor counter."""

    __tablename__ = "hub_stations"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    county: Mapped[str] = mapped_column(String(100), default="")
    abbr: Mapped[str] = mapped_column(String(20), default="")
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_sync_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class HubDevice(HubBase):
    """A registered device; only the SHA-256 of its token is stored."""

    __tablename__ = "hub_devices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    station_code: Mapped[str] = mapped_column(ForeignKey("hub_stations.code"))
    device_no: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    device_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)

    __table_args__ = (UniqueConstraint("station_code", "device_no", name="uq_hub_devices_station_device"),)


class HubRecord(HubBase):
    """Newest accepted version of one record."""

    __tablename__ = "hub_records"
    uid: Mapped[str] = mapped_column(String(36), primary_key=True)
    scope: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(24))
    version: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(BigInteger)
    device_no: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    payload: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_hub_records_scope_seq", "scope", "seq"),
                      Index("ix_hub_records_scope_kind", "scope", "kind"))


class HubFingerprint(HubBase):
    """Per station (scope) and kind: the records the hub holds, as a count and a sum of their terms
    (:func:`station.sync.protocol.record_term`, hex of the sum mod 2**256), kept by every write.
    The row of kind ``""`` marks the scope ``seq`` at which the others are complete (in ``count``)."""

    __tablename__ = "hub_fingerprints"
    scope: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger)
    total: Mapped[str] = mapped_column(String(64))


class HubChange(HubBase):
    """Every accepted change (identity only), for idempotent replays."""

    __tablename__ = "hub_changes"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                    autoincrement=True)
    uid: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer)
    base_version: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(32))
    device_no: Mapped[int] = mapped_column(Integer)
    device_seq: Mapped[int] = mapped_column(BigInteger)
    batch_id: Mapped[str] = mapped_column(String(36))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("uid", "version", name="uq_hub_changes_uid_version"),)


class HubConflict(HubBase):
    """A change refused because it was made on an older version than the hub's; kept whole."""

    __tablename__ = "hub_conflicts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(24))
    uid: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer)
    base_version: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    device_no: Mapped[int] = mapped_column(Integer)
    theirs_version: Mapped[int] = mapped_column(Integer)
    theirs_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    __table_args__ = (UniqueConstraint("uid", "version", "hash", name="uq_hub_conflicts_change"),
                      Index("ix_hub_conflicts_scope", "scope", "resolved_at"))


class HubBatch(HubBase):
    """An upload batch already processed, so a replayed request is recognised and refused."""

    __tablename__ = "hub_batches"
    batch_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    device: Mapped[int] = mapped_column(ForeignKey("hub_devices.id"))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    changes: Mapped[int] = mapped_column(Integer)
    #: ``{"counts": {status: n}, "others": [{seq, status}...]}``: the changes not simply accepted
    #: (hubs from before stored ``[{seq, status}...]`` for every change)
    results: Mapped[object] = mapped_column(JSON)


class HubAuditEntry(HubBase):
    """A station device's audit entry as uploaded, one row each: how hubs before
    :class:`HubAuditSegment` kept them (still read; no longer written)."""

    __tablename__ = "hub_audit"
    # one B-tree keyed by (device, seq) on SQLite instead of a rowid table plus its key index: entries
    # arrive by the ten thousand and are only ever read back by that key
    __table_args__ = {"sqlite_with_rowid": False}
    device_pk: Mapped[int] = mapped_column(ForeignKey("hub_devices.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    device_id: Mapped[str] = mapped_column(String(36))
    actor: Mapped[str | None] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20), default="")
    uid: Mapped[str] = mapped_column(String(60), default="")
    version: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[str] = mapped_column(String(26))
    detail: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class HubAuditSegment(HubBase):
    """One upload's new audit entries of one device, kept together as received (compressed JSON).

    Entries arrive by the ten thousand and are only ever read back together (a resend
    compared with what the hub holds), so one row per upload costs the hub a fraction of
    a row per entry. Hubs from before kept entries as rows in ``hub_audit``; both are read.
    """
    __tablename__ = "hub_audit_segments"
    device_pk: Mapped[int] = mapped_column(ForeignKey("hub_devices.id"), primary_key=True)
    first_seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(BigInteger)
    count: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    #: zlib-compressed JSON list of entries, each [seq, device_id, actor, action, kind, uid, version, at,
    #: detail, prev_hash, hash]
    entries: Mapped[bytes] = mapped_column(LargeBinary)


class HubAuditChain(HubBase):
    """Where each device's audit chain stands on the hub, and the first break found on arrival."""

    __tablename__ = "hub_audit_chains"
    device_pk: Mapped[int] = mapped_column(ForeignKey("hub_devices.id"), primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))
    broken_seq: Mapped[int | None] = mapped_column(BigInteger)
    broken_reason: Mapped[str | None] = mapped_column(String(200))


class HubUser(HubBase):
    """A county account for the web page (people, not devices); only a scrypt hash of the password is kept."""

    __tablename__ = "hub_users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    disabled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class HubWebSession(HubBase):
    """A signed-in browser: the cookie holds a random token, the hub only its SHA-256 (logout deletes the row)."""

    __tablename__ = "hub_web_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("hub_users.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
