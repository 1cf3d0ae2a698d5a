"""SimulationService on a real data folder (config.sqlite)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from portfolioos.errors import Cancelled, NotFoundError, ValidationError
from portfolioos.progress import CancelToken

PLAN: dict[str, Any] = {
    "initial_portfolio": 500_000,
    "years": 25,
    "trials": 3000,
    "seed": 11,
    "allocation": {"stocks": 0.6, "bonds": 0.4},
    "returns": {
        "model": "lognormal",
        "stocks": {"mean": 0.07, "stdev": 0.16},
        "bonds": {"mean": 0.03, "stdev": 0.06},
    },
    "withdrawal": {"strategy": "vpw"},
}


def test_run_saved_scenario_remembers_last_result(ctx: Any, tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(PLAN))
    plan = ctx.simulation.load_plan(path)
    stored, changes = ctx.simulation.save_scenario("Early retirement", plan)
    assert changes.scenarios and stored.last_result is None
    assert ctx.simulation.scenario("early retirement").years == 25
    seen: list[float] = []
    result = ctx.simulation.run("Early retirement", progress=lambda f, m: seen.append(f))
    assert seen[-1] == 1.0
    assert result.trials == 3000
    row = ctx.simulation.stored_scenario("Early retirement")
    assert row.last_result is not None
    assert row.last_result["success_rate"] == result.success_rate
    assert row.last_result["scenario"] == "Early retirement"
    assert ctx.simulation.last_result()["success_rate"] == result.success_rate
    assert [s.name for s in ctx.simulation.list_scenarios()] == ["Early retirement"]


def test_saved_plan_reads_back_equal(ctx: Any) -> None:
    plan = ctx.simulation.parse_plan(PLAN)
    ctx.simulation.save_scenario("a", plan)
    again = ctx.simulation.scenario("A")
    assert again.to_dict() == {**plan.to_dict(), "name": "a"}
    ctx.simulation.delete_scenario("a")
    with pytest.raises(NotFoundError):
        ctx.simulation.scenario("a")


def test_last_result_survives_reopening(data_dir: Path) -> None:
    from portfolioos.services.context import AppContext

    with AppContext.open(data_dir) as first:
        result = first.simulation.run(first.simulation.parse_plan(PLAN), trials=500)
    with AppContext.open(data_dir, writer=False) as second:
        summary = second.simulation.last_result()
    assert summary is not None and summary["trials"] == 500
    assert summary["success_rate"] == result.success_rate
    assert summary["strategy"] == "vpw"


def test_overrides_cancel_and_errors(ctx: Any, tmp_path: Path) -> None:
    plan = ctx.simulation.parse_plan(PLAN)
    small = ctx.simulation.run(plan, trials=100, seed=3)
    assert (small.trials, small.seed) == (100, 3)
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        ctx.simulation.run(plan, cancel=token)
    bad = tmp_path / "bad.toml"
    bad.write_text("years = -3\ninitial_portfolio = 1000\n")
    with pytest.raises(ValidationError) as err:
        ctx.simulation.load_plan(bad)
    assert err.value.field == "years" and "bad.toml" in err.value.message
    points = ctx.simulation.sensitivity(plan, "equity_share", [0.2, 0.8], trials=300)
    assert [p.value for p in points] == [0.2, 0.8]
    grid = ctx.simulation.grid(plan, "withdrawal_rate", [0.03, 0.05], "years", [20, 30], trials=200)
    assert len(grid.success_rate) == 2 and len(grid.success_rate[0]) == 2
