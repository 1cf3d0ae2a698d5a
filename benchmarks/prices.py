"""Reading 10 years of daily closes for 500 symbols (~1.3M rows) for a net-worth history.

Target: <= 100 ms for `price_store.close_matrix` (days x symbols float64 matrix).
Baselines measured in the same run on the same table: a bare DuckDB count(*), and a
bare numpy fetch of the close column alone (the raw scan any reader has to pay).
The machine is shared, so each figure is the best of several runs.

    PYTHONPATH=. python benchmarks/prices.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portfolioos.market.calendar import trading_days
from portfolioos.storage import market_schema
from portfolioos.storage.duck import DuckDatabase
from portfolioos.storage.price_store import PriceStore, close_matrix

SYMBOLS = 500
START, END = date(2015, 1, 2), date(2024, 12, 31)
RUNS = 11
TARGET_MS = 100.0


def best_ms(fn: Callable[[], object], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return min(times)


def build(db: DuckDatabase) -> int:
    days = np.array(trading_days(START, END), dtype="datetime64[D]")
    rng = np.random.default_rng(0)
    symbols = [f"S{i:03d}" for i in range(SYMBOLS)]
    n = len(days)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, (SYMBOLS, n)), axis=1)).ravel()
    frame = pd.DataFrame(
        {
            "symbol": np.repeat(symbols, n),
            "date": np.tile(days, SYMBOLS),
            "open": close,
            "high": close * 1.01,
            "low": close * 0.99,
            "close": close,
            "adj_close": close,
            "volume": np.full(close.shape, 1000, dtype=np.int64),
            "currency": "USD",
            "source": "yahoo",
        }
    )
    return PriceStore(db).upsert_prices(frame)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        db = DuckDatabase(root / "market.duckdb", market_schema.MIGRATIONS, root / "backups")
        t0 = time.perf_counter()
        rows = build(db)
        db.execute("CHECKPOINT")
        print(
            f"built {rows:,} rows ({SYMBOLS} symbols x {rows // SYMBOLS} sessions) "
            f"in {time.perf_counter() - t0:.1f} s"
        )
        symbols = [f"S{i:03d}" for i in range(SYMBOLS)]

        matrix = close_matrix(db, symbols)
        assert matrix.closes.shape == (rows // SYMBOLS, SYMBOLS)
        assert not np.isnan(matrix.closes).any()

        count_ms = best_ms(lambda: db.fetchall("SELECT count(*) FROM price_history"))
        scan_ms = best_ms(lambda: db.execute("SELECT close FROM price_history").fetchnumpy())
        matrix_ms = best_ms(lambda: close_matrix(db, symbols, START, END))
        long_ms = best_ms(lambda: PriceStore(db).close_history(symbols, START, END), runs=3)
        db.close()

    print(f"baseline  count(*)                        {count_ms:8.1f} ms")
    print(f"baseline  numpy fetch of close column     {scan_ms:8.1f} ms")
    print(
        f"close_matrix (days x symbols, float64)    {matrix_ms:8.1f} ms   "
        f"{matrix_ms / scan_ms:.1f}x the bare close scan, {matrix_ms / count_ms:.0f}x count(*)"
    )
    print(f"close_history (long pandas frame)         {long_ms:8.1f} ms   (for comparison)")
    verdict = "PASS" if matrix_ms <= TARGET_MS else "FAIL"
    print(
        f"{verdict}: close_matrix {matrix_ms:.1f} ms vs target {TARGET_MS:.0f} ms (best of {RUNS})"
    )
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
