"""一案一码: record numbers unique across every device of every station, without coordination.

A record number is ``{prefix}{station code}-{device no}-{year}{seq}`` where
``seq`` is this device's own counter for that kind and year. Station codes are
unique in the county and device numbers unique within a station, so two devices
working offline can never produce the same number. Case display numbers
（2026）X人调字第N号 draw N from the device's own block (see settings).
"""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from . import settings
from .errors import StationError

PREFIXES = {"consultation": "ZX", "case": "TJ", "visit": "GW"}


def next_value(session: Session, name: str, start: int = 1) -> int:
    """Increment a named counter inside the caller's transaction and return the new value."""
    conn = session.connection()
    conn.execute(text("INSERT INTO counters (name, value) VALUES (:n, :v) ON CONFLICT(name) DO NOTHING"),
                 {"n": name, "v": start - 1})
    return int(conn.execute(text("UPDATE counters SET value = value + 1 WHERE name = :n RETURNING value"),
                            {"n": name}).scalar_one())


def record_number(session: Session, kind: str, station_code: str, year: int) -> tuple[str, int]:
    device_no = int(settings.get(session, "device_no"))
    seq = next_value(session, f"{kind}:{year}")
    return f"{PREFIXES[kind]}{station_code}-{device_no:02d}-{year}{seq:06d}", seq


def case_display_number(session: Session, year: int, abbr: str) -> tuple[str, int]:
    device_no = int(settings.get(session, "device_no"))
    block = int(settings.get(session, "case_number_block"))
    first = (device_no - 1) * block + 1
    seq = next_value(session, f"case_display:{year}", start=first)
    if seq >= first + block:
        raise StationError(f"本机{year}年案件编号段（{first}–{first + block - 1}）已用完，请在设置中调整编号段")
    fmt = str(settings.get(session, "case_number_format"))
    return fmt.format(year=year, abbr=abbr, seq=seq, device=device_no), seq
