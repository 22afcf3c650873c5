"""Realistic Excel ledgers (台账) as township offices keep them, made with openpyxl for the tests."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook

from .conftest import VALID_ID, VALID_ID_2

ID_3 = "110105194912310118"  # valid check digit
BAD_ID = "340621198001010017"  # wrong check digit


def case_ledger(path: Path, *, messy: bool = False) -> Path:
    """人民调解台账: a title row, a header merged over two rows (申请人/被申请人 groups)."""
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
        [1, dt.date(2025, 3, 5), "张三", "男", VALID_ID_2, "13812345678", "李四", "13912345678", "邻里纠纷",
         "因排水沟堵塞引发争执", "调解成功", dt.date(2025, 3, 12), "李四疏通排水沟\n张三赔偿损失200元", "孙德胜"],
        [2, "2025.4.1", "王 五", "女", VALID_ID, "", "赵六", "", "婚姻家庭",
         "离婚后子女抚养费争议", "调解不成", "2025年4月20日", "", "孙德胜、周敏"],
        [3, 45762, "陈七", "男", ID_3, "１３７００００１１１１", "刘八", "", "合同纠纷",
         "买卖合同货款未付", "调解中", None, "", "周敏"],
    ]
    if messy:
        rows += [
            [4, "20250510", " 钱九 ", "男", BAD_ID, "", "孙十", "", "宅基地纠纷X", "宅基地界址争议", "调解成功",
             "2025/05/20", "双方确认界址", "孙德胜"],
            [5, "2025.13.1", "吴一", "女", "", "", "郑二", "", "邻里", "噪音", "好像成了", None, "", "孙德胜"],
            [6, "２０２５．６．１", "冯三", "男", 340621198001010016, "", "褚四", "", "其他纠纷", "借款纠纷",
             "调解成功", "2025-06-10", "", "孙德胜"],
        ]
    for r in rows:
        ws.append(r)
    ws.append(["合计：3件"])
    ws.append(["制表人：马建国", None, None, None, None, None, None, None, "审核人：孙德胜"])
    wb.save(path)
    return path


def consultation_ledger(path: Path) -> Path:
    """来访咨询台账: one header row under a title row; a second sheet of notes that is not a ledger."""
    wb = Workbook()
    ws = wb.active
    ws.title = "来访咨询登记"
    ws.append(["临涣镇司法所来访咨询登记台账"])
    ws.append(["序号", "来访日期", "姓名", "性别", "身份证号码", "电话", "住址", "来访方式", "咨询类别", "咨询内容",
               "答复意见"])
    ws.append([1, "2025/03/05", "张三", "男", VALID_ID_2, "13812345678", "南坪村3组", "来访", "婚姻家庭",
               "离婚后孩子抚养费怎么算", "依民法典第1085条，可协商或起诉确定"])
    ws.append([2, dt.datetime(2025, 3, 6, 9, 30), "钱 多多", "女", "", "0561-1234567", "", "电话", "劳动争议",
               "公司拖欠两个月工资", "可向劳动仲裁委申请仲裁"])
    notes = wb.create_sheet("说明")
    notes.append(["本台账每月报所长审核"])
    wb.save(path)
    return path


def visit_ledger(path: Path) -> Path:
    """法律顾问工作台账."""
    wb = Workbook()
    ws = wb.active
    ws.title = "法律顾问工作台账"
    ws.append(["序号", "服务日期", "村(居)", "法律顾问", "服务方式", "服务类型", "服务时长(小时)", "参加人数",
               "服务内容"])
    ws.append([1, "2025年3月5日", "南坪村", "孙德胜", "实地服务", "法治宣传、法律咨询", 2.5, 40, "民法典宣讲"])
    ws.append([2, "2025.3.19", "北湖社区", "孙德胜", "远程", "合同审查", 1, None, "审查土地流转合同"])
    wb.save(path)
    return path
