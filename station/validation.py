"""Checks on people's documents and dates.

Rule of thumb from the brief: a rule that reality breaks only warns. A wrong
check digit or an impossible birth date is a typing error and is refused; an
administrative-region code that no table knows (codes change, old IDs stay
valid) is only a warning.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import phonenumbers
from stdnum import exceptions as stdnum_exc
from stdnum.cn import ric, uscc

from .errors import FieldError, ValidationError

# Identity document types (GA/T 517 style short list used at counters).
ID_TYPES: dict[str, str] = {
    "ric": "居民身份证",
    "hk_mo_permit": "港澳居民来往内地通行证",
    "tw_permit": "台湾居民来往大陆通行证",
    "residence_permit": "港澳台居民居住证",
    "passport": "护照",
    "foreign_pr": "外国人永久居留身份证",
    "other": "其他证件",
    "none": "未提供（当事人拒绝或无证件）",
}


@dataclass(frozen=True)
class RicInfo:
    """What a valid resident ID number tells: normalised number, birth date, gender, region."""

    number: str
    birth_date: dt.date
    gender: str
    region_known: bool


# Full-width digits and Latin letters (typed with a Chinese IME) → ASCII. Deliberately not
# NFKC: that would also turn Chinese punctuation （，：；） into ASCII and rewrite CJK
# compatibility ideographs, which can change a rare character in a real name.
_HALF_WIDTH = {cp: cp - 0xFEE0 for cp in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))}
_HALF_WIDTH.update({0xFF0D: ord("-"), 0xFF0B: ord("+")})


def normalise_text(value: str | None) -> str:
    """Full-width digits and letters to ASCII, strip, fold runs of spaces (incl. ideographic)."""
    if value is None:
        return ""
    text = str(value).translate(_HALF_WIDTH)
    return re.sub(r"[ \t\u3000]+", " ", text).strip()


def normalise_name(value: str | None) -> str:
    """Chinese names carry no inner spaces ("张 三" → "张三"); Latin names keep one."""
    text = normalise_text(value)
    if re.search(r"[\u3400-\u9fff\U00020000-\U0003134f]", text):
        text = text.replace(" ", "")
    return text


def check_ric(value: str, *, field: str = "id_number", label: str = "身份证号码",
              today: dt.date | None = None) -> tuple[RicInfo, list[str]]:
    """Validate a Chinese resident ID (18 digits, or the old 15-digit form).

    :returns: the parsed info and a list of warnings.
    :raises ValidationError: bad length, characters, check digit or birth date.
    """
    today = today or dt.date.today()
    number = normalise_text(value).replace(" ", "").upper()
    warnings: list[str] = []
    if len(number) == 15 and number.isdigit():
        # First-generation ID: YYMMDD birth date in 19xx, no check digit.
        try:
            born = dt.date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))
        except ValueError:
            raise ValidationError.single(field, label, "出生日期不存在（第7至12位）", "birth_date")
        gender = "男" if int(number[14]) % 2 else "女"
        warnings.append(f"{label}为15位旧号码，建议登记18位号码")
        return RicInfo(number, born, gender, _region_known(number)), warnings
    if len(number) != 18:
        raise ValidationError.single(field, label, f"应为18位，实际为{len(number)}位", "length")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError.single(field, label, "只能包含数字，最后一位可以是X", "format")
    if number[17] != ric.calc_check_digit(number):
        raise ValidationError.single(field, label, "校验位错误，请核对号码", "checksum")
    try:
        born = ric.get_birth_date(number)
    except stdnum_exc.ValidationError:
        raise ValidationError.single(field, label, "出生日期不存在（第7至14位）", "birth_date")
    if born > today or born.year < 1890:
        raise ValidationError.single(field, label, "出生日期不合理（第7至14位）", "birth_date")
    region_known = _region_known(number)
    if not region_known:
        warnings.append(f"{label}前6位地区码未在区划表中找到（区划可能已调整），请核对")
    gender = "男" if int(number[16]) % 2 else "女"
    return RicInfo(number, born, gender, region_known), warnings


def _region_known(number: str) -> bool:
    try:
        ric.get_birth_place(number if len(number) == 18 else number[:6] + "19" + number[6:12] + "0000")
        return True
    except (stdnum_exc.ValidationError, KeyError, ValueError):
        return False


def check_uscc(value: str, *, field: str = "credit_code", label: str = "统一社会信用代码") -> str:
    """Validate an 18-character unified social credit code (GB 32100)."""
    code = normalise_text(value).replace(" ", "").upper()
    try:
        return uscc.validate(code)
    except stdnum_exc.InvalidLength:
        raise ValidationError.single(field, label, f"应为18位，实际为{len(code)}位", "length")
    except stdnum_exc.InvalidChecksum:
        raise ValidationError.single(field, label, "校验位错误，请核对代码", "checksum")
    except stdnum_exc.ValidationError:
        raise ValidationError.single(field, label, "格式不正确", "format")


def check_phone(value: str, *, field: str = "phone", label: str = "联系电话") -> tuple[str, list[str]]:
    """Normalise a Chinese phone number; impossible numbers are refused, unknown ranges warn.

    Landlines keep their area code with a hyphen (0551-62345678); mobiles are 11 digits.
    """
    raw = normalise_text(value)
    digits = re.sub(r"[\s\-()（）]", "", raw)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not re.fullmatch(r"\d{5,12}(转\d{1,6})?", digits):
        raise ValidationError.single(field, label, "只能包含数字（座机可写区号-号码）", "format")
    main = digits.split("转")[0]
    if main.startswith("1") and len(main) != 11:
        raise ValidationError.single(field, label, f"手机号应为11位，实际为{len(main)}位", "length")
    try:
        parsed = phonenumbers.parse(main, "CN")
    except phonenumbers.NumberParseException:
        raise ValidationError.single(field, label, "号码格式不正确", "format")
    if not phonenumbers.is_possible_number(parsed):
        if main.startswith("1"):
            raise ValidationError.single(field, label, f"手机号应为11位，实际为{len(main)}位", "length")
        raise ValidationError.single(field, label, "号码位数不正确（座机请带区号）", "length")
    warnings: list[str] = []
    if not phonenumbers.is_valid_number(parsed):
        warnings.append(f"{label}号段未在号码表中找到，请核对")
    if main.startswith("0"):
        national = str(parsed.national_number)
        # Split area code from subscriber number for display (0551-62345678).
        area_len = 3 if national[:2] in {"10", "20", "21", "22", "23", "24", "25", "27", "28", "29"} else 4
        area = "0" + national[: area_len - 1]
        normal = f"{area}-{national[area_len - 1:]}"
    else:
        normal = main
    if "转" in digits:
        normal += "转" + digits.split("转")[1]
    return normal, warnings


def parse_date(value: object, *, field: str, label: str) -> dt.date | None:
    """Accept a date, ISO text, 2026/1/5, 2026年1月5日; refuse impossible dates with a clear message."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = normalise_text(str(value))
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
    if not m:
        raise ValidationError.single(field, label, f"日期格式不正确：“{text}”（应为 2026-01-05）", "format")
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise ValidationError.single(field, label, f"日期不存在：“{text}”", "impossible")


