"""Returns: money-weighted (XIRR), time-weighted, and the risk figures around them.

XIRR follows Excel's definition (actual/365 day count from the first cash flow) and
solves with Newton's method, falling back to bisection when Newton leaves the domain,
so it reproduces Excel's documentation example (0.373362535) and never diverges
silently: no root means NaN.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from portfolioos.domain.analytics import FloatArray, annualized_volatility, cagr, max_drawdown


def xnpv(rate: float, amounts: Sequence[float], days: Sequence[float]) -> float:
    return float(sum(a / (1.0 + rate) ** (d / 365.0) for a, d in zip(amounts, days, strict=True)))


def xirr(flows: Sequence[tuple[date, float]], guess: float = 0.1) -> float:
    """The annual rate r with sum(amount / (1+r)^(days/365)) == 0, as Excel's XIRR."""
    if len(flows) < 2:
        return math.nan
    start = min(d for d, _ in flows)
    amounts = [float(a) for _, a in flows]
    if not (any(a > 0 for a in amounts) and any(a < 0 for a in amounts)):
        return math.nan
    days = [(d - start).days for d, _ in flows]

    def f(r: float) -> float:
        return xnpv(r, amounts, days)

    def df(r: float) -> float:
        return float(
            sum(
                -a * (t / 365.0) / (1.0 + r) ** (t / 365.0 + 1.0)
                for a, t in zip(amounts, days, strict=True)
            )
        )

    rate = guess
    for _ in range(100):
        try:
            value, slope = f(rate), df(rate)
        except (OverflowError, ZeroDivisionError):
            break
        if slope == 0:
            break
        step = value / slope
        new = rate - step
        if new <= -1.0:
            break
        if abs(new - rate) < 1e-12:
            return new
        rate = new
    # Bisection on (-0.9999, hi]: f is monotone in r for conventional flows.
    lo, hi = -0.9999, 1.0
    try:
        while f(lo) * f(hi) > 0 and hi < 1e6:
            hi *= 2
        if f(lo) * f(hi) > 0:
            return math.nan
        for _ in range(300):
            mid = (lo + hi) / 2
            if f(lo) * f(mid) <= 0:
                hi = mid
            else:
                lo = mid
            if hi - lo < 1e-13:
                break
    except OverflowError:
        return math.nan
    return (lo + hi) / 2


def time_weighted_returns(values: FloatArray, flows: FloatArray) -> FloatArray:
    """Daily returns net of external flows: r_t = (V_t - F_t) / V_{t-1} - 1.

    A flow is assumed to arrive at the end of its day (it is in V_t but earned nothing);
    a day after a zero or negative value has no defined return and counts as 0.
    """
    v = np.asarray(values, dtype=np.float64)
    f = np.asarray(flows, dtype=np.float64)
    if v.size < 2:
        return np.empty(0)
    prev = v[:-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(prev > 0, (v[1:] - f[1:]) / prev - 1.0, 0.0)
    return np.nan_to_num(r, nan=0.0, posinf=0.0, neginf=0.0)


@dataclass(frozen=True, slots=True)
class SeriesStats:
    """Statistics of one growth path (a portfolio's TWR index or a benchmark's prices)."""

    start: date
    end: date
    total_return: float
    cagr: float
    max_drawdown: float
    volatility: float


def series_stats(dates: Sequence[date], index: FloatArray, periods_per_year: float) -> SeriesStats:
    """Stats of a growth index (any positive scale) over its dates."""
    idx = np.asarray(index, dtype=np.float64)
    years = (dates[-1] - dates[0]).days / 365.25 if len(dates) > 1 else 0.0
    total = float(idx[-1] / idx[0] - 1.0) if idx.size and idx[0] > 0 else math.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        rets = idx[1:] / idx[:-1] - 1.0 if idx.size > 1 else np.empty(0)
    return SeriesStats(
        start=dates[0],
        end=dates[-1],
        total_return=total,
        cagr=cagr(idx, years),
        max_drawdown=max_drawdown(idx),
        volatility=annualized_volatility(rets, periods_per_year),
    )
