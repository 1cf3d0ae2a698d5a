"""The ledger row: one typed, immutable record per transaction (beancount's style).

Field meanings by type (amounts are signed from the account's point of view: cash in
is positive, cash out negative; `quantity` is always a positive number of shares):

- buy / sell: `quantity` shares at `price`; `fees` (>= 0) add to basis on a buy and
  reduce proceeds on a sell; `amount` is the cash effect (-(q*p+fees) / q*p-fees).
  `lot_id` names the lot a buy creates, or the lot(s) a SPECIFIC sell disposes of
  ("LOT1:5,LOT2:2.5" picks 5 shares of LOT1 and 2.5 of LOT2).
- dividend / interest: cash `amount` (> 0), `symbol` optional for interest.
- reinvest: a dividend of `amount` used to buy `quantity` at `price`: income and a new lot.
- fee: cash `amount` (< 0), optional `symbol`.
- split: `split_ratio` new shares per old share (2 for 2-for-1, 0.1 for 1-for-10).
- deposit / withdrawal: cash `amount` (+ / -).
- transfer_in: `quantity` shares arriving with their `original_basis` (total) and
  `acquired_date`, so the holding period carries over; transfer_out removes shares
  without realizing a gain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Context, Decimal
from enum import StrEnum


class TxType(StrEnum):
    BUY = "buy"
    SELL = "sell"
    DIVIDEND = "dividend"
    REINVEST = "reinvest"
    INTEREST = "interest"
    FEE = "fee"
    SPLIT = "split"
    DEPOSIT = "deposit"
    WITHDRAWAL = "withdrawal"
    TRANSFER_IN = "transfer_in"
    TRANSFER_OUT = "transfer_out"


# Same-day order when reconciling: cash and corporate actions first, then shares
# arrive, then leave, so a same-day buy-then-sell works whatever order a broker
# exported them in.
SAME_DAY_ORDER: dict[TxType, int] = {
    TxType.DEPOSIT: 0,
    TxType.SPLIT: 1,
    TxType.TRANSFER_IN: 2,
    TxType.BUY: 3,
    TxType.REINVEST: 4,
    TxType.DIVIDEND: 5,
    TxType.INTEREST: 6,
    TxType.SELL: 7,
    TxType.TRANSFER_OUT: 8,
    TxType.FEE: 9,
    TxType.WITHDRAWAL: 10,
}


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    account_id: int
    date: dt.date
    type: TxType
    symbol: str | None
    quantity: Decimal | None
    price: Decimal | None
    amount: Decimal | None
    fees: Decimal
    currency: str
    note: str = ""
    lot_id: str | None = None
    split_ratio: Decimal | None = None
    acquired_date: dt.date | None = None
    original_basis: Decimal | None = None
    id: int | None = None
    batch_id: int | None = None
    source_line: int | None = None
    fingerprint: str = ""


# The ledger stores DECIMAL(38,12): fingerprints see values at that precision, so a
# row hashes the same whether it is fingerprinted here or in SQL after the cast
# (storage/generic_csv.py computes the identical key with md5 over the same text).
_SCALE = Decimal("1e-12")


# One context for every quantize (entering a localcontext per number cost more than
# the rounding itself in a 100,000-row import).
_KEY_CONTEXT = Context(prec=60, rounding=ROUND_HALF_UP)


def key_number(value: Decimal | None) -> str:
    """A number as the fingerprint sees it: as DuckDB prints a DECIMAL(38,12) (12 places,
    `-0` is `0`), so the SQL path can key rows with a plain cast."""
    if value is None:
        return ""
    scaled = value.quantize(_SCALE, context=_KEY_CONTEXT)
    if scaled == 0:
        scaled = abs(scaled)
    return format(scaled, "f")


def normalised_key(entry: LedgerEntry) -> str:
    """The row's identity for de-duplication: every field a re-export keeps stable.

    Decimals are normalised (`1.50` == `1.5`), text is trimmed and upper-cased where case
    carries no meaning, and source-specific fields (line number, batch, note) are left
    out so the same trade exported twice hashes the same.
    """
    num = key_number
    return "|".join(
        (
            str(entry.account_id),
            entry.date.isoformat(),
            entry.type.value,
            (entry.symbol or "").strip().upper(),
            num(entry.quantity),
            num(entry.price),
            num(entry.amount),
            num(entry.fees),
            entry.currency.upper(),
            entry.lot_id or "",
            num(entry.split_ratio),
            entry.acquired_date.isoformat() if entry.acquired_date else "",
            num(entry.original_basis),
        )
    )


def md5_text(text: str) -> str:
    """md5 as DuckDB's `md5_number` sees it (the digest read as a little-endian
    128-bit integer), written as 32 hex digits.

    The ledger stores fingerprints as that UHUGEINT: 16 bytes that compress and join
    far faster than 32 random characters (a 1,000,000-row insert spent over a second
    on the text column alone, measured, issue 4), and the SQL path never formats text.
    """
    number = int.from_bytes(hashlib.md5(text.encode()).digest(), "little")
    return f"{number:032x}"


def fingerprint(entry: LedgerEntry, occurrence: int) -> str:
    """md5 of the normalised row, salted with its occurrence index within its source.

    Two genuinely identical trades on the same day in one file get occurrence 0 and 1
    and both land; re-importing the file reproduces both fingerprints and adds nothing.
    The first occurrence is the bare digest and later ones `md5(digest#n)`, so the SQL
    path hashes each row once. md5 (not a security hash here) because DuckDB computes
    the same digest, stable across versions, for the vectorised import path
    (`md5_number`, see md5_text).
    """
    return _salted(md5_text(normalised_key(entry)), occurrence)


def _salted(digest: str, occurrence: int) -> str:
    return digest if occurrence == 0 else md5_text(f"{digest}#{occurrence}")


def with_fingerprints(entries: list[LedgerEntry]) -> list[LedgerEntry]:
    """Give each entry its fingerprint, counting occurrences of identical rows in order."""
    seen: dict[str, int] = {}
    out: list[LedgerEntry] = []
    for entry in entries:
        key = normalised_key(entry)
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        out.append(evolve(entry, fingerprint=_salted(md5_text(key), occurrence)))
    return out


def evolve(entry: LedgerEntry, **changes: object) -> LedgerEntry:
    """`dataclasses.replace` for the bulk paths: the same new entry, built directly
    (replace() inspects the class on every call: 5 s of a 100,000-row import)."""
    values = {name: getattr(entry, name) for name in _ENTRY_FIELDS}
    values.update(changes)
    return LedgerEntry(**values)


_ENTRY_FIELDS = tuple(f.name for f in fields(LedgerEntry))
