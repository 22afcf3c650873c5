"""GUI start-up and list speed against a bare PySide6 window, measured in the same run.

* start: process start → first paint of the main window, for ``station gui`` on a
  database of N records vs a bare ``QMainWindow`` (both in fresh subprocesses,
  alternated, median of repeats). Target: ratio ≤ 1.3.
* lists at N: time to open the consultation ledger (count + first page), time per
  scrolled page (fetchMore), a jump to the last rows, and the longest stall of the
  GUI event loop while all that happens (a 5 ms timer measures it).

Both children start as an installed app does: the project's bytecode is compiled first (pip and
PyInstaller ship .pyc files; PYTHONDONTWRITEBYTECODE, set on some CI machines, would otherwise make
every start re-compile ~30 ms of source), and with ``python -S`` plus an explicit sys.path, so the
venv's ``.pth`` hooks (the editable-install finder costs ~20 ms) do not pad both sides alike.

Usage: python bench/bench_gui_start.py [--records 100000] [--repeat 7] [--data DIR]
(runs with QT_QPA_PLATFORM=offscreen unless a platform is set).
"""
from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Child programs print CLOCK_MONOTONIC at the first paint of their main window; the
# parent takes the same clock just before starting the process.
_PAINT_PROBE = """
from PySide6.QtCore import QObject, QEvent
class _FirstPaint(QObject):
    def eventFilter(self, obj, ev):
        if ev.type() == QEvent.Type.Paint:
            import time, os
            print("PAINT", time.monotonic(), time.process_time(), flush=True)
            os._exit(0)
        return False
"""

BARE = _PAINT_PROBE + """
import sys
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
w = QMainWindow(); w.resize(1280, 800)
probe = _FirstPaint(); w.installEventFilter(probe)
w.show()
app.exec()
"""

STATION = _PAINT_PROBE + """
import sys
from ui.app import StationApp
gui = StationApp(sys.argv[1])
probe = _FirstPaint(); gui.window.installEventFilter(probe)
gui.window.show()
gui.app.exec()
"""


def compile_project() -> None:
    """Write the .pyc files an installed copy has (compileall writes them whatever the environment says)."""
    for package in ("station", "ui"):
        compileall.compile_dir(str(ROOT / package), quiet=1)


