"""The core never imports Qt: the CLI, the hub and the tests use it without a display."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_station_sources_have_no_qt_imports() -> None:
    offenders = []
    for path in (ROOT / "station").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names
                          if n.split(".")[0] in ("PySide6", "PyQt6", "PyQt5", "shiboken6")]
    assert offenders == []


def test_importing_every_station_module_loads_no_pyside6() -> None:
    code = (
        "import importlib, pkgutil, sys, station\n"
        "for m in pkgutil.walk_packages(station.__path__, 'station.'):\n"
        "    if '.migrations.' in m.name: continue\n"
        "    importlib.import_module(m.name)\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in ('PySide6', 'shiboken6', 'ui'))\n"
        "print(len([n for n in sys.modules if n.startswith('station')]), bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert int(result.stdout.split()[0]) > 20  # really walked the package
