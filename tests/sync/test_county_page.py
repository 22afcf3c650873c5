"""The county page of the hub, over HTTP against a real hub process with records synced by real stations.

Station A holds the hand-computed report fixture (tests/fixtures/report_2026_10.json) and has closed
2026-10; station B has two consultations and an edited audit entry. Every number on the page, in the
CSV and in the XLSX must equal the hand-computed figures (and their county sum).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
import shutil
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterator

import httpx
import pytest
from conftest import Devices, HubProcess
from sqlalchemy import text

from station import Station
from station.sync import login as sync_login, run_sync

from tests import report_fixture

A, B = "340621101", "340621102"
PASSWORD = "county-pass-2026"
EXPECTED = report_fixture.load()["expected"]["figures"]
#: page column -> hand-computed figure of station A
SHOWN = ["consultations.total", "cases.accepted", "cases.succeeded", "cases.failed", "cases.terminated",
         "cases.success_rate", "cases.jc_applied", "cases.jc_confirmed", "visits.count", "visits.hours",
         "visits.education_sessions", "visits.education_attendees"]
B_CONSULTATIONS = 2


class Table(HTMLParser):
    """Rows of the page's station table: ``data-station`` -> {``data-col``: text}."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, dict[str, str]] = {}
        self._row: dict[str, str] | None = None
        self._col: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "tr" and a.get("data-station"):
            self._row = self.rows.setdefault(str(a["data-station"]), {})
        elif tag in ("td", "th") and self._row is not None and a.get("data-col"):
            self._col = str(a["data-col"])
            self._row[self._col] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self._col = None
        elif tag == "tr":
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._row is not None and self._col:
            self._row[self._col] += data


def page_rows(html: str) -> dict[str, dict[str, str]]:
    p = Table()
    p.feed(html)
    return p.rows


def shown(key: str, value: float | int | None) -> str:
    """How the page writes a figure."""
    if value is None:
        return "—"
    if key.endswith("_rate"):
        return f"{value * 100:.2f}%"
    if key == "visits.hours":
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def _sync(st: Station) -> None:
    res = run_sync(st)
    assert res.status == "ok", res.message


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory, _station_template: Path) -> Iterator[HubProcess]:
    """A hub with station A (report fixture, 2026-10 closed) and B (2 consultations, broken audit chain)."""
    tmp = tmp_path_factory.mktemp("county")
    hub = HubProcess(f"sqlite:///{tmp / 'hub.db'}", tmp, STATION_HUB_COOKIE_SECURE="0",
                     STATION_HUB_LOGIN_FAILURES_PER_MIN="1000").start()
    opened: dict[str, Station] = {}
    hub.stations = opened  # type: ignore[attr-defined]
    try:
        for code, name in ((A, "临涣镇司法所"), (B, "韩村镇司法所")):
            reg = hub.register(code, name)
            folder = tmp / code
            shutil.copytree(_station_template, folder)
            st = Station.open(folder)
            opened[code] = st
            if code == A:
                report_fixture.build(st)
                st.reports.close_period("2026-10", today=dt.date(2026, 11, 1))
            else:
                st.reference.setup_station({"code": code, "name": name, "abbr": "韩"})
                for i in range(B_CONSULTATIONS):
                    st.consultations.record_consultation({
                        "occurred_at": f"2026-10-1{i} 09:00:00", "channel": "visit", "category_code": "C01",
                        "handling": "answered", "question": "咨询事项", "answer": "依法解答",
                        "persons": [{"name": f"来访人{i}", "gender": "男"}]})
                with st.write() as s:  # someone edits an audit entry before it goes up
                    last = s.execute(text("SELECT max(seq) FROM audit_log")).scalar()
                    s.execute(text("UPDATE audit_log SET action = 'update' WHERE seq = :q"), {"q": last - 1})
            sync_login(st, hub.url, reg["token"], token_file=folder / "hub.token")
            _sync(st)
        from hub.accounts import add_user, set_disabled
        eng = hub.engine()
        try:
            for user in ("chen", "li", "wang", "gone"):
                add_user(eng, user, PASSWORD)
            set_disabled(eng, "gone")
        finally:
            eng.dispose()
        yield hub
    finally:
        for st in opened.values():
            st.close()
        hub.stop()


