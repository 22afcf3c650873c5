"""Printing benchmark: 人民调解协议书 PDF, warm and cold, against plain ReportLab.

Every figure is measured in this run:

* warm: ``station.printing.render`` of the agreement in a process that has
  printed before (fonts registered), median over repeats — both the preview
  path (``record=False``) and a real print (PDF + print-log row). Target ≤ 150 ms.
* cold: a fresh process: first agreement PDF including loading the shipped
  fonts (they are loaded once per process), median over fresh processes.
* baseline: ReportLab's canvas drawing the same text lines (taken from the
  agreement PDF) on blank A4 pages with the same shipped fonts — no layout, no
  line breaking, no database. Ratio = ours / baseline (how much the layout and
  data loading cost over bare drawing).

Usage: python bench/bench_print.py [--repeats 30] [--cold 5]
"""
from __future__ import annotations

import argparse
import io
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def baseline_pdf(lines: list[str]) -> bytes:
    """Bare ReportLab: the same lines, same fonts, drawn one per row on blank pages."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    from station.printing import fonts

    fonts.register(fonts.SONG, fonts.KAI, fonts.HEI, fonts.FALLBACK)  # the faces the agreement uses
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=1, initialFontName=fonts.KAI)
    y = A4[1] - 105
    for i, line in enumerate(lines):
        if y < 100:
            c.showPage()
            y = A4[1] - 105
        c.setFont(fonts.SONG if i == 0 else fonts.KAI, 22 if i == 0 else 16)
        c.drawString(79, y, line)
        y -= 29
    c.save()
    return buf.getvalue()


def agreement_lines(pdf: bytes) -> list[str]:
    from pypdf import PdfReader
    return [ln for p in PdfReader(io.BytesIO(pdf)).pages for ln in (p.extract_text() or "").splitlines() if ln.strip()]


def child(mode: str, data_dir: str, case_uid: str, lines_file: str) -> None:
    """One cold measurement in this fresh process; prints milliseconds."""
    if mode == "ours":
        from station import Station
        from station.printing import render
        st = Station.open(data_dir)
        t0 = time.perf_counter()
        render(st, "agreement", case_uid, record=False)
    else:
        lines = json.loads(Path(lines_file).read_text(encoding="utf-8"))
        t0 = time.perf_counter()
        baseline_pdf(lines)
    print((time.perf_counter() - t0) * 1000)


def median_ms(fn, repeats: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description="agreement PDF: warm and cold vs plain ReportLab")
    ap.add_argument("--repeats", type=int, default=30)
    ap.add_argument("--cold", type=int, default=5)
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return 0

    from station import Station
    from station.printing import render
    from tests.printing_fixtures import make_station

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        with Station.open(data) as st:
            ids = make_station(st)
            case = ids["case"]
            first = render(st, "agreement", case, record=False)
            lines = agreement_lines(first)
            lines_file = Path(tmp) / "lines.json"
            lines_file.write_text(json.dumps(lines, ensure_ascii=False), encoding="utf-8")
            from pypdf import PdfReader
            pages = len(PdfReader(io.BytesIO(first)).pages)
            warm_preview = median_ms(lambda: render(st, "agreement", case, record=False), args.repeats)
            warm_print = median_ms(lambda: render(st, "agreement", case), args.repeats)
            warm_base = median_ms(lambda: baseline_pdf(lines), args.repeats)

        def cold(mode: str) -> float:
            runs = []
            for _ in range(args.cold):
                out = subprocess.run([sys.executable, __file__, "--child", mode, str(data), case, str(lines_file)],
                                     capture_output=True, text=True, check=True, cwd=ROOT)
                runs.append(float(out.stdout.strip().splitlines()[-1]))
            return statistics.median(runs)

        cold_ours, cold_base = cold("ours"), cold("baseline")

    print(f"人民调解协议书: {len(lines)} text lines, {len(first) // 1024} KB, {pages} pages")
    print(f"warm  render (preview, no log)   median {warm_preview:7.1f} ms   (target ≤ 150 ms)")
    print(f"warm  render + print log         median {warm_print:7.1f} ms")
    print(f"warm  baseline ReportLab canvas  median {warm_base:7.1f} ms   ratio ours/baseline {warm_preview / warm_base:5.2f}")
    print(f"cold  first print in new process median {cold_ours:7.1f} ms   (fonts loaded once per process)")
    print(f"cold  baseline (load fonts+draw) median {cold_base:7.1f} ms   ratio ours/baseline {cold_ours / cold_base:5.2f}")
    print("verdict: warm target", "met" if warm_print <= 150 else "MISSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
