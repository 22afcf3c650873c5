"""Regenerate docs/reports/*.png: page 1 of each kind of report PDF, from ``station demo`` data.

A temporary station is filled with :func:`station.demo.generate`, each report is
rendered with :func:`station.reports.pdf.render_pdf` and page 1 rasterised with
poppler's ``pdftoppm -r 80``. Look at every PNG: boxes instead of characters,
cut or overlapping text are bugs.

Usage: python docs/make_report_pngs.py [--records 3000] [--out docs/reports]
"""
from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from station import Station, demo  # noqa: E402
from station.reports.pdf import render_pdf  # noqa: E402


def periods(today: dt.date) -> list[tuple[str, str, str]]:
    """(file name, period, scope kind) for the last finished month, its quarter and this year."""
    last = today.replace(day=1) - dt.timedelta(days=1)
    return [("month", f"{last.year}-{last.month:02d}", "station"),
            ("quarter", f"{last.year}-Q{(last.month - 1) // 3 + 1}", "station"),
            ("year", str(today.year), "station"),
            ("village-month", f"{last.year}-{last.month:02d}", "village"),
            ("committee-quarter", f"{last.year}-Q{(last.month - 1) // 3 + 1}", "committee")]


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--records", type=int, default=3000)
    ap.add_argument("--dpi", type=int, default=80)
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "reports")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        with Station.open(Path(tmp) / "data") as st:
            demo.generate(st, args.records)
            first = {"village": st.reference.list_reference("village")[0]["uid"],
                     "committee": st.reference.list_reference("committee")[0]["uid"]}
            for name, period, kind in periods(dt.date.today()):
                scope = "station" if kind == "station" else f"{kind}:{first[kind]}"
                report = st.reports.build_report(period, scope)
                pdf_path = Path(tmp) / f"{name}.pdf"
                pdf_path.write_bytes(render_pdf(report))
                subprocess.run(["pdftoppm", "-r", str(args.dpi), "-png", "-f", "1", "-l", "1", "-singlefile",
                                str(pdf_path), str(args.out / name)], check=True)
                png = args.out / f"{name}.png"
                Image.open(png).convert("L").save(png, optimize=True)  # black on white: grey is enough
                print(f"{name:18} {report.title}（{report.scope['label']}）-> {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
