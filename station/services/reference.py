"""Station identity, villages, staff, committees and code tables."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import codes, settings
from ..errors import FieldError, ValidationError
from ..models import CodeEntry, Committee, Staff, StationInfo, Village
from ..records import to_dict
from ..validation import check_choice, check_phone, normalise_name, require
from .base import Saved, load, raise_if, reads, saved, text, writes
from ..security import permissions as perms

#: permission the facade requires for this module's writes (reads: any signed-in account)
WRITE_PERMISSION = perms.SETTINGS


_CODE_NS = uuid.UUID("6f1d9a52-52e4-4c38-9a57-3f0e1c9b7a10")


@reads
def station_info(session: Session) -> dict[str, Any] | None:
    row = session.scalars(select(StationInfo).where(StationInfo.deleted.is_(False))).first()
    return to_dict(row) if row else None


def require_station(session: Session) -> StationInfo:
    row = session.scalars(select(StationInfo).where(StationInfo.deleted.is_(False))).first()
    if row is None:
        raise ValidationError.single("station", "司法所", "尚未设置本所信息，请先运行 station init")
    return row


@writes
def setup_station(session: Session, data: Mapping[str, Any]) -> Saved:
    """Create or update the station identity and seed the code tables on first use."""
    errors: list[FieldError] = []
    code, name = text(data, "code"), text(data, "name")
    require(errors, code, "code", "司法所编码")
    require(errors, name, "name", "司法所名称")
    if code and not code.replace("-", "").isalnum():
        errors.append(FieldError("code", "司法所编码", "只能包含字母和数字", "format"))
    raise_if(errors)
    row = session.scalars(select(StationInfo)).first() or StationInfo()
    row.code, row.name = code, name
    row.county = text(data, "county")
    row.abbr = text(data, "abbr") or name[:2]
    session.add(row)
    if "device_no" in data and data["device_no"] not in (None, ""):
        try:
            device_no = int(data["device_no"])
        except (TypeError, ValueError):
            device_no = 0
        if device_no < 1 or device_no > 99:
            raise ValidationError.single("device_no", "设备编号", "应为1到99之间的整数")
        settings.put(session, "device_no", device_no)
    seed_codes(session)
    return saved(row)


def seed_codes(session: Session) -> int:
    """Insert code-table entries this database lacks (matched by table, code and valid_from)."""
    have = {(c.table, c.code, c.valid_from) for c in session.scalars(select(CodeEntry))}
    added = 0
    for seed in codes.ALL_SEEDS:
        if (seed.table, seed.code, seed.valid_from) in have:
            continue
        # Deterministic uid: every station and the hub agree on the identity of a seeded entry.
        uid = str(uuid.uuid5(_CODE_NS, f"{seed.table}:{seed.code}:{seed.valid_from.isoformat()}"))
        session.add(CodeEntry(uid=uid, table=seed.table, code=seed.code, name=seed.name, parent=seed.parent,
                              valid_from=seed.valid_from, valid_to=seed.valid_to, sort=seed.sort))
        added += 1
    return added


@reads
def list_codes(session: Session, table: str, on: dt.date | None = None) -> list[dict[str, Any]]:
    """Entries of a code table valid on ``on`` (all entries if ``on`` is None), in display order."""
    q = select(CodeEntry).where(CodeEntry.table == table, CodeEntry.deleted.is_(False))
    if on is not None:
        q = q.where(CodeEntry.valid_from <= on, (CodeEntry.valid_to.is_(None)) | (CodeEntry.valid_to >= on))
    return [to_dict(c) for c in session.scalars(q.order_by(CodeEntry.sort, CodeEntry.code))]


def code_name(session: Session, table: str, code: str) -> str | None:
    row = session.scalars(select(CodeEntry).where(CodeEntry.table == table, CodeEntry.code == code)).first()
    return row.name if row else None


def check_code(session: Session, errors: list[FieldError], table: str, code: str | None,
               on: dt.date | None, field: str, label: str) -> None:
    """A code must exist in the table; it must also be valid on the record's date."""
    if not code:
        return
    rows = session.scalars(select(CodeEntry).where(CodeEntry.table == table, CodeEntry.code == code)).all()
    if not rows:
        errors.append(FieldError(field, label, f"不是有效的代码：“{code}”", "choice"))
    elif on is not None and not any(r.valid_from <= on and (r.valid_to is None or r.valid_to >= on)
                                    for r in rows):
        errors.append(FieldError(field, label, f"代码“{code}”在{on.isoformat()}不适用", "expired"))


