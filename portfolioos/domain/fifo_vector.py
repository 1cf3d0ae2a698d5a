"""FIFO for whole (account, symbol) groups at once, in exact int64 numpy arithmetic.

Most groups in a real ledger are plain buys and sells. For those, FIFO has a closed
form on the "share line": buy k owns the interval [CB_k - q_k, CB_k) of cumulative
shares bought, and after S shares sold in total every lot with CB_k <= S is gone
(all its basis realised), every lot with CB_k - q_k >= S is untouched, and at most
one lot (the head) is partly sold. Only the head's basis depends on the order of the
sales that cut it, so only those few sales are replayed in Python, with the same
rounding as the row loop (`Book.dispose`): the results are identical, unit for unit
(tests compare the two on random ledgers).

Exactness: values are the ledger's integer 1e-12 units. A group is taken only when
every value fits in int64 and the shares it buys, and those it sells, each total
at most 2**63 - 1 (float64 sums clear the groups far below that; the others are summed
exactly), so every partial sum of shares fits too.
Global cumulative sums may wrap around 2**64, but a difference of two of them is a
group's partial sum, which fits, and two's-complement arithmetic makes it exact.
Money totals (basis, proceeds, cash) have no such limit: they are summed in two
32-bit halves and recombined as Python ints (`exact_group_sums`).

Rows that only move cash (dividends, interest, fees, deposits, withdrawals) are taken
too, in symbol groups and in an account's cash-only group: their effect on cash and
income is a per-row value summed exactly, and deposits and withdrawals are listed as
external flows in ledger order, as the row loop lists them.

Groups with anything else (splits, transfers, reinvestments, lot ids, wash-sale
tracking, other methods) go through the row loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from portfolioos.domain.cost_basis import muldiv

I64 = npt.NDArray[np.int64]
Bool = npt.NDArray[np.bool_]
LIMIT = 2**63 - 1  # the shares a group buys, and those it sells, each total at most this


@dataclass(slots=True)
class Column:
    """One decimal column: int64 units where `ok` (non-null and within int64); `null`
    says which rows are NULL (None when unknown: a row that is not ok is then never
    taken as a NULL)."""

    units: I64
    ok: Bool
    null: Bool | None = None

    def nulls(self) -> Bool:
        return np.zeros(self.ok.size, dtype=np.bool_) if self.null is None else self.null


class CashCodes(NamedTuple):
    """The SAME_DAY_ORDER codes of the rows that only move cash."""

    income: tuple[int, ...]  # dividend, interest: cash and income += amount (None: 0)
    deposit: int  # cash += |amount| (None: |fees|), an external flow
    withdrawal: int  # cash -= |amount| (None: |fees|), an external flow
    fee: int  # cash -= |amount| (None: |fees|)


@dataclass(slots=True)
class GroupResult:
    shares: int
    realized: int
    cash: int
    lots: list[list[object]]
    income: int = 0
    # external flows in row order, as parallel lists (zipped by the caller, in C)
    flow_days: list[int] = field(default_factory=list)
    flow_units: list[int] = field(default_factory=list)


def exact_group_sums(values: I64, first: I64, nonempty: Bool) -> list[int]:
    """Per-group sums of int64 values as exact Python ints, whatever their size: each
    value is split into a signed high and an unsigned low 32-bit half whose sums cannot
    overflow int64 for groups below 2**31 rows."""
    out = [0] * int(nonempty.size)
    if not nonempty.any():
        return out
    at = first[nonempty]
    hi = np.add.reduceat(values >> 32, at).tolist()
    lo = np.add.reduceat(values & 0xFFFFFFFF, at).tolist()
    for g, h, low in zip(np.flatnonzero(nonempty).tolist(), hi, lo, strict=True):
        out[g] = (h << 32) + low
    return out


def column_from_list(values: list[int | None]) -> Column:
    n = len(values)
    units = np.zeros(n, dtype=np.int64)
    ok = np.zeros(n, dtype=np.bool_)
    null = np.zeros(n, dtype=np.bool_)
    for j, v in enumerate(values):
        if v is None:
            null[j] = True
        elif -(2**63) <= v < 2**63:
            units[j] = v
            ok[j] = True
    return Column(units, ok, null)


def _cash_effects(
    kind: I64, amount: Column, fees: Column, cash: CashCodes | None
) -> tuple[Bool, I64, Bool, Bool]:
    """Per row: whether it is a cash row this module can take, its cash change (also
    its income for dividend and interest rows), which rows are income, which flows."""
    n = int(kind.size)
    none = np.zeros(n, dtype=np.bool_)
    if cash is None:
        return none, np.zeros(n, dtype=np.int64), none, none
    low = np.iinfo(np.int64).min
    is_income = np.isin(kind, np.asarray(cash.income, dtype=np.int64))
    signed_kinds = np.asarray([cash.deposit, cash.withdrawal, cash.fee], dtype=np.int64)
    is_signed = np.isin(kind, signed_kinds)
    a_null, f_null = amount.nulls(), fees.nulls()
    a_ok = amount.ok & (amount.units != low)
    f_ok = fees.ok & (fees.units != low)
    # row loop: `amount or 0` for income; `amount if not None else -(fees or 0)`, then
    # abs() for a deposit and -abs() for a withdrawal or fee
    income_ok = is_income & (a_ok | a_null)
    signed_ok = is_signed & (a_ok | (a_null & (f_ok | f_null)))
    raw = np.where(a_ok, amount.units, np.where(f_ok & a_null, fees.units, 0))
    value = np.where(kind == cash.deposit, np.abs(raw), -np.abs(raw))
    value = np.where(is_income, np.where(a_ok, amount.units, 0), value)
    take = income_ok | signed_ok
    value = np.where(take, value, 0)
    flows = take & ((kind == cash.deposit) | (kind == cash.withdrawal))
    return take, value, income_ok, flows


def fifo_groups(
    starts: list[int],
    eligible: Bool,
    ids: I64,
    days: I64,
    kind: I64,
    buy: int,
    sell: int,
    qty: Column,
    price: Column,
    amount: Column,
    fees: Column,
    lot_row: Bool,
    *,
    cash: CashCodes | None = None,
    cash_only: Bool | None = None,
) -> dict[int, GroupResult]:
    """Results for every eligible group that qualifies (see the module docstring).

    `eligible` marks the symbol groups whose account uses plain FIFO; `cash_only` marks
    the groups without a symbol, which qualify when every row is a cash row (a trade
    there is an error the row loop reports)."""
    n = int(kind.size)
    if n == 0:
        return {}
    bounds = np.asarray(starts, dtype=np.int64)
    first = bounds[:-1]
    sizes = np.diff(bounds)
    nonempty = sizes > 0
    gid = np.repeat(np.arange(sizes.size), sizes)
    if cash_only is None:
        cash_only = np.zeros(sizes.size, dtype=np.bool_)
    is_cash, effect, is_income, is_flow = _cash_effects(kind, amount, fees, cash)
    is_buy = (kind == buy) & ~cash_only[gid]
    is_sell = (kind == sell) & ~cash_only[gid]
    trade_ok = (
        (amount.units != np.iinfo(np.int64).min)
        & (is_buy | is_sell)
        & qty.ok
        & (qty.units > 0)
        & amount.ok
        & (~price.ok | (price.units >= 0))
        & ((fees.ok & (fees.units >= 0)) | fees.nulls())  # the loop reads None as 0
        & ~lot_row
    )
    row_ok = trade_ok | is_cash
    # a null price is fine when the amount is given (the row loop uses the amount)
    group_ok = np.zeros(sizes.size, dtype=np.bool_)
    group_ok[nonempty] = np.logical_and.reduceat(row_ok, first[nonempty])
    # every partial sum of shares lies between 0 and a group's total bought or sold: a
    # float64 sum (relative error far below 1e-6 here) clears most groups at once, the
    # rest are summed exactly
    bought = np.where(trade_ok & is_buy, qty.units, 0)
    sold_q = np.where(trade_ok & is_sell, qty.units, 0)
    small = np.zeros(sizes.size, dtype=np.bool_)
    if nonempty.any():
        at = first[nonempty]
        rough = np.maximum(
            np.add.reduceat(bought.astype(np.float64), at),
            np.add.reduceat(sold_q.astype(np.float64), at),
        )
        small[nonempty] = rough < 2.0**62
        near = nonempty & ~small
        if near.any():
            exact_b = exact_group_sums(np.where(near[gid], bought, 0), first, nonempty)
            exact_s = exact_group_sums(np.where(near[gid], sold_q, 0), first, nonempty)
            for g in np.flatnonzero(near).tolist():
                small[g] = max(exact_b[g], exact_s[g]) <= LIMIT
    take = group_ok & small & (eligible | cash_only) & nonempty
    if not take.any():
        return {}
    rows = take[gid]
    q = np.where(rows & (is_buy | is_sell), qty.units, 0)
    a = np.where(rows & (is_buy | is_sell), amount.units, 0)
    signed = np.where(is_buy, q, -q)
    with np.errstate(over="ignore"):
        cs = np.cumsum(signed)
        base = np.concatenate([[0], cs])[first][gid]
        pos = cs - base
        bought = np.cumsum(np.where(is_buy, q, 0))
        bbase = np.concatenate([[0], bought])[first][gid]
        cb = bought - bbase  # cumulative bought within the group, at each row
    bad = np.flatnonzero(rows & (pos < 0))
    if bad.size:
        # an oversold group is left to the row loop, which reports it in ledger order
        # (after any earlier error in another group), exactly as without this module
        spoiled = np.zeros(sizes.size, dtype=np.bool_)
        spoiled[gid[bad]] = True
        return fifo_groups(
            starts,
            eligible & ~spoiled,
            ids,
            days,
            kind,
            buy,
            sell,
            qty,
            price,
            amount,
            fees,
            lot_row,
            cash=cash,
            cash_only=cash_only,
        )
    last = bounds[1:] - 1
    with np.errstate(over="ignore"):
        sold_total = np.add.reduceat(np.where(is_sell, q, 0), first[nonempty])
    sold_g = np.zeros(sizes.size, dtype=np.int64)
    sold_g[nonempty] = sold_total
    s_row = sold_g[gid]
    buy_rows = rows & is_buy
    full = buy_rows & (cb <= s_row)
    head = buy_rows & (cb - q < s_row) & (cb > s_row)
    keep = buy_rows & (cb > s_row)
    fb = exact_group_sums(np.where(full, -a, 0), first, nonempty)
    pr = exact_group_sums(np.where(is_sell & rows, a, 0), first, nonempty)
    ca = exact_group_sums(np.where(rows, a + effect, 0), first, nonempty)
    inc = exact_group_sums(np.where(rows & is_income, effect, 0), first, nonempty)
    # the head lot of each group: replay, in order, the pieces the sales cut from it
    head_rows = np.flatnonzero(head)
    head_of = np.full(sizes.size, -1, dtype=np.int64)
    head_of[gid[head_rows]] = head_rows
    lo_g = np.zeros(sizes.size, dtype=np.int64)
    hi_g = np.zeros(sizes.size, dtype=np.int64)
    lo_g[gid[head_rows]] = cb[head_rows] - q[head_rows]
    hi_g[gid[head_rows]] = cb[head_rows]
    with np.errstate(over="ignore"):
        sold = np.cumsum(np.where(is_sell, q, 0))
        sold = sold - np.concatenate([[0], sold])[first][gid]
    cutting = rows & is_sell & (head_of[gid] >= 0)
    piece = np.minimum(sold, hi_g[gid]) - np.maximum(sold - q, lo_g[gid])
    cutting &= piece > 0
    state: dict[int, list[int]] = {r: [int(q[r]), int(-a[r])] for r in head_rows.tolist()}
    owners = head_of[gid[cutting]].tolist()
    for r, p in zip(owners, piece[cutting].tolist(), strict=True):
        lot = state[r]
        cost = muldiv(lot[1], p, lot[0])
        lot[1] -= cost
        lot[0] -= p
    head_basis: dict[int, tuple[int, int]] = {}
    gid_of = dict(zip(head_rows.tolist(), gid[head_rows].tolist(), strict=True))
    for r, (lq, lb) in state.items():
        head_basis[r] = (lq, lb)
        fb[gid_of[r]] += int(-a[r]) - lb
    out: dict[int, GroupResult] = {}
    keep_rows = np.flatnonzero(keep)
    keep_g = gid[keep_rows].tolist()
    keep_list = keep_rows.tolist()
    idl = ids[keep_rows].tolist()
    dayl = days[keep_rows].tolist()
    ql = q[keep_rows].tolist()
    bl = (-a[keep_rows]).tolist()
    final = pos[last].tolist()
    for g in np.flatnonzero(take).tolist():
        out[g] = GroupResult(final[g], pr[g] - fb[g], ca[g], [], inc[g])
    flow_rows = np.flatnonzero(rows & is_flow)
    if flow_rows.size:
        flow_g = gid[flow_rows]
        cut = np.flatnonzero(np.diff(flow_g)) + 1
        bounds_f = [0, *cut.tolist(), int(flow_rows.size)]
        fdays, funits = days[flow_rows].tolist(), effect[flow_rows].tolist()
        for lo, hi in pairwise(bounds_f):
            res = out[int(flow_g[lo])]
            res.flow_days, res.flow_units = fdays[lo:hi], funits[lo:hi]
    for j, r in enumerate(keep_list):
        if r in head_basis:
            rq, rb = head_basis[r]
        else:
            rq, rb = ql[j], bl[j]
        out[keep_g[j]].lots.append([f"T{idl[j]}", dayl[j], dayl[j], rq, rb, 0, rq])
    return out
