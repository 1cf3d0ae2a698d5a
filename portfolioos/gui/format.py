"""Number and date text for every screen, in one locale-neutral style.

One style everywhere (comma thousands, dot decimals, the currency's symbol in front)
so a table, a card and a chart axis never disagree about how $1,234.56 looks. No Qt
here: these are pure functions, tested without a QApplication, and the tone of a
change is an enum the widgets turn into a palette colour.

Every function accepts `Decimal`, `int`, `float` (and numpy scalars) and returns "—"
for None, NaN and infinities, so a missing price shows as a dash instead of "nan".
Rounding is half-up on the exact decimal value (floats go through their shortest
repr), so 2.675 shows as 2.68 like on a statement, not 2.67 like binary floats.
"""

from __future__ import annotations

import datetime as _dt
import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import Enum
from typing import Any

DASH = "—"

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CAD": "CA$", "AUD": "A$"}
# ISO 4217 currencies without minor units.
ZERO_DECIMAL = frozenset({"JPY", "KRW", "VND", "CLP", "ISK", "HUF", "TWD"})
_UNITS = tuple((Decimal(10) ** (3 * (i + 1)), s) for i, s in enumerate("KMBT"))


class Tone(Enum):
    """How a change reads: widgets map it to green / red / the normal text colour."""

    POSITIVE = "positive"
    NEGATIVE = "negative"
    NEUTRAL = "neutral"


