"""Render every reusable GUI component with realistic synthetic data to PNG, offscreen.

    PYTHONPATH=. python scripts/gallery.py [--out /tmp/gallery] [--theme light|dark|both]
                                           [--only NAME ...]

For looking at components before the pages exist (clipped text, axes, alignment,
themes). No services, no data folder: the data is made up here with a fixed seed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QTableView,
    QVBoxLayout,
    QWidget,
)

RNG_SEED = 7


def _walk(n: int, start: float, drift: float, vol: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return start * np.exp(np.cumsum(rng.normal(drift, vol, n)))


def timeseries() -> QWidget:
    from portfolioos.gui.charts import TimeSeriesChart

    dates = np.arange(np.datetime64("2019-01-02"), np.datetime64("2026-11-25"))
    nw = _walk(len(dates), 420_000, 0.0003, 0.008, 1) + np.linspace(0, 300_000, len(dates))
    bench = _walk(len(dates), 2500, 0.00035, 0.011, 2)
    chart = TimeSeriesChart("Net worth")
    chart.set_data(dates, {"Net worth": nw})
    chart.set_benchmark("S&P 500", dates, bench)
    chart.set_range("5Y")
    chart.resize(1000, 420)
    return chart


def timeseries_hover() -> QWidget:
    chart = timeseries()
    chart.set_range("1Y")  # type: ignore[attr-defined]
    chart.show()
    QApplication.processEvents()
    x = chart._x  # type: ignore[attr-defined]
    chart.hover_at(float(x[-90]))  # type: ignore[attr-defined]
    return chart


def fan() -> QWidget:
    from portfolioos.gui.charts import FanChart

    rng = np.random.default_rng(RNG_SEED)
    years = np.arange(2026, 2057)
    t = years - years[0]
    paths = 1_200_000 * np.exp(
        np.cumsum(rng.normal(0.045, 0.12, (5000, len(years))), axis=1)
    ) - np.outer(np.ones(5000), t * 55_000)
    paths[:, 0] = 1_200_000
    paths = np.maximum(paths, 0)
    pct = {p: np.percentile(paths, p, axis=0) for p in (5, 10, 25, 50, 75, 90, 95)}
    chart = FanChart("Projected portfolio")
    chart.set_data(years, pct, success_rate=float((paths[:, -1] > 0).mean()), subtitle="Nominal")
    chart.resize(1000, 440)
    return chart


def allocation(n: int = 7) -> Callable[[], QWidget]:
    def make() -> QWidget:
        from portfolioos.gui.charts import AllocationChart

        names = [
            "US large cap equity",
            "International developed",
            "US bonds",
            "Emerging markets",
            "Cash",
            "Real estate (REITs)",
            "US small cap",
            "TIPS",
            "Gold",
            "Crypto",
            "Municipal bonds",
            "High yield bonds",
            "Commodities",
            "Private equity",
            "Money market",
            "Other stock",
            "Collectibles",
            "Annuity",
        ][:n]
        rng = np.random.default_rng(n)
        w = rng.dirichlet(np.ones(n) * 0.8)
        total = 1_254_300
        chart = AllocationChart("Allocation by asset class")
        chart.resize(720, 80 + 28 * min(n, 15))
        chart.set_data(names, w, values=[Decimal(str(round(x * total, 2))) for x in w])
        return chart

    return make


def histogram() -> QWidget:
    from portfolioos.gui.charts import HistogramChart

    rng = np.random.default_rng(3)
    wealth = np.maximum(rng.lognormal(np.log(1_500_000), 0.8, 10_000) - 300_000, 0)
    chart = HistogramChart("Terminal wealth")
    chart.set_data(
        wealth,
        markers={"Median": float(np.median(wealth)), "5th pct": float(np.percentile(wealth, 5))},
    )
    chart.resize(900, 380)
    return chart


def depletion() -> QWidget:
    from portfolioos.gui.charts import LineChart

    years = np.arange(0, 41)
    chart = LineChart("Depleted by year", x_kind="year", y_kind="percent")
    series = {}
    for rate, k in (("3.5% withdrawal", 0.6), ("4% withdrawal", 1.0), ("5% withdrawal", 1.8)):
        series[rate] = np.clip(k * 0.25 / (1 + np.exp(-(years - 30 / k) / 4)), 0, 1)
    chart.set_data(years, series, y_range=(0, 0.5))
    chart.resize(900, 380)
    return chart


def sensitivity() -> QWidget:
    from portfolioos.gui.charts import LineChart

    rates = np.linspace(0.025, 0.07, 19)
    chart = LineChart(
        "Success rate by withdrawal rate", x_kind="percent", y_kind="percent", markers=True
    )
    chart.set_data(
        rates,
        {
            f"{s}% stocks": 1 / (1 + np.exp((rates - (0.045 + s / 4000)) / 0.006))
            for s in (40, 60, 80)
        },
        y_range=(0, 1),
    )
    chart.set_reference(0.04, "current plan 4%")
    chart.resize(900, 380)
    return chart


def heatmap() -> QWidget:
    from portfolioos.gui.charts import HeatMap

    rates = np.round(np.arange(0.03, 0.0651, 0.005), 4)
    stocks = np.arange(0.2, 1.01, 0.1)
    grid = np.array(
        [[1 / (1 + np.exp((r - (0.04 + s / 50)) / 0.005)) for r in rates] for s in stocks]
    )
    chart = HeatMap("Success rate")
    chart.set_data(
        rates,
        stocks,
        grid,
        x_kind="percent",
        y_kind="percent",
        value_kind="percent",
        x_label="Withdrawal rate",
        y_label="Stock allocation",
        levels=(0, 1),
    )
    chart.resize(900, 480)
    return chart


def price(mode: str) -> Callable[[], QWidget]:
    def make() -> QWidget:
        from portfolioos.gui.charts import PriceChart

        n = 260 if mode == "line" else 70
        days = np.busday_offset("2026-11-24", np.arange(-n + 1, 1), roll="backward")
        close = _walk(n, 180, 0.0005, 0.015, 5)
        rng = np.random.default_rng(6)
        open_ = close * (1 + rng.normal(0, 0.006, n))
        high = np.maximum(open_, close) * (1 + np.abs(rng.normal(0, 0.005, n)))
        low = np.minimum(open_, close) * (1 - np.abs(rng.normal(0, 0.005, n)))
        volume = rng.lognormal(np.log(3e7), 0.35, n)
        chart = PriceChart("AAPL · Apple Inc.")
        chart.set_data(days, close, open=open_, high=high, low=low, volume=volume)
        chart.set_mode(mode)
        chart.set_events(
            dividends=[(days[i], 0.25) for i in range(10, n, 63)],
            splits=[(days[n // 2], "4:1")],
        )
        chart.set_highlights(gaps=[(days[n // 3], days[n // 3 + 4])], outliers=[days[-12]])
        chart.resize(1000, 480)
        return chart

    return make


def widgets() -> QWidget:
    from portfolioos.gui.widgets import EmptyState, ErrorBanner, FilterBar, MetricCard

    page = QWidget()
    layout = QVBoxLayout(page)
    banner = ErrorBanner()
    banner.show_message(
        "No secure keychain: keys are kept for this session only.", action="Learn more"
    )
    layout.addWidget(banner)
    cards = QGridLayout()
    specs = [
        ("Net worth", Decimal("1254300.12"), Decimal("12873.40"), 0.0104),
        ("Today's change", Decimal("-3421.77"), None, -0.0027),
        ("Unrealized gain", Decimal("310882.05"), Decimal("310882.05"), 0.3301),
        ("Cash", Decimal("48210"), Decimal("0"), 0.0),
    ]
    for i, (title, value, amount, fraction) in enumerate(specs):
        card = MetricCard(title)
        card.set_value(value, change=amount, fraction=fraction, note="vs. yesterday")
        cards.addWidget(card, 0, i)
    layout.addLayout(cards)
    bar = FilterBar()
    bar.set_accounts(["Taxable brokerage", "Roth IRA", "401(k)"])
    bar.set_types(["buy", "sell", "dividend", "reinvest", "fee", "split", "deposit"])
    layout.addWidget(bar)
    empty = EmptyState(
        "No transactions yet",
        "Import a CSV or OFX file from your broker to get started.",
        "Import file…",
    )
    layout.addWidget(empty, 1)
    page.resize(1100, 520)
    return page


def progress() -> QWidget:
    from portfolioos.gui.widgets import BusyOverlay, ProgressPanel

    page = QWidget()
    layout = QVBoxLayout(page)
    panel = ProgressPanel()
    panel.set_progress(0.42, "Importing transactions… 21,000 of 50,000 rows")
    panel.setVisible(True)
    layout.addWidget(panel)
    table = QTableView()
    layout.addWidget(table, 1)
    overlay = BusyOverlay(table, delay_ms=0)
    overlay.start("Loading ledger…")
    page.resize(900, 360)
    return page


def tables() -> QWidget:
    from portfolioos.gui.models.table import Col, RowTableModel

    @dataclass(frozen=True)
    class Holding:
        symbol: str
        name: str
        shares: Decimal
        price: Decimal
        value: Decimal
        gain: Decimal
        gain_pct: float
        acquired: dt.date

    from portfolioos.gui import format as fmt

    rng = np.random.default_rng(11)
    names = [
        ("AAPL", "Apple Inc."),
        ("MSFT", "Microsoft Corporation"),
        ("VTI", "Vanguard Total Stock"),
        ("BND", "Vanguard Total Bond Market"),
        ("BRK.B", "Berkshire Hathaway Inc. Class B"),
        ("NVDA", "NVIDIA Corporation"),
        ("VXUS", "Vanguard Total International"),
        ("GOOGL", "Alphabet Inc. Class A"),
        ("TSLA", "Tesla, Inc."),
        ("SCHD", "Schwab US Dividend"),
    ]
    rows = []
    for sym, name in names:
        shares = Decimal(str(round(float(rng.uniform(1, 2500)), 3)))
        price_ = Decimal(str(round(float(rng.uniform(20, 900)), 2)))
        value = shares * price_
        gain = (value * Decimal(str(round(float(rng.uniform(-0.3, 0.8)), 3)))).quantize(
            Decimal("0.01")
        )
        rows.append(
            Holding(
                sym,
                name,
                shares,
                price_,
                value,
                gain,
                float(gain / (value - gain)),
                dt.date(2020, 1, 1) + dt.timedelta(days=int(rng.integers(0, 1800))),
            )
        )
    cols = [
        Col("Symbol", "symbol"),
        Col("Name", "name"),
        Col("Shares", "shares", fmt.shares),
        Col("Price", "price", fmt.money),
        Col("Market value", "value", fmt.money),
        Col("Unrealized", "gain", lambda v: fmt.money(v, signed=True), tone=True),
        Col("Gain %", "gain_pct", lambda v: fmt.percent(v, signed=True), tone=True),
        Col("Acquired", "acquired", fmt.date_text),
    ]
    model = RowTableModel(cols, rows)
    view = QTableView()
    view.setModel(model)
    view.setSortingEnabled(True)
    view.sortByColumn(4, __import__("PySide6.QtCore").QtCore.Qt.SortOrder.DescendingOrder)
    view.resizeColumnsToContents()
    view.horizontalHeader().setStretchLastSection(True)
    view.verticalHeader().hide()
    view.resize(1000, 380)
    view._model = model  # type: ignore[attr-defined]  # keep alive
    return view


COMPONENTS: dict[str, Callable[[], QWidget]] = {
    "timeseries": timeseries,
    "timeseries_hover": timeseries_hover,
    "fan": fan,
    "allocation_2": allocation(2),
    "allocation_7": allocation(7),
    "allocation_18": allocation(18),
    "histogram": histogram,
    "depletion": depletion,
    "sensitivity": sensitivity,
    "heatmap": heatmap,
    "price_line": price("line"),
    "price_candles": price("candle"),
    "widgets": widgets,
    "progress": progress,
    "table": tables,
}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="/tmp/gallery")
    parser.add_argument("--theme", default="both", choices=["light", "dark", "both"])
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args()
    from portfolioos.gui.theme import apply_theme

    app = QApplication.instance() or QApplication([])
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    themes = ["light", "dark"] if args.theme == "both" else [args.theme]
    keep = []
    for theme in themes:
        apply_theme(app, theme)
        for name, make in COMPONENTS.items():
            if args.only and name not in args.only:
                continue
            widget = make()
            widget.show()
            for _ in range(3):
                app.processEvents()
            path = out / f"{name}-{theme}.png"
            widget.grab().save(str(path))
            print(path)
            keep.append(widget)
            widget.close()
    sys.stdout.flush()
    # PySide6 6.12 can crash while garbage-collecting widgets at interpreter exit;
    # the PNGs are written, so leave without the teardown.
    os._exit(0)


if __name__ == "__main__":
    raise SystemExit(main())
