"""How long GUI components take on the GUI thread: paging a 1,000,000-row ledger and
updating/painting each chart.

    PYTHONPATH=. python benchmarks/gui_components.py [--repeat 5]

Paging: a DuckDB table of 1,000,000 ledger-like rows; one page of 500 through
`PagedTableModel.fetchMore` (query + model insert) at the start, middle and end, by
OFFSET and by keyset, against the bare query as baseline. Charts: `set_data` + one
offscreen paint, against a bare pyqtgraph PlotWidget drawing the same arrays.
Best of `--repeat` runs (other sessions share the machine; timings are noisy).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import duckdb
import numpy as np
from PySide6.QtWidgets import QApplication

import portfolioos.gui  # noqa: F401  (refcount guard)
from portfolioos.gui import format as fmt
from portfolioos.gui.models.table import Col, PagedTableModel


def best_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return min(times)


@dataclass(frozen=True)
class Tx:
    id: int
    date: dt.date
    symbol: str
    quantity: Decimal
    amount: Decimal


COLUMNS = [
    Col("Date", "date", fmt.date_text),
    Col("Symbol", "symbol"),
    Col("Quantity", "quantity", fmt.shares),
    Col("Amount", "amount", fmt.money),
]


def paging(repeat: int) -> None:
    con = duckdb.connect()
    con.execute(
        """
        CREATE TABLE tx AS
        SELECT i AS id, DATE '2000-01-01' + CAST(i / 200 AS INTEGER) AS date,
               'SYM' || CAST(i % 500 AS VARCHAR) AS symbol,
               CAST((i % 1000) / 7.0 AS DECIMAL(38, 12)) AS quantity,
               CAST(i / 3.0 AS DECIMAL(38, 12)) AS amount
        FROM range(1000000) t(i)
        """
    )
    total = con.execute("SELECT count(*) FROM tx").fetchall()[0][0]

    def by_offset(offset: int, limit: int) -> list[Tx]:
        rows = con.execute(
            "SELECT * FROM tx ORDER BY id LIMIT ? OFFSET ?", [limit, offset]
        ).fetchall()
        return [Tx(*r) for r in rows]

    def by_keyset(offset: int, limit: int) -> list[Tx]:
        # A service would remember the last key; with dense ids it equals the offset.
        rows = con.execute(
            "SELECT * FROM tx WHERE id >= ? ORDER BY id LIMIT ?", [offset, limit]
        ).fetchall()
        return [Tx(*r) for r in rows]

    print(f"paging: {total:,} rows, page 500, best of {repeat}")
    for name, fetch in (("offset", by_offset), ("keyset", by_keyset)):
        for at in (0, 500_000, 999_500):
            model = PagedTableModel(COLUMNS, page_size=500)
            times = []
            for _ in range(repeat):
                model.beginResetModel()
                model._rows = [None] * at  # as if the earlier pages were loaded
                model._fetch, model._total = fetch, total
                model.endResetModel()
                start = time.perf_counter()
                model.fetchMore()  # query + rows + beginInsertRows/endInsertRows
                times.append((time.perf_counter() - start) * 1000)
            with_model = min(times)
            bare = best_ms(lambda at=at, fetch=fetch: fetch(at, 500), repeat)
            print(
                f"  {name:6} at {at:>7,}: query {bare:6.1f} ms, "
                f"fetchMore {with_model:6.1f} ms (x{with_model / bare:.2f} of the query)"
            )


def charts(repeat: int) -> None:
    import pyqtgraph as pg

    from portfolioos.gui.charts import FanChart, HeatMap, PriceChart, TimeSeriesChart

    rng = np.random.default_rng(1)
    print(f"charts: set_data + one paint (800x400), best of {repeat}")

    def bench(name: str, widget, update: Callable[[], None], baseline) -> None:
        """`update` + paint of our chart vs `baseline()` + paint of a bare PlotWidget."""
        bare = pg.PlotWidget()
        for w in (widget, bare):
            w.resize(800, 400)
            w.show()
        QApplication.processEvents()

        def ours() -> None:
            update()
            widget.grab()

        def theirs() -> None:
            bare.clear()
            baseline(bare)
            bare.grab()

        ms, base = best_ms(ours, repeat), best_ms(theirs, repeat)
        print(f"  {name:34} {ms:6.1f} ms   (bare PlotWidget {base:5.1f} ms, x{ms / base:.1f})")
        widget.close()
        bare.close()

    for n in (2_000, 10_000):
        dates = np.arange(np.datetime64("2000-01-01"), np.datetime64("2000-01-01") + n)
        x = np.arange(n, dtype=float)
        values = 1e6 * np.exp(np.cumsum(rng.normal(0, 0.01, n)))
        chart = TimeSeriesChart("Net worth")
        bench(
            f"TimeSeriesChart {n:,} days + bench",
            chart,
            lambda c=chart, d=dates, v=values: (
                c.set_data(d, {"Net worth": v}),
                c.set_benchmark("Bench", d, v[::-1]),
            ),
            lambda b, x=x, v=values: (b.plot(x, v), b.plot(x, v[::-1])),
        )

    years = np.arange(2026, 2066)
    pct = {p: np.linspace(1e6, 3e6 * (0.5 + p / 100), 40) for p in (5, 10, 25, 50, 75, 90, 95)}
    fan = FanChart("Plan")
    bench(
        "FanChart 40 years",
        fan,
        lambda: fan.set_data(years, pct, success_rate=0.9),
        lambda b: [b.plot(years.astype(float), p) for p in pct.values()],
    )

    heat = HeatMap("Grid")
    grid = rng.random((15, 15))
    axis = np.linspace(0.03, 0.065, 15)
    bench(
        "HeatMap 15x15 with cell text",
        heat,
        lambda: heat.set_data(axis, axis, grid, x_kind="percent", y_kind="percent"),
        lambda b: b.addItem(pg.ImageItem(grid)),
    )

    n = 1250
    days = np.arange(np.datetime64("2021-01-01"), np.datetime64("2021-01-01") + n)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, n)))
    open_ = close * (1 + rng.normal(0, 0.005, n))
    high, low = np.maximum(open_, close) * 1.01, np.minimum(open_, close) * 0.99
    volume = rng.random(n) * 1e6
    price = PriceChart("X")

    def update_price() -> None:
        price.set_data(days, close, open=open_, high=high, low=low, volume=volume)
        price.set_mode("candle")

    bench(
        "PriceChart 1,250 candles + volume",
        price,
        update_price,
        lambda b: b.plot(np.arange(n, dtype=float), close),
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    from portfolioos.gui.theme import apply_theme

    apply_theme(app, "light")
    paging(args.repeat)
    charts(args.repeat)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
