"""Core storage benchmarks: bulk insert vs raw sqlite3, search latency, open time.

Every figure is measured in this run, against a baseline measured in the same run:

* insert: the model's bulk path (``station.bulk.insert_records``: rows + outbox + search index,
  one transaction) vs raw ``sqlite3.executemany`` of exactly the same rows into the same tables;
  also the bare ORM insert vs raw executemany into the table alone. Ratio = raw time / model time
  (1.0 = as fast as raw; target ≥ 0.5).
* search: median and p95 over a mix of realistic queries at each database size.
* open: ``Station.open`` of an existing database (median of repeats, fresh process each time).

* ``--encrypted``: the same insert and search on a SQLCipher store vs a plain one (target ratio ≤ 1.5).

Usage: python bench/bench_core.py [--sizes 100000 1000000] [--insert-rows 20000] [--keep DIR] [--encrypted]
"""
from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text  # noqa: E402

from station import Station  # noqa: E402
from station.bulk import encode_row, insert_records  # noqa: E402
from station.demo import _Gen, generate  # noqa: E402
from station.models import Person  # noqa: E402
from station.records import canonical_json, content_hash  # noqa: E402
from station.search_index import INDEXERS  # noqa: E402


def _fresh(folder: Path, key: bytes | None = None) -> Station:
    st = Station.open(folder, key=key)
    st.reference.setup_station({"code": "340621101", "name": "临涣镇司法所", "abbr": "临"})
    return st


def _people(st: Station, n: int, seed: int) -> list[dict]:
    with st.read() as s:
        g = _Gen(st, s, seed, "340621101")
        return [g.person() for _ in range(n)]


def bench_insert(n: int, repeats: int) -> dict[str, float]:
    full_model, full_raw, bare_model, bare_raw = [], [], [], []
    for r in range(repeats):
        with tempfile.TemporaryDirectory() as d:
            st = _fresh(Path(d) / "m")
            rows = _people(st, n, r)
            t = time.perf_counter()
            with st.write() as s:
                insert_records(s, Person, rows)
            full_model.append(time.perf_counter() - t)
            st.close()

            st = _fresh(Path(d) / "r")
            rows = _people(st, n, r)
            db = st.db_path
            st.close()
            # Same rows, same tables, values prepared outside the timer exactly as the model would.
            recs = [encode_row(Person, row) for row in rows]
            cols = list(rows[0])
            person_rows = [tuple(json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v
                                 for v in (rec[c] for c in cols)) for rec in recs]
            outbox_rows = [("person", rec["uid"], 1, 0, content_hash(rec), rec["created_at"]) for rec in recs]
            payload_rows = [canonical_json(rec) for rec in recs]
            bodies = [INDEXERS["person"](rec) for rec in recs]
            conn = sqlite3.connect(db, isolation_level=None)
            conn.execute("PRAGMA synchronous=FULL")
            t = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(f"INSERT INTO persons ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})",
                             person_rows)
            seq = conn.execute("SELECT coalesce(max(seq), 0) FROM outbox").fetchone()[0]
            conn.executemany("INSERT INTO outbox (seq, kind, uid, version, base_version, content_hash,"
                             " created_at) VALUES (?,?,?,?,?,?,?)",
                             [(seq + i + 1, *o) for i, o in enumerate(outbox_rows)])
            conn.executemany("INSERT INTO outbox_payloads (seq, payload) VALUES (?, ?)",
                             [(seq + i + 1, p) for i, p in enumerate(payload_rows)])
            first = conn.execute("SELECT coalesce(max(id), 0) FROM search_docs").fetchone()[0]
            conn.executemany("INSERT INTO search_docs (id, uid, kind) VALUES (?, ?, 'person')",
                             [(first + i + 1, rec["uid"]) for i, rec in enumerate(recs)])
            conn.executemany("INSERT INTO search_fts (rowid, body) VALUES (?, ?)",
                             [(first + i + 1, b) for i, b in enumerate(bodies)])
            conn.execute("COMMIT")
            full_raw.append(time.perf_counter() - t)
            conn.close()

            st = _fresh(Path(d) / "bm")
            rows = _people(st, n, r)
            t = time.perf_counter()
            with st.write() as s:
                s.execute(insert(Person), rows)
            bare_model.append(time.perf_counter() - t)
            st.close()

            st = _fresh(Path(d) / "br")
            rows = _people(st, n, r)
            db = st.db_path
            st.close()
            conn = sqlite3.connect(db, isolation_level=None)
            conn.execute("PRAGMA synchronous=FULL")
            prepared = [tuple(json.dumps(v, ensure_ascii=False) if isinstance(v, list) else
                              (v.isoformat(sep=" ") if hasattr(v, "hour") and hasattr(v, "day") else
                               v.isoformat() if hasattr(v, "isoformat") else v)
                              for v in (row[c] for c in cols)) for row in rows]
            t = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(f"INSERT INTO persons ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})",
                             prepared)
            conn.execute("COMMIT")
            bare_raw.append(time.perf_counter() - t)
            conn.close()
    m = statistics.median
    return {"rows": n, "full_model_s": m(full_model), "full_raw_s": m(full_raw),
            "full_ratio": m(full_raw) / m(full_model), "bare_model_s": m(bare_model), "bare_raw_s": m(bare_raw),
            "bare_ratio": m(bare_raw) / m(bare_model)}


