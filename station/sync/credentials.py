"""Where the device token lives: the OS keyring, or a file the user chose explicitly.

A token never goes into the station database (which is copied into backups).
On a machine without a keyring backend we say so and require ``--token-file``
rather than silently writing the token somewhere in plain text.
"""
from __future__ import annotations

import os
from pathlib import Path

from .errors import SyncError

SERVICE = "station-sync"


def _account(device_id: str, hub_url: str) -> str:
    return f"{device_id}@{hub_url.rstrip('/')}"


def keyring_usable() -> bool:
    try:
        import keyring
        from keyring.backends import fail

        return not isinstance(keyring.get_keyring(), fail.Keyring)
    except Exception:  # noqa: BLE001 - any import/backend failure means "no keyring"
        return False


def store_token(token: str, *, device_id: str, hub_url: str, token_file: Path | None) -> None:
    if token_file is not None:
        token_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(token + "\n")
        return
    if not keyring_usable():
        raise SyncError("本机没有可用的系统密钥环（keyring），无法安全保存设备令牌。"
                        "如确需继续，请加 --token-file 文件路径：令牌将以明文保存在该文件中（仅当前用户可读）",
                        code="no_keyring", retryable=False)
    import keyring

    try:
        keyring.set_password(SERVICE, _account(device_id, hub_url), token)
    except Exception as e:  # noqa: BLE001
        raise SyncError(f"无法写入系统密钥环：{type(e).__name__}；可改用 --token-file", code="no_keyring",
                        retryable=False) from None


def load_token(*, device_id: str, hub_url: str, token_file: str | None) -> str | None:
    if token_file:
        try:
            return Path(token_file).read_text(encoding="utf-8").strip() or None
        except OSError:
            return None
    if not keyring_usable():
        return None
    import keyring

    try:
        return keyring.get_password(SERVICE, _account(device_id, hub_url))
    except Exception:  # noqa: BLE001
        return None
