"""CSV out: metadata as leading `#` comment lines, then a header and the rows.

The comment lines keep the file self-describing (when, which app version, accounts,
date range); PortfolioOS's own importer skips them as a preamble, so an exported
transactions CSV can be imported again.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from portfolioos.export.atomic import atomic_text
from portfolioos.export.rows import columns_of, csv_cell, defang, materialise


def write_csv(
    path: Path,
    rows: Iterable[Any],
    *,
    columns: Sequence[str] = (),
    metadata: Mapping[str, Any] | None = None,
) -> int:
    """Write rows atomically; returns how many were written."""
    mapped = materialise(rows)
    names = list(columns) if columns else columns_of(mapped)
    with atomic_text(path, newline="") as handle:
        for key, value in (metadata or {}).items():
            handle.write(f"# {key}: {defang(_meta_text(value))}\n")
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([defang(n) for n in names])
        for row in mapped:
            writer.writerow([csv_cell(row.get(n)) for n in names])
    return len(mapped)


def _meta_text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return "" if value is None else str(value)


def simulation_rows(
    paths: Mapping[str, Sequence[float]],
    index: Sequence[Any] | None = None,
    index_name: str = "step",
) -> list[dict[str, Any]]:
    """Percentile paths ({'p10': [...], 'p50': [...]}) as rows with one column per path."""
    length = max((len(v) for v in paths.values()), default=0)
    steps = list(index) if index is not None else list(range(length))
    out: list[dict[str, Any]] = []
    for i, step in enumerate(steps[:length]):
        row: dict[str, Any] = {index_name: step}
        for name, values in paths.items():
            row[str(name)] = values[i] if i < len(values) else None
        out.append(row)
    return out
