"""Domain tables. Importing this package registers every model on ``Base.metadata``."""
from __future__ import annotations

from ..db.base import Base, Synced
from .closure import PeriodClosure
from .draft import Draft
from .ledger_import import LedgerImport
from .consultation import Consultation, ConsultationPerson
from .mediation import CaseParty, CaseSession, FollowUp, MediationCase
from .outbox import OutboxEntry, OutboxPayload
from .person import Person
from .print_log import PrintLog
from .reveal import RevealEntry
from .security import Account, AuditEntry
from .reference import CodeEntry, Committee, Counter, Setting, Staff, StationInfo, Village
from .sync import SyncConflict, SyncState
from .visit import AdviserVisit

#: every synced model by its KIND, in dependency order (parents before children)
SYNCED_MODELS: dict[str, type[Synced]] = {
    m.KIND: m
    for m in (StationInfo, Staff, Village, Committee, CodeEntry, Person, Consultation,
              ConsultationPerson, MediationCase, CaseParty, CaseSession, FollowUp, AdviserVisit,
              PeriodClosure)
}

__all__ = [
    "Account", "AuditEntry", "AdviserVisit", "Base", "CaseParty", "CaseSession", "CodeEntry", "Committee",
    "Consultation",
    "ConsultationPerson", "Counter", "Draft", "FollowUp", "LedgerImport", "MediationCase", "OutboxEntry", "OutboxPayload", "PeriodClosure", "Person",
    "PrintLog", "RevealEntry", "SYNCED_MODELS", "Setting", "Staff", "StationInfo", "SyncConflict", "SyncState",
    "Synced", "Village",
]
