"""Hub hardening: security headers, no CORS, token guessing and runaway devices are rate-limited,
revocation takes effect at once, oversize bodies refused (in-process ASGI client: no network)."""
from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hub.app import create_app
from hub.service import register_device, revoke_device

H = {"X-Station-Protocol": "1"}


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[TestClient, str, object]:
    monkeypatch.setenv("STATION_HUB_RATE_PER_MIN", "30")
    monkeypatch.setenv("STATION_HUB_AUTH_FAILURES_PER_MIN", "5")
    app = create_app(f"sqlite:///{tmp_path / 'hub.db'}")
    token = register_device(app.state.engine, "340621101", name="临涣镇司法所")["token"]
    return TestClient(app), token, app.state.engine


def test_headers_and_no_cors(hub: tuple) -> None:
    client, token, _ = hub
    r = client.get("/v1/hello", headers={**H, "Authorization": f"Bearer {token}", "Origin": "https://evil.example"})
    assert r.status_code == 200
    assert r.headers["X-Content-Type-Options"] == "nosniff" and r.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'none'" in r.headers["Content-Security-Policy"]
    assert not any(h.lower().startswith("access-control-") for h in r.headers)
    pre = client.options("/v1/push", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in {h.lower() for h in pre.headers}


def test_token_guessing_is_limited_per_address(hub: tuple) -> None:
    client, token, _ = hub
    codes = [client.get("/v1/hello", headers={**H, "Authorization": f"Bearer guess{i}"}).status_code
             for i in range(7)]
    assert codes[:5] == [401] * 5 and codes[5:] == [429, 429]
    r = client.get("/v1/hello", headers={**H, "Authorization": f"Bearer {token}"})
    assert r.status_code == 429 and r.json()["code"] == "too_many_failures"  # even a right token waits


def test_runaway_device_is_limited_and_revocation_is_immediate(hub: tuple) -> None:
    client, token, engine = hub
    auth = {**H, "Authorization": f"Bearer {token}"}
    codes = [client.get("/v1/hello", headers=auth).status_code for _ in range(32)]
    assert codes.count(200) == 30 and codes[-1] == 429
    assert client.get("/v1/hello", headers=auth).json()["code"] == "rate_limited"
    second = register_device(engine, "340621101")["token"]
    auth2 = {**H, "Authorization": f"Bearer {second}"}
    assert client.get("/v1/hello", headers=auth2).status_code == 200
    assert revoke_device(engine, "340621101", 2)
    r = client.get("/v1/hello", headers=auth2)
    assert r.status_code == 401 and r.json()["code"] == "revoked"


def test_oversize_and_malformed_bodies_are_4xx(hub: tuple) -> None:
    from station.sync import protocol as P

    client, token, _ = hub
    auth = {**H, "Authorization": f"Bearer {token}", "Content-Encoding": "gzip"}
    big = b"x" * (P.MAX_REQUEST_BYTES + 1)
    assert client.post("/v1/push", content=big, headers=auth).status_code == 413
    assert client.post("/v1/audit", content=gzip.compress(b"{\"entries\": [1]}"), headers=auth).status_code == 400
    r = client.post("/v1/audit", content=gzip.compress(b"not json"), headers=auth)
    assert 400 <= r.status_code < 500 and r.json()["message"]
