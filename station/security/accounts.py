"""Staff accounts: scrypt password hashes, sign-in with a growing delay after failures.

Passwords are hashed with ``hashlib.scrypt`` (standard library, memory-hard,
no native dependency to ship; n=2**14, r=8, p=1 takes ~50 ms and 16 MB per
guess). Service functions here are bound on the facade as ``st.accounts``;
sign-in itself goes through :meth:`station.Station.sign_in`.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import codes
from ..db.base import utcnow
from ..errors import FieldError, PermissionDenied, ValidationError
from ..models import Account, Staff
from ..services.base import raise_if, reads, writes
from . import audit, permissions as perms

WRITE_PERMISSION = perms.ACCOUNTS
READ_PERMISSION = perms.ACCOUNTS

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 14, 8, 1
MIN_PASSWORD = 8
#: consecutive failures allowed before each further attempt must wait (30 s, doubling, at most an hour)
FREE_FAILURES, FIRST_DELAY_S, MAX_DELAY_S = 5, 30, 3600
_USERNAME = re.compile(r"^[a-z][a-z0-9_.-]{1,39}$")


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def check_password(stored: str, password: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                         dklen=32)
    return hmac.compare_digest(got, base64.b64decode(digest))


def _now() -> dt.datetime:
    """Current time (a function so tests can move the clock)."""
    return utcnow()


def _validate(username: str, password: str | None, roles: list[str] | None) -> None:
    errors: list[FieldError] = []
    if not _USERNAME.match(username or ""):
        errors.append(FieldError("username", "用户名", "应为2–40位小写字母、数字或 _ . -，以字母开头"))
    if password is not None and len(password) < MIN_PASSWORD:
        errors.append(FieldError("password", "密码", f"至少{MIN_PASSWORD}位"))
    if roles is not None:
        bad = [r for r in roles if r not in codes.STAFF_ROLES]
        if not roles or bad:
            errors.append(FieldError("roles", "角色", f"应从{'、'.join(codes.STAFF_ROLES)}中选择"))
    raise_if(errors)


def _public(a: Account) -> dict[str, Any]:
    return {"uid": a.uid, "username": a.username, "staff_uid": a.staff_uid, "roles": list(a.roles),
            "active": a.active, "failed_count": a.failed_count,
            "locked_until": a.locked_until.isoformat(sep=" ") if a.locked_until else None,
            "last_login_at": a.last_login_at.isoformat(sep=" ") if a.last_login_at else None}


def any_accounts(session: Session) -> bool:
    return session.execute(select(Account.uid).limit(1)).first() is not None


def _by_name(session: Session, username: str) -> Account:
    acc = session.scalars(select(Account).where(Account.username == username)).first()
    if acc is None:
        raise ValidationError.single("username", "用户名", f"没有这个账号：{username}")
    return acc


def _create(session: Session, username: str, password: str, roles: list[str], staff_uid: str | None,
            name: str | None) -> dict[str, Any]:
    _validate(username, password, roles)
    if session.scalars(select(Account).where(Account.username == username)).first() is not None:
        raise ValidationError.single("username", "用户名", f"已有账号：{username}", "duplicate")
    if staff_uid is None:
        if not name:
            raise ValidationError.single("name", "姓名", "请填写姓名或选择工作人员")
        staff = Staff(name=name, roles=list(roles))
        session.add(staff)
        session.flush()
        staff_uid = staff.uid
    elif session.get(Staff, staff_uid) is None:
        raise ValidationError.single("staff_uid", "工作人员", "找不到这名工作人员")
    now = _now()
    acc = Account(uid=str(uuid.uuid4()), username=username, staff_uid=staff_uid, roles=list(roles),
                  password_hash=hash_password(password), active=True, failed_count=0, created_at=now, updated_at=now)
    session.add(acc)
    session.flush()
    audit.audit(session, "account", kind="account", uid=acc.uid, detail={"op": "create", "roles": list(roles)})
    return _public(acc)


@writes
def create_chief(session: Session, username: str, password: str, name: str | None = None,
                 staff_uid: str | None = None) -> dict[str, Any]:
    """First run: the chief's account. Refused once any account exists (then use ``add_account``)."""
    if any_accounts(session):
        raise PermissionDenied("已经有账号了：请所长登录后用“添加账号”")
    return _create(session, username, password, ["chief"], staff_uid, name)


