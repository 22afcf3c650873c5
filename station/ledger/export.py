"""Any list of records to XLSX, for people who keep a spreadsheet ledger alongside.

:func:`write_xlsx` takes record dicts (as every service returns them) and a column spec;
dates become date cells and amounts and hours numbers, so the sheet can be sorted and
summed. Personal data (names, ID numbers, phones, addresses) is masked unless the caller
asks to reveal it, as on screen.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from sqlalchemy import select

from .. import codes
from ..masking import mask_address, mask_id, mask_name, mask_phone
from ..reports.xlsx import display_width

if TYPE_CHECKING:
    from ..station import Station

NUMBER_FORMATS = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm", "int": "0", "money": "#,##0.00",
                  "hours": "0.00", "text": "@"}
MASKS: dict[str, Callable[[str], str]] = {"id": mask_id, "phone": mask_phone, "name": mask_name,
                                          "address": mask_address}


@dataclass(frozen=True)
class Col:
    """One exported column: record key (or a function of the record), header, cell type, mask."""

    key: str | Callable[[dict[str, Any]], Any]
    header: str
    type: str = "text"  # text | date | datetime | int | money | hours
    labels: dict[str, str] | None = None  # code → 中文
    mask: str | None = None  # id | phone | name | address
    width: int | None = None

    def value(self, record: dict[str, Any], reveal: bool) -> Any:
        raw = self.key(record) if callable(self.key) else record.get(self.key)
        if raw is None or raw == "":
            return None
        if isinstance(raw, list):
            raw = "、".join(self.labels.get(str(v), str(v)) if self.labels else str(v) for v in raw)
        elif self.labels is not None:
            raw = self.labels.get(str(raw), str(raw))
        if self.mask and not reveal:
            return MASKS[self.mask](str(raw))
        if self.type == "date" and isinstance(raw, str):
            return dt.date.fromisoformat(raw[:10])
        if self.type == "datetime" and isinstance(raw, str):
            return dt.datetime.fromisoformat(raw).replace(tzinfo=None)
        if self.type == "int":
            return int(raw)
        if self.type in ("money", "hours"):
            return float(raw)
        return raw


def write_xlsx(records: Iterable[dict[str, Any]], columns: list[Col], path: str | Path, *,
               title: str = "记录", reveal: bool = False) -> int:
    """Write ``records`` to ``path`` (one sheet, header row frozen, widths from the content)."""
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append([c.header for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    widths = [display_width(c.header) for c in columns]
    n = 0
    for record in records:
        values = [c.value(record, reveal) for c in columns]
        ws.append(values)
        n += 1
        for i, v in enumerate(values):
            if v is not None:
                longest = max(str(v).split("\n"), key=len) if isinstance(v, str) else str(v)
                widths[i] = max(widths[i], min(display_width(longest), 60))
    for i, c in enumerate(columns):
        letter = get_column_letter(i + 1)
        ws.column_dimensions[letter].width = c.width or max(8, widths[i] + 2)
        if c.type in NUMBER_FORMATS and c.type != "text":
            for (cell,) in ws.iter_rows(min_row=2, min_col=i + 1, max_col=i + 1):
                cell.number_format = NUMBER_FORMATS[c.type]
    ws.freeze_panes = "A2"
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    wb.save(tmp)
    tmp.replace(path)
    return n


def columns_for(kind: str, dispute_names: dict[str, str] | None = None,
                category_names: dict[str, str] | None = None) -> list[Col]:
    """The column spec of each exportable list, in the order of the paper ledgers."""
    if kind == "person":
        return [Col("name", "姓名", mask="name"), Col("gender", "性别"), Col("ethnicity", "民族"),
                Col("id_number", "身份证号码", mask="id"), Col("birth_date", "出生日期", "date"),
                Col("phone", "联系电话", mask="phone"), Col("address", "住址", mask="address")]
    if kind == "consultation":
        return [Col("number", "编号"), Col("occurred_at", "咨询时间", "datetime"),
                Col("persons", "咨询人", mask="name"), Col("channel", "接待方式", labels=codes.CHANNELS),
                Col("category_code", "咨询类别", labels=category_names or {}), Col("question", "咨询事项"),
                Col("answer", "答复意见"), Col("handling", "处理方式", labels=codes.HANDLINGS),
                Col("staff", "接待人")]
    if kind == "case":
        return [Col("number", "登记编号"), Col("display_number", "案号"), Col("applied_on", "申请日期", "date"),
                Col("accepted_on", "受理日期", "date"), Col("applicants", "申请人", mask="name"),
                Col("respondents", "被申请人", mask="name"),
                Col("dispute_type", "纠纷类型", labels=dispute_names or {}), Col("facts", "纠纷简要情况"),
                Col("amount", "涉及金额(元)", "money"), Col("status", "状态", labels=codes.CASE_STATUSES),
                Col("outcome", "调解结果", labels=codes.OUTCOMES), Col("outcome_on", "结果日期", "date"),
                Col(lambda r: "\n".join(r.get("terms") or []), "协议内容"), Col("mediators", "调解员")]
    if kind == "visit":
        return [Col("number", "编号"), Col("visit_date", "服务日期", "date"), Col("village", "村(居)"),
                Col("adviser", "法律顾问"), Col("mode", "服务方式", labels=codes.VISIT_MODES),
                Col("service_types", "服务类型", labels=codes.SERVICE_TYPES), Col("hours", "服务时长(小时)", "hours"),
                Col("attendees", "参加人数", "int"), Col("content", "服务内容")]
    raise ValueError(kind)


EXPORT_KINDS = ("case", "consultation", "visit", "person")
TITLES = {"case": "人民调解台账", "consultation": "来访咨询台账", "visit": "法律顾问工作台账", "person": "当事人"}


def export_kind(st: "Station", kind: str, path: Path, *, reveal: bool = False) -> int:
    """Every live record of ``kind`` with the names it refers to, newest first."""
    from ..models import (AdviserVisit, CaseParty, Consultation, ConsultationPerson, MediationCase,
                          Person, Staff, Village)
    from ..records import to_dict
    from ..services.reference import list_codes

    with st.read() as s:
        staff = {u: n for u, n in s.execute(select(Staff.uid, Staff.name))}
        names = {u: n for u, n in s.execute(select(Person.uid, Person.name))}
        disputes = {c["code"]: c["name"] for c in list_codes(s, codes.DISPUTE_TYPE)}
        categories = {c["code"]: c["name"] for c in list_codes(s, codes.CONSULTATION_CATEGORY)}
        model: Any = {"case": MediationCase, "consultation": Consultation, "visit": AdviserVisit,
                      "person": Person}[kind]
        order = {"case": MediationCase.applied_on, "consultation": Consultation.occurred_at,
                 "visit": AdviserVisit.visit_date, "person": Person.name}[kind]
        rows = [to_dict(r) for r in s.scalars(select(model).where(model.deleted.is_(False))
                                                .order_by(order.desc() if kind != "person" else order))]
        if kind == "case":
            sides: dict[str, dict[str, list[str]]] = {}
            for p in s.scalars(select(CaseParty).where(CaseParty.deleted.is_(False)).order_by(CaseParty.position)):
                sides.setdefault(p.case_uid, {}).setdefault(p.side, []).append(names.get(p.person_uid, ""))
            for r in rows:
                r["applicants"] = "、".join(sides.get(r["uid"], {}).get("applicant", []))
                r["respondents"] = "、".join(sides.get(r["uid"], {}).get("respondent", []))
                r["mediators"] = "、".join(staff.get(m, "") for m in r.get("mediator_uids") or [])
        elif kind == "consultation":
            who: dict[str, list[str]] = {}
            for link in s.scalars(select(ConsultationPerson).where(ConsultationPerson.deleted.is_(False))):
                who.setdefault(link.consultation_uid, []).append(names.get(link.person_uid, ""))
            for r in rows:
                r["persons"] = "、".join(who.get(r["uid"], []))
                r["staff"] = staff.get(r.get("staff_uid") or "", "")
        elif kind == "visit":
            villages = {u: n for u, n in s.execute(select(Village.uid, Village.name))}
            for r in rows:
                r["village"] = villages.get(r["village_uid"], "")
                r["adviser"] = staff.get(r["adviser_uid"], "")
    cols = columns_for(kind, disputes, categories)
    if kind in ("case", "consultation"):
        cols = [_mask_each(c) for c in cols]
    return write_xlsx(rows, cols, path, title=TITLES[kind], reveal=reveal)


def _mask_each(col: Col) -> Col:
    """Name lists ("张三、李四") are masked name by name."""
    if col.mask != "name":
        return col
    key = col.key
    assert isinstance(key, str)
    return Col(key, col.header, col.type, col.labels, "names", col.width)


MASKS["names"] = lambda text: "、".join(mask_name(n) for n in text.split("、"))


def export_list(st: "Station", kind: str, path: Path, *, reveal: bool = False) -> int:
    """:func:`export_kind` as the GUI does it: checked against the account's permission and
    recorded in the audit log (with whether personal data went out unmasked)."""
    from ..security.permissions import DATA

    st.require(DATA)
    n = export_kind(st, kind, Path(path), reveal=reveal)
    st.audit("export", kind=kind, detail={"format": "xlsx", "records": n, "revealed": reveal, "via": "gui",
                                          "to_file": True})
    return n
