"""Checking an uploaded payload: a JSON object whose uid, version and kind match its change.

Every change of every upload is checked, so this is the hub's hottest loop. The
payload is the canonical JSON text the device hashed; parsing it into Python
objects (orjson) only to read three keys cost more than the rest of the batch
check together. simdjson validates the whole text in C++ and reads the three keys
without building the rest.

simdjson returns the *first* of duplicate keys, the readers of a stored payload
(orjson, the stations) the *last*: the fast path is taken only when each of the
three keys is written once in the whole text (no ``\\u`` escapes, which could
spell a key differently). Anything else, and any text simdjson refuses, goes
through orjson, which decides. So the fast path accepts exactly what orjson would.
"""
from __future__ import annotations

from typing import Any

import orjson
import simdjson

_NO_OBJECT = (None, None, None, False)


def _plain(value: Any) -> Any:
    """A value read by simdjson as orjson would give it (its arrays and objects are lazy views)."""
    if isinstance(value, simdjson.Array):
        return value.as_list()
    if isinstance(value, simdjson.Object):
        return value.as_dict()
    return value


class PayloadReader:
    """Reads ``(uid, version, _kind, is_object)`` from payload bytes; raises ValueError for bad JSON.

    Not thread-safe (it owns a simdjson parser): make one per batch.
    """

    def __init__(self) -> None:
        self._parser = simdjson.Parser()

    def identity(self, data: bytes) -> tuple[Any, Any, Any, bool]:
        # every key named uid/version/_kind is these bytes somewhere in the text (or uses an escape)
        if data.count(b'"uid"') == 1 and data.count(b'"version"') == 1 and data.count(b'"_kind"') == 1 \
                and b"\\u" not in data:
            try:
                doc = self._parser.parse(data)
            except Exception:  # noqa: BLE001  # any refusal: orjson below decides (and names it)
                doc = None
            if doc is not None:
                if type(doc) is not simdjson.Object:
                    del doc  # the parser is reused only once no document refers to it
                    return _NO_OBJECT
                get = doc.get
                uid, version, kind = get("uid"), get("version"), get("_kind")
                del doc, get
                if type(uid) is str and type(version) is int and type(kind) is str:  # as a device writes them
                    return uid, version, kind, True
                return _plain(uid), _plain(version), _plain(kind), True
        try:
            parsed = orjson.loads(data)
        except orjson.JSONDecodeError as e:
            raise ValueError(str(e)) from None
        if not isinstance(parsed, dict):
            return _NO_OBJECT
        return parsed.get("uid"), parsed.get("version"), parsed.get("_kind"), True
