"""County statistics from the records stations synced up: per station, rolled up, and as CSV/XLSX.

The figures are computed by the station's own report code
(:func:`station.reports.figures.build_tables`), so the county sees exactly what
each station's report shows. For that, every station gets a *mirror*: an
in-memory SQLite database with the station schema, holding the station's
synced records of the kinds the figures need (never people, parties or
sessions: the county page shows counts only). A mirror is refreshed
incrementally from ``hub_records.seq`` (each station's change counter), so a
page view after a sync loads only what changed.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import threading
from dataclasses import dataclass, field
from typing import Any, Callable

from sqlalchemy import Date, DateTime, Engine, MetaData, Time, UniqueConstraint, create_engine, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from station.models import SYNCED_MODELS, Base, PeriodClosure
from station.periods import LOCAL_OFFSET, Period, Scope, parse_period, previous
from station.reports import figures as F

from . import service
from .models import HubRecord, HubStation

log = logging.getLogger("station_hub")

#: record kinds a mirror holds (parents first, as :data:`station.models.SYNCED_MODELS`)
MIRROR_KINDS = ("staff", "village", "committee", "consultation", "case", "follow_up", "visit",
                "period_closure")


@dataclass(frozen=True)
class Col:
    key: str
    label: str
    kind: str = "int"  # int | hours | percent | text


#: the county table: station columns, then figures keys of station.reports.figures
COLUMNS = [
    Col("name", "司法所", "text"),
    Col("last_sync_at", "最近成功同步", "text"),
    Col("audit", "审计链", "text"),
    Col("consultations.total", "来访咨询"),
    Col("cases.accepted", "受理调解"),
    Col("cases.succeeded", "调解成功"),
    Col("cases.failed", "调解不成"),
    Col("cases.terminated", "终止调解"),
    Col("cases.success_rate", "调解成功率", "percent"),
    Col("cases.jc_applied", "申请司法确认"),
    Col("cases.jc_confirmed", "司法确认有效"),
    Col("visits.count", "法律顾问服务次数"),
    Col("visits.hours", "法律顾问服务时长(小时)", "hours"),
    Col("visits.education_sessions", "普法场次"),
    Col("visits.education_attendees", "普法人数"),
    Col("closure", "本期报送", "text"),
]
SUMMED = [c.key for c in COLUMNS if c.kind in ("int", "hours")]
#: page headers broken between words (a narrow column would otherwise break inside one)
HEADS = {"last_sync_at": "最近|成功同步", "consultations.total": "来访|咨询", "cases.accepted": "受理|调解",
         "cases.succeeded": "调解|成功", "cases.failed": "调解|不成", "cases.terminated": "终止|调解",
         "cases.success_rate": "调解|成功率", "cases.jc_applied": "申请|司法确认", "cases.jc_confirmed": "司法确认|有效",
         "visits.count": "法律顾问|服务次数", "visits.hours": "法律顾问|服务时长|(小时)",
         "visits.education_sessions": "普法|场次", "visits.education_attendees": "普法|人数"}


def local_today() -> dt.date:
    return (dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) + LOCAL_OFFSET).date()


def default_period(today: dt.date | None = None) -> Period:
    """Last month (China time): what stations report at the start of a month."""
    t = today or local_today()
    return previous(parse_period(f"{t.year}-{t.month:02d}"))


def _local(t: dt.datetime | str | None) -> str:
    """A UTC timestamp as China local time, to the minute; "从未" when missing."""
    if t is None:
        return "从未"
    if isinstance(t, str):
        t = dt.datetime.fromisoformat(t)
    return (t + LOCAL_OFFSET).strftime("%Y-%m-%d %H:%M")


def _mirror_schema() -> MetaData:
    """The station schema without its UNIQUE constraints (record numbers): the county counts every
    record the hub holds, even two that a station would refuse to hold side by side."""
    md = MetaData()
    for table in Base.metadata.sorted_tables:
        copy = table.to_metadata(md)
        for c in [c for c in copy.constraints if isinstance(c, UniqueConstraint)]:
            copy.constraints.discard(c)
    return md


_MIRROR_SCHEMA = _mirror_schema()
_LOADERS: dict[str, tuple[str, Callable[[dict[str, Any]], tuple[Any, ...]]]] = {}


def _loader(kind: str, dialect: Any) -> tuple[str, Callable[[dict[str, Any]], tuple[Any, ...]]]:
    """(INSERT OR REPLACE statement, payload -> row) for one kind.

    A payload is decoded as :func:`station.records.decode` does (ISO text -> dates) and then
    passed through each column type's own bind processor, so the stored values are exactly what
    SQLAlchemy would store; executing on the DBAPI cursor skips SQLAlchemy's per-row parameter
    handling, which dominated the first view. A key missing from an older payload takes the column default.
    """
    if kind in _LOADERS:
        return _LOADERS[kind]
    model = SYNCED_MODELS[kind]
    table = model.__table__  # type: ignore[attr-defined]
    steps: list[tuple[str, Any, Any, Any]] = []
    for attr in inspect(model).column_attrs:
        col = attr.columns[0]
        parse: Any = None
        if isinstance(col.type, DateTime):
            parse = dt.datetime.fromisoformat
        elif isinstance(col.type, Date):
            parse = dt.date.fromisoformat
        elif isinstance(col.type, Time):
            parse = dt.time.fromisoformat
        default = col.default.arg if col.default is not None and col.default.is_scalar else None
        steps.append((attr.key, parse, col.type.dialect_impl(dialect).bind_processor(dialect), default))
    names = ", ".join(f'"{attr.columns[0].name}"' for attr in inspect(model).column_attrs)
    sql = f'INSERT OR REPLACE INTO "{table.name}" ({names}) VALUES ({", ".join("?" * len(steps))})'

    def convert(p: dict[str, Any]) -> tuple[Any, ...]:
        out = []
        for key, parse, bind, default in steps:
            v = p.get(key, default)
            if v is not None:
                if parse is not None and isinstance(v, str):
                    v = parse(v)
                if bind is not None:
                    v = bind(v)
            out.append(v)
        return tuple(out)

    _LOADERS[kind] = (sql, convert)
    return sql, convert


@dataclass
class Mirror:
    """One station's synced records in the station schema, up to ``seq``."""

    engine: Engine
    seq: int = 0
    skipped: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Mirrors:
    """The mirrors of all stations of one hub process (built on first use, then kept current)."""

    def __init__(self) -> None:
        self._mirrors: dict[str, Mirror] = {}
        self._lock = threading.Lock()

    def get(self, code: str) -> Mirror:
        with self._lock:
            m = self._mirrors.get(code)
            if m is None:
                eng = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
                _MIRROR_SCHEMA.create_all(eng)
                m = self._mirrors[code] = Mirror(eng)
            return m

    def refresh(self, hub: Engine, code: str) -> Mirror:
        """Bring the mirror of ``code`` up to the hub's newest records (call with ``mirror.lock`` held)."""
        m = self.get(code)
        with hub.connect() as conn:
            top = conn.execute(select(HubStation.seq).where(HubStation.code == code)).scalar() or 0
            if top <= m.seq:
                return m
            rows = conn.execute(select(HubRecord.kind, HubRecord.payload, HubRecord.seq).where(
                HubRecord.scope == code, HubRecord.seq > m.seq, HubRecord.kind.in_(MIRROR_KINDS))
                .order_by(HubRecord.seq)).all()
        by_kind: dict[str, list[dict[str, Any]]] = {}
        for kind, payload, _seq in rows:
            by_kind.setdefault(kind, []).append(json.loads(payload))
        bad: list[str] = []
        with m.engine.begin() as mc:
            cur = mc.connection.driver_connection.cursor()  # type: ignore[union-attr]
            for kind in MIRROR_KINDS:
                sql, convert = _loader(kind, m.engine.dialect)
                rows = []
                for p in by_kind.get(kind, []):
                    try:
                        rows.append(convert(p))
                    except (ValueError, TypeError, AttributeError):  # one bad record must not hide the rest
                        bad.append(f"{kind}:{p.get('uid')}")
                cur.executemany(sql, rows)
        if bad:
            m.skipped += len(bad)
            log.warning("county view: %d record(s) of station %s not usable: %s", len(bad), code, ", ".join(bad[:10]))
        m.seq = top
        return m

    def warm(self, hub: Engine) -> None:
        """Build every station's mirror now (run in a background thread when the hub starts), so the
        first page view does not wait for it."""
        try:
            with hub.connect() as conn:
                codes = list(conn.execute(select(HubStation.code).where(HubStation.code != "*")).scalars())
            for code in codes:
                m = self.get(code)
                with m.lock:
                    self.refresh(hub, code)
        except Exception:  # noqa: BLE001 - a page view builds what is missing; the hub keeps serving
            log.exception("county view: warming the mirrors failed")

    def figures(self, hub: Engine, code: str, period: Period) -> tuple[dict[str, Any], dict[str, str]]:
        """(the station report's figures for ``period``, newest closure time per closed period key)."""
        m = self.get(code)
        with m.lock:
            self.refresh(hub, code)
            with Session(m.engine) as s:
                figs, _tables = F.build_tables(s, period, Scope("station"))
                closed: dict[str, str] = {}
                for c in s.scalars(select(PeriodClosure).where(PeriodClosure.deleted.is_(False),
                                                               PeriodClosure.scope == "station")
                                   .order_by(PeriodClosure.closed_at)):
                    closed[c.period] = _local(c.closed_at)
        return figs, closed


