"""What the Planner page computes around the service, with no widgets in sight.

- `SENSITIVITY_PARAMS`: the parameters a user can vary, with the unit their values
  are typed in (percent for rates, plain for years and amounts).
- `compare_rows`: the side-by-side table of saved scenarios.
- `write_result_csv`: the export, one row per plan year, through the ExportService.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from portfolioos.errors import ValidationError
from portfolioos.services.context import AppContext
from portfolioos.simulation.results import LABELS, SimulationResult
from portfolioos.simulation.scenario import Scenario
from portfolioos.simulation.sensitivity import ALIASES


@dataclass(frozen=True, slots=True)
class Param:
    key: str  # the service's name (alias or dotted path)
    label: str
    kind: str  # "percent" (typed as %, stored as fraction), "number", "money", "year"
    default_values: str  # as typed in the values box


SENSITIVITY_PARAMS: tuple[Param, ...] = (
    Param("withdrawal_rate", "Withdrawal rate", "percent", "3, 3.5, 4, 4.5, 5, 5.5, 6"),
    Param("equity_share", "Stock share", "percent", "20, 40, 60, 80, 100"),
    Param("expected_return", "Expected stock return", "percent", "5, 6, 7, 8, 9, 10"),
    Param("inflation", "Inflation", "percent", "1, 2, 3, 4, 5"),
    Param("fees", "Fees", "percent", "0, 0.25, 0.5, 1, 1.5"),
    Param("years", "Years", "year", "20, 25, 30, 35, 40, 45"),
    Param("initial_portfolio", "Starting amount", "money", "500000, 750000, 1000000, 1500000"),
    Param("life_event_amount", "First life event's amount", "money", "0, 25000, 50000, 100000"),
)
PARAMS = {p.key: p for p in SENSITIVITY_PARAMS}


def parse_values(text: str, param: Param, field: str = "values") -> list[float]:
    """'3, 3.5, 4' typed in the param's unit -> plan values (percent -> fractions)."""
    values: list[float] = []
    for part in text.replace(";", ",").split(","):
        item = part.strip().rstrip("%").replace("$", "").replace("_", "").strip()
        if not item:
            continue
        try:
            number = float(item.replace(" ", ""))
        except ValueError:
            raise ValidationError(
                f"{field}: '{part.strip()}' is not a number; give a comma-separated list.",
                field=field,
            ) from None
        values.append(number / 100.0 if param.kind == "percent" else number)
    if not values:
        raise ValidationError(f"{field}: give at least one value.", field=field)
    if len(values) > 40:
        raise ValidationError(f"{field}: at most 40 values.", field=field)
    return values


def current_value(plan: Scenario, key: str) -> float | None:
    """The plan's own value of a sensitivity parameter (for a "this plan" marker)."""
    if key == "initial_portfolio":
        return plan.initial_portfolio if isinstance(plan.initial_portfolio, float) else None
    node: object = plan.to_dict()
    path = ALIASES.get(key, key)
    for part in path.replace("[", ".").replace("]", "").split("."):
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return float(node) if isinstance(node, int | float) and not isinstance(node, bool) else None


@dataclass(frozen=True, slots=True)
class CompareRow:
    name: str
    success_rate: float
    median_terminal_real: float
    p10_terminal_real: float
    median_first_spending: float
    median_last_spending_real: float
    probability_below_initial: float
    years: int
    trials: int


def compare_rows(results: Sequence[tuple[str, SimulationResult]]) -> list[CompareRow]:
    rows = []
    for name, r in results:
        spend = r.spending_percentiles["p50"]
        spend_real = r.spending_percentiles_real["p50"]
        rows.append(
            CompareRow(
                name=name,
                success_rate=r.success_rate,
                median_terminal_real=r.terminal_real["p50"],
                p10_terminal_real=r.terminal_real["p10"],
                median_first_spending=spend[0] if spend else 0.0,
                median_last_spending_real=spend_real[-1] if spend_real else 0.0,
                probability_below_initial=r.terminal_real["probability_below_initial"],
                years=r.years,
                trials=r.trials,
            )
        )
    return rows


def result_table(result: SimulationResult) -> tuple[list[str], list[list[float | int | str]]]:
    """Header and rows of the export: one row per plan year (0 = start)."""
    header = ["year"]
    header += [f"value_{label}" for label in LABELS]
    header += [f"value_real_{label}" for label in LABELS]
    header += [f"spending_{label}" for label in LABELS]
    header += [f"spending_real_{label}" for label in LABELS]
    header += ["depletion_probability"]
    rows: list[list[float | int | str]] = []
    for t in range(result.years + 1):
        row: list[float | int | str] = [t]
        row += [result.percentiles[label][t] for label in LABELS]
        row += [result.percentiles_real[label][t] for label in LABELS]
        spending = t < result.years
        row += [result.spending_percentiles[label][t] if spending else "" for label in LABELS]
        row += [result.spending_percentiles_real[label][t] if spending else "" for label in LABELS]
        row.append(result.depletion_probability[t - 1] if t > 0 else 0.0)
        rows.append(row)
    return header, rows


def write_result_csv(ctx: AppContext, path: str | Path, result: SimulationResult) -> Path:
    """Write the percentile paths through the ExportService (atomic, with metadata)."""
    target = Path(path)
    if target.suffix.lower() != ".csv":
        target = (
            target.with_suffix(target.suffix + ".csv")
            if target.suffix
            else target.with_suffix(".csv")
        )
    header, rows = result_table(result)
    years = [row[0] for row in rows]
    paths = {
        name: [None if row[i] == "" else row[i] for row in rows]  # type: ignore[misc]
        for i, name in enumerate(header[1:], start=1)
    }
    ctx.exports.simulation(target, paths, index=years, index_name="year")
    return target