def queries(st: Station, k: int = 60) -> list[str]:
    """A realistic mix drawn from the data: names, initials, ID/phone tails, numbers, text."""
    rng = random.Random(7)
    with st.read() as s:
        people = s.execute(text("SELECT name, initials, id_number, phone FROM persons WHERE kind='person'"
                                " ORDER BY random() LIMIT :k"), {"k": k}).all()
        numbers = [r[0] for r in s.execute(text("SELECT number FROM mediation_cases ORDER BY random() LIMIT 10"))]
    out: list[str] = []
    for name, initials, idn, phone in people:
        out += [name, name[:1], initials.split()[0], idn[-4:], idn, phone[-4:], phone]
    out += numbers + ["宅基地", "赡养", "工资", "抚养费", "交通事故", "排水沟", "民法典", "堃", "䶮"]
    rng.shuffle(out)
    return out


def bench_search(st: Station, qs: list[str], rounds: int = 3) -> dict[str, float]:
    st.search("预热")
    times = []
    for _ in range(rounds):
        for q in qs:
            t = time.perf_counter()
            st.search(q, limit=20)
            times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return {"queries": len(times), "median_ms": statistics.median(times),
            "p95_ms": times[int(len(times) * 0.95)], "max_ms": times[-1]}


def bench_open(folder: Path, repeats: int = 5) -> dict[str, float]:
    code = ("import time,sys; t=time.perf_counter(); from station import Station; "
            "st=Station.open(sys.argv[1]); st.records.count_records('case'); "
            "print(time.perf_counter()-t)")
    root = str(Path(__file__).resolve().parent.parent)
    base = ("import time; t=time.perf_counter(); import sqlalchemy, sqlite3; "
            "c=sqlite3.connect(__import__('sys').argv[1]+'/station.db'); c.execute('select count(*) from mediation_cases');"
            "print(time.perf_counter()-t)")
    opened, raw = [], []
    for _ in range(repeats):
        opened.append(float(subprocess.check_output([sys.executable, "-c", code, str(folder)], cwd=root)))
        raw.append(float(subprocess.check_output([sys.executable, "-c", base, str(folder)], cwd=root)))
    return {"open_s": statistics.median(opened), "raw_connect_s": statistics.median(raw)}


MODES = ("plain", "plain-sqlcipher-build", "encrypted")


def _fresh_mode(folder: Path, mode: str, key: bytes) -> Station:
    """plain: stdlib sqlite3; plain-sqlcipher-build: unencrypted file through sqlcipher3's SQLite
    (tells the cost of that build apart from the cost of encryption); encrypted: SQLCipher with a key."""
    if mode != "plain-sqlcipher-build":
        return _fresh(folder, key if mode == "encrypted" else None)
    from station.db.engine import make_engine
    from station.db.migrate import migrate

    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "station.db"
    engine = make_engine(db, sqlcipher=True)
    migrate(engine, db, None)
    st = Station(folder, engine, db)
    st._ensure_device()
    st.reference.setup_station({"code": "340621101", "name": "临涣镇司法所", "abbr": "临"})
    return st


