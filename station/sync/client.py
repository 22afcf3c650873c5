"""HTTP client for the hub (httpx): one method per endpoint, errors turned into :class:`SyncError`."""
from __future__ import annotations

import uuid
from typing import Any, Sequence

import httpx
import orjson

from . import protocol as P
from .errors import SyncError


class HubClient:
    """Talks to one hub with one device token. Logs nothing about records; only ids and counts."""

    def __init__(self, url: str, token: str, *, device_id: str = "", timeout: float = 60.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.url = url.rstrip("/")
        headers = {"Authorization": f"Bearer {token}", P.PROTOCOL_HEADER: str(P.PROTOCOL_VERSION),
                   P.DEVICE_HEADER: device_id, "Accept-Encoding": "gzip"}
        self._http = httpx.Client(base_url=self.url, headers=headers, timeout=timeout, transport=transport,
                                  trust_env=False)
        #: upload batches packed ahead of their push (see prepare_push), by (batch id, id of the change list)
        self._prepared: dict[tuple[str, int], bytes] = {}
        #: what the hub announced in ``hello`` beyond protocol 1
        self.features: frozenset[str] = frozenset()

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "HubClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _send(self, method: str, path: str, *, body: dict[str, Any] | None = None,
              params: dict[str, Any] | None = None, retry: bool = True, packed: bytes | None = None,
              content_type: str = "application/json") -> Any:
        """One request. Reads are retried once when the server closed a kept-alive connection.
        ``packed``: ``body`` already packed (``P.pack(body)``, or frames with their content type)."""
        try:
            return self._send_once(method, path, body=body, params=params, packed=packed, content_type=content_type)
        except SyncError as e:
            if retry and e.code == "closed":
                return self._send_once(method, path, body=body, params=params, packed=packed,
                                       content_type=content_type)
            raise

    def _send_once(self, method: str, path: str, *, body: dict[str, Any] | None = None,
                   params: dict[str, Any] | None = None, packed: bytes | None = None,
                   content_type: str = "application/json") -> Any:
        kwargs: dict[str, Any] = {"params": params}
        if body is not None or packed is not None:
            kwargs["content"] = packed if packed is not None else P.pack(body or {})
            kwargs["headers"] = {"Content-Encoding": "gzip", "Content-Type": content_type}
        try:
            r = self._http.request(method, path, **kwargs)
        except httpx.RemoteProtocolError:
            raise SyncError(f"县级平台 {self.url} 断开了连接，稍后会自动重试", code="closed") from None
        except httpx.TimeoutException as e:
            raise SyncError(f"连接县级平台超时（{type(e).__name__}），稍后会自动重试", code="timeout") from None
        except httpx.TransportError as e:
            raise SyncError(f"无法连接县级平台 {self.url}（{type(e).__name__}），稍后会自动重试",
                            code="network") from None
        if r.status_code == 200:
            try:
                return orjson.loads(r.content)
            except ValueError:
                raise SyncError("县级平台的应答不完整，稍后会自动重试", code="bad_response") from None
        try:
            err = r.json()
            code, message = str(err.get("code", "error")), str(err.get("message", r.text[:200]))
        except ValueError:
            code, message = "error", r.text[:200]
        if r.status_code == 426:
            raise SyncError(message, code="protocol", status=426, retryable=False)
        if r.status_code == 401:
            raise SyncError(f"县级平台拒绝了本机的令牌：{message}", code=code, status=401, retryable=False)
        retry = r.status_code >= 500 or r.status_code == 429
        raise SyncError(f"县级平台拒绝了请求（{r.status_code} {code}）：{message}", code=code, status=r.status_code,
                        retryable=retry)

    def hello(self) -> dict[str, Any]:
        out = self._send("GET", "/v1/hello")
        if int(out.get("protocol", 0)) != P.PROTOCOL_VERSION:
            hub = out.get("protocol")
            raise SyncError(f"县级平台同步协议版本为 {hub}，本机为 {P.PROTOCOL_VERSION}；请升级"
                            f"{'本机程序' if (hub or 0) > P.PROTOCOL_VERSION else '县级平台'}",
                            code="protocol", retryable=False)
        self.features = frozenset(str(f) for f in out.get("features") or ())
        return dict(out)

    def _push_body(self, station: str, device_no: int, device_id: str, batch_id: str) -> dict[str, Any]:
        body: dict[str, Any] = {"protocol": P.PROTOCOL_VERSION, "station": station, "device_no": device_no,
                                "device_id": device_id, "batch_id": batch_id}
        if P.FEATURE_COMPACT_ANSWER in self.features:
            body["answer"] = P.ANSWER_COMPACT
        return body

    @staticmethod
    def _pack_push(envelope: dict[str, Any], changes: Sequence[Any], frames: bool) -> bytes:
        return P.pack_frames(envelope, changes) if frames else P.pack({**envelope, "changes": changes})

    def prepare_push(self, station: str, device_no: int, device_id: str, changes: Sequence[Any],
                     batch_id: str, *, frames: bool = False) -> None:
        """Pack a batch now (JSON or frames, and gzip: a good part of a push's work), so that its
        :meth:`push`, with the same batch id and the same change list, only sends bytes: the upload
        packs batch N+1 while the hub still works on batch N."""
        self._prepared[(batch_id, id(changes))] = self._pack_push(
            self._push_body(station, device_no, device_id, batch_id), changes, frames)

    def discard_prepared(self) -> None:
        self._prepared.clear()

    def push(self, station: str, device_no: int, device_id: str, changes: Sequence[Any],
             batch_id: str | None = None, *, frames: bool = False) -> dict[str, Any]:
        """Upload one batch. If the connection drops without an answer the batch is sent once more
        under a new id: whatever the hub already committed comes back as duplicates.

        The answer has a result per change (``results``), or, from a hub that announced
        ``compact_answer`` in :meth:`hello`, the number ``accepted`` and the other results only.

        ``changes``: dicts ``{seq, kind, uid, version, base_version, hash, payload}`` (gzip JSON),
        or with ``frames`` outbox rows ``(seq, kind, uid, version, base_version, payload bytes,
        hash)`` sent as :func:`~.protocol.pack_frames` (hubs listing ``push_frames`` in ``hello``).
        """
        envelope = self._push_body(station, device_no, device_id, batch_id or str(uuid.uuid4()))
        kind = P.FRAMES_CONTENT_TYPE if frames else "application/json"
        packed = self._prepared.pop((envelope["batch_id"], id(changes)), None)
        if packed is None:
            packed = self._pack_push(envelope, changes, frames)
        try:
            return dict(self._send("POST", "/v1/push", packed=packed, retry=False, content_type=kind))
        except SyncError as e:
            if e.code != "closed":
                raise
        again = self._pack_push({**envelope, "batch_id": str(uuid.uuid4())}, changes, frames)
        return dict(self._send("POST", "/v1/push", packed=again, retry=False, content_type=kind))

    def audit(self, entries: list[list[Any]] | bytes) -> dict[str, Any]:
        """Upload audit entries (or a JSON array of them, as :func:`~station.security.audit.entries_json_after`
        gives); the hub answers where this device's chain stands and any break it found."""
        if isinstance(entries, bytes):
            return dict(self._send("POST", "/v1/audit", packed=P.gzip_body(b'{"entries":' + entries + b"}"),
                                   retry=False))
        return dict(self._send("POST", "/v1/audit", body={"entries": entries}, retry=False))

    def pull(self, cursor: dict[str, int], limit: int = P.PAGE_RECORDS) -> dict[str, Any]:
        return dict(self._send("GET", "/v1/pull", params={"s": cursor.get("s", 0), "c": cursor.get("c", 0),
                                                          "limit": limit}))

    def verify(self, kinds: dict[str, Any], exclude: list[str], form: str = "hash") -> dict[str, Any]:
        """``form``: "sum" (:func:`~.protocol.fingerprint_sums`, if the hub announces it) or "hash"."""
        body: dict[str, Any] = {"kinds": kinds, "exclude": exclude}
        if form != "hash":
            body["form"] = form
        return dict(self._send("POST", "/v1/verify", body=body))

    def manifest(self, kind: str) -> list[tuple[str, int]]:
        return [(u, int(v)) for u, v in self._send("POST", "/v1/manifest", body={"kind": kind})]

    def records(self, uids: list[str]) -> list[dict[str, Any]]:
        return list(self._send("POST", "/v1/records", body={"uids": uids}))

    def stats(self) -> list[dict[str, Any]]:
        return list(self._send("GET", "/v1/stats"))


def probe(url: str, timeout: float = 2.0) -> bool:
    """Is the hub reachable? A cheap unauthenticated GET of ``/health`` with a short timeout.

    Any HTTP answer counts (an older hub without ``/health`` answers 404): the point is
    only to notice that the network is back, so the scheduler can sync at once.
    """
    try:
        with httpx.Client(timeout=timeout, trust_env=False) as c:
            c.get(url.rstrip("/") + "/health")
        return True
    except httpx.HTTPError:
        return False
