"""Repeat the sync fault scenarios N times each and count how many runs passed.

Every run: fresh devices against a real hub process, one injected fault, sync again,
then check zero records lost and zero duplicated (device == hub, one change per
(uid, version) on the hub, nothing left pending).

    PYTHONPATH=. python bench/sync_faults.py --runs 5              # SQLite hub
    PYTHONPATH=. python bench/sync_faults.py --runs 3 --postgres   # throwaway PostgreSQL cluster too
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "sync"))

import conftest  # noqa: E402
import faults  # noqa: E402
from station import Station  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--postgres", action="store_true", help="also run against a throwaway PostgreSQL cluster")
    ap.add_argument("--only", action="append", help="scenario name (repeatable)")
    args = ap.parse_args()
    base = Path(tempfile.mkdtemp(prefix="sync-faults-"))
    template = base / "template"
    Station.open(template).close()
    backends: list[tuple[str, object]] = [("sqlite", None)]
    cluster = conftest.pg_cluster() if args.postgres else None
    if cluster is not None:
        backends.append(("postgresql", cluster.__enter__()))
    names = args.only or sorted(faults.SCENARIOS)
    passed = total = 0
    try:
        for backend, pg in backends:
            for name in names:
                ok = 0
                for i in range(args.runs):
                    tmp = Path(tempfile.mkdtemp(prefix=f"{name}-{i}-", dir=base))
                    url = f"sqlite:///{tmp / 'hub.db'}" if pg is None else conftest._new_pg_db(str(pg))
                    hub = conftest.HubProcess(url, tmp)
                    devices = conftest.Devices(hub, tmp, template)
                    try:
                        hub.start()
                        faults.SCENARIOS[name](devices)
                        ok += 1
                    except Exception:  # noqa: BLE001 - a failed run is counted and shown, the loop goes on
                        traceback.print_exc()
                    finally:
                        devices.close()
                        hub.stop()
                print(f"{backend:10s} {name:25s} {ok}/{args.runs} passed", flush=True)
                passed += ok
                total += args.runs
    finally:
        if cluster is not None:
            cluster.__exit__(None, None, None)
        shutil.rmtree(base, ignore_errors=True)
    print(f"fault runs passed: {passed}/{total}")
    return 0 if passed == total else 1


if __name__ == "__main__":
    sys.exit(main())
