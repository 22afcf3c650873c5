"""Encryption at rest: a random SQLCipher key kept in the OS keyring, a recovery code, a password fallback.

The key never touches the disk in the clear. ``station.keyinfo.json`` beside the
database says how to get it and holds it *wrapped* (AES-256-GCM from the
``cryptography`` library) under keys derived with scrypt from the recovery code
and, where no keyring exists, from a password the user chose. With the
recovery code the data opens on a machine whose keyring was lost; the key is
then put back into that machine's keyring.

SQLCipher is given the raw 256-bit key (``PRAGMA key = "x'…'"``), so opening
costs no key derivation; the per-page cost is AES, which keeps the encrypted
store close to the plain one.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import DatabaseKeyError

KEYINFO = "station.keyinfo.json"
KEYRING_SERVICE = "Station"
_AAD = b"station-db-key-v1"
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off paper


@dataclass
class KeyInfo:
    db_id: str
    mode: str  # keyring | password
    wrapped: dict[str, dict[str, str]] = field(default_factory=dict)  # recovery | password -> salt, nonce, data
    check: str = ""  # sha256 of the key, to tell a wrong key from a damaged file


def read_info(folder: Path) -> KeyInfo | None:
    path = folder / KEYINFO
    if not path.is_file():
        return None
    try:
        return KeyInfo(**json.loads(path.read_text("utf-8")))
    except (ValueError, TypeError) as e:
        raise DatabaseKeyError(f"密钥信息文件 {KEYINFO} 已损坏，无法打开加密的数据库：{e}") from None


def write_info(folder: Path, info: KeyInfo) -> None:
    tmp = folder / (KEYINFO + ".part")
    tmp.write_text(json.dumps(asdict(info), indent=1), "utf-8")
    os.replace(tmp, folder / KEYINFO)


def new_recovery_code() -> str:
    """30 characters in 6 groups (150 bits), easy to copy from paper."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(30))
    return "-".join(raw[i:i + 5] for i in range(0, 30, 5))


def _normalise(code: str) -> str:
    return "".join(c for c in code.upper() if c.isalnum())


def _kek(secret: str, salt: bytes) -> bytes:
    return hashlib.scrypt(secret.encode("utf-8"), salt=salt, n=2 ** 15, r=8, p=1, maxmem=64 * 1024 * 1024, dklen=32)


def wrap(key: bytes, secret: str) -> dict[str, str]:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    data = AESGCM(_kek(secret, salt)).encrypt(nonce, key, _AAD)
    b64 = base64.b64encode
    return {"salt": b64(salt).decode(), "nonce": b64(nonce).decode(), "data": b64(data).decode()}


def unwrap(box: dict[str, str], secret: str) -> bytes | None:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    d = base64.b64decode
    try:
        return AESGCM(_kek(secret, d(box["salt"]))).decrypt(d(box["nonce"]), d(box["data"]), _AAD)
    except InvalidTag:
        return None


# -- keyring ------------------------------------------------------------------------------------------------------

def keyring_available() -> bool:
    import keyring
    from keyring.backends import fail

    return not isinstance(keyring.get_keyring(), fail.Keyring)


def _keyring_get(db_id: str) -> bytes | None:
    import keyring
    from keyring.errors import KeyringError

    try:
        value = keyring.get_password(KEYRING_SERVICE, f"database-{db_id}")
    except KeyringError:
        return None
    return bytes.fromhex(value) if value else None


def _keyring_put(db_id: str, key: bytes) -> bool:
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(KEYRING_SERVICE, f"database-{db_id}", key.hex())
    except KeyringError:
        return False
    return True


# -- setup and loading --------------------------------------------------------------------------------------------

NO_KEYRING = ("本机没有可用的系统密钥库（keyring），无法自动保管数据库密钥。"
              "请设置一个数据库密码（每次打开时输入），或在有密钥库的电脑上使用")


def setup(folder: Path, *, password: str | None = None) -> tuple[bytes, str]:
    """Make a new key for ``folder``; returns (key, recovery code). The code is shown once, never stored.

    :raises DatabaseKeyError: no keyring backend and no password given (the caller asks the user).
    """
    key, code, db_id = secrets.token_bytes(32), new_recovery_code(), str(uuid.uuid4())
    info = KeyInfo(db_id=db_id, mode="keyring", check=hashlib.sha256(key).hexdigest())
    info.wrapped["recovery"] = wrap(key, _normalise(code))
    if password is not None:
        if len(password) < 8:
            raise DatabaseKeyError("数据库密码至少8位")
        info.mode = "password"
        info.wrapped["password"] = wrap(key, password)
    elif not (keyring_available() and _keyring_put(db_id, key)):
        raise DatabaseKeyError(NO_KEYRING)
    write_info(folder, info)
    return key, code


def load_key(folder: Path, info: KeyInfo, *, password: str | None = None, recovery_code: str | None = None) -> bytes:
    """The database key from the keyring, the password or the recovery code.

    :raises DatabaseKeyError: with what the user can do about it.
    """
    if recovery_code:
        key = unwrap(info.wrapped["recovery"], _normalise(recovery_code))
        if key is None:
            raise DatabaseKeyError("恢复码不正确")
        if info.mode == "keyring":
            _keyring_put(info.db_id, key)  # this machine's keyring was lost: put the key back
        return key
    if info.mode == "password":
        if password is None:
            raise DatabaseKeyError("数据库已用密码加密：请输入数据库密码")
        key = unwrap(info.wrapped["password"], password)
        if key is None:
            raise DatabaseKeyError("数据库密码不正确")
        return key
    key = _keyring_get(info.db_id)
    if key is None:
        raise DatabaseKeyError("本机密钥库中没有这个数据库的密钥（可能换了电脑或重装了系统）：请输入设置时打印的恢复码")
    return key


def pragma_key(key: bytes) -> str:
    return f"PRAGMA key = \"x'{key.hex()}'\""


def connect(path: Path | str, key: bytes | None, *, sqlcipher: bool = False, **kwargs: Any) -> Any:
    """A DB-API connection: sqlite3 for a plain file, sqlcipher3 keyed with ``key``.

    ``sqlcipher=True`` without a key opens a plain file through sqlcipher3's own SQLite build
    (benchmarks: separates the cost of encryption from the cost of that build).
    :raises DatabaseKeyError: the key does not open the file (wrong key, or a damaged or plain file).
    """
    if key is None and sqlcipher:
        from sqlcipher3 import dbapi2 as plain_cipher  # type: ignore[import-untyped]
        return plain_cipher.connect(str(path), **kwargs)
    if key is None:
        import sqlite3
        return sqlite3.connect(str(path), **kwargs)
    from sqlcipher3 import dbapi2  # type: ignore[import-untyped]

    conn = dbapi2.connect(str(path), **kwargs)
    conn.execute(pragma_key(key))
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except dbapi2.DatabaseError:
        conn.close()
        raise DatabaseKeyError("无法用这个密钥打开数据库：密钥不对，或文件已损坏（可用备份恢复）") from None
    return conn
