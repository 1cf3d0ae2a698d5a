"""Tax lots: which shares a sale disposes of, at what basis, held how long.

Exactness: the ledger stores DECIMAL(38,12), so every quantity and amount is an integer
number of 1e-12 units. The engine works on those integers (Python ints, unbounded), which
makes additions exact and lets one sale's cost be split between sold and kept shares by a
single rounded division whose remainder stays with the kept shares: total basis is
conserved to the last unit, and selling a third of a share three times leaves zero.
`CostBasisTracker` is the Decimal face of that integer core (`Book`), which the
reconciliation drives directly to avoid a Decimal per row.

Lot selection is data (`LotMethod`, as beancount's Booking): FIFO, LIFO, HIFO (highest
per-share basis first), AVERAGE (one pool; shares leave oldest first for the holding
period, as IRS Publication 550 prescribes for average basis) and SPECIFIC (named lots;
a sale that names none falls back to FIFO, the IRS default when shares are not
adequately identified).

Wash sales (IRS Publication 550, "Wash Sales"): a loss on shares is disallowed when
substantially identical shares are acquired within 30 days before or after the sale.
The disallowed loss is added to the replacement shares' basis and the sold shares'
holding period is added to theirs. Replacement shares are matched in acquisition order,
each used once; shares from the very lot being sold are not replacements.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any

from portfolioos.domain.accounts import LotMethod
from portfolioos.errors import LedgerError

logger = logging.getLogger(__name__)

SCALE_DIGITS = 12
SCALE = 10**SCALE_DIGITS
EPOCH = date(1970, 1, 1)
WASH_WINDOW_DAYS = 30

# Lot record layout (a list, mutated in place: the hot loop cannot afford objects).
L_ID, L_ACQ, L_HP, L_QTY, L_BASIS, L_WASH, L_FREE = range(7)
# Disposal record layout.
D_ID, D_QTY, D_PROCEEDS, D_BASIS, D_ACQ, D_HP, D_SOLD, D_DISALLOWED = range(8)


def to_units(value: Decimal | int | str) -> int:
    """A Decimal as integer 1e-12 units (exact up to 12 places; rounded half-even beyond)."""
    d = value if isinstance(value, Decimal) else Decimal(value)
    if not d.is_finite():
        raise LedgerError(f"{value} is not a finite number.")
    return int(d.scaleb(SCALE_DIGITS).to_integral_value(ROUND_HALF_EVEN))


def from_units(units: int) -> Decimal:
    return Decimal(units).scaleb(-SCALE_DIGITS)


def units_text(units: int) -> str:
    """Units as plain decimal text for messages: 1.5, 0, 2 (no exponent, no padding)."""
    d = from_units(units).normalize()
    return "0" if not d else format(d, "f")


def day_number(d: date) -> int:
    return (d - EPOCH).days


def from_day(n: int) -> date:
    return EPOCH + timedelta(days=n)


def muldiv(a: int, b: int, c: int) -> int:
    """round(a * b / c) half-even, exactly (c > 0)."""
    q, r = divmod(a * b, c)
    twice = 2 * r
    if twice > c or (twice == c and q & 1):
        q += 1
    return q


def is_long_term(acquired: date, sold: date) -> bool:
    """Held more than one year, counting from the day after acquisition (IRS Pub 550).

    Pub 550's example: bought February 5, 2022, sold February 5, 2023 is short term;
    sold February 6, 2023 is long term. A year counted from February 29 ends on
    February 28, so the first long-term day is March 1.
    """
    start = acquired + timedelta(days=1)
    try:
        anniversary = start.replace(year=start.year + 1)
    except ValueError:  # February 29 -> the year ends February 28, long from March 1
        anniversary = date(start.year + 1, 3, 1)
    return sold >= anniversary


class Term(StrEnum):
    SHORT = "short"
    LONG = "long"


@dataclass(frozen=True, slots=True)
class Lot:
    """Shares still held from one acquisition. `holding_start` differs from `acquired`
    only when a wash sale carried an earlier holding period over."""

    lot_id: str
    acquired: date
    holding_start: date
    quantity: Decimal
    cost_basis: Decimal
    wash_sale_adjustment: Decimal

    @property
    def per_share(self) -> Decimal:
        return self.cost_basis / self.quantity if self.quantity else Decimal(0)


@dataclass(frozen=True, slots=True)
class DisposedLot:
    """One lot's part in one sale (a Form 8949 line).

    `gain` is proceeds minus basis; `wash_sale_disallowed` (>= 0) is the part of a loss
    that may not be deducted; `reportable_gain` = gain + wash_sale_disallowed.
    """

    lot_id: str
    quantity: Decimal
    proceeds: Decimal
    cost_basis: Decimal
    acquired: date
    sold: date
    term: Term
    wash_sale_disallowed: Decimal

    @property
    def gain(self) -> Decimal:
        return self.proceeds - self.cost_basis

    @property
    def reportable_gain(self) -> Decimal:
        return self.gain + self.wash_sale_disallowed


@dataclass(frozen=True, slots=True)
class UnrealizedLot:
    lot: Lot
    market_value: Decimal
    unrealized_gain: Decimal
    term: Term


def disposal_from_record(rec: list[Any]) -> DisposedLot:
    sold = from_day(rec[D_SOLD])
    hp = from_day(rec[D_HP])
    return DisposedLot(
        lot_id=str(rec[D_ID]),
        quantity=from_units(rec[D_QTY]),
        proceeds=from_units(rec[D_PROCEEDS]),
        cost_basis=from_units(rec[D_BASIS]),
        acquired=from_day(rec[D_ACQ]),
        sold=sold,
        term=Term.LONG if is_long_term(hp, sold) else Term.SHORT,
        wash_sale_disallowed=from_units(rec[D_DISALLOWED]),
    )


class Book:
    """The integer core: the lots of one symbol in one account.

    Lots are lists [id, acquired day, holding-start day, qty, basis, wash adj, free qty]
    where `free qty` is how many shares may still serve as wash-sale replacements.
    For AVERAGE the basis lives in `pool_basis` and lots only carry quantities.
    `where` is a callable naming the current transaction for error messages.
    """

    __slots__ = (
        "account",
        "average",
        "disposals",
        "lots",
        "method",
        "pending",
        "pool_basis",
        "realized",
        "seq",
        "shares",
        "symbol",
        "wash",
    )

    def __init__(self, account: str, symbol: str, method: LotMethod, wash: bool = False) -> None:
        self.account = account
        self.symbol = symbol
        self.method = method
        self.average = method is LotMethod.AVERAGE
        self.wash = wash
        self.lots: deque[list[Any]] = deque()
        self.shares = 0
        self.pool_basis = 0  # AVERAGE: the pool's basis; else unused (see basis())
        self.realized = 0
        self.disposals: list[list[Any]] = []
        self.pending: list[
            list[int]
        ] = []  # wash: [disposal index, sale day, loss qty left, hp days]
        self.seq = 0

    # -- reading -----------------------------------------------------------------

    def basis(self) -> int:
        if self.average:
            return self.pool_basis
        return sum(lot[L_BASIS] for lot in self.lots)

    def lot_bases(self) -> list[int]:
        """Each lot's basis; AVERAGE spreads the pool (the last lot takes the remainder)."""
        if not self.average:
            return [lot[L_BASIS] for lot in self.lots]
        out: list[int] = []
        left = self.pool_basis
        n = len(self.lots)
        for i, lot in enumerate(self.lots):
            part = left if i == n - 1 else muldiv(self.pool_basis, lot[L_QTY], self.shares)
            out.append(part)
            left -= part
        return out

    # -- acquiring ---------------------------------------------------------------

    def next_id(self, day: int, lot_id: str | None, check: bool = True) -> str:
        self.seq += 1
        if lot_id and check:
            if any(lot[L_ID] == lot_id for lot in self.lots):
                raise LedgerError(f"lot id '{lot_id}' is already used in {self.symbol}")
            return lot_id
        return f"{from_day(day).isoformat()}#{self.seq}"

    def acquire(
        self,
        day: int,
        qty: int,
        basis: int,
        lot_id: str | None = None,
        acquired: int | None = None,
        replacement: bool = True,
        check: bool = True,
    ) -> None:
        """Add a lot; `check` verifies a caller-chosen id is not in use (ids the
        reconciliation makes from transaction ids are unique by construction)."""
        acq = day if acquired is None else acquired
        lot: list[Any] = [
            lot_id if lot_id and not check else self.next_id(day, lot_id, check),
            acq,
            acq,
            qty,
            basis,
            0,
            qty if replacement else 0,
        ]
        self.lots.append(lot)
        self.shares += qty
        if self.average:
            self.pool_basis += basis
        if self.wash and replacement and self.pending:
            self._match_pending(day, lot)

    def split(self, ratio: int) -> None:
        """`ratio` in units (2e12 for 2-for-1): quantities scale, basis and dates do not."""
        total = 0
        for lot in self.lots:
            lot[L_QTY] = muldiv(lot[L_QTY], ratio, SCALE)
            lot[L_FREE] = min(muldiv(lot[L_FREE], ratio, SCALE), lot[L_QTY])
            total += lot[L_QTY]
        self.shares = total
        for p in self.pending:
            p[2] = muldiv(p[2], ratio, SCALE)

    # -- disposing ---------------------------------------------------------------

    def _order(
        self, spec: Sequence[tuple[str, int]] | None, qty: int
    ) -> list[tuple[list[Any], int]]:
        """(lot, quantity taken) pairs for disposing of `qty` shares."""
        method = self.method
        picks: list[tuple[list[Any], int]] = []
        if method is LotMethod.SPECIFIC and spec:
            by_id = {lot[L_ID]: lot for lot in self.lots}
            total = 0
            for lot_id, q in spec:
                lot = by_id.get(lot_id)
                if lot is None:
                    known = ", ".join(str(k) for k in by_id) or "none"
                    raise LedgerError(
                        f"names lot '{lot_id}', which is not held (lots held: {known})"
                    )
                if q <= 0 or q > lot[L_QTY]:
                    raise LedgerError(
                        f"asks {units_text(q)} shares of lot '{lot_id}', which holds "
                        f"{units_text(lot[L_QTY])}"
                    )
                picks.append((lot, q))
                total += q
            if total != qty:
                raise LedgerError(
                    f"names lots for {units_text(total)} shares but the sale is of "
                    f"{units_text(qty)}"
                )
            return picks
        if method is LotMethod.LIFO:
            source = reversed(self.lots)
        elif method is LotMethod.HIFO:
            source = iter(
                sorted(self.lots, key=lambda lot: -Fraction(lot[L_BASIS], lot[L_QTY] or 1))
            )
        else:
            source = iter(self.lots)
        need = qty
        for lot in source:
            take = min(need, lot[L_QTY])
            picks.append((lot, take))
            need -= take
            if not need:
                break
        return picks

    def dispose(
        self,
        day: int,
        qty: int,
        proceeds: int | None,
        spec: Sequence[tuple[str, int]] | None = None,
    ) -> list[list[Any]]:
        """Remove `qty` shares. With `proceeds` it is a sale (realized, wash-checked) and
        returns disposal records; with None a transfer out (returns the same records,
        proceeds 0, not kept). Raises LedgerError (without context) if not enough held."""
        if qty > self.shares:
            raise LedgerError(
                f"needs {units_text(qty)} shares but only {units_text(self.shares)} are held"
            )
        picks = self._order(spec, qty)
        pool_cost = muldiv(self.pool_basis, qty, self.shares) if self.average else 0
        records: list[list[Any]] = []
        proceeds_left = proceeds or 0
        cost_left = pool_cost
        last = len(picks) - 1
        for i, (lot, take) in enumerate(picks):
            lot_qty: int = lot[L_QTY]
            if self.average:
                cost = cost_left if i == last else muldiv(pool_cost, take, qty)
                cost_left -= cost
            elif take == lot_qty:
                cost = lot[L_BASIS]
            else:
                cost = muldiv(lot[L_BASIS], take, lot_qty)
            if proceeds is not None:
                part = proceeds_left if i == last else muldiv(proceeds, take, qty)
                proceeds_left -= part
            else:
                part = 0
            records.append([lot[L_ID], take, part, cost, lot[L_ACQ], lot[L_HP], day, 0])
            lot[L_QTY] = lot_qty - take
            lot[L_FREE] = min(lot[L_FREE], lot_qty - take)
            if not self.average:
                lot[L_BASIS] = lot[L_BASIS] - cost
        self.shares -= qty
        if self.average:
            self.pool_basis -= pool_cost
        if any(lot[L_QTY] == 0 for lot in self.lots):
            self.lots = deque(lot for lot in self.lots if lot[L_QTY] != 0)
        if proceeds is not None:
            sold_ids = {r[D_ID] for r in records}
            for rec in records:
                self.realized += rec[D_PROCEEDS] - rec[D_BASIS]
                self.disposals.append(rec)
                if self.wash and rec[D_PROCEEDS] < rec[D_BASIS]:
                    self._wash_at_sale(len(self.disposals) - 1, sold_ids)
        return records

    def dispose_fifo_fast(self, day: int, qty: int, proceeds: int) -> None:
        """The FIFO sale of the reconciliation hot loop: same result as dispose(), no
        intermediate lists (wash tracking off, method FIFO)."""
        if qty > self.shares:
            raise LedgerError(
                f"needs {units_text(qty)} shares but only {units_text(self.shares)} are held"
            )
        lots = self.lots
        need = qty
        left = proceeds
        append = self.disposals.append
        realized = 0
        while need:
            lot = lots[0]
            lot_qty: int = lot[L_QTY]
            if lot_qty <= need:
                cost: int = lot[L_BASIS]
                part = left if lot_qty == need else muldiv(proceeds, lot_qty, qty)
                lots.popleft()
                take = lot_qty
            else:
                cost = muldiv(lot[L_BASIS], need, lot_qty)
                part = left
                lot[L_QTY] = lot_qty - need
                lot[L_FREE] = min(lot[L_FREE], lot_qty - need)
                lot[L_BASIS] = lot[L_BASIS] - cost
                take = need
            left -= part
            need -= take
            realized += part - cost
            append([lot[L_ID], take, part, cost, lot[L_ACQ], lot[L_HP], day, 0])
        self.shares -= qty
        self.realized += realized

    # -- wash sales --------------------------------------------------------------

    def _wash_at_sale(self, index: int, sold_ids: set[object]) -> None:
        """Match a loss disposal with replacement shares acquired in the 30 days before
        (still held, not from the lots this sale drew on); what is left waits 30 days."""
        rec = self.disposals[index]
        day: int = rec[D_SOLD]
        loss_qty: int = rec[D_QTY]
        candidates = [
            lot
            for lot in list(self.lots)
            if lot[L_ID] not in sold_ids
            and lot[L_FREE]
            and day - WASH_WINDOW_DAYS <= lot[L_ACQ] <= day
        ]
        candidates.sort(key=lambda lot: lot[L_ACQ])
        for lot in candidates:
            if not loss_qty:
                break
            loss_qty = self._apply_wash(index, lot, loss_qty)
        if loss_qty:
            self.pending.append([index, day, loss_qty])

    def _match_pending(self, day: int, lot: list[Any]) -> None:
        self.pending = [p for p in self.pending if day - p[1] <= WASH_WINDOW_DAYS]
        for p in self.pending:
            if not lot[L_FREE]:
                break
            p[2] = self._apply_wash(p[0], lot, p[2])
        self.pending = [p for p in self.pending if p[2]]

    def _apply_wash(self, index: int, lot: list[Any], loss_qty: int) -> int:
        """Move the loss of min(loss_qty, free shares) into `lot`; returns loss qty left.
        A partly used replacement lot is split so each part has one basis and period."""
        rec = self.disposals[index]
        rec_qty: int = rec[D_QTY]
        loss = rec[D_BASIS] - rec[D_PROCEEDS]
        already: int = rec[D_DISALLOWED]
        free: int = lot[L_FREE]
        matched = min(loss_qty, free)
        matched_before = rec_qty - loss_qty
        # Disallowed loss for the first k loss shares, computed cumulatively so the parts
        # of one loss add up to exactly the whole.
        disallowed = muldiv(loss, matched_before + matched, rec_qty) - already
        rec[D_DISALLOWED] = already + disallowed
        lot_qty: int = lot[L_QTY]
        if matched < lot_qty:
            # split: the matched part becomes its own lot right after this one
            rest_basis = 0 if self.average else muldiv(lot[L_BASIS], lot_qty - matched, lot_qty)
            rest = [
                f"{lot[L_ID]}/{self.seq + 1}",
                lot[L_ACQ],
                lot[L_HP],
                lot_qty - matched,
                rest_basis,
                0,
                free - matched,
            ]
            self.seq += 1
            lot[L_QTY] = matched
            if not self.average:
                lot[L_BASIS] = lot[L_BASIS] - rest_basis
            self.lots.insert(self.lots.index(lot) + 1, rest)
        lot[L_FREE] = 0
        if not self.average:
            lot[L_BASIS] = lot[L_BASIS] + disallowed
        else:
            self.pool_basis += disallowed
        lot[L_WASH] = lot[L_WASH] + disallowed
        held_days = rec[D_SOLD] - rec[D_HP]
        lot[L_HP] = min(lot[L_HP], lot[L_ACQ] - held_days)
        self.realized += disallowed
        return loss_qty - matched

    def lot_records(self) -> list[Lot]:
        return [
            Lot(
                lot_id=str(lot[L_ID]),
                acquired=from_day(lot[L_ACQ]),
                holding_start=from_day(lot[L_HP]),
                quantity=from_units(lot[L_QTY]),
                cost_basis=from_units(b),
                wash_sale_adjustment=from_units(lot[L_WASH]),
            )
            for lot, b in zip(self.lots, self.lot_bases(), strict=True)
        ]


