"""Reports: every figure of a hand-computed month, scopes, periods, closures and corrections."""
from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
from sqlalchemy import select

from station import Station
from station.errors import ValidationError
from station.models import SYNCED_MODELS, OutboxEntry, OutboxPayload, PeriodClosure
from station.reports.model import Report
from station.periods import parse_period, parse_scope

from . import report_fixture

DATA = report_fixture.load()
EXPECTED = DATA["expected"]


@pytest.fixture(scope="module")
def _built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    folder = tmp_path_factory.mktemp("report_fixture")
    with Station.open(folder) as st:
        ids = report_fixture.build(st, DATA)
    return folder, ids


@pytest.fixture
def built(_built: tuple[Path, dict[str, str]], tmp_path: Path) -> Iterator[tuple[Station, dict[str, str]]]:
    """A private copy of the fixture database (tests may close periods and edit records)."""
    folder = tmp_path / "data"
    shutil.copytree(_built[0], folder)
    st = Station.open(folder)
    yield st, _built[1]
    st.close()


def _check_figures(report: Report, expected: dict[str, list[Any]]) -> None:
    for key, (value, why) in expected.items():
        got = report.figures[key]
        if value is None:
            assert got is None, f"{key}: {got} ({why})"
        else:
            assert got == pytest.approx(value, abs=1e-9), f"{key}: got {got}, expected {value} = {why}"


def test_every_figure_matches_the_hand_computed_fixture(built: tuple[Station, dict[str, str]]) -> None:
    st, _ = built
    report = st.reports.build_report("2026-10")
    assert report.period == {"key": "2026-10", "label": "2026年10月", "start": "2026-10-01", "end": "2026-10-31"}
    assert report.scope == {"key": "station", "label": "临涣镇司法所"}
    _check_figures(report, EXPECTED["figures"])
    for table_key, rows in EXPECTED["tables"].items():
        table = report.table(table_key)
        listed = set(rows)
        for label, cols in rows.items():
            assert {k for k in cols if not k.startswith("_")} == {c.key for c in table.columns[1:]}, \
                f"{table_key} / {label}: the fixture must give every column"
            for col, value in cols.items():
                if col.startswith("_"):
                    continue
                got = table.cell(label, col)
                assert got == (pytest.approx(value) if value is not None else None), \
                    f"{table_key} / {label} / {col}: got {got}, expected {value} ({cols.get('_why', '')})"
        for row in table.rows:  # every row not in the fixture is empty
            if row[0] in listed:
                continue
            for col, value in zip(table.columns[1:], row[1:]):
                assert value in (0, None), f"{table_key} / {row[0]} / {col.key} should be 0, is {value}"
    # the summary table shows the same headline figures, in rows
    summary = report.table("cases_summary")
    assert summary.cell("调解成功率", "value") == 0.5
    assert summary.cell("协议涉及金额(元)", "value") == 25000.0
    assert summary.row_kinds is not None and len(summary.row_kinds) == len(summary.rows)


def test_report_of_other_scopes(built: tuple[Station, dict[str, str]]) -> None:
    st, ids = built
    c = EXPECTED["committee_scope"]
    report = st.reports.build_report("2026-10", f"committee:{ids[c['scope']]}")
    assert report.scope["label"] == f"调解委员会：{c['scope']}"
    _check_figures(report, c["figures"])
    keys = {t.key for t in report.tables}
    assert not keys & set(c["absent_tables"])
    assert [r[0] for r in report.table("cases_by_committee").rows] == [c["scope"], "合计"]

    v = EXPECTED["village_scope"]
    report = st.reports.build_report("2026-10", f"village:{ids[v['scope']]}")
    _check_figures(report, v["figures"])
    assert [r[0] for r in report.table("visits_by_village").rows] == [v["scope"], "合计"]

    adviser = st.reports.build_report("2026-10", f"adviser:{ids['韩志强']}")
    assert adviser.figures["visits.count"] == 2 and adviser.figures["visits.hours"] == 5.0  # V2 + V4
    assert adviser.figures["cases.accepted"] == 0  # he mediated none
    with pytest.raises(ValidationError, match="找不到"):
        st.reports.build_report("2026-10", "village:no-such-uid")


def test_quarter_and_year_include_the_september_and_november_records(built: tuple[Station, dict[str, str]]) -> None:
    st, _ = built
    q4 = st.reports.build_report("2026-Q4")
    assert q4.figures["consultations.total"] == 6  # + C6 (11-01)
    assert q4.figures["cases.written"] == 2  # + K4 (11-02)
    assert q4.figures["cases.prevents_crime_persons"] == 5  # K1 2 + K4 3
    year = st.reports.build_report("2026")
    assert year.figures["consultations.total"] == 7  # + C5 (09-30)
    assert year.figures["cases.accepted"] == 9 - 1  # all but the refused K5
    assert year.figures["cases.group"] == 2  # + K8
    assert year.figures["visits.hours"] == pytest.approx(9 + 20 + 4 + 10)
    custom = st.reports.build_report("2026-10-31..2026-11-01")
    assert custom.figures["consultations.total"] == 2  # C4 23:30 and C6 00:10


