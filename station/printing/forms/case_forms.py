"""人民调解申请书, 受理登记表, 当事人权利义务告知书 and 司法确认申请书."""
from __future__ import annotations

from dataclasses import replace

from reportlab.platypus import Flowable

from ... import codes
from ...errors import ValidationError
from ..context import CaseContext, cn_date
from ..layout import (BODY, PLAIN, TextBlock, form_grid, gap, heading, keep, number_line, numbered, para, seal_block,
                      signature_rows, title)
from .common import Built, case_info, party_blocks, party_names, party_signatures, person_text

DECLARATION = ("人民调解委员会已向本人告知人民调解的性质、原则和效力，以及当事人在调解活动中享有的权利和"
               "承担的义务。本人自愿申请人民调解委员会调解上述纠纷。")

NATURE = ("根据《中华人民共和国人民调解法》，人民调解委员会是依法设立的调解民间纠纷的群众性组织。"
          "人民调解委员会在当事人自愿、平等的基础上进行调解，不违背法律、法规和国家政策，尊重当事人的权利，"
          "不因调解而阻止当事人依法通过仲裁、行政、司法等途径维护自己的权利，调解民间纠纷不收取任何费用。"
          "经人民调解委员会调解达成的调解协议，具有法律约束力，当事人应当按照约定履行。"
          "现将当事人在人民调解活动中享有的权利和承担的义务告知如下：")
RIGHTS = ["选择或者接受人民调解员；", "接受调解、拒绝调解或者要求终止调解；", "要求调解公开进行或者不公开进行；",
          "自主表达意愿、自愿达成调解协议。"]
DUTIES = ["如实陈述纠纷事实；", "遵守调解现场秩序，尊重人民调解员；", "尊重对方当事人行使权利。"]


def _claims(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()] or ["（未填写）"]


def build_application(ctx: CaseContext, copies: int | None) -> Built:
    c = ctx.case
    story: list[Flowable] = [*title("人民调解申请书"), gap(2)]
    for side in ("applicant", "respondent", "third"):  # the 2010 form asks for the age
        story += party_blocks(ctx, (side,), age_on_date=c["applied_on"])
    story += [heading("纠纷简要情况："), para(c["facts"]), heading("申请事项：")]
    story += numbered(_claims(c.get("claims") or ""))
    story.append(para(DECLARATION))
    story.append(keep(gap(6), signature_rows(party_signatures(ctx, ("applicant",))),
                      TextBlock(cn_date(c["applied_on"]), replace(PLAIN, align="right"))))
    return Built(story, case_info(ctx, "人民调解申请书"), "case", c["uid"], c["version"], copies or 1)


def build_acceptance(ctx: CaseContext, copies: int | None) -> Built:
    c = ctx.case
    a, r = party_names(ctx, "applicant"), party_names(ctx, "respondent")
    on = c.get("accepted_on") or c["applied_on"]
    sentence = f"{cn_date(on)}，本委员会经当事人同意，对{a}与{r}之间的{ctx.dispute_type}进行调解。"
    source = c.get("source") or "applied"
    other = codes.CASE_SOURCES[source] if source not in ("applied", "initiative") else ""
    sources = (f"{'☑' if source == 'applied' else '☐'}当事人申请　{'☑' if source == 'initiative' else '☐'}"
               f"人民调解委员会主动调解\n{'☑' if other else '☐'}其他：{other}")
    people = "\n".join(f"{codes.PARTY_SIDES[p['side']]}：{person_text(p['person'])}" for p in c["parties"])
    registrar = ctx.staff.get(c.get("registered_by") or "", "")
    rows = [
        ["受理情况", sentence],
        ["当事人", people],
        ["纠纷类型", ctx.dispute_type, "涉及金额", f"{c['amount']:,.2f}元" if c.get("amount") is not None else ""],
        ["案件来源", sources],
        ["纠纷简要情况", c["facts"]],
        ["人民调解员", "、".join(ctx.mediators), "受理日期", cn_date(c.get("accepted_on"), "")],
        ["当事人（签名）", ""],
        ["登记人（签名）", registrar, "人民调解委员会（印章）", f"\n\n{cn_date(on)}"],
    ]
    story: list[Flowable] = [*title("人民调解受理登记表"), number_line(f"编号：{ctx.number}"), gap(2),
                             *form_grid(rows, [36, 50, 30, 40], min_height_mm={6: 24, 7: 30}),
                             gap(2), TextBlock("注：此表由人民调解委员会填写。", replace(PLAIN, size=12, leading=20))]
    return Built(story, case_info(ctx, "人民调解受理登记表"), "case", c["uid"], c["version"], copies or 1)


def build_rights(ctx: CaseContext, copies: int | None) -> Built:
    c = ctx.case
    names = "、".join(p["person"]["name"] for p in c["parties"])
    story: list[Flowable] = [*title("人民调解当事人权利义务告知书"), number_line(f"编号：{ctx.number}"), gap(2),
                             para(f"{names}：", PLAIN), para(NATURE), heading("一、当事人在人民调解活动中享有下列权利：")]
    story += numbered(RIGHTS)
    story.append(heading("二、当事人在人民调解活动中履行下列义务："))
    story += numbered(DUTIES)
    story.append(para("当事人对上述权利义务已经知悉，签名确认。"))
    story.append(keep(gap(4), heading("当事人（签名）："), signature_rows(party_signatures(ctx)),
                      seal_block(ctx.committee, cn_date(c.get("accepted_on") or c["applied_on"]),
                                 "（人民调解委员会印）")))
    return Built(story, case_info(ctx, "人民调解当事人权利义务告知书"), "case", c["uid"], c["version"], copies or 1)


def build_judicial(ctx: CaseContext, copies: int | None) -> Built:
    c = ctx.case
    if c.get("outcome") != "written":
        raise ValidationError.single("outcome", "协议形式", f"案件{ctx.number}没有书面调解协议，不能申请司法确认")
    court = c.get("jc_court") or "＿＿＿＿＿＿人民法院"
    agreed = cn_date(c.get("outcome_on"))
    story: list[Flowable] = [*title("司法确认申请书"), gap(2)]
    story += party_blocks(ctx, label="申请人")
    story += [heading("请求事项："),
              para(f"请求依法确认申请人于{agreed}经{ctx.committee}主持调解达成的{ctx.number}"
                   "人民调解协议有效。"),
              heading("事实和理由："),
              para(f"申请人之间因{ctx.dispute_type}，于{agreed}经{ctx.committee}调解，自愿达成如下协议：")]
    story += numbered(c["terms"])
    story += [para("上述协议是申请人真实意思表示，不存在恶意串通、规避法律的情形，不损害国家利益、社会公共利益和"
                   "他人合法权益。申请人依照《中华人民共和国人民调解法》第三十三条和《中华人民共和国民事诉讼法》"
                   "的规定，自调解协议生效之日起三十日内共同向人民法院申请司法确认。申请人如因虚假调解协议损害他人"
                   "合法权益，愿意承担相应的法律责任。"),
              para("此致", PLAIN), para(court, PLAIN),
              para("附：1．人民调解协议书；2．申请人身份证明；3．与调解协议有关的证明材料。", replace(BODY, size=14,
                                                                                        leading=24))]
    story.append(keep(gap(4), heading("申请人（签名盖章或按指印）："), signature_rows(party_signatures(ctx, label="申请人")),
                      TextBlock(cn_date(c.get("jc_applied_on")), replace(PLAIN, align="right"))))
    return Built(story, case_info(ctx, "司法确认申请书"), "case", c["uid"], c["version"], copies or 1)
