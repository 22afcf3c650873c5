"""Cell values as people type them in Excel ledgers, turned into what the core accepts.

Each ``parse_*`` returns the clean value, or raises :class:`Unclear` with a Chinese
message: a value that cannot be read with certainty is reported, never guessed.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from openpyxl.utils.datetime import from_excel  # type: ignore[import-untyped]

from .. import codes
from ..validation import normalise_text


class Unclear(ValueError):
    """A cell whose meaning cannot be determined; the message says why (Chinese)."""


def clean(value: Any) -> str:
    """Cell → text: full-width digits/letters folded, stray and ideographic spaces removed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        value = value.replace("\r", "").replace("\xa0", " ")
        lines = [normalise_text(line) for line in value.split("\n")]
        return "\n".join(line for line in lines if line)
    return normalise_text(str(value))


_DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")
_TIME_TEXT = re.compile(r"(\d{1,2})\s*[:：时点]\s*(\d{1,2})?\s*分?")
_WIDE_PUNCT = {0xFF0E: ".", 0xFF0F: "/", 0xFF1A: ":", 0x3002: "."}
#: Excel serials of 1990-01-01 .. 2099-12-31: anything outside is no plausible ledger date
_SERIAL_RANGE = (32874, 73050)


def parse_date(value: Any) -> dt.date | None:
    """2026.3.5, 2026年3月5日, 2026/03/05, 20260305, 2026-03-05 09:30, Excel serials, date cells."""
    dtime = parse_datetime(value)
    return dtime.date() if dtime else None


def parse_datetime(value: Any) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0, tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and 19000101 <= value <= 20991231:
            return _ymd(str(int(value)), str(value))
        if _SERIAL_RANGE[0] <= value <= _SERIAL_RANGE[1]:
            result = from_excel(value)
            return result.replace(microsecond=0) if isinstance(result, dt.datetime) else \
                dt.datetime(result.year, result.month, result.day)
        raise Unclear(f"无法识别的日期：{value}")
    text = clean(value).replace(" ", "").translate(_WIDE_PUNCT)
    if not text:
        return None
    if re.fullmatch(r"\d{8}", text):
        return _ymd(text, text)
    m = _DATE_TEXT.match(text)
    if not m:
        raise Unclear(f"无法识别的日期：“{text}”（可写作 2026-03-05、2026.3.5、2026年3月5日）")
    rest = text[m.end():]
    hour = minute = 0
    if rest:
        t = _TIME_TEXT.fullmatch(rest)
        if not t:
            raise Unclear(f"无法识别的日期：“{text}”")
        hour, minute = int(t[1]), int(t[2] or 0)
    try:
        return dt.datetime(int(m[1]), int(m[2]), int(m[3]), hour, minute)
    except ValueError:
        raise Unclear(f"日期不存在：“{text}”") from None


