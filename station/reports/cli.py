"""``station report`` and ``station due`` (loaded by :func:`station.cli._load_extensions`)."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from ..errors import ValidationError

FORMATS = ("text", "json", "xlsx", "pdf")
#: formats written to a file only (binary)
FILE_FORMATS = ("xlsx", "pdf")


def _usage(field: str, label: str, message: str) -> ValidationError:
    """Bad arguments: a ValidationError naming the option, so the CLI exits 2 with its message."""
    return ValidationError.single(field, label, message)


def _today(text: str | None) -> dt.date:
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _usage("today", "日期", f"格式不正确：“{text}”（应为 2026-11-23）") from None


def _write_text(path: str | None, content: str) -> None:
    if not path or path == "-":
        sys.stdout.write(content)
        return
    target = Path(path)
    tmp = target.with_name(target.name + ".part")
    tmp.write_text(content, encoding="utf-8")
    tmp.replace(target)
    print(f"已写入 {target}", file=sys.stderr)


def cmd_report(args: argparse.Namespace) -> int:
    from ..cli import _open
    from ..periods import parse_period, parse_scope
    from .text import render
    from .xlsx import write_xlsx

    if not args.period:
        raise _usage("period", "统计期间", "请用 --period 指定，如 2026-10、2026-Q4、2026")
    period, scope = parse_period(args.period), parse_scope(args.scope)
    if args.action == "close":
        with _open(args) as st:
            saved = st.reports.close_period(period, scope, today=_today(args.today))
        print(f"已报送：{period.label}（{scope.key}），报送时间 {saved.record['closed_at']}（UTC），"
              f"下次同步时上传")
        for w in saved.warnings:
            print(f"提示：{w}", file=sys.stderr)
        return 0
    if args.format in FILE_FORMATS and (not args.output or args.output == "-"):
        raise _usage("output", "输出文件", f"导出 {args.format} 需要用 -o 指定文件")
    with _open(args) as st:
        report = st.reports.build_report(period, scope, args.compare)
    if args.format == "xlsx":
        path = write_xlsx(report, args.output)
        print(f"已导出 {path}", file=sys.stderr)
    elif args.format == "pdf":
        from .pdf import write_pdf
        path = write_pdf(report, args.output)
        print(f"已导出 {path}（{path.stat().st_size // 1024} KB）", file=sys.stderr)
    elif args.format == "json":
        _write_text(args.output, json.dumps(report.to_dict(), ensure_ascii=False, indent=1) + "\n")
    else:
        _write_text(args.output, render(report))
    return 0


def cmd_due(args: argparse.Namespace) -> int:
    from ..cli import _open
    from .reminders import SEVERITIES

    today = _today(args.today)
    with _open(args) as st:
        found = st.reports.due(today, args.limit)
    for r in found:
        if args.json:
            print(json.dumps(r.to_dict(), ensure_ascii=False))
        else:
            print(f"[{SEVERITIES[r.severity]}] {r.due.isoformat()}  {r.message}")
    if not found and not args.json:
        print(f"截至{today.isoformat()}没有待办提醒", file=sys.stderr)
    return 0


def add_report_commands(sub: Any) -> None:
    s = sub.add_parser("report", help="统计报表（按月、季、年或自定义期间），以及报送（结账）")
    s.add_argument("action", nargs="?", choices=("show", "close"), default="show",
                   help="show：生成报表（默认）；close：报送本期，快照随下次同步上传")
    s.add_argument("--period", help="统计期间：2026-10、2026-Q4、2026-H1、2026 或 2026-10-01..2026-10-15")
    s.add_argument("--scope", default="station",
                   help="统计范围：station（默认）、committee:UID、adviser:UID、village:UID")
    s.add_argument("--format", choices=FORMATS, default="text")
    s.add_argument("--compare", action="store_true", help="主要指标与上期（上月、上季度、上年）比较")
    s.add_argument("-o", "--output", help="输出文件（xlsx、pdf 必填；其他格式默认标准输出）")
    s.add_argument("--today", help="报送时的今天（默认系统日期；只能报送已结束的期间）")
    s.set_defaults(func=cmd_report)

    s = sub.add_parser("due", help="待办提醒：回访、履行期限、司法确认期限、调解期限、转介结果、顾问时长")
    s.add_argument("--today", help="按这一天计算（默认今天），如 2026-11-23")
    s.add_argument("--limit", type=int, default=None, help="每类最多显示几条（最早到期的优先）")
    s.add_argument("--json", action="store_true", help="每行输出一条 JSON")
    s.set_defaults(func=cmd_due)
