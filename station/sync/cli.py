"""``station login`` / ``station sync`` / ``station conflicts``: wired into :mod:`station.cli` by one call."""
from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from typing import Any

from ..masking import mask_address, mask_id, mask_name, mask_phone

#: fields whose values are personal data: masked unless --reveal
_MASKS = {"id_number": mask_id, "phone": mask_phone, "address": mask_address, "name": mask_name,
          "representative": mask_name}


def _open(args: argparse.Namespace) -> Any:
    from ..cli import _open as open_station  # key, --user sign-in
    return open_station(args)


def cmd_login(args: argparse.Namespace) -> int:
    from .credentials import keyring_usable
    from .run import login

    token = os.environ.get("STATION_HUB_TOKEN") or (sys.stdin.readline().strip() if args.token_stdin else None)
    if not token:
        token = getpass.getpass("设备令牌（由县级管理员用 station-hub register 签发）：").strip()
    if not args.token_file and not keyring_usable():
        print("station: 本机没有可用的系统密钥环（keyring），无法安全保存设备令牌。\n"
              "         如确需继续，请加 --token-file 文件路径：令牌将以明文保存在该文件中（仅当前用户可读）。",
              file=sys.stderr)
        return 1
    with _open(args) as st:
        out = login(st, args.hub, token, token_file=args.token_file)
    where = f"文件 {args.token_file}" if args.token_file else "系统密钥环"
    print(f"已登录县级平台 {args.hub}：司法所 {out['station']}，本机设备编号 {out['device_no']}（令牌保存在{where}）")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    from .run import run_sync

    def progress(phase: str, done: int, total: int) -> None:
        if not args.quiet and not args.json:
            names = {"upload": "上传", "download": "下载", "verify": "核对"}
            print(f"\r{names.get(phase, phase)} {done}/{total}    ", end="", file=sys.stderr, flush=True)

    with _open(args) as st:
        res = run_sync(st, progress=progress)
    if not args.quiet and not args.json:
        print(file=sys.stderr)
    if args.json:
        print(json.dumps(res.to_dict(), ensure_ascii=False))
    else:
        print(("同步完成：" if res.ok else "同步未完成：") + res.summary())
        if res.open_conflicts:
            print("有冲突待处理：station conflicts 查看，station conflicts --resolve 编号 --take mine|theirs 处理")
    return 0 if res.ok else 1


def _masked(value: Any, field: str, kind: str, reveal: bool) -> Any:
    if reveal or not value or not isinstance(value, str):
        return value
    if field in ("name", "representative") and kind != "person":
        return value  # names of villages, committees… are not personal data
    fn = _MASKS.get(field)
    return fn(value) if fn else value


def cmd_conflicts(args: argparse.Namespace) -> int:
    from .conflicts import list_conflicts, resolve_conflict

    with _open(args) as st:
        if args.resolve is not None:
            if not args.take:
                print("station: 请用 --take mine 或 --take theirs 指定保留哪一版", file=sys.stderr)
                return 2
            resolve_conflict(st, args.resolve, args.take)
            print(f"冲突 {args.resolve} 已处理（保留{'本机' if args.take == 'mine' else '平台'}版本），下次同步时生效")
            return 0
        rows = list_conflicts(st)
        if not rows:
            print("没有待处理的同步冲突")
        for c in rows:
            print(f"[{c['id']}] {c['label']} {c['uid']}  本机第{c['mine_version']}版 / 平台第{c['theirs_version']}版")
            for f in c["fields"]:
                mine = _masked(c["mine"].get(f), f, c["kind"], args.reveal)
                theirs = _masked(c["theirs"].get(f), f, c["kind"], args.reveal)
                print(f"    {f}: 本机 {mine!r}  平台 {theirs!r}")
    return 0


def add_sync_commands(sub: Any) -> None:
    """Add ``login``, ``sync`` and ``conflicts`` to the ``station`` subcommands."""
    s = sub.add_parser("login", help="登录县级同步平台（保存设备令牌）")
    s.add_argument("--hub", required=True, help="县级平台地址，如 http://10.0.0.5:8750")
    s.add_argument("--token-file", help="把令牌明文保存在此文件（仅在本机没有系统密钥环时使用）")
    s.add_argument("--token-stdin", action="store_true", help="从标准输入读取令牌")
    s.set_defaults(func=cmd_login)
    s = sub.add_parser("sync", help="与县级平台同步一次")
    s.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    s.add_argument("--quiet", action="store_true")
    s.set_defaults(func=cmd_sync)
    s = sub.add_parser("conflicts", help="查看或处理同步冲突")
    s.add_argument("--resolve", type=int, metavar="编号")
    s.add_argument("--take", choices=["mine", "theirs"])
    s.add_argument("--reveal", action="store_true", help="显示完整的姓名、证件号码、电话和地址")
    s.set_defaults(func=cmd_conflicts)
