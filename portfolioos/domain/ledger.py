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

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
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
    date: date
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
    acquired_date: date | None = None
    original_basis: Decimal | None = None
    id: int | None = None
    batch_id: int | None = None
    source_line: int | None = None
    fingerprint: str = ""
