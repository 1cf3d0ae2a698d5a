"""What a simulation returns: statistics only, never the trials themselves.

`percentiles` and friends map a label ("p5" ... "p95") to one value per year:
portfolio values have years + 1 points (start of year 0 to the end of the last year),
spending has one point per year. Real figures are in today's dollars.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from portfolioos.simulation.scenario import Scenario

FloatArray = npt.NDArray[np.float64]
PERCENTILES: tuple[float, ...] = (5, 10, 25, 50, 75, 90, 95)
LABELS: tuple[str, ...] = tuple(f"p{int(q)}" for q in PERCENTILES)


@dataclass(frozen=True, slots=True)
class SimulationResult:
    trials: int
    years: int
    seed: int
    initial_portfolio: float
    success_rate: float
    percentiles: dict[str, list[float]]  # portfolio value, nominal
    percentiles_real: dict[str, list[float]]
    spending_percentiles: dict[str, list[float]]
    spending_percentiles_real: dict[str, list[float]]
    terminal: dict[str, float]  # nominal final value distribution
    terminal_real: dict[str, float]
    depletion_probability: list[float]  # share of trials failed by the end of year t
    median_years_lasted_failures: float | None
    spending_volatility: dict[str, float]
    start_years: list[int] | None  # historical model: the start year of each trial
    percentile_method: str  # "exact" or "histogram"
    # Terminal wealth binned for a chart: {"edges": bins + 1 values, "shares": bins
    # values summing to 1}. The top 1% is folded into the last bin (edges[-1] is the
    # 99th percentile) so the long right tail does not squash the body into two bars.
    terminal_histogram: dict[str, list[float]] | None = None
    terminal_histogram_real: dict[str, list[float]] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "trials": self.trials,
            "years": self.years,
            "seed": self.seed,
            "initial_portfolio": self.initial_portfolio,
            "success_rate": self.success_rate,
            "percentiles": self.percentiles,
            "percentiles_real": self.percentiles_real,
            "spending_percentiles": self.spending_percentiles,
            "spending_percentiles_real": self.spending_percentiles_real,
            "terminal": self.terminal,
            "terminal_real": self.terminal_real,
            "depletion_probability": self.depletion_probability,
            "median_years_lasted_failures": self.median_years_lasted_failures,
            "spending_volatility": self.spending_volatility,
            "start_years": self.start_years,
            "percentile_method": self.percentile_method,
            "terminal_histogram": self.terminal_histogram,
            "terminal_histogram_real": self.terminal_histogram_real,
        }

    def summary(self) -> dict[str, Any]:
        """A few numbers that describe the outcome, small enough to store and to quote."""
        return {
            "trials": self.trials,
            "years": self.years,
            "seed": self.seed,
            "initial_portfolio": self.initial_portfolio,
            "success_rate": self.success_rate,
            "terminal": self.terminal,
            "terminal_real": self.terminal_real,
            "median_years_lasted_failures": self.median_years_lasted_failures,
            "median_first_year_spending": self.spending_percentiles["p50"][0]
            if self.spending_percentiles["p50"]
            else None,
            "median_real_spending_last_year": self.spending_percentiles_real["p50"][-1]
            if self.spending_percentiles_real["p50"]
            else None,
            "spending_volatility": self.spending_volatility,
        }


def _paths(matrix: FloatArray) -> dict[str, list[float]]:
    return {label: [float(v) for v in matrix[i]] for i, label in enumerate(LABELS)}


def distribution(values: FloatArray, initial: float) -> dict[str, float]:
    pct = np.percentile(values, PERCENTILES) if values.size else np.zeros(len(PERCENTILES))
    out = {
        "mean": float(values.mean()),
        "stdev": float(values.std()),
        "min": float(values.min()),
        "max": float(values.max()),
    }
    out.update({label: float(v) for label, v in zip(LABELS, pct, strict=True)})
    out["probability_zero"] = float(np.mean(values <= 0.0))
    out["probability_below_initial"] = float(np.mean(values < initial))
    return out


HISTOGRAM_BINS = 40


def histogram(values: FloatArray, bins: int = HISTOGRAM_BINS) -> dict[str, list[float]]:
    """Shares of trials per bin from min(0, lowest) to the 99th percentile (tail folded in).

    The trials themselves never leave the engine; a GUI or a report draws this instead.
    """
    if values.size == 0:
        return {"edges": [], "shares": []}
    low = min(float(values.min()), 0.0)
    top = float(np.percentile(values, 99.0))
    if top <= low:
        top = low + 1.0
    counts, edges = np.histogram(np.clip(values, low, top), bins=bins, range=(low, top))
    return {
        "edges": [float(e) for e in edges],
        "shares": [float(c) / values.size for c in counts],
    }


def summarise(
    s: Scenario,
    *,
    seed: int,
    trials: int,
    start_years: list[int] | None,
    exact: bool,
    value_nominal: FloatArray,
    value_real: FloatArray,
    spending_nominal: FloatArray,
    spending_real: FloatArray,
    terminal: FloatArray,
    terminal_real: FloatArray,
    fail_year: npt.NDArray[np.int64],
    volatility: FloatArray,
) -> SimulationResult:
    initial = s.initial_amount
    failed = fail_year >= 0
    by_year = np.bincount(fail_year[failed], minlength=s.years)[: s.years]
    depletion = np.cumsum(by_year) / trials
    median_lasted = float(np.median(fail_year[failed])) if failed.any() else None
    vol_pct = np.percentile(volatility, (50, 90))
    return SimulationResult(
        trials=trials,
        years=s.years,
        seed=seed,
        initial_portfolio=initial,
        success_rate=float(1.0 - failed.mean()),
        percentiles=_paths(value_nominal),
        percentiles_real=_paths(value_real),
        spending_percentiles=_paths(spending_nominal),
        spending_percentiles_real=_paths(spending_real),
        terminal=distribution(terminal, initial),
        terminal_real=distribution(terminal_real, initial),
        depletion_probability=[float(v) for v in depletion],
        median_years_lasted_failures=median_lasted,
        spending_volatility={
            "mean": float(volatility.mean()),
            "median": float(vol_pct[0]),
            "p90": float(vol_pct[1]),
        },
        start_years=start_years,
        percentile_method="exact" if exact else "histogram",
        terminal_histogram=histogram(terminal),
        terminal_histogram_real=histogram(terminal_real),
    )