@writes
def end_code(session: Session, table: str, code: str, valid_to: dt.date) -> Saved:
    """Retire a code from a date on (the code table's new version); old records keep it."""
    row = session.scalars(select(CodeEntry).where(CodeEntry.table == table, CodeEntry.code == code,
                                                  CodeEntry.valid_to.is_(None))).first()
    if row is None:
        raise ValidationError.single("code", "代码", f"没有仍在使用的代码“{code}”")
    row.valid_to = valid_to
    return saved(row)


@writes
def add_code(session: Session, table: str, code: str, name: str, valid_from: dt.date,
             parent: str | None = None) -> Saved:
    row = CodeEntry(table=table, code=code, name=name, parent=parent, valid_from=valid_from, sort=1000)
    session.add(row)
    return saved(row)


@writes
def save_village(session: Session, data: Mapping[str, Any], uid: str | None = None) -> Saved:
    errors: list[FieldError] = []
    name = normalise_name(data.get("name"))
    require(errors, name, "name", "村(居)名称")
    check_choice(errors, data.get("kind"), {"village", "community"}, "kind", "类型")
    target = data.get("target_hours")
    if target not in (None, ""):
        try:
            target = float(target)  # type: ignore[arg-type]
            if target < 0:
                raise ValueError
        except (TypeError, ValueError):
            errors.append(FieldError("target_hours", "年度服务时长目标", "应为不小于0的数字"))
    raise_if(errors)
    row = load(session, Village, uid) if uid else Village()
    row.name, row.code = name, text(data, "code")
    row.kind = data.get("kind") or "village"
    row.target_hours = target if target not in (None, "") else None  # type: ignore[assignment]
    row.adviser_uid = data.get("adviser_uid") or None
    session.add(row)
    return saved(row)


@writes
def save_staff(session: Session, data: Mapping[str, Any], uid: str | None = None) -> Saved:
    errors: list[FieldError] = []
    name = normalise_name(data.get("name"))
    require(errors, name, "name", "姓名")
    roles = list(data.get("roles") or [])
    require(errors, roles, "roles", "岗位")
    for role in roles:
        check_choice(errors, role, codes.STAFF_ROLES, "roles", "岗位")
    phone, warnings = "", list[str]()
    if data.get("phone"):
        try:
            phone, warnings = check_phone(str(data["phone"]))
        except ValidationError as e:
            errors.extend(e.errors)
    raise_if(errors)
    row = load(session, Staff, uid) if uid else Staff()
    row.name, row.roles, row.phone = name, roles, phone
    row.organisation = text(data, "organisation")
    row.active = bool(data.get("active", True))
    session.add(row)
    return saved(row, warnings)


@writes
def save_committee(session: Session, data: Mapping[str, Any], uid: str | None = None) -> Saved:
    errors: list[FieldError] = []
    name = text(data, "name")
    require(errors, name, "name", "调解委员会名称")
    check_choice(errors, data.get("kind"), codes.COMMITTEE_KINDS, "kind", "类型")
    raise_if(errors)
    row = load(session, Committee, uid) if uid else Committee()
    row.name, row.kind = name, data.get("kind") or "township"
    row.village_uid = data.get("village_uid") or None
    row.abbr = text(data, "abbr")
    session.add(row)
    return saved(row)


@reads
def list_reference(session: Session, kind: str) -> list[dict[str, Any]]:
    model: Any = {"village": Village, "staff": Staff, "committee": Committee}[kind]
    return [to_dict(r) for r in session.scalars(select(model).where(model.deleted.is_(False))
                                                .order_by(model.name))]


@reads
def get_settings(session: Session) -> dict[str, Any]:
    return settings.get_all(session)


@writes
def put_setting(session: Session, key: str, value: Any) -> None:
    settings.put(session, key, value)
