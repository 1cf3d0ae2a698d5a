"""Small statistics on return series kept from the original plan.

CAGR and maximum drawdown live in `portfolioos.domain.analytics` (performance of real
holdings); these two serve the planner and its charts.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from portfolioos.errors import ValidationError

FloatArray = npt.NDArray[np.float64]


def percentile_rank(values: Sequence[float] | FloatArray, value: float) -> float:
    """Share of `values` (in percent, 0..100) below `value`, ties counting half: where a
    plan's outcome sits among simulated ones (the 'mean' kind of scipy's percentileofscore)."""
    data = np.asarray(values, dtype=np.float64)
    if data.size == 0:
        raise ValidationError("values: empty series.", field="values")
    below = np.count_nonzero(data < value)
    equal = np.count_nonzero(data == value)
    return float(100.0 * (below + 0.5 * equal) / data.size)


def bootstrap(
    returns: Sequence[float] | FloatArray,
    samples: int,
    length: int | None = None,
    *,
    block: int = 1,
    seed: int | None = None,
) -> FloatArray:
    """`samples` resampled series of `length` returns (default: the series' length),
    drawn in circular blocks of `block` consecutive returns so that runs of good and bad
    years survive (block=1 is the plain i.i.d. bootstrap). Shape (samples, length)."""
    data = np.asarray(returns, dtype=np.float64)
    if data.ndim != 1 or data.size == 0:
        raise ValidationError("returns: expected a non-empty series.", field="returns")
    if samples < 1:
        raise ValidationError("samples: must be at least 1.", field="samples")
    n = data.size if length is None else length
    if n < 1:
        raise ValidationError("length: must be at least 1.", field="length")
    if not 1 <= block <= data.size:
        raise ValidationError(f"block: must be 1..{data.size}.", field="block")
    rng = np.random.default_rng(seed)
    blocks = -(-n // block)
    starts = rng.integers(0, data.size, (samples, blocks))
    idx = (starts[:, :, None] + np.arange(block)[None, None, :]) % data.size
    out: FloatArray = data[idx.reshape(samples, blocks * block)[:, :n]]
    return out
