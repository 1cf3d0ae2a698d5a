"""The Monte Carlo / historical-sequence engine: vectorised across trials, looping years.

One simulated year, for every trial at once:
  1. the strategy sets this year's withdrawal from the start-of-year value;
  2. life-event cash flows arrive (expenses out, income in) and the withdrawal is paid
     from the portfolio; if the money is not there the trial has failed in this year
     (it pays what it can and the portfolio stays at zero unless income refills it);
  3. the remainder earns the rebalanced portfolio's return, then pays the annual fee;
  4. the price level moves by the year's inflation.

Reproducibility: trials are grouped in fixed blocks of `BLOCK` trials and block k draws
from `SeedSequence(seed, spawn_key=(k,))`, so trial i sees the same markets whatever
the chunk size used to run it; chunks are whole numbers of blocks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from portfolioos.simulation.history import MarketHistory, load_history
from portfolioos.simulation.results import PERCENTILES, SimulationResult, summarise
from portfolioos.simulation.returns import Markets, draw_historical, draw_random
from portfolioos.simulation.scenario import InflationModel, ReturnModel, Scenario
from portfolioos.simulation.sketch import QuantileSketch, use_exact
from portfolioos.simulation.strategies import WithdrawalPolicy

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
# Rows of 16k trials keep the year loop's per-call overhead small (4k-wide rows ran it
# twice as slowly) while a block's draws still fit in a few MB.
BLOCK = 16384
DEFAULT_CHUNK = 2 * BLOCK
ProgressFn = Callable[[float, str], None]
CancelFn = Callable[[], None]


@dataclass(frozen=True, slots=True)
class Paths:
    """Every trial's path for one block: values (years+1, n), spending (years, n)."""

    value: FloatArray
    spending: FloatArray
    value_real: FloatArray  # in start-of-plan dollars
    spending_real: FloatArray
    fail_year: npt.NDArray[np.int64]  # first year that could not be paid, or -1
    volatility: FloatArray  # per trial: stdev of year-over-year real spending changes


def cash_flows(s: Scenario) -> tuple[FloatArray, FloatArray]:
    """Per-year net flows into the portfolio: (real amounts, fixed nominal amounts)."""
    real = np.zeros(s.years)
    nominal = np.zeros(s.years)
    for e in s.life_events:
        last = (e.end_year if e.end_year is not None else s.years - 1) if e.recurring else e.year
        target = real if e.inflation_adjusted else nominal
        target[e.year : last + 1] += e.sign * e.amount
    return real, nominal


def simulate_block(s: Scenario, markets: Markets, out: Paths | None = None) -> Paths:
    """Run every trial of `markets` through the plan (the whole engine, minus statistics).

    `out` may hold (column views of) preallocated arrays to fill, so that a chunk of
    blocks lands in one buffer without copies.
    """
    years, n = markets.growth.shape
    initial = s.initial_amount
    policy = WithdrawalPolicy(s.withdrawal, s.allocation, initial, years)
    flows_real, flows_nominal = cash_flows(s)
    growth = markets.growth
    keep = 1.0 - s.fees
    price_growth = markets.price_growth
    if out is None:
        out = Paths(
            np.empty((years + 1, n)),
            np.empty((years, n)),
            np.empty((years + 1, n)),
            np.empty((years, n)),
            np.empty(n, dtype=np.int64),
            np.empty(n),
        )
    value, spending, value_real, spending_real = (
        out.value,
        out.spending,
        out.value_real,
        out.spending_real,
    )
    fail_year = out.fail_year
    fail_year.fill(-1)
    failed = np.zeros(n, dtype=bool)
    p = value[0]  # each year works in place in its own row of `value`
    p.fill(float(initial))
    value_real[0] = p
    level = np.ones(n)
    tolerance = 1e-9 * initial
    last_growth: FloatArray | None = None
    last_price_growth: FloatArray | None = None
    scratch = np.empty(n)
    short = np.empty(n, dtype=bool)
    vol = _Volatility(n)
    for t in range(years):
        want = policy.step(t, p, level, last_growth, last_price_growth)
        flow_real, flow_nominal = flows_real[t], flows_nominal[t]
        if flow_real or flow_nominal:
            available = level * flow_real
            available += flow_nominal
            available += p
        else:
            available = p
        np.subtract(want, available, out=scratch)
        np.greater(scratch, tolerance, out=short)
        if short.any():
            new_fail = short & ~failed
            fail_year[new_fail] = t
            failed |= new_fail
        np.maximum(available, 0.0, out=scratch)
        np.minimum(want, scratch, out=spending[t])
        np.divide(spending[t], level, out=spending_real[t])
        if t:
            vol.add(spending_real[t - 1], spending_real[t])
        p = value[t + 1]
        np.subtract(available, want, out=p)
        np.maximum(p, 0.0, out=p)
        p *= growth[t]
        if s.fees:
            p *= keep
        level *= price_growth[t]
        np.divide(p, level, out=value_real[t + 1])
        last_growth = growth[t]
        last_price_growth = price_growth[t]
    vol.result(out.volatility)
    return out


def block_rng(seed: int, block: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(block,))))


