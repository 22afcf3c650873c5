"""Excel ledger import: realistic messy ledgers, dry run problems by row and column, one
transaction, re-import creates nothing; and the CLI around it."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from station import Station
from station.ledger import values as V
from station.ledger.importer import import_ledger, read_ledger
from station.models import LedgerImport, MediationCase, OutboxEntry, Person

from .conftest import VALID_ID, VALID_ID_2
from .ledger_files import case_ledger, consultation_ledger, visit_ledger


def _count(st: Station, model: type) -> int:
    with st.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_values_as_people_type_them() -> None:
    for text in ("2026.3.5", "2026年3月5日", "2026/03/05", "20260305", 20260305, "２０２６．３．５", " 2026-3-5 ",
                 46086, dt.datetime(2026, 3, 5, 0, 0)):
        assert V.parse_date(text) == dt.date(2026, 3, 5), text
    assert V.parse_datetime("2026-03-05 9:30") == dt.datetime(2026, 3, 5, 9, 30)
    for bad in ("2026.13.1", "去年三月", "2026.3", 12):
        with pytest.raises(V.Unclear):
            V.parse_date(bad)
    assert V.outcome("调解成功") == "written" and V.outcome(" 成功 ") == "written"
    assert V.outcome("调解不成") == "failed" and V.outcome("口头协议") == "oral" and V.outcome("调解中") is None
    with pytest.raises(V.Unclear):
        V.outcome("好像成了")
    names = {"02": "邻里纠纷", "01": "婚姻家庭纠纷", "1001": "拖欠农民工工资纠纷"}
    assert V.dispute_type("邻里", names) == "02" and V.dispute_type("婚姻家庭纠纷", names) == "01"
    with pytest.raises(V.Unclear):
        V.dispute_type("宅基地纠纷X", names)
    assert V.channel("来访") == "visit" and V.channel("电话") == "phone"
    assert V.service_types("法治宣传、法律咨询") == ["education", "consultation"]
    with pytest.raises(V.Unclear, match="数字"):
        V.parse_id_number(340621198001010016)
    assert V.parse_id_number(" 1101051949123１002x ") == VALID_ID
    assert V.parse_number("１,200元") == 1200.0


def test_header_detection_title_row_and_merged_two_row_header(tmp_path: Path) -> None:
    (sheet,) = read_ledger(case_ledger(tmp_path / "c.xlsx"))
    assert sheet.kind == "case" and sheet.header_rows == (2, 3)
    fields = {c.letter: c.field for c in sheet.columns}
    assert fields == {"A": None, "B": "accepted_on", "C": "applicant.name", "D": "applicant.gender",
                      "E": "applicant.id_number", "F": "applicant.phone", "G": "respondent.name",
                      "H": "respondent.phone", "I": "dispute_type", "J": "facts", "K": "outcome",
                      "L": "outcome_on", "M": "terms", "N": "mediators"}
    assert [n for n, _ in sheet.rows] == [4, 5, 6]  # 合计 / 制表人 lines under the table are not rows
    (cons,) = read_ledger(consultation_ledger(tmp_path / "z.xlsx"))  # the notes sheet is no ledger
    assert cons.kind == "consultation" and cons.header_rows == (2,)
    (visit,) = read_ledger(visit_ledger(tmp_path / "v.xlsx"))
    assert visit.kind == "visit" and visit.mapping()["hours"].letter == "G"


def test_dry_run_lists_every_problem_by_row_and_column_and_writes_nothing(ready: Station, tmp_path: Path) -> None:
    path = case_ledger(tmp_path / "messy.xlsx", messy=True)
    before = (_count(ready, Person), _count(ready, MediationCase), _count(ready, OutboxEntry))
    report = import_ledger(ready, path, dry_run=True)
    errors = {(p.row, p.column): p.message for p in report.errors}
    assert errors == {
        (7, "E"): "校验位错误，请核对号码",
        (7, "I"): "不是已知的纠纷类型：“宅基地纠纷X”",
        (8, "B"): "日期不存在：“2025.13.1”",
        (8, "K"): errors[(8, "K")],
        (9, "E"): errors[(9, "E")],
    }
    assert "好像成了" in errors[(8, "K")] and "存成了数字" in errors[(9, "E")]
    assert all(p.header for p in report.errors)
    assert "第7行 E列（申请人/身份证号）" in str(report.errors[0])
    assert not report.committed
    assert (_count(ready, Person), _count(ready, MediationCase), _count(ready, OutboxEntry)) == before
    # the same file imported for real is refused as a whole
    real = import_ledger(ready, path)
    assert not real.committed and len(real.errors) == 5
    assert _count(ready, MediationCase) == before[1]


def test_clean_ledger_imports_in_one_transaction_with_the_ledger_states(ready: Station, tmp_path: Path) -> None:
    path = case_ledger(tmp_path / "c.xlsx")
    report = import_ledger(ready, path)
    assert report.committed and not report.errors
    assert report.created == {"person": 6, "staff": 1, "case": 3}  # 孙德胜 exists, 周敏 is new
    cases = {c["facts"]: ready.mediation.get_case(c["uid"]) for c in ready.records.list_records("case")}
    agreed = cases["因排水沟堵塞引发争执"]
    assert agreed["status"] == "agreed" and agreed["outcome"] == "written"
    assert (agreed["accepted_on"], agreed["outcome_on"]) == ("2025-03-05", "2025-03-12")
    assert agreed["terms"] == ["李四疏通排水沟", "张三赔偿损失200元"] and agreed["dispute_type"] == "02"
    assert [p["person"]["name"] for p in agreed["parties"]] == ["张三", "李四"]
    assert agreed["parties"][0]["person"]["id_number"] == VALID_ID_2
    failed = cases["离婚后子女抚养费争议"]
    assert failed["status"] == "failed" and failed["outcome_on"] == "2025-04-20"
    assert failed["parties"][0]["person"]["name"] == "王五"  # stray space gone
    assert len(failed["mediator_uids"]) == 2
    open_case = cases["买卖合同货款未付"]
    assert open_case["status"] == "accepted" and open_case["accepted_on"] == "2025-04-15"  # Excel serial
    assert open_case["parties"][0]["person"]["phone"] == "13700001111"  # full-width digits
    # every change went to the outbox in the same transaction
    with ready.read() as s:
        kinds = set(s.scalars(select(OutboxEntry.kind)))
        assert {"case", "person", "case_party", "case_session"} <= kinds
        assert s.scalar(select(func.count()).select_from(LedgerImport)) == 3


def test_reimport_creates_nothing_and_persons_are_reused(ready: Station, tmp_path: Path) -> None:
    path = case_ledger(tmp_path / "c.xlsx")
    import_ledger(ready, path)
    counts = (_count(ready, Person), _count(ready, MediationCase), _count(ready, OutboxEntry))
    again = import_ledger(ready, path)
    assert again.committed and again.created == {} and again.skipped == 3
    assert (_count(ready, Person), _count(ready, MediationCase), _count(ready, OutboxEntry)) == counts
    # a consultation ledger naming the same ID number reuses the person (一人一档)
    cons = import_ledger(ready, consultation_ledger(tmp_path / "z.xlsx"))
    assert cons.committed and cons.reused_persons == 1 and cons.created == {"person": 1, "consultation": 2}
    dossier = ready.people.person_dossier(ready.people.find_duplicates({"id_number": VALID_ID_2})[0]["uid"])
    assert len(dossier["cases"]) == 1 and len(dossier["consultations"]) == 1


def test_visit_ledger_creates_missing_villages_and_reports_it(ready: Station, tmp_path: Path) -> None:
    report = import_ledger(ready, visit_ledger(tmp_path / "v.xlsx"))
    assert report.committed and report.created == {"village": 1, "visit": 2}  # 南坪村 exists
    assert any("北湖社区" in p.message and p.column == "C" and p.level == "warning" for p in report.problems)
    visits = sorted(ready.records.list_records("visit"), key=lambda v: v["visit_date"])
    assert [v["hours"] for v in visits] == [2.5, 1.0]
    assert visits[0]["service_types"] == ["education", "consultation"] and visits[0]["attendees"] == 40


def test_missing_column_is_reported_not_guessed(ready: Station, tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["受理日期", "申请人", "被申请人", "纠纷简要情况", "调解结果"])
    ws.append(["2025-03-05", "张三", "李四", "吵架", "调解成功"])
    wb.save(tmp_path / "no_type.xlsx")
    report = import_ledger(ready, tmp_path / "no_type.xlsx", kind="case", dry_run=True)
    assert [(p.row, p.header) for p in report.errors] == [(None, "纠纷类型")]
    fixed = import_ledger(ready, tmp_path / "no_type.xlsx", kind="case", overrides={"纠纷简要情况": "dispute_type"},
                          dry_run=True)
    assert [(p.row, p.column) for p in fixed.errors] == [(2, "D"), (2, None)]  # 吵架 is no dispute type
    assert "调解员" in fixed.errors[1].message  # an accepted case needs a mediator: not invented
    assert "调解员" in str(fixed.errors[1])
    named = import_ledger(ready, tmp_path / "no_type.xlsx", kind="case",
                          overrides={"纠纷简要情况": "dispute_type"}, default_mediator="孙德胜", dry_run=True)
    assert [(p.row, p.column) for p in named.errors] == [(2, "D")]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "station.cli", *args], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parent.parent, timeout=120)


def test_cli_import_dry_run_exit_codes_and_xlsx_export(tmp_path: Path) -> None:
    data = str(tmp_path / "d")
    assert _cli("--data-dir", data, "init", "--code", "340621101", "--name", "临涣镇司法所", "--abbr", "临").returncode == 0
    messy = _cli("--data-dir", data, "import", str(case_ledger(tmp_path / "m.xlsx", messy=True)), "--dry-run")
    assert messy.returncode == 2 and "第8行 B列（受理日期）" in messy.stderr and "未写入" in messy.stderr
    clean = case_ledger(tmp_path / "c.xlsx")
    dry = _cli("--data-dir", data, "import", str(clean), "--dry-run", "--json")
    assert dry.returncode == 0 and json.loads(dry.stdout)["created"]["case"] == 3
    assert _cli("--data-dir", data, "import", str(clean)).returncode == 0
    again = _cli("--data-dir", data, "import", str(clean), "--json")
    assert json.loads(again.stdout)["skipped"] == 3 and json.loads(again.stdout)["created"] == {}
    bad_map = _cli("--data-dir", data, "import", str(clean), "--map", "Z=facts")
    assert bad_map.returncode == 2 and "没有列“Z”" in bad_map.stderr
    out = tmp_path / "cases.xlsx"
    assert _cli("--data-dir", data, "export", "--format", "xlsx", "--kind", "case", "-o", str(out)).returncode == 0
    from openpyxl import load_workbook
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("登记编号", "案号", "申请日期", "受理日期") and len(rows) == 4
    first = rows[-1]
    assert first[2] == dt.datetime(2025, 3, 5) and first[4] == "张*"  # a real date cell; name masked
    revealed = tmp_path / "people.xlsx"
    assert _cli("--data-dir", data, "export", "--format", "xlsx", "--kind", "person", "--reveal", "-o",
                str(revealed)).returncode == 0
    people = list(load_workbook(revealed).active.iter_rows(values_only=True))
    assert VALID_ID_2 in [r[3] for r in people]


def test_preview_shows_cleaned_cells_masked(tmp_path: Path) -> None:
    from station.ledger.importer import preview

    (sheet,) = read_ledger(case_ledger(tmp_path / "c.xlsx"))
    rows = preview(sheet, 2)
    assert [r["row"] for r in rows] == [4, 5]
    first = rows[0]["cells"]
    assert first["applicant.name"] == "张*" and first["applicant.id_number"] == "340621********0016"
    assert first["dispute_type"] == "邻里纠纷" and first["terms"] == "李四疏通排水沟\n张三赔偿损失200元"
    assert preview(sheet, 1, reveal=True)[0]["cells"]["applicant.id_number"] == VALID_ID_2


def test_user_value_mapping_resolves_what_the_guess_refused(ready: Station, tmp_path: Path) -> None:
    path = case_ledger(tmp_path / "messy.xlsx", messy=True)
    report = import_ledger(ready, path, dry_run=True,
                           value_maps={"outcome": {"好像成了": "调解中"}, "dispute_type": {"宅基地纠纷X": "03"}})
    assert sorted((p.row, p.column) for p in report.errors) == [(7, "E"), (8, "B"), (9, "E")]


def test_cli_value_option_and_jsonl_guard(tmp_path: Path) -> None:
    data = str(tmp_path / "d")
    _cli("--data-dir", data, "init", "--code", "340621101", "--name", "临涣镇司法所", "--abbr", "临")
    bad = _cli("--data-dir", data, "import", str(case_ledger(tmp_path / "m.xlsx", messy=True)), "--dry-run",
               "--value", "outcome:好像成了=调解中", "--value", "dispute_type:宅基地纠纷X=03")
    assert bad.returncode == 2 and "第8行 K列" not in bad.stderr and "第7行 I列" not in bad.stderr
    assert "第8行 B列" in bad.stderr
    wrong = _cli("--data-dir", data, "import", str(case_ledger(tmp_path / "m2.xlsx")), "--value", "outcome")
    assert wrong.returncode == 2 and "字段:原值=新值" in wrong.stderr
    jsonl = tmp_path / "x.jsonl"
    jsonl.write_text("", encoding="utf-8")
    guard = _cli("--data-dir", data, "import", str(jsonl), "--dry-run")
    assert guard.returncode == 2 and "只用于 Excel" in guard.stderr



def test_import_of_a_chinese_named_file_is_audited_without_the_name(ready: Station, tmp_path: Path) -> None:
    from sqlalchemy import text

    report = import_ledger(ready, case_ledger(tmp_path / "人民调解台账（2025）.xlsx"))
    assert report.committed
    with ready.read() as s:
        details = [d for (d,) in s.execute(text("SELECT detail FROM audit_log WHERE action = 'import'"))]
    assert len(details) == 1 and "台账" not in str(details[0])
    assert json.loads(details[0]) == {"format": "xlsx", "case": 3, "person": 6, "staff": 1, "skipped": 0}
