"""``station import ledger.xlsx`` and ``station export --format xlsx``: the command-line side."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import UsageError
from ..station import Station

XLSX_SUFFIXES = (".xlsx", ".xlsm")


def is_workbook(path: str | Path) -> bool:
    return Path(path).suffix.lower() in XLSX_SUFFIXES


def parse_maps(items: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or []:
        if "=" not in item:
            raise UsageError(f"--map 应写作 列=字段（如 D=applicant.id_number），而不是“{item}”")
        col, field = item.split("=", 1)
        out[col.strip()] = field.strip()
    return out


def parse_values(items: list[str] | None) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for item in items or []:
        field, sep, rest = item.partition(":")
        raw, eq, target = rest.partition("=")
        if not (sep and eq and field.strip() and raw.strip()):
            raise UsageError(f"--value 应写作 字段:原值=新值（如 outcome:好了=调解成功），而不是“{item}”")
        out.setdefault(field.strip(), {})[raw.strip()] = target.strip()
    return out


def import_workbook(st: Station, args: argparse.Namespace) -> int:
    from .importer import import_ledger

    report = import_ledger(st, args.file, sheet=args.sheet, kind=args.kind, overrides=parse_maps(args.map),
                           dry_run=args.dry_run, default_mediator=args.mediator,
                           value_maps=parse_values(args.value))
    if getattr(args, "json", False):
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        _print_report(report)
    return 2 if report.errors else 0


def _print_report(report: "ImportReport") -> None:  # type: ignore[name-defined]  # noqa: F821
    from .fields import KINDS

    for s in report.sheets:
        rows = "、".join(str(r) for r in s["header_rows"])
        print(f"工作表“{s['sheet']}”：{KINDS[s['kind']]}，表头在第{rows}行，{s['rows']}行数据")
        for c in s["columns"]:
            print(f"  {c['column']}列 {c['header']} → {c['field_label'] or '（不导入）'}")
    for p in report.problems:
        print(str(p), file=sys.stderr if p.level == "error" else sys.stdout)
    created = "，".join(f"{_LABELS.get(k, k)} {n}" for k, n in report.created.items()) or "无"
    if report.errors:
        print(f"有 {len(report.errors)} 处错误，未写入任何数据。请修改台账或用 --map 调整后重试。", file=sys.stderr)
    elif report.dry_run:
        print(f"试导入通过（未写入）：将新建 {created}；沿用已有当事人 {report.reused_persons}；"
              f"已导入过而跳过 {report.skipped} 行")
    else:
        print(f"已导入：新建 {created}；沿用已有当事人 {report.reused_persons}；已导入过而跳过 {report.skipped} 行")


_LABELS = {"case": "调解案件", "consultation": "咨询", "visit": "顾问工作记录", "person": "当事人",
           "staff": "工作人员", "village": "村(居)"}


def add_import_options(s: argparse.ArgumentParser) -> None:
    g = s.add_argument_group("Excel 台账（.xlsx）")
    g.add_argument("--sheet", help="只导入这个工作表（默认：所有能识别表头的工作表）")
    g.add_argument("--kind", choices=("case", "consultation", "visit"),
                   help="台账类型：case 人民调解、consultation 来访咨询、visit 法律顾问（默认按表头判断）")
    g.add_argument("--map", action="append", metavar="列=字段",
                   help="指定列对应的字段，列可写字母或表头，如 E=applicant.id_number；字段写 - 表示不导入")
    g.add_argument("--value", action="append", metavar="字段:原值=新值",
                   help="台账中的写法对应到系统的值，如 outcome:好了=调解成功、dispute_type:宅基地=03")
    g.add_argument("--dry-run", action="store_true", help="只检查，列出每一处问题，不写入")
    g.add_argument("--mediator", help="台账没有调解员一列时，受理的案件记在这位调解员名下")
    g.add_argument("--json", action="store_true", help="以 JSON 输出结果")


def export_workbook(st: Station, args: argparse.Namespace) -> int:
    from .export import EXPORT_KINDS, export_kind

    kinds = args.kind or []
    if len(kinds) != 1 or kinds[0] not in EXPORT_KINDS:
        raise UsageError(f"导出 Excel 需要且只能指定一个 --kind（可选：{', '.join(EXPORT_KINDS)}）")
    if not args.output or args.output == "-":
        raise UsageError("导出 Excel 需要 -o 文件名.xlsx")
    n = export_kind(st, kinds[0], Path(args.output), reveal=args.reveal)
    print(f"已导出 {n} 条记录到 {args.output}", file=sys.stderr)
    return 0
