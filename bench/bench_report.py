"""Report benchmark: a yearly report over a large database vs the same SQL run raw (sqlite3).

Measured in one run, against a baseline measured in the same run:

* report: ``st.reports.build_report(period)`` (all tables, figures and corrections), median of
  repeats, after one warm-up run (the first run after opening pays for reading pages from disk).
  Report and raw runs alternate, so both see the same load on a shared machine.
* raw: exactly the SQL statements that report run issued (captured from the engine, with their
  bound parameters), executed with the standard ``sqlite3`` module on a fresh connection and
  fetched completely; median of the same number of repeats.
  Ratio = raw / report (1.0 = no overhead over the bare queries). Target: report ≤ 1 s.
* also: ``due(today, limit)`` (reminders, capped and uncapped) and the XLSX export of the report.

Usage::

    python bench/bench_report.py --data-dir COPY_OF_A_DEMO_DB_DIR [--period 2025] [--repeats 5]
    python bench/bench_report.py --records 100000        # generates into a temp dir first

Never point ``--data-dir`` at a database you must not change: opening it migrates it.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event  # noqa: E402

from station import Station  # noqa: E402
from station.reports.xlsx import write_xlsx  # noqa: E402


def _median(fn: Any, repeats: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), times


def _capture(st: Station, period: str) -> list[tuple[str, Any]]:
    seen: list[tuple[str, Any]] = []

    def listen(_conn: Any, _cursor: Any, statement: str, parameters: Any, _ctx: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(st.engine, "before_cursor_execute", listen)
    try:
        st.reports.build_report(period)
    finally:
        event.remove(st.engine, "before_cursor_execute", listen)
    return seen


def _raw(db: Path, statements: list[tuple[str, Any]]) -> None:
    conn = sqlite3.connect(db)
    try:
        for sql, params in statements:
            conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def _counts(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("persons", "consultations", "mediation_cases", "adviser_visits", "follow_ups")}
    finally:
        conn.close()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, help="a station data dir (a COPY: it is migrated)")
    ap.add_argument("--records", type=int, help="generate this many demo records into a temp dir instead")
    ap.add_argument("--period", default=str(dt.date.today().year - 1), help="default: last year")
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    tmp = None
    if args.data_dir is None:
        if not args.records:
            ap.error("give --data-dir or --records")
        tmp = tempfile.TemporaryDirectory()
        args.data_dir = Path(tmp.name)
        from station.demo import generate
        with Station.open(args.data_dir) as st:
            t = time.perf_counter()
            generate(st, args.records)
            print(f"generated {args.records} records in {time.perf_counter() - t:.0f}s")
    t = time.perf_counter()
    st = Station.open(args.data_dir)
    print(f"open (incl. migration if needed) {time.perf_counter() - t:.1f}s")
    counts = _counts(st.db_path)
    print("rows:", ", ".join(f"{k} {v:,}" for k, v in counts.items()), f"(top-level total {sum(counts.values()) - counts['follow_ups']:,})")

    st.reports.build_report(args.period)  # warm-up
    statements = _capture(st, args.period)
    _raw(st.db_path, statements)  # warm-up
    report_all, raw_all = [], []
    for _ in range(args.repeats):  # interleaved, so both see the same load on a shared machine
        report_all.append(_median(lambda: st.reports.build_report(args.period), 1)[0])
        raw_all.append(_median(lambda: _raw(st.db_path, statements), 1)[0])
    report_med, raw_med = statistics.median(report_all), statistics.median(raw_all)
    report = st.reports.build_report(args.period)
    f = report.figures
    print(f"yearly report {args.period}: median {report_med * 1000:.0f} ms "
          f"(runs {', '.join(f'{x * 1000:.0f}' for x in report_all)}) — target ≤ 1000 ms")
    print(f"  same {len(statements)} SELECT statements raw sqlite3: median {raw_med * 1000:.0f} ms "
          f"(runs {', '.join(f'{x * 1000:.0f}' for x in raw_all)}); ratio raw/report {raw_med / report_med:.2f}")
    print(f"  covers: consultations {f.get('consultations.total', 0):,}, cases accepted {f['cases.accepted']:,}, "
          f"outcomes {f['cases.succeeded'] + f['cases.failed'] + f['cases.terminated'] + f['cases.withdrawn']:,}, "
          f"visits {f.get('visits.count', 0):,}; success rate {f['cases.success_rate']}, "
          f"fulfilment rate {f['cases.fulfilment_rate']}")
    conn = sqlite3.connect(st.db_path)
    scans = set()
    for sql, params in statements:
        for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params):
            words = row[3].split()
            if words[0] == "SCAN" and "USING" not in words and "VIRTUAL" not in words:  # json_each is per row
                scans.add(words[1])
    sizes = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in scans}
    conn.close()
    print(f"  full scans (table: rows): {', '.join(f'{t}: {n}' for t, n in sorted(sizes.items())) or 'none'}")
    today = dt.date.today()
    due_med, _ = _median(lambda: st.reports.due(today, 50), args.repeats)
    print(f"due({today}, limit=50 per kind): median {due_med * 1000:.0f} ms, "
          f"{len(st.reports.due(today, 50))} reminders")
    t = time.perf_counter()
    n_due = len(st.reports.due(today))
    print(f"due({today}) uncapped: {(time.perf_counter() - t) * 1000:.0f} ms, {n_due:,} reminders "
          f"(demo data never records follow-ups or referral outcomes)")
    with tempfile.TemporaryDirectory() as d:
        xlsx_med, _ = _median(lambda: write_xlsx(report, Path(d) / "r.xlsx"), 3)
    print(f"xlsx export: median {xlsx_med * 1000:.0f} ms")
    st.close()
    if tmp:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
