"""Problems found in a ledger, each pinned to a sheet, row and column."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing that could not be understood (``error``) or that the user should know (``warning``)."""

    sheet: str
    row: int | None  # sheet row number as Excel shows it
    column: str | None  # column letter
    header: str
    message: str
    level: str = "error"

    def __str__(self) -> str:
        where = f"第{self.row}行" if self.row else ""
        if self.column:
            where += f" {self.column}列"
        if self.header:
            where += f"（{self.header}）"
        kind = "错误" if self.level == "error" else "提示"
        return f"[{self.sheet}] {where.strip()} {kind}：{self.message}".replace("]  ", "] ")

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "header": self.header,
                "message": self.message, "level": self.level}


@dataclass
class ImportReport:
    """What an import did (or, for a dry run, would do)."""

    path: str
    dry_run: bool
    sheets: list[dict[str, Any]] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)
    reused_persons: int = 0
    skipped: int = 0  # rows already imported before
    problems: list[Problem] = field(default_factory=list)
    committed: bool = False

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    def count(self, kind: str, n: int = 1) -> None:
        self.created[kind] = self.created.get(kind, 0) + n

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "dry_run": self.dry_run, "committed": self.committed, "sheets": self.sheets,
                "created": self.created, "reused_persons": self.reused_persons, "skipped": self.skipped,
                "errors": len(self.errors), "warnings": len(self.warnings),
                "problems": [p.as_dict() for p in self.problems]}
