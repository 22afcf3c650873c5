"""A report as plain data: titled tables of typed columns, plus headline figures.

Nothing here knows about XLSX, PDF or Qt. The XLSX writer, the (future) PDF
renderer of ``station.printing``, the GUI and the hub page all lay out the same
:class:`Report`; ``to_dict``/``from_dict`` give the JSON kept in a period
closure snapshot.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

#: column kinds: how a value is typed and shown
KINDS = {"text", "int", "money", "hours", "percent", "mixed"}


@dataclass
class Column:
    key: str
    label: str
    #: text | int | money (元) | hours | percent (ratio 0..1; None = no denominator) | mixed (see
    #: :attr:`Table.row_kinds`)
    kind: str = "int"


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    note: str = ""
    #: the last row is a 合计 row
    has_total: bool = False
    #: for a ``mixed`` column: the kind of each row's value
    row_kinds: list[str] | None = None

    def kind_of(self, row: int, col: int) -> str:
        kind = self.columns[col].kind
        return self.row_kinds[row] if kind == "mixed" and self.row_kinds else kind

    def column(self, key: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.key == key)

    def cell(self, row_label: str, column_key: str) -> Any:
        """The value in the row whose first cell is ``row_label`` (for tests and callers)."""
        i = self.column(column_key)
        for row in self.rows:
            if row[0] == row_label:
                return row[i]
        raise KeyError(row_label)

    def as_dicts(self) -> list[dict[str, Any]]:
        return [{c.key: v for c, v in zip(self.columns, row)} for row in self.rows]


@dataclass
class Report:
    title: str
    station: str
    period: dict[str, str]  # key, label, start, end
    scope: dict[str, str]  # key, label
    generated_at: str
    figures: dict[str, Any]
    tables: list[Table]
    corrections: list[dict[str, Any]] = field(default_factory=list)
    closure: dict[str, Any] | None = None  # set when the period (and scope) is closed
    definitions: str = ""
    #: headline figures of the previous period, when a comparison was asked for
    previous: dict[str, Any] | None = None

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Report":
        tables = [Table(**{**t, "columns": [Column(**c) for c in t["columns"]]}) for t in data["tables"]]
        return cls(**{**data, "tables": tables})
