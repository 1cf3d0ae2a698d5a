"""User-defined mappings: a column-to-field map, an action vocabulary and a date format,
saved per account and turned into an ordinary Profile (so custom files go through the
same reader, mapper and checks as every broker)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from portfolioos.errors import ValidationError
from portfolioos.ingest.profiles import DECISIONS, FIELDS, LEDGER_TYPES, Profile

_FORMATS = {
    "YYYY-MM-DD": "%Y-%m-%d",
    "MM/DD/YYYY": "%m/%d/%Y",
    "DD/MM/YYYY": "%d/%m/%Y",
    "DD.MM.YYYY": "%d.%m.%Y",
    "MM/DD/YY": "%m/%d/%y",
    "DD-MM-YYYY": "%d-%m-%Y",
    "YYYYMMDD": "%Y%m%d",
}


@dataclass(frozen=True)
class ColumnMapping:
    """What a user teaches the importer about one account's files."""

    name: str
    columns: dict[str, str]  # ledger field -> header as written in the file
    actions: dict[str, str] = field(default_factory=dict)  # action word -> type or decision
    date_format: str = "YYYY-MM-DD"
    decimal: str = "."
    thousands: str = ","
    default_action: str | None = None

    def validated(self) -> ColumnMapping:
        if not self.name.strip():
            raise ValidationError("A mapping needs a name.", field="name")
        unknown = [f for f in self.columns if f not in FIELDS]
        if unknown:
            raise ValidationError(
                f"Unknown ledger field(s) {', '.join(unknown)}; fields are {', '.join(FIELDS)}.",
                field="columns",
            )
        if "date" not in self.columns:
            raise ValidationError(
                "A mapping must say which column holds the date.", field="columns"
            )
        if "action" not in self.columns and not self.default_action:
            raise ValidationError(
                "A mapping needs an action column or a default action.", field="columns"
            )
        allowed = set(LEDGER_TYPES) | DECISIONS
        bad = {w: t for w, t in self.actions.items() if t not in allowed}
        if bad:
            raise ValidationError(
                f"Action(s) {', '.join(bad)} map to unknown types; use "
                f"{', '.join(sorted(allowed))}.",
                field="actions",
            )
        if self.default_action and self.default_action not in allowed:
            raise ValidationError(
                f"Unknown default action '{self.default_action}'.", field="default_action"
            )
        if self.date_format not in _FORMATS and "%" not in self.date_format:
            raise ValidationError(
                f"Unknown date format '{self.date_format}'; use one of {', '.join(_FORMATS)}.",
                field="date_format",
            )
        return self

    def to_json(self) -> dict[str, Any]:
        return {
            "columns": self.columns,
            "actions": self.actions,
            "date_format": self.date_format,
            "decimal": self.decimal,
            "thousands": self.thousands,
            "default_action": self.default_action,
        }

    @classmethod
    def from_json(cls, name: str, data: dict[str, Any]) -> ColumnMapping:
        return cls(
            name=name,
            columns=dict(data.get("columns", {})),
            actions=dict(data.get("actions", {})),
            date_format=str(data.get("date_format", "YYYY-MM-DD")),
            decimal=str(data.get("decimal", ".")),
            thousands=str(data.get("thousands", ",")),
            default_action=data.get("default_action"),
        )

    def profile(self) -> Profile:
        fmt = _FORMATS.get(self.date_format, self.date_format)
        return Profile(
            name=f"mapping:{self.name}",
            title=f"saved mapping '{self.name}'",
            columns={f: (h,) for f, h in self.columns.items()},
            actions=tuple((f"^{re.escape(w)}$", t) for w, t in self.actions.items()),
            date_formats=(fmt,),
            required=tuple(f for f in ("date", "action") if f in self.columns),
            decimal=self.decimal,
            thousands=self.thousands,
            default_action=self.default_action,
        )
