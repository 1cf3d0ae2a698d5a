"""Tiny DuckDB round trips for `self-test`: can this build's DuckDB scan the in-memory
tables the app hands it (pandas frames) and hand back exact decimals (the engine's
Arrow C stream read, storage/arrow_c.py)?"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

# 1.2e25 units: beyond 64 bits, so both halves of the 128-bit value must survive
EXACT_SAMPLE = Decimal("-12345678901234.123456789012")


def column_sums(frame: Any, column: str = "x") -> float:
    """Sum of `column` in a pandas frame, computed by DuckDB."""
    import duckdb

    con = duckdb.connect(":memory:")
    try:
        con.register("probe_frame", frame)
        total = con.execute(f'SELECT sum("{column}") FROM probe_frame').fetchall()[0][0]
    finally:
        con.close()
    return float(total)


def exact_decimals() -> list[int | None]:
    """EXACT_SAMPLE, 1e-12 and NULL read as DECIMAL(38,12) through the engine's reader,
    as integer 1e-12 units (expected: [-12345678901234123456789012, 1, None])."""
    import duckdb

    from portfolioos.storage.arrow_c import fetch
    from portfolioos.storage.ledger_store import unscaled_ints

    con = duckdb.connect(":memory:")
    try:
        rel = con.sql(
            "SELECT CAST(x AS DECIMAL(38,12)) AS x FROM (VALUES (?), ('0.000000000001'),"
            " (NULL)) v(x)",
            params=[str(EXACT_SAMPLE)],
        )
        return unscaled_ints(fetch(rel)["x"])
    finally:
        con.close()
