"""Period ledgers on landscape A4: 来访咨询登记台账 and 村(居)法律顾问工作日志."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from reportlab.platypus import Flowable

from ... import codes
from ...services import ledgers
from ...station import Station
from ..context import Period
from ..layout import PLAIN, SMALL, SMALL_LABEL, TITLE, PageInfo, TextBlock, gap, grid
from .common import Built

LEDGER_TITLE = replace(TITLE, size=18, leading=30)
SUBTITLE = replace(PLAIN, size=12, leading=20, align="center")
NOTE = replace(PLAIN, size=12, leading=20, align="left")


def _station(st: Station) -> dict[str, Any]:
    return st.reference.station_info() or {}


def _head(doc_title: str, station: dict[str, Any], period: Period) -> list[Flowable]:
    return [TextBlock(doc_title, LEDGER_TITLE),
            TextBlock(f"{station.get('name', '')}　　期间：{period.label}", SUBTITLE), gap(2)]


def _person(c: dict[str, Any]) -> dict[str, Any]:
    for p in c["persons"]:
        if p["role"] == "visitor":
            return dict(p["person"])
    return {}


def _handling(c: dict[str, Any]) -> str:
    out = str(codes.HANDLINGS.get(c["handling"], c["handling"]))
    if c.get("referral_target"):
        out += f"（{codes.REFERRAL_TARGETS.get(c['referral_target'], c['referral_target'])}）"
    return out


def build_consultations(st: Station, period: Period) -> Built:
    station = _station(st)
    rows_in = _read(st, ledgers.consultations_between, period)
    categories = {c["code"]: c["name"] for c in st.reference.list_codes(codes.CONSULTATION_CATEGORY)}
    header = ["序号", "编号", "日期时间", "方式", "来访人", "性别", "联系电话", "住址", "咨询类别", "咨询事项摘要",
              "处理结果", "接待人"]
    rows: list[list[str]] = [header]
    for i, c in enumerate(rows_in, 1):
        p = _person(c)
        others = [x["person"]["name"] for x in c["persons"] if x["role"] != "visitor"]
        question = c["question"] + (f"（对方：{'、'.join(others)}）" if others else "")
        rows.append([str(i), c["number"], c["occurred_at"][:16], codes.CHANNELS.get(c["channel"], c["channel"]),
                     p.get("name", "（未留姓名）"), p.get("gender", ""), p.get("phone", ""), p.get("address", ""),
                     categories.get(c["category_code"], c["category_code"]), question, _handling(c),
                     c["staff_name"]])
    story = _head("来访咨询登记台账", station, period)
    story.append(grid(rows, [11, 27, 21, 12, 17, 10, 24, 28, 18, 49, 26, 14], label_cols=(), header_rows=1,
                      cell=SMALL, label=SMALL_LABEL))
    story += [gap(3), TextBlock(f"本期共登记来访咨询{len(rows_in)}件。", NOTE)]
    info = PageInfo("来访咨询登记台账", header=f"来访咨询登记台账　{period.label}",
                    reference=f"{station.get('code', '')} 台账 {period.key}", landscape=True)
    return Built(story, info, "period", f"consultations:{period.key}", None, 1)


def _read(st: Station, fn: Any, period: Period) -> list[dict[str, Any]]:
    with st.read() as session:
        return list(fn(session, period.start, period.end))


def build_adviser_log(st: Station, period: Period) -> Built:
    station = _station(st)
    visits = _read(st, ledgers.visits_between, period)
    header = ["序号", "日期", "起止时间", "小时数", "村（居）", "服务方式", "服务类型", "服务对象及人数", "服务内容",
              "处理结果或法律意见", "法律顾问"]
    rows: list[list[str]] = [header]
    totals: dict[str, float] = {}
    for i, v in enumerate(visits, 1):
        span = f"{v['start_time'][:5]}—{v['end_time'][:5]}" if v.get("start_time") and v.get("end_time") else ""
        served = v.get("people_served") or ""
        if v.get("attendees"):
            served = f"{served}（{v['attendees']}人）" if served else f"{v['attendees']}人"
        rows.append([str(i), v["visit_date"], span, f"{v['hours']:g}", v["village"],
                     codes.VISIT_MODES.get(v["mode"], v["mode"]),
                     "、".join(codes.SERVICE_TYPES.get(t, t) for t in v["service_types"]), served, v["content"],
                     v.get("result") or "", v["adviser"]])
        totals[v["village"]] = totals.get(v["village"], 0.0) + float(v["hours"])
    story = _head("村（居）法律顾问工作日志", station, period)
    story.append(grid(rows, [11, 22, 20, 14, 22, 18, 30, 28, 38, 36, 18], label_cols=(), header_rows=1,
                      cell=SMALL, label=SMALL_LABEL))
    summary = "；".join(f"{k}{h:g}小时" for k, h in sorted(totals.items()))
    story += [gap(3), TextBlock(f"本期共服务{len(visits)}次，合计{sum(totals.values()):g}小时"
                                + (f"。其中：{summary}。" if summary else "。"), NOTE)]
    info = PageInfo("村（居）法律顾问工作日志", header=f"村（居）法律顾问工作日志　{period.label}",
                    reference=f"{station.get('code', '')} 工作日志 {period.key}", landscape=True)
    return Built(story, info, "period", f"adviser_log:{period.key}", None, 1)
