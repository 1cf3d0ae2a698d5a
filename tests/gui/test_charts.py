"""Charts on synthetic data: what they draw, what the hover says, ranges, themes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QWidget

from portfolioos.gui.charts import (
    AllocationChart,
    FanChart,
    HeatMap,
    HistogramChart,
    LineChart,
    PriceChart,
    TimeSeriesChart,
)
from portfolioos.gui.charts.base import ValueAxis, tick_text, to_epoch
from portfolioos.gui.charts.timeseries import range_start
from portfolioos.gui.theme import apply_theme

DAY = 86400.0


def days(n: int, end: str = "2026-11-24") -> np.ndarray:
    return np.arange(np.datetime64(end) - n + 1, np.datetime64(end) + 1)


def show(qtbot, widget, size=(800, 400)):  # type: ignore[no-untyped-def]
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)
    widget.grab()  # paint once: errors in paint code surface here
    return widget


@pytest.fixture
def dark_theme(qapp) -> Iterator[None]:  # type: ignore[no-untyped-def]
    apply_theme(qapp, "dark")
    yield
    apply_theme(qapp, "light")


def test_axis_ticks_read_as_money_percent_and_years(qapp) -> None:  # type: ignore[no-untyped-def]
    axis = ValueAxis("left", "money")
    assert axis.tickStrings([1_000_000, 1_250_000, 1_500_000], 1.0, 250_000) == [
        "$1M",
        "$1.25M",
        "$1.5M",
    ]
    assert axis.tickStrings([500_000, 1_000_000, 1_500_000], 1.0, 500_000) == [
        "$500K",
        "$1M",
        "$1.5M",
    ]
    assert tick_text(0.125, 0.025, "percent") == "12.5%"
    assert tick_text(0.1, 0.1, "percent") == "10%"
    assert tick_text(2040, 5, "year") == "2040"
    assert tick_text(30_000_000, 10_000_000, "count") == "30M"
    with pytest.raises(ValueError, match="unknown axis kind"):
        axis.set_kind("bogus")


def test_to_epoch_accepts_dates_and_datetime64() -> None:
    a = to_epoch([dt.date(2024, 1, 1), dt.date(2024, 1, 2)])
    b = to_epoch(np.array(["2024-01-01", "2024-01-02"], dtype="datetime64[D]"))
    assert list(a) == list(b) == [1704067200.0, 1704067200.0 + DAY]


def test_range_starts() -> None:
    last = dt.date(2026, 3, 31)
    assert range_start(last, "1M") == dt.date(2026, 2, 28)  # clamped to the month's end
    assert range_start(last, "YTD") == dt.date(2026, 1, 1)
    assert range_start(last, "5Y") == dt.date(2021, 3, 31)
    assert range_start(last, "All") is None


def test_time_series_ranges_benchmark_and_hover(qtbot) -> None:  # type: ignore[no-untyped-def]
    d = days(2000)
    rng = np.random.default_rng(0)
    worth = 500_000 * np.exp(np.cumsum(rng.normal(0, 0.01, len(d))))
    bench = 4000 * np.exp(np.cumsum(rng.normal(0, 0.01, len(d))))
    chart = show(qtbot, TimeSeriesChart("Net worth"))
    chart.set_data(d, {"Net worth": worth})
    chart.set_benchmark("S&P 500", d, bench)
    x = to_epoch(d)
    button = next(b for b in chart.buttons.buttons() if b.text() == "1Y")
    with qtbot.waitSignal(chart.range_changed) as blocker:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["1Y"] and button.isChecked()
    lo, hi = chart.visible_x_range()
    start = to_epoch([np.datetime64("2025-11-24")])[0]
    assert abs(lo - start) < 10 * DAY and abs(hi - x[-1]) < 10 * DAY
    # The benchmark starts where net worth starts at the left edge of the window.
    i = int(np.searchsorted(x, start))
    assert chart.benchmark_values()[i] == pytest.approx(worth[i])
    assert chart.benchmark_values()[-1] == pytest.approx(bench[-1] * worth[i] / bench[i])
    chart.set_range("All")
    assert chart.benchmark_values()[0] == pytest.approx(worth[0])
    # Hover through a real scene position: the readout names the date and both values.
    vb = chart.plot.getViewBox()
    scene_pos = vb.mapViewToScene(QPointF(x[-30], float(worth[-30])))
    chart.plot.scene().sigMouseMoved.emit(scene_pos)
    text = chart.readout.text()
    day = dt.date(2026, 11, 24) - dt.timedelta(days=29)
    assert f"{day:%b} {day.day}, {day.year}" in text
    assert f"${round(worth[-30]):,}" in text and "S&amp;P 500" in text
    assert chart.vline.isVisible()
    chart.hover_at(None)
    assert not chart.vline.isVisible() and "Nov 24, 2026" in chart.readout.text()
    chart.grab()


def test_time_series_updates_in_place(qtbot) -> None:  # type: ignore[no-untyped-def]
    chart = show(qtbot, TimeSeriesChart(value_kind="percent", ranges=False))
    d = days(100)
    chart.set_data(d, {"Taxable": np.linspace(0, 0.1, 100), "IRA": np.linspace(0, 0.2, 100)})
    first = chart._items["Taxable"]
    chart.set_data(d, {"Taxable": np.linspace(0, 0.3, 100)})
    assert list(chart._items) == ["Taxable"] and chart._items["Taxable"] is first
    assert first.yData[-1] == pytest.approx(0.3)
    assert "30.00%" in chart.readout.text()
    assert not chart.buttons.buttons()
    with pytest.raises(ValueError, match="has 3 values"):
        chart.set_data(d, {"x": [1, 2, 3]})


class PaintCounter(QObject):
    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.widths: list[float] = []
        self.axis: ValueAxis | None = None
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.axis is not None:
            self.widths.append(self.axis.width())
        return False


def test_time_series_paints_new_data_once_at_its_final_axis_width(qtbot) -> None:  # type: ignore[no-untyped-def]
    """pyqtgraph finds the y range and the labels' width while painting; unsettled,
    they made the chart paint three or four times over (~20 ms each) after set_data."""
    chart = show(qtbot, TimeSeriesChart("Net worth"), size=(700, 450))
    qtbot.wait(50)
    counter = PaintCounter(chart.view.viewport())
    counter.axis = chart.y_axis
    narrow = chart.y_axis.width()
    rng = np.random.default_rng(1)
    chart.set_data(days(2200), {"Net worth": 1e5 + np.cumsum(rng.normal(100, 1000, 2200))})
    qtbot.waitUntil(lambda: len(counter.widths) >= 1)
    qtbot.wait(100)
    assert chart.y_axis.width() > narrow  # "$300K" needs more room than "0.8"
    assert counter.widths == [chart.y_axis.width()]


def fan_data(n: int = 31) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    years = np.arange(2026, 2026 + n)
    base = np.linspace(1e6, 2e6, n)
    pct = {p: base * (0.5 + p / 100) for p in (5, 10, 25, 50, 75, 90, 95)}
    return years, pct


def test_fan_chart_draws_the_given_percentiles(qtbot) -> None:  # type: ignore[no-untyped-def]
    chart = show(qtbot, FanChart("Plan"))
    years, pct = fan_data()
    chart.set_data(years, pct, success_rate=0.873, subtitle="Real (today's dollars)")
    assert chart.success_label.text() == "87.3% success"
    for p, curve in chart.curves.items():
        assert np.array_equal(curve.yData, pct[p])
    assert np.array_equal(chart.median.yData, pct[50])
    assert len(chart.fills) == 3
    chart.hover_at(2036)
    assert "2036" in chart.readout.text() and "median $1,333,333" in chart.readout.text()
    chart.hover_at(None)
    assert "Real" in chart.readout.text()
    del pct[90]
    with pytest.raises(ValueError, match=r"\[90\] missing"):
        chart.set_data(years, pct)
    chart.grab()


def test_allocation_chart_sorts_and_folds_the_tail(qtbot) -> None:  # type: ignore[no-untyped-def]
    chart = show(qtbot, AllocationChart("Allocation"), (700, 500))
    labels = [f"Class {i}" for i in range(18)]
    weights = np.arange(18, 0, -1, dtype=float)
    weights /= weights.sum()
    chart.set_data(labels[::-1], weights[::-1], values=list(weights[::-1] * 1000))
    assert len(chart.labels) == 15
    assert chart.labels[0] == "Class 0" and chart.labels[-1] == "Other (4)"
    assert chart.weights.sum() == pytest.approx(1.0)
    assert chart._texts[0].textItem.toPlainText() == "10.5%  ·  $105"
    # Text must fit: the x range leaves room right of the longest bar.
    _lo, hi = chart.plot.getViewBox().viewRange()[0]
    assert hi > chart.weights.max() * 1.05
    chart.set_data(["Stocks", "Bonds"], [0.6, 0.4])
    assert chart.labels == ["Stocks", "Bonds"] and not chart._texts[2].isVisible()
    chart.grab()


def test_histogram_shares_markers_and_clipping(qtbot) -> None:  # type: ignore[no-untyped-def]
    chart = show(qtbot, HistogramChart("Terminal wealth"))
    rng = np.random.default_rng(1)
    values = np.append(rng.lognormal(13, 0.5, 9_999), np.nan)
    chart.set_data(values, bins=30, markers={"Median": float(np.nanmedian(values))})
    assert chart.shares.sum() == pytest.approx(1.0)
    assert chart.edges[-1] == pytest.approx(np.nanpercentile(values, 99))
    assert "9,999 trials" in chart.readout.text() and "or more" in chart.readout.text()
    assert len(chart._markers) == 1 and chart._markers[0].value() == pytest.approx(
        float(np.nanmedian(values))
    )
    chart.set_data([], markers={})
    assert chart.shares.size == 0 and not chart._markers


def test_line_chart_series_legend_and_reference(qtbot) -> None:  # type: ignore[no-untyped-def]
    chart = show(qtbot, LineChart("Sensitivity", x_kind="percent", y_kind="percent"))
    x = np.linspace(0.03, 0.06, 7)
    chart.set_data(x, {"60% stocks": 1 - x * 5, "80% stocks": (x, 1 - x * 4)}, y_range=(0, 1))
    assert set(chart._items) == {"60% stocks", "80% stocks"}
    assert "60% stocks" in chart.readout.text()  # at rest the readout is the legend
    chart.hover_at(0.041)
    text = chart.readout.text()
    assert "4.00%" in text and "80.00%" in text and "84.00%" in text
    chart.set_reference(0.04, "current plan")
    assert chart.reference.isVisible() and chart.reference.value() == pytest.approx(0.04)
    with pytest.raises(ValueError, match="2 values for 7"):
        chart.set_data(x, {"bad": [1, 2]})
    chart.grab()


def test_heat_map_cells_and_labels(qtbot) -> None:  # type: ignore[no-untyped-def]
    chart = show(qtbot, HeatMap("Success"), (700, 500))
    rates = [0.03, 0.035, 0.04]
    stocks = [0.4, 0.6]
    grid = np.array([[0.99, 0.9, 0.75], [0.98, 0.93, 0.81]])
    chart.set_data(
        rates,
        stocks,
        grid,
        x_kind="percent",
        y_kind="percent",
        levels=(0, 1),
        x_label="Withdrawal rate",
        y_label="Stocks",
    )
    assert chart.cell_text(1, 2) == "81%" and chart.cell_text(0, 0) == "99%"
    assert chart.x_axis.labels == ["3.0%", "3.5%", "4.0%"]
    assert chart.y_axis.labels == ["40%", "60%"]
    with pytest.raises(ValueError, match="does not match"):
        chart.set_data(rates, stocks, grid.T)
    chart.grab()


def test_price_chart_candles_events_and_highlights(qtbot) -> None:  # type: ignore[no-untyped-def]
    chart = show(qtbot, PriceChart("AAPL"), (900, 450))
    d = days(40)
    close = np.linspace(100, 120, 40)
    open_ = close - np.where(np.arange(40) % 2, 1.0, -1.0)
    chart.set_data(d, close, open=open_, high=close + 2, low=close - 2, volume=np.full(40, 1e6))
    chart.set_mode("candle")
    assert chart.mode == "candle" and chart.up_bodies.isVisible() and not chart.line.isVisible()
    assert len(chart.up_bodies.opts["x"]) + len(chart.down_bodies.opts["x"]) == 40
    chart.set_events(dividends=[(d[10], 0.24)], splits=[(d[20], "4:1")])
    chart.set_highlights(gaps=[(d[5], d[7])], outliers=[d[30]])
    assert len(chart.split_lines) == 1 and len(chart.gap_regions) == 1
    _ox, oy = chart.outlier_marks.getData()
    assert oy[0] == pytest.approx(close[30])
    chart.hover_at(to_epoch([d[10]])[0])
    text = chart.readout.text()
    assert "Dividend $0.24" in text and "Vol 1M" in text and f"C ${close[10]:,.2f}" in text
    # Close-only data: candles are not offered.
    chart.set_data(d, close)
    assert chart.mode == "line" and not chart.volume_plot.isVisible()
    chart.set_mode("candle")
    assert chart.mode == "line"
    chart.grab()


def test_charts_follow_the_palette(qtbot, dark_theme) -> None:  # type: ignore[no-untyped-def]
    chart = show(qtbot, LineChart("Dark"))
    chart.set_data([0, 1, 2], {"a": [1, 2, 3]})
    base = QApplication.instance().palette().color(QPalette.ColorRole.Base)
    assert chart.view.backgroundBrush().color() == base
    assert base.lightness() < 80
    apply_theme(QApplication.instance(), "light")
    light = QApplication.instance().palette().color(QPalette.ColorRole.Base)
    qtbot.waitUntil(lambda: chart.view.backgroundBrush().color() == light, timeout=2000)


def test_every_chart_accepts_empty_data(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Pages show charts before their data arrives: empty input must draw, not raise."""
    empty = np.array([], dtype="datetime64[D]")
    ts = show(qtbot, TimeSeriesChart())
    ts.set_data(empty, {"Net worth": []})
    ts.set_range("1Y")
    ts.hover_at(0.0)
    fan = show(qtbot, FanChart())
    fan.set_data([], {p: [] for p in (5, 10, 25, 50, 75, 90, 95)})
    fan.hover_at(1.0)
    bars = show(qtbot, AllocationChart())
    bars.set_data([], [])
    hist = show(qtbot, HistogramChart())
    hist.set_data([np.nan])
    line = show(qtbot, LineChart())
    line.set_data([], {})
    line.hover_at(1.0)
    heat = show(qtbot, HeatMap())
    heat.set_data([], [], np.empty((0, 0)))
    price = show(qtbot, PriceChart())
    price.set_data(empty, [])
    price.hover_at(1.0)
    for chart in (ts, fan, bars, hist, line, heat, price):
        chart.grab()