def browser(hub: HubProcess) -> httpx.Client:
    return httpx.Client(base_url=hub.url, trust_env=False, timeout=60, follow_redirects=False)


@contextmanager
def signed_in(hub: HubProcess, user: str = "chen") -> Iterator[httpx.Client]:
    with browser(hub) as c:
        r = c.post("/county/login", data={"username": user, "password": PASSWORD})
        assert r.status_code == 303 and r.headers["location"] == "/county", r.text[:300]
        yield c


def test_every_county_url_needs_an_account(county: HubProcess) -> None:
    with browser(county) as c:
        for url in ("/county", "/county?period=2026-10", "/county/report.csv?period=2026-10", "/county/report.xlsx"):
            r = c.get(url)
            assert (r.status_code, r.headers["location"]) == (303, "/county/login"), url
        assert c.get("/").headers["location"] == "/county"
        r = c.get("/county/login", headers={"Origin": "https://evil.example"})
        assert r.status_code == 200 and "用户名" in r.text and "密码" in r.text
        h = r.headers
        assert h["Content-Security-Policy"].startswith("default-src 'self'")
        assert (h["X-Frame-Options"], h["X-Content-Type-Options"], h["Referrer-Policy"]) == \
            ("DENY", "nosniff", "no-referrer")
        assert not any(k.lower().startswith("access-control-") for k in h)
        assert c.get("/county/static/county.css").headers["content-type"].startswith("text/css")
        # the device API keeps its own, stricter policy, on refusals too
        assert c.get("/v1/hello").headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_wrong_password_disabled_account_and_guessing_are_refused(county: HubProcess) -> None:
    with browser(county) as c:
        r = c.post("/county/login", data={"username": "chen", "password": "wrong-password"})
        assert r.status_code == 401 and "用户名或密码错误" in r.text and "set-cookie" not in r.headers
        r = c.post("/county/login", data={"username": "nobody", "password": PASSWORD})
        assert r.status_code == 401 and "set-cookie" not in r.headers
        r = c.post("/county/login", data={"username": "gone", "password": PASSWORD})  # disabled
        assert r.status_code == 401 and "set-cookie" not in r.headers
        assert c.get("/county").status_code == 303
        # a form posted from another site is refused even with the right password
        r = c.post("/county/login", data={"username": "chen", "password": PASSWORD},
                   headers={"Origin": "https://evil.example"})
        assert r.status_code == 403 and "set-cookie" not in r.headers
        r = c.post("/county/login", data={"username": "chen", "password": PASSWORD},
                   headers={"Sec-Fetch-Site": "cross-site", "Origin": "null"})
        assert r.status_code == 403 and "set-cookie" not in r.headers
        r = c.post("/county/login", content=b"username=chen&password=" + b"x" * 100_000,
                   headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert r.status_code == 401 and "set-cookie" not in r.headers  # oversized: read as an empty form
        # five failures for one name: even the right password waits a minute
        for _ in range(5):
            assert c.post("/county/login", data={"username": "li", "password": "guess-guess"}).status_code == 401
        r = c.post("/county/login", data={"username": "li", "password": PASSWORD})
        assert r.status_code == 429 and "一分钟" in r.text
    assert "county login failed user=li" in county.log() and PASSWORD not in county.log()


def test_cookie_flags_and_logout_ends_the_session(county: HubProcess) -> None:
    with browser(county) as c:
        r = c.post("/county/login", data={"username": "wang", "password": PASSWORD})
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "path=/county" in cookie
        token = c.cookies.get("station_county")
        assert token and c.get("/county").status_code == 200
        assert c.post("/county/logout").headers["location"] == "/county/login"
    with browser(county) as again:  # the old cookie is dead on the hub, not only in that browser
        again.cookies.set("station_county", token)
        assert again.get("/county").status_code == 303


def test_page_figures_equal_the_hand_computed_ones(county: HubProcess) -> None:
    with signed_in(county) as c:
        r = c.get("/county", params={"period": "2026-10"})
    assert r.status_code == 200
    assert "2026年10月" in r.text and "临涣镇司法所" in r.text and "韩村镇司法所" in r.text
    assert "来访人" not in r.text and "申请人" not in r.text  # counts only, no personal data
    rows = page_rows(r.text)
    a, b, total = rows[A], rows[B], rows["county"]
    for key in SHOWN:
        assert a[key] == shown(key, EXPECTED[key][0]), (key, a[key], EXPECTED[key])
    assert b["consultations.total"] == str(B_CONSULTATIONS) and b["cases.accepted"] == "0"
    assert b["cases.success_rate"] == "—"  # no outcome: empty, not 0 %
    for key in SHOWN:
        if key.endswith("_rate"):
            continue
        want = EXPECTED[key][0] + (B_CONSULTATIONS if key == "consultations.total" else 0)
        assert total[key] == shown(key, want), key
    assert total["cases.success_rate"] == shown("x_rate", EXPECTED["cases.success_rate"][0])
    assert a["audit"] == "正常" and b["audit"].startswith("异常：设备1第")
    assert a["closure"].startswith("已报送 ") and b["closure"] == "未报送"
    assert total["closure"] == "1/2个所已报送" and total["audit"] == "1个所异常"
    assert a["last_sync_at"] != "从未" and a["last_sync_at"][:2] == "20"
    assert "2026-10（" in r.text  # the closures table lists the submitted period


def test_other_periods_and_bad_input(county: HubProcess) -> None:
    with signed_in(county) as c:
        q4 = page_rows(c.get("/county", params={"period": "2026-Q4"}).text)[A]
        assert q4["consultations.total"] == "6" and q4["closure"] == "未报送"  # + C6 (11-01), Q4 not closed
        custom = c.get("/county", params={"start": "2026-10-31", "end": "2026-11-01"})
        assert page_rows(custom.text)[A]["consultations.total"] == "2"  # C4 23:30 and C6 00:10
        assert 'value="2026-10-31"' in custom.text
        bad = c.get("/county", params={"period": "2026-13"})
        assert bad.status_code == 400 and "统计期间" in bad.text and "2026-13" in bad.text
        assert c.get("/county", params={"period": "<script>"}).text.count("<script>") == 0  # escaped
        assert c.get("/county/report.csv", params={"period": "去年"}).status_code == 400
        default = c.get("/county")
        assert default.status_code == 200 and 'class="on"' in default.text  # last month is preselected


def test_csv_and_xlsx_hold_the_same_numbers(county: HubProcess) -> None:
    from openpyxl import load_workbook

    with signed_in(county) as c:
        r = c.get("/county/report.csv", params={"period": "2026-10"})
        x = c.get("/county/report.xlsx", params={"period": "2026-10"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert 'filename="county-2026-10.csv"' in r.headers["content-disposition"]
    assert r.content.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert lines[0][:2] == ["统计期间", "2026年10月"]
    header, body = lines[1], {ln[0] or "county": dict(zip(lines[1], ln)) for ln in lines[2:]}
    assert header[:2] == ["司法所编码", "司法所"] and "调解成功率(%)" in header
    assert set(body) == {A, B, "county"}
    assert body[A]["来访咨询"] == str(EXPECTED["consultations.total"][0])
    assert float(body[A]["调解成功率(%)"]) == pytest.approx(EXPECTED["cases.success_rate"][0] * 100)
    assert float(body[A]["法律顾问服务时长(小时)"]) == pytest.approx(EXPECTED["visits.hours"][0])
    assert body["county"]["来访咨询"] == str(EXPECTED["consultations.total"][0] + B_CONSULTATIONS)
    assert body[B]["调解成功率(%)"] == ""

    wb = load_workbook(io.BytesIO(x.content))
    assert x.headers["content-type"].startswith("application/vnd.openxmlformats")
    ws = wb["各所统计"]
    head = [c.value for c in ws[2]]
    rows = {r[0].value or "county": {h: cell for h, cell in zip(head, r)} for r in ws.iter_rows(min_row=3)}
    a = rows[A]
    assert isinstance(a["来访咨询"].value, int) and a["来访咨询"].value == EXPECTED["consultations.total"][0]
    assert a["调解成功率"].value == pytest.approx(EXPECTED["cases.success_rate"][0])
    assert a["调解成功率"].number_format == "0.00%"
    assert a["法律顾问服务时长(小时)"].value == pytest.approx(EXPECTED["visits.hours"][0])
    assert rows["county"]["司法所"].value == "全县合计"
    assert rows["county"]["来访咨询"].value == EXPECTED["consultations.total"][0] + B_CONSULTATIONS
    assert [[c.value for c in r] for r in wb["报送情况"].iter_rows(min_row=2)][0][:3] == \
        [A, "临涣镇司法所", "2026-10"]


def test_page_follows_new_syncs(county: HubProcess) -> None:
    """A record synced after the first page view shows up on the next one (the mirrors refresh)."""
    with signed_in(county) as c:
        before = page_rows(c.get("/county", params={"period": "2026-09"}).text)[B]["consultations.total"]
        st: Station = county.stations[B]  # type: ignore[attr-defined]
        st.consultations.record_consultation({
            "occurred_at": "2026-09-20 10:00:00", "channel": "phone", "category_code": "C01",
            "handling": "answered", "question": "咨询事项", "answer": "依法解答",
            "persons": [{"name": "来访人九", "gender": "女"}]})
        _sync(st)
        after = page_rows(c.get("/county", params={"period": "2026-09"}).text)[B]["consultations.total"]
    assert (before, after) == ("0", "1")


def test_in_a_real_headless_browser(county: HubProcess, tmp_path: Path) -> None:
    """Debian's chromium via Selenium: log in through the form, read the table, download the CSV.

    With ``COUNTY_SCREENSHOT=path.png`` the page is also saved there (docs/screenshots/hub-county.png).
    """
    import time

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never go to the network
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1600,900", "--lang=zh-CN", "--force-device-scale-factor=1"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    opts.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                           "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    try:
        driver.set_page_load_timeout(60)
        driver.get(county.url + "/county?period=2026-10")
        assert driver.current_url.endswith("/county/login")  # sent to the login form first
        def submit(form: str) -> None:
            """Click a form's button and wait until the next page has replaced this one."""
            old = driver.find_element(By.TAG_NAME, "html")
            driver.find_element(By.CSS_SELECTOR, f"{form} button[type=submit]").click()
            WebDriverWait(driver, 30).until(EC.staleness_of(old))

        driver.find_element(By.ID, "username").send_keys("chen")
        driver.find_element(By.ID, "password").send_keys("not-the-password")
        submit("section.login form")
        assert "用户名或密码错误" in driver.find_element(By.CSS_SELECTOR, ".error").text
        if os.environ.get("COUNTY_SCREENSHOT"):
            driver.save_screenshot(os.environ["COUNTY_SCREENSHOT"].replace(".png", "-login.png"))
        driver.find_element(By.ID, "password").send_keys(PASSWORD)
        submit("section.login form")
        assert driver.current_url.endswith("/county"), driver.current_url
        driver.find_element(By.ID, "period").clear()
        driver.find_element(By.ID, "period").send_keys("2026-10")
        submit("form.period")
        assert "2026年10月" in driver.find_element(By.CSS_SELECTOR, ".heading h2").text
        row = driver.find_element(By.CSS_SELECTOR, f'tr[data-station="{A}"]')
        assert row.find_element(By.CSS_SELECTOR, "th").text == "临涣镇司法所"
        cell = row.find_element(By.CSS_SELECTOR, 'td[data-col="cases.success_rate"]')
        assert cell.text == shown("cases.success_rate", EXPECTED["cases.success_rate"][0])
        total = driver.find_element(By.CSS_SELECTOR, 'tr[data-station="county"] td[data-col="consultations.total"]')
        assert total.text == str(EXPECTED["consultations.total"][0] + B_CONSULTATIONS)
        # the stylesheet loaded under the page's CSP (a blocked file would leave the header unstyled)
        header = driver.find_element(By.CSS_SELECTOR, "header.top")
        assert header.value_of_css_property("background-color") == "rgba(27, 94, 156, 1)"
        assert not [e for e in driver.get_log("browser") if "Content Security Policy" in e["message"]]
        if os.environ.get("COUNTY_SCREENSHOT"):
            driver.save_screenshot(os.environ["COUNTY_SCREENSHOT"])
        driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
        driver.find_element(By.ID, "csv").click()
        target = downloads / "county-2026-10.csv"
        end = time.monotonic() + 30
        while not target.exists() and time.monotonic() < end:
            time.sleep(0.2)
        assert target.exists(), list(downloads.iterdir())
        lines = list(csv.reader(io.StringIO(target.read_bytes().decode("utf-8-sig"))))
        body = {ln[0]: dict(zip(lines[1], ln)) for ln in lines[2:]}
        assert body[A]["来访咨询"] == str(EXPECTED["consultations.total"][0])
        # logging out ends the session: the page sends the browser back to the form
        submit("form.logout")
        assert driver.current_url.endswith("/county/login")
        driver.get(county.url + "/county")
        assert driver.current_url.endswith("/county/login")
    finally:
        driver.quit()


def test_a_closure_settled_locally_by_an_older_version_reaches_the_hub(county: HubProcess) -> None:
    """Before period_closure was an upload kind, the station marked closures as sent ('local');
    the verify step of the next sync finds the hub lacking them and the repair sends them up."""
    st: Station = county.stations[B]  # type: ignore[attr-defined]
    uid = st.reports.close_period("2026-09", today=dt.date(2026, 10, 1)).record["uid"]
    with st.write() as s:  # what the older version did with it
        s.execute(text("UPDATE outbox SET sent_at = CURRENT_TIMESTAMP, batch_id = 'local' WHERE uid = :u"),
                  {"u": uid})
    for _ in range(2):
        _sync(st)
    eng = county.engine()
    try:
        with eng.connect() as conn:
            kind = conn.execute(text("SELECT kind FROM hub_records WHERE uid = :u"), {"u": uid}).scalar()
    finally:
        eng.dispose()
    assert kind == "period_closure"
    with signed_in(county) as c:
        assert page_rows(c.get("/county", params={"period": "2026-09"}).text)[B]["closure"].startswith("已报送")


def test_user_command(tmp_path: Path) -> None:
    """``station-hub user``: add (stdin), refuse a short password or a taken name, list, passwd, disable."""
    import subprocess
    import sys

    from hub.accounts import check_login
    from hub.db import make_engine

    db = f"sqlite:///{tmp_path / 'hub.db'}"

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "hub.cli", "--db", db, "user", *args], input=stdin, text=True,
                              capture_output=True, env={**os.environ, "PYTHONPATH": str(Path.cwd())}, timeout=60)

    ok = run("add", "chen", "--password-stdin", stdin=PASSWORD + "\n")
    assert ok.returncode == 0 and "已创建县级账号：chen" in ok.stdout
    short = run("add", "li", "--password-stdin", stdin="short\n")
    assert short.returncode == 2 and "密码至少8位" in short.stderr
    assert run("add", "chen", "--password-stdin", stdin=PASSWORD + "\n").returncode == 2
    bad = run("add", "Chen Li", "--password-stdin", stdin=PASSWORD + "\n")
    assert bad.returncode == 2 and "用户名" in bad.stderr
    listed = run("list").stdout.splitlines()
    assert len(listed) == 1 and listed[0].startswith("chen\t有效")
    eng = make_engine(db)
    try:
        assert check_login(eng, "chen", PASSWORD) is not None
        assert run("passwd", "chen", "--password-stdin", stdin="another-pass-9\n").returncode == 0
        assert check_login(eng, "chen", PASSWORD) is None and check_login(eng, "chen", "another-pass-9")
        assert run("disable", "chen").returncode == 0
        assert check_login(eng, "chen", "another-pass-9") is None
        assert "已停用" in run("list").stdout
        assert run("disable", "nobody").returncode == 1
        assert run("enable", "chen").returncode == 0 and check_login(eng, "chen", "another-pass-9")
        with eng.connect() as conn:  # only a scrypt hash is stored
            stored = conn.execute(text("SELECT password_hash FROM hub_users")).scalar()
        assert stored.startswith("scrypt$") and "another-pass-9" not in stored
    finally:
        eng.dispose()


def test_county_page_on_postgresql(pg_devices: Devices) -> None:
    """The same page on a PostgreSQL hub: accounts, sessions and figures."""
    st = pg_devices.new(A, "临涣镇司法所")
    for day in ("2026-10-05 09:00:00", "2026-10-06 09:00:00", "2026-11-01 09:00:00"):
        st.consultations.record_consultation({
            "occurred_at": day, "channel": "visit", "category_code": "C01", "handling": "answered",
            "question": "咨询事项", "answer": "依法解答", "persons": [{"name": "来访人", "gender": "男"}]})
    _sync(st)
    from hub.accounts import add_user
    eng = pg_devices.hub.engine()
    try:
        add_user(eng, "chen", PASSWORD)
    finally:
        eng.dispose()
    hub = pg_devices.hub
    with browser(hub) as c:
        assert c.get("/county").status_code == 303
        r = c.post("/county/login", data={"username": "chen", "password": PASSWORD})
        assert r.status_code == 303
        # Secure by default: a browser would not send it back over plain http (the form says so);
        # here it is carried by hand, as a TLS front end would
        assert "secure" in r.headers["set-cookie"].lower()
        token = r.cookies["station_county"]
    with browser(hub) as c:
        c.cookies.set("station_county", token)
        rows = page_rows(c.get("/county", params={"period": "2026-10"}).text)
        assert rows[A]["consultations.total"] == "2" and rows["county"]["consultations.total"] == "2"
        assert "HTTPS" in httpx.get(hub.url + "/county/login", trust_env=False).text
        csv_rows = list(csv.reader(io.StringIO(
            c.get("/county/report.csv", params={"period": "2026-Q4"}).content.decode("utf-8-sig"))))
        assert csv_rows[2][0] == A and dict(zip(csv_rows[1], csv_rows[2]))["来访咨询"] == "3"


def test_mirror_counts_every_hub_record_and_skips_only_broken_ones(tmp_path: Path,
                                                                   _station_template: Path) -> None:
    """Two records with the same number (a station would refuse one) both count; an undecodable one is
    skipped and logged, the rest still counts."""
    import json

    from sqlalchemy import insert, update

    from hub import county as C
    from hub.db import make_engine
    from hub.models import HubRecord, HubStation
    from hub.service import register_device
    from station.periods import parse_period

    folder = tmp_path / "st"
    shutil.copytree(_station_template, folder)
    with Station.open(folder) as st:
        st.reference.setup_station({"code": A, "name": "临涣镇司法所", "abbr": "临"})
        st.consultations.record_consultation({
            "occurred_at": "2026-10-03 09:00:00", "channel": "visit", "category_code": "C01",
            "handling": "answered", "question": "咨询事项", "answer": "依法解答",
            "persons": [{"name": "来访人", "gender": "男"}]})
        with st.read() as s:
            tpl = json.loads(s.execute(text("SELECT payload FROM outbox JOIN outbox_payloads USING (seq)"
                                            " WHERE kind = 'consultation'")).scalar())
    eng = make_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    try:
        register_device(eng, A, name="临涣镇司法所")
        uids = ["00000000-0000-4000-8000-00000000000" + str(i) for i in range(3)]
        recs = [dict(tpl, uid=uids[0]), dict(tpl, uid=uids[1]), dict(tpl, uid=uids[2], occurred_at="not a date")]
        with eng.begin() as conn:
            conn.execute(insert(HubRecord), [
                {"uid": r["uid"], "scope": A, "kind": "consultation", "version": 1, "hash": "0" * 64, "seq": 100 + i,
                 "device_no": 1, "payload": json.dumps(r)} for i, r in enumerate(recs)])
            conn.execute(update(HubStation).where(HubStation.code == A).values(seq=102))
        mirrors = C.Mirrors()
        report = C.county_report(eng, mirrors, parse_period("2026-10"))
        assert report["stations"][0]["consultations.total"] == 2
        assert mirrors.get(A).skipped == 1
        warmed = C.Mirrors()  # what the hub does in the background at start
        warmed.warm(eng)
        assert (warmed.get(A).seq, warmed.get(A).skipped) == (102, 1)
    finally:
        eng.dispose()