@writes
def add_account(session: Session, username: str, password: str, roles: list[str], staff_uid: str | None = None,
                name: str | None = None) -> dict[str, Any]:
    return _create(session, username, password, list(roles), staff_uid, name)


@reads
def list_accounts(session: Session) -> list[dict[str, Any]]:
    return [_public(a) for a in session.scalars(select(Account).order_by(Account.username))]


@writes(perm=perms.SIGNED_IN)
def set_password(session: Session, username: str, new_password: str, old_password: str | None = None) -> None:
    """Anyone changes their own password (giving the old one); the chief resets anyone's."""
    acc = _by_name(session, username)
    held = session.info.get("perms")
    own = session.info.get("account_uid") == acc.uid
    if held is not None and perms.ACCOUNTS not in held:
        if not own:
            raise PermissionDenied("只能修改本人的密码")
        if old_password is None or not check_password(acc.password_hash, old_password):
            raise PermissionDenied("原密码不正确")
    _validate(username, new_password, None)
    acc.password_hash, acc.failed_count, acc.locked_until, acc.updated_at = hash_password(new_password), 0, None, _now()
    audit.audit(session, "account", kind="account", uid=acc.uid, detail={"op": "password"})


@writes
def set_active(session: Session, username: str, active: bool) -> dict[str, Any]:
    """Disable (or re-enable) an account; the last active chief cannot be disabled."""
    acc = _by_name(session, username)
    if not active and "chief" in acc.roles:
        chiefs = [a for a in session.scalars(select(Account).where(Account.active.is_(True)))
                  if "chief" in a.roles and a.uid != acc.uid]
        if not chiefs:
            raise PermissionDenied("不能停用最后一个所长账号")
    acc.active, acc.updated_at = bool(active), _now()
    audit.audit(session, "account", kind="account", uid=acc.uid, detail={"op": "enable" if active else "disable"})
    return _public(acc)


def delay_after(failures: int) -> int:
    """Seconds the next attempt must wait after ``failures`` consecutive failures."""
    if failures < FREE_FAILURES:
        return 0
    return min(MAX_DELAY_S, FIRST_DELAY_S * 2 ** (failures - FREE_FAILURES))


def authenticate(session: Session, username: str, password: str) -> tuple[dict[str, Any] | None, str]:
    """Check a sign-in in the caller's write transaction; records failures (count, lock, audit).

    Returns (account, "") or (None, Chinese reason). The caller commits, then raises,
    so a failure is recorded even though the sign-in is refused.
    """
    now = _now()
    acc = session.scalars(select(Account).where(Account.username == username)).first()
    if acc is None:
        check_password(hash_password("x" * MIN_PASSWORD), password)  # same cost as a real check: no user probing
        audit.audit(session, "login_failed", kind="account", detail={"reason": "unknown"})
        return None, "用户名或密码不正确"
    if acc.locked_until is not None and acc.locked_until > now:
        wait = int((acc.locked_until - now).total_seconds()) + 1
        audit.audit(session, "login_failed", kind="account", uid=acc.uid, detail={"reason": "locked"})
        return None, f"连续登录失败次数过多，请 {wait} 秒后再试"
    if not check_password(acc.password_hash, password):
        acc.failed_count += 1
        delay = delay_after(acc.failed_count)
        acc.locked_until = now + dt.timedelta(seconds=delay) if delay else None
        audit.audit(session, "login_failed", kind="account", uid=acc.uid,
                    detail={"reason": "password", "failures": acc.failed_count})
        return None, "用户名或密码不正确" + (f"；请 {delay} 秒后再试" if delay else "")
    if not acc.active:
        audit.audit(session, "login_failed", kind="account", uid=acc.uid, detail={"reason": "disabled"})
        return None, "该账号已停用"
    acc.failed_count, acc.locked_until, acc.last_login_at = 0, None, now
    return _public(acc), ""
