"""Per-year percentiles over all trials with bounded memory.

Up to `EXACT_BUDGET_BYTES` the values are kept (float64) and percentiles are exact.
Beyond, each row is a log-spaced histogram (`BINS_PER_DECADE` bins per decade over
`DECADES` decades around a scale, plus a bin for zero and one for overflow) and
percentiles are interpolated within a bin: relative error below 0.12%, memory a few MB
whatever the number of trials. Both modes only count or place values by trial index,
so results do not depend on how trials were split into chunks.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

EXACT_BUDGET_BYTES = 320 * 1024 * 1024
BINS_PER_DECADE = 1000
DECADES = 14  # scale * 1e-7 .. scale * 1e7


class QuantileSketch:
    """Rows (years) x trials of non-negative values; `add` a block of columns at a time."""

    def __init__(self, rows: int, total: int, scale: float, *, exact: bool) -> None:
        self.rows = rows
        self.total = total
        self.scale = scale
        self.exact = exact
        self.count = 0
        if exact:
            self.values = np.empty((rows, total))
        else:
            self.bins = BINS_PER_DECADE * DECADES
            self.counts = np.zeros((rows, self.bins + 2), dtype=np.int64)
            self._row_offsets = (np.arange(rows, dtype=np.int64) * (self.bins + 2))[:, None]

    def add(self, block: FloatArray, first_trial: int) -> None:
        """`block` is (rows, n) for trials first_trial .. first_trial + n - 1."""
        n = block.shape[1]
        self.count += n
        if self.exact:
            self.values[:, first_trial:first_trial + n] = block
            return
        with np.errstate(divide="ignore", invalid="ignore"):
            pos = np.log10(block / self.scale)
        pos += DECADES / 2
        pos *= BINS_PER_DECADE
        np.nan_to_num(pos, copy=False, nan=-1.0, neginf=-1.0)
        np.clip(pos, -1.0, self.bins, out=pos)
        idx = pos.astype(np.int64)  # -1 (zero/underflow) .. bins (overflow)
        idx[pos < 0] = -1
        idx += 1
        idx += self._row_offsets
        self.counts += np.bincount(idx.ravel(), minlength=self.counts.size).reshape(
            self.counts.shape)

    def percentiles(self, qs: tuple[float, ...]) -> FloatArray:
        """(len(qs), rows) array; numpy's linear-interpolation definition when exact."""
        if self.exact:
            return np.percentile(self.values[:, : self.count], qs, axis=1)
        out = np.empty((len(qs), self.rows))
        cum = np.cumsum(self.counts, axis=1)
        for j, q in enumerate(qs):
            rank = q / 100.0 * (self.count - 1)
            for row in range(self.rows):
                out[j, row] = self._value_at(cum[row], rank)
        return out

    def _value_at(self, cum: npt.NDArray[np.int64], rank: float) -> float:
        b = int(np.searchsorted(cum, rank, side="right"))
        if b == 0:
            return 0.0
        before = int(cum[b - 1])
        inside = int(cum[b]) - before
        frac = (rank - before + 0.5) / inside if inside else 0.5
        frac = min(max(frac, 0.0), 1.0)
        lo = (b - 1) / BINS_PER_DECADE - DECADES / 2
        return float(self.scale * 10.0 ** (lo + frac / BINS_PER_DECADE))


def exact_fits(rows: int, total: int, series: int) -> bool:
    return rows * total * series * 8 <= EXACT_BUDGET_BYTES


def finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None
