"""County accounts for the hub's web page: scrypt password hashes and server-side browser sessions.

Passwords use the station's own scrypt scheme (:mod:`station.security.accounts`),
so one hashing policy covers the whole system. A browser session is a random
token in an HttpOnly cookie; the hub stores only its SHA-256, so a copied
database cannot be used to sign in, logout ends the session at once, and
disabling an account ends all its sessions.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import secrets
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update

from station.security.accounts import MIN_PASSWORD, check_password, hash_password

from .db import writer
from .models import HubUser, HubWebSession, utcnow
from .service import HubError

log = logging.getLogger("station_hub")

USERNAME = re.compile(r"^[a-z][a-z0-9_.-]{1,39}$")
#: compared against when the user does not exist, so a wrong name costs as long as a wrong password
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _check_new_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise HubError(400, "bad_password", f"密码至少{MIN_PASSWORD}位")


def add_user(engine: Engine, username: str, password: str) -> dict[str, Any]:
    if not USERNAME.match(username or ""):
        raise HubError(400, "bad_username", "用户名应为2–40位小写字母、数字或 _ . -，以字母开头")
    _check_new_password(password)
    digest = hash_password(password)
    with writer(engine).begin() as conn:
        if conn.execute(select(HubUser.id).where(HubUser.username == username)).first():
            raise HubError(409, "user_exists", f"用户名 {username} 已存在")
        conn.execute(insert(HubUser).values(username=username, password_hash=digest, created_at=utcnow()))
    log.info("county account added user=%s", username)
    return {"username": username}


def set_password(engine: Engine, username: str, password: str) -> bool:
    """Replace the password; every open session of the account ends."""
    _check_new_password(password)
    digest = hash_password(password)
    with writer(engine).begin() as conn:
        uid = conn.execute(select(HubUser.id).where(HubUser.username == username)).scalar()
        if uid is None:
            return False
        conn.execute(update(HubUser).where(HubUser.id == uid).values(password_hash=digest))
        conn.execute(delete(HubWebSession).where(HubWebSession.user_id == uid))
    log.info("county account password changed user=%s", username)
    return True


def list_users(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [{"username": u.username, "created_at": u.created_at, "disabled_at": u.disabled_at,
                 "last_login_at": u.last_login_at}
                for u in conn.execute(select(HubUser).order_by(HubUser.username))]


def set_disabled(engine: Engine, username: str, disabled: bool = True) -> bool:
    """Disable (and sign out everywhere) or re-enable an account; False if there is no such account."""
    with writer(engine).begin() as conn:
        uid = conn.execute(select(HubUser.id).where(HubUser.username == username)).scalar()
        if uid is None:
            return False
        conn.execute(update(HubUser).where(HubUser.id == uid).values(disabled_at=utcnow() if disabled else None))
        if disabled:
            conn.execute(delete(HubWebSession).where(HubWebSession.user_id == uid))
    log.info("county account %s user=%s", "disabled" if disabled else "enabled", username)
    return True


def check_login(engine: Engine, username: str, password: str) -> int | None:
    """The account id if the name and password match an active account, else None (same cost either way)."""
    with engine.connect() as conn:
        row = conn.execute(select(HubUser).where(HubUser.username == (username or "").strip())).first()
    ok = check_password(row.password_hash if row else _DUMMY_HASH, password or "")
    if row is None or not ok or row.disabled_at is not None:
        return None
    return int(row.id)


def new_session(engine: Engine, user_id: int, hours: float) -> str:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with writer(engine).begin() as conn:
        conn.execute(delete(HubWebSession).where(HubWebSession.expires_at < now))  # housekeeping
        conn.execute(insert(HubWebSession).values(token_hash=_token_hash(token), user_id=user_id, created_at=now,
                                                  expires_at=now + dt.timedelta(hours=hours)))
        conn.execute(update(HubUser).where(HubUser.id == user_id).values(last_login_at=now))
    return token


def session_user(engine: Engine, token: str | None) -> str | None:
    """The username of a live session (not expired, account not disabled), else None."""
    if not token:
        return None
    with engine.connect() as conn:
        row = conn.execute(
            select(HubUser.username, HubUser.disabled_at, HubWebSession.expires_at)
            .join(HubUser, HubUser.id == HubWebSession.user_id)
            .where(HubWebSession.token_hash == _token_hash(token))).first()
    if row is None or row.disabled_at is not None or row.expires_at <= utcnow():
        return None
    return str(row.username)


def end_session(engine: Engine, token: str | None) -> None:
    if token:
        with writer(engine).begin() as conn:
            conn.execute(delete(HubWebSession).where(HubWebSession.token_hash == _token_hash(token)))