class CostBasisTracker:
    """The lots of one symbol in one account, with a Decimal API.

    May raise LedgerError naming account, symbol, date, shares held and shares asked.
    Note that `realized_gain` counts disallowed wash-sale losses as not realized.
    """

    def __init__(
        self,
        method: LotMethod | str = LotMethod.FIFO,
        *,
        symbol: str = "",
        account: str = "",
        wash_sales: bool = False,
    ) -> None:
        self.book = Book(account, symbol, LotMethod(method), wash_sales)

    @property
    def method(self) -> LotMethod:
        return self.book.method

    def _where(self, when: date) -> str:
        return f"account '{self.book.account}', {self.book.symbol}, {when.isoformat()}"

    def buy(
        self,
        when: date,
        quantity: Decimal,
        price: Decimal,
        fees: Decimal = Decimal(0),
        *,
        lot_id: str | None = None,
    ) -> None:
        q, p, f = to_units(quantity), to_units(price), to_units(fees)
        self._check_positive(when, "buy", quantity=q, price=p, fees=f)
        try:
            self.book.acquire(day_number(when), q, muldiv(q, p, SCALE) + f, lot_id)
        except LedgerError as exc:
            raise LedgerError(f"{self._where(when)}: {exc}") from None

    def transfer_in(
        self,
        when: date,
        quantity: Decimal,
        basis: Decimal,
        acquired: date,
        *,
        lot_id: str | None = None,
    ) -> None:
        q = to_units(quantity)
        self._check_positive(when, "transfer in", quantity=q)
        self.book.acquire(
            day_number(when), q, to_units(basis), lot_id, acquired=day_number(acquired)
        )

    def sell(
        self,
        when: date,
        quantity: Decimal,
        price: Decimal,
        fees: Decimal = Decimal(0),
        *,
        lots: Sequence[tuple[str, Decimal]] | None = None,
    ) -> list[DisposedLot]:
        """Dispose of shares; returns the disposals as known now (a later replacement
        purchase may still disallow a loss: `disposals()` has the final view)."""
        q, p, f = to_units(quantity), to_units(price), to_units(fees)
        self._check_positive(when, "sell", quantity=q, price=p, fees=f)
        self._check_held(when, q)
        spec = [(i, to_units(x)) for i, x in lots] if lots else None
        start = len(self.book.disposals)
        try:
            self.book.dispose(day_number(when), q, muldiv(q, p, SCALE) - f, spec)
        except LedgerError as exc:
            raise LedgerError(f"{self._where(when)}: sale {exc}") from None
        return [disposal_from_record(r) for r in self.book.disposals[start:]]

    def transfer_out(
        self, when: date, quantity: Decimal, *, lots: Sequence[tuple[str, Decimal]] | None = None
    ) -> Decimal:
        """Remove shares without realizing a gain; returns the basis that left."""
        q = to_units(quantity)
        self._check_positive(when, "transfer out", quantity=q)
        self._check_held(when, q)
        spec = [(i, to_units(x)) for i, x in lots] if lots else None
        records = self.book.dispose(day_number(when), q, None, spec)
        return from_units(sum(r[D_BASIS] for r in records))

    def split(self, when: date, ratio: Decimal) -> None:
        r = to_units(ratio)
        if r <= 0:
            raise LedgerError(f"{self._where(when)}: split ratio {ratio} must be greater than 0.")
        self.book.split(r)

    def _check_positive(self, when: date, what: str, **values: int) -> None:
        for name, value in values.items():
            if value < 0 or (name == "quantity" and value == 0):
                raise LedgerError(
                    f"{self._where(when)}: {what} has {name} {units_text(value)}; "
                    f"it must be {'greater than 0' if name == 'quantity' else 'at least 0'}."
                )

    def _check_held(self, when: date, q: int) -> None:
        if q > self.book.shares:
            raise LedgerError(
                f"{self._where(when)}: cannot dispose of {units_text(q)} shares; "
                f"only {units_text(self.book.shares)} held."
            )

    # -- reading -----------------------------------------------------------------

    @property
    def shares(self) -> Decimal:
        return from_units(self.book.shares)

    @property
    def cost_basis(self) -> Decimal:
        return from_units(self.book.basis())

    @property
    def realized_gain(self) -> Decimal:
        return from_units(self.book.realized)

    def lots(self) -> list[Lot]:
        return self.book.lot_records()

    def disposals(self) -> list[DisposedLot]:
        return [disposal_from_record(r) for r in self.book.disposals]

    def unrealized(self, price: Decimal, on: date | None = None) -> list[UnrealizedLot]:
        """Each lot's value and unrealized gain at `price` (term as of `on`, default today)."""
        when = on or date.today()
        out: list[UnrealizedLot] = []
        for lot in self.lots():
            value = (lot.quantity * price).quantize(Decimal(1).scaleb(-SCALE_DIGITS))
            out.append(
                UnrealizedLot(
                    lot=lot,
                    market_value=value,
                    unrealized_gain=value - lot.cost_basis,
                    term=Term.LONG if is_long_term(lot.holding_start, when) else Term.SHORT,
                )
            )
        return out
