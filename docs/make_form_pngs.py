"""Regenerate docs/forms/*.png: page 1 of every printable form, made from realistic records.

The records are created through the Station services in a temporary data
folder (see tests/printing_fixtures.py), printed with station.printing.render
and rasterised with poppler's pdftoppm at a low resolution to keep files small.

Usage: python docs/make_form_pngs.py [--dpi 60] [--out docs/forms]
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from station import Station  # noqa: E402
from station.printing import FORMS, render  # noqa: E402
from tests.printing_fixtures import make_station  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dpi", type=int, default=60)
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "forms")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        with Station.open(Path(tmp) / "data") as st:
            ids = make_station(st)
            for key, spec in FORMS.items():
                record = "2026-10" if spec.takes == "period" else ids["oral" if key == "oral" else "case"]
                pdf_path = Path(tmp) / f"{key}.pdf"
                pdf_path.write_bytes(render(st, key, record, record=False))
                subprocess.run(["pdftoppm", "-r", str(args.dpi), "-png", "-f", "1", "-l", "1", "-singlefile",
                                str(pdf_path), str(args.out / key)], check=True)
                png = args.out / f"{key}.png"
                Image.open(png).convert("L").save(png, optimize=True)  # black on white: grey is enough
                print(f"{key:14} {spec.title} -> {args.out / (key + '.png')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
