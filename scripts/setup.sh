#!/usr/bin/env bash
# Set up everything Station needs on Debian/Ubuntu: system packages and a virtualenv in .venv.
# Idempotent: a second run only checks. Used by scripts/run.sh, scripts/test.sh and .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
want_tests="${1:-}"

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

# Qt's xcb platform plugin links these (ldd libqxcb.so); fonts come from resources/, not the system.
APT_PKGS=(python3 python3-venv python3-pip libegl1 libgl1 libglib2.0-0 libfontconfig1 libfreetype6
  libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0 libxcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0
  libxcb-keysyms1 libxcb-randr0 libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0
  libxcb-sync1 libxcb-xfixes0 libxcb-xinerama0 libxcb-xkb1 libx11-xcb1 libxrender1 libsm6 libice6)
if [ "$want_tests" = "--tests" ]; then
  # headless screens (xvfb), PDF pages to PNG (poppler-utils), a real PostgreSQL for the hub tests,
  # a real headless browser for the county page (chromium + chromedriver) and a CJK font for it
  APT_PKGS+=(xvfb xauth poppler-utils postgresql chromium chromium-driver fonts-noto-cjk)
fi
missing=()
for p in "${APT_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

PY="${PYTHON:-python3}"
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "Station needs Python 3.11 or newer (found $("$PY" --version)). Set PYTHON=/path/to/python3.11." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv"
  "$PY" -m venv .venv
fi
extras="gui,hub"
[ "$want_tests" = "--tests" ] && extras="gui,hub,test"
stamp=".venv/.station-installed-$extras-$(sha1sum pyproject.toml | cut -c1-12)"
if [ ! -f "$stamp" ]; then
  echo "== installing Python packages ($extras)"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[$extras]"
  touch "$stamp"
fi
