"""Net worth: holdings valued at market, totals by account/asset type/sector/currency,
daily history from the ledger and price history, and growth rates.

Point-in-time figures are Decimal (a price is taken exactly as stored, via its
shortest repr). The history is float64: it feeds charts and return statistics.
A holding without a price is listed as unpriced and left out of the totals, never
valued at zero; `total_value` therefore says what is known, and `unpriced` says what
is not. No currency conversion is done: `by_currency` keeps each currency apart and
`total_value` adds them as they are (one-currency portfolios are the norm here).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np

from portfolioos.domain.analytics import FloatArray
from portfolioos.domain.cost_basis import SCALE, day_number, from_day

UNITS = Decimal(1).scaleb(-12)
UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Valuation:
    account_id: int
    account: str
    symbol: str
    shares: Decimal
    cost_basis: Decimal
    realized_gain: Decimal
    currency: str
    price: Decimal | None
    price_date: date | None
    market_value: Decimal | None
    unrealized_gain: Decimal | None
    asset_type: str
    sector: str


@dataclass(frozen=True, slots=True)
class AllocationItem:
    key: str
    value: Decimal
    weight: Decimal


@dataclass(frozen=True, slots=True)
class NetWorth:
    date: date
    total_value: Decimal
    market_value: Decimal
    cash: Decimal
    cost_basis: Decimal
    unrealized: Decimal
    by_account: dict[str, Decimal]
    by_asset_type: dict[str, Decimal]
    by_sector: dict[str, Decimal]
    by_currency: dict[str, Decimal]
    allocation: list[AllocationItem]
    unpriced: list[Valuation]
    positions: list[Valuation]


def price_decimal(close: float) -> Decimal:
    """A stored close as the Decimal it was written as (repr is the shortest round trip)."""
    return Decimal(repr(float(close)))


def value(
    account_id: int,
    account: str,
    symbol: str,
    shares: Decimal,
    cost_basis: Decimal,
    realized: Decimal,
    currency: str,
    price: tuple[date, float] | None,
    info: Mapping[str, Any] | None,
) -> Valuation:
    info = info or {}
    if price is None:
        px = mv = ug = None
        pdate = None
    else:
        pdate = price[0]
        px = price_decimal(price[1])
        mv = (shares * px).quantize(UNITS)
        ug = mv - cost_basis
    return Valuation(
        account_id,
        account,
        symbol,
        shares,
        cost_basis,
        realized,
        currency,
        px,
        pdate,
        mv,
        ug,
        str(info.get("asset_type") or info.get("quote_type") or UNKNOWN).lower(),
        str(info.get("sector") or UNKNOWN),
    )


def _add(d: dict[str, Decimal], key: str, amount: Decimal) -> None:
    d[key] = d.get(key, Decimal(0)) + amount


def summarize(
    on: date, positions: Sequence[Valuation], cash: Sequence[tuple[str, str, Decimal]]
) -> NetWorth:
    """`cash` is (account name, currency, balance) per account."""
    by_account: dict[str, Decimal] = {}
    by_type: dict[str, Decimal] = {}
    by_sector: dict[str, Decimal] = {}
    by_currency: dict[str, Decimal] = {}
    by_symbol: dict[str, Decimal] = {}
    mv_total = basis_total = unreal = Decimal(0)
    unpriced = [p for p in positions if p.market_value is None]
    for p in positions:
        if p.market_value is None:
            continue
        mv_total += p.market_value
        basis_total += p.cost_basis
        unreal += p.unrealized_gain or Decimal(0)
        _add(by_account, p.account, p.market_value)
        _add(by_type, p.asset_type, p.market_value)
        _add(by_sector, p.sector, p.market_value)
        _add(by_currency, p.currency, p.market_value)
        _add(by_symbol, p.symbol, p.market_value)
    cash_total = Decimal(0)
    for name, cur, bal in cash:
        if not bal:
            continue
        cash_total += bal
        _add(by_account, name, bal)
        _add(by_type, "cash", bal)
        _add(by_currency, cur, bal)
        _add(by_symbol, "CASH", bal)
    total = mv_total + cash_total
    allocation = [
        AllocationItem(k, v, (v / total).quantize(Decimal("0.000001")) if total else Decimal(0))
        for k, v in by_symbol.items()
    ]
    allocation.sort(key=lambda a: (-a.value, a.key))
    return NetWorth(
        on,
        total,
        mv_total,
        cash_total,
        basis_total,
        unreal,
        by_account,
        by_type,
        by_sector,
        by_currency,
        allocation,
        unpriced,
        list(positions),
    )


# -- history --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NetWorthHistory:
    """Daily values (float64) on a calendar grid; `flows` are external money in (+) or
    out (-) per day, including contributions implied when cash would go below zero
    (a ledger that records buys but no deposits was funded from outside)."""

    dates: list[date]
    total: FloatArray
    by_account: dict[str, FloatArray]
    securities: FloatArray
    cash: FloatArray
    flows: FloatArray
    unpriced: FloatArray  # number of (account, symbol) positions held but without a price


def step(event_days: Sequence[int], event_values: Sequence[float], grid: Any) -> FloatArray:
    """The last event value on or before each grid day (0 before the first event)."""
    d = np.asarray(event_days, dtype=np.int64)
    v = np.asarray(event_values, dtype=np.float64)
    pos = np.searchsorted(d, grid, side="right") - 1
    out = np.where(pos >= 0, v[np.clip(pos, 0, None)] if v.size else 0.0, 0.0)
    return out.astype(np.float64)


def history(
    start: date,
    end: date,
    share_events: Sequence[tuple[int, int, str, int]],
    cash_events: Sequence[tuple[int, int, int]],  # (day, account, change)
    flow_events: Sequence[tuple[int, int, int]],
    split_events: Mapping[tuple[int, str], Sequence[tuple[int, float]]],
    prices: Mapping[str, tuple[Sequence[int], Sequence[float]]],
    names: Mapping[int, str],
    split_adjusted_prices: bool = True,
) -> NetWorthHistory:
    """Daily value per account = shares x close (latest on or before) + cash.

    Events are in ledger order (day ascending within each account and symbol) with
    integer 1e-12 units. `prices` maps symbol -> (day numbers ascending, closes). When
    the closes are split-adjusted (Yahoo's are), shares before a split are expressed in
    post-split units using the ledger's own split rows, so a split is not a cliff.
    """
    grid = np.arange(day_number(start), day_number(end) + 1, dtype=np.int64)
    n = grid.size
    securities: dict[int, FloatArray] = {}
    unpriced = np.zeros(n)
    groups: dict[tuple[int, str], tuple[list[int], list[float]]] = {}
    for day, acct, sym, shares in share_events:
        days, vals = groups.setdefault((acct, sym), ([], []))
        if days and days[-1] == day:
            vals[-1] = shares / SCALE
        else:
            days.append(day)
            vals.append(shares / SCALE)
    accounts = {a for a, _ in groups} | {a for _, a, _ in cash_events}
    for acct in accounts:
        securities[acct] = np.zeros(n)
    for (acct, sym), (days, vals) in groups.items():
        held = step(days, vals, grid)
        if split_adjusted_prices and split_events.get((acct, sym)):
            factor = np.ones(n)
            for sday, ratio in split_events[(acct, sym)]:
                factor[grid < sday] *= ratio
            held = held * factor
        px = prices.get(sym)
        if px is None or len(px[0]) == 0:
            unpriced += held != 0
            continue
        pdays = np.asarray(px[0], dtype=np.int64)
        pos = np.searchsorted(pdays, grid, side="right") - 1
        close = np.where(
            pos >= 0, np.asarray(px[1], dtype=np.float64)[np.clip(pos, 0, None)], np.nan
        )
        missing = np.isnan(close) & (held != 0)
        unpriced += missing
        securities[acct] += np.where(missing, 0.0, np.nan_to_num(held * close))
    # cash changes arrive grouped by symbol, not by date: sort, then accumulate exactly
    by_cash: dict[int, list[tuple[int, int]]] = {}
    for day, acct, delta in cash_events:
        by_cash.setdefault(acct, []).append((day, delta))
    flows = np.zeros(n)
    for day, _acct, amount in flow_events:
        if grid[0] <= day <= grid[-1]:
            flows[day - grid[0]] += amount / SCALE
    total_cash = np.zeros(n)
    by_account: dict[str, FloatArray] = {}
    for acct in sorted(accounts):
        changes = sorted(by_cash.get(acct, []))
        days, vals = [], []
        running = 0
        for day, delta in changes:
            running += delta
            if days and days[-1] == day:
                vals[-1] = running / SCALE
            else:
                days.append(day)
                vals.append(running / SCALE)
        cash = step(days, vals, grid)
        # implied contributions: cash never below zero; a shortfall came from outside
        implied = np.maximum.accumulate(np.maximum(-cash, 0.0)) if n else cash
        flows += np.diff(implied, prepend=0.0)
        cash = cash + implied
        total_cash += cash
        by_account[names.get(acct, str(acct))] = securities[acct] + cash
    sec_total = np.sum([securities[a] for a in accounts], axis=0) if accounts else np.zeros(n)
    return NetWorthHistory(
        dates=[from_day(int(d)) for d in grid],
        total=sec_total + total_cash,
        by_account=by_account,
        securities=np.asarray(sec_total, dtype=np.float64),
        cash=total_cash,
        flows=flows,
        unpriced=unpriced,
    )


# -- growth -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GrowthPoint:
    period_end: date
    value: float
    growth: float  # change over the period, as a fraction of the previous value
    acceleration: float  # growth minus the previous period's growth


@dataclass(frozen=True, slots=True)
class Growth:
    monthly: list[GrowthPoint]
    quarterly: list[GrowthPoint]
    annual: list[GrowthPoint]


def _period_key(d: date, months: int) -> tuple[int, int]:
    return d.year, (d.month - 1) // months


def growth_rates(dates: Sequence[date], values: FloatArray) -> Growth:
    """Growth between period-end values (the last day of each period in the series)."""

    def periods(months: int) -> list[GrowthPoint]:
        ends: list[tuple[date, float]] = []
        for d, v in zip(dates, values, strict=True):
            if ends and _period_key(ends[-1][0], months) == _period_key(d, months):
                ends[-1] = (d, float(v))
            else:
                ends.append((d, float(v)))
        out: list[GrowthPoint] = []
        prev_growth = float("nan")
        for i, (d, v) in enumerate(ends):
            if i == 0:
                continue
            before = ends[i - 1][1]
            g = v / before - 1.0 if before > 0 else float("nan")
            out.append(GrowthPoint(d, v, g, g - prev_growth))
            prev_growth = g
        return out

    return Growth(periods(1), periods(3), periods(12))