@pytest.mark.parametrize("text,start,end", [
    ("2026-10", "2026-10-01", "2026-10-31"), ("2026-02", "2026-02-01", "2026-02-28"),
    ("2024-02", "2024-02-01", "2024-02-29"), ("2026-Q4", "2026-10-01", "2026-12-31"),
    ("2026q1", "2026-01-01", "2026-03-31"), ("2026-H2", "2026-07-01", "2026-12-31"),
    ("2026", "2026-01-01", "2026-12-31"), ("2026-10-05..2026-10-09", "2026-10-05", "2026-10-09"),
])
def test_periods(text: str, start: str, end: str) -> None:
    p = parse_period(text)
    assert (p.start.isoformat(), p.end.isoformat()) == (start, end)


@pytest.mark.parametrize("bad", ["", "2026-13", "2026-Q5", "10-2026", "2026-10-09..2026-10-01", "去年"])
def test_bad_periods_and_scopes_say_why_in_chinese(bad: str) -> None:
    with pytest.raises(ValidationError) as e:
        parse_period(bad)
    assert e.value.errors[0].label == "统计期间"
    for scope in ("county", "village", "station:x"):
        with pytest.raises(ValidationError, match="统计范围"):
            parse_scope(scope)


def test_closing_a_period_stores_a_synced_snapshot(built: tuple[Station, dict[str, str]]) -> None:
    st, _ = built
    assert SYNCED_MODELS["period_closure"] is PeriodClosure
    with pytest.raises(ValidationError, match="尚未结束"):
        st.reports.close_period("2026-10", today=dt.date(2026, 10, 31))
    saved = st.reports.close_period("2026-10", today=dt.date(2026, 11, 1))
    rec = saved.record
    assert (rec["period"], rec["scope"], rec["period_start"], rec["period_end"]) == \
        ("2026-10", "station", "2026-10-01", "2026-10-31")
    snap = Report.from_dict(rec["snapshot"])
    assert snap.figures["cases.success_rate"] == 0.5 and snap.closure["uid"] == rec["uid"]
    with st.read() as s:
        out = s.execute(select(OutboxEntry.uid, OutboxPayload.payload).join(
            OutboxPayload, OutboxPayload.seq == OutboxEntry.seq).where(OutboxEntry.kind == "period_closure")).all()
    assert [o.uid for o in out] == [rec["uid"]]  # goes up with the next sync
    assert json.loads(out[0].payload)["snapshot"]["figures"]["cases.accepted"] == 6
    again = st.reports.build_report("2026-10")
    assert again.closure and again.closure["uid"] == rec["uid"] and again.corrections == []
    assert st.reports.get_snapshot("2026-10").figures == snap.figures
    assert [c["period"] for c in st.reports.list_closures()] == ["2026-10"]


def test_edits_after_closing_are_listed_as_corrections(built: tuple[Station, dict[str, str]]) -> None:
    st, ids = built
    st.reports.close_period("2026-10", today=dt.date(2026, 11, 1))
    time.sleep(1.05)  # timestamps have whole seconds: the edit must be strictly later than the closure
    st.mediation.update_case(ids["K3"], {"is_difficult": True})
    st.visits.update_visit(ids["V3"], {"hours": 1.5})
    st.consultations.update_consultation(ids["C5"], {"question": "九月的咨询"})  # September: not a correction
    report = st.reports.build_report("2026-10")
    assert {(c["kind"], c["uid"]) for c in report.corrections} == {("case", ids["K3"]), ("visit", ids["V3"])}
    assert report.figures["visits.hours"] == pytest.approx(9.5)  # the report itself is current
    assert st.reports.get_snapshot("2026-10").figures["visits.hours"] == 9.0  # the snapshot is not
    assert report.table("corrections").rows[0][0] == "2026-10"
    # the report of the month the edits were made in lists them too
    this_month = dt.date.today().strftime("%Y-%m")
    later = st.reports.build_report(this_month)
    assert {c["uid"] for c in later.corrections} == {ids["K3"], ids["V3"]}
    # ... but not a month before the closure
    assert st.reports.build_report("2026-09").corrections == []
    # closing again takes a new snapshot; the old corrections are then included
    st.reports.close_period("2026-10", today=dt.date(2026, 11, 1))
    assert st.reports.build_report("2026-10").corrections == []


