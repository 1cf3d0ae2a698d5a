"""Holdings, lots and cash derived from the ledger (and checked against a broker).

The ledger arrives as parallel columns already sorted by (account, symbol, date,
SAME_DAY_ORDER, id), with quantities and money as integer 1e-12 units (see
cost_basis). One pass applies every row to the `Book` of its (account, symbol) and to
its account's cash; the loop is plain Python over lists because each row's effect
depends on the lots before it (measured: ~2.6 s per million rows on a busy 2-core
machine). When per-sale records are not needed, plain FIFO groups of buys and sells
(with their dividend, interest, fee, deposit and withdrawal rows) and the accounts'
cash-only groups skip the loop and are computed whole by `fifo_vector` (~0.5 s per
million rows), with results identical to the loop's. Any row the engine cannot apply
raises LedgerError naming the transaction (id, date, type, account, symbol) and what
was wrong.
"""

from __future__ import annotations

import gc
import logging
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import repeat
from typing import Any

from portfolioos.domain.accounts import LotMethod
from portfolioos.domain.cost_basis import (
    SCALE,
    Book,
    DisposedLot,
    Lot,
    disposal_from_record,
    from_day,
    from_units,
    muldiv,
    units_text,
)
from portfolioos.domain.fifo_vector import CashCodes, Column, column_from_list, fifo_groups
from portfolioos.domain.ledger import SAME_DAY_ORDER, TxType
from portfolioos.errors import LedgerError

logger = logging.getLogger(__name__)

TYPE_OF_CODE: dict[int, TxType] = {code: t for t, code in SAME_DAY_ORDER.items()}
_C = SAME_DAY_ORDER
BUY, SELL, REINVEST, SPLIT = _C[TxType.BUY], _C[TxType.SELL], _C[TxType.REINVEST], _C[TxType.SPLIT]
DIVIDEND, INTEREST, FEE = _C[TxType.DIVIDEND], _C[TxType.INTEREST], _C[TxType.FEE]
DEPOSIT, WITHDRAWAL = _C[TxType.DEPOSIT], _C[TxType.WITHDRAWAL]
TRANSFER_IN, TRANSFER_OUT = _C[TxType.TRANSFER_IN], _C[TxType.TRANSFER_OUT]
_SHARE_TYPES = {BUY, SELL, REINVEST, SPLIT, TRANSFER_IN, TRANSFER_OUT}
CASH_CODES = CashCodes((DIVIDEND, INTEREST), DEPOSIT, WITHDRAWAL, FEE)


@dataclass(slots=True)
class LedgerColumns:
    """The ledger as parallel lists, sorted by (account, symbol, date, order, id), cut
    into groups of one (account, symbol) each (`starts[g]` .. `starts[g + 1]`; the
    symbol is None for cash-only rows). Money and quantities are 1e-12 units, dates day
    numbers since 1970-01-01, `kind` the SAME_DAY_ORDER code. Columns that are nearly
    always empty (lot id, split ratio, acquired date, original basis) are sparse dicts
    from row index to value."""

    id: list[int]
    day: list[int]
    kind: list[int]
    quantity: list[int | None]
    price: list[int | None]
    amount: list[int | None]
    fees: list[int | None]
    starts: list[int]
    group_account: list[int]
    group_symbol: list[str | None]
    group_currency: list[str]
    lot_id: dict[int, str] = field(default_factory=dict)
    split_ratio: dict[int, int | None] = field(default_factory=dict)
    acquired: dict[int, int] = field(default_factory=dict)
    original_basis: dict[int, int] = field(default_factory=dict)
    # numpy views for the whole-group FIFO (see fifo_vector); built from the lists
    # when a caller (the storage reader) did not provide them
    arrays: VectorColumns | None = None
    # the per-row lists may be filled on first need (the storage reader defers them:
    # when every group is computed whole they are never built)
    fill: Callable[[LedgerColumns], None] | None = None
    rows: int = -1

    def __len__(self) -> int:
        return self.rows if self.rows >= 0 else len(self.id)

    def materialize(self) -> None:
        if self.fill is not None:
            fill, self.fill = self.fill, None
            fill(self)

    @classmethod
    def from_rows(cls, rows: Sequence[Mapping[str, object]]) -> LedgerColumns:
        """Build from dict rows already in ledger order (for tests and small callers):
        keys as the attribute names plus `account` and `symbol`, ints in units."""
        starts: list[int] = []
        g_acct: list[int] = []
        g_sym: list[str | None] = []
        g_cur: list[str] = []
        prev: object = None
        cols = cls([], [], [], [], [], [], [], starts, g_acct, g_sym, g_cur)
        for i, r in enumerate(rows):
            key = (r["account"], r.get("symbol"))
            if key != prev:
                starts.append(i)
                g_acct.append(int(r["account"]))  # type: ignore[call-overload]
                g_sym.append(r.get("symbol"))  # type: ignore[arg-type]
                g_cur.append(str(r.get("currency", "USD")))
                prev = key
            cols.id.append(int(r.get("id", i + 1)))  # type: ignore[call-overload]
            cols.day.append(int(r["day"]))  # type: ignore[call-overload]
            cols.kind.append(int(r["kind"]))  # type: ignore[call-overload]
            for name in ("quantity", "price", "amount", "fees"):
                getattr(cols, name).append(r.get(name))
            for name in ("lot_id", "split_ratio", "acquired", "original_basis"):
                if r.get(name) is not None or (name == "split_ratio" and "split_ratio" in r):
                    getattr(cols, name)[i] = r.get(name)
        starts.append(len(rows))
        return cols


