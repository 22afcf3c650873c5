"""The core stays typed: mypy finds nothing in station/ (run as the CI runs it)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_is_clean_on_the_core() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy", "station", "--ignore-missing-imports", "--follow-imports=silent",
                             "--no-error-summary"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
