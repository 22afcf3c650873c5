"""``station print FORM RECORD -o FILE.pdf`` and ``station print --list``."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def add_print_command(subparsers: Any) -> None:
    """Add the ``print`` subcommand to the main parser's subparsers."""
    s = subparsers.add_parser("print", help="打印表单（生成 PDF）：人民调解协议书、台账等")
    s.add_argument("form", nargs="?", help="表单代码（见 --list），如 agreement")
    s.add_argument("record", nargs="?", help="案件编号、案号、记录 uid；台账为期间，如 2026-10")
    s.add_argument("-o", "--output", help="输出 PDF 文件（- 为标准输出）")
    s.add_argument("--copies", type=int, default=None, help="份数（协议书默认：当事人数加一）")
    s.add_argument("--list", action="store_true", help="列出可打印的表单")
    s.set_defaults(func=cmd_print)


def cmd_print(args: argparse.Namespace) -> int:
    from . import FORMS, render

    if args.list:
        for key, spec in FORMS.items():
            takes = {"case": "案件", "case_session": "案件或记录", "follow_up": "案件或回访记录",
                     "period": "期间"}[spec.takes]
            print(f"{key:14} {spec.title}（{takes}）{('  ' + spec.help) if spec.help else ''}")
        return 0
    if not args.form or not args.record:
        print("station: 参数错误：需要表单代码和记录（或使用 --list）", file=sys.stderr)
        return 2
    if not args.output:
        print("station: 参数错误：需要 -o 输出文件", file=sys.stderr)
        return 2
    from ..cli import _open

    with _open(args) as st:
        pdf = render(st, args.form, args.record, copies=args.copies)
    if args.output == "-":
        sys.stdout.buffer.write(pdf)
        return 0
    target = Path(args.output)
    tmp = target.with_name(target.name + ".part")
    tmp.write_bytes(pdf)
    tmp.replace(target)
    print(f"已生成 {target}（{len(pdf) // 1024} KB）", file=sys.stderr)
    return 0