@dataclass(slots=True)
class VectorColumns:
    id: Any
    day: Any
    kind: Any
    quantity: Column
    price: Column
    amount: Column
    fees: Column
    lot_row: Any

    @classmethod
    def from_lists(cls, cols: LedgerColumns) -> VectorColumns:
        import numpy as np

        lot_row = np.zeros(len(cols), dtype=np.bool_)
        lot_row[list(cols.lot_id)] = True
        return cls(
            np.asarray(cols.id, dtype=np.int64),
            np.asarray(cols.day, dtype=np.int64),
            np.asarray(cols.kind, dtype=np.int64),
            column_from_list(cols.quantity),
            column_from_list(cols.price),
            column_from_list(cols.amount),
            column_from_list(cols.fees),
            lot_row,
        )


@dataclass(frozen=True, slots=True)
class Holding:
    account_id: int
    symbol: str
    shares: Decimal
    cost_basis: Decimal
    realized_gain: Decimal
    currency: str
    lot_method: LotMethod


@dataclass(frozen=True, slots=True)
class AccountLot:
    account_id: int
    symbol: str
    currency: str
    lot: Lot


@dataclass(frozen=True, slots=True)
class Realized:
    account_id: int
    symbol: str
    currency: str
    disposal: DisposedLot


@dataclass(slots=True)
class ReconcileResult:
    books: dict[tuple[int, str], Book]
    currency: dict[tuple[int, str], str]
    cash: dict[int, int]
    income: dict[int, int]
    # external flows per account: (day, account, units) with deposits positive
    flows: list[tuple[int, int, int]] = field(default_factory=list)
    # (day, account, symbol, shares after) after each share-changing row, when asked
    events: list[tuple[int, int, str, int]] | None = None
    # (day, account, cash change) per row that moved cash, in ledger (not date) order
    cash_events: list[tuple[int, int, int]] | None = None
    rows: int = 0

    def holdings(self, include_closed: bool = False) -> list[Holding]:
        out = []
        for (acct, sym), book in sorted(self.books.items()):
            if not book.shares and not include_closed:
                continue
            out.append(
                Holding(
                    acct,
                    sym,
                    from_units(book.shares),
                    from_units(book.basis()),
                    from_units(book.realized),
                    self.currency[(acct, sym)],
                    book.method,
                )
            )
        return out

    def lots(self) -> list[AccountLot]:
        return [
            AccountLot(acct, sym, self.currency[(acct, sym)], lot)
            for (acct, sym), book in sorted(self.books.items())
            for lot in book.lot_records()
        ]

    def realized(self) -> list[Realized]:
        return [
            Realized(acct, sym, self.currency[(acct, sym)], disposal_from_record(rec))
            for (acct, sym), book in sorted(self.books.items())
            for rec in book.disposals
        ]

    def cash_balances(self) -> dict[int, Decimal]:
        return {a: from_units(v) for a, v in sorted(self.cash.items())}


