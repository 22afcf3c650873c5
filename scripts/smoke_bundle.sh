#!/usr/bin/env bash
# Smoke test of the built bundle (run scripts/build.sh first): the app from dist/station starts
# with no Python on PATH and no PYTHONPATH, on a fresh data folder; it initialises the station,
# imports a consultation ledger and a case ledger through the CLI, prints the agreement of the
# agreed case to PDF, and starts the GUI headless for a moment when the bundle has one.
# Exit 0 when every step passed.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
APP="$ROOT/dist/station/station"
[ -x "$APP" ] || { echo "no bundle at $APP: run scripts/build.sh first" >&2; exit 1; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# A PATH with only the few shell tools this script needs: no python anywhere on it.
mkdir "$WORK/bin"
for tool in grep sed head cat sleep; do ln -s "$(type -P "$tool")" "$WORK/bin/$tool"; done
run() { env -i PATH="$WORK/bin" HOME="$WORK" LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen STATION_DB_PASSWORD="$PW" "$APP" --data-dir "$WORK/data" "$@"; }
if env -i PATH="$WORK/bin" sh -c 'command -v python3 || command -v python' >/dev/null 2>&1; then
  echo "python is on the smoke PATH" >&2; exit 1
fi
# No keyring here: the database is encrypted with a password given in the environment.
PW="smoke-$RANDOM-password"
SECONDS=0
run --version
run init --code 340621101 --name 临涣镇司法所 --county 濉溪县 --abbr 临
run import "$ROOT/docs/samples/来访咨询台账-示例.xlsx"
run list consultation | grep -q "ZX340621101" || { echo "consultation not recorded" >&2; exit 1; }
run import "$ROOT/docs/samples/人民调解台账-示例.xlsx"
again=$(run import "$ROOT/docs/samples/人民调解台账-示例.xlsx")
echo "$again" | grep -q "跳过 3 行" || { echo "re-import was not a no-op: $again" >&2; exit 1; }
CASE=$(run list case | grep "已达成协议\|agreed" | head -1 | sed 's/ .*//')
[ -n "$CASE" ] || { echo "no agreed case" >&2; exit 1; }
run print agreement "$CASE" -o "$WORK/x.pdf"
head -c 5 "$WORK/x.pdf" | grep -q "%PDF-" || { echo "agreement is not a PDF" >&2; exit 1; }
echo "agreement PDF: $(wc -c < "$WORK/x.pdf") bytes"
run export --format xlsx --kind case -o "$WORK/cases.xlsx"
run about | head -1
# The GUI, headless: it must still be running after 8 s, not crash at start.
env -i PATH="$WORK/bin" HOME="$WORK" LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen STATION_DB_PASSWORD="$PW" \
  "$APP" --data-dir "$WORK/data" gui >"$WORK/gui.log" 2>&1 &
gui_pid=$!
sleep 8
if kill "$gui_pid" 2>/dev/null; then
  wait "$gui_pid" 2>/dev/null || true
  echo "GUI started headless and ran 8 s"
elif grep -q "图形界面不可用" "$WORK/gui.log"; then
  echo "this build has no GUI package (ui/): skipped GUI start"
else
  echo "GUI failed to start:" >&2; cat "$WORK/gui.log" >&2; exit 1
fi
echo "bundle smoke test passed in ${SECONDS}s"
