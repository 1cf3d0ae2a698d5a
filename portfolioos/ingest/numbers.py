"""Numbers and dates as brokers print them, parsed exactly.

Brokers write `$1,234.56`, `(1,234.56)`, `-$12.00`, `1.234,56 €`, `12-` and `--`; dates
as `01/03/2023`, `2023-01-03, 10:30:00`, `20230103` or `01/03/2023 as of 12/30/2022`.
Everything here returns `Decimal`/`date` or raises ValueError with a short reason
that the caller wraps with file, line and column.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

_EMPTY = {"", "-", "--", "n/a", "na", "none", "null"}
_CURRENCY_MARKS = re.compile(r"[$€£¥₹₩₣]|\b(?:USD|EUR|GBP|CHF|CAD|JPY|AUD)\b|\bUS\$", re.IGNORECASE)
_PLAIN = re.compile(r"^[0-9]+(?:\.[0-9]*)?$|^\.[0-9]+$")


def parse_decimal(text: str | None, *, decimal: str = ".", thousands: str = ",") -> Decimal | None:
    """A money or quantity cell as an exact Decimal; None when the cell is empty."""
    if text is None:
        return None
    raw = text.strip().strip('"').strip()
    if raw.lower() in _EMPTY:
        return None
    negative = False
    body = raw
    if body.startswith("(") and body.endswith(")"):
        negative, body = True, body[1:-1].strip()
    body = _CURRENCY_MARKS.sub("", body).replace("\u00a0", "").replace(" ", "").replace("'", "")
    if body.startswith("(") and body.endswith(")"):
        negative, body = True, body[1:-1]
    if body.startswith(("-", "−")):
        negative, body = not negative, body[1:]
    elif body.startswith("+"):
        body = body[1:]
    elif body.endswith("-"):
        negative, body = True, body[:-1]
    body = _CURRENCY_MARKS.sub("", body)
    if thousands:
        body = body.replace(thousands, "")
    if decimal != ".":
        body = body.replace(decimal, ".")
    if not _PLAIN.match(body):
        raise ValueError(f"'{raw}' is not a number")
    try:
        value = Decimal(body)
    except InvalidOperation:  # pragma: no cover - the pattern above admits only valid text
        raise ValueError(f"'{raw}' is not a number") from None
    return -value if negative else value


_DATE_PREFIX = re.compile(r"^\s*([0-9]{1,4}[-/.][0-9]{1,2}[-/.][0-9]{1,4}|[0-9]{8})")


def parse_date(text: str | None, formats: tuple[str, ...]) -> date | None:
    """The first date in a cell (`01/03/2023 as of 12/30/2022` -> 2023-01-03).

    Cached: a statement repeats each date on many rows, and strptime was a third of
    the row-wise import's time (a bad cell raises, and exceptions are not cached)."""
    if text is None:
        return None
    return _parse_date(text, formats)


@lru_cache(maxsize=8192)
def _parse_date(text: str, formats: tuple[str, ...]) -> date | None:
    raw = text.strip()
    if raw.lower() in _EMPTY:
        return None
    match = _DATE_PREFIX.match(raw)
    candidate = match.group(1) if match else raw
    for fmt in formats:
        for value in (candidate, raw):
            try:
                return datetime.strptime(value, fmt).date()
            except ValueError:
                continue
    raise ValueError(f"'{raw}' is not a date (expected {' or '.join(_human(f) for f in formats)})")


def _human(fmt: str) -> str:
    return (
        fmt.replace("%Y", "YYYY")
        .replace("%y", "YY")
        .replace("%m", "MM")
        .replace("%d", "DD")
        .replace("%H", "hh")
        .replace("%M", "mm")
        .replace("%S", "ss")
    )
