"""The county page: server-rendered HTML (Jinja2, autoescaped), login with a session cookie, CSV/XLSX.

Every page needs a county account (:mod:`hub.accounts`); without a live
session the browser is sent to ``/county/login``. Failed logins are limited
per address and per user name. Pages carry their own strict headers
(:data:`PAGE_HEADERS`; the API keeps ``default-src 'none'``); no CORS header
is ever sent. The page shows counts only, never personal data.
"""
from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.concurrency import run_in_threadpool

from station.errors import ValidationError
from station.periods import Period, parse_period, previous

from . import accounts, county
from .limits import Window

log = logging.getLogger("station_hub")

HERE = Path(__file__).parent
COOKIE = "station_county"
#: headers on every county page: only this hub's own files, never framed, no referrer, not cached
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

_env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))


def is_page(path: str) -> bool:
    return path == "/county" or path.startswith("/county/")


def _fmt(col: county.Col, value: Any) -> str:
    if value is None:
        return "—"
    if col.kind == "percent":
        return f"{value * 100:.2f}%"
    if col.kind == "hours":
        return f"{value:.2f}".rstrip("0").rstrip(".") if value else "0"
    return str(value)


def _cell(col: county.Col, row: dict[str, Any]) -> Markup:
    value = row.get(col.key)
    css = col.kind
    if col.key == "audit":
        css += " bad" if row.get("audit_broken") else " good"
    elif col.key == "closure" and row.get("code"):
        css += " good" if row.get("closed") else ""
    tag = "th" if col.key == "name" else "td"
    scope = ' scope="row"' if tag == "th" else ""
    return Markup(f'<{tag}{scope} class="{escape(css)}" data-col="{escape(col.key)}">{escape(_fmt(col, value))}</{tag}>')


def _presets(today: Any) -> list[tuple[str, str]]:
    this_month = parse_period(f"{today.year}-{today.month:02d}")
    q = (today.month - 1) // 3 + 1
    this_q = parse_period(f"{today.year}-Q{q}")
    return [("上月", previous(this_month).key), ("本月", this_month.key), ("上季度", previous(this_q).key),
            ("本季度", this_q.key), ("上年", str(today.year - 1)), ("本年", str(today.year))]


def _period(params: Any) -> tuple[Period, str | None]:
    """The period asked for (custom dates win over the text field), else last month; and an error message."""
    start, end, text = (params.get(k, "").strip() for k in ("start", "end", "period"))
    try:
        if start or end:
            if not (start and end):
                raise ValidationError.single("period", "统计期间", "自定义期间需要开始和结束两个日期")
            return parse_period(f"{start}..{end}"), None
        if text:
            return parse_period(text), None
    except ValidationError as e:
        return county.default_period(), "；".join(f"{f.label}：{f.message}" for f in e.errors)
    return county.default_period(), None


