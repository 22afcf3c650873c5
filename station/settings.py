"""Settings declared once, as data, with typed defaults (stored in the ``settings`` table).

Station-wide settings (number format, hardship line, target hours…) and
device-local ones (device id and number) live in the same table; the
``scope`` says which, so sync can send only the station-wide ones.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Setting as SettingRow


@dataclass(frozen=True)
class SettingDef:
    key: str
    default: Any
    label: str
    help: str
    scope: str = "station"  # station | device


SETTINGS: tuple[SettingDef, ...] = (
    SettingDef("device_id", "", "设备标识", "Random UUID of this device, made on first open.", "device"),
    SettingDef("device_no", 1, "设备编号",
               "Number of this device within the station (1, 2, …); part of every record number, "
               "so two devices never make the same number. Assigned at set-up or by the hub.", "device"),
    SettingDef("case_number_format", "（{year}）{abbr}人调字第{seq}号", "案件编号格式",
               "Display number of mediation cases; placeholders {year} {abbr} {seq} {device}."),
    SettingDef("case_number_block", 1000, "编号段大小",
               "Each device numbers its cases inside its own block: device n uses "
               "(n-1)*block+1 … n*block, so offline devices never collide."),
    SettingDef("hardship_line", 0.0, "经济困难标准（元/月/人）",
               "County legal-aid hardship line: household monthly income per head at or below it "
               "suggests eligibility (e.g. 2 × local 低保)."),
    SettingDef("hardship_line_note", "", "经济困难标准说明", "How the line was set and since when."),
    SettingDef("default_target_hours", 50.0, "村(居)年度服务时长目标（小时）",
               "Yearly adviser hours per village unless the village sets its own."),
    SettingDef("case_time_limit_days", 30, "调解期限（天）", "Cases open longer than this are overdue."),
    SettingDef("backup_dir", "", "备份文件夹",
               "Where scheduled backups go; empty = backups/ in the data folder. A path of this machine.",
               "device"),
    SettingDef("backup_keep", 7, "保留份数", "How many scheduled backups are kept (the oldest go first).", "device"),
    SettingDef("recovery_code_confirmed", False, "恢复码已抄写",
               "The user confirmed writing down the encrypted database's recovery code (else the first-run "
               "wizard issues a new one).", "device"),
    SettingDef("follow_up_after_days", 15, "协议达成后回访（天）",
               "A follow-up visit is due this many days after an agreement (reminder on the home page)."),
)

BY_KEY = {s.key: s for s in SETTINGS}


def get(session: Session, key: str) -> Any:
    row = session.get(SettingRow, key)
    return BY_KEY[key].default if row is None else row.value


def get_all(session: Session) -> dict[str, Any]:
    values = {s.key: s.default for s in SETTINGS}
    values.update({r.key: r.value for r in session.scalars(select(SettingRow))})
    return values


def put(session: Session, key: str, value: Any) -> None:
    if key not in BY_KEY:
        raise KeyError(f"unknown setting {key!r}")
    row = session.get(SettingRow, key)
    if row is None:
        session.add(SettingRow(key=key, value=value))
    else:
        row.value = value
