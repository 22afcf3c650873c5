"""Printed forms as PDF (ReportLab, no Qt): the registry, and :func:`render`.

``render`` loads what a form needs through the Station services, lays it out
in the house style (:mod:`.layout`), records the print in ``print_log`` and
returns the PDF bytes. The same record version always gives the same bytes.
The GUI's print preview calls ``render(..., record=False)`` off the GUI
thread, shows the bytes (QtPdf), and calls :func:`log_print` when the user
really prints.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Callable

from ..errors import ValidationError
from ..services import printlog
from ..station import Station
from . import context, layout
from .forms import agreement, case_forms, dossier, ledgers, records
from .forms.common import Built


@dataclass(frozen=True)
class FormSpec:
    key: str
    title: str  # Chinese title, as printed
    takes: str  # case | case_session | follow_up | period
    build: Callable[[Station, str, int | None], Built]
    help: str = ""
    #: whether a case (``st.mediation.get_case`` dict) has what this form prints
    applies: Callable[[dict[str, Any]], bool] = lambda case: True


def _sessions(kind: str) -> Callable[[dict[str, Any]], bool]:
    return lambda case: any(s["kind"] == kind for s in case.get("sessions") or [])


def _outcome(kind: str) -> Callable[[dict[str, Any]], bool]:
    return lambda case: case.get("outcome") == kind


def _case(fn: Callable[[context.CaseContext, int | None], Built]) -> Callable[[Station, str, int | None], Built]:
    return lambda st, key, copies: fn(context.load_case(st, key), copies)


def _period(fn: Callable[[Station, context.Period], Built]) -> Callable[[Station, str, int | None], Built]:
    return lambda st, key, copies: fn(st, context.parse_period(key))


FORMS: dict[str, FormSpec] = {s.key: s for s in (
    FormSpec("agreement", "人民调解协议书", "case", _case(agreement.build_agreement), "书面调解协议（案件须已达成书面协议）",
             _outcome("written")),
    FormSpec("application", "人民调解申请书", "case", _case(case_forms.build_application)),
    FormSpec("acceptance", "人民调解受理登记表", "case", _case(case_forms.build_acceptance)),
    FormSpec("rights", "人民调解当事人权利义务告知书", "case", _case(case_forms.build_rights)),
    FormSpec("investigation", "人民调解调查记录", "case_session", _case(records.build_investigation),
             "案件（全部调查记录）或一条调查记录", _sessions("investigation")),
    FormSpec("session", "人民调解记录", "case_session", _case(records.build_mediation_record),
             "案件（全部调解记录）或一条调解记录", _sessions("mediation")),
    FormSpec("oral", "人民调解口头协议登记表", "case", _case(agreement.build_oral), "案件须已达成口头协议",
             _outcome("oral")),
    FormSpec("follow_up", "人民调解回访记录", "follow_up", _case(records.build_follow_up),
             "案件（全部回访）或一条回访记录", lambda case: bool(case.get("follow_ups"))),
    FormSpec("cover", "调解卷宗封面", "case", _case(dossier.build_cover)),
    FormSpec("contents", "卷内目录", "case", _case(dossier.build_contents)),
    FormSpec("back", "卷宗封底（卷内备考表）", "case", _case(dossier.build_back)),
    FormSpec("judicial", "司法确认申请书", "case", _case(case_forms.build_judicial), "双方共同申请，须为书面协议",
             _outcome("written")),
    FormSpec("consultations", "来访咨询登记台账", "period", _period(ledgers.build_consultations),
             "期间：2026-10、2026 或 2026-01-01..2026-03-31"),
    FormSpec("adviser_log", "村（居）法律顾问工作日志", "period", _period(ledgers.build_adviser_log),
             "期间：2026-10、2026 或 2026-01-01..2026-03-31"),
)}


def forms_for(case: dict[str, Any]) -> list[FormSpec]:
    """The case forms that can print for this case now (for a print menu)."""
    return [f for f in FORMS.values() if f.takes != "period" and f.applies(case)]


def spec(form_key: str) -> FormSpec:
    try:
        return FORMS[form_key]
    except KeyError:
        raise ValidationError.single("form", "表单", f"没有这种表单：“{form_key}”（可选：{'、'.join(FORMS)}）") from None


def build(station: Station, form_key: str, record_key: str, *, copies: int | None = None) -> tuple[bytes, Built]:
    """Lay out and render without logging (the preview path)."""
    if copies is not None and copies < 1:
        raise ValidationError.single("copies", "份数", "应为正整数")
    built = spec(form_key).build(station, record_key, copies)
    return layout.build(built.story, built.info), built


def log_print(station: Station, form_key: str, built: Built, pdf: bytes, actor: str | None = None) -> None:
    """Record one print in ``print_log`` (who, what, which version, copies, hash of the bytes)."""
    with station.write() as session:
        printlog.record_print(session, form_key, built.record_uid, built.version, built.copies,
                              actor or station.actor_uid, record_kind=built.record_kind,
                              sha256=hashlib.sha256(pdf).hexdigest())


def render(station: Station, form_key: str, record_key: str, *, copies: int | None = None,
           actor: str | None = None, record: bool = True) -> bytes:
    """PDF bytes of ``form_key`` for a record (uid, number, 案号) or, for ledgers, a period.

    ``copies`` overrides the stored number of copies (协议书: parties + 1 by default).
    ``record=False`` renders without writing the print log (preview).
    """
    pdf, built = build(station, form_key, record_key, copies=copies)
    if record:
        log_print(station, form_key, built, pdf, actor)
    return pdf


__all__ = ["FORMS", "FormSpec", "build", "forms_for", "log_print", "render", "spec"]
