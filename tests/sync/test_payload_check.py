"""The hub's payload check: the simdjson fast path must accept and read exactly what orjson would."""
from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.payload_check import PayloadReader

UID = "0190a3c4-1d2e-7f00-8000-00000000abcd"


def reference(data: bytes) -> tuple[Any, Any, Any, bool]:
    """What the stations and every other reader of a stored payload see (orjson: the last duplicate wins)."""
    parsed = orjson.loads(data)
    if not isinstance(parsed, dict):
        return None, None, None, False
    return parsed.get("uid"), parsed.get("version"), parsed.get("_kind"), True


@pytest.mark.parametrize("text", [
    # plain canonical payload
    f'{{"_kind":"person","name":"张三","uid":"{UID}","version":2}}',
    # duplicate keys: readers take the last one, so must the check
    f'{{"_kind":"person","uid":"{UID}","uid":"11111111-1111-4111-8111-111111111111","version":1}}',
    f'{{"_kind":"person","uid":"{UID}","version":1,"version":7}}',
    f'{{"_kind":"person","_kind":"case","uid":"{UID}","version":1}}',
    # the duplicate hidden behind whitespace before the colon, or spelled with an escape
    f'{{"_kind":"person","uid":"{UID}","uid" :"22222222-2222-4222-8222-222222222222","version":1}}',
    f'{{"_kind":"person","uid":"{UID}","\\u0075id":"33333333-3333-4333-8333-333333333333","version":1}}',
    # identity keys only nested, or nested as well as at the top
    f'{{"inner":{{"_kind":"person","uid":"{UID}","version":1}}}}',
    f'{{"_kind":"person","parties":[{{"uid":"x"}}],"uid":"{UID}","version":1}}',
    # a key that contains an escaped quote followed by uid
    f'{{"_kind":"person","a\\"uid":1,"uid":"{UID}","version":1}}',
    # a string value that mentions the keys
    f'{{"_kind":"person","notes":"\\"uid\\":\\"x\\"","uid":"{UID}","version":1}}',
    # numbers and booleans where ints are expected
    f'{{"_kind":"person","uid":"{UID}","version":1.0}}',
    f'{{"_kind":"person","uid":"{UID}","version":true}}',
    f'{{"_kind":"person","big":123456789012345678901234567890,"uid":"{UID}","version":1}}',
    # not objects
    '[1, 2, 3]', '"text"', 'null',
    # missing identity keys
    '{"name":"x"}', '{}',
])
def test_fast_path_reads_what_orjson_reads(text: str) -> None:
    data = text.encode("utf-8")
    try:
        expected = reference(data)
    except orjson.JSONDecodeError:
        with pytest.raises(ValueError):
            PayloadReader().identity(data)
        return
    assert PayloadReader().identity(data) == expected


@pytest.mark.parametrize("data", [
    b'{"uid":"a","version":1,"_kind":"person"', b'{"uid":"a","version":1,"_kind":"person"} x',
    b'{"uid":"a","version":1,"_kind":"person","n":NaN}', b'{"uid":"\xff","version":1,"_kind":"p"}',
    b'{"uid":"\\ud800","version":1,"_kind":"p"}', b'', b'{"uid":"a",}',
])
def test_bad_json_is_refused(data: bytes) -> None:
    with pytest.raises(ValueError):
        PayloadReader().identity(data)


def test_one_reader_reads_many_payloads_in_a_row() -> None:
    reader = PayloadReader()
    for i in range(1, 200):
        data = orjson.dumps({"_kind": "person", "uid": UID, "version": i, "n": "名" * i}, option=orjson.OPT_SORT_KEYS)
        assert reader.identity(data) == (UID, i, "person", True)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2 ** 63, 2 ** 63 - 1) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(), lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["uid", "version", "_kind", "a", "名"]) | st.text(max_size=4), inner, max_size=4),
    max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(json_values, st.lists(st.sampled_from(["uid", "version", "_kind", "x"]), max_size=6), st.booleans())
def test_any_json_reads_as_orjson_reads_it(value: Any, extra_keys: list[str], spaced: bool) -> None:
    """Random documents, with identity keys repeated (duplicates written by hand) and spaced colons."""
    body = orjson.dumps(value).decode("utf-8")
    if body.startswith("{") and extra_keys:
        sep = " :" if spaced else ":"
        extra = ",".join(f'"{k}"{sep}{orjson.dumps(i).decode()}' for i, k in enumerate(extra_keys))
        body = "{" + extra + ("," + body[1:] if body != "{}" else "}")
    data = body.encode("utf-8")
    assert PayloadReader().identity(data) == reference(data)
