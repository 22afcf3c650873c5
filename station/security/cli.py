"""``station account …``, ``station audit verify``, ``station backup`` / ``station restore``."""
from __future__ import annotations

import argparse
import getpass
import json
import os
from pathlib import Path
from typing import Any

from ..codes import STAFF_ROLES
from ..errors import UsageError
from . import permissions as perms


def _password(prompt: str) -> str:
    """New password from STATION_NEW_PASSWORD (scripts, tests) or typed twice."""
    env = os.environ.get("STATION_NEW_PASSWORD")
    if env is not None:
        return env
    first = getpass.getpass(prompt)
    if getpass.getpass("再输入一次：") != first:
        raise UsageError("两次输入的密码不一致")
    return first


def cmd_account(args: argparse.Namespace) -> int:
    from ..cli import _open

    with _open(args) as st:
        if args.action == "create-chief":
            if not args.username or not args.name:
                raise UsageError("需要用户名和 --name 姓名")
            acc = st.accounts.create_chief(args.username, _password("所长账号的密码："), name=args.name)
            print(f"已建立所长账号 {acc['username']}；此后使用命令行须加 --user")
        elif args.action == "add":
            if not args.username or not args.role:
                raise UsageError("需要用户名和至少一个 --role")
            acc = st.accounts.add_account(args.username, _password("新账号的密码："), args.role,
                                          staff_uid=args.staff, name=args.name)
            print(f"已添加账号 {acc['username']}（{'、'.join(STAFF_ROLES[r] for r in acc['roles'])}）")
        elif args.action == "list":
            for a in st.accounts.list_accounts():
                state = "启用" if a["active"] else "停用"
                print(f"{a['username']:16} {'、'.join(STAFF_ROLES.get(r, r) for r in a['roles'])}  {state}"
                      f"  最近登录 {a['last_login_at'] or '-'}")
        elif args.action == "passwd":
            user = args.username or (st.account or {}).get("username")
            if not user:
                raise UsageError("需要用户名")
            old = os.environ.get("STATION_PASSWORD") if st.account and st.account["username"] == user else None
            st.accounts.set_password(user, _password("新密码："), old)
            print(f"已修改 {user} 的密码")
        elif args.action in ("disable", "enable"):
            if not args.username:
                raise UsageError("需要用户名")
            st.accounts.set_active(args.username, args.action == "enable")
            print(f"已{'启用' if args.action == 'enable' else '停用'} {args.username}")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from ..cli import _open
    from .audit import verify

    with _open(args) as st:
        st.require(perms.SIGNED_IN)
        with st.read() as session:
            count, breaks = verify(session)
    if args.json:
        print(json.dumps({"entries": count, "broken": [b.__dict__ for b in breaks]}, ensure_ascii=False))
    elif not breaks:
        print(f"审计日志完整：共 {count} 条，校验通过")
    for b in breaks:
        if not args.json:
            print(f"审计日志被改动：设备 {b.device_id[:8]} 第 {b.seq} 条：{b.reason}")
    return 1 if breaks else 0


def cmd_backup(args: argparse.Namespace) -> int:
    from ..cli import _open
    from .backup import create_backup, scheduled_backup

    with _open(args) as st:
        st.require(perms.DATA)
        if args.keep:
            path = scheduled_backup(st, keep=args.keep)
        else:
            path = create_backup(st, Path(args.output) if args.output else None)
    print(f"已备份到 {path}（{path.stat().st_size // 1024} KB）")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from ..cli import _open
    from .backup import restore

    source = Path(args.file)
    if not source.is_file():
        raise UsageError(f"文件不存在：{source}")
    with _open(args) as st:  # the chief signs in on the current database; then it is closed for the swap
        st.require(perms.DATA)
        st.audit("restore", detail={"file_sha256": _file_hash(source)})
        folder, key = st.data_dir, st.key
    manifest = restore(folder, source, key=key, recovery_code=getattr(args, "recovery_code", None)
                       or os.environ.get("STATION_RECOVERY_CODE"), password=os.environ.get("STATION_DB_PASSWORD"))
    total = sum(v for k, v in manifest["counts"].items() if k not in ("outbox", "audit_log", "search_text"))
    print(f"已从 {source} 恢复（备份时间 {manifest['created_at']}，{total} 行）；原数据库已另存到 backups/")
    return 0


def _file_hash(path: Path) -> str:
    import hashlib

    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def add_security_commands(sub: Any) -> None:
    add_encryption_command(sub)
    s = sub.add_parser("backup", help="备份数据库（应用运行中也可备份）")
    s.add_argument("-o", "--output", help="备份文件（默认 数据目录/backups/station-时间.stbak）")
    s.add_argument("--keep", type=int, help="定时备份：写入 backups/station-auto-*.stbak，只保留最近 N 份")
    s.set_defaults(func=cmd_backup)
    s = sub.add_parser("restore", help="从备份文件恢复（先完整校验，再替换；原数据库另存）")
    s.add_argument("file")
    s.set_defaults(func=cmd_restore)
    s = sub.add_parser("account", help="账号：create-chief（首次）、add、list、passwd、disable、enable")
    s.add_argument("action", choices=("create-chief", "add", "list", "passwd", "disable", "enable"))
    s.add_argument("username", nargs="?")
    s.add_argument("--name", help="姓名（新建工作人员）")
    s.add_argument("--staff", help="已有工作人员的 uid")
    s.add_argument("--role", action="append", choices=list(STAFF_ROLES), help="角色（可重复）")
    s.set_defaults(func=cmd_account)

    s = sub.add_parser("audit", help="审计日志：verify 校验哈希链")
    s.add_argument("action", choices=("verify",))
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_audit)


def cmd_encrypt(args: argparse.Namespace) -> int:
    """Encrypt an existing plain database in place (safety copy, verify, switch)."""
    from .. import paths
    from ..cli import _open
    from . import crypto

    folder = paths.data_dir(args.data_dir)
    if crypto.read_info(folder) is not None:
        print("数据库已经加密")
        return 0
    with _open(args) as st:  # sign in on the plain database first: only the chief may do this
        st.require(perms.SETTINGS)
    args.encrypt = True
    with _open(args):
        pass
    return 0


def add_encryption_command(sub: Any) -> None:
    s = sub.add_parser("encrypt", help="加密现有的未加密数据库（先备份、校验，再替换）")
    s.set_defaults(func=cmd_encrypt)
