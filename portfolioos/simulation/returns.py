"""Annual portfolio returns and inflation for a block of trials, one row per trial.

Every return is nominal. The portfolio is rebalanced to the target allocation at the
start of every year, so its return is the allocation-weighted sum of asset returns.
Random draws come in a fixed order (stocks, bonds, the Student-t mixing variable,
inflation, cash, historical-inflation windows) whatever the allocation, so that two
plans differing only in allocation or withdrawals see the same markets (common
random numbers make sensitivity curves smooth and monotone where they should be).
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
    """(years, trials) arrays: the rebalanced portfolio's return and inflation.

    Year-major, so that the engine's per-year step reads one contiguous row."""

    portfolio: FloatArray
    inflation: FloatArray


def draw_random(s: Scenario, history: MarketHistory | None, rng: np.random.Generator,
                n: int) -> Markets:
    """Markets for the normal, lognormal, Student-t and bootstrap models."""
    years = s.years
    shape = (years, n)
    r = s.returns
    if r.model is ReturnModel.BOOTSTRAP:
        assert history is not None
        idx = _bootstrap_indices(rng, n, years, r.block_length, len(history))
        stocks = history.stocks[idx]
        bonds = history.bonds[idx]
        hist_inflation: FloatArray | None = history.inflation[idx]
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
        stocks = _asset_returns(r.model, r.stocks, z_s)
        bonds = _asset_returns(r.model, r.bonds, z_b)
        hist_inflation = None
    inflation = _inflation(s, history, rng, n, hist_inflation)
    cash = _cash(s, rng, shape)
    return Markets(_portfolio(s, stocks, bonds, cash), inflation)


def draw_historical(s: Scenario, history: MarketHistory, starts: IntArray,
                    rng: np.random.Generator) -> Markets:
    """Markets for the historical model: row k is the sequence starting at `starts[k]`."""
    idx = starts[None, :] + np.arange(s.years, dtype=np.int64)[:, None]
    n = int(starts.shape[0])
    if s.inflation.model is InflationModel.HISTORICAL:
        inflation = history.inflation[idx]
    else:
        inflation = _inflation(s, history, rng, n, None)
    cash = _cash(s, rng, (s.years, n))
    return Markets(_portfolio(s, history.stocks[idx], history.bonds[idx], cash), inflation)


def _asset_returns(model: ReturnModel, p: AssetParams, z: FloatArray) -> FloatArray:
    if model is ReturnModel.LOGNORMAL:
        # `mean` and `stdev` describe the arithmetic annual return 1+R ~ lognormal.
        var = math.log1p((p.stdev / (1.0 + p.mean)) ** 2)
        mu = math.log1p(p.mean) - var / 2.0
        z *= math.sqrt(var)
        z += mu
        np.exp(z, out=z)
        z -= 1.0
        return z
    z *= p.stdev
    z += p.mean
    return z


def _inflation(s: Scenario, history: MarketHistory | None, rng: np.random.Generator, n: int,
               bootstrapped: FloatArray | None) -> FloatArray:
    inf = s.inflation
    if inf.model is InflationModel.FIXED:
        return np.full((s.years, n), inf.rate)
    if inf.model is InflationModel.STOCHASTIC:
        draw = rng.standard_normal((s.years, n))
        draw *= inf.stdev
        draw += inf.rate
        return draw
    if bootstrapped is not None:
        return bootstrapped
    # Random returns with historical inflation: a random historical window per trial.
    assert history is not None
    count = len(history.window_starts(s.years))
    starts = rng.integers(0, count, n)
    window: FloatArray = history.inflation[starts[None, :] + np.arange(s.years)[:, None]]
    return window


def _cash(s: Scenario, rng: np.random.Generator, shape: tuple[int, int]) -> FloatArray | float:
    c = s.returns.cash
    if c.stdev == 0.0:
        return c.mean
    draw = rng.standard_normal(shape)
    draw *= c.stdev
    draw += c.mean
    return draw


def _portfolio(s: Scenario, stocks: FloatArray, bonds: FloatArray,
               cash: FloatArray | float) -> FloatArray:
    """Weighted sum; overwrites `stocks` and `bonds`, which callers create fresh."""
    a = s.allocation
    stocks *= a.stocks
    bonds *= a.bonds
    stocks += bonds
    if a.cash:
        stocks += np.asarray(cash) * a.cash
    return stocks


def _bootstrap_indices(rng: np.random.Generator, n: int, years: int, block: int,
                       size: int) -> IntArray:
    """Circular block bootstrap (Politis & Romano): blocks of consecutive history years,
    wrapping from the last year to the first, so every year is equally likely.
    Returns (years, n) indices."""
    blocks = -(-years // block)
    starts = rng.integers(0, size, (n, blocks))
    idx: IntArray = (starts[:, :, None] + np.arange(block)[None, None, :]) % size
    return np.ascontiguousarray(idx.reshape(n, blocks * block)[:, :years].T)