def parse_lot_spec(text: str, qty: int) -> list[tuple[str, int]]:
    """ "LOT1:5,LOT2:2.5" -> [(LOT1, 5e12), (LOT2, 2.5e12)]; a single bare id takes it all."""
    from portfolioos.domain.cost_basis import to_units

    parts = [p.strip() for p in text.split(",") if p.strip()]
    if len(parts) == 1 and ":" not in parts[0]:
        return [(parts[0], qty)]
    spec: list[tuple[str, int]] = []
    for part in parts:
        lot, sep, amount = part.rpartition(":")
        if not sep or not lot:
            raise LedgerError(f"lot list '{text}' is not of the form LOT:QTY,LOT:QTY")
        try:
            spec.append((lot.strip(), to_units(amount.strip())))
        except Exception:
            raise LedgerError(f"lot list '{text}': '{amount}' is not a quantity") from None
    return spec


def reconcile(
    cols: LedgerColumns, methods: Mapping[int, LotMethod], **options: Any
) -> ReconcileResult:
    """Apply every row; see `_reconcile` for the options.

    The cyclic garbage collector is paused for the pass: it allocates a few hundred
    thousand small lists that live until the end, and the collector would otherwise
    rescan them again and again (measured: ~25% of the time) for no garbage at all.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _reconcile(cols, methods, **options)
    finally:
        if enabled:
            gc.enable()


def _reconcile(
    cols: LedgerColumns,
    methods: Mapping[int, LotMethod],
    *,
    wash_sales: Mapping[int, bool] | None = None,
    names: Mapping[int, str] | None = None,
    events: bool = False,
    checkpoint: Callable[[float], None] | None = None,
    disposals: bool = True,
    vector: bool = True,
) -> ReconcileResult:
    """Apply every row; `methods` gives each account's lot method (FIFO if absent).

    `checkpoint(fraction)` is called every few hundred groups (progress and cancel).
    With `disposals=False` (holdings, lots and cash only, no per-sale records) plain
    FIFO groups are computed whole by `fifo_vector`; `vector=False` forces the row
    loop everywhere (tests compare the two).
    """
    wash_sales = wash_sales or {}
    names = names or {}
    result = ReconcileResult(
        books={},
        currency={},
        cash={},
        income={},
        events=[] if events else None,
        cash_events=[] if events else None,
        rows=len(cols),
    )
    books, currency, flows = result.books, result.currency, result.flows
    cash_total, income_total = result.cash, result.income
    ev = result.events
    cash_ev = result.cash_events
    n = len(cols)
    starts = cols.starts
    whole: dict[int, Any] = {}
    if vector and not disposals and not events and n:
        whole = _whole_groups(cols, methods, wash_sales, names)
    if len(whole) < len(starts) - 1:
        cols.materialize()
    ids, days, kinds = cols.id, cols.day, cols.kind
    qtys, prices, amounts, feess = cols.quantity, cols.price, cols.amount, cols.fees
    lot_ids, ratios, acquireds, bases = (
        cols.lot_id,
        cols.split_ratio,
        cols.acquired,
        cols.original_basis,
    )
    i = 0
    for g in range(len(starts) - 1):
        start, stop = starts[g], starts[g + 1]
        if checkpoint is not None and not g % 256:
            checkpoint(start / n if n else 1.0)
        acct = cols.group_account[g]
        sym = cols.group_symbol[g]
        book: Book | None = None
        fast = False
        if sym is not None:
            method = methods.get(acct, LotMethod.FIFO)
            wash = bool(wash_sales.get(acct, False))
            book = Book(names.get(acct, str(acct)), sym, method, wash)
            key = (acct, sym)
            if key in books:  # pragma: no cover - sorted input has one group per key
                raise LedgerError(f"ledger columns are not grouped by account and symbol ({key})")
            books[key] = book
            currency[key] = cols.group_currency[g]
            fast = method is LotMethod.FIFO and not wash and ev is None
        done = whole.get(g)
        if done is not None:
            if book is not None:
                book.lots = deque(done.lots)
                book.shares = done.shares
                book.realized = done.realized
            cash_total[acct] = cash_total.get(acct, 0) + done.cash
            income_total[acct] = income_total.get(acct, 0) + done.income
            flows.extend(zip(done.flow_days, repeat(acct), done.flow_units, strict=False))
            continue
        cash = 0
        income = 0
        try:
            for i in range(start, stop):
                k = kinds[i]
                amount = amounts[i]
                before = cash
                if k in (BUY, SELL):
                    q = qtys[i]
                    p = prices[i]
                    f = feess[i] or 0
                    if book is None:
                        raise LedgerError("has no symbol")
                    if q is None or q <= 0:
                        raise LedgerError(f"has quantity {_show(q)}; it must be greater than 0")
                    if (p is not None and p < 0) or f < 0:
                        raise LedgerError("has a negative price or fee")
                    if k == BUY:
                        if amount is not None:
                            basis = -amount
                        elif p is not None:
                            basis = muldiv(q, p, SCALE) + f
                        else:
                            raise LedgerError("has neither price nor amount")
                        cash -= basis
                        lid = lot_ids.get(i)
                        if fast and lid is None:
                            book.lots.append([f"T{ids[i]}", days[i], days[i], q, basis, 0, q])
                            book.shares += q
                        else:
                            book.acquire(
                                days[i], q, basis, lid or f"T{ids[i]}", check=lid is not None
                            )
                    else:
                        if amount is not None:
                            proceeds = amount
                        elif p is not None:
                            proceeds = muldiv(q, p, SCALE) - f
                        else:
                            raise LedgerError("has neither price nor amount")
                        cash += proceeds
                        if q > book.shares:
                            raise LedgerError(
                                f"sells {units_text(q)} shares but only "
                                f"{units_text(book.shares)} are held"
                            )
                        spec = lot_ids.get(i)
                        if fast and spec is None:
                            book.dispose_fifo_fast(days[i], q, proceeds)
                        else:
                            book.dispose(
                                days[i], q, proceeds, parse_lot_spec(spec, q) if spec else None
                            )
                elif k in (DIVIDEND, INTEREST):
                    value = amount or 0
                    cash += value
                    income += value
                elif k in (DEPOSIT, WITHDRAWAL, FEE):
                    value = amount if amount is not None else -(feess[i] or 0)
                    value = abs(value) if k == DEPOSIT else -abs(value)
                    cash += value
                    if k != FEE:
                        flows.append((days[i], acct, value))
                elif k == REINVEST:
                    q = qtys[i]
                    if book is None:
                        raise LedgerError("has no symbol")
                    if q is None or q <= 0:
                        raise LedgerError(f"has quantity {_show(q)}; it must be greater than 0")
                    p = prices[i]
                    if amount is not None:
                        value = abs(amount)
                    elif p is not None:
                        value = abs(muldiv(q, p, SCALE))
                    else:
                        raise LedgerError("has neither amount nor price")
                    income += value
                    lid = lot_ids.get(i)
                    book.acquire(
                        days[i],
                        q,
                        value + (feess[i] or 0),
                        lid or f"T{ids[i]}",
                        check=lid is not None,
                    )
                    cash -= feess[i] or 0
                elif k == SPLIT:
                    r = ratios.get(i)
                    if book is None:
                        raise LedgerError("has no symbol")
                    if r is None or r <= 0:
                        raise LedgerError(f"has split ratio {_show(r)}; it must be greater than 0")
                    book.split(r)
                elif k in (TRANSFER_IN, TRANSFER_OUT):
                    q = qtys[i]
                    if book is None:
                        raise LedgerError("has no symbol")
                    if q is None or q <= 0:
                        raise LedgerError(f"has quantity {_show(q)}; it must be greater than 0")
                    if k == TRANSFER_IN:
                        basis_in = bases.get(i)
                        if basis_in is None:
                            p = prices[i]
                            basis_in = muldiv(q, p, SCALE) if p is not None else 0
                        lid = lot_ids.get(i)
                        book.acquire(
                            days[i],
                            q,
                            basis_in,
                            lid or f"T{ids[i]}",
                            acquired=acquireds.get(i, days[i]),
                            check=lid is not None,
                        )
                        flows.append((days[i], acct, basis_in))
                    else:
                        if q > book.shares:
                            raise LedgerError(
                                f"transfers out {units_text(q)} shares but only "
                                f"{units_text(book.shares)} are held"
                            )
                        spec = lot_ids.get(i)
                        records = book.dispose(
                            days[i], q, None, parse_lot_spec(spec, q) if spec else None
                        )
                        flows.append((days[i], acct, -sum(r[3] for r in records)))
                else:  # pragma: no cover - the schema's CHECK forbids other types
                    raise LedgerError(f"has unknown type code {k}")
                if ev is not None:
                    if cash != before:
                        cash_ev.append((days[i], acct, cash - before))  # type: ignore[union-attr]
                    if book is not None and k in _SHARE_TYPES:
                        ev.append((days[i], acct, sym, book.shares))  # type: ignore[arg-type]
        except LedgerError as exc:
            raise LedgerError(f"{describe(cols, i, names)}: {exc}.") from None
        cash_total[acct] = cash_total.get(acct, 0) + cash
        income_total[acct] = income_total.get(acct, 0) + income
    if checkpoint is not None:
        checkpoint(1.0)
    return result


def _whole_groups(
    cols: LedgerColumns,
    methods: Mapping[int, LotMethod],
    wash_sales: Mapping[int, bool],
    names: Mapping[int, str],
) -> dict[int, Any]:
    import numpy as np

    arrays = cols.arrays or VectorColumns.from_lists(cols)
    eligible = np.array(
        [
            sym is not None
            and methods.get(acct, LotMethod.FIFO) is LotMethod.FIFO
            and not wash_sales.get(acct, False)
            for acct, sym in zip(cols.group_account, cols.group_symbol, strict=True)
        ],
        dtype=np.bool_,
    )
    cash_only = np.array([sym is None for sym in cols.group_symbol], dtype=np.bool_)
    return fifo_groups(
        cols.starts,
        eligible,
        arrays.id,
        arrays.day,
        arrays.kind,
        BUY,
        SELL,
        arrays.quantity,
        arrays.price,
        arrays.amount,
        arrays.fees,
        arrays.lot_row,
        cash=CASH_CODES,
        cash_only=cash_only,
    )


def _show(units: int | None) -> str:
    return "none" if units is None else units_text(units)


def describe(cols: LedgerColumns, i: int, names: Mapping[int, str]) -> str:
    cols.materialize()
    g = bisect_right(cols.starts, i) - 1
    acct = cols.group_account[g]
    kind = TYPE_OF_CODE.get(cols.kind[i])
    return (
        f"Transaction {cols.id[i]} ({from_day(cols.day[i]).isoformat()}, "
        f"{kind.value if kind else cols.kind[i]}, account '{names.get(acct, acct)}', "
        f"symbol {cols.group_symbol[g] or '-'})"
    )


# -- broker positions ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BrokerPosition:
    symbol: str
    quantity: Decimal
    cost_basis: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """One mismatch: `field` is "shares" or "cost_basis"; a holding missing on one side
    has 0 there."""

    account_id: int
    symbol: str
    field: str
    ledger: Decimal
    broker: Decimal
    difference: Decimal


def discrepancies(
    account_id: int,
    holdings: Sequence[Holding],
    broker: Sequence[BrokerPosition],
    *,
    share_tolerance: Decimal = Decimal("0.0001"),
    basis_tolerance: Decimal = Decimal("0.01"),
) -> list[Discrepancy]:
    """Mismatches in shares or basis beyond a tolerance, per symbol, sorted by symbol."""
    ours = {h.symbol.upper(): h for h in holdings if h.account_id == account_id}
    theirs: dict[str, BrokerPosition] = {}
    for pos in broker:
        key = pos.symbol.upper()
        prev = theirs.get(key)
        if prev is not None:  # a broker listing the same symbol twice: add them up
            basis = (
                None
                if prev.cost_basis is None or pos.cost_basis is None
                else prev.cost_basis + pos.cost_basis
            )
            pos = BrokerPosition(key, prev.quantity + pos.quantity, basis)
        theirs[key] = pos
    out: list[Discrepancy] = []
    for sym in sorted(set(ours) | set(theirs)):
        h, b = ours.get(sym), theirs.get(sym)
        shares = h.shares if h else Decimal(0)
        bshares = b.quantity if b else Decimal(0)
        if abs(shares - bshares) > share_tolerance:
            out.append(Discrepancy(account_id, sym, "shares", shares, bshares, shares - bshares))
        if b is not None and b.cost_basis is not None:
            basis = h.cost_basis if h else Decimal(0)
            if abs(basis - b.cost_basis) > basis_tolerance:
                out.append(
                    Discrepancy(
                        account_id, sym, "cost_basis", basis, b.cost_basis, basis - b.cost_basis
                    )
                )
    return out


def as_of(day: date) -> int:
    from portfolioos.domain.cost_basis import day_number

    return day_number(day)
