"""调解卷宗: cover (封面), table of contents (卷内目录) and back cover (封底 / 卷内备考表)."""
from __future__ import annotations

from dataclasses import replace

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Table, TableStyle

from ..context import CaseContext, cn_date
from ..layout import CELL, PLAIN, TITLE, TextBlock, gap, grid, para, title
from .common import Built, case_info, party_names

COVER_TITLE = replace(TITLE, size=26, leading=44)
COVER_LABEL = replace(PLAIN, font=TITLE.font, align="right")
COVER_VALUE = replace(PLAIN, align="left")


def _ruled(rows: list[tuple[str, str]]) -> Table:
    t = Table([[TextBlock(a, COVER_LABEL), TextBlock(b, COVER_VALUE)] for a, b in rows],
              colWidths=[42 * mm, 100 * mm], hAlign="CENTER")
    t.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), PLAIN.font), ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                           ("LINEBELOW", (1, 0), (1, -1), 0.6, colors.black), ("TOPPADDING", (0, 0), (-1, -1), 6),
                           ("LEFTPADDING", (1, 0), (1, -1), 6)]))
    return t


def case_name(ctx: CaseContext) -> str:
    return f"{party_names(ctx, 'applicant')}与{party_names(ctx, 'respondent')}{ctx.dispute_type}"


def build_cover(ctx: CaseContext, copies: int | None) -> Built:
    c = ctx.case
    start, end = c.get("accepted_on") or c["applied_on"], c.get("outcome_on") or c.get("closed_on")
    rows = [("卷　　名：", case_name(ctx)), ("卷　　号：", ctx.number), ("人民调解员：", "、".join(ctx.mediators)),
            ("调解日期：", f"自{cn_date(start)}至{cn_date(end)}"), ("立 卷 人：", ""),
            ("立卷日期：", cn_date(c.get("archived_on"), "")), ("保管期限：", ""), ("备　　注：", "")]
    story: list[Flowable] = [gap(20), TextBlock(ctx.committee, COVER_TITLE), TextBlock("调 解 卷 宗", COVER_TITLE),
                             gap(30), _ruled(rows)]
    info = replace(case_info(ctx, "调解卷宗封面"), page_numbers=False)
    return Built(story, info, "case", c["uid"], c["version"], copies or 1)


def documents(ctx: CaseContext) -> list[tuple[str, str]]:
    """The file's documents in the 卷内目录 order (brief §2.2), as far as the case holds them."""
    c = ctx.case
    out = [("人民调解申请书" if c.get("source") == "applied" else "人民调解受理登记表", ""),
           ("人民调解当事人权利义务告知书", ""), ("当事人身份证明", "")]
    if any(p.get("agent") for p in c["parties"]):
        out.append(("授权委托书", ""))
    n_inv = len([s for s in c["sessions"] if s["kind"] == "investigation"])
    if n_inv:
        out.append(("人民调解调查记录", f"{n_inv}份"))
    n_med = len([s for s in c["sessions"] if s["kind"] == "mediation"])
    if n_med:
        out.append(("人民调解记录", f"{n_med}份"))
    if c.get("outcome") == "written":
        out.append(("人民调解协议书", ""))
    elif c.get("outcome") == "oral":
        out.append(("人民调解口头协议登记表", ""))
    if c.get("follow_ups"):
        out.append(("人民调解回访记录", f"{len(c['follow_ups'])}份"))
    if c.get("jc_applied_on"):
        out.append(("司法确认有关材料", c.get("jc_court") or ""))
    out.append(("封底", ""))
    return out


def build_contents(ctx: CaseContext, copies: int | None) -> Built:
    c = ctx.case
    rows: list[list[str]] = [["序号", "文书名称", "页号", "备注"]]
    rows += [[str(i), name, "", note] for i, (name, note) in enumerate(documents(ctx), 1)]
    story: list[Flowable] = [*title("卷内目录"), para(f"卷号：{ctx.number}", replace(PLAIN, align="right")), gap(2),
                             grid(rows, [18, 80, 22, 36], label_cols=(), header_rows=1)]
    return Built(story, case_info(ctx, "卷内目录"), "case", c["uid"], c["version"], copies or 1)


def build_back(ctx: CaseContext, copies: int | None) -> Built:
    c = ctx.case
    n = len(documents(ctx))
    rows = [["卷内情况说明", f"本卷共有文件材料{n}件，共　　页。\n"], ["立卷人", ""], ["检查人", ""],
            ["立卷日期", cn_date(c.get("archived_on"))]]
    story: list[Flowable] = [*title("卷内备考表"), para(f"卷号：{ctx.number}", replace(PLAIN, align="right")), gap(2),
                             grid(rows, [36, 120], cell=CELL, min_height_mm={0: 110, 1: 16, 2: 16, 3: 16})]
    return Built(story, case_info(ctx, "卷宗封底"), "case", c["uid"], c["version"], copies or 1)
