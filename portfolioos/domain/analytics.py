"""float64 analytics shared by the portfolio engine and the retirement planner.

Charts and statistics do not need exact money, and numpy over a ten-year daily series
is instant, so these take and return floats (ARCHITECTURE.md: float64 for analytics).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def _array(values: Sequence[float] | FloatArray) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


def cagr(values: Sequence[float] | FloatArray, years: float) -> float:
    """Compound annual growth from the first to the last value over `years`.

    NaN when it is undefined (fewer than two values, a non-positive start or end, or
    no time elapsed) rather than a misleading number.
    """
    v = _array(values)
    if v.size < 2 or years <= 0 or not (v[0] > 0 and v[-1] > 0):
        return math.nan
    return float((v[-1] / v[0]) ** (1.0 / years) - 1.0)


def max_drawdown(values: Sequence[float] | FloatArray) -> float:
    """The largest fall from a running peak, as a fraction <= 0 (-0.25 = 25% down)."""
    v = _array(values)
    if v.size == 0:
        return 0.0
    peaks = np.maximum.accumulate(v)
    with np.errstate(divide="ignore", invalid="ignore"):
        dd = np.where(peaks > 0, v / peaks - 1.0, 0.0)
    return float(min(0.0, np.nanmin(dd)))


def annualized_volatility(returns: Sequence[float] | FloatArray, periods_per_year: float) -> float:
    """Sample standard deviation of periodic returns scaled by sqrt(periods per year)."""
    r = _array(returns)
    r = r[np.isfinite(r)]
    if r.size < 2:
        return math.nan
    return float(np.std(r, ddof=1) * math.sqrt(periods_per_year))


def simple_returns(values: Sequence[float] | FloatArray) -> FloatArray:
    v = _array(values)
    if v.size < 2:
        return np.empty(0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(v[:-1] > 0, v[1:] / v[:-1] - 1.0, np.nan)