def _ymd(digits: str, shown: str) -> dt.datetime:
    try:
        return dt.datetime(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise Unclear(f"日期不存在：“{shown}”") from None


def parse_time(value: Any) -> dt.time | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0)
    if isinstance(value, float) and 0 <= value < 1:  # Excel time fraction
        minutes = round(value * 24 * 60)
        return dt.time(minutes // 60, minutes % 60)
    text = clean(value).replace(" ", "").translate(_WIDE_PUNCT)
    t = _TIME_TEXT.fullmatch(text)
    if not t or int(t[1]) > 23 or int(t[2] or 0) > 59:
        raise Unclear(f"无法识别的时间：“{text}”（应为 09:30）")
    return dt.time(int(t[1]), int(t[2] or 0))


def parse_number(value: Any) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    text = clean(value).replace(",", "").replace("，", "").replace(" ", "")
    text = re.sub(r"(元|人民币|小时|个小时|h)$", "", text.replace("￥", "").replace("¥", ""))
    if text.endswith("万") and re.fullmatch(r"\d+(\.\d+)?万", text):
        return float(text[:-1]) * 10000
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        raise Unclear(f"不是数字：“{clean(value)}”")
    return float(text)


def parse_id_number(value: Any) -> str:
    """ID numbers must arrive as text: Excel keeps only 15 significant digits of a number."""
    if value is None or value == "":
        return ""
    if isinstance(value, float) or (isinstance(value, int) and len(str(value)) > 15):
        raise Unclear("身份证号被 Excel 存成了数字，末几位已丢失；请把该列设为文本后重新录入")
    return clean(value).replace(" ", "").upper()


def _strip(label: str, suffixes: tuple[str, ...]) -> str:
    for s in suffixes:
        if label.endswith(s) and len(label) > len(s):
            return label[: -len(s)]
    return label


def match_label(text: str, table: dict[str, str], *, suffixes: tuple[str, ...] = (), what: str) -> str:
    """The code whose label is ``text`` (ignoring a generic suffix such as 纠纷); exactly one or Unclear."""
    t = _strip(clean(text).replace(" ", ""), suffixes)
    if not t:
        raise Unclear(f"{what}为空")
    exact = [c for c, label in table.items() if _strip(label, suffixes) == t or c == t]
    if len(exact) == 1:
        return exact[0]
    raise Unclear(f"不是已知的{what}：“{clean(text)}”")


def dispute_type(text: Any, names: dict[str, str]) -> str:
    """纠纷类型 by name (邻里纠纷 or 邻里) or code; ``names`` is code → name of the code table."""
    return match_label(str(text or ""), names, suffixes=("纠纷", "争议纠纷", "争议"), what="纠纷类型")


def consultation_category(text: Any, names: dict[str, str]) -> str:
    return match_label(str(text or ""), names, suffixes=("纠纷", "问题", "咨询", "类"), what="咨询类别")


#: 调解结果 as written in ledgers → (outcome, form). ``None`` outcome: case still open.
OUTCOME_WORDS: dict[str, str | None] = {
    "成功": "written", "调解成功": "written", "达成协议": "written", "达成调解协议": "written", "已调解": "written",
    "调解成功(书面)": "written", "书面协议": "written", "达成书面协议": "written", "已调处": "written",
    "口头协议": "oral", "达成口头协议": "oral", "调解成功(口头)": "oral",
    "不成功": "failed", "调解不成": "failed", "调解不成功": "failed", "失败": "failed", "调解失败": "failed",
    "未达成协议": "failed", "未达成": "failed",
    "终止": "terminated", "终止调解": "terminated",
    "撤回": "withdrawn", "当事人撤回": "withdrawn", "撤回申请": "withdrawn",
    "不予受理": "refused",
    "调解中": None, "正在调解": None, "未结": None, "在调": None, "受理": None, "已受理": None,
}


def outcome(text: Any) -> str | None:
    key = clean(text).replace(" ", "").replace("（", "(").replace("）", ")")
    if not key:
        return None
    if key in OUTCOME_WORDS:
        return OUTCOME_WORDS[key]
    if key in codes.OUTCOMES or key == "refused":
        return key
    raise Unclear(f"无法识别的调解结果：“{clean(text)}”（如：调解成功、调解不成、口头协议、终止调解、撤回、调解中）")


CHANNEL_WORDS = {**{label: code for code, label in codes.CHANNELS.items()},
                 "来所": "visit", "当面": "visit", "现场": "visit", "上门": "visit", "电话咨询": "phone",
                 "来电": "phone", "网上": "online", "微信": "online", "来信": "letter"}


def channel(text: Any) -> str:
    key = clean(text).replace(" ", "")
    if key in codes.CHANNELS:
        return key
    if key in CHANNEL_WORDS:
        return CHANNEL_WORDS[key]
    raise Unclear(f"无法识别的接待方式：“{clean(text)}”（可选：{'、'.join(codes.CHANNELS.values())}）")


HANDLING_WORDS = {**{label: code for code, label in codes.HANDLINGS.items()},
                  "解答": "answered", "已解答": "answered", "当场答复": "answered", "已答复": "answered",
                  "答复": "answered", "转介": "referred", "已转介": "referred", "法律援助": "legal_aid",
                  "转法律援助": "legal_aid", "转调解": "mediation", "调解": "mediation", "约期答复": "deferred"}


def handling(text: Any) -> str:
    key = clean(text).replace(" ", "")
    if key in HANDLING_WORDS:
        return HANDLING_WORDS[key]
    raise Unclear(f"无法识别的处理方式：“{clean(text)}”（可选：{'、'.join(codes.HANDLINGS.values())}）")


def visit_mode(text: Any) -> str:
    key = clean(text).replace(" ", "")
    words = {**{label: code for code, label in codes.VISIT_MODES.items()}, "实地": "onsite", "现场": "onsite",
             "驻村": "onsite", "远程": "remote", "电话": "remote", "视频": "remote", "微信": "remote", "预约": "appointment"}
    if key in words:
        return words[key]
    raise Unclear(f"无法识别的服务方式：“{clean(text)}”（可选：{'、'.join(codes.VISIT_MODES.values())}）")


_SERVICE_WORDS = {"法律咨询": "consultation", "咨询": "consultation", "解答咨询": "consultation",
                  "法治宣传": "education", "普法": "education", "法治讲座": "education", "普法宣传": "education",
                  "调解": "mediation", "纠纷调解": "mediation", "矛盾调解": "mediation",
                  "合同审查": "contract_review", "审查合同": "contract_review", "村规民约": "rules_review",
                  "代写文书": "drafting", "代书": "drafting", "法律意见": "legal_opinion",
                  "法律援助": "aid_referral", "信访": "petition", "治理": "governance"}


def service_types(text: Any) -> list[str]:
    parts = [p for p in re.split(r"[、，,;；/\s]+", clean(text)) if p]
    out: list[str] = []
    for p in parts:
        code = next((c for c, label in codes.SERVICE_TYPES.items() if label == p or c == p), None) \
            or _SERVICE_WORDS.get(p)
        if code is None:
            raise Unclear(f"无法识别的服务类型：“{p}”（如：法律咨询、法治宣传、纠纷调解、合同审查）")
        if code not in out:
            out.append(code)
    return out


def gender(text: Any) -> str:
    key = clean(text).replace(" ", "")
    words = {"男": "男", "女": "女", "男性": "男", "女性": "女", "M": "男", "F": "女"}
    if not key:
        return ""
    if key in words:
        return words[key]
    raise Unclear(f"无法识别的性别：“{clean(text)}”")
