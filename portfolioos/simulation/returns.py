"""Annual portfolio growth and inflation for a block of trials, one column per trial.

Every return is nominal. The portfolio is rebalanced to the target allocation at the
start of every year, so its growth factor is the allocation-weighted sum of the asset
growth factors (weights sum to 1). Random draws come in a fixed order (stocks, bonds,
the Student-t mixing variable, inflation, cash, historical-inflation windows) whatever
the allocation, so that two plans differing only in allocation or withdrawals see the
same markets (common random numbers keep sensitivity curves smooth and monotone where
they should be).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from portfolioos.simulation.history import MarketHistory
from portfolioos.simulation.scenario import (
    AssetParams,
    InflationModel,
    ReturnModel,
    Scenario,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Markets:
    """Year-major arrays so that the engine's per-year step reads one contiguous row.

    growth: (years, trials), 1 + the rebalanced portfolio's return, before fees.
    price_growth: 1 + inflation, (years, trials) or (years, 1) when it is the same
    for every trial (fixed inflation).
    """

    growth: FloatArray
    price_growth: FloatArray


def draw_random(
    s: Scenario, history: MarketHistory | None, rng: np.random.Generator, n: int
) -> Markets:
    """Markets for the normal, lognormal, Student-t and bootstrap models."""
    shape = (s.years, n)
    r = s.returns
    a = s.allocation
    if r.model is ReturnModel.BOOTSTRAP:
        assert history is not None
        idx = _bootstrap_indices(rng, n, s.years, r.block_length, len(history))
        growth = _weighted_sum(s, history.stocks[idx], history.bonds[idx])
        hist_inflation: FloatArray | None = history.inflation[idx]
    elif not r.correlation and r.model in (ReturnModel.NORMAL, ReturnModel.LOGNORMAL):
        # Same normals as below, transformed inside numpy's C loop in one pass.
        growth = _direct_growth(rng, r.model, r.stocks, a.stocks, shape)
        bonds = _direct_growth(rng, r.model, r.bonds, a.bonds, shape)
        growth += bonds
        hist_inflation = None
    else:
        z_s = rng.standard_normal(shape)
        z_b = rng.standard_normal(shape)
        if r.correlation:
            z_b *= math.sqrt(1.0 - r.correlation**2)
            z_b += r.correlation * z_s
        if r.model is ReturnModel.STUDENT_T:
            # One chi-square per trial-year shared by both assets (a multivariate t),
            # scaled so each asset keeps the requested standard deviation.
            mix = np.sqrt((r.df - 2.0) / rng.chisquare(r.df, shape))
            z_s *= mix
            z_b *= mix
        parts = [
            g
            for g in (
                _weighted_growth(r.model, r.stocks, z_s, a.stocks),
                _weighted_growth(r.model, r.bonds, z_b, a.bonds),
            )
            if g is not None
        ]
        growth = parts[0] if parts else np.zeros(shape)  # all cash: added below
        for extra in parts[1:]:
            growth += extra
        hist_inflation = None
    price_growth = _price_growth(s, history, rng, n, hist_inflation)
    _add_cash(s, rng, growth)
    return Markets(growth, price_growth)


def draw_historical(
    s: Scenario, history: MarketHistory, starts: IntArray, rng: np.random.Generator
) -> Markets:
    """Markets for the historical model: column k is the sequence starting at `starts[k]`."""
    idx = starts[None, :] + np.arange(s.years, dtype=np.int64)[:, None]
    n = int(starts.shape[0])
    if s.inflation.model is InflationModel.HISTORICAL:
        price_growth = history.inflation[idx] + 1.0
    else:
        price_growth = _price_growth(s, history, rng, n, None)
    growth = _weighted_sum(s, history.stocks[idx], history.bonds[idx])
    _add_cash(s, rng, growth)
    return Markets(growth, price_growth)


def _direct_growth(
    rng: np.random.Generator,
    model: ReturnModel,
    p: AssetParams,
    weight: float,
    shape: tuple[int, int],
) -> FloatArray:
    """weight * (1 + R) drawn directly (zeros, after drawing, when the weight is zero)."""
    if weight == 0.0:
        draw = rng.standard_normal(shape)
        draw.fill(0.0)
        return draw
    if model is ReturnModel.LOGNORMAL:
        var = math.log1p((p.stdev / (1.0 + p.mean)) ** 2)
        mu = math.log1p(p.mean) - var / 2.0
        return rng.lognormal(mu + math.log(weight), math.sqrt(var), shape)
    return rng.normal(weight * (1.0 + p.mean), weight * p.stdev, shape)


def _weighted_growth(
    model: ReturnModel, p: AssetParams, z: FloatArray, weight: float
) -> FloatArray | None:
    """weight * (1 + R), computed in place in `z` (None when the weight is zero)."""
    if weight == 0.0:
        return None
    if model is ReturnModel.LOGNORMAL:
        # `mean` and `stdev` describe the arithmetic annual return: 1+R ~ lognormal.
        var = math.log1p((p.stdev / (1.0 + p.mean)) ** 2)
        mu = math.log1p(p.mean) - var / 2.0
        z *= math.sqrt(var)
        z += mu + math.log(weight)
        np.exp(z, out=z)
        return z
    z *= weight * p.stdev
    z += weight * (1.0 + p.mean)
    return z


def _weighted_sum(s: Scenario, stocks: FloatArray, bonds: FloatArray) -> FloatArray:
    """1 + weighted return from historical returns; overwrites the fresh inputs."""
    a = s.allocation
    stocks *= a.stocks
    bonds *= a.bonds
    stocks += bonds
    stocks += a.stocks + a.bonds
    return stocks


def _add_cash(s: Scenario, rng: np.random.Generator, growth: FloatArray) -> None:
    weight = s.allocation.cash
    c = s.returns.cash
    if c.stdev == 0.0:
        if weight:
            growth += weight * (1.0 + c.mean)
        return
    draw = rng.standard_normal(growth.shape)  # drawn whatever the weight: stable streams
    if weight:
        draw *= weight * c.stdev
        draw += weight * (1.0 + c.mean)
        growth += draw


def _price_growth(
    s: Scenario,
    history: MarketHistory | None,
    rng: np.random.Generator,
    n: int,
    bootstrapped: FloatArray | None,
) -> FloatArray:
    inf = s.inflation
    if inf.model is InflationModel.FIXED:
        return np.full((s.years, 1), 1.0 + inf.rate)
    if inf.model is InflationModel.STOCHASTIC:
        return rng.normal(1.0 + inf.rate, inf.stdev, (s.years, n))
    if bootstrapped is not None:
        bootstrapped += 1.0
        return bootstrapped
    # Random returns with historical inflation: a random historical window per trial.
    assert history is not None
    count = len(history.window_starts(s.years))
    starts = rng.integers(0, count, n)
    window: FloatArray = history.inflation[starts[None, :] + np.arange(s.years)[:, None]]
    window += 1.0
    return window


def _bootstrap_indices(
    rng: np.random.Generator, n: int, years: int, block: int, size: int
) -> IntArray:
    """Circular block bootstrap (Politis & Romano): blocks of consecutive history years,
    wrapping from the last year to the first, so every year is equally likely.
    Returns (years, n) indices."""
    blocks = -(-years // block)
    starts = rng.integers(0, size, (n, blocks))
    idx: IntArray = (starts[:, :, None] + np.arange(block)[None, None, :]) % size
    return np.ascontiguousarray(idx.reshape(n, blocks * block)[:, :years].T)
