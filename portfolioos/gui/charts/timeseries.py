"""Lines over dates: net worth, performance against a benchmark, a FRED series.

Range buttons set the visible window back from the last date (1M/6M/YTD/1Y/5Y/All)
and the y axis follows the visible data. The optional benchmark is rescaled so it
starts where the first series starts at the left edge of the chosen range: "what the
same money would have done in the benchmark" over exactly the window on screen.
Hover moves a crosshair and writes the date and every series' value in the header.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QToolButton, QWidget

from portfolioos.gui import format as fmt
from portfolioos.gui.charts.base import (
    ChartBase,
    ValueAxis,
    epoch_to_date,
    render_axis,
    rich,
    swatch,
    to_epoch,
    value_text,
)
from portfolioos.gui.colors import series_color

RANGES = ("1M", "6M", "YTD", "1Y", "5Y", "All")
_MONTHS = {"1M": 1, "6M": 6, "1Y": 12, "5Y": 60}


def months_back(day: dt.date, months: int) -> dt.date:
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def range_start(last: dt.date, name: str) -> dt.date | None:
    """First day of the named window ending at `last`; None for All."""
    if name == "All":
        return None
    if name == "YTD":
        return dt.date(last.year, 1, 1)
    return months_back(last, _MONTHS[name])


class TimeSeriesChart(ChartBase):
    """One or more lines over dates with a date axis, crosshair and range buttons.

    `value_kind` is "money" (axis "$1.2M", readout "$1,234,567") or "percent" (values
    are fractions: 0.12 -> "12%").
    """

    range_changed = Signal(str)

    def __init__(
        self,
        title: str = "",
        *,
        value_kind: str = "money",
        currency: str = "USD",
        ranges: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(title, parent)
        self.value_kind = value_kind
        self.currency = currency
        self.y_axis = ValueAxis("left", value_kind, currency)
        self.x_axis = pg.DateAxisItem("bottom", utcOffset=0)
        self.plot = self.add_plot(axes={"left": self.y_axis, "bottom": self.x_axis}, mouse=True)
        self.plot.getViewBox().setAutoVisible(y=True)
        self._x = np.empty(0)
        self._series: dict[str, np.ndarray] = {}
        self._items: dict[str, pg.PlotDataItem] = {}
        self._bench_name = ""
        self._bench_x = np.empty(0)
        self._bench_y = np.empty(0)
        self._bench_item = pg.PlotDataItem()
        self._bench_item.setZValue(-1)
        self.range_name = "All"
        self.vline = pg.InfiniteLine(angle=90, movable=False)
        self.vline.setVisible(False)
        self.vline.setZValue(10)
        self.plot.addItem(self.vline, ignoreBounds=True)
        self.dots = pg.ScatterPlotItem(size=8)
        self.dots.setZValue(11)
        self.plot.addItem(self.dots, ignoreBounds=True)
        self.buttons = QButtonGroup(self)
        self.buttons.setExclusive(True)
        if ranges:
            for name in RANGES:
                button = QToolButton(self)
                button.setText(name)
                button.setCheckable(True)
                button.setAutoRaise(True)
                button.setObjectName(f"range-{name}")
                button.setChecked(name == "All")
                self.buttons.addButton(button)
                self.header.addWidget(button)
                button.clicked.connect(lambda _=False, n=name: self.set_range(n))
        self.plot.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.apply_theme()

    # -- data ------------------------------------------------------------------------
    def set_data(self, dates: Any, series: Mapping[str, Any] | Any, *, name: str = "") -> None:
        """Replace the lines. `series` maps a name to values (or is one array, `name`).

        `dates` is shared by all series (date objects, datetime64 or epoch seconds).
        NaN values leave gaps in the line.
        """
        self._x = to_epoch(dates)
        if not isinstance(series, Mapping):
            series = {name or "Value": series}
        self._series = {k: np.asarray(v, dtype=np.float64) for k, v in series.items()}
        for key, values in self._series.items():
            if len(values) != len(self._x):
                raise ValueError(
                    f"series {key!r} has {len(values)} values for {len(self._x)} dates"
                )
        for key in list(self._items):
            if key not in self._series:
                item = self._items.pop(key)
                self.plot.removeItem(item)
        for key, values in self._series.items():
            item = self._items.get(key)
            if item is None:
                item = pg.PlotDataItem(name=key, connect="finite")
                item.setClipToView(True)
                item.setDownsampling(auto=True, method="peak")
                # 2 px lines as line segments: ~2x faster to paint than one stroked path.
                item.curve.setSegmentedLineMode("on")
                self._items[key] = item
                self.plot.addItem(item)
            item.setData(self._x, values)
        self._color_items()
        self.set_range(self.range_name)
        self.hover_at(None)

    def set_benchmark(self, name: str, dates: Any, values: Any) -> None:
        """Draw `values` rescaled to the first series at the start of the visible range."""
        self._bench_name = name
        self._bench_x = to_epoch(dates)
        self._bench_y = np.asarray(values, dtype=np.float64)
        if self._bench_item not in self.plot.items:
            self.plot.addItem(self._bench_item)
        self._color_items()
        self.set_range(self.range_name)
        self.hover_at(None)

    def clear_benchmark(self) -> None:
        self._bench_name = ""
        self.plot.removeItem(self._bench_item)
        self._bench_item.setData([], [])
        self.hover_at(None)

    def benchmark_values(self) -> np.ndarray:
        """The benchmark as drawn (after rescaling), for tests and exports."""
        return np.asarray(self._bench_item.yData if self._bench_item.yData is not None else [])

    # -- ranges ----------------------------------------------------------------------
    def set_range(self, name: str) -> None:
        if name not in RANGES:
            raise ValueError(f"unknown range {name!r}; expected one of {RANGES}")
        self.range_name = name
        for button in self.buttons.buttons():
            button.setChecked(button.text() == name)
        if len(self._x) == 0:
            return
        first, last = float(np.nanmin(self._x)), float(np.nanmax(self._x))
        start = range_start(epoch_to_date(last), name)
        lo = first if start is None else max(first, to_epoch([start])[0])
        self._rescale_benchmark(lo)
        view = self.plot.getViewBox()
        view.enableAutoRange(axis=pg.ViewBox.YAxis)
        self.plot.setXRange(lo, last, padding=0.01)
        # The y range (auto, over the visible x) and the axis width it needs, settled
        # now: otherwise the next paint finds them and paints the chart again.
        view.prepareForPaint()
        render_axis(self.y_axis, measure_only=True)
        self.plot.layout.activate()
        view.prepareForPaint()  # the view's new size: the curve's downsampling follows it
        self.range_changed.emit(name)

    def render_axes(self) -> None:
        """Draw both axes' ticks and labels now (~10 ms for years of days), so that the
        next paint only replays them: a caller can give each its own event-loop turn."""
        render_axis(self.y_axis)
        render_axis(self.x_axis)

    def visible_x_range(self) -> tuple[float, float]:
        lo, hi = self.plot.getViewBox().viewRange()[0]
        return float(lo), float(hi)

    def _rescale_benchmark(self, lo: float) -> None:
        if not self._bench_name or not self._series or len(self._bench_x) == 0:
            return
        primary = next(iter(self._series.values()))
        i = min(int(np.searchsorted(self._x, lo)), len(self._x) - 1)
        j = min(int(np.searchsorted(self._bench_x, lo)), len(self._bench_x) - 1)
        p0, b0 = primary[i], self._bench_y[j]
        if not np.isfinite(p0) or not np.isfinite(b0) or b0 == 0:
            scaled = self._bench_y
        elif self.value_kind == "percent":
            scaled = (1.0 + p0) * (self._bench_y / b0) - 1.0
        else:
            scaled = self._bench_y * (p0 / b0)
        self._bench_item.setData(self._bench_x, scaled)

    # -- hover -----------------------------------------------------------------------
    def _on_mouse_moved(self, pos: QPointF) -> None:
        if len(self._x) == 0 or not self.plot.sceneBoundingRect().contains(pos):
            self.hover_at(None)
            return
        self.hover_at(self.plot.getViewBox().mapSceneToView(pos).x())

    def on_leave(self) -> None:
        self.hover_at(None)

    def hover_at(self, x: float | None) -> None:
        """Put the crosshair on the date nearest `x` (epoch seconds); None hides it."""
        if x is None or len(self._x) == 0:
            self.vline.setVisible(False)
            self.dots.setData([], [])
            self._show_latest()
            return
        i = int(np.clip(np.searchsorted(self._x, x), 0, len(self._x) - 1))
        if i > 0 and abs(self._x[i - 1] - x) < abs(self._x[i] - x):
            i -= 1
        xi = self._x[i]
        self.vline.setPos(xi)
        self.vline.setVisible(True)
        parts = [rich(fmt.date_long(epoch_to_date(xi)), bold=True)]
        spots = []
        for n, (key, values) in enumerate(self._series.items()):
            color = series_color(n, self.palette())
            value = value_text(values[i], self.value_kind, self.currency)
            parts.append(swatch(key, color) + " " + rich(value, bold=True))
            if np.isfinite(values[i]):
                spots.append({"pos": (xi, values[i]), "brush": pg.mkBrush(color), "pen": None})
        bench = self.benchmark_values()
        if self._bench_name and len(bench):
            j = int(
                np.clip(np.searchsorted(self._bench_x, xi, side="right") - 1, 0, len(bench) - 1)
            )
            color = self.theme()["muted"]
            value = value_text(bench[j], self.value_kind, self.currency)
            parts.append(swatch(self._bench_name, color) + " " + rich(value, color))
        self.dots.setData(spots)
        self.readout.setText("&nbsp;&nbsp;&nbsp;".join(parts))

    def _show_latest(self) -> None:
        if len(self._x) == 0:
            self.readout.setText("")
            return
        self.hover_at(float(self._x[-1]))
        self.vline.setVisible(False)
        self.dots.setData([], [])

    # -- theme -----------------------------------------------------------------------
    def _color_items(self) -> None:
        # Only the first series gets a 2 px pen: thin solid pens take Qt's fast path
        # (a dashed benchmark line alone cost ~30 ms per paint at 2,000 days).
        pal = self.palette()
        for n, item in enumerate(self._items.values()):
            item.setPen(pg.mkPen(series_color(n, pal), width=2 if n == 0 else 1))
        self._bench_item.setPen(pg.mkPen(self.theme()["muted"], width=1))

    def apply_theme(self) -> None:
        super().apply_theme()
        self.style_plot(self.plot)
        self.vline.setPen(pg.mkPen(self.theme()["axis"], width=1, style=Qt.PenStyle.DotLine))
        self._color_items()
        if hasattr(self, "_series"):
            self.hover_at(None)
