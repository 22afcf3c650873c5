"""The 导入台账 page, 导出Excel on the list pages, and the About box — driven headless by accessible name
with the realistic ledgers of tests/ledger_files.py."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterator

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from openpyxl import load_workbook  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QTableWidget  # noqa: E402
from sqlalchemy import select  # noqa: E402

from station import Station  # noqa: E402
from station.models import AuditEntry  # noqa: E402

from .conftest import VALID_ID, VALID_ID_2  # noqa: E402
from .gui_helpers import choose, click, dialog, find, idle, open_screen, start_gui, stop_gui  # noqa: E402
from .ledger_files import case_ledger, consultation_ledger  # noqa: E402


@pytest.fixture
def gui(ready: Station, qtbot: Any) -> Iterator[Any]:
    ready.people.save_person({"name": "王桂英", "gender": "女", "phone": "13912345678", "id_number": VALID_ID})
    folder = ready.data_dir
    ready.close()
    app = start_gui(qtbot, folder)
    yield app
    stop_gui(qtbot, app)


def open_page(qtbot: Any, gui: Any, cls_name: str) -> Any:
    return open_screen(qtbot, gui, cls_name)


def load(qtbot: Any, page: Any, path: Path) -> None:
    edit = find(page, "文件", QLineEdit)
    edit.setFocus()
    edit.setText(str(path))
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.sheet is not None, timeout=10000)


def run(qtbot: Any, gui: Any, page: Any, button: str) -> str:
    click(qtbot, find(page, button))
    label = find(page, "导入结果", QLabel)
    qtbot.waitUntil(lambda: label.text().startswith(("有 ", "检查通过", "已导入")), timeout=20000)
    idle(qtbot, gui)
    return str(label.text())


def table_rows(table: QTableWidget) -> list[list[str]]:
    return [[table.item(r, c).text() if table.item(r, c) else "" for c in range(table.columnCount())]
            for r in range(table.rowCount())]


def test_messy_ledger_mapping_values_preview_and_dry_run(gui: Any, qtbot: Any, tmp_path: Path) -> None:
    page = open_page(qtbot, gui, "LedgerImportPage")
    status = find(page, "读取结果", QLabel)
    fake = tmp_path / "不是表格.xlsx"
    fake.write_text("这不是 Excel 文件", encoding="utf-8")
    edit = find(page, "文件", QLineEdit)
    edit.setText(str(fake))
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: status.text().startswith("无法读取这个文件"), timeout=10000)
    assert not find(page, "检查").isEnabled() and not find(page, "导入").isEnabled()
    load(qtbot, page, case_ledger(tmp_path / "调解台账.xlsx", messy=True))
    assert find(page, "工作表", QComboBox).currentText() == "2025年"
    assert find(page, "台账类型", QComboBox).currentText() == "人民调解台账"
    assert "表头在第2、3行" in find(page, "读取结果", QLabel).text()
    # the mapping is guessed from the (merged, two-row) headers
    assert find(page, "申请人/身份证号", QComboBox).currentData() == "applicant.id_number"
    assert find(page, "受理日期", QComboBox).currentData() == "accepted_on"
    assert find(page, "序号", QComboBox).currentText() == "（不导入）"
    # the preview reads as the import will, personal data masked
    preview = find(page, "导入预览", QTableWidget)
    headers = [preview.horizontalHeaderItem(i).text() for i in range(preview.columnCount())]
    rows = table_rows(preview)
    assert len(rows) == 6 and rows[0][0] == "4"
    ids = [r[headers.index("申请人身份证号码")] for r in rows]
    assert ids[0] == "340621********0016" and VALID_ID_2 not in json.dumps(rows, ensure_ascii=False)
    assert rows[0][headers.index("申请人姓名")] == "张*"
    assert "被申请人联系电话" in headers
    dates = {r[0]: r[headers.index("受理日期")] for r in rows}
    assert dates["4"] == "2025-03-05"
    assert dates["5"] == "2025-04-01" and dates["6"] == "2025-04-15" and dates["7"] == "2025-05-10"
    assert dates["9"] == "2025-06-01"  # full-width digits
    bad_date = preview.item(4, headers.index("受理日期"))
    assert bad_date.text() == "2025.13.1" and "日期不存在" in bad_date.toolTip()
    assert "存成了数字" in preview.item(5, headers.index("申请人身份证号码")).toolTip()
    # change one mapping: the respondent's phone column is not imported
    choose(qtbot, find(page, "被申请人/联系电话", QComboBox), "（不导入）")
    assert page.mapping["H"] is None
    headers = [preview.horizontalHeaderItem(i).text() for i in range(preview.columnCount())]
    assert "被申请人联系电话" not in headers
    # coded values: how each is read, and the unreadable one mapped by the user
    values = table_rows(find(page, "值对应", QTableWidget))
    assert ["K 调解结果", "调解成功", "3", "书面协议", ""] in values
    assert ["K 调解结果", "好像成了", "1", "无法识别", ""] in values
    outcome = headers.index("调解结果")
    assert "无法识别的调解结果" in preview.item(4, outcome).toolTip()
    choose(qtbot, find(page, "调解结果：好像成了", QComboBox), "调解不成")
    assert page.value_maps() == {"outcome": {"好像成了": "failed"}}
    assert preview.item(4, outcome).text() == "调解不成" and not preview.item(4, outcome).toolTip()

    before = gui.station.records.count_records("case", {})
    text = run(qtbot, gui, page, "检查")
    assert text.startswith("有 ") and "未写入任何数据" in text
    problems = table_rows(find(page, "检查结果", QTableWidget))
    assert ["7", "E 申请人/身份证号", "校验位错误，请核对号码"] in problems
    assert ["7", "I 纠纷类型", "不是已知的纠纷类型：“宅基地纠纷X”"] in problems
    assert ["8", "B 受理日期", "日期不存在：“2025.13.1”"] in problems
    assert any(r[0] == "9" and r[1].startswith("E ") and "存成了数字" in r[2] for r in problems)
    assert not any(r[0] == "8" and r[1].startswith("K ") for r in problems)  # 好像成了 now reads as 调解不成
    assert ["", "H 被申请人/联系电话", "提示：未对应到任何字段，该列不导入"] in problems
    assert gui.station.records.count_records("case", {}) == before  # a check writes nothing


def test_import_lands_in_the_ledger_once_and_exports_masked(gui: Any, qtbot: Any, tmp_path: Path) -> None:
    page = open_page(qtbot, gui, "LedgerImportPage")
    load(qtbot, page, case_ledger(tmp_path / "调解台账.xlsx"))
    assert run(qtbot, gui, page, "检查").startswith("检查通过（未写入）：将新建 调解案件 3")
    text = run(qtbot, gui, page, "导入")
    assert text.startswith("已导入：新建 调解案件 3") and "已导入过，跳过 0 行" in text
    mediation = open_page(qtbot, gui, "MediationPage")
    qtbot.waitUntil(lambda: mediation.model.total == 3, timeout=5000)
    facts = {mediation.model.record(i)["facts"] for i in range(3)}
    assert "因排水沟堵塞引发争执" in facts

    page = open_page(qtbot, gui, "LedgerImportPage")
    text = run(qtbot, gui, page, "导入")  # the same file again: nothing new
    assert "新建 无" in text and "已导入过，跳过 3 行" in text
    assert gui.station.records.count_records("case", {}) == 3

    # a consultation ledger: the kind is guessed from its headers, and the rows reach 咨询台账
    load(qtbot, page, consultation_ledger(tmp_path / "咨询台账.xlsx"))
    assert find(page, "台账类型", QComboBox).currentText() == "来访咨询台账"
    assert run(qtbot, gui, page, "导入").startswith("已导入：新建 咨询 2")
    consult = open_page(qtbot, gui, "ConsultationPage")
    qtbot.waitUntil(lambda: consult.model.total == 2, timeout=5000)

    # 导出Excel from the people list: ID numbers and names masked unless the user ticks otherwise
    people = open_page(qtbot, gui, "PeoplePage")
    out = tmp_path / "当事人.xlsx"
    click(qtbot, find(people, "导出Excel"))
    dlg = dialog("export_dialog")
    find(dlg, "保存到", QLineEdit).setText(str(out))
    assert not find(dlg, "导出完整个人信息", QCheckBox).isChecked()
    click(qtbot, find(dlg, "确定导出"))
    qtbot.waitUntil(out.exists, timeout=10000)
    idle(qtbot, gui)
    ws = load_workbook(out).active
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in r))) for r in ws.iter_rows(min_row=2)]
    by_id = {r["身份证号码"]: r for r in rows if r["身份证号码"]}
    assert "110105********002X" in by_id and by_id["110105********002X"]["姓名"] == "王**"
    assert VALID_ID not in json.dumps(rows, ensure_ascii=False, default=str)
    assert len(rows) >= 1 + 6  # 王桂英 and the six people of the case ledger (at least)
    with gui.station.read() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "export")
                          .order_by(AuditEntry.seq.desc())).first()
        assert entry is not None and entry.kind == "person"
        detail = json.loads(entry.detail)
    assert detail["revealed"] is False and detail["records"] == len(rows) and detail["via"] == "gui"


def test_about_box_on_f1(gui: Any, qtbot: Any) -> None:
    from station import __version__
    gui.window.activateWindow()
    qtbot.keyClick(gui.window, Qt.Key.Key_F1)
    dlg = dialog("about_dialog")
    assert __version__ in find(dlg, "软件版本", QLabel).text()
    text = find(dlg, "关于本软件").toPlainText()
    assert "随附字体" in text and "openpyxl" in text
    assert not find(dlg, "软件图标", QLabel).pixmap().isNull()
    assert not gui.app.windowIcon().isNull()
    dlg.reject()
