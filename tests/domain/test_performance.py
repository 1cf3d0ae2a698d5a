from __future__ import annotations

import math
from datetime import date

import numpy as np

from portfolioos.domain.analytics import annualized_volatility, cagr, max_drawdown
from portfolioos.domain.performance import time_weighted_returns, xirr


def test_xirr_reproduces_the_excel_documentation_example() -> None:
    # Microsoft Excel help, "XIRR function", example: -10,000 on 1/1/2008, then 2,750
    # (3/1/2008), 4,250 (10/30/2008), 3,250 (2/15/2009), 2,750 (4/1/2009) -> 0.373362535.
    flows = [
        (date(2008, 1, 1), -10000.0),
        (date(2008, 3, 1), 2750.0),
        (date(2008, 10, 30), 4250.0),
        (date(2009, 2, 15), 3250.0),
        (date(2009, 4, 1), 2750.0),
    ]
    # Excel iterates "until the result is accurate within 0.000001 percent"; the exact
    # root is 0.37336253352, within that tolerance of the published 0.373362535.
    assert abs(xirr(flows) - 0.373362535) <= 0.373362535 * 1e-8
    assert round(xirr(flows), 8) == 0.37336253
    assert math.isnan(xirr([(date(2020, 1, 1), 100.0), (date(2021, 1, 1), 50.0)]))


def test_xirr_of_a_simple_year_is_its_return() -> None:
    assert abs(xirr([(date(2021, 1, 1), -100.0), (date(2022, 1, 1), 110.0)]) - 0.1) < 1e-9


def test_twr_ignores_deposits() -> None:
    # 100 grows 10%, then 1,000 is deposited, then everything grows 10% again: TWR 21%.
    values = np.array([100.0, 110.0, 1110.0, 1221.0])
    flows = np.array([0.0, 0.0, 1000.0, 0.0])
    r = time_weighted_returns(values, flows)
    assert abs(np.prod(1 + r) - 1.21) < 1e-12


def test_analytics() -> None:
    assert abs(cagr([100.0, 121.0], 2.0) - 0.1) < 1e-12
    assert math.isnan(cagr([0.0, 1.0], 1.0))
    assert max_drawdown([100.0, 120.0, 90.0, 130.0]) == -0.25
    assert max_drawdown([1.0, 2.0, 3.0]) == 0.0
    assert (
        abs(
            annualized_volatility([0.01, -0.01, 0.01, -0.01], 4)
            - np.std([0.01, -0.01, 0.01, -0.01], ddof=1) * 2
        )
        < 1e-15
    )
