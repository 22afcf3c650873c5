"""What the 导入台账 page shows comes from the core: coded values and how they are read, the
preview as the import reads it, and GUI exports checked against permissions and audited."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from station import Station
from station.errors import PermissionDenied
from station.ledger.export import export_list
from station.ledger.importer import import_ledger, read_ledger
from station.ledger.valuemap import choices, coded_columns, preview_read, read_as
from station.models import AuditEntry

from .ledger_files import case_ledger, consultation_ledger

NAMES = {"dispute_type": {"01": "婚姻家庭纠纷", "02": "邻里纠纷"}, "consultation_category": {"C05": "婚姻家庭"}}


def test_coded_values_and_how_they_are_read(tmp_path: Path) -> None:
    (sheet,) = read_ledger(case_ledger(tmp_path / "c.xlsx", messy=True))
    cols = {c["field"]: c for c in coded_columns(sheet, NAMES)}
    assert set(cols) == {"applicant.gender", "dispute_type", "outcome"}
    outcome = {v["raw"]: v for v in cols["outcome"]["values"]}
    assert outcome["调解成功"]["rows"] == 3 and outcome["调解成功"]["reads_as"] == "书面协议"
    assert outcome["调解中"]["reads_as"] == "调解中（未结案）"
    assert outcome["好像成了"]["reads_as"] is None and "无法识别的调解结果" in outcome["好像成了"]["problem"]
    disputes = {v["raw"]: v["reads_as"] for v in cols["dispute_type"]["values"]}
    assert disputes["邻里"] == "邻里纠纷" and disputes["宅基地纠纷X"] is None


@pytest.mark.parametrize("field", ["outcome", "dispute_type", "category_code", "channel", "handling", "mode",
                                   "service_types", "satisfaction", "applicant.gender"])
def test_every_offered_target_is_one_the_import_reads(field: str) -> None:
    offered = choices(field, NAMES)
    assert offered
    for target, label in offered.items():
        read = read_as(field, target, NAMES)  # raises Unclear if the import could not read it
        assert read == label or (field == "outcome" and target == "调解中"), (target, read, label)


def test_preview_reads_dates_codes_and_masks(tmp_path: Path) -> None:
    (sheet,) = read_ledger(case_ledger(tmp_path / "c.xlsx", messy=True))
    rows = {r["row"]: r["cells"] for r in preview_read(sheet, NAMES, {"outcome": {"好像成了": "failed"}})}
    assert [rows[n]["accepted_on"]["text"] for n in (4, 5, 6, 7, 9)] == [
        "2025-03-05", "2025-04-01", "2025-04-15", "2025-05-10", "2025-06-01"]
    assert rows[8]["accepted_on"] == {"text": "2025.13.1", "problem": "日期不存在：“2025.13.1”"}
    assert rows[8]["outcome"] == {"text": "调解不成", "problem": None}  # the user's value mapping applies
    assert rows[5]["applicant.name"]["text"] == "王*"  # 王 五: the space goes, then the mask
    assert rows[4]["applicant.id_number"]["text"] == "340621********0016"
    assert "存成了数字" in rows[9]["applicant.id_number"]["problem"]
    revealed = preview_read(sheet, NAMES, reveal=True)[0]["cells"]
    assert revealed["applicant.name"]["text"] == "张三" and revealed["applicant.phone"]["text"] == "13812345678"


def test_import_reports_progress_row_by_row(ready: Station, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    report = import_ledger(ready, consultation_ledger(tmp_path / "z.xlsx"), progress=lambda d, t: seen.append((d, t)))
    assert report.committed and seen == [(1, 2), (2, 2)]


def test_gui_export_is_audited_and_needs_the_data_permission(ready: Station, tmp_path: Path) -> None:
    import_ledger(ready, consultation_ledger(tmp_path / "z.xlsx"))
    assert export_list(ready, "consultation", tmp_path / "out.xlsx") == 2
    with ready.read() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "export")).one()
    assert entry.kind == "consultation"
    assert json.loads(entry.detail) == {"format": "xlsx", "records": 2, "revealed": False, "via": "gui",
                                        "to_file": True}
    ready.accounts.create_chief("chief", "correct-horse-1", name="王所长")
    ready.sign_in("chief", "correct-horse-1")
    clerk = ready.ids["clerk"]  # type: ignore[attr-defined]
    ready.accounts.add_account("clerk", "correct-horse-1", ["counter"], staff_uid=clerk)
    ready.sign_out()
    ready.sign_in("clerk", "correct-horse-1")
    with pytest.raises(PermissionDenied):
        export_list(ready, "consultation", tmp_path / "clerk.xlsx")
    assert not (tmp_path / "clerk.xlsx").exists()
