"""Per-year percentiles over all trials with bounded memory.

Small runs (up to `EXACT_MAX_TRIALS`) keep every value and give numpy's exact
percentiles. Larger runs count values in a histogram per year whose bins are read
straight off the float64 bit pattern: the top `MANTISSA_BITS` bits of the mantissa
give 2**MANTISSA_BITS linear bins per octave (relative width at most 0.4%; percentiles are
interpolated within a bin, so the error is far below the Monte Carlo noise of a
100,000-trial run), over `OCTAVES` octaves centred on the plan's starting value, plus a
bin for zero (and anything below the range) and one for overflow. Memory is a few MB
per series whatever the number of trials. Both modes place values by trial index or
count them, so results do not depend on how the trials were split into chunks.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

EXACT_MAX_TRIALS = 20_000
MANTISSA_BITS = 8
SHIFT = 52 - MANTISSA_BITS
OCTAVES = 48  # scale * 2**-24 .. scale * 2**24


class QuantileSketch:
    """Rows (years) x trials of non-negative values; `add` a block of columns at a time."""

    def __init__(self, rows: int, total: int, scale: float, *, exact: bool) -> None:
        self.rows = rows
        self.total = total
        self.exact = exact
        self.count = 0
        if exact:
            self.values = np.empty((rows, total))
            return
        self.bins = OCTAVES << MANTISSA_BITS
        low = np.array([scale * 2.0 ** (-OCTAVES // 2)], dtype=np.float64)
        self.base = int(low.view(np.int64)[0] >> SHIFT)
        self.counts = np.zeros((rows, self.bins + 2), dtype=np.int64)
        self._offsets = (np.arange(rows, dtype=np.int64) * (self.bins + 2))[:, None]
        # Lower edge of stored bin k (1..bins+1) as a float.
        keys = (np.arange(self.bins + 2, dtype=np.int64) + self.base - 1) << SHIFT
        self._edges = keys.view(np.float64)

    def add(self, block: FloatArray, first_trial: int) -> None:
        """`block` is (rows, n) for trials first_trial .. first_trial + n - 1."""
        n = block.shape[1]
        self.count += n
        if self.exact:
            self.values[:, first_trial : first_trial + n] = block
            return
        idx = block.view(np.int64) >> SHIFT  # monotone in the value for value >= 0
        idx -= self.base - 1  # bin 1 = first in range; <= 0: zero, negative or below range
        np.clip(idx, 0, self.bins + 1, out=idx)
        idx += self._offsets
        self.counts += np.bincount(idx.ravel(), minlength=self.counts.size).reshape(
            self.counts.shape
        )

    def percentiles(self, qs: tuple[float, ...]) -> FloatArray:
        """(len(qs), rows): numpy's linear-interpolation percentiles when exact."""
        if self.exact:
            return np.percentile(self.values[:, : self.count], qs, axis=1)
        out = np.empty((len(qs), self.rows))
        cum = np.cumsum(self.counts, axis=1)
        rows = np.arange(self.rows)
        last = self._edges.size - 1
        for j, q in enumerate(qs):
            rank = q / 100.0 * (self.count - 1)
            b = np.argmax(cum > rank, axis=1)  # the bin holding the rank-th value
            before = np.where(b > 0, cum[rows, np.maximum(b - 1, 0)], 0)
            inside = np.maximum(cum[rows, b] - before, 1)
            frac = np.clip((rank - before + 0.5) / inside, 0.0, 1.0)
            lo = self._edges[b]
            hi = self._edges[np.minimum(b + 1, last)]
            value = lo + frac * (hi - lo)
            value[b == 0] = 0.0
            value[b > self.bins] = self._edges[last]
            out[j] = value
        return out


def use_exact(total: int) -> bool:
    return total <= EXACT_MAX_TRIALS