def child_prologue() -> str:
    """sys.path for a ``python -S`` child: the project and site-packages, without running any .pth file."""
    paths = dict.fromkeys([str(ROOT), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    return f"import sys; sys.path[:0] = {list(paths)!r}\n"


def start_time(program: str, *args: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child) from process start to its first paint. CPU time
    is the steadier figure on a shared machine: other processes stretch the wall clock only."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONDONTWRITEBYTECODE")}
    t0 = time.monotonic()
    out = subprocess.run([sys.executable, "-S", "-c", child_prologue() + program, *args], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    line = next((x for x in out.stdout.splitlines() if x.startswith("PAINT")), None)
    if line is None:
        raise RuntimeError(out.stderr[-2000:])
    _tag, wall, cpu = line.split()
    return float(wall) - t0, float(cpu)


def ensure_data(folder: Path, records: int) -> None:
    from station import Station, demo
    with Station.open(folder) as st:
        have = sum(st.records.count_records(k) for k in ("person", "consultation", "case", "visit"))
        if have < records * 0.95:
            t = time.perf_counter()
            demo.generate(st, records - have)
            print(f"generated {records - have:,} records in {time.perf_counter() - t:.0f} s")


def list_times(folder: Path) -> dict[str, float]:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from ui.app import StationApp
    from ui.qtcompat import process_events
    gui = StationApp(folder)
    app = QApplication.instance()
    assert app is not None
    gui.window.show()
    stall = {"max": 0.0, "last": time.perf_counter()}

    def tick() -> None:
        now = time.perf_counter()
        stall["max"] = max(stall["max"], now - stall["last"])
        stall["last"] = now

    def wait(cond: object, timeout: float = 60) -> None:
        end = time.perf_counter() + timeout
        while not cond() and time.perf_counter() < end:  # type: ignore[operator]
            process_events()
            time.sleep(0.001)

    wait(lambda: gui.worker.pending == 0 and gui.window.ref)
    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(5)
    page = gui.window.page("ConsultationPage")
    model, table = page.model, page.table  # type: ignore[attr-defined]
    gui.window.show_page(1)
    stall["max"], stall["last"] = 0.0, time.perf_counter()
    t = time.perf_counter()
    model.reload()
    wait(lambda: model.rowCount() > 0)
    open_ms = (time.perf_counter() - t) * 1000
    total = model.total
    pages, t = 0, time.perf_counter()
    while pages < 25 and model.canFetchMore():
        before = model.rowCount()
        table.scrollToBottom()
        wait(lambda: model.rowCount() > before)
        pages += 1
    page_ms = (time.perf_counter() - t) * 1000 / max(pages, 1)
    t = time.perf_counter()  # sort by number descending: the database sorts, the list reloads
    model.sort(0)
    wait(lambda: model.rowCount() > 0)
    sort_ms = (time.perf_counter() - t) * 1000
    t = time.perf_counter()  # the last page of the whole ledger (largest OFFSET)
    last = []
    gui.worker.run(lambda st: st.records.list_records("consultation", limit=200, offset=max(total - 200, 0)),
                   last.append)
    wait(lambda: bool(last))
    last_ms = (time.perf_counter() - t) * 1000
    timer.stop()
    result = {"rows": float(total or 0), "pages": float(pages), "open_ms": open_ms, "page_ms": page_ms, "sort_ms": sort_ms,
              "last_page_ms": last_ms, "max_gui_stall_ms": stall["max"] * 1000}
    gui.close()
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "station-bench-gui")
    args = ap.parse_args()
    ensure_data(args.data, args.records)
    compile_project()
    start_time(BARE)  # warm the file cache for both
    start_time(STATION, str(args.data))
    bare, station = [], []
    for _ in range(args.repeat):
        bare.append(start_time(BARE))
        station.append(start_time(STATION, str(args.data)))
    print(f"start to first paint, median of {args.repeat} (platform {os.environ['QT_QPA_PLATFORM']}, "
          "compiled bytecode, python -S):")
    for i, what in ((0, "wall"), (1, "CPU ")):
        b = [x[i] for x in bare]
        s = [x[i] for x in station]
        mb, ms = statistics.median(b), statistics.median(s)
        print(f"  {what} bare QMainWindow        {mb * 1000:7.0f} ms   (runs: {', '.join(f'{x * 1000:.0f}' for x in b)})")
        print(f"  {what} station gui, {args.records:,} rec {ms * 1000:7.0f} ms   (runs: "
              f"{', '.join(f'{x * 1000:.0f}' for x in s)})")
        print(f"  {what} ratio                   {ms / mb:7.2f}   (target ≤ 1.30)")
        pairs = statistics.median(y / x for x, y in zip(b, s))
        print(f"  {what} ratio, run by run        {pairs:7.2f}   (median of each station run / the bare run "
              f"before it); fastest runs {min(s) / min(b):.2f}")
    lt = list_times(args.data)
    print(f"consultation ledger with {lt['rows']:,.0f} rows:")
    print(f"  open (count + first 200 rows)   {lt['open_ms']:7.1f} ms")
    print(f"  scroll: next page of 200 rows   {lt['page_ms']:7.1f} ms (mean over {lt['pages']:.0f} pages)")
    print(f"  sort by number (database sort)  {lt['sort_ms']:7.1f} ms")
    print(f"  last page (offset {lt['rows'] - 200:,.0f})     {lt['last_page_ms']:7.1f} ms")
    print(f"  longest GUI event-loop stall    {lt['max_gui_stall_ms']:7.1f} ms")


if __name__ == "__main__":
    main()
