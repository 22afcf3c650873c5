#!/usr/bin/env bash
# Set up (first time) and launch Station on the embedded default: a local SQLite database
# in the user's data folder. Extra arguments go to the `station` command (e.g. --data-dir DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/station "$@"
