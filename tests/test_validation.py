from __future__ import annotations

import datetime as dt

import pytest

from station.errors import ValidationError
from station.validation import check_phone, check_ric, check_uscc, normalise_name, parse_date, parse_datetime

from .conftest import ORG_CODE, VALID_ID


def test_valid_ric_gives_birth_date_and_gender() -> None:
    info, warnings = check_ric(VALID_ID)
    assert info.birth_date == dt.date(1949, 12, 31)
    assert info.gender == "女"
    assert warnings == []


def test_ric_is_normalised_from_full_width_and_lowercase_x() -> None:
    info, _ = check_ric("１１０１０５１９４９１２３１００２ｘ")
    assert info.number == VALID_ID


@pytest.mark.parametrize("number,code,fragment", [
    ("110105194912310021", "checksum", "校验位"),
    ("11010519491231002", "length", "18位"),
    ("1101051949123100AX", "format", "数字"),
    ("110105194902300026", "birth_date", "出生日期"),
    ("110105290001010014", "birth_date", "出生日期"),
])
def test_bad_ric_is_refused_naming_the_field(number: str, code: str, fragment: str) -> None:
    from stdnum.cn import ric
    if code == "birth_date":  # give the crafted number a right check digit so only the date is wrong
        number = number[:17] + ric.calc_check_digit(number)
    with pytest.raises(ValidationError) as e:
        check_ric(number)
    err = e.value.errors[0]
    assert (err.field, err.code) == ("id_number", code)
    assert err.label == "身份证号码" and fragment in err.message


def test_unknown_region_code_only_warns() -> None:
    """Administrative codes change; an old person's real ID must never be refused."""
    from stdnum.cn import ric
    body = "99990119800101001"
    number = body + ric.calc_check_digit(body + "0")
    info, warnings = check_ric(number)
    assert info.number == number and not info.region_known
    assert any("地区码" in w for w in warnings)


def test_fifteen_digit_old_id_is_accepted_with_warning() -> None:
    info, warnings = check_ric("110105491231002")
    assert info.birth_date == dt.date(1949, 12, 31)
    assert any("15位" in w for w in warnings)


def test_uscc() -> None:
    assert check_uscc(ORG_CODE.lower()) == ORG_CODE
    with pytest.raises(ValidationError) as e:
        check_uscc(ORG_CODE[:-1] + "M")
    assert e.value.errors[0].label == "统一社会信用代码"


@pytest.mark.parametrize("raw,expected", [
    ("138 1234 5678", "13812345678"), ("+86 13812345678", "13812345678"),
    ("0551-62345678", "0551-62345678"), ("010 12345678", "010-12345678"), ("05516234567 8", "0551-62345678"),
])
def test_phone_normalised(raw: str, expected: str) -> None:
    assert check_phone(raw)[0] == expected


@pytest.mark.parametrize("raw", ["1381234567", "abc", "138123456789"])
def test_impossible_phone_refused(raw: str) -> None:
    with pytest.raises(ValidationError) as e:
        check_phone(raw)
    assert e.value.errors[0].label == "联系电话"


def test_dates() -> None:
    assert parse_date("2026年1月5日", field="d", label="日期") == dt.date(2026, 1, 5)
    assert parse_datetime("2026/1/5 9:30", field="d", label="日期") == dt.datetime(2026, 1, 5, 9, 30)
    with pytest.raises(ValidationError, match="日期不存在"):
        parse_date("2026-02-30", field="d", label="日期")
    with pytest.raises(ValidationError, match="格式不正确"):
        parse_date("昨天", field="d", label="日期")


@pytest.mark.parametrize("raw,expected", [(" 张三 ", "张三"), ("张\u3000三", "张三"), ("John  Smith", "John Smith")])
def test_names_normalised(raw: str, expected: str) -> None:
    assert normalise_name(raw) == expected


def test_text_keeps_chinese_punctuation_and_rare_characters() -> None:
    from station.validation import normalise_text
    raw = "被申请人（赵某）赔偿５０００元，于１２月前付清；\uFA10塚　𠀀"
    assert normalise_text(raw) == "被申请人（赵某）赔偿5000元，于12月前付清；\uFA10塚 𠀀"
