"""Sync benchmarks against a real hub process on 127.0.0.1.

1. End-to-end sync of N changes (outbox → gzip batches over HTTP → hub ingest → acks,
   then the audit upload, the download and the final check) versus a raw insert of the
   same rows (same columns) into the hub's own tables ``hub_records`` and ``hub_changes``
   (one driver ``executemany`` per table, one transaction), measured in the same run.
   Ratio = raw time / sync time (target ≥ 0.5). Median of ``--repeats``.
2. S simulated stations syncing at once (each a real station database and a full
   ``run_sync`` in its own thread) against one hub: p50/p99 upload acknowledgement
   time and errors.

    PYTHONPATH=. python bench/bench_sync.py --changes 100000 --stations 200
    PYTHONPATH=. python bench/bench_sync.py --db postgresql://user@127.0.0.1:5432/hub   # PostgreSQL hub
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "sync"))

from sqlalchemy import text  # noqa: E402

from conftest import HubProcess  # noqa: E402
from station import Station  # noqa: E402
from station.bulk import insert_records  # noqa: E402
from station.db.base import new_uid, utcnow  # noqa: E402
from station.models import Person  # noqa: E402
from station.sync import login, run_sync  # noqa: E402
from station.sync import protocol as P  # noqa: E402
from station.sync.client import HubClient  # noqa: E402


def _people(n: int, device: str) -> list[dict[str, Any]]:
    now = utcnow()
    return [{"uid": new_uid(), "version": 1, "created_at": now, "updated_at": now, "device_id": device,
             "created_by": None, "updated_by": None, "deleted": False, "kind": "person", "name": f"测试{i}",
             "gender": "男", "ethnicity": "汉族", "id_type": "none", "id_number": "", "birth_date": None,
             "phone": "", "address": f"南坪村{i % 50}组", "occupation": "农民", "special_groups": [],
             "credit_code": "", "representative": "", "initials": "cs", "id_rev": "", "phone_rev": "",
             "notes": "", "merged_into": None, "household_size": None} for i in range(n)]


def _device(hub: HubProcess, tmp: Path, template: Path, code: str) -> Station:
    reg = hub.register(code, f"所{code[-4:]}")
    folder = tmp / f"{code}-{reg['device_no']}"
    shutil.copytree(template, folder)
    st = Station.open(folder)
    st.reference.setup_station({"code": code, "name": f"所{code[-4:]}"})
    login(st, hub.url, reg["token"], token_file=folder / "token")
    return st


def bench_end_to_end(hub: HubProcess, tmp: Path, template: Path, n: int, rep: int) -> tuple[float, float, float]:
    st = _device(hub, tmp, template, f"9{rep:03d}0000")
    rows = _people(n, st.device_id)
    with st.write() as s:
        for i in range(0, n, 10000):
            insert_records(s, Person, rows[i:i + 10000])
    t0 = time.perf_counter()
    res = run_sync(st)
    t_sync = time.perf_counter() - t0
    assert res.ok and res.verified and res.accepted == n, res.summary()
    # baseline: the same rows, same columns, straight into the hub's own tables (hub_records and
    # hub_changes, with their indexes) by one driver executemany per table in one transaction. Fresh
    # uids under a scope no device belongs to, removed again afterwards (untimed).
    with st.read() as s:
        outbox = s.execute(text("SELECT version, base_version, content_hash, payload, seq FROM outbox"
                                " JOIN outbox_payloads USING (seq) WHERE kind = 'person'")).all()
    eng = hub.engine()
    sqlite = eng.dialect.name == "sqlite"
    now = utcnow()
    stamp: Any = now.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else now  # SQLAlchemy's SQLite DateTime text
    scope, batch, mark = f"raw{rep}", str(uuid.uuid4()), "?" if sqlite else "%s"
    uids = [new_uid() for _ in outbox]  # keys of the form the station makes
    records = [(u, scope, "person", v, h, i + 1, 1, stamp, p)
               for i, (u, (v, _, h, p, _)) in enumerate(zip(uids, outbox))]
    changes = [(u, v, b, h, scope, 1, q, batch, stamp) for u, (v, b, h, _, q) in zip(uids, outbox)]
    t0 = time.perf_counter()
    with eng.begin() as c:
        c.exec_driver_sql("INSERT INTO hub_changes (uid, version, base_version, hash, scope, device_no, device_seq,"
                          f" batch_id, received_at) VALUES ({', '.join([mark] * 9)})", changes)
        c.exec_driver_sql("INSERT INTO hub_records (uid, scope, kind, version, hash, seq, device_no, updated_at,"
                          f" payload) VALUES ({', '.join([mark] * 9)})", records)
    t_raw = time.perf_counter() - t0
    with eng.begin() as c:
        c.execute(text("DELETE FROM hub_changes WHERE scope = :s"), {"s": scope})
        c.execute(text("DELETE FROM hub_records WHERE scope = :s"), {"s": scope})
    # where the time goes: the hub's own ingest of the same changes, in process (no HTTP, no device side)
    from hub import service
    reg = service.register_device(eng, f"7{rep:03d}0000", name="直接写入")
    dev = service.authenticate(eng, reg["token"])
    with st.read() as s:
        changes = [{"seq": r[0], "kind": "person", "uid": new_uid(), "version": 1, "base_version": 0,
                    "payload": r[1]} for r in s.execute(text("SELECT seq, payload FROM outbox JOIN outbox_payloads"
                                                             " USING (seq) WHERE kind = 'person'"))]
    for c in changes:  # same rows under fresh uids, so the hub treats them as new
        c["payload"] = c["payload"].replace(json.loads(c["payload"])["uid"], c["uid"])
        c["hash"] = hashlib.sha256(c["payload"].encode()).hexdigest()
    t0 = time.perf_counter()
    size = P.BATCH_CHANGES  # the batches the sync sends
    for i in range(0, len(changes), size):
        service.ingest(eng, dev, {"protocol": 1, "station": dev.station_code, "device_no": 1, "device_id": "bench",
                                  "batch_id": str(uuid.uuid4()), "changes": changes[i:i + size]})
    t_ingest = time.perf_counter() - t0
    eng.dispose()
    st.close()
    return t_sync, t_raw, t_ingest


class TimedClient(HubClient):
    def __init__(self, *a: Any, sink: list[float], **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.sink = sink

    def push(self, *a: Any, **kw: Any) -> dict[str, Any]:
        t0 = time.perf_counter()
        try:
            return super().push(*a, **kw)
        finally:
            self.sink.append(time.perf_counter() - t0)


def bench_many(hub: HubProcess, tmp: Path, template: Path, stations: int, changes: int) -> dict[str, Any]:
    devs = []
    for i in range(stations):
        st = _device(hub, tmp, template, f"8{i:05d}")
        with st.write() as s:
            insert_records(s, Person, _people(changes, st.device_id))
        devs.append(st)
    acks: list[float] = []
    results: list[Any] = []
    errors: list[str] = []
    start = threading.Barrier(stations)

    def one(st: Station) -> None:
        from station.sync.run import client_for
        base = client_for(st)
        client = TimedClient(base.url, base._http.headers["Authorization"][7:], device_id=st.device_id, sink=acks,
                             timeout=120)
        base.close()
        start.wait()
        try:
            res = run_sync(st, client=client)
            results.append(res)
            if not res.ok:
                errors.append(res.message)
        finally:
            client.close()

    threads = [threading.Thread(target=one, args=(st,)) for st in devs]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    for st in devs:
        st.close()
    acks.sort()
    return {"stations": stations, "wall_s": wall, "acks": len(acks),
            "p50_ms": 1000 * statistics.median(acks) if acks else None,
            "p99_ms": 1000 * acks[min(len(acks) - 1, int(len(acks) * 0.99))] if acks else None,
            "errors": len(errors), "error_samples": sorted(set(errors))[:3],
            "ok": sum(1 for r in results if r.ok)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--changes", type=int, default=100_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--stations", type=int, default=200)
    ap.add_argument("--station-changes", type=int, default=20)
    ap.add_argument("--db", help="hub database URL (default: a fresh SQLite file)")
    ap.add_argument("--postgres", action="store_true", help="run the hub on a throwaway PostgreSQL cluster")
    ap.add_argument("--skip-e2e", action="store_true")
    ap.add_argument("--skip-many", action="store_true")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    template = tmp / "template"
    Station.open(template).close()
    cluster = None
    url = args.db or f"sqlite:///{tmp / 'hub.db'}"
    if args.postgres:
        from conftest import _new_pg_db, pg_cluster
        cluster = pg_cluster()
        url = _new_pg_db(cluster.__enter__())
    print(f"hub database: {url.split('://')[0]}")
    hub = HubProcess(url, tmp).start()
    try:
        if not args.skip_e2e:
            runs = [bench_end_to_end(hub, tmp, template, args.changes, r) for r in range(args.repeats)]
            for i, (s, r, g) in enumerate(runs):
                print(f"run {i + 1}: sync {s:.2f}s ({args.changes / s:,.0f} changes/s), raw insert {r:.2f}s, "
                      f"hub ingest in process {g:.2f}s")
            ms, mr = statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)
            mg = statistics.median(r[2] for r in runs)
            print(f"end-to-end sync of {args.changes:,} changes: median {ms:.2f}s; raw insert of the same rows "
                  f"into the hub tables: median {mr:.2f}s; ratio raw/sync = {mr / ms:.2f} (target >= 0.5)")
            print(f"  for reference: the hub's ingest of the same changes in process (no HTTP, no device side): "
                  f"median {mg:.2f}s; ratio ingest/sync = {mg / ms:.2f}")
        if not args.skip_many:
            out = bench_many(hub, tmp, template, args.stations, args.station_changes)
            print(f"{out['stations']} stations syncing at once ({args.station_changes} changes each): wall "
                  f"{out['wall_s']:.1f}s, {out['ok']} ok, {out['errors']} errors, upload acks {out['acks']}: "
                  f"p50 {out['p50_ms']:.0f} ms, p99 {out['p99_ms']:.0f} ms")
            if out["error_samples"]:
                print("  errors:", out["error_samples"])
    finally:
        hub.stop()
        if cluster is not None:
            cluster.__exit__(None, None, None)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
