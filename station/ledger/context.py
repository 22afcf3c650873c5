"""One ledger row being imported: its cells by field, and the problems pinned to its columns."""
from __future__ import annotations

from typing import Any, Callable, Mapping, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import ValidationError
from ..models import Staff, Village
from ..services import people, reference
from ..validation import normalise_name
from .fields import PERSON_FIELDS, field_label
from .problems import ImportReport, Problem
from .table import Column, Sheet
from .values import Unclear, clean, gender, parse_id_number

T = TypeVar("T")


class RowFailed(Exception):
    """The row has errors; they are already recorded."""


class Row:
    def __init__(self, sheet: Sheet, number: int, values: list[Any], report: ImportReport,
                 value_maps: Mapping[str, Mapping[str, str]] | None = None) -> None:
        self.sheet, self.number, self.report = sheet, number, report
        self.kind = sheet.kind or ""
        self.cols: dict[str, Column] = sheet.mapping()
        self.cells = {f: (values[c.index] if c.index < len(values) else None) for f, c in self.cols.items()}
        for field, mapping in (value_maps or {}).items():  # the user's own value mapping comes first
            raw = clean(self.cells.get(field))
            if raw and raw in mapping:
                self.cells[field] = mapping[raw]
        self.failed = False
        self.bad_fields: set[str] = set()
        self.created: dict[str, int] = {}
        self.reused = 0

    def count(self, kind: str) -> None:
        """Counted into the report only once the row is in (a failed row creates nothing)."""
        self.created[kind] = self.created.get(kind, 0) + 1

    # -- problems ----------------------------------------------------------------------------
    def problem(self, field: str | None, message: str, level: str = "error", header: str = "") -> None:
        col = self.cols.get(field) if field else None
        shown = col.header if col else (header or (field_label(self.kind, field) if field and not
                                                   field.startswith("_") else ""))
        self.report.problems.append(Problem(self.sheet.name, self.number, col.letter if col else None, shown,
                                            message, level))
        if level == "error":
            self.failed = True
            if field:
                self.bad_fields.add(field)

    def service_errors(self, e: ValidationError, columns: Mapping[str, str]) -> None:
        """Pin a service's field errors to the ledger columns their values came from."""
        for fe in e.errors:
            field = columns.get(fe.field, fe.field)
            if field in self.cols:
                self.problem(field, fe.message)
            else:
                self.problem(None, fe.message, header=fe.label)

    # -- cells -------------------------------------------------------------------------------
    def has(self, field: str) -> bool:
        return field in self.cols

    def text(self, field: str) -> str:
        return clean(self.cells.get(field))

    def parse(self, field: str, fn: Callable[[Any], T]) -> T | None:
        raw = self.cells.get(field)
        if raw is None or clean(raw) == "":
            return None
        try:
            return fn(raw)
        except Unclear as e:
            self.problem(field, str(e))
            return None

    def need(self, field: str, value: Any, what: str = "不能为空") -> None:
        role = field.split(".")[0] + "." if "." in field else field
        if value in (None, "", []) and not any(f == field or f.startswith(role) for f in self.bad_fields):
            self.problem(field, what if self.has(field) else f"台账中没有“{field_label(self.kind, field)}”一列")

    def check(self) -> None:
        if self.failed:
            raise RowFailed()

    # -- people, staff, villages ---------------------------------------------------------------
    def person(self, session: Session, role: str) -> str | None:
        """The person of ``role`` (一人一档): reused by ID number (or name and phone), else created."""
        data: dict[str, Any] = {sub: self.text(f"{role}.{sub}") for sub in PERSON_FIELDS}
        data["id_number"] = self.parse(f"{role}.id_number", parse_id_number) or ""
        data["gender"] = self.parse(f"{role}.gender", gender) or ""
        if not any(data.values()):
            return None
        if not data["name"]:
            self.problem(f"{role}.name", "有其他信息但姓名为空")
            return None
        if self.failed:
            return None
        name = normalise_name(data["name"])
        for dup in people.find_duplicates(session, data):
            same_id = data["id_number"] and dup["id_number"] == data["id_number"]
            same_contact = not data["id_number"] and dup["name"] == name and dup["phone"] and not (
                dup["id_number"] and data["id_number"])
            if same_id or same_contact:
                self.reused += 1
                return str(dup["uid"])
        try:
            result = people.save_person(session, {k: v for k, v in data.items() if v})
        except ValidationError as e:
            self.service_errors(e, {k: f"{role}.{k}" for k in PERSON_FIELDS})
            return None
        for w in result.warnings:
            if not w.startswith("可能重复"):
                self.problem(f"{role}.id_number" if "身份证" in w else None, w, "warning",
                             header=field_label(self.kind, f"{role}.name"))
        self.count("person")
        return result.uid

    def staff(self, session: Session, field: str, role: str) -> list[str]:
        """Staff named in a cell (several separated by 、，/), created with ``role`` when new."""
        names = [normalise_name(n) for n in _split(self.text(field))]
        uids = []
        for name in names:
            row = session.scalars(select(Staff).where(Staff.name == name, Staff.deleted.is_(False))).first()
            if row is None:
                saved = reference.save_staff(session, {"name": name, "roles": [role]})
                self.count("staff")
                self.problem(field, f"新建工作人员“{name}”", "warning")
                uids.append(saved.uid)
            else:
                uids.append(row.uid)
        return uids

    def village(self, session: Session, field: str) -> str | None:
        name = normalise_name(self.text(field))
        if not name:
            return None
        row = session.scalars(select(Village).where(Village.name == name, Village.deleted.is_(False))).first()
        if row is not None:
            return row.uid
        saved = reference.save_village(session, {"name": name,
                                                 "kind": "community" if name.endswith("社区") else "village"})
        self.count("village")
        self.problem(field, f"新建村(居)“{name}”", "warning")
        return saved.uid


def _split(text: str) -> list[str]:
    import re
    return [p for p in re.split(r"[、，,;；/\s]+", text) if p]
