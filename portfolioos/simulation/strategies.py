"""Withdrawal strategies, vectorised across trials: one call per simulated year.

Each strategy sees, at the start of year t, the portfolio value before that year's
withdrawal and cash flows, the price level (1 at the start), last year's portfolio
growth factor (1 + return) and price growth (1 + inflation), and its own previous
withdrawal, and returns this year's nominal withdrawal for every trial.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from portfolioos.simulation.scenario import Allocation, Strategy, Withdrawal

FloatArray = npt.NDArray[np.float64]


class WithdrawalPolicy:
    """State for one block of trials; `step` must be called for t = 0, 1, 2, ..."""

    def __init__(self, w: Withdrawal, allocation: Allocation, initial: float, years: int) -> None:
        self.w = w
        self.years = years
        self.initial = initial
        self.initial_withdrawal = w.amount if w.amount is not None else w.initial_rate * initial
        # The rate Guyton-Klinger's guardrails are measured against.
        self.initial_rate = self.initial_withdrawal / initial
        self.vpw_rates = vpw_rates(w, allocation, years) if w.strategy is Strategy.VPW else None
        self.previous: FloatArray | None = None

    def step(
        self,
        t: int,
        value: FloatArray,
        price: FloatArray,
        last_growth: FloatArray | None,
        last_price_growth: FloatArray | None,
    ) -> FloatArray:
        w = self.w
        s = w.strategy
        if s is Strategy.CONSTANT_DOLLAR:
            out = price * self.initial_withdrawal
        elif s is Strategy.CONSTANT_PERCENTAGE:
            out = value * w.initial_rate
        elif s is Strategy.VPW:
            assert self.vpw_rates is not None
            out = value * self.vpw_rates[t]
        elif s is Strategy.FLOOR_CEILING:
            base = price * self.initial_withdrawal
            out = np.clip(value * w.initial_rate, base * w.floor, base * w.ceiling)
        else:
            if self.previous is None or last_growth is None or last_price_growth is None:
                out = np.full_like(value, self.initial_withdrawal)
            else:
                out = guyton_klinger_step(
                    w,
                    self.initial_rate,
                    self.years - t,
                    self.previous,
                    value,
                    last_growth,
                    last_price_growth,
                )
        if w.spending_floor is not None:
            out = np.maximum(out, price * w.spending_floor)
        if w.spending_ceiling is not None:
            out = np.minimum(out, price * w.spending_ceiling)
        self.previous = out
        return out


def guyton_klinger_step(
    w: Withdrawal,
    initial_rate: float,
    remaining: int,
    previous: FloatArray,
    value: FloatArray,
    last_growth: FloatArray,
    last_price_growth: FloatArray,
) -> FloatArray:
    """One year of Guyton & Klinger (2006) decision rules after the first year.

    - Inflation rule: last year's withdrawal grows with inflation (capped at
      `max_inflation_raise` if set), except after a year with a negative portfolio
      return when the withdrawal rate without a raise (previous / value) is above the
      initial rate. A skipped raise is never made up.
    - Capital preservation: if the resulting rate exceeds the initial rate by more
      than the threshold (20%), cut the withdrawal by `cut` (10%); not applied when
      `remaining` years (this one included) are at most `preservation_exception_years`.
    - Prosperity: if the rate is below the initial rate by more than the threshold
      (20%), raise it by `raise` (10%).
    Rates are compared strictly, so a rate exactly on a guardrail changes nothing.
    `last_growth` is 1 + last year's portfolio return, `last_price_growth` 1 + inflation.
    """
    raise_by = last_price_growth
    if w.max_inflation_raise is not None:
        raise_by = np.minimum(raise_by, 1.0 + w.max_inflation_raise)
    out = previous * raise_by
    if w.inflation_rule:
        frozen = last_growth < 1.0
        frozen &= previous > value * initial_rate
        np.copyto(out, previous, where=frozen)
    if remaining > w.preservation_exception_years:
        upper = value * (initial_rate * (1.0 + w.capital_preservation_threshold))
        np.multiply(out, 1.0 - w.cut, out=out, where=out > upper)
    lower = value * (initial_rate * (1.0 - w.prosperity_threshold))
    np.multiply(out, 1.0 + w.raise_rate, out=out, where=out < lower)
    return out


def vpw_rates(w: Withdrawal, allocation: Allocation, years: int) -> FloatArray:
    """Bogleheads VPW: the share of the portfolio that, spent at the start of each of the
    remaining years, exhausts it exactly at the end if it earns the expected real return
    of the allocation: Excel PMT(r, n, -1, 0, type=1) = r / ((1 + r) (1 - (1 + r)^-n))."""
    r = (
        allocation.stocks * w.stocks_real_return
        + allocation.bonds * w.bonds_real_return
        + allocation.cash * w.cash_real_return
    )
    n = np.arange(years, 0, -1, dtype=np.float64)
    if abs(r) < 1e-12:
        return 1.0 / n
    return r / ((1.0 + r) * (1.0 - (1.0 + r) ** -n))