def run(
    s: Scenario,
    *,
    history: MarketHistory | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
    chunk_size: int = DEFAULT_CHUNK,
) -> SimulationResult:
    """Simulate the plan; `cancel()` raises `Cancelled` to stop between chunks."""
    s = s.validated()
    needs_history = (
        s.returns.model in (ReturnModel.HISTORICAL, ReturnModel.BOOTSTRAP)
        or s.inflation.model is InflationModel.HISTORICAL
    )
    if needs_history and history is None:
        history = load_history()
    initial = s.initial_amount
    seed = s.seed if s.seed is not None else fresh_seed()
    start_years: list[int] | None = None
    starts: npt.NDArray[np.int64] | None = None
    if s.returns.model is ReturnModel.HISTORICAL:
        assert history is not None
        starts = history.window_starts(s.years)
        start_years = [int(y) for y in history.years[starts]]
        total = int(starts.shape[0])
    else:
        total = s.trials
    chunk = min(max(BLOCK, (chunk_size // BLOCK) * BLOCK), -(-total // BLOCK) * BLOCK)
    years = s.years
    real_tracked = s.inflation.model is not InflationModel.FIXED
    exact = use_exact(total)
    value_nom = QuantileSketch(years + 1, total, initial, exact=exact)
    spend_nom = QuantileSketch(years, total, initial, exact=exact)
    value_real = QuantileSketch(years + 1, total, initial, exact=exact) if real_tracked else None
    spend_real = QuantileSketch(years, total, initial, exact=exact) if real_tracked else None
    terminal = np.empty(total)
    terminal_real = np.empty(total)
    fail_year = np.empty(total, dtype=np.int64)
    volatility = np.empty(total)
    fixed_levels = (1.0 + s.inflation.rate) ** np.arange(years + 1, dtype=np.float64)
    buffers = Paths(
        np.empty((years + 1, chunk)),
        np.empty((years, chunk)),
        np.empty((years + 1, chunk)),
        np.empty((years, chunk)),
        np.empty(chunk, dtype=np.int64),
        np.empty(chunk),
    )
    done = 0
    while done < total:
        if cancel is not None:
            cancel()
        n = min(chunk, total - done)
        for begin in range(0, n, BLOCK):
            size = min(BLOCK, n - begin)
            cols = slice(begin, begin + size)
            markets = _block_markets(s, history, seed, done + begin, size, starts)
            simulate_block(
                s,
                markets,
                Paths(
                    buffers.value[:, cols],
                    buffers.spending[:, cols],
                    buffers.value_real[:, cols],
                    buffers.spending_real[:, cols],
                    buffers.fail_year[cols],
                    buffers.volatility[cols],
                ),
            )
        value_nom.add(buffers.value[:, :n], done)
        spend_nom.add(buffers.spending[:, :n], done)
        if value_real is not None and spend_real is not None:
            value_real.add(buffers.value_real[:, :n], done)
            spend_real.add(buffers.spending_real[:, :n], done)
        terminal[done : done + n] = buffers.value[-1, :n]
        terminal_real[done : done + n] = buffers.value_real[-1, :n]
        fail_year[done : done + n] = buffers.fail_year[:n]
        volatility[done : done + n] = buffers.volatility[:n]
        done += n
        if progress is not None:
            progress(done / total, f"{done:,} of {total:,} trials")
    logger.debug(
        "simulated %d trials x %d years (%s percentiles)",
        total,
        years,
        "exact" if exact else "histogram",
    )
    value_real_pct = (
        value_real.percentiles(PERCENTILES)
        if value_real is not None
        else value_nom.percentiles(PERCENTILES) / fixed_levels
    )
    spend_nom_pct = spend_nom.percentiles(PERCENTILES)
    spend_real_pct = (
        spend_real.percentiles(PERCENTILES)
        if spend_real is not None
        else spend_nom_pct / fixed_levels[:-1]
    )
    return summarise(
        s,
        seed=seed,
        trials=total,
        start_years=start_years,
        exact=exact,
        value_nominal=value_nom.percentiles(PERCENTILES),
        value_real=value_real_pct,
        spending_nominal=spend_nom_pct,
        spending_real=spend_real_pct,
        terminal=terminal,
        terminal_real=terminal_real,
        fail_year=fail_year,
        volatility=volatility,
    )


def fresh_seed() -> int:
    """A seed from the OS, reported in the result so the run can be repeated."""
    return int(np.random.default_rng().integers(0, 2**63 - 1))


def _block_markets(
    s: Scenario,
    history: MarketHistory | None,
    seed: int,
    first: int,
    n: int,
    starts: npt.NDArray[np.int64] | None,
) -> Markets:
    rng = block_rng(seed, first // BLOCK)
    if starts is not None:
        assert history is not None
        return draw_historical(s, history, starts[first : first + n], rng)
    return draw_random(s, history, rng, n)


class _Volatility:
    """Per trial, the standard deviation of year-over-year changes in real spending
    (over the years that had spending to change from), accumulated year by year while
    the rows are still in cache."""

    def __init__(self, n: int) -> None:
        self.total = np.zeros(n)
        self.squares = np.zeros(n)
        self.count = np.zeros(n)
        self.change = np.empty(n)
        self.valid = np.empty(n, dtype=bool)

    def add(self, before: FloatArray, after: FloatArray) -> None:
        np.greater(before, 0.0, out=self.valid)
        # `where=` leaves the other cells as they were: start them at 1 so they count 0
        # (multiplying leftovers by False is not enough: a leftover NaN stays NaN).
        self.change.fill(1.0)
        np.divide(after, before, out=self.change, where=self.valid)
        self.change -= 1.0
        self.total += self.change
        self.change *= self.change
        self.squares += self.change
        self.count += self.valid

    def result(self, out: FloatArray) -> None:
        safe = np.maximum(self.count, 1.0)
        mean = self.total / safe
        np.divide(self.squares, safe, out=out)
        out -= mean * mean
        np.maximum(out, 0.0, out=out)
        np.sqrt(out, out=out)
        out[self.count < 2] = 0.0