def install(app: FastAPI, engine: Any) -> None:
    """Add the county routes to the hub app."""
    secure = os.environ.get("STATION_HUB_COOKIE_SECURE", "1") != "0"
    hours = float(os.environ.get("STATION_HUB_SESSION_HOURS", "8") or 8)
    per_address = Window(int(os.environ.get("STATION_HUB_LOGIN_FAILURES_PER_MIN", "10")))
    per_user = Window(int(os.environ.get("STATION_HUB_LOGIN_FAILURES_PER_USER_MIN", "5")))
    mirrors = county.Mirrors()
    app.state.county_mirrors = mirrors
    if os.environ.get("STATION_HUB_WARM_COUNTY", "1") != "0":
        threading.Thread(target=mirrors.warm, args=(engine,), name="county-warm", daemon=True).start()
    router = APIRouter(include_in_schema=False)

    def render(name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        return HTMLResponse(_env.get_template(name).render(**ctx), status_code=status)

    async def user_of(request: Request) -> str | None:
        return await run_in_threadpool(accounts.session_user, engine, request.cookies.get(COOKIE))

    def to_login() -> RedirectResponse:
        return RedirectResponse("/county/login", status_code=303)

    def same_origin(request: Request) -> bool:
        """A form post must come from this hub's own page (SameSite=Strict already keeps the cookie home).

        Browsers say so in ``Sec-Fetch-Site``; with ``Referrer-Policy: no-referrer`` they send
        ``Origin: null`` even for the page's own forms, so Origin only decides when it names a site.
        """
        site = request.headers.get("sec-fetch-site")
        if site is not None:
            return site in ("same-origin", "none")
        origin = request.headers.get("origin")
        if not origin or origin == "null":
            return True
        return urlsplit(origin).netloc == request.headers.get("host", "")

    async def form(request: Request) -> dict[str, str]:
        """The urlencoded login form; anything over 4 KB is not a login form and reads as empty."""
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > 4096:
                return {}
            chunks.append(chunk)
        return {k: v[0] for k, v in parse_qs(b"".join(chunks).decode("utf-8", "replace")).items()}

    def login_page(request: Request, status: int = 200, error: str = "", username: str = "") -> HTMLResponse:
        note = ("本平台只在 HTTPS 下保存登录状态：请通过 https:// 地址访问（或由管理员设置 STATION_HUB_COOKIE_SECURE=0）。"
                if secure and request.url.scheme != "https" else "")
        return render("login.html", status, user=None, error=error, username=username, insecure_note=note)

    @router.get("/")
    async def root() -> Response:
        return RedirectResponse("/county", status_code=303)

    @router.get("/county/static/county.css")
    async def css() -> Response:
        return FileResponse(HERE / "static" / "county.css", media_type="text/css")

    @router.get("/county/login")
    async def login_form(request: Request) -> Response:
        if await user_of(request):
            return RedirectResponse("/county", status_code=303)
        return login_page(request)

    @router.post("/county/login")
    async def login(request: Request) -> Response:
        if not same_origin(request):
            return login_page(request, 403, "请从本平台的登录页登录")
        data = await form(request)
        username, password = data.get("username", "").strip(), data.get("password", "")
        address = request.client.host if request.client else "?"
        if per_address.full(address) or per_user.full(username):
            log.warning("county login refused (too many failures) user=%s address=%s", username[:40], address)
            return login_page(request, 429, "登录失败次数过多，请一分钟后再试", username)
        user_id = await run_in_threadpool(accounts.check_login, engine, username, password)
        if user_id is None:
            per_address.hit(address)
            per_user.hit(username)
            log.warning("county login failed user=%s address=%s", username[:40], address)
            return login_page(request, 401, "用户名或密码错误，或账号已停用", username)
        token = await run_in_threadpool(accounts.new_session, engine, user_id, hours)
        log.info("county login user=%s address=%s", username, address)
        resp = RedirectResponse("/county", status_code=303)
        resp.set_cookie(COOKIE, token, max_age=int(hours * 3600), path="/county", httponly=True, secure=secure,
                        samesite="strict")
        return resp

    @router.post("/county/logout")
    async def logout(request: Request) -> Response:
        if same_origin(request):
            await run_in_threadpool(accounts.end_session, engine, request.cookies.get(COOKIE))
        resp = to_login()
        resp.delete_cookie(COOKIE, path="/county", httponly=True, secure=secure, samesite="strict")
        return resp

    @router.get("/county")
    async def page(request: Request) -> Response:
        user = await user_of(request)
        if not user:
            return to_login()
        period, error = _period(request.query_params)
        report = await run_in_threadpool(county.county_report, engine, mirrors, period)
        params = request.query_params
        custom = bool(params.get("start") or params.get("end")) and not error
        return render("county.html", 400 if error else 200, user=user, report=report, error=error,
                      columns=county.COLUMNS, heads=county.HEADS, cell=_cell, presets=_presets(county.local_today()),
                      current=period.key, period_text="" if custom else period.key,
                      start=params.get("start", "") if custom else "", end=params.get("end", "") if custom else "")

    async def download(request: Request, fmt: str) -> Response:
        if not await user_of(request):
            return to_login()
        period, error = _period(request.query_params)
        if error:
            return Response(error, status_code=400, media_type="text/plain; charset=utf-8")
        report = await run_in_threadpool(county.county_report, engine, mirrors, period)
        name = f"county-{period.key.replace('..', '_')}.{fmt}"
        if fmt == "csv":
            body, media = county.to_csv(report), "text/csv; charset=utf-8"
        else:
            body = await run_in_threadpool(county.to_xlsx, report)
            media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @router.get("/county/report.csv")
    async def report_csv(request: Request) -> Response:
        return await download(request, "csv")

    @router.get("/county/report.xlsx")
    async def report_xlsx(request: Request) -> Response:
        return await download(request, "xlsx")

    app.include_router(router)
