"""HTTP API of the hub (FastAPI). Every request carries a device token and the protocol version.

Endpoints (all under ``/v1``): ``hello``, ``push`` (gzip JSON upload batch), ``pull``
(download page), ``verify`` (per-kind fingerprint), ``manifest`` and ``records`` (repair),
``stats``. Refusals are JSON ``{"code", "message"}`` with a meaningful status and one log line.
"""
from __future__ import annotations

import asyncio
import hmac
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Awaitable, Callable

import orjson
from fastapi import FastAPI, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from station.sync import protocol as P

from . import audit as hub_audit, limits, service, web
from .db import database_url, make_engine
from .service import Device, HubError

log = logging.getLogger("station_hub")
#: cursors are database integers: anything larger is a bad request, not a server error (found by fuzzing)
MAX_CURSOR = 2 ** 62


def _refuse(request: Request, status: int, code: str, message: str, device: Device | None = None) -> JSONResponse:
    who = f"station={device.station_code} device={device.device_no}" if device else "device=?"
    log.warning("refused %s %s %s status=%d code=%s", request.method, request.url.path, who, status, code)
    body: dict[str, Any] = {"code": code, "message": message, "protocol": P.PROTOCOL_VERSION}
    # refusals made by the guard never reach the headers middleware (it is inside the guard): add them here
    return JSONResponse(body, status_code=status, headers=limits.SECURITY_HEADERS)


