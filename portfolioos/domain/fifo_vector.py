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
every value fits in int64 and the sum of its absolute quantities is below 2**60
(checked in float64 with a wide margin), so every partial sum of shares fits too.
Global cumulative sums may wrap around 2**64, but a difference of two of them is a
group's partial sum, which fits, and two's-complement arithmetic makes it exact.
Money totals (basis, proceeds, cash) have no such limit: they are summed in two
32-bit halves and recombined as Python ints (`exact_group_sums`).

Groups with anything else (splits, transfers, reinvestments, lot ids, wash-sale
tracking, other methods) go through the row loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from portfolioos.domain.cost_basis import muldiv

I64 = npt.NDArray[np.int64]
Bool = npt.NDArray[np.bool_]
LIMIT = float(2**60)  # well inside int64, whatever float64 rounding did to the guard sum


@dataclass(slots=True)
class Column:
    """One decimal column: int64 units where `ok` (non-null and within int64)."""

    units: I64
    ok: Bool


@dataclass(slots=True)
class GroupResult:
    shares: int
    realized: int
    cash: int
    lots: list[list[object]]


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
    for j, v in enumerate(values):
        if v is not None and -(2**63) <= v < 2**63:
            units[j] = v
            ok[j] = True
    return Column(units, ok)


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
) -> dict[int, GroupResult]:
    """Results for every eligible group that qualifies (see the module docstring)."""
    n = int(kind.size)
    if n == 0:
        return {}
    bounds = np.asarray(starts, dtype=np.int64)
    first = bounds[:-1]
    sizes = np.diff(bounds)
    nonempty = sizes > 0
    is_buy = kind == buy
    is_sell = kind == sell
    row_ok = (
        (amount.units != np.iinfo(np.int64).min)
        & (is_buy | is_sell)
        & qty.ok
        & (qty.units > 0)
        & amount.ok
        & (~price.ok | (price.units >= 0))
        & fees.ok
        & (fees.units >= 0)
        & ~lot_row
    )
    # a null price is fine when the amount is given (the row loop uses the amount)
    group_ok = np.zeros(sizes.size, dtype=np.bool_)
    group_ok[nonempty] = np.logical_and.reduceat(row_ok, first[nonempty])
    absq = np.abs(qty.units.astype(np.float64))
    small = np.zeros(sizes.size, dtype=np.bool_)
    small[nonempty] = np.add.reduceat(absq, first[nonempty]) < LIMIT
    take = group_ok & small & eligible & nonempty
    if not take.any():
        return {}
    gid = np.repeat(np.arange(sizes.size), sizes)
    rows = take[gid]
    q = np.where(rows, qty.units, 0)
    a = np.where(rows, amount.units, 0)
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
    ca = exact_group_sums(a, first, nonempty)
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
        out[g] = GroupResult(final[g], pr[g] - fb[g], ca[g], [])
    for j, r in enumerate(keep_list):
        if r in head_basis:
            rq, rb = head_basis[r]
        else:
            rq, rb = ql[j], bl[j]
        out[keep_g[j]].lots.append([f"T{idl[j]}", dayl[j], dayl[j], rq, rb, 0, rq])
    return out
