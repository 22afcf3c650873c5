"""Screenshots of the 导入台账 page and the About box: ``xvfb-run -a python docs/make_ledger_screenshots.py``.

Also run by docs/make_screenshots.py after the other screens. The ledger is made here with openpyxl
the way township offices keep theirs: a title row, a header merged over two rows, dates typed
every which way, full-width digits, and a few rows the import cannot understand.
"""
from __future__ import annotations

import datetime as dt
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

GOOD_IDS = ["340621198001010016", "11010519491231002X", "110105194912310118"]


def messy_ledger(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "2025年"
    ws.append(["临涣镇人民调解委员会纠纷受理登记台账（2025年）"])
    ws.merge_cells("A1:N1")
    ws.append(["序号", "受理日期", "申请人", None, None, None, "被申请人", None, "纠纷类型", "纠纷简要情况",
               "调解结果", "结案日期", "协议内容", "调解员"])
    ws.append([None, None, "姓名", "性别", "身份证号", "联系电话", "姓名", "联系电话"])
    for col in ("A", "B", "I", "J", "K", "L", "M", "N"):
        ws.merge_cells(f"{col}2:{col}3")
    ws.merge_cells("C2:F2")
    ws.merge_cells("G2:H2")
    rows = [
        [1, dt.date(2025, 3, 5), "张德明", "男", GOOD_IDS[0], "13812345678", "李桂芳", "13912345678", "邻里纠纷",
         "因排水沟堵塞引发争执", "调解成功", dt.date(2025, 3, 12), "李桂芳疏通排水沟\n张德明赔偿损失200元", "孙德胜"],
        [2, "2025.4.1", "王 秀英", "女", GOOD_IDS[1], "", "赵建国", "", "婚姻家庭",
         "离婚后子女抚养费争议", "调解不成", "2025年4月20日", "", "孙德胜"],
        [3, 45762, "陈志强", "男", GOOD_IDS[2], "１３７００００１１１１", "刘海涛", "", "邻里",
         "宅基地边界争议", "调解中", None, "", "孙德胜"],
        [4, "20250510", " 钱玉兰 ", "女", "340621198001010017", "", "孙立新", "", "宅基地纠纷X", "宅基地界址争议",
         "调解成功", "2025/05/20", "双方确认界址", "孙德胜"],
        [5, "2025.13.1", "吴春燕", "女", "", "", "郑明华", "", "邻里", "装修噪音扰民", "好像成了", None, "",
         "孙德胜"],
        [6, "２０２５．６．１", "冯国庆", "男", 340621198001010016, "", "褚卫东", "", "婚姻家庭纠纷", "彩礼返还争议",
         "调解成功", "2025-06-10", "褚卫东返还彩礼三万元", "孙德胜"],
    ]
    for r in rows:
        ws.append(r)
    ws.append(["合计：6件"])
    ws.append(["制表人：马建国", None, None, None, None, None, None, None, "审核人：孙德胜"])
    wb.save(path)
    return path


def ledger_shots(app: QApplication, gui: Any, shot: Callable[..., None], spin: Callable[..., None],
                 folder: Path) -> None:
    """18: the page with a messy ledger loaded; 19: its dry run; 20: the About box."""
    from ui.main_window import SCREENS
    win = gui.window
    win.show_page(next(i for i, s in enumerate(SCREENS) if s[2] == "LedgerImportPage"))
    page = win.page("LedgerImportPage")
    page.load(str(messy_ledger(folder / "调解台账2025.xlsx")))
    for _ in range(100):
        spin(app, gui, 0.1)
        if page.sheet is not None:
            break
    shot("18-ledger-import")
    page.start(dry_run=True)
    for _ in range(100):
        spin(app, gui, 0.1)
        if page.report is not None:
            break
    shot("19-ledger-dry-run")
    win.show_about()
    about = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "about_dialog" and w.isVisible())
    shot("20-about", widget=about)
    about.reject()


def main(records: int = 300) -> None:
    from docs.make_screenshots import OUT, SIZE, prepare, spin
    from ui.app import StationApp
    OUT.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="station-shots-"))
    try:
        prepare(folder, records)
        gui = StationApp(folder)
        app = gui.app
        gui.window.resize(*SIZE)
        gui.window.show()
        spin(app, gui, 1.5)

        def shot(name: str, widget: QWidget | None = None) -> None:
            spin(app, gui)
            (widget or gui.window).grab().save(str(OUT / f"{name}.png"))
            print("wrote", name)
        ledger_shots(app, gui, shot, spin, folder)
        gui.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
