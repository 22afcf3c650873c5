"""Fuzz the hub's HTTP API from its OpenAPI schema (schemathesis, in-process ASGI: no network).

Every generated request, with a valid device token and protocol header and without, must end in
a 2xx or a 4xx with a JSON body naming the problem — never a server error.
"""
from __future__ import annotations

import os
import tempfile
from collections import Counter
from typing import Any, Iterator

import pytest

import schemathesis
from hypothesis import HealthCheck, given, settings, strategies as st

os.environ.setdefault("STATION_HUB_RATE_PER_MIN", "100000")
os.environ.setdefault("STATION_HUB_AUTH_FAILURES_PER_MIN", "100000")

from hub.app import create_app  # noqa: E402
from hub.service import register_device  # noqa: E402

_APP = create_app(f"sqlite:///{tempfile.mkdtemp(prefix='hub-fuzz-')}/hub.db")
_TOKEN = register_device(_APP.state.engine, "340621101", name="临涣镇司法所")["token"]
schema = schemathesis.openapi.from_asgi("/openapi.json", _APP)
CASES: Counter[str] = Counter()


@schema.parametrize()
@settings(max_examples=60, deadline=None)
def test_no_server_errors(case: schemathesis.Case) -> None:
    CASES[f"{case.method} {case.path}"] += 1
    for headers in ({"X-Station-Protocol": "1", "Authorization": f"Bearer {_TOKEN}"}, {}):
        response = case.call(headers=headers)
        assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:200])
        if response.status_code >= 400:
            body = response.json()
            assert body.get("message") or body.get("detail"), body


_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                     lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
                     max_leaves=20)
_FIELDS = {"/v1/push": ["protocol", "station", "device_no", "device_id", "batch_id", "changes"],
           "/v1/verify": ["kinds", "exclude"], "/v1/manifest": ["kind"], "/v1/records": ["uids"],
           "/v1/audit": ["entries"]}


@pytest.fixture(scope="module")
def app_client() -> Iterator[Any]:
    """One client for the whole module, inside the app's lifespan: pushes go through the parse worker process."""
    from fastapi.testclient import TestClient

    with TestClient(_APP) as client:
        yield client


@pytest.mark.parametrize("path", sorted(_FIELDS))
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_post_bodies_never_cause_server_errors(app_client: Any, path: str, data: st.DataObject) -> None:
    """The POST endpoints take gzip JSON the schema does not describe: fuzz their bodies directly."""
    import gzip
    import json

    keys = _FIELDS[path]
    body = data.draw(st.one_of(_JSON, st.fixed_dictionaries({}, optional={k: _JSON for k in keys})))
    raw = json.dumps(body).encode()
    if data.draw(st.booleans()):
        raw = gzip.compress(raw)
    CASES[f"POST {path} (body)"] += 1
    r = app_client.post(path, content=raw, headers={"X-Station-Protocol": "1", "Authorization": f"Bearer {_TOKEN}",
                                                     "Content-Encoding": "gzip"})
    assert r.status_code < 500, (path, body, r.status_code, r.text[:200])
    if r.status_code >= 400:
        assert r.json().get("message"), r.text


def test_report_case_count() -> None:
    """Not a check: prints how many cases the fuzz run generated (run after the fuzz test)."""
    print(f"\nschemathesis generated {sum(CASES.values())} cases: {dict(CASES)}")