def bench_encrypted(n: int, sizes: list[int], repeats: int) -> None:
    """SQLCipher store vs plain: the model's full insert path and search latency, same data, same run."""
    import secrets

    key = secrets.token_bytes(32)
    ins: dict[str, list[float]] = {m: [] for m in MODES}
    for r in range(repeats):
        for mode in MODES:
            with tempfile.TemporaryDirectory() as d:
                st = _fresh_mode(Path(d) / mode, mode, key)
                rows = _people(st, n, r)
                t = time.perf_counter()
                with st.write() as s:
                    insert_records(s, Person, rows)
                ins[mode].append(time.perf_counter() - t)
                st.close()
    m = statistics.median
    p, b, e = (m(ins[k]) for k in MODES)
    print(f"insert {n} people (full write path), median of {repeats}: plain {p:.3f}s  plain on the sqlcipher3 "
          f"build {b:.3f}s  encrypted {e:.3f}s  ratio encrypted/plain {e / p:.2f} (target ≤ 1.5), "
          f"encrypted/same-build-plain {e / b:.2f}")
    for size in sizes:
        res = {}
        with tempfile.TemporaryDirectory() as d:
            for mode in MODES:
                st = _fresh_mode(Path(d) / mode, mode, key)
                generate(st, size, seed=2026, chunk=20_000)
                if mode == "plain":
                    qs = queries(st)
                res[mode] = bench_search(st, qs)
                st.close()
        p, b, e = (res[k]["median_ms"] for k in MODES)
        print(f"search at {size:,} records over {res['plain']['queries']} queries, median (p95) ms: plain {p:.2f} "
              f"({res['plain']['p95_ms']:.2f})  plain on the sqlcipher3 build {b:.2f} "
              f"({res['plain-sqlcipher-build']['p95_ms']:.2f})  encrypted {e:.2f} ({res['encrypted']['p95_ms']:.2f})"
              f"  ratio encrypted/plain {e / p:.2f} (target ≤ 1.5), encrypted/same-build-plain {e / b:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000])
    ap.add_argument("--insert-rows", type=int, default=20_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="reuse/keep generated databases in this folder")
    ap.add_argument("--encrypted", action="store_true",
                    help="compare a SQLCipher-encrypted store with the plain one (insert and search) instead")
    args = ap.parse_args()
    if args.encrypted:
        bench_encrypted(args.insert_rows, args.sizes, args.repeats)
        return

    ins = bench_insert(args.insert_rows, args.repeats)
    print(f"insert {ins['rows']} people, median of {args.repeats}:")
    print(f"  full write path (rows+outbox+search): model {ins['full_model_s']:.3f}s  raw executemany "
          f"{ins['full_raw_s']:.3f}s  ratio {ins['full_ratio']:.2f} (target ≥ 0.5)")
    print(f"  table only: ORM insert {ins['bare_model_s']:.3f}s  raw executemany {ins['bare_raw_s']:.3f}s  "
          f"ratio {ins['bare_ratio']:.2f}")
    for size in args.sizes:
        folder = (args.keep or Path(tempfile.mkdtemp())) / f"db-{size}"
        st = Station.open(folder)
        have = sum(st.records.count_records(k) for k in ("person", "consultation", "case", "visit"))
        if have < size:
            t = time.perf_counter()
            generate(st, size - have, chunk=20_000)
            print(f"generated {size - have} records in {time.perf_counter() - t:.0f}s")
        qs = queries(st)
        res = bench_search(st, qs)
        st.close()
        print(f"search at {size:,} records: median {res['median_ms']:.1f} ms  p95 {res['p95_ms']:.1f} ms  "
              f"max {res['max_ms']:.1f} ms over {res['queries']} queries (target median ≤ 50 ms)")
        op = bench_open(folder)
        print(f"open at {size:,} records: Station.open {op['open_s'] * 1000:.0f} ms (new process, imports included) "
              f"vs bare sqlite3 connect+count {op['raw_connect_s'] * 1000:.0f} ms")


if __name__ == "__main__":
    main()
