"""Pieces shared by the case forms: party descriptions, signature lines, the built result."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reportlab.platypus import Flowable

from ... import codes
from ...validation import ID_TYPES
from ..context import CaseContext, age_on, cn_date
from ..layout import PageInfo, para

def id_label(id_type: str | None) -> str:
    """公民身份号码 for the resident ID (its legal name), else e.g. 护照号码."""
    if not id_type or id_type == "ric":
        return "公民身份号码"
    return f"{ID_TYPES.get(id_type, '证件')}号码"


@dataclass
class Built:
    """A laid-out form before rendering, plus what the print log records."""

    story: list[Flowable]
    info: PageInfo
    record_kind: str
    record_uid: str
    version: int | None
    copies: int = 1


def person_text(person: dict[str, Any], *, with_age_on: str | None = None) -> str:
    """One line of particulars, as typed in mediation documents (empty fields are left out)."""
    if person.get("kind") == "org":
        parts = [person["name"]]
        if person.get("credit_code"):
            parts.append(f"统一社会信用代码：{person['credit_code']}")
        if person.get("address"):
            parts.append(f"住所：{person['address']}")
        if person.get("representative"):
            parts.append(f"法定代表人：{person['representative']}")
        if person.get("phone"):
            parts.append(f"联系电话：{person['phone']}")
        return "，".join(parts)
    parts = [person["name"]]
    for key in ("gender", "ethnicity"):
        if person.get(key) and person[key] != "未说明":
            parts.append(str(person[key]))
    if person.get("birth_date"):
        age = f"（{age_on(person['birth_date'], with_age_on)}岁）" if with_age_on else ""
        parts.append(f"{cn_date(person['birth_date'])}出生{age}")
    if person.get("occupation"):
        parts.append(str(person["occupation"]))
    if person.get("id_number"):
        parts.append(f"{id_label(person.get('id_type'))}：{person['id_number']}")
    if person.get("address"):
        parts.append(f"住址：{person['address']}")
    if person.get("phone"):
        parts.append(f"联系电话：{person['phone']}")
    return "，".join(parts)


def side_label(party: dict[str, Any]) -> str:
    return codes.PARTY_SIDES.get(party["side"], "当事人")


def party_blocks(ctx: CaseContext, sides: tuple[str, ...] | None = None, label: str | None = None,
                 age_on_date: str | None = None) -> list[Flowable]:
    """A paragraph per party, followed by its agent's particulars (with age on a date, if given)."""
    out: list[Flowable] = []
    for p in ctx.case["parties"]:
        if sides and p["side"] not in sides:
            continue
        out.append(para(f"{label or side_label(p)}：{person_text(p['person'], with_age_on=age_on_date)}"))
        if p.get("agent"):
            kind = codes.AGENT_KINDS.get(p.get("agent_kind") or "entrusted", "委托代理人")
            out.append(para(f"{kind}：{person_text(p['agent'])}"))
    return out


def party_signatures(ctx: CaseContext, sides: tuple[str, ...] | None = None, label: str | None = None
                     ) -> list[tuple[str, str]]:
    """Signature lines: each natural person signs and fingerprints; an organisation seals and its
    representative or agent signs."""
    rows: list[tuple[str, str]] = []
    for p in ctx.case["parties"]:
        if sides and p["side"] not in sides:
            continue
        who = label or side_label(p)
        person = p["person"]
        if person.get("kind") == "org":
            rows.append((f"{who}：{person['name']}", "盖章"))
            rows.append(("法定代表人或委托代理人", "签名+指印"))
        else:
            rows.append((f"{who}：{person['name']}", "签名+指印"))
        if p.get("agent"):
            kind = codes.AGENT_KINDS.get(p.get("agent_kind") or "entrusted", "委托代理人")
            rows.append((f"{kind}：{p['agent']['name']}", "签名+指印"))
    return rows


def party_names(ctx: CaseContext, side: str) -> str:
    return "、".join(p["person"]["name"] for p in ctx.case["parties"] if p["side"] == side)


def case_info(ctx: CaseContext, doc_title: str, version: int | None = None) -> PageInfo:
    c = ctx.case
    return PageInfo(doc_title, header=ctx.number,
                    reference=f"{c['number']} 第{c['version'] if version is None else version}版")
