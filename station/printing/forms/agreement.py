"""人民调解协议书 (People's Mediation Law arts. 28–29, 31, 33) and 口头协议登记表 (art. 28)."""
from __future__ import annotations

from reportlab.platypus import Flowable

from ... import codes
from ...errors import ValidationError
from ..context import CaseContext, cn_date
from ..layout import gap, grid, heading, keep, number_line, numbered, para, seal_block, signature_rows, title
from .common import Built, case_info, party_blocks, party_names, party_signatures, person_text

EFFECT = ("本协议自各方当事人签名、盖章或者按指印，人民调解员签名并加盖人民调解委员会印章之日起生效。"
          "依照《中华人民共和国人民调解法》第三十一条，经人民调解委员会调解达成的调解协议，具有法律约束力，"
          "当事人应当按照约定履行。人民调解委员会对调解协议的履行情况进行监督，督促当事人履行约定的义务。")
CONFIRMATION = ("双方当事人认为有必要的，可以自本协议生效之日起三十日内共同向人民法院申请司法确认"
                "（《中华人民共和国人民调解法》第三十三条）。")


def _require(ctx: CaseContext, outcome: str, what: str) -> None:
    if ctx.case.get("outcome") != outcome:
        raise ValidationError.single("outcome", "协议形式", f"案件{ctx.number}没有{what}，不能打印")


def performance(ctx: CaseContext) -> str:
    c = ctx.case
    parts = []
    if c.get("performance_method"):
        parts.append(f"履行方式：{c['performance_method']}")
    if c.get("performance_deadline"):
        parts.append(f"履行期限：{cn_date(c['performance_deadline'])}前履行完毕")
    return "；".join(parts) + "。" if parts else "按上述协议条款履行。"


def build_agreement(ctx: CaseContext, copies: int | None) -> Built:
    _require(ctx, "written", "书面调解协议")
    c = ctx.case
    n = copies or c.get("copies") or len(c["parties"]) + 1
    story: list[Flowable] = [*title("人民调解协议书"), number_line(f"编号：{ctx.number}"), gap(2)]
    story += party_blocks(ctx)
    story += [heading("纠纷主要事实、争议事项："), para(c["facts"])]
    if c.get("claims"):
        story.append(para(f"争议事项：{c['claims']}"))
    story += [heading("经调解，自愿达成如下协议：")]
    story += numbered(c["terms"])
    story += [heading("履行方式、时限："), para(performance(ctx))]
    story += [para(EFFECT), para(CONFIRMATION)]
    rows = party_signatures(ctx)
    rows += [(f"人民调解员：{'、'.join(ctx.mediators)}", "签名"), ("记录人", "签名")]
    # the last clause goes with the signatures, so no signature page stands without text
    story.append(keep(para(f"本协议一式{n}份，当事人、人民调解委员会各持一份。"), gap(4),
                      heading("当事人（签名盖章或按指印）："), signature_rows(rows),
                      seal_block(ctx.committee, cn_date(c.get("outcome_on")), "（人民调解委员会印）")))
    return Built(story, case_info(ctx, "人民调解协议书"), "case", c["uid"], c["version"], n)


def build_oral(ctx: CaseContext, copies: int | None) -> Built:
    _require(ctx, "oral", "口头调解协议")
    c = ctx.case
    parties = "\n".join(f"{p['side'] and codes.PARTY_SIDES[p['side']]}：{person_text(p['person'])}"
                        for p in c["parties"])
    terms = "\n".join(f"{i}．{t}" for i, t in enumerate(c["terms"], 1))
    rows = [
        ["当事人", parties],
        ["纠纷类型", ctx.dispute_type],
        ["纠纷简要情况", c["facts"]],
        ["协议内容", terms],
        ["履行方式、时限", performance(ctx)],
        ["达成协议日期", cn_date(c.get("outcome_on"))],
        ["履行情况", codes.PERFORMANCE_STATUSES.get(c.get("performance_status") or "pending", "")],
        ["人民调解员", "、".join(ctx.mediators)],
    ]
    story: list[Flowable] = [*title("人民调解口头协议登记表"), number_line(f"编号：{ctx.number}"), gap(2),
                             grid(rows, [36, 120])]
    sign = [(f"当事人：{party_names(ctx, 'applicant')}", "签名+指印"),
            (f"当事人：{party_names(ctx, 'respondent')}", "签名+指印"),
            ("人民调解员", "签名"), ("记录人", "签名")]
    story.append(keep(gap(4), signature_rows(sign),
                      seal_block(ctx.committee, cn_date(c.get("outcome_on")), "（人民调解委员会印）")))
    return Built(story, case_info(ctx, "人民调解口头协议登记表"), "case", c["uid"], c["version"], copies or 1)
