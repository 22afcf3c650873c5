"""Code tables (字典) and fixed vocabularies.

Two sorts live here:

* **Versioned code tables** seeded into ``code_entries`` (dispute types,
  consultation categories). Each entry has ``valid_from``/``valid_to`` so an old
  record keeps its code when the county changes the list, and reports can be
  regenerated under either list. Later additions are new rows, never edits.
* **Fixed vocabularies** (channels, sources, statuses…) that the law or the
  form fixes; they are plain dicts ``code -> 中文``.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class CodeSeed:
    table: str
    code: str
    name: str
    parent: str | None = None
    valid_from: dt.date = dt.date(2010, 12, 1)
    valid_to: dt.date | None = None
    sort: int = 0


DISPUTE_TYPE = "dispute_type"
CONSULTATION_CATEGORY = "consultation_category"

# The 15 types of the MOJ monthly report (Huangshi 2016 copy of the 2010 form).
_OFFICIAL_DISPUTES = [
    ("01", "婚姻家庭纠纷"), ("02", "邻里纠纷"), ("03", "房屋宅基地纠纷"), ("04", "合同纠纷"),
    ("05", "生产经营纠纷"), ("06", "损害赔偿纠纷"), ("07", "山林土地纠纷"), ("08", "征地拆迁纠纷"),
    ("09", "环境污染纠纷"), ("10", "劳动争议纠纷"), ("11", "消费纠纷"), ("12", "医疗纠纷"),
    ("13", "道路交通事故纠纷"), ("14", "物业纠纷"), ("99", "其他纠纷"),
]
# Later additions seen in county reports and system code lists (valid from 2021).
_LATER_DISPUTES = [
    ("15", "旅游纠纷", None), ("16", "知识产权纠纷", None), ("17", "互联网纠纷", None),
    ("1001", "拖欠农民工工资纠纷", "10"), ("1002", "其他劳动争议纠纷", "10"),
    ("1101", "电子商务纠纷", "11"), ("1102", "其他消费纠纷", "11"),
]

DISPUTE_TYPES: list[CodeSeed] = [
    CodeSeed(DISPUTE_TYPE, code, name, sort=i) for i, (code, name) in enumerate(_OFFICIAL_DISPUTES)
] + [
    CodeSeed(DISPUTE_TYPE, code, name, parent, dt.date(2021, 1, 1), sort=100 + i)
    for i, (code, name, parent) in enumerate(_LATER_DISPUTES)
]

# Consultation categories: the mediation list plus what a counter also hears (brief §3.4).
_CONSULTATION = [
    ("C01", "婚姻家庭"), ("C02", "赡养、抚养、扶养"), ("C03", "继承"), ("C04", "邻里纠纷"),
    ("C05", "房屋宅基地"), ("C06", "土地承包"), ("C07", "征地拆迁补偿"), ("C08", "合同纠纷"),
    ("C09", "债权债务"), ("C10", "劳动争议"), ("C11", "拖欠农民工工资"), ("C12", "工伤"),
    ("C13", "损害赔偿"), ("C14", "道路交通事故"), ("C15", "医疗纠纷"), ("C16", "消费维权"),
    ("C17", "物业管理"), ("C18", "社会保障"), ("C19", "刑事"), ("C20", "行政"),
    ("C21", "公证、鉴定、仲裁咨询"), ("C99", "其他"),
]
CONSULTATION_CATEGORIES: list[CodeSeed] = [
    CodeSeed(CONSULTATION_CATEGORY, code, name, sort=i) for i, (code, name) in enumerate(_CONSULTATION)
]

ALL_SEEDS: list[CodeSeed] = DISPUTE_TYPES + CONSULTATION_CATEGORIES

CHANNELS = {"visit": "来访", "phone": "电话", "online": "网络", "appointment": "预约", "letter": "信函"}

HANDLINGS = {
    "answered": "当场解答",
    "deferred": "约期答复",
    "referred": "转介",
    "legal_aid": "引导申请法律援助",
    "mediation": "转人民调解",
    "other_channel": "告知其他途径",
}

REFERRAL_TARGETS = {
    "legal_aid": "法律援助机构",
    "notary": "公证处",
    "arbitration": "仲裁委员会",
    "court": "人民法院",
    "lawyer": "律师事务所",
    "legal_service": "基层法律服务所",
    "appraisal": "司法鉴定机构",
    "mediation": "人民调解委员会",
    "police": "公安派出所",
    "petition": "信访部门",
    "agency": "其他行政机关",
}

REFERRAL_STATUSES = {"informed": "已告知", "transferred": "已转交", "accepted": "已受理",
                     "feedback": "已反馈", "declined": "未受理"}

SATISFACTION = {"satisfied": "满意", "basic": "基本满意", "dissatisfied": "不满意"}

SPECIAL_GROUPS = {
    "elderly": "老年人", "disabled": "残疾人", "minor": "未成年人", "women": "妇女",
    "migrant_worker": "农民工", "veteran": "退役军人", "military_family": "军人军属",
    "low_income": "低保/特困", "single_mother": "单亲困难母亲", "dv_victim": "家庭暴力受害人",
}
# Art. 42 of the Legal Aid Law: groups whose hardship need not be verified (documented).
AID_EXEMPT_GROUPS = {"low_income", "migrant_worker", "military_family", "veteran"}

CASE_SOURCES = {
    "applied": "当事人申请",
    "initiative": "人民调解委员会主动调解",
    "court": "人民法院委托移送",
    "police": "公安机关移送",
    "procuratorate": "检察院移送",
    "petition": "信访部门移送",
    "government": "政府部门指定",
    "other": "其他部门移送",
}

PARTY_SIDES = {"applicant": "申请人", "respondent": "被申请人", "third": "第三人"}
AGENT_KINDS = {"entrusted": "委托代理人", "statutory": "法定代理人"}

CASE_STATUSES = {
    "applied": "已申请",
    "accepted": "已受理",
    "refused": "不予受理",
    "mediating": "调解中",
    "agreed": "已达成协议",
    "failed": "调解不成",
    "withdrawn": "已撤回",
    "closed": "已结案",
    "archived": "已归档",
}

OUTCOMES = {"written": "书面协议", "oral": "口头协议", "failed": "调解不成", "terminated": "终止调解",
            "withdrawn": "当事人撤回"}

PERFORMANCE_STATUSES = {"pending": "未到期", "partial": "部分履行", "fulfilled": "已履行",
                        "unfulfilled": "未履行"}

JC_RESULTS = {"pending": "审查中", "confirmed": "确认有效", "rejected": "驳回申请/确认无效"}

SESSION_KINDS = {"investigation": "调查", "mediation": "调解"}

VISIT_MODES = {"onsite": "实地服务", "remote": "远程服务", "appointment": "预约服务"}

SERVICE_TYPES = {
    "consultation": "法律咨询解答",
    "education": "法治宣传教育",
    "mediation": "参与矛盾纠纷调解",
    "contract_review": "审查合同",
    "rules_review": "审查村规民约",
    "drafting": "代写法律文书",
    "legal_opinion": "出具法律意见",
    "aid_referral": "法律援助转介",
    "petition": "协助处理信访",
    "governance": "村(居)治理顾问",
}

STAFF_ROLES = {"counter": "窗口接待", "mediator": "人民调解员", "adviser": "村(居)法律顾问", "chief": "司法所长"}

COMMITTEE_KINDS = {
    "village": "村调委会", "community": "社区调委会", "township": "乡镇调委会", "street": "街道调委会",
    "enterprise": "企事业单位调委会", "professional": "行业性专业性调委会", "studio": "个人调解工作室",
}

GENDERS = {"男", "女", "未说明"}

ETHNICITIES = [
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族", "满族", "侗族",
    "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族", "佤族", "畲族", "高山族",
    "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族", "达斡尔族", "仫佬族", "羌族",
    "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族",
    "俄罗斯族", "鄂温克族", "德昂族", "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族",
    "赫哲族", "门巴族", "珞巴族", "基诺族", "其他", "外国血统中国籍人士",
]
