"""The shipped US market history (Shiller, as compiled for cFIREsim), as numpy arrays.

This is the one place the simulation package touches a file, so that everything else
stays pure and testable with hand-made data.
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from portfolioos.errors import SimulationError

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
HISTORY_FILE = "us_market_annual.csv"


@dataclass(frozen=True, slots=True)
class MarketHistory:
    """Annual nominal returns and inflation for the years that have all three.

    Year Y's inflation needs next January's CPI, so the last row (2014) only has
    returns and is dropped: usable years are 1871-2013.
    """

    years: npt.NDArray[np.int64]
    stocks: FloatArray
    bonds: FloatArray
    inflation: FloatArray

    def __len__(self) -> int:
        return int(self.years.shape[0])

    def window_starts(self, years: int) -> npt.NDArray[np.int64]:
        """Indices of every start year whose `years`-long window lies inside the data."""
        count = len(self) - years + 1
        if count <= 0:
            raise SimulationError(
                f"years: the shipped history has {len(self)} complete years "
                f"({int(self.years[0])}-{int(self.years[-1])}); a {years}-year historical "
                "sequence does not fit."
            )
        return np.arange(count, dtype=np.int64)


def parse_history(rows: list[dict[str, str]], source: str = HISTORY_FILE) -> MarketHistory:
    try:
        years = np.array([int(r["year"]) for r in rows], dtype=np.int64)
        cpi = np.array([float(r["cpi_january"]) for r in rows])
        growth = np.array([float(r["sp_price_growth"]) for r in rows])
        dividend = np.array([float(r["sp_dividend_yield"]) for r in rows])
        long_rate = np.array([float(r["long_rate"]) for r in rows])
    except (KeyError, ValueError) as exc:
        raise SimulationError(f"{source} is not readable market history: {exc}") from None
    if len(rows) < 2 or np.any(np.diff(years) != 1):
        raise SimulationError(f"{source}: years must be consecutive.")
    inflation = cpi[1:] / cpi[:-1] - 1.0
    return MarketHistory(
        years=years[:-1],
        stocks=(growth + dividend)[:-1],
        bonds=long_rate[:-1],
        inflation=inflation,
    )


def read_history(path: Path) -> MarketHistory:
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise SimulationError(f"Cannot read the market history {path}: {exc.strerror}") from None
    return parse_history(rows, str(path))


@lru_cache(maxsize=1)
def load_history() -> MarketHistory:
    """The bundled history; read once per process."""
    from portfolioos.paths import resources_dir

    path = resources_dir() / HISTORY_FILE
    logger.debug("loading market history from %s", path)
    return read_history(path)