def _rollup(rows: list[dict[str, Any]]) -> dict[str, Any]:
    total: dict[str, Any] = {k: 0 for k in SUMMED}
    for r in rows:
        for k in SUMMED:
            total[k] += r[k] or 0
    total["visits.hours"] = round(total["visits.hours"], 2)
    ok, bad = total["cases.succeeded"], total["cases.failed"] + total["cases.terminated"]
    total["cases.success_rate"] = F.ratio(ok, ok + bad)
    submitted = sum(1 for r in rows if r["closed"])
    total.update(name="全县合计", code="", last_sync_at="", audit=f"{sum(1 for r in rows if r['audit_broken'])}个所异常"
                 if any(r["audit_broken"] for r in rows) else "正常",
                 closure=f"{submitted}/{len(rows)}个所已报送", audit_broken=any(r["audit_broken"] for r in rows),
                 closed=None, submitted=[])
    return total


def county_report(hub: Engine, mirrors: Mirrors, period: Period) -> dict[str, Any]:
    """Per-station rows and the county row for ``period``; only counts, no personal data."""
    rows = []
    for st in service.stats(hub):
        code = st["station"]
        figs, closed = mirrors.figures(hub, code, period)
        broken = st["audit_broken"]
        row: dict[str, Any] = {k: figs.get(k) for k in SUMMED + ["cases.success_rate"]}
        row.update(
            code=code, name=st["name"] or code, last_sync_at=_local(st["last_sync_at"]),
            audit="异常：" + "；".join(f"设备{b['device_no']}第{b['seq']}条起" for b in broken) if broken else "正常",
            audit_broken=bool(broken), closed=closed.get(period.key),
            closure=f"已报送 {closed[period.key]}" if period.key in closed else "未报送",
            submitted=sorted(closed.items(), reverse=True))
        rows.append(row)
    generated = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    return {"period": {"key": period.key, "label": period.label, "start": period.start.isoformat(),
                       "end": period.end.isoformat()},
            "stations": rows, "total": _rollup(rows), "generated_at": _local(generated)}


