"""Excel ledger import throughput.

Figures measured in this run, each the median of ``--repeats`` runs on a fresh station:

* dry run and import of an N-row 来访咨询台账 (every row: a person, found or created, and a
  consultation through the services, one transaction, a savepoint per row);
* baseline: the same N consultations written by calling the consultation service directly in
  one transaction (no workbook, no header guessing, no savepoints, no fingerprints).
  Ratio = baseline time / import time (1.0 = the ledger layer costs nothing).

Usage: python bench/bench_ledger.py [--rows 2000] [--repeats 3]
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import Workbook  # noqa: E402

from station import Station  # noqa: E402
from station.ledger.importer import import_ledger  # noqa: E402
from station.services import consultations  # noqa: E402

CATEGORIES = ["婚姻家庭", "劳动争议", "邻里纠纷", "继承", "合同纠纷"]


def _rows(n: int) -> list[list[object]]:
    start = dt.date(2025, 1, 1)
    return [[i + 1, (start + dt.timedelta(days=i % 300)).strftime("%Y.%m.%d"), f"来访人{i % 700:03d}",
             f"138{i % 700:08d}", "来访", CATEGORIES[i % 5], f"第{i}号咨询：工资被拖欠怎么办", "可申请劳动仲裁"]
            for i in range(n)]


def _workbook(path: Path, rows: list[list[object]]) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("来访咨询登记")
    ws.append(["序号", "来访日期", "姓名", "联系电话", "来访方式", "咨询类别", "咨询内容", "答复意见"])
    for r in rows:
        ws.append(r)
    wb.save(path)


def _fresh(root: Path, name: str) -> Station:
    st = Station.open(root / name)
    st.reference.setup_station({"code": "340621101", "name": "临涣镇司法所", "abbr": "临"})
    return st


def _baseline(st: Station, rows: list[list[object]]) -> None:
    codes = {c["name"]: c["code"] for c in st.reference.list_codes("consultation_category")}
    with st.write() as s:
        for r in rows:
            consultations.record_consultation(s, {
                "occurred_at": dt.datetime.strptime(str(r[1]), "%Y.%m.%d"), "channel": "visit",
                "category_code": codes[str(r[5])], "question": r[6], "answer": r[7],
                "persons": [{"name": r[2], "phone": r[3]}]})


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    rows = _rows(args.rows)
    times: dict[str, list[float]] = {"dry run": [], "import": [], "baseline": []}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _workbook(root / "ledger.xlsx", rows)
        for i in range(args.repeats):
            st = _fresh(root, f"a{i}")
            t = time.perf_counter()
            report = import_ledger(st, root / "ledger.xlsx", dry_run=True)
            times["dry run"].append(time.perf_counter() - t)
            assert not report.errors, report.errors[:3]
            t = time.perf_counter()
            report = import_ledger(st, root / "ledger.xlsx")
            times["import"].append(time.perf_counter() - t)
            assert report.committed and report.created.get("consultation") == args.rows
            st.close()
            st = _fresh(root, f"b{i}")
            t = time.perf_counter()
            _baseline(st, rows)
            times["baseline"].append(time.perf_counter() - t)
            st.close()
    med = {k: statistics.median(v) for k, v in times.items()}
    for k, v in med.items():
        print(f"{k:9} {args.rows} rows: {v:.2f} s ({args.rows / v:.0f} rows/s)")
    print(f"ratio baseline/import: {med['baseline'] / med['import']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
