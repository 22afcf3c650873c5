"""Find a person or a record from whatever the clerk types.

What is typed decides where to look, so each query is a few index look-ups,
never a table scan:

* digits (and X): ID number (whole, or its last digits via the reversed
  column), phone (whole or last digits), record numbers;
* Latin letters: pinyin initials / full pinyin through the FTS index;
* Chinese: names by prefix, and any substring of names and record text through
  FTS (see :mod:`station.textindex`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ..models import AdviserVisit, Consultation, MediationCase, Person
from ..textindex import match_query
from ..validation import normalise_text
from .base import reads

_MODELS: dict[str, Any] = {"person": Person, "consultation": Consultation, "case": MediationCase, "visit": AdviserVisit}


@dataclass(frozen=True)
class Hit:
    kind: str
    uid: str
    title: str
    detail: str
    why: str

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "uid": self.uid, "title": self.title, "detail": self.detail, "why": self.why}


def _hit(obj: Any, why: str) -> Hit:
    if isinstance(obj, Person):
        return Hit("person", obj.uid, obj.name, obj.address[:40], why)
    if isinstance(obj, Consultation):
        return Hit("consultation", obj.uid, obj.number, obj.question[:40], why)
    if isinstance(obj, MediationCase):
        return Hit("case", obj.uid, obj.display_number or obj.number, obj.title or obj.facts[:40], why)
    return Hit("visit", obj.uid, obj.number, obj.content[:40], why)


def _range(col: Any, prefix: str) -> Any:
    """``col LIKE 'prefix%'`` as an index range (LIKE is case-insensitive and skips indexes)."""
    return (col >= prefix) & (col < prefix + "\U0010ffff")


@reads
def search(session: Session, query: str, *, kinds: set[str] | None = None, limit: int = 50) -> list[Hit]:
    q = normalise_text(query)
    if not q:
        return []
    kinds = kinds or set(_MODELS)
    hits: dict[str, Hit] = {}

    def add(rows: Any, why: str) -> None:
        for obj in rows:
            if not obj.deleted and obj.uid not in hits and len(hits) < limit:
                hits[obj.uid] = _hit(obj, why)

    compact = q.replace(" ", "").replace("-", "").upper()
    if re.fullmatch(r"\d+X?|\d*X", compact) and len(compact) >= 3 and "person" in kinds:
        add(session.scalars(select(Person).where(Person.id_number == compact).limit(limit)), "证件号码")
        add(session.scalars(select(Person).where(_range(Person.id_rev, compact[::-1])).limit(limit)),
            "证件号码后几位")
        add(session.scalars(select(Person).where(Person.phone_rev == compact[::-1]).limit(limit)), "联系电话")
        add(session.scalars(select(Person).where(_range(Person.phone_rev, compact[::-1])).limit(limit)),
            "联系电话后几位")
    if re.fullmatch(r"[A-Z]{2}[\w\-]*\d", q.upper()) or re.search(r"[（(]\d{4}[)）]", q):
        for kind in ("consultation", "case", "visit"):
            if kind in kinds:
                m = _MODELS[kind]
                add(session.scalars(select(m).where(m.number == q.upper()).limit(limit)), "编号")
                add(session.scalars(select(m).where(_range(m.number, q.upper())).limit(limit)), "编号")
        if "case" in kinds:
            add(session.scalars(select(MediationCase).where(MediationCase.display_number == q).limit(limit)),
                "案号")
    if re.search(r"[\u3400-\u9fff\U00020000-\U0003134f]", q) and "person" in kinds:
        add(session.scalars(select(Person).where(_range(Person.name, q)).limit(limit)), "姓名")
    expr = match_query(q)
    if expr and len(hits) < limit:
        rows = session.execute(text(
            "SELECT d.kind, d.uid FROM search_fts f JOIN search_docs d ON d.id = f.rowid"
            " WHERE search_fts MATCH :q ORDER BY f.rowid DESC LIMIT :n"), {"q": expr, "n": limit * 2}).all()
        by_kind: dict[str, list[str]] = {}
        for kind, uid in rows:
            if kind in kinds and uid not in hits:
                by_kind.setdefault(kind, []).append(uid)
        found: dict[str, Any] = {}
        for kind, uids in by_kind.items():
            m = _MODELS[kind]
            found.update({o.uid: o for o in session.scalars(select(m).where(m.uid.in_(uids)))})
        add([found[uid] for kind, uid in rows if uid in found], "全文")
    return list(hits.values())[:limit]
