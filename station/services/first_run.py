"""First run: the checks behind each page of the set-up wizard and one transaction that applies it all.

The wizard (ui/first_run.py) asks :func:`check_page` before it lets the user move
on, keeps what was typed as the draft :data:`DRAFT_KEY` (never the passwords or
the hub token, see :data:`SECRET_FIELDS`), and finishes with
``st.drafts.submit(DRAFT_KEY, "first_run", "apply", data)``: station identity,
villages, settings and the chief's account are written in one transaction that
also discards the draft, so an interrupted finish leaves nothing half-written.
:func:`apply` is safe to run again (the 设置 page's "重新运行设置向导"): it
updates the identity, adds only villages not already there and leaves accounts alone
once one exists.
"""
from __future__ import annotations

import datetime as dt
import re
import string
import unicodedata
from pathlib import Path
from typing import Any, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import settings
from ..errors import FieldError, ValidationError
from ..models import Village
from ..security import accounts
from ..security import permissions as perms
from ..validation import normalise_name, normalise_text
from . import reference
from .base import raise_if, writes

WRITE_PERMISSION = perms.SETTINGS

DRAFT_KEY = "first_run"
#: never kept in the draft (the database may still be unencrypted while the wizard runs)
SECRET_FIELDS = frozenset({"password", "password2", "hub_token"})
PAGES = ("station", "chief", "villages", "numbering", "backup")
PLACEHOLDERS = {"year", "abbr", "seq", "device"}
MAX_KEEP = 365

_HEADER_NAMES = {"名称", "村名", "村名称", "村(居)", "村(居)名称", "村居", "村居名称", "村(社区)", "村(社区)名称",
                 "村社区", "社区", "社区名称", "村委会", "村民委员会", "居委会", "单位", "单位名称"}
_HEADER_CODE_WORDS = ("编码", "代码", "编号", "区划")


def _fold(value: str) -> str:
    """Full-width letters, digits, brackets and spaces to their ASCII forms; spaces folded."""
    return normalise_text(unicodedata.normalize("NFKC", value))


def _is_header(name: str, code: str) -> bool:
    bare = name.replace(" ", "")
    return bare in _HEADER_NAMES or any(w in code for w in _HEADER_CODE_WORDS)


