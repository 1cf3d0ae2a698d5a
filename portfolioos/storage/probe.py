"""A tiny DuckDB round trip for `self-test`: can this build's DuckDB scan the two kinds
of in-memory tables the app hands it (pandas frames and Arrow tables)?"""

from __future__ import annotations

from typing import Any


def column_sums(frame: Any, arrow_table: Any, column: str = "x") -> tuple[float, float]:
    """Sum of `column` in a pandas frame and in an Arrow table, computed by DuckDB."""
    import duckdb

    con = duckdb.connect(":memory:")
    try:
        con.register("probe_frame", frame)
        con.register("probe_arrow", arrow_table)
        total = con.execute(f'SELECT sum("{column}") FROM probe_frame').fetchall()[0][0]
        arrow_total = con.execute(f'SELECT sum("{column}") FROM probe_arrow').fetchall()[0][0]
    finally:
        con.close()
    return float(total), float(arrow_total)