def test_a_deleted_case_and_its_follow_up_are_not_counted(built: tuple[Station, dict[str, str]]) -> None:
    st, ids = built
    st.records.delete_record("case", ids["K2"])
    report = st.reports.build_report("2026-10")
    assert report.figures["cases.accepted"] == 5 and report.figures["cases.oral"] == 0
    assert report.table("satisfaction").cell("人民调解回访", "sat_basic") == 0  # K2's follow-up
    assert report.table("satisfaction").cell("人民调解回访", "sat_satisfied") == 1


def test_period_closures_migration_goes_down_and_up(tmp_path: Path) -> None:
    before = "0003"  # the revision before period closures
    from alembic import command
    from sqlalchemy import inspect

    from station.db.engine import make_engine
    from station.db.migrate import alembic_config, current_revision, migrate

    engine = make_engine(tmp_path / "station.db")
    migrate(engine, None, None)
    cfg = alembic_config()
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, before)
        conn.commit()
    assert current_revision(engine) == before
    insp = inspect(engine)
    assert "period_closures" not in insp.get_table_names()
    assert "ix_consultations_stats" not in {i["name"] for i in insp.get_indexes("consultations")}
    migrate(engine, None, None)
    insp = inspect(engine)
    assert "period_closures" in insp.get_table_names()
    assert "ix_mediation_cases_outcome_stats" in {i["name"] for i in insp.get_indexes("mediation_cases")}
    engine.dispose()


@pytest.mark.parametrize("text,before", [
    ("2026-10", "2026-09"), ("2026-01", "2025-12"), ("2026-Q1", "2025-Q4"), ("2026-Q3", "2026-Q2"),
    ("2026-H1", "2025-H2"), ("2026-H2", "2026-H1"), ("2026", "2025"),
    ("2026-10-05..2026-10-09", "2026-09-30..2026-10-04"),
])
def test_previous_period(text: str, before: str) -> None:
    from station.periods import previous
    assert previous(parse_period(text)).key == before


def test_comparison_with_the_previous_month(built: tuple[Station, dict[str, str]]) -> None:
    st, _ = built
    report = st.reports.build_report("2026-10", compare=True)
    summary = report.table("cases_summary")
    assert [c.label for c in summary.columns] == ["指标", "数值", "上期（2026年9月）", "增减", "口径"]
    # September: K1 applied 09-25 and accepted 09-28, K8's judicial confirmation applied 09-05, no outcomes
    assert summary.cell("申请调解", "previous") == 1 and summary.cell("申请调解", "change") == 6
    assert summary.cell("受理调解", "previous") == 1 and summary.cell("受理调解", "change") == 5
    assert summary.cell("申请司法确认", "change") == 0
    assert summary.cell("调解成功率", "previous") is None and summary.cell("调解成功率", "change") is None
    assert report.previous is not None and report.previous["consultations.total"] == 1  # C5
    assert st.reports.build_report("2026-10").previous is None


def test_monthly_series_for_charts(built: tuple[Station, dict[str, str]]) -> None:
    st, ids = built
    data = st.reports.monthly_series(2026)
    assert data["months"][0] == "1月" and len(data["months"]) == 12
    s = {k: v["values"] for k, v in data["series"].items()}
    zero = [0.0] * 12

    def at(**months: float) -> list[float]:
        out = list(zero)
        for m, v in months.items():
            out[int(m[1:]) - 1] = v
        return out

    assert s["consultations"] == at(m9=1, m10=5, m11=1)  # C5; C1 C2 C3 C4 C7; C6 (C8 deleted)
    assert s["cases_accepted"] == at(m8=1, m9=1, m10=6)  # K8; K1; October
    assert s["cases_succeeded"] == at(m8=1, m10=2, m11=1)  # K8; K1 K2; K4
    assert s["cases_failed"] == at(m10=2)  # K3 failed, K6 terminated (K7 withdrawn is neither)
    assert s["visit_hours"] == at(m3=10, m9=20, m10=9, m11=4)  # V8; V5; V1-V4; V6 (V7 is 2025)
    by_type = {t["name"]: t["values"] for t in data["accepted_by_type"]}
    assert sum(sum(v) for v in by_type.values()) == sum(s["cases_accepted"])  # every accepted case, once
    assert by_type["婚姻家庭纠纷"] == at(m8=1, m9=1, m10=1)  # K8 08-02, K1 09-28, K4 10-12
    assert by_type["邻里纠纷"] == at(m10=1)  # K2 (K5 refused)
    committee = st.reports.monthly_series(2026, f"committee:{ids['南坪村人民调解委员会']}")
    assert set(committee["series"]) == {"cases_accepted", "cases_succeeded", "cases_failed"}
    assert committee["series"]["cases_accepted"]["values"] == at(m10=1)
