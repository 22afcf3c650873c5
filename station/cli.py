"""``station`` command line.

Exit status: 0 success, 2 bad input or usage (message on stderr, nothing
written), 1 any other failure.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any, Callable

from . import __version__, paths
from .errors import (DatabaseKeyError, ImportFailed, NotFound, PermissionDenied, StationError, UsageError,
                     ValidationError)
from .masking import mask_address, mask_id, mask_phone
from .security.audit import audit
from .security.permissions import DATA
from .station import Station

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
LIST_KINDS = ("person", "consultation", "case", "visit", "village", "staff", "committee")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"station: 参数错误：{message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _mask(record: dict[str, Any]) -> dict[str, Any]:
    out = dict(record)
    if out.get("id_number"):
        out["id_number"] = mask_id(out["id_number"])
    if out.get("phone"):
        out["phone"] = mask_phone(out["phone"])
    for key in ("id_rev", "phone_rev"):
        out.pop(key, None)
    if out.get("_kind") == "person" and out.get("address"):
        out["address"] = mask_address(out["address"])
    return out


def _open(args: argparse.Namespace) -> Station:
    """Open the station and, with ``--user``, sign in (password from STATION_PASSWORD or a prompt).

    Until the first account exists the CLI acts as the implicit system actor (first run, scripts
    on a fresh machine); after that every command that touches records needs ``--user``.
    """
    st = Station.open(args.data_dir, encrypt=getattr(args, "encrypt", False),
                      password=os.environ.get("STATION_DB_PASSWORD"),
                      recovery_code=getattr(args, "recovery_code", None) or os.environ.get("STATION_RECOVERY_CODE"))
    if st.recovery_code:
        print(f"数据库已加密。恢复码（请打印并妥善保管，只显示这一次；密钥库丢失时凭它打开数据）：\n"
              f"    {st.recovery_code}")
    user = getattr(args, "user", None) or os.environ.get("STATION_USER")
    if user:
        password = os.environ.get("STATION_PASSWORD")
        if password is None:
            import getpass
            password = getpass.getpass(f"{user} 的密码：")
        try:
            st.sign_in(user, password)
        except BaseException:
            st.close()
            raise
    return st


def cmd_gui(args: argparse.Namespace) -> int:
    try:
        from ui.app import main as gui_main  # noqa: PLC0415 - Qt only when the GUI is asked for
    except ImportError as e:
        print(f"图形界面不可用：{e}（请安装 PySide6，或使用命令行子命令，见 station --help）", file=sys.stderr)
        return EXIT_FAILURE
    return int(gui_main(str(paths.data_dir(args.data_dir))) or 0)


def cmd_init(args: argparse.Namespace) -> int:
    # a new data folder is encrypted unless --plain; an existing plain one is encrypted by `station encrypt`
    args.encrypt = not args.plain and not (paths.data_dir(args.data_dir) / paths.DB_NAME).exists()
    with _open(args) as st:
        if not args.code or not args.name:
            info = st.reference.station_info()
            if info:
                print(f"已设置：{info['name']}（{info['code']}），数据目录 {st.data_dir}")
                return EXIT_OK
            raise UsageError("首次初始化需要 --code 和 --name（司法所编码和名称）")
        saved = st.reference.setup_station({"code": args.code, "name": args.name, "county": args.county or "",
                                            "abbr": args.abbr or "", "device_no": args.device_no})
        print(f"已初始化：{saved.record['name']}（{saved.record['code']}），数据目录 {st.data_dir}")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import generate

    if args.records < 1:
        raise UsageError("--records 应为正整数")
    with _open(args) as st:
        st.require(DATA)

        def progress(done: int, total: int) -> None:
            if not args.quiet:
                print(f"\r已生成 {done}/{total}", end="", file=sys.stderr, flush=True)
        counts = generate(st, args.records, seed=args.seed, progress=progress)
        if not args.quiet:
            print(file=sys.stderr)
        print(json.dumps(counts, ensure_ascii=False))
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    if args.format == "xlsx" or (args.output and args.output.lower().endswith(".xlsx")):
        from .ledger.cli import export_workbook
        with _open(args) as st:
            st.require(DATA)
            rc = export_workbook(st, args)
            st.audit("export", detail={"kinds": sorted(args.kind or []), "format": "xlsx",
                                       "revealed": bool(args.reveal), "to_file": True})
            return rc
    kinds = args.kind or None
    if kinds:
        from .models import SYNCED_MODELS
        bad = [k for k in kinds if k not in SYNCED_MODELS]
        if bad:
            raise UsageError(f"未知的记录类型：{', '.join(bad)}（可选：{', '.join(SYNCED_MODELS)}）")
    with _open(args) as st:
        st.require(DATA)
        n = _export(args, st, kinds)
        st.audit("export", detail={"kinds": sorted(kinds or []), "records": n, "to_file": bool(
            args.output and args.output != "-")})
    return EXIT_OK


def _export(args: argparse.Namespace, st: Station, kinds: list[str] | None) -> int:
    from .transfer import export_to

    with st.read() as session:
        if args.output and args.output != "-":
            target = Path(args.output)
            tmp = target.with_name(target.name + ".part")
            with open(tmp, "w", encoding="utf-8", newline="\n") as f:
                n = export_to(session, f, kinds)
            tmp.replace(target)
            print(f"已导出 {n} 条记录到 {target}", file=sys.stderr)
            return n
        return export_to(session, sys.stdout, kinds)


def cmd_import(args: argparse.Namespace) -> int:
    from .transfer import import_file

    path = Path(args.file)
    if not path.is_file():
        raise UsageError(f"文件不存在：{path}")
    from .ledger.cli import is_workbook
    if is_workbook(path):
        from .ledger.cli import import_workbook
        with _open(args) as st:
            st.require(DATA)
            return import_workbook(st, args)
    if args.sheet or args.kind or args.map or args.value or args.dry_run or args.mediator:
        raise UsageError("--sheet/--kind/--map/--value/--dry-run/--mediator 只用于 Excel 台账（.xlsx）")
    with _open(args) as st:
        st.require(DATA)
        with st.write() as session:
            counts = import_file(session, path)
            audit(session, "import", detail={k: v for k, v in counts.items() if isinstance(v, int)})
    print(json.dumps(counts, ensure_ascii=False))
    return EXIT_OK


def _row(record: dict[str, Any]) -> str:
    kind = record["_kind"]
    r = _mask(record)
    if kind == "person":
        return f"{r['uid'][:8]}  {r['name']}  {r['gender']}  {r['id_number']}  {r['phone']}"
    if kind == "consultation":
        return f"{r['number']}  {r['occurred_at'][:16]}  {r['category_code']}  {r['question'][:30]}"
    if kind == "case":
        return f"{r['number']}  {r.get('display_number') or '-'}  {r['status']}  {r['title']}"
    if kind == "visit":
        return f"{r['number']}  {r['visit_date']}  {r['hours']}小时  {r['content'][:30]}"
    return f"{r['uid'][:8]}  {r.get('name', '')}"


def cmd_list(args: argparse.Namespace) -> int:
    with _open(args) as st:
        if args.kind in ("village", "staff", "committee"):
            rows = st.reference.list_reference(args.kind)
        else:
            rows = st.records.list_records(args.kind, limit=args.limit, offset=args.offset)
        if args.reveal and args.json:
            st.audit("reveal", kind=args.kind, detail={"records": len(rows), "via": "cli-list"})
        for r in rows:
            print(json.dumps(r if args.reveal else _mask(r), ensure_ascii=False) if args.json else _row(r))
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    with _open(args) as st:
        record = st.records.get_record(args.id)
        kind = record["_kind"]
        if kind == "case":
            record = st.mediation.get_case(record["uid"])
        elif kind == "consultation":
            record = st.consultations.get_consultation(record["uid"])
        if not args.reveal:
            record = _deep_mask(record)
        else:
            st.audit("reveal", kind=kind, uid=record["uid"], version=record.get("version"), detail={"via": "cli-show"})
        print(json.dumps(record, ensure_ascii=False, indent=2))
    return EXIT_OK


def _deep_mask(value: Any) -> Any:
    if isinstance(value, dict):
        masked = _mask(value) if value.get("_kind") == "person" else value
        return {k: _deep_mask(v) for k, v in masked.items()}
    if isinstance(value, list):
        return [_deep_mask(v) for v in value]
    return value


def cmd_search(args: argparse.Namespace) -> int:
    with _open(args) as st:
        hits = st.search(args.text, limit=args.limit)
        for h in hits:
            print(f"{h.kind:12} {h.uid[:8]}  {h.title}  {h.detail}  [{h.why}]")
        if not hits:
            print("没有找到", file=sys.stderr)
    return EXIT_OK


def cmd_about(args: argparse.Namespace) -> int:
    from .about import about_text
    print(about_text())
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="station", description="司法所 Station：来访咨询、人民调解、村居法律顾问")
    p.add_argument("--version", action="version", version=f"station {__version__}")
    p.add_argument("--data-dir", help="数据目录（默认：用户数据目录，或环境变量 STATION_DATA_DIR）")
    p.add_argument("--user", help="以此账号登录（密码取自环境变量 STATION_PASSWORD，否则提示输入）；"
                                  "建立第一个账号后必须登录")
    p.add_argument("--recovery-code", help="恢复码：本机密钥库中没有数据库密钥时用它打开（也可用环境变量 STATION_RECOVERY_CODE）")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    s = sub.add_parser("gui", help="打开图形界面（默认）")
    s.set_defaults(func=cmd_gui)

    s = sub.add_parser("about", help="版本与随附字体、开源软件的许可证")
    s.set_defaults(func=cmd_about)

    s = sub.add_parser("init", help="初始化数据目录和本所信息")
    s.add_argument("--code", help="司法所编码，如 340621101")
    s.add_argument("--name", help="司法所名称，如 临涣镇司法所")
    s.add_argument("--county", help="所属县（区）")
    s.add_argument("--abbr", help="案号中的简称，如 临")
    s.add_argument("--device-no", type=int, default=None, help="本机在本所的设备编号（1–99）")
    s.add_argument("--plain", action="store_true", help="不加密数据库（仅用于测试和演示）；默认加密，密钥存于系统密钥库，"
                   "无密钥库时用环境变量 STATION_DB_PASSWORD 设置数据库密码")
    s.set_defaults(func=cmd_init)

    s = sub.add_parser("demo", help="生成演示数据")
    s.add_argument("--records", type=int, default=1000, help="生成的记录数")
    s.add_argument("--seed", type=int, default=2026)
    s.add_argument("--quiet", action="store_true")
    s.set_defaults(func=cmd_demo)

    s = sub.add_parser("import", help="导入 JSON Lines 文件或 Excel 台账（整体成功或整体不写入）")
    s.add_argument("file")
    from .ledger.cli import add_import_options
    add_import_options(s)
    s.set_defaults(func=cmd_import)

    s = sub.add_parser("export", help="导出为 JSON Lines，或把一类记录导出为 Excel")
    s.add_argument("--kind", action="append", help="只导出某类记录（可重复；Excel 只能一类）")
    s.add_argument("-o", "--output", help="输出文件（默认标准输出）")
    s.add_argument("--format", choices=("jsonl", "xlsx"), default="jsonl", help="jsonl（默认）或 xlsx")
    s.add_argument("--reveal", action="store_true", help="Excel 中显示完整的证件号码、电话和住址")
    s.set_defaults(func=cmd_export)

    s = sub.add_parser("list", help="列出记录")
    s.add_argument("kind", choices=LIST_KINDS)
    s.add_argument("--limit", type=int, default=50)
    s.add_argument("--offset", type=int, default=0)
    s.add_argument("--json", action="store_true", help="每行输出一条 JSON")
    s.add_argument("--reveal", action="store_true", help="显示完整的证件号码和电话")
    s.set_defaults(func=cmd_list)

    s = sub.add_parser("show", help="显示一条记录（uid、编号或案号）")
    s.add_argument("id")
    s.add_argument("--reveal", action="store_true", help="显示完整的证件号码和电话")
    s.set_defaults(func=cmd_show)

    s = sub.add_parser("search", help="按姓名、拼音首字母、证件号、电话、编号或全文查找")
    s.add_argument("text")
    s.add_argument("--limit", type=int, default=20)
    s.set_defaults(func=cmd_search)

    for hook in _EXTENSIONS:
        hook(sub)
    return p


#: subcommand providers from other parts of the core (printing, sync), added when present
_EXTENSIONS: list[Callable[[Any], None]] = []


def _load_extensions() -> None:
    _EXTENSIONS.clear()  # main() may run more than once in a process (tests): never add a subcommand twice
    for module, attr in (("station.printing.cli", "add_print_command"), ("station.sync.cli", "add_sync_commands"),
                         ("station.reports.cli", "add_report_commands"),
                         ("station.security.cli", "add_security_commands")):
        try:
            mod = __import__(module, fromlist=[attr])
        except ImportError as e:  # a broken install: say so instead of silently losing the commands
            print(f"station: 部分命令不可用（{module}：{e}）", file=sys.stderr)
            continue
        _EXTENSIONS.append(getattr(mod, attr))


def main(argv: list[str] | None = None) -> int:
    _load_extensions()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        args.func = cmd_gui
    try:
        return int(args.func(args) or 0)
    except (UsageError, ValidationError, ImportFailed, NotFound) as e:
        print(f"station: {e}", file=sys.stderr)
        return EXIT_USAGE
    except DatabaseKeyError as e:
        print(f"station: {e}（命令行：数据库密码用环境变量 STATION_DB_PASSWORD，恢复码用 --recovery-code；"
              f"不加密的测试数据目录用 init --plain）", file=sys.stderr)
        return EXIT_FAILURE
    except PermissionDenied as e:
        hint = "（用 --user 用户名 登录，密码取自环境变量 STATION_PASSWORD 或提示输入）" if "请先登录" in str(e) else ""
        print(f"station: {e}{hint}", file=sys.stderr)
        return EXIT_FAILURE
    except StationError as e:
        print(f"station: {e}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return EXIT_FAILURE
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    # Run the canonical module, not a second copy named __main__, so that error classes raised
    # by extension modules (which import station.cli) are the ones main() catches.
    from station.cli import main as _main

    sys.exit(_main())