# --------------------------------------------------------------------------- downloads

def _cell_text(value: Any) -> str:
    """Text for a CSV cell; a leading = + - @ is quoted so a spreadsheet never runs it as a formula."""
    s = str(value)
    return "'" + s if s[:1] in ("=", "+", "-", "@") else s


def _plain(col: Col, value: Any) -> Any:
    if value is None:
        return ""
    if col.kind == "percent":
        return round(value * 100, 2)
    return value


def _header(col: Col) -> str:
    return col.label + "(%)" if col.kind == "percent" else col.label


def table_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [*report["stations"], report["total"]]


def to_csv(report: dict[str, Any]) -> bytes:
    """UTF-8 with BOM (Excel opens it as Chinese text); rates in percent, numbers unformatted."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["统计期间", report["period"]["label"], report["period"]["start"], report["period"]["end"]])
    w.writerow(["司法所编码"] + [_header(c) for c in COLUMNS])
    for r in table_rows(report):
        w.writerow([_cell_text(r["code"])] + [
            _cell_text(v) if c.kind == "text" else v for c in COLUMNS for v in [_plain(c, r.get(c.key))]])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(report: dict[str, Any]) -> bytes:
    """One sheet of real number cells (rates as 0.00 %), a second sheet of submitted periods."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "各所统计"
    ws.append([f"全县司法所工作统计（{report['period']['label']}，"
               f"{report['period']['start']}至{report['period']['end']}）"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(["司法所编码"] + [c.label for c in COLUMNS])
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for r in table_rows(report):
        ws.append([r["code"]] + [r.get(c.key) for c in COLUMNS])
        for c, cell in zip(COLUMNS, ws[ws.max_row][1:]):
            if c.kind == "percent":
                cell.number_format = "0.00%"
            elif c.kind == "hours":
                cell.number_format = "0.00"
            elif c.kind == "int":
                cell.number_format = "0"
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    widths = [12] + [max(10, min(28, len(c.label) * 2 + 2)) for c in COLUMNS]
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "C3"
    sub = wb.create_sheet("报送情况")
    sub.append(["司法所编码", "司法所", "报送期间", "报送时间"])
    for cell in sub[1]:
        cell.font = Font(bold=True)
    for r in report["stations"]:
        for key, at in r["submitted"]:
            sub.append([r["code"], r["name"], key, at])
    for col, w in zip("ABCD", (12, 20, 24, 18)):
        sub.column_dimensions[col].width = w
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