class _Headers:
    """Security headers on every answer (no CORS headers are ever sent: browsers may not call the API).

    Plain ASGI middleware, like :class:`_Guard`: Starlette's ``@app.middleware("http")`` hands
    every chunk of a request body through a task and a memory stream, which cost the hub
    process about as much CPU as classifying the changes of an upload.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = web.PAGE_HEADERS if web.is_page(scope["path"]) else limits.SECURITY_HEADERS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).update(extra)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _Guard:
    """Runs ``admit`` (version, token, limits) before any ``/v1/`` handler; answers its refusal instead."""

    def __init__(self, app: ASGIApp, admit: Callable[[Request], Awaitable[Response | None]]) -> None:
        self.app, self.admit = app, admit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/v1/"):
            refusal = await self.admit(Request(scope))  # sets request.state, which lives in the scope
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        await self.app(scope, receive, send)


def create_app(db_url: str | None = None) -> FastAPI:
    engine = make_engine(database_url(db_url))
    testing = os.environ.get("STATION_HUB_TESTING") == "1"
    ingest_delay = float(os.environ.get("STATION_HUB_INGEST_DELAY", "0") or 0) if testing else 0.0
    admin_token = os.environ.get("STATION_HUB_ADMIN_TOKEN", "")
    # Push and audit bodies are inflated, parsed and checked in a worker process: half of their CPU,
    # and in this process it would hold the GIL while the batch before is written. With a worker,
    # a device's next batch is read there while this process writes the one before. The worker
    # lives as long as the app runs (lifespan); without one, bodies are parsed on a thread here.
    workers = int(os.environ.get("STATION_HUB_PARSE_WORKERS", "1") or 0)
    parsers: list[ProcessPoolExecutor] = []

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if workers > 0:
            pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                       initializer=service.parse_worker_init)
            await asyncio.get_running_loop().run_in_executor(pool, P.canonical_json, None)  # started now
            parsers.append(pool)
        try:
            yield
        finally:
            while parsers:
                parsers.pop().shutdown(wait=True, cancel_futures=True)

    app = FastAPI(title="Station county hub", version=str(P.PROTOCOL_VERSION), lifespan=lifespan)
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=1)  # level 9 costs CPU per answer
    app.state.engine = engine

    per_device, auth_failures = limits.from_env()

    async def admit(request: Request) -> Response | None:
        """Protocol version and token are checked before any handler runs: a refusal, or None to go on."""
        address = request.client.host if request.client else "?"
        if auth_failures.full(address):
            return _refuse(request, 429, "too_many_failures", "令牌错误次数过多，请一分钟后再试")
        raw = request.headers.get(P.PROTOCOL_HEADER)
        try:
            version = int(raw) if raw is not None else None
        except ValueError:
            version = None
        if version is None or version < P.MIN_PROTOCOL_VERSION or version > P.PROTOCOL_VERSION:
            newer = version is not None and version > P.PROTOCOL_VERSION
            mine = f"本机同步协议版本（{raw}）" if raw is not None else "请求未注明同步协议版本，本机程序"
            msg = (f"{mine}比县级平台（{P.PROTOCOL_VERSION}）新，请联系县里升级平台" if newer else
                   f"{mine}过旧，县级平台需要版本 {P.MIN_PROTOCOL_VERSION}–{P.PROTOCOL_VERSION}，请升级本机程序")
            return _refuse(request, 426, "protocol", msg)
        auth = request.headers.get("Authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else None
        request.state.admin = bool(admin_token) and token is not None and hmac.compare_digest(token, admin_token)
        if request.state.admin and request.url.path == "/v1/stats":
            request.state.device = None
            return None
        try:
            request.state.device = await run_in_threadpool(service.authenticate, engine, token)
        except HubError as e:
            if e.status == 401:
                auth_failures.hit(address)
            return _refuse(request, e.status, e.code, e.message)
        if not per_device.hit(str(request.state.device.id)):
            return _refuse(request, 429, "rate_limited", "请求过于频繁，请稍后再试", request.state.device)
        return None

    # plain ASGI, innermost first: the headers inside the guard (a refusal carries its own headers)
    app.add_middleware(_Headers)
    app.add_middleware(_Guard, admit=admit)

    async def _parse(fn: Any, *args: Any) -> Any:
        """``fn(*args)`` in the parse worker (a thread here when there is none)."""
        if parsers:
            return await asyncio.get_running_loop().run_in_executor(parsers[0], fn, *args)
        return await run_in_threadpool(fn, *args)

    async def _body(request: Request) -> dict[str, Any]:
        return await run_in_threadpool(P.unpack, await _received(request))

    async def _received(request: Request) -> bytes:
        """The request body as sent (gzip), within the size limit."""
        length = request.headers.get("content-length")
        if length is not None and int(length) > P.MAX_REQUEST_BYTES:
            raise P.ProtocolError(413, "too_large", f"request larger than {P.MAX_REQUEST_BYTES} bytes")
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > P.MAX_REQUEST_BYTES:
                raise P.ProtocolError(413, "too_large", f"request larger than {P.MAX_REQUEST_BYTES} bytes")
            chunks.append(chunk)
        raw = b"".join(chunks)
        if request.headers.get("content-encoding", "").lower() != "gzip":
            raise P.ProtocolError(415, "not_gzip", "request body must be gzip-compressed JSON")
        return raw

    async def _call(request: Request, fn: Any, *args: Any) -> Response:
        device = request.state.device
        try:  # encoded off the event loop, with the fast encoder (ingest answers run to thousands of results)
            return Response(await run_in_threadpool(lambda: orjson.dumps(fn(*args))), media_type="application/json")
        except (HubError, P.ProtocolError) as e:
            return _refuse(request, e.status, e.code, e.message, device)
        except Exception:  # noqa: BLE001 - logged with traceback; the device retries later
            log.exception("internal error %s %s", request.method, request.url.path)
            return _refuse(request, 500, "internal", "县级平台内部错误，请稍后重试", device)

    @app.get("/v1/hello")
    async def hello(request: Request) -> Response:
        d: Device = request.state.device
        return JSONResponse({"protocol": P.PROTOCOL_VERSION, "min_protocol": P.MIN_PROTOCOL_VERSION,
                             "station": d.station_code, "device_no": d.device_no,
                             "limits": {"batch_changes": P.MAX_BATCH_CHANGES, "request_bytes": P.MAX_REQUEST_BYTES,
                                        "audit_entries": P.MAX_AUDIT_ENTRIES},
                             "features": [P.FEATURE_FINGERPRINT_SUM, P.FEATURE_PUSH_FRAMES,
                                          P.FEATURE_COMPACT_ANSWER]})

    @app.post("/v1/push")
    async def push(request: Request) -> Response:
        device: Device = request.state.device
        try:
            received = await _received(request)
            frames = request.headers.get("content-type", "").startswith(P.FRAMES_CONTENT_TYPE)
            batch = await _parse(service.parse_push, received, device, frames)
        except (P.ProtocolError, HubError) as e:
            return _refuse(request, e.status, e.code, e.message, device)
        return await _call(request, lambda: service.ingest(engine, device, batch, delay=ingest_delay))

    @app.get("/v1/pull")
    async def pull(request: Request, s: int = Query(0, ge=0, le=MAX_CURSOR), c: int = Query(0, ge=0, le=MAX_CURSOR),
                   limit: int = Query(P.PAGE_RECORDS, ge=1, le=MAX_CURSOR)) -> Response:
        return await _call(request, service.pull, engine, request.state.device, {"s": s, "c": c}, limit)

    @app.post("/v1/verify")
    async def verify(request: Request) -> Response:
        try:
            body = await _body(request)
            fp, exclude = body["kinds"], [str(u) for u in list(body.get("exclude") or [])]
            if not isinstance(fp, dict) or not all(  # found by fuzzing: a bad shape must be a 400, not a 500
                    isinstance(v, dict) and isinstance(v.get("count", 0), int) for v in fp.values()):
                raise TypeError
            form = "sum" if body.get("form") == "sum" else "hash"  # devices from before send hashes
            fp = {str(k): {"count": v.get("count", 0), form: str(v.get(form, ""))} for k, v in fp.items()}
        except P.ProtocolError as e:
            return _refuse(request, e.status, e.code, e.message, request.state.device)
        except (KeyError, TypeError, AttributeError):
            return _refuse(request, 400, "bad_json", "verify needs kinds", request.state.device)
        return await _call(request, service.verify, engine, request.state.device, fp, exclude, form)

    @app.post("/v1/manifest")
    async def manifest(request: Request) -> Response:
        try:
            kind = str((await _body(request))["kind"])
        except (P.ProtocolError, KeyError, TypeError):
            return _refuse(request, 400, "bad_json", "manifest needs kind", request.state.device)
        return await _call(request, service.manifest, engine, request.state.device, kind)

    @app.post("/v1/records")
    async def records(request: Request) -> Response:
        try:
            uids = [str(u) for u in (await _body(request))["uids"]][:5000]
        except (P.ProtocolError, KeyError, TypeError):
            return _refuse(request, 400, "bad_json", "records needs uids", request.state.device)
        return await _call(request, service.fetch_records, engine, request.state.device, uids)

    @app.post("/v1/audit")
    async def audit(request: Request) -> Response:
        device: Device = request.state.device
        try:
            received = await _received(request)
            upload = await _parse(hub_audit.parse_audit, received)
        except P.ProtocolError as e:
            return _refuse(request, e.status, e.code, e.message, device)
        return await _call(request, hub_audit.ingest_audit, engine, device, upload, received)

    @app.get("/health")
    async def health() -> Response:
        """Unauthenticated liveness probe: stations poll it (short timeout) to notice the network is back."""
        return JSONResponse({"ok": True, "protocol": P.PROTOCOL_VERSION})

    @app.get("/v1/stats")
    async def stats(request: Request) -> Response:
        device: Device | None = request.state.device
        return await _call(request, service.stats, engine, None if device is None else device.station_code)

    web.install(app, engine)  # the county page (/county): accounts, statistics, CSV/XLSX
    return app
