"""Rows of any shape (dataclass, mapping, named tuple) as ordered mappings, and the
formula-injection defence for text cells."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_mapping(row: Any) -> Mapping[str, Any]:
    if isinstance(row, Mapping):
        return row
    if dataclasses.is_dataclass(row) and not isinstance(row, type):
        return {f.name: getattr(row, f.name) for f in dataclasses.fields(row)}
    if hasattr(row, "_asdict"):
        return dict(row._asdict())
    raise TypeError(f"cannot export a {type(row).__name__} as a row")


def columns_of(rows: Sequence[Mapping[str, Any]], preferred: Sequence[str] = ()) -> list[str]:
    seen: dict[str, None] = dict.fromkeys(preferred)
    for row in rows:
        for key in row:
            seen.setdefault(key, None)
    return list(seen)


def defang(text: str) -> str:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe (OWASP)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_cell(value: Any) -> Any:
    """Numbers stay numbers (exact decimals, no exponent); text is defanged."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return _decimal_text(value)
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return defang(str(value.value))
    return defang(str(value))


def _decimal_text(value: Decimal) -> str:
    if not value.is_finite():
        return ""
    if value == 0:
        return "0"
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def materialise(rows: Iterable[Any]) -> list[Mapping[str, Any]]:
    return [as_mapping(r) for r in rows]