def to_decimal(value: Any) -> Decimal | None:
    """Exact Decimal for display, or None when there is nothing sensible to show."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, int):
        return Decimal(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number):
        return None
    if number.is_integer() and abs(number) < 2**53:
        return Decimal(int(number))
    try:
        return Decimal(repr(number))
    except InvalidOperation:
        return None


def _group(digits: str) -> str:
    """'1234567.89' -> '1,234,567.89' (digits without sign)."""
    whole, _, frac = digits.partition(".")
    out = []
    while len(whole) > 3:
        out.insert(0, whole[-3:])
        whole = whole[:-3]
    out.insert(0, whole)
    grouped = ",".join(out)
    return f"{grouped}.{frac}" if frac else grouped


def _fixed(value: Decimal, decimals: int) -> str:
    """Absolute value rounded half-up to `decimals` places, grouped."""
    q = Decimal(1).scaleb(-decimals) if decimals > 0 else Decimal(1)
    rounded = abs(value).quantize(q, rounding=ROUND_HALF_UP)
    return _group(f"{rounded:f}")


def currency_decimals(currency: str) -> int:
    return 0 if currency.upper() in ZERO_DECIMAL else 2


def _with_symbol(body: str, currency: str) -> str:
    code = (currency or "").upper()
    symbol = SYMBOLS.get(code)
    if symbol is not None:
        return f"{symbol}{body}"
    return f"{code} {body}" if code else body


def _sign(value: Decimal, rounded_body: str, signed: bool) -> str:
    is_zero = not any(ch.isdigit() and ch != "0" for ch in rounded_body)
    if is_zero:
        return ""
    if value < 0:
        return "-"
    return "+" if signed else ""


def money(
    value: Any, currency: str = "USD", *, decimals: int | None = None, signed: bool = False
) -> str:
    """'$1,234.56', '-$1,234.56', '¥1,235', 'CHF 1,234.56'; `signed` adds '+'."""
    number = to_decimal(value)
    if number is None:
        return DASH
    places = currency_decimals(currency) if decimals is None else decimals
    body = _fixed(number, places)
    return _sign(number, body, signed) + _with_symbol(body, currency)


def _compact_body(number: Decimal, decimals: int) -> str:
    magnitude = abs(number)
    units = [(Decimal(1), ""), *_UNITS]
    index = 0
    while index + 1 < len(units) and magnitude >= units[index + 1][0]:
        index += 1
    while True:
        size, suffix = units[index]
        places = (0 if magnitude >= 100 else min(decimals, 2)) if not suffix else decimals
        body = _fixed(magnitude / size, places)
        # Rounding can carry into the next unit (999.96K -> 1,000K): show 1M instead.
        if Decimal(body.replace(",", "")) < 1000 or index + 1 == len(units):
            return _strip(body) + suffix
        index += 1


def _strip(body: str) -> str:
    if "." in body:
        body = body.rstrip("0").rstrip(".")
    return body


def compact_money(
    value: Any, currency: str = "USD", *, decimals: int = 1, signed: bool = False
) -> str:
    """'$1.2M', '$950K', '$12.5K', '$850'; trailing '.0' dropped ('$2M'), for axes and cards."""
    number = to_decimal(value)
    if number is None:
        return DASH
    body = _compact_body(number, decimals)
    return _sign(number, body, signed) + _with_symbol(body, currency)


def compact_number(value: Any, *, decimals: int = 1) -> str:
    """'1.2M', '45K', '850' (volumes, counts)."""
    number = to_decimal(value)
    if number is None:
        return DASH
    body = _compact_body(number, decimals)
    return _sign(number, body, False) + body


def number(value: Any, *, decimals: int = 2, signed: bool = False) -> str:
    """'1,234.57' (fixed decimals, grouped)."""
    d = to_decimal(value)
    if d is None:
        return DASH
    body = _fixed(d, decimals)
    return _sign(d, body, signed) + body


def percent(value: Any, *, decimals: int = 1, signed: bool = False) -> str:
    """A fraction as a percentage: 0.123 -> '12.3%'; `signed` -> '+12.3%' / '-4.0%'.

    Inputs are fractions (what the services' analytics return), never percent points.
    """
    d = to_decimal(value)
    if d is None:
        return DASH
    body = _fixed(d * 100, decimals)
    return _sign(d, body, signed) + body + "%"


def tone(value: Any) -> Tone:
    d = to_decimal(value)
    if d is None or d == 0:
        return Tone.NEUTRAL
    return Tone.POSITIVE if d > 0 else Tone.NEGATIVE


def signed_money(value: Any, currency: str = "USD") -> tuple[str, Tone]:
    """'+$1,234.56' with its tone; the tone is NEUTRAL when it rounds to zero."""
    text = money(value, currency, signed=True)
    return text, (tone(value) if text[:1] in "+-" else Tone.NEUTRAL)


def signed_percent(value: Any, *, decimals: int = 1) -> tuple[str, Tone]:
    text = percent(value, decimals=decimals, signed=True)
    return text, (tone(value) if text[:1] in "+-" else Tone.NEUTRAL)


def change(amount: Any, fraction: Any = None, currency: str = "USD") -> tuple[str, Tone]:
    """'+$1,234.56 (+2.1%)' for a card's sub-line; tone from the amount (or the fraction)."""
    text, kind = signed_money(amount, currency)
    if fraction is not None:
        pct, pct_tone = signed_percent(fraction)
        if text == DASH:
            return pct, pct_tone
        text = f"{text} ({pct})"
        if kind is Tone.NEUTRAL:
            kind = pct_tone
    return text, kind


def shares(value: Any, *, max_decimals: int = 8) -> str:
    """An exact quantity: Decimal('1234.5000') -> '1,234.5'; never rounds a Decimal.

    Floats are shown to at most `max_decimals` places (their binary noise cut off).
    """
    d = to_decimal(value)
    if d is None:
        return DASH
    if not isinstance(value, Decimal):
        d = d.quantize(Decimal(1).scaleb(-max_decimals), rounding=ROUND_HALF_UP)
    if d == 0:
        return "0"
    text = _strip(f"{abs(d):f}")
    return ("-" if d < 0 else "") + _group(text)


def date_text(value: _dt.date | _dt.datetime | None) -> str:
    """ISO date '2024-03-15' for tables: unambiguous in every locale, sorts as text."""
    if value is None:
        return DASH
    if isinstance(value, _dt.datetime):
        value = value.date()
    return value.isoformat()


def date_long(value: _dt.date | _dt.datetime | None) -> str:
    """'Mar 15, 2024' for hover labels and headings."""
    if value is None:
        return DASH
    return f"{value:%b} {value.day}, {value.year}"


def datetime_text(value: _dt.datetime | None) -> str:
    """'2024-03-15 14:03' (local wall time as given)."""
    if value is None:
        return DASH
    return f"{value:%Y-%m-%d %H:%M}"
