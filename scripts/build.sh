#!/usr/bin/env bash
# Build the one-folder bundle dist/station/ with PyInstaller (see build.spec, docs/build.md).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
"$PY" -m PyInstaller --version >/dev/null 2>&1 || "$PY" -m pip install "pyinstaller>=6.10"
"$PY" scripts/make_icons.py
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN build.spec
echo "bundle: dist/station ($(du -sh dist/station | cut -f1))"
