"""人民调解调查记录, 人民调解记录 and 人民调解回访记录 — one page group per stored record."""
from __future__ import annotations

from typing import Any

from reportlab.platypus import Flowable, PageBreak

from ... import codes
from ...errors import ValidationError
from ..context import CaseContext, cn_date, cn_datetime
from ..layout import PLAIN, form_grid, gap, grid, heading, keep, number_line, para, seal_block, signature_rows, title
from .common import Built, case_info


def _staff(ctx: CaseContext, uids: list[str] | None) -> str:
    return "、".join(ctx.staff[u] for u in uids or [] if u in ctx.staff)


def _body(text: str) -> list[Flowable]:
    return [para(line, PLAIN) for line in text.splitlines() if line.strip()]


def _joined(parts: list[list[Flowable]]) -> list[Flowable]:
    out: list[Flowable] = []
    for i, p in enumerate(parts):
        if i:
            out.append(PageBreak())
        out += p
    return out


def _version(ctx: CaseContext, records: list[dict[str, Any]]) -> tuple[str, str, int | None]:
    if ctx.focus is not None and ctx.focus_kind != "case":
        return ctx.focus_kind, ctx.focus["uid"], ctx.focus["version"]
    return "case", ctx.case["uid"], ctx.case["version"]


def _none(ctx: CaseContext, what: str) -> ValidationError:
    return ValidationError.single("record", what, f"案件{ctx.number}还没有{what}")


def build_investigation(ctx: CaseContext, copies: int | None) -> Built:
    sessions = ctx.sessions("investigation")
    if not sessions:
        raise _none(ctx, "调查记录")
    parts = []
    for s in sessions:
        rows = [["调查时间", cn_datetime(s["held_at"]), "调查地点", s["place"]],
                ["被调查人", s["attendees"], "参加人", s["participants"]],
                ["调查人", _staff(ctx, s["mediator_uids"]), "记录人", ctx.staff.get(s.get("recorder_uid") or "", "")],
                ["事由", ctx.case["title"]]]
        part: list[Flowable] = [*title("人民调解调查记录"), number_line(f"案号：{ctx.number}"), gap(2),
                                *form_grid(rows, [26, 52, 26, 52]),
                                gap(3), heading("调查内容：")]
        part += _body(s["record"])
        part.append(keep(gap(4), signature_rows([("被调查人", "签名+指印"), ("调查人", "签名"), ("记录人", "签名")])))
        parts.append(part)
    kind, uid, version = _version(ctx, sessions)
    return Built(_joined(parts), case_info(ctx, "人民调解调查记录", version), kind, uid, version, copies or 1)


def _result(ctx: CaseContext) -> str:
    c = ctx.case
    if c.get("outcome") in ("written", "oral"):
        return f"调解成功，达成{codes.OUTCOMES[c['outcome']]}（{cn_date(c.get('outcome_on'))}）。"
    if c.get("outcome"):
        reason = f"，原因：{c['outcome_reason']}" if c.get("outcome_reason") else ""
        return (f"{codes.OUTCOMES[c['outcome']]}{reason}。已告知当事人可以依法通过仲裁、行政、司法等途径"
                "维护自己的权利。")
    return "调解中。"


def build_mediation_record(ctx: CaseContext, copies: int | None) -> Built:
    sessions = ctx.sessions("mediation")
    if not sessions:
        raise _none(ctx, "调解记录")
    parties = "、".join(f"{codes.PARTY_SIDES[p['side']]}{p['person']['name']}" for p in ctx.case["parties"])
    last_uid = [x for x in ctx.case["sessions"] if x["kind"] == "mediation"][-1]["uid"]
    parts = []
    for s in sessions:
        rows = [["时间", cn_datetime(s["held_at"]), "地点", s["place"]],
                ["事由", ctx.case["title"]],
                ["当事人", s["attendees"] or parties],
                ["参加人", s["participants"]],
                ["人民调解员", _staff(ctx, s["mediator_uids"]), "记录人",
                 ctx.staff.get(s.get("recorder_uid") or "", "")]]
        part: list[Flowable] = [*title("人民调解记录"), number_line(f"案号：{ctx.number}"), gap(2),
                                *form_grid(rows, [28, 50, 26, 52]),
                                gap(3), heading("调解情况：")]
        part += _body(s["record"])
        if s["uid"] == last_uid:  # the result belongs under the case's last mediation session
            part += [heading("调解结果："), para(_result(ctx), PLAIN)]
        part.append(keep(gap(4), para("以上记录已向当事人宣读（或交其阅读），确认无误。", PLAIN),
                         signature_rows([("当事人", "签名+指印"), ("当事人", "签名+指印"),
                                         ("人民调解员", "签名"), ("记录人", "签名")])))
        parts.append(part)
    kind, uid, version = _version(ctx, sessions)
    return Built(_joined(parts), case_info(ctx, "人民调解记录", version), kind, uid, version, copies or 1)


def build_follow_up(ctx: CaseContext, copies: int | None) -> Built:
    visits = ctx.follow_ups()
    if not visits:
        raise _none(ctx, "回访记录")
    parts = []
    for f in visits:
        visited = ctx.person_name(f.get("person_uid")) or "、".join(p["person"]["name"] for p in ctx.case["parties"])
        status = codes.PERFORMANCE_STATUSES.get(f["performance_status"], "")
        satisfaction = codes.SATISFACTION.get(f.get("satisfaction") or "", "未评价")
        situation = (f"履行情况：{status}。当事人对调解结果：{satisfaction}。"
                     f"{'发现纠纷激化或其他风险隐患。' if f.get('risk_found') else '未发现纠纷激化或其他风险隐患。'}"
                     f"\n{f['notes']}")
        rows = [["被回访当事人", visited], ["调解协议编号", ctx.number], ["回访事由", ctx.case["title"]],
                ["回访时间", cn_date(f["visited_on"])], ["回访情况", situation],
                ["回访人", ctx.staff.get(f.get("staff_uid") or "", "") or "、".join(ctx.mediators)]]
        part: list[Flowable] = [*title("人民调解回访记录"), gap(2), grid(rows, [36, 120], min_height_mm={4: 70})]
        part.append(keep(gap(4), signature_rows([("回访人", "签名"), ("被回访当事人", "签名+指印")]),
                         seal_block(ctx.committee, cn_date(f["visited_on"]), "（人民调解委员会印）")))
        parts.append(part)
    kind, uid, version = _version(ctx, visits)
    return Built(_joined(parts), case_info(ctx, "人民调解回访记录", version), kind, uid, version, copies or 1)
