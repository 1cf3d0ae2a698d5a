"""A planner result as rows: one per plan year, its percentile paths as columns.

The same layout the planner page exports (portfolio value nominal and in today's money,
spending nominal and real, the share of trials depleted by that year), so a CSV from
the CLI and one from the window read alike.
"""

from __future__ import annotations

from typing import Any

from portfolioos.simulation.results import LABELS, SimulationResult


def simulation_columns() -> list[str]:
    return [
        "year",
        *(f"value_{p}" for p in LABELS),
        *(f"value_real_{p}" for p in LABELS),
        *(f"spending_{p}" for p in LABELS),
        *(f"spending_real_{p}" for p in LABELS),
        "depletion_probability",
    ]


def result_rows(result: SimulationResult) -> list[dict[str, Any]]:
    """Year 0 is the start; spending happens in years 0..years-1, so the last row has none."""
    rows: list[dict[str, Any]] = []
    for t in range(result.years + 1):
        row: dict[str, Any] = {"year": t}
        for p in LABELS:
            row[f"value_{p}"] = result.percentiles[p][t]
            row[f"value_real_{p}"] = result.percentiles_real[p][t]
        for p in LABELS:
            spends = t < len(result.spending_percentiles[p])
            row[f"spending_{p}"] = result.spending_percentiles[p][t] if spends else None
            row[f"spending_real_{p}"] = result.spending_percentiles_real[p][t] if spends else None
        row["depletion_probability"] = result.depletion_probability[t - 1] if t > 0 else 0.0
        rows.append(row)
    return rows