def parse_datetime(value: object, *, field: str, label: str) -> dt.datetime | None:
    """Like :func:`parse_date` but with an optional time (2026-01-05 09:30)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    text = normalise_text(str(value)).replace("T", " ")
    m = re.fullmatch(r"(.+?)\s+(\d{1,2}):(\d{2})(?::(\d{2}))?", text)
    if not m:
        day = parse_date(text, field=field, label=label)
        assert day is not None
        return dt.datetime(day.year, day.month, day.day)
    day = parse_date(m[1], field=field, label=label)
    assert day is not None
    try:
        return dt.datetime(day.year, day.month, day.day, int(m[2]), int(m[3]), int(m[4] or 0))
    except ValueError:
        raise ValidationError.single(field, label, f"时间不存在：“{text}”", "impossible")


def require(errors: list[FieldError], value: object, field: str, label: str) -> None:
    """Append a "required" error when ``value`` is empty."""
    if value is None or (isinstance(value, str) and not value.strip()) or value == []:
        errors.append(FieldError(field, label, "不能为空", "required"))


def check_choice(errors: list[FieldError], value: str | None, choices: dict[str, str] | set[str],
                 field: str, label: str) -> None:
    """Append an error when ``value`` is set but not one of ``choices``."""
    if value and value not in choices:
        errors.append(FieldError(field, label, f"不是有效的选项：“{value}”", "choice"))
