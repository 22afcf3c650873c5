"""Ledger kinds, their fields, and the Chinese headers under which ledgers keep them.

A field name is either a record field (``accepted_on``) or a person field with the
party's role in front (``applicant.id_number``): one ledger row can describe an
applicant and a respondent, each becoming a person (一人一档).
"""
from __future__ import annotations

import re

KINDS = {"case": "人民调解台账", "consultation": "来访咨询台账", "visit": "法律顾问工作台账"}

PERSON_FIELDS: dict[str, tuple[str, list[str]]] = {
    "name": ("姓名", ["姓名", "名称", "姓名或名称", "姓名(名称)", "名字"]),
    "gender": ("性别", ["性别"]),
    "ethnicity": ("民族", ["民族"]),
    "id_number": ("身份证号码", ["身份证号", "身份证号码", "公民身份号码", "身份证", "证件号码", "身份证件号码",
                            "身份号码"]),
    "phone": ("联系电话", ["联系电话", "电话", "手机", "手机号", "手机号码", "联系方式", "电话号码"]),
    "address": ("住址", ["住址", "地址", "家庭住址", "住所", "现住址", "家庭地址", "居住地址"]),
}

#: person roles each kind knows, the first being the role of ungrouped person columns
ROLES: dict[str, dict[str, tuple[str, list[str]]]] = {
    "case": {"applicant": ("申请人", ["申请人", "当事人", "申请方", "甲方", "当事人(申请人)"]),
             "respondent": ("被申请人", ["被申请人", "对方当事人", "被申请方", "乙方", "当事人(被申请人)"])},
    "consultation": {"person": ("咨询人", ["咨询人", "来访人", "来访群众", "来访者", "当事人", "来访人员", "咨询者"])},
    "visit": {},
}

FIELDS: dict[str, dict[str, tuple[str, list[str]]]] = {
    "case": {
        "applied_on": ("申请日期", ["申请日期", "申请时间"]),
        "accepted_on": ("受理日期", ["受理日期", "受理时间", "登记日期", "收案日期", "立案日期", "日期"]),
        "dispute_type": ("纠纷类型", ["纠纷类型", "纠纷类别", "纠纷种类", "案件类型", "类型", "类别", "案由"]),
        "title": ("纠纷名称", ["纠纷名称", "案件名称"]),
        "facts": ("纠纷简要情况", ["纠纷简要情况", "纠纷简况", "简要案情", "基本案情", "纠纷事实", "主要事实", "纠纷情况",
                              "案情简介", "基本情况", "纠纷内容", "简要情况", "纠纷主要事实"]),
        "claims": ("申请事项", ["申请事项", "调解请求", "请求事项", "当事人请求"]),
        "outcome": ("调解结果", ["调解结果", "结果", "处理结果", "调解情况", "调处结果"]),
        "outcome_on": ("结案日期", ["结案日期", "调结日期", "调解日期", "协议日期", "结案时间", "办结日期", "调结时间"]),
        "terms": ("协议内容", ["协议内容", "协议主要内容", "协议", "调解协议内容", "协议书内容"]),
        "performance_method": ("履行方式", ["履行方式"]),
        "outcome_reason": ("调解不成原因", ["调解不成原因", "未成原因", "原因", "终止原因"]),
        "amount": ("涉及金额", ["涉及金额", "金额", "标的额", "争议金额", "涉案金额", "涉及金额元"]),
        "people_involved": ("涉及人数", ["涉及人数", "人数"]),
        "mediators": ("调解员", ["调解员", "调解人", "调解人员", "承办人", "主持人", "承办调解员"]),
        "_seq": ("序号", ["序号", "编号", "案号", "卷号"]),
    },
    "consultation": {
        "occurred_at": ("咨询日期", ["来访日期", "咨询日期", "来访时间", "咨询时间", "接待日期", "接待时间", "日期", "时间"]),
        "channel": ("接待方式", ["来访方式", "接待方式", "咨询方式", "方式", "来访形式"]),
        "category_code": ("咨询类别", ["咨询类别", "咨询类型", "问题类别", "类别", "类型", "纠纷类型", "问题类型"]),
        "question": ("咨询事项", ["咨询内容", "咨询事项", "来访事由", "主要问题", "咨询问题", "反映问题", "来访事项",
                              "反映内容", "来访内容"]),
        "answer": ("答复意见", ["答复", "答复意见", "解答内容", "解答意见", "答复内容", "接待意见", "处理意见", "解答情况"]),
        "handling": ("处理方式", ["处理结果", "处理方式", "处理情况"]),
        "staff": ("接待人", ["接待人", "接待人员", "经办人", "解答人", "接待人员姓名"]),
        "satisfaction": ("满意度", ["满意度", "是否满意"]),
        "_seq": ("序号", ["序号", "编号"]),
    },
    "visit": {
        "adviser": ("法律顾问", ["法律顾问", "顾问", "顾问律师", "服务律师", "律师", "顾问姓名", "法律顾问姓名"]),
        "village": ("村(居)", ["村", "村居", "村名", "服务村居", "服务村", "村社区", "社区", "村(社区)名称", "服务村(居)"]),
        "visit_date": ("服务日期", ["服务日期", "日期", "工作日期", "走访日期", "服务时间"]),
        "start_time": ("开始时间", ["开始时间", "起始时间"]),
        "end_time": ("结束时间", ["结束时间"]),
        "hours": ("服务时长", ["服务时长", "时长", "工作时长", "小时数"]),
        "mode": ("服务方式", ["服务方式", "工作方式"]),
        "service_types": ("服务类型", ["服务类型", "服务项目", "工作类型", "服务类别"]),
        "attendees": ("参加人数", ["参加人数", "受众人数", "参与人数"]),
        "content": ("服务内容", ["服务内容", "工作内容", "工作情况", "内容"]),
        "people_served": ("服务对象", ["服务对象"]),
        "result": ("工作成效", ["工作成效", "成效", "处理结果", "结果"]),
        "_seq": ("序号", ["序号", "编号"]),
    },
}

