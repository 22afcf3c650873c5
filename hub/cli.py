"""``station-hub`` command line: serve, register/list/revoke devices, stats, reference data."""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

from . import service
from .db import database_url, make_engine
from .service import HubError


def _engine(args: argparse.Namespace) -> Any:
    return make_engine(database_url(args.db))


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .app import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    url = database_url(args.db)
    app = create_app(url)
    from sqlalchemy.engine import make_url
    logging.getLogger("station_hub").info("serving on http://%s:%d, database %s", args.host, args.port,
                                          make_url(url).render_as_string(hide_password=True))
    # keep-alive longer than a device's local work between two requests of one sync
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False, timeout_keep_alive=75)
    return 0


def cmd_register(args: argparse.Namespace) -> int:
    out = service.register_device(_engine(args), args.station, name=args.name, county=args.county or "",
                                  abbr=args.abbr or "", label=args.label or "", device_no=args.device_no)
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        print(f"已登记：司法所 {out['station']}，设备编号 {out['device_no']}")
        print(f"设备令牌（只显示这一次，请妥善交给该设备）：{out['token']}")
    return 0


def cmd_devices(args: argparse.Namespace) -> int:
    for d in service.list_devices(_engine(args), args.station):
        state = f"已吊销 {d['revoked_at']:%Y-%m-%d}" if d["revoked_at"] else "有效"
        print(f"{d['station']}\t{d['device_no']}\t{d['label']}\t{d['token_hash']}…\t{state}")
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    if service.revoke_device(_engine(args), args.station, args.device_no):
        print(f"已吊销：{args.station} 设备 {args.device_no}")
        return 0
    print(f"没有找到有效的设备：{args.station} 设备 {args.device_no}", file=sys.stderr)
    return 1


def cmd_stats(args: argparse.Namespace) -> int:
    rows = service.stats(_engine(args), args.station)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    for r in rows:
        print(f"{r['station']} {r['name']}  设备 {r['devices']}  未解决冲突 {r['open_conflicts']}  "
              f"最近成功同步 {r['last_sync_at'] or '从未'}")
        for kind, n in sorted(r["counts"].items()):
            print(f"    {kind:20s} {n}")
    return 0


def cmd_reference(args: argparse.Namespace) -> int:
    text = Path(args.file).read_text(encoding="utf-8")
    records = [json.loads(line) for line in text.splitlines() if line.strip()]
    n = service.put_reference(_engine(args), records, args.station)
    print(f"已写入 {n} 条参考数据（将在各设备下次同步时下发）")
    return 0


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    import getpass
    first = getpass.getpass("密码：")
    if getpass.getpass("再次输入密码：") != first:
        raise HubError(400, "password_mismatch", "两次输入的密码不一致")
    return first


def cmd_user(args: argparse.Namespace) -> int:
    """County accounts for the web page (/county)."""
    from . import accounts

    eng = _engine(args)
    if args.action == "list":
        for u in accounts.list_users(eng):
            state = f"已停用 {u['disabled_at']:%Y-%m-%d}" if u["disabled_at"] else "有效"
            last = f"{u['last_login_at']:%Y-%m-%d %H:%M}" if u["last_login_at"] else "从未登录"
            print(f"{u['username']}\t{state}\t最近登录(UTC) {last}")
        return 0
    if not args.name:
        raise HubError(400, "name_required", f"user {args.action} 需要用户名")
    if args.action == "add":
        accounts.add_user(eng, args.name, _read_password(args))
        print(f"已创建县级账号：{args.name}")
        return 0
    if args.action == "passwd":
        done = accounts.set_password(eng, args.name, _read_password(args))
    else:
        done = accounts.set_disabled(eng, args.name, args.action == "disable")
    if not done:
        print(f"没有这个账号：{args.name}", file=sys.stderr)
        return 1
    print({"passwd": "已修改密码（该账号的登录已全部退出）", "disable": "已停用（该账号的登录已全部退出）",
           "enable": "已启用"}[args.action] + f"：{args.name}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="station-hub", description="县级同步平台")
    p.add_argument("--db", help="数据库 URL（默认 sqlite:///station-hub.db，或环境变量 STATION_HUB_DB）；"
                                "PostgreSQL: postgresql://user@host:port/db")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="运行同步服务")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8750)
    s.set_defaults(func=cmd_serve)
    s = sub.add_parser("register", help="登记设备并签发令牌")
    s.add_argument("station", metavar="STATION_CODE")
    s.add_argument("--name", help="司法所名称（首次登记该所时必填）")
    s.add_argument("--county")
    s.add_argument("--abbr", help="案号简称")
    s.add_argument("--label", help="设备说明，如 “前台电脑”")
    s.add_argument("--device-no", type=int, help="指定设备编号（默认自动分配）")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_register)
    s = sub.add_parser("devices", help="列出设备令牌")
    s.add_argument("--station")
    s.set_defaults(func=cmd_devices)
    s = sub.add_parser("revoke", help="吊销设备令牌")
    s.add_argument("station", metavar="STATION_CODE")
    s.add_argument("device_no", type=int)
    s.set_defaults(func=cmd_revoke)
    s = sub.add_parser("stats", help="各所各类记录数和最近成功同步时间")
    s.add_argument("--station")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_stats)
    s = sub.add_parser("reference", help="载入参考数据（JSON Lines：字典条目、村(居)、工作人员、调委会）")
    s.add_argument("file")
    s.add_argument("--station", help="村(居)、工作人员、调委会所属司法所")
    s.set_defaults(func=cmd_reference)
    s = sub.add_parser("user", help="县级账号（登录 /county 统计页面）：add、list、disable、enable、passwd")
    s.add_argument("action", choices=["add", "list", "disable", "enable", "passwd"])
    s.add_argument("name", nargs="?", metavar="NAME")
    s.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（一行），不提示")
    s.set_defaults(func=cmd_user)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except HubError as e:
        print(f"station-hub: {e.message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
