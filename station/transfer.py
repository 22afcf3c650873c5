"""JSON Lines import and export (format documented in ``docs/export-format.md``).

Export writes a header line, then one record per line: the record dict with
sorted keys, in a fixed order (kinds parents-first, then uid), so exporting,
importing into an empty folder and exporting again gives the same bytes.
Import is all-or-nothing: every line is checked first, and the first bad line
is reported with its number and field; nothing is written.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import IO, Any, Iterator

from sqlalchemy import inspect, select, update
from sqlalchemy.orm import Session

from .bulk import encode_row
from .db.base import Synced
from .db.tracking import emit_changes
from .errors import ImportFailed, ValidationError
from .models import SYNCED_MODELS
from .numbering import PREFIXES
from .records import canonical_json, decode
from . import settings

FORMAT = "station-jsonl"
FORMAT_VERSION = 1
_KIND_LABEL = {k: m.LABEL for k, m in SYNCED_MODELS.items()}


def export_lines(session: Session, kinds: list[str] | None = None) -> Iterator[str]:
    """Header, then each record of the chosen kinds (all if None) as canonical JSON."""
    from .records import to_dict

    chosen = [k for k in SYNCED_MODELS if kinds is None or k in kinds]
    yield canonical_json({"_format": FORMAT, "_version": FORMAT_VERSION, "kinds": chosen})
    for kind in chosen:
        model = SYNCED_MODELS[kind]
        for obj in session.scalars(select(model).order_by(model.uid)).yield_per(2000):
            yield canonical_json(to_dict(obj))


def export_to(session: Session, out: IO[str], kinds: list[str] | None = None) -> int:
    n = -1
    for n, line in enumerate(export_lines(session, kinds)):
        out.write(line + "\n")
    return n


def _fk_targets(model: type[Synced]) -> dict[str, str]:
    """Column → referenced table for the model's foreign keys."""
    out = {}
    for col in inspect(model).columns:
        for fk in col.foreign_keys:
            out[col.key] = fk.column.table.name
    return out


def import_file(session: Session, path: Path | str) -> dict[str, int]:
    """Import a JSON Lines export into the open write transaction; returns counts per kind.

    New records are inserted, newer versions of known records replace older ones,
    same-or-older versions are skipped (re-importing a file changes nothing).
    :raises ImportFailed: naming the first bad line; the caller's transaction is rolled back.
    """
    with open(path, encoding="utf-8") as f:
        return import_lines(session, f)


def import_lines(session: Session, lines: IO[str] | list[str]) -> dict[str, int]:
    from .services.people import _clean as clean_person

    parsed: list[tuple[int, type[Synced], dict[str, Any]]] = []
    for no, raw in enumerate(lines, 1):
        raw = raw.strip()
        if not raw:
            continue
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as e:
            raise ImportFailed(no, f"不是有效的 JSON（第 {e.colno} 列）")
        if not isinstance(data, dict):
            raise ImportFailed(no, "应为一个 JSON 对象")
        if "_format" in data:
            if data["_format"] != FORMAT or data.get("_version") != FORMAT_VERSION:
                raise ImportFailed(no, f"不支持的文件格式：{data.get('_format')} 版本 {data.get('_version')}")
            continue
        kind = data.get("_kind")
        if kind not in SYNCED_MODELS:
            raise ImportFailed(no, f"字段“_kind”：未知的记录类型“{kind}”")
        model = SYNCED_MODELS[kind]
        try:
            values = decode(model, data)
        except (ValueError, TypeError) as e:
            bad = _bad_field(model, data)
            raise ImportFailed(no, f"字段“{bad}”：格式不正确（{e}）")
        for col in inspect(model).columns:  # type: ignore[var-annotated]
            if col.key not in values and col.key in ("uid", "version"):
                raise ImportFailed(no, f"字段“{col.key}”：缺少")
            if not col.nullable and values.get(col.key, ...) is None and col.default is None:
                raise ImportFailed(no, f"字段“{col.key}”：不能为空")
        if not re.fullmatch(r"[0-9a-f\-]{36}", str(values["uid"])):
            raise ImportFailed(no, "字段“uid”：不是有效的 UUID")
        if kind == "person" and not values.get("deleted"):
            try:
                clean_person({k: data.get(k) for k in data if k not in ("uid",)})
            except ValidationError as e:
                err = e.errors[0]
                raise ImportFailed(no, f"字段“{err.field}”（{err.label}）：{err.message}")
        parsed.append((no, model, values))

    # foreign keys must point at records in the file or already in the database
    in_file = {(m.__tablename__, v["uid"]) for _, m, v in parsed}
    for no, model, values in parsed:
        for key, table in _fk_targets(model).items():
            ref = values.get(key)
            if ref and (table, ref) not in in_file:
                target = next(m for m in SYNCED_MODELS.values() if m.__tablename__ == table)
                if session.get(target, ref) is None:
                    raise ImportFailed(no, f"字段“{key}”：引用的{target.LABEL}“{ref}”不存在")

    counts: dict[str, int] = {}
    changes: list[tuple[dict[str, Any], int]] = []
    for model in SYNCED_MODELS.values():
        rows = [v for _, m, v in parsed if m is model]
        if not rows:
            continue
        existing: dict[str, int] = {}
        uids = [r["uid"] for r in rows]
        for i in range(0, len(uids), 500):
            existing.update(session.execute(select(model.uid, model.version)
                                            .where(model.uid.in_(uids[i:i + 500]))).tuples().all())
        new = [r for r in rows if r["uid"] not in existing]
        newer = [r for r in rows if r["uid"] in existing and r["version"] > existing[r["uid"]]]
        if new:
            from sqlalchemy import insert
            session.execute(insert(model), new)
        for r in newer:
            session.execute(update(model).where(model.uid == r["uid"]).values(**r))
        changes += [(encode_row(model, r), existing.get(r["uid"], r["version"] - 1)) for r in new + newer]
        counts[model.KIND] = len(new) + len(newer)
    emit_changes(session, changes)
    _advance_counters(session, [v for _, _, v in parsed])
    return counts


def _bad_field(model: type[Synced], data: dict[str, Any]) -> str:
    for key in data:
        try:
            decode(model, {key: data[key]})
        except (ValueError, TypeError):
            return key
    return "?"


def _advance_counters(session: Session, rows: list[dict[str, Any]]) -> None:
    """Imported numbers made by this device number must never be handed out again."""
    from sqlalchemy import text

    device_no = int(settings.get(session, "device_no"))
    block = int(settings.get(session, "case_number_block"))
    own_block = range((device_no - 1) * block + 1, device_no * block + 1)
    best: dict[str, int] = {}
    for r in rows:
        number = r.get("number")
        if not number or not isinstance(number, str):
            continue
        for kind, prefix in PREFIXES.items():
            m = re.fullmatch(rf"{prefix}.+-(\d+)-(\d{{4}})(\d+)", number)
            if number.startswith(prefix) and m and int(m[1]) == device_no:
                name = f"{kind}:{m[2]}"
                best[name] = max(best.get(name, 0), int(m[3]))
        if r.get("display_seq") in own_block and r.get("accepted_on"):
            name = f"case_display:{str(r['accepted_on'])[:4]}"
            best[name] = max(best.get(name, 0), int(r["display_seq"]))
    for name, value in best.items():
        session.execute(text("INSERT INTO counters (name, value) VALUES (:n, :v) "
                             "ON CONFLICT(name) DO UPDATE SET value = max(value, :v)"), {"n": name, "v": value})
