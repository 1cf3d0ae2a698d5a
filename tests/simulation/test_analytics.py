from __future__ import annotations

import numpy as np
import pytest

from portfolioos.errors import ValidationError
from portfolioos.simulation.analytics import bootstrap, percentile_rank


def test_percentile_rank_counts_ties_half() -> None:
    values = [1.0, 2.0, 3.0, 4.0]
    assert percentile_rank(values, 0.5) == 0.0
    assert percentile_rank(values, 3.0) == 62.5
    assert percentile_rank(values, 9.0) == 100.0
    with pytest.raises(ValidationError):
        percentile_rank([], 1.0)


def test_bootstrap_resamples_existing_values_in_blocks() -> None:
    series = np.arange(10, dtype=float)
    out = bootstrap(series, samples=500, length=12, block=3, seed=1)
    assert out.shape == (500, 12)
    assert set(np.unique(out)) <= set(series)
    # within a block, consecutive values follow each other (mod the series length)
    steps = (out[:, 1:3] - out[:, 0:2]) % 10
    assert np.all(steps == 1)
    assert np.array_equal(out, bootstrap(series, samples=500, length=12, block=3, seed=1))
    assert abs(bootstrap(series, 4000, seed=2).mean() - 4.5) < 0.1
    with pytest.raises(ValidationError):
        bootstrap(series, samples=5, block=11)
