"""`portfolioos simulate` / `sensitivity` in a real subprocess."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PLAN = {
    "initial_portfolio": 1000000,
    "years": 30,
    "trials": 10000,
    "seed": 42,
    "allocation": {"stocks": 0.75, "bonds": 0.25},
    "returns": {
        "model": "lognormal",
        "stocks": {"mean": 0.07, "stdev": 0.16},
        "bonds": {"mean": 0.03, "stdev": 0.06},
    },
    "inflation": {"model": "fixed", "rate": 0.025},
    "withdrawal": {"strategy": "guyton_klinger", "initial_rate": 0.05},
    "life_events": [{"year": 5, "type": "expense", "amount": 50000}],
}


def write(tmp_path: Path, plan: dict[str, Any], name: str = "plan.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(plan))
    return str(path)


def test_simulate_json_has_the_contract_keys(run_cli: Any, tmp_path: Path) -> None:
    done = run_cli("simulate", "--config", write(tmp_path, PLAN), "--trials", "2000", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert 0.0 <= out["success_rate"] <= 1.0
    assert out["trials"] == 2000 and out["seed"] == 42
    assert set(out["percentiles"]) == {"p5", "p10", "p25", "p50", "p75", "p90", "p95"}
    assert all(len(v) == 31 for v in out["percentiles"].values())
    assert out["percentiles"]["p5"][10] <= out["percentiles"]["p50"][10]
    assert {"mean", "p50", "min", "max"} <= set(out["terminal"])
    again = run_cli("simulate", "--config", write(tmp_path, PLAN), "--trials", "2000", "--json")
    assert json.loads(again.stdout)["percentiles"] == out["percentiles"]


def test_simulate_historical_text_output(run_cli: Any, tmp_path: Path) -> None:
    plan = {
        "initial_portfolio": 1000000,
        "years": 30,
        "allocation": {"stocks": 0.75, "bonds": 0.25},
        "returns": {"model": "historical"},
        "inflation": {"model": "historical"},
        "withdrawal": {"strategy": "constant_dollar", "initial_rate": 0.04},
    }
    done = run_cli("simulate", "--config", write(tmp_path, plan), "--save", "trinity")
    assert done.returncode == 0, done.stderr
    assert "of 114 trials over 30 years" in done.stdout
    rerun = run_cli("simulate", "--scenario", "trinity", "--json")
    assert json.loads(rerun.stdout)["start_years"][0] == 1871


def test_invalid_plan_is_refused_naming_the_field(run_cli: Any, tmp_path: Path) -> None:
    bad = {**PLAN, "allocation": {"stocks": 0.7, "bonds": 0.2}}
    done = run_cli("simulate", "--config", write(tmp_path, bad))
    assert done.returncode == 1
    assert "allocation" in done.stderr and "sum to 1" in done.stderr
    bad = {**PLAN, "withdrawal": {"strategy": "spend_it_all"}}
    done = run_cli("simulate", "--config", write(tmp_path, bad))
    assert done.returncode == 1 and "withdrawal.strategy" in done.stderr


def test_sensitivity_json_and_grid(run_cli: Any, tmp_path: Path) -> None:
    path = write(tmp_path, PLAN)
    done = run_cli(
        "sensitivity",
        "--config",
        path,
        "--vary",
        "withdrawal_rate",
        "--values",
        "0.03,0.05,0.07",
        "--trials",
        "1000",
        "--json",
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["param"] == "withdrawal_rate"
    rates = [r["success_rate"] for r in out["results"]]
    assert [r["value"] for r in out["results"]] == [0.03, 0.05, 0.07]
    assert rates == sorted(rates, reverse=True)
    grid = run_cli(
        "sensitivity",
        "--config",
        path,
        "--vary",
        "withdrawal_rate",
        "--values",
        "0.03,0.05",
        "--grid",
        "equity_share",
        "--grid-values",
        "0.4,0.8",
        "--trials",
        "500",
        "--json",
    )
    assert grid.returncode == 0, grid.stderr
    assert len(json.loads(grid.stdout)["success_rate"]) == 2
    wrong = run_cli(
        "sensitivity", "--config", path, "--vary", "withdrawal_rate", "--values", "0.03,abc"
    )
    assert wrong.returncode == 1 and "--values" in wrong.stderr