TITLE_WORDS = {"case": ["调解"], "consultation": ["咨询", "来访"], "visit": ["法律顾问", "顾问"]}


def norm_header(text: str) -> str:
    """Header text without spaces, line breaks, units in brackets, colons or required-marks."""
    t = re.sub(r"\s+", "", text.replace("\u3000", ""))
    t = t.replace("（", "(").replace("）", ")")
    t = re.sub(r"\((元|小时|人|万元|个)\)", "", t)
    if t.startswith("村(") or t.startswith("服务村("):
        t = t.replace("(居)", "").replace("(社区)", "")
    return t.strip("：:*＊")


def _alias_table(kind: str) -> dict[str, str]:
    return {norm_header(a): f for f, (_, aliases) in FIELDS[kind].items() for a in aliases}


def _person_sub(text: str) -> str | None:
    for f, (_, aliases) in PERSON_FIELDS.items():
        if text in (norm_header(a) for a in aliases):
            return f
    return None


def _role(kind: str, text: str) -> str | None:
    for role, (_, aliases) in ROLES[kind].items():
        if text in (norm_header(a) for a in aliases):
            return role
    return None


def guess_field(kind: str, header: str, group: str = "") -> str | None:
    """The field a header (and the header of its merged group above, if any) stands for."""
    h, g = norm_header(header), norm_header(group)
    roles = ROLES[kind]
    default_role = next(iter(roles), None)
    if g:
        role = _role(kind, g)
        sub = _person_sub(h)
        if role and sub:
            return f"{role}.{sub}"
        if role and not h:
            return f"{role}.name"
        if g in _alias_table(kind) and not h:
            return _alias_table(kind)[g]
    if h in _alias_table(kind):
        return _alias_table(kind)[h]
    role = _role(kind, h)
    if role:
        return f"{role}.name"
    for role_code, (_, aliases) in roles.items():
        for a in sorted((norm_header(a) for a in aliases), key=len, reverse=True):
            if h.startswith(a) and len(h) > len(a):
                sub = _person_sub(h[len(a):])
                if sub:
                    return f"{role_code}.{sub}"
    sub = _person_sub(h)
    if sub and default_role:
        return f"{default_role}.{sub}"
    return None


def field_label(kind: str, field: str) -> str:
    if "." in field:
        role, sub = field.split(".", 1)
        return ROLES[kind][role][0] + PERSON_FIELDS[sub][0]
    return FIELDS[kind][field][0]


def all_fields(kind: str) -> list[str]:
    """Every field a column of this kind can be mapped to (for --map and the GUI's choices)."""
    out = [f for f in FIELDS[kind] if not f.startswith("_")]
    for role in ROLES[kind]:
        out += [f"{role}.{sub}" for sub in PERSON_FIELDS]
    return out
