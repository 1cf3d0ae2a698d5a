"""Each Guyton-Klinger rule on hand-made numbers, at and just across its guardrail."""

from __future__ import annotations

import numpy as np
import pytest

from portfolioos.simulation.scenario import Strategy, Withdrawal
from portfolioos.simulation.strategies import guyton_klinger_step

GK = Withdrawal(strategy=Strategy.GUYTON_KLINGER, initial_rate=0.05)
RATE = 0.05
PREV = 50_000.0
INFL = 0.03


def step(
    value: float,
    last_return: float = 0.05,
    remaining: int = 20,
    w: Withdrawal = GK,
    inflation: float = INFL,
) -> float:
    out = guyton_klinger_step(
        w,
        RATE,
        remaining,
        np.array([PREV]),
        np.array([value]),
        np.array([1 + last_return]),
        np.array([1 + inflation]),
    )
    return float(out[0])


def value_for_rate(rate: float) -> float:
    """The portfolio at which the inflation-raised withdrawal is exactly `rate`."""
    return PREV * (1 + INFL) / rate


def test_inflation_raise_in_an_ordinary_year() -> None:
    assert step(1_000_000) == pytest.approx(PREV * 1.03)


def test_no_raise_after_a_losing_year_when_the_rate_is_above_the_initial() -> None:
    # previous / value = 5.2% > 5%: frozen (5.2% is inside the guardrails: no cut)
    assert step(PREV / 0.052, last_return=-0.01) == PREV
    # previous / value = 4.9% < 5%: the losing year alone does not freeze the raise
    assert step(PREV / 0.049, last_return=-0.01) == pytest.approx(PREV * 1.03)
    # same numbers after a winning year: raised
    assert step(PREV / 0.052, last_return=0.01) == pytest.approx(PREV * 1.03)
    off = Withdrawal(strategy=Strategy.GUYTON_KLINGER, initial_rate=0.05, inflation_rule=False)
    assert step(PREV / 0.052, last_return=-0.01, w=off) == pytest.approx(PREV * 1.03)


def test_capital_preservation_fires_just_above_the_upper_guardrail() -> None:
    upper = RATE * 1.2
    assert step(value_for_rate(upper) * (1 - 1e-9)) == pytest.approx(PREV * 1.03 * 0.9)
    assert step(value_for_rate(upper) * (1 + 1e-9)) == pytest.approx(PREV * 1.03)


def test_capital_preservation_is_skipped_in_the_last_fifteen_years() -> None:
    below = value_for_rate(RATE * 1.2) * 0.9
    assert step(below, remaining=16) == pytest.approx(PREV * 1.03 * 0.9)
    assert step(below, remaining=15) == pytest.approx(PREV * 1.03)


def test_prosperity_fires_just_below_the_lower_guardrail() -> None:
    lower = RATE * 0.8
    assert step(value_for_rate(lower) * (1 + 1e-9)) == pytest.approx(PREV * 1.03 * 1.1)
    assert step(value_for_rate(lower) * (1 - 1e-9)) == pytest.approx(PREV * 1.03)
    # prosperity applies in the last years too
    assert step(value_for_rate(lower) * 2, remaining=3) == pytest.approx(PREV * 1.03 * 1.1)


def test_parameters_are_configurable() -> None:
    w = Withdrawal(
        strategy=Strategy.GUYTON_KLINGER,
        initial_rate=0.05,
        capital_preservation_threshold=0.1,
        cut=0.25,
        max_inflation_raise=0.01,
    )
    # raise capped at 1%; rate 5.5% + a bit is above 5% * 1.1, so cut by 25%
    value = PREV * 1.01 / (RATE * 1.1) * (1 - 1e-9)
    assert step(value, w=w) == pytest.approx(PREV * 1.01 * 0.75)
