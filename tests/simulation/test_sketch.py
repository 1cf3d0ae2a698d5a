"""The bounded-memory percentile histogram against numpy's exact percentiles."""

from __future__ import annotations

import numpy as np

from portfolioos.simulation.sketch import QuantileSketch

QS = (5.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0)


def test_histogram_matches_exact_percentiles_within_a_bin() -> None:
    rng = np.random.default_rng(3)
    values = rng.lognormal(np.log(1e6), 0.8, (3, 200_000))
    values[2, :30_000] = 0.0  # 15% depleted
    sketch = QuantileSketch(3, values.shape[1], 1e6, exact=False)
    for first in range(0, values.shape[1], 70_000):  # uneven pieces
        sketch.add(values[:, first : first + 70_000], first)
    got = sketch.percentiles(QS)
    want = np.percentile(values, QS, axis=1)
    positive = want > 0
    assert np.allclose(got[positive], want[positive], rtol=4e-3)
    assert np.all(got[~positive] == 0.0)


def test_out_of_range_values_land_in_the_end_bins() -> None:
    sketch = QuantileSketch(1, 4, 1.0, exact=False)
    sketch.add(np.array([[0.0, 1e-12, 1e12, 1e12]]), 0)
    low, high = sketch.percentiles((0.0, 100.0))[:, 0]
    assert low == 0.0
    assert 2.0**23 <= high <= 2.0**25  # the top of the range, not the true value


def test_exact_mode_is_numpy() -> None:
    values = np.random.default_rng(4).normal(5, 1, (2, 999))
    sketch = QuantileSketch(2, 999, 1.0, exact=True)
    sketch.add(values[:, :500], 0)
    sketch.add(values[:, 500:], 500)
    assert np.array_equal(sketch.percentiles(QS), np.percentile(values, QS, axis=1))
