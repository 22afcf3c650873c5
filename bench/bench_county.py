"""County page cost: building the per-station mirrors (first view) and a later view, on a hub with N records.

The hub holds ``--stations`` stations with ``--records`` consultations, cases and visits in total
(copies of real station records with new uids and dates spread over a year), inserted straight into
``hub_records``. Measured in the same run:

* baseline: read every payload of those records from the hub database and ``json.loads`` it
  (the least any county figure computed from the stored records must do);
* cold: the first :func:`hub.county.county_report` (builds every mirror, then computes);
* warm: the same report again (mirrors current, figures only);
* one more view after one new record in one station (incremental refresh).

    PYTHONPATH=. python bench/bench_county.py --records 100000 --stations 10
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select, text, update  # noqa: E402

from hub import county  # noqa: E402
from hub.db import make_engine  # noqa: E402
from hub.models import HubRecord, HubStation  # noqa: E402
from hub.service import register_device  # noqa: E402
from station import Station  # noqa: E402
from station.periods import parse_period  # noqa: E402


def templates(folder: Path) -> dict[str, dict]:
    """One real payload per kind, as a station uploads it."""
    with Station.open(folder) as st:
        st.reference.setup_station({"code": "340621199", "name": "模板司法所", "abbr": "模"})
        st.consultations.record_consultation({
            "occurred_at": "2026-10-03 09:00:00", "channel": "visit", "category_code": "C01",
            "handling": "answered", "question": "咨询事项", "answer": "依法解答",
            "persons": [{"name": "来访人", "gender": "男"}]})
        committee = st.reference.save_committee({"name": "模板调委会", "kind": "township"}).uid
        case = st.mediation.apply_case({"dispute_type": "01", "source": "applied", "applied_on": "2026-10-04",
                                        "facts": "纠纷情况", "committee_uid": committee, "parties": [
                                            {"side": "applicant", "person": {"name": "甲", "gender": "女"}},
                                            {"side": "respondent", "person": {"name": "乙", "gender": "男"}}]}).uid
        adviser = st.reference.save_staff({"name": "孙德胜", "roles": ["mediator", "adviser"]}).uid
        st.mediation.accept_case(case, {"accepted_on": "2026-10-05", "mediator_uids": [adviser]})
        village = st.reference.save_village({"name": "模板村", "target_hours": 50}).uid
        st.visits.record_visit({"village_uid": village, "adviser_uid": adviser, "visit_date": "2026-10-05",
                                "mode": "onsite", "start_time": "09:00", "end_time": "11:30",
                                "service_types": ["education"], "attendees": 30, "content": "普法讲座"})
        with st.read() as s:
            rows = s.execute(text("SELECT kind, payload FROM outbox JOIN outbox_payloads USING (seq)"
                                  " ORDER BY seq")).all()
    out: dict[str, dict] = {}
    for kind, payload in rows:
        out[kind] = json.loads(payload)
    return {k: out[k] for k in ("consultation", "case", "visit")}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--stations", type=int, default=10)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-county-"))
    tpl = templates(tmp / "tpl")
    eng = make_engine(f"sqlite:///{tmp / 'hub.db'}")
    codes = [f"3406211{i:02d}" for i in range(args.stations)]
    for c in codes:
        register_device(eng, c, name=f"第{c[-2:]}司法所")
    rnd = random.Random(7)
    now = dt.datetime(2026, 11, 23)
    seqs = dict.fromkeys(codes, 0)
    batch = []
    for i in range(args.records):
        code = codes[i % len(codes)]
        kind = ("consultation", "consultation", "case", "visit")[i % 4]
        p = dict(tpl[kind], uid=str(uuid.UUID(int=rnd.getrandbits(128), version=4)))
        day = dt.date(2026, 1, 1) + dt.timedelta(days=rnd.randrange(365))
        if kind == "consultation":
            p["occurred_at"] = f"{day.isoformat()} 10:00:00"
        elif kind == "case":
            p.update(applied_on=day.isoformat(), accepted_on=day.isoformat(), case_no=f"B{i}", seq_no=i)
        else:
            p["visit_date"] = day.isoformat()
        seqs[code] += 1
        batch.append({"uid": p["uid"], "scope": code, "kind": kind, "version": 1, "hash": "x" * 64,
                      "seq": seqs[code], "device_no": 1, "updated_at": now, "payload": json.dumps(p)})
        if len(batch) == 5000 or i == args.records - 1:
            with eng.begin() as conn:
                conn.execute(insert(HubRecord), batch)
            batch = []
    with eng.begin() as conn:
        for c, s in seqs.items():
            conn.execute(update(HubStation).where(HubStation.code == c).values(seq=s))

    t = time.perf_counter()
    with eng.connect() as conn:
        n = sum(1 for (p,) in conn.execute(select(HubRecord.payload).where(
            HubRecord.kind.in_(county.MIRROR_KINDS))) if json.loads(p))
    base = time.perf_counter() - t
    mirrors = county.Mirrors()
    year = parse_period("2026")
    t = time.perf_counter()
    cold_report = county.county_report(eng, mirrors, year)
    cold = time.perf_counter() - t
    t = time.perf_counter()
    county.county_report(eng, mirrors, year)
    warm = time.perf_counter() - t
    month = parse_period("2026-10")
    t = time.perf_counter()
    county.county_report(eng, mirrors, month)
    warm_month = time.perf_counter() - t
    total = cold_report["total"]
    print(f"hub records: {n} in {len(codes)} stations (consultations {total['consultations.total']}, "
          f"cases accepted {total['cases.accepted']}, visits {total['visits.count']} in 2026)")
    print(f"baseline read + json.loads of every payload: {base:.2f} s")
    print(f"first view (build mirrors + figures, year): {cold:.2f} s   ratio baseline/cold = {base / cold:.2f}")
    print(f"later view (year):                          {warm:.2f} s")
    print(f"later view (month):                         {warm_month:.2f} s")
    assert total["consultations.total"] + total["cases.accepted"] + total["visits.count"] == args.records


if __name__ == "__main__":
    main()
