"""Plan parsing: the issue's shape is accepted; mistakes are refused by field name."""

from __future__ import annotations

import json
from typing import Any

import pytest

from portfolioos.errors import ValidationError
from portfolioos.simulation.scenario import (
    AccountsRef,
    ReturnModel,
    Strategy,
    from_json,
    from_mapping,
    from_toml,
)

ISSUE_PLAN = """
{"initial_portfolio": 1000000, "years": 30, "trials": 10000, "seed": 42,
 "allocation": {"stocks": 0.75, "bonds": 0.25},
 "returns": {"model": "lognormal", "stocks": {"mean": 0.07, "stdev": 0.16},
             "bonds": {"mean": 0.03, "stdev": 0.06}},
 "inflation": {"model": "fixed", "rate": 0.025},
 "withdrawal": {"strategy": "guyton_klinger", "initial_rate": 0.05},
 "life_events": [{"year": 5, "type": "expense", "amount": 50000}]}
"""


def test_the_issue_plan_is_accepted_and_round_trips() -> None:
    s = from_json(ISSUE_PLAN)
    assert s.initial_portfolio == 1_000_000 and s.years == 30 and s.trials == 10_000
    assert s.allocation.stocks == 0.75 and s.allocation.cash == 0.0
    assert s.returns.model is ReturnModel.LOGNORMAL and s.returns.bonds.stdev == 0.06
    assert s.withdrawal.strategy is Strategy.GUYTON_KLINGER
    assert s.withdrawal.cut == 0.10 and s.withdrawal.preservation_exception_years == 15
    assert s.life_events[0].recurring is False and s.life_events[0].inflation_adjusted
    assert from_mapping(json.loads(json.dumps(s.to_dict()))) == s


def test_toml_plans_read_the_same_as_json() -> None:
    toml = """
initial_portfolio = 1000000
years = 30
trials = 10000
seed = 42
life_events = [{year = 5, type = "expense", amount = 50000}]
[allocation]
stocks = 0.75
bonds = 0.25
[returns]
model = "lognormal"
stocks = {mean = 0.07, stdev = 0.16}
bonds = {mean = 0.03, stdev = 0.06}
[inflation]
model = "fixed"
rate = 0.025
[withdrawal]
strategy = "guyton_klinger"
initial_rate = 0.05
"""
    assert from_toml(toml) == from_json(ISSUE_PLAN)


def test_historical_shape_and_accounts_start() -> None:
    s = from_mapping(
        {
            "initial_portfolio": {"accounts": ["Brokerage", 3]},
            "returns": {"model": "historical"},
            "inflation": {"model": "historical"},
        }
    )
    assert s.initial_portfolio == AccountsRef(("Brokerage", 3))
    with pytest.raises(ValidationError) as err:
        _ = s.initial_amount
    assert err.value.field == "initial_portfolio"


def base() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(ISSUE_PLAN)
    return data


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.update(years=-5), "years"),
        (lambda d: d.update(years=2.5), "years"),
        (lambda d: d.update(trials=0), "trials"),
        (lambda d: d["withdrawal"].update(initial_rate=1.5), "withdrawal.initial_rate"),
        (lambda d: d["withdrawal"].update(strategy="yolo"), "withdrawal.strategy"),
        (lambda d: d["allocation"].update(stocks=0.8), "allocation"),
        (lambda d: d["allocation"].update(stocks=-0.1), "allocation.stocks"),
        (lambda d: d.update(colour="blue"), "colour"),
        (lambda d: d["returns"]["stocks"].update(stdv=0.1), "returns.stocks.stdv"),
        (lambda d: d["returns"].update(model="quantum"), "returns.model"),
        (lambda d: d["returns"].update(df=2), "returns.df"),
        (lambda d: d["inflation"].update(rate=0.9), "inflation.rate"),
        (lambda d: d.update(fees=0.5), "fees"),
        (lambda d: d["life_events"][0].update(year=30), "life_events[0].year"),
        (lambda d: d["life_events"][0].update(type="party"), "life_events[0].type"),
        (lambda d: d["life_events"][0].update(amount=-1), "life_events[0].amount"),
        (lambda d: d["life_events"][0].update(end_year=8), "life_events[0].end_year"),
        (lambda d: d["withdrawal"].update(floor=0.9), "withdrawal.floor"),
        (lambda d: d.update(initial_portfolio=0), "initial_portfolio"),
        (lambda d: d.update(initial_portfolio={"accounts": []}), "initial_portfolio.accounts"),
        (lambda d: d.update(seed="x"), "seed"),
    ],
)
def test_invalid_plans_name_the_field(change: Any, field: str) -> None:
    data = base()
    change(data)
    with pytest.raises(ValidationError) as err:
        from_mapping(data)
    assert err.value.field == field
    assert field in err.value.message


def test_historical_models_refuse_return_parameters() -> None:
    data = base()
    data["returns"]["model"] = "historical"
    with pytest.raises(ValidationError) as err:
        from_mapping(data)
    assert err.value.field == "returns.stocks"


def test_bad_json_says_where() -> None:
    with pytest.raises(ValidationError, match="line 1"):
        from_json("{years: 3}")


def test_hand_built_scenarios_are_checked_before_running() -> None:
    from portfolioos.simulation import engine
    from portfolioos.simulation.scenario import Allocation, Scenario

    with pytest.raises(ValidationError) as err:
        engine.run(Scenario(initial_portfolio=1e6, years=-1))
    assert err.value.field == "years"
    with pytest.raises(ValidationError) as err:
        engine.run(Scenario(initial_portfolio=1e6, allocation=Allocation(0.5, 0.2)))
    assert err.value.field == "allocation"
