"""How the outcome moves with one parameter, or two (a heat map).

Every variant runs with the plan's seed, so all of them face the same simulated
markets (common random numbers): differences come from the parameter, not from noise.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from portfolioos.errors import ValidationError
from portfolioos.simulation import engine
from portfolioos.simulation.results import SimulationResult
from portfolioos.simulation.scenario import (
    InflationModel,
    ReturnModel,
    Scenario,
    from_mapping,
    set_path,
)

logger = logging.getLogger(__name__)

ProgressFn = Callable[[float, str], None]
CancelFn = Callable[[], None]

# Friendly names; any dotted path into the plan (e.g. `returns.bonds.mean`,
# `life_events[1].amount`, `withdrawal.cut`) works as well.
ALIASES: dict[str, str] = {
    "withdrawal_rate": "withdrawal.initial_rate",
    "equity_share": "allocation.stocks",
    "expected_return": "returns.stocks.mean",
    "inflation": "inflation.rate",
    "years": "years",
    "life_event_amount": "life_events[0].amount",
    "fees": "fees",
    "initial_portfolio": "initial_portfolio",
}


@dataclass(frozen=True, slots=True)
class SensitivityPoint:
    value: float
    result: SimulationResult

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, **self.result.summary()}


@dataclass(frozen=True, slots=True)
class Grid:
    x_param: str
    x_values: list[float]
    y_param: str
    y_values: list[float]
    success_rate: list[list[float]]  # [y][x]
    median_terminal_real: list[list[float]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "x_param": self.x_param,
            "x_values": self.x_values,
            "y_param": self.y_param,
            "y_values": self.y_values,
            "success_rate": self.success_rate,
            "median_terminal_real": self.median_terminal_real,
        }


def apply(s: Scenario, param: str, value: float) -> Scenario:
    """The plan with `param` set to `value`, validated like any plan."""
    path = ALIASES.get(param, param)
    if param == "equity_share":
        data = s.to_dict()
        cash = float(data["allocation"]["cash"])
        if not 0.0 <= value <= 1.0 - cash:
            raise ValidationError(
                f"equity_share: {value:g} is out of range; must be "
                f"0..{1.0 - cash:g} with {cash:g} in cash.",
                field=param,
            )
        data["allocation"].update({"stocks": value, "bonds": 1.0 - cash - value})
        return _reparse(data, param)
    if path.startswith(("returns.stocks", "returns.bonds")) and s.returns.model in (
        ReturnModel.HISTORICAL,
        ReturnModel.BOOTSTRAP,
    ):
        raise ValidationError(
            f"{param}: the {s.returns.model.value} return model replays "
            "history; choose a random model to vary returns.",
            field=param,
        )
    if path.startswith("inflation.") and s.inflation.model is InflationModel.HISTORICAL:
        raise ValidationError(f"{param}: historical inflation has no rate to vary.", field=param)
    if path.startswith("life_events") and not s.life_events:
        raise ValidationError(f"{param}: the plan has no life events.", field=param)
    if path == "initial_portfolio":
        if not value > 0:
            raise ValidationError(
                f"initial_portfolio: {value:g} is out of range; must be greater than 0.",
                field=param,
            )
        return s.with_initial(value)
    data = s.to_dict()
    set_path(data, path, int(value) if path == "years" and float(value).is_integer() else value)
    return _reparse(data, param)


def _reparse(data: dict[str, Any], param: str) -> Scenario:
    try:
        return from_mapping(data)
    except ValidationError as exc:
        raise ValidationError(f"{param}: {exc.message}", field=exc.field or param) from None


def sensitivity(
    s: Scenario,
    param: str,
    values: Sequence[float],
    *,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
    chunk_size: int = engine.DEFAULT_CHUNK,
) -> list[SensitivityPoint]:
    if not values:
        raise ValidationError("values: give at least one value.", field="values")
    variants = [apply(s, param, v) for v in values]  # refuse a bad value before running
    seed = s.seed if s.seed is not None else engine.fresh_seed()
    points: list[SensitivityPoint] = []
    for i, (value, variant) in enumerate(zip(values, variants, strict=True)):
        sub = _sub_progress(progress, i, len(values), f"{param} = {value:g}")
        result = engine.run(
            _seeded(variant, seed), progress=sub, cancel=cancel, chunk_size=chunk_size
        )
        points.append(SensitivityPoint(float(value), result))
    return points


def grid(
    s: Scenario,
    x_param: str,
    x_values: Sequence[float],
    y_param: str,
    y_values: Sequence[float],
    *,
    progress: ProgressFn | None = None,
    cancel: CancelFn | None = None,
    chunk_size: int = engine.DEFAULT_CHUNK,
) -> Grid:
    if not x_values or not y_values:
        raise ValidationError("values: give at least one value per parameter.", field="values")
    seed = s.seed if s.seed is not None else engine.fresh_seed()
    variants = [[apply(apply(s, x_param, x), y_param, y) for x in x_values] for y in y_values]
    success: list[list[float]] = []
    terminal: list[list[float]] = []
    total = len(x_values) * len(y_values)
    for j, row in enumerate(variants):
        success.append([])
        terminal.append([])
        for i, variant in enumerate(row):
            sub = _sub_progress(
                progress,
                j * len(x_values) + i,
                total,
                f"{x_param} = {x_values[i]:g}, {y_param} = {y_values[j]:g}",
            )
            result = engine.run(
                _seeded(variant, seed), progress=sub, cancel=cancel, chunk_size=chunk_size
            )
            success[-1].append(result.success_rate)
            terminal[-1].append(result.terminal_real["p50"])
    return Grid(
        x_param,
        [float(x) for x in x_values],
        y_param,
        [float(y) for y in y_values],
        success,
        terminal,
    )


def _seeded(s: Scenario, seed: int) -> Scenario:
    return replace(s, seed=seed)


def _sub_progress(
    progress: ProgressFn | None, index: int, count: int, label: str
) -> ProgressFn | None:
    if progress is None:
        return None
    outer = progress

    def inner(fraction: float, message: str) -> None:
        outer((index + fraction) / count, f"{label}: {message}")

    return inner