def parse_villages(text: str, existing: set[str] | frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    """Villages typed one per line or pasted from Excel (tab-separated: name, optional code).

    A header row is dropped, stray and full-width spaces are folded away, a Chinese name loses
    inner spaces. Each row says what will happen: ``status`` new | exists (already in this
    station) | repeat (earlier in the list) | error (``problem`` says why, in Chinese).
    """
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    first = True
    for line_no, raw in enumerate(text.splitlines(), 1):
        if not raw.strip(" \t\u3000"):
            continue
        if "\t" in raw:
            cells = [_fold(c) for c in raw.split("\t")]
        elif "," in raw or "，" in raw:
            cells = [_fold(c) for c in re.split("[,，]", raw)]
        else:
            folded = _fold(raw)
            parts = folded.rsplit(" ", 1)
            cells = parts if len(parts) == 2 and parts[1].isascii() and parts[1].isalnum() else [folded]
        name, code = normalise_name(cells[0]), (cells[1].replace(" ", "") if len(cells) > 1 else "")
        if first:
            first = False
            if _is_header(name, code):
                continue
        if not name and not code:
            continue
        kind = "community" if name.endswith(("社区", "居委会", "居民委员会")) else "village"
        row: dict[str, Any] = {"line": line_no, "name": name, "code": code, "kind": kind, "status": "new",
                               "problem": ""}
        if not name:
            row.update(status="error", problem="缺少名称")
        elif len(name) > 40:
            row.update(status="error", problem="名称过长（最多40字）")
        elif code and not (code.isascii() and code.replace("-", "").isalnum()):
            row.update(status="error", problem=f"编码只能包含字母和数字：“{code}”")
        elif name in existing:
            row["status"] = "exists"
        elif name in seen:
            row["status"] = "repeat"
        seen.add(name)
        rows.append(row)
    return rows


def case_number_example(fmt: str, *, year: int, abbr: str, seq: int, device: int = 1) -> str:
    """The case number ``fmt`` gives; refuses unknown placeholders and a format without ``{seq}``."""
    label = "案件编号格式"
    fmt = (fmt or "").strip()
    if not fmt:
        raise ValidationError.single("case_number_format", label, "不能为空")
    try:
        names = {name for _t, name, _s, _c in string.Formatter().parse(fmt) if name is not None}
    except ValueError:
        raise ValidationError.single("case_number_format", label, "花括号不成对：占位符应写成 {seq} 这样") from None
    unknown = names - PLACEHOLDERS
    if unknown:
        raise ValidationError.single("case_number_format", label,
                                     f"不认识的占位符：{'、'.join('{' + n + '}' for n in sorted(unknown))}"
                                     "（可用 {year} {abbr} {seq} {device}）")
    if "seq" not in names:
        raise ValidationError.single("case_number_format", label, "须包含序号占位符 {seq}")
    return fmt.format(year=year, abbr=abbr, seq=seq, device=device)


def next_case_number(fmt: str, settings_: Mapping[str, Any], abbr: str, year: int | None = None) -> str:
    """The display number the next case of this device will get under ``fmt`` (for the live example)."""
    device = int(settings_.get("device_no") or 1)
    block = int(settings_.get("case_number_block") or 1000)
    return case_number_example(fmt, year=year or dt.date.today().year, abbr=abbr or "某",
                               seq=(device - 1) * block + 1, device=device)


def _station_errors(data: Mapping[str, Any]) -> list[FieldError]:
    errors: list[FieldError] = []
    code, name = _fold(str(data.get("code") or "")), _fold(str(data.get("name") or ""))
    if not code:
        errors.append(FieldError("code", "司法所编码", "不能为空", "required"))
    elif not code.replace("-", "").isalnum() or not code.isascii():
        errors.append(FieldError("code", "司法所编码", "只能包含字母和数字", "format"))
    if not name:
        errors.append(FieldError("name", "司法所名称", "不能为空", "required"))
    abbr = _fold(str(data.get("abbr") or ""))
    if len(abbr) > 4:
        errors.append(FieldError("abbr", "简称", "最多4个字（用于案件编号）"))
    return errors


def _chief_errors(data: Mapping[str, Any]) -> list[FieldError]:
    errors: list[FieldError] = []
    try:
        accounts._validate(str(data.get("username") or ""), str(data.get("password") or ""), None)
    except ValidationError as e:
        errors += e.errors
    if not normalise_name(data.get("chief_name")):
        errors.append(FieldError("chief_name", "姓名", "不能为空", "required"))
    if (data.get("password") or "") != (data.get("password2") or ""):
        errors.append(FieldError("password2", "再次输入密码", "两次输入的密码不一致"))
    return errors


def _villages_errors(data: Mapping[str, Any], existing: set[str]) -> list[FieldError]:
    bad = [r for r in parse_villages(str(data.get("villages") or ""), existing) if r["status"] == "error"]
    return [FieldError("villages", "村（社区）名单", "；".join(f"第{r['line']}行{r['problem']}" for r in bad[:5])
                       + ("等" if len(bad) > 5 else ""))] if bad else []


def _numbering_errors(data: Mapping[str, Any]) -> list[FieldError]:
    try:
        case_number_example(str(data.get("case_number_format") or ""), year=2000, abbr="某", seq=1)
    except ValidationError as e:
        return list(e.errors)
    return []


def _backup_errors(data: Mapping[str, Any]) -> list[FieldError]:
    errors: list[FieldError] = []
    folder = str(data.get("backup_dir") or "").strip()
    if folder and not Path(folder).expanduser().is_absolute():
        errors.append(FieldError("backup_dir", "备份文件夹", "应为完整路径（如 D:\\司法所备份），或留空用默认位置"))
    elif folder and Path(folder).expanduser().exists() and not Path(folder).expanduser().is_dir():
        errors.append(FieldError("backup_dir", "备份文件夹", "这是一个文件，不是文件夹"))
    try:
        keep = int(str(data.get("backup_keep") or "").strip())
        if not 1 <= keep <= MAX_KEEP:
            raise ValueError
    except ValueError:
        errors.append(FieldError("backup_keep", "保留份数", f"应为1到{MAX_KEEP}之间的整数"))
    return errors


def check_page(page: str, data: Mapping[str, Any], *, existing_villages: set[str] | None = None) -> list[FieldError]:
    """Problems on one wizard page (``PAGES``); empty when the user may move on. Writes nothing."""
    if page == "station":
        return _station_errors(data)
    if page == "chief":
        return _chief_errors(data)
    if page == "villages":
        return _villages_errors(data, existing_villages or set())
    if page == "numbering":
        return _numbering_errors(data)
    if page == "backup":
        return _backup_errors(data)
    raise ValueError(page)


@writes
def apply(session: Session, data: Mapping[str, Any]) -> dict[str, Any]:
    """Write everything the wizard collected, in the caller's one transaction (all or nothing).

    ``data`` holds every page's fields; the chief's account is made only while no account exists.
    Returns what was done: station code, villages added, and the chief's username (or None).
    """
    existing = {v.name for v in session.scalars(select(Village).where(Village.deleted.is_(False)))}
    make_chief = not accounts.any_accounts(session)
    errors = _station_errors(data) + _villages_errors(data, existing) + _numbering_errors(data) + _backup_errors(data)
    if make_chief:
        errors += _chief_errors(data)
    from ..sync import state as sync_state  # here: importing the sync package pulls in the HTTP client

    hub_station = sync_state.get(session, "station")  # set by login: the hub's code for this device
    if hub_station and _fold(str(data.get("code") or "")) not in ("", hub_station):
        errors.append(FieldError("code", "司法所编码", f"本机已登录县级平台，编码应为 {hub_station}"))
    raise_if(errors)
    station = reference.setup_station(session, {"code": _fold(str(data["code"])), "name": _fold(str(data["name"])),
                                                "county": data.get("county") or "", "abbr": _fold(str(data.get("abbr")
                                                                                                      or ""))})
    added = 0
    for row in parse_villages(str(data.get("villages") or ""), existing):
        if row["status"] == "new":
            reference.save_village(session, {"name": row["name"], "code": row["code"], "kind": row["kind"]})
            added += 1
    settings.put(session, "case_number_format", str(data["case_number_format"]).strip())
    settings.put(session, "backup_dir", str(data.get("backup_dir") or "").strip())
    settings.put(session, "backup_keep", int(str(data["backup_keep"]).strip()))
    chief = None
    if make_chief:
        chief = accounts.create_chief(session, str(data["username"]), str(data["password"]),
                                      name=normalise_name(data.get("chief_name")))["username"]
    return {"station": station.record["code"], "villages_added": added, "chief": chief}


def reissue_recovery_code(folder: Path, key: bytes) -> str:
    """A new recovery code for an encrypted database whose first code was never confirmed as written down.

    The old code stops working (its wrapped key is replaced); returns the new code to show once.
    """
    from ..security import crypto

    info = crypto.read_info(folder)
    if info is None:
        raise ValueError("database is not encrypted")
    code = crypto.new_recovery_code()
    info.wrapped["recovery"] = crypto.wrap(key, crypto._normalise(code))
    crypto.write_info(folder, info)
    return code
