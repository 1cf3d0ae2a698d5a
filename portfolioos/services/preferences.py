"""Every preference declared once, with its type, default and check (Electrum's ConfigVar)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from portfolioos.domain.accounts import parse_currency, parse_lot_method
from portfolioos.errors import ValidationError


@dataclass(frozen=True, slots=True)
class Preference:
    key: str
    default: Any
    description: str
    parse: Callable[[Any], Any]


def _choice(*allowed: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = str(value).strip().lower()
        if text not in allowed:
            raise ValueError(f"use one of: {', '.join(allowed)}")
        return text

    return parse


def _int_range(low: int, high: int) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        number = int(value)
        if not low <= number <= high:
            raise ValueError(f"must be between {low} and {high}")
        return number

    return parse


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError("must be true or false")


PREFERENCES: dict[str, Preference] = {
    p.key: p
    for p in (
        Preference(
            "base_currency",
            "USD",
            "Currency totals are shown in.",
            lambda v: parse_currency(str(v)),
        ),
        Preference(
            "default_lot_method",
            "fifo",
            "Lot method for new accounts.",
            lambda v: str(parse_lot_method(str(v))),
        ),
        Preference("theme", "system", "Colour scheme.", _choice("system", "light", "dark")),
        Preference(
            "sync_interval_hours",
            4,
            "Hours between automatic price syncs (0: never).",
            _int_range(0, 168),
        ),
        Preference("sync_on_start", True, "Sync prices when the app starts.", _bool),
        Preference(
            "benchmark_symbol",
            "SPY",
            "Benchmark for performance charts.",
            lambda v: str(v).strip().upper(),
        ),
    )
}


def parse_preference(key: str, value: Any) -> Any:
    pref = PREFERENCES.get(key)
    if pref is None:
        raise ValidationError(
            f"Unknown preference '{key}'; known: {', '.join(sorted(PREFERENCES))}.", field=key
        )
    try:
        return pref.parse(value)
    except ValidationError as exc:
        raise ValidationError(f"Preference '{key}': {exc.message}", field=key) from None
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"Preference '{key}' = {value!r}: {exc}.", field=key) from None
