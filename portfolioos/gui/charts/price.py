"""A security's price: line or candlesticks, volume below, events and data problems marked.

Candles are two BarGraphItems (rising and falling bodies) plus one wick curve drawn
with connect="pairs", so redrawing 5 years of daily bars is three setData calls, not
a thousand items. Dividends are markers on the price, splits dashed vertical lines,
gaps shaded spans and outliers ringed points: the Markets page shows what the data
validator found, on the chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QButtonGroup, QToolButton, QWidget

from portfolioos.gui import format as fmt
from portfolioos.gui.charts.base import (
    ChartBase,
    ValueAxis,
    epoch_to_date,
    label_opts,
    rich,
    to_epoch,
)
from portfolioos.gui.colors import series_color, tone_color
from portfolioos.gui.format import Tone


class PriceChart(ChartBase):
    def __init__(
        self, title: str = "", *, currency: str = "USD", parent: QWidget | None = None
    ) -> None:
        super().__init__(title, parent)
        self.currency = currency
        self.mode = "line"
        self.price_axis = ValueAxis("left", "money", currency)
        self.volume_axis = ValueAxis("left", "count")
        self.price_plot = self.add_plot(
            0,
            axes={"left": self.price_axis, "bottom": pg.DateAxisItem("bottom", utcOffset=0)},
            mouse=True,
        )
        self.price_plot.getAxis("bottom").setStyle(showValues=False)
        self.volume_plot = self.add_plot(
            1,
            axes={"left": self.volume_axis, "bottom": pg.DateAxisItem("bottom", utcOffset=0)},
            mouse=True,
        )
        self.volume_plot.setXLink(self.price_plot)
        # Same axis width on both plots so their x positions line up.
        self.price_axis.setWidth(64)
        self.volume_axis.setWidth(64)
        self.volume_axis.setStyle(maxTickLevel=0)
        self.view.ci.layout.setRowStretchFactor(0, 4)
        self.view.ci.layout.setRowStretchFactor(1, 1)
        self.view.ci.layout.setVerticalSpacing(2)
        self.price_plot.getViewBox().setAutoVisible(y=True)
        self.volume_plot.getViewBox().setAutoVisible(y=True)
        self.price_plot.getViewBox().setLimits(minYRange=1e-6)

        self.line = pg.PlotDataItem(connect="finite")
        self.line.setClipToView(True)
        self.line.setDownsampling(auto=True, method="peak")
        self.line.curve.setSegmentedLineMode("on")
        self.up_bodies = pg.BarGraphItem(x=[], height=[], width=1, y0=[])
        self.down_bodies = pg.BarGraphItem(x=[], height=[], width=1, y0=[])
        self.wicks = pg.PlotCurveItem(connect="pairs")
        self.volume = pg.BarGraphItem(x=[], height=[], width=1, y0=0)
        self.gap_regions: list[pg.LinearRegionItem] = []
        self.split_lines: list[pg.InfiniteLine] = []
        self.dividend_marks = pg.ScatterPlotItem(symbol="t1", size=11)
        self.outlier_marks = pg.ScatterPlotItem(symbol="o", size=13)
        for item in (self.wicks, self.up_bodies, self.down_bodies, self.line):
            self.price_plot.addItem(item)
        self.price_plot.addItem(self.dividend_marks)
        self.price_plot.addItem(self.outlier_marks)
        self.volume_plot.addItem(self.volume)
        self.vline = pg.InfiniteLine(angle=90, movable=False)
        self.vline.setVisible(False)
        self.price_plot.addItem(self.vline, ignoreBounds=True)

        self.mode_buttons = QButtonGroup(self)
        for name in ("line", "candle"):
            button = QToolButton(self)
            button.setText("Line" if name == "line" else "Candles")
            button.setCheckable(True)
            button.setAutoRaise(True)
            button.setObjectName(f"mode-{name}")
            button.setChecked(name == self.mode)
            button.clicked.connect(lambda _=False, n=name: self.set_mode(n))
            self.mode_buttons.addButton(button)
            self.header.addWidget(button)

        self._x = np.empty(0)
        self._o = self._h = self._l = self._c = self._v = np.empty(0)
        self._dividends: dict[float, float] = {}
        self._splits: dict[float, str] = {}
        self.price_plot.scene().sigMouseMoved.connect(self._on_mouse_moved)
        # BarGraphItem bounds ignore the visible x range, so y auto-range would span the
        # whole history once zoomed into candles: fit y to the visible bars ourselves.
        self.price_plot.sigXRangeChanged.connect(self._fit_candles)
        self.apply_theme()

    # -- data ------------------------------------------------------------------------
    def set_data(
        self,
        dates: Any,
        close: Any,
        *,
        open: Any = None,
        high: Any = None,
        low: Any = None,
        volume: Any = None,
    ) -> None:
        """Daily bars; without open/high/low only the line mode is available."""
        self._x = to_epoch(dates)
        n = len(self._x)

        def arr(values: Any) -> np.ndarray:
            if values is None:
                return np.full(n, np.nan)
            out = np.asarray(values, dtype=np.float64)
            if len(out) != n:
                raise ValueError(f"{len(out)} values for {n} dates")
            return out

        self._c, self._o, self._h, self._l, self._v = (
            arr(close),
            arr(open),
            arr(high),
            arr(low),
            arr(volume),
        )
        self.has_ohlc = bool(n) and not np.all(np.isnan(self._o))
        for button in self.mode_buttons.buttons():
            button.setEnabled(self.has_ohlc or button.objectName() == "mode-line")
        self.line.setData(self._x, self._c)
        width = 0.7 * float(np.median(np.diff(self._x))) if n > 1 else 86400 * 0.7
        has_volume = not np.all(np.isnan(self._v))
        self.volume_plot.setVisible(has_volume)
        self.price_plot.getAxis("bottom").setStyle(showValues=not has_volume)
        self.volume.setOpts(x=self._x, height=np.nan_to_num(self._v), width=width, y0=0)
        self._width = width
        self._draw_candles()
        self.set_mode(self.mode if self.has_ohlc else "line")
        self._place_events()
        self.price_plot.enableAutoRange()
        self.volume_plot.enableAutoRange(axis=pg.ViewBox.YAxis)
        self.hover_at(None)

    def set_events(
        self,
        dividends: Sequence[tuple[Any, float]] = (),
        splits: Sequence[tuple[Any, str]] = (),
    ) -> None:
        """Dividends as (date, amount per share); splits as (date, label such as "2:1")."""
        self._dividends = {float(to_epoch([d])[0]): float(a) for d, a in dividends}
        self._splits = {float(to_epoch([d])[0]): str(label) for d, label in splits}
        self._place_events()

    def set_highlights(
        self, gaps: Sequence[tuple[Any, Any]] = (), outliers: Sequence[Any] = ()
    ) -> None:
        """Shade missing-data spans (start, end) and ring suspicious closes (dates)."""
        for region in self.gap_regions:
            self.price_plot.removeItem(region)
        self.gap_regions = []
        for start, end in gaps:
            region = pg.LinearRegionItem(
                values=(float(to_epoch([start])[0]), float(to_epoch([end])[0])), movable=False
            )
            region.setZValue(-10)
            self.price_plot.addItem(region, ignoreBounds=True)
            self.gap_regions.append(region)
        xs = to_epoch(list(outliers)) if len(outliers) else np.empty(0)
        self._outliers = xs
        self._place_outliers()
        self._color()

    def set_mode(self, mode: str) -> None:
        if mode not in ("line", "candle"):
            raise ValueError(f"unknown mode {mode!r}; expected 'line' or 'candle'")
        if mode == "candle" and not getattr(self, "has_ohlc", False):
            mode = "line"
        self.mode = mode
        candle = mode == "candle"
        self.line.setVisible(not candle)
        for item in (self.up_bodies, self.down_bodies, self.wicks):
            item.setVisible(candle)
        for button in self.mode_buttons.buttons():
            button.setChecked(button.objectName() == f"mode-{mode}")
        if candle:
            self._fit_candles()
        else:
            self.price_plot.getViewBox().enableAutoRange(axis=pg.ViewBox.YAxis)

    def _fit_candles(self, *_: Any) -> None:
        if self.mode != "candle" or len(self._x) == 0:
            return
        lo, hi = self.price_plot.getViewBox().viewRange()[0]
        i, j = np.searchsorted(self._x, [lo, hi], side="left")
        j = min(int(j) + 1, len(self._x))
        values = np.concatenate([self._l[i:j], self._h[i:j], self._c[i:j]])
        values = values[np.isfinite(values)]
        if values.size:
            self.price_plot.setYRange(float(values.min()), float(values.max()), padding=0.05)

    # -- drawing ---------------------------------------------------------------------
    def _draw_candles(self) -> None:
        x, o, h, low, c = self._x, self._o, self._h, self._l, self._c
        ok = np.isfinite(o) & np.isfinite(c)
        up = ok & (c >= o)
        down = ok & (c < o)
        w = self._width
        self.up_bodies.setOpts(x=x[up], y0=o[up], height=np.maximum(c[up] - o[up], 1e-9), width=w)
        self.down_bodies.setOpts(x=x[down], y0=c[down], height=o[down] - c[down], width=w)
        wick = ok & np.isfinite(h) & np.isfinite(low)
        wx = np.repeat(x[wick], 2)
        wy = np.empty(wx.size)
        wy[0::2], wy[1::2] = low[wick], h[wick]
        self.wicks.setData(wx, wy)

    def _close_at(self, xs: np.ndarray) -> np.ndarray:
        if len(self._x) == 0 or len(xs) == 0:
            return np.full(len(xs), np.nan)
        idx = np.clip(np.searchsorted(self._x, xs), 0, len(self._x) - 1)
        return self._c[idx]

    def _place_events(self) -> None:
        xs = np.array(sorted(self._dividends), dtype=np.float64)
        ys = self._close_at(xs)
        keep = np.isfinite(ys)
        # Just below the line so the marker never hides the price it annotates.
        offset = np.nanmedian(self._c) * 0.025 if len(self._c) else 0.0
        self.dividend_marks.setData(xs[keep], ys[keep] - offset)
        for line in self.split_lines:
            self.price_plot.removeItem(line)
        self.split_lines = []
        for x, label in sorted(self._splits.items()):
            line = pg.InfiniteLine(
                pos=x,
                angle=90,
                movable=False,
                label=f"split {label}",
                labelOpts=label_opts(self, 0.92),
            )
            self.price_plot.addItem(line, ignoreBounds=True)
            self.split_lines.append(line)
        self._place_outliers()
        self._color()

    def _place_outliers(self) -> None:
        xs = getattr(self, "_outliers", np.empty(0))
        ys = self._close_at(xs)
        keep = np.isfinite(ys)
        self.outlier_marks.setData(xs[keep], ys[keep])

    # -- hover -----------------------------------------------------------------------
    def _on_mouse_moved(self, pos: QPointF) -> None:
        inside = self.price_plot.sceneBoundingRect().contains(pos) or (
            self.volume_plot.isVisible() and self.volume_plot.sceneBoundingRect().contains(pos)
        )
        if len(self._x) == 0 or not inside:
            self.hover_at(None)
            return
        self.hover_at(self.price_plot.getViewBox().mapSceneToView(pos).x())

    def on_leave(self) -> None:
        self.hover_at(None)

    def hover_at(self, x: float | None) -> None:
        if len(self._x) == 0:
            self.readout.setText("")
            return
        resting = x is None
        if resting:
            x = float(self._x[-1])
        i = int(np.clip(np.searchsorted(self._x, x), 0, len(self._x) - 1))
        if i > 0 and abs(self._x[i - 1] - x) < abs(self._x[i] - x):
            i -= 1
        xi = float(self._x[i])
        self.vline.setPos(xi)
        self.vline.setVisible(not resting)

        def money(v: float) -> str:
            return fmt.money(v, self.currency) if np.isfinite(v) else fmt.DASH

        parts = [rich(fmt.date_long(epoch_to_date(xi)), bold=True)]
        if self.has_ohlc:
            parts += [
                rich(f"O {money(self._o[i])}"),
                rich(f"H {money(self._h[i])}"),
                rich(f"L {money(self._l[i])}"),
            ]
        change = self._c[i] / self._c[i - 1] - 1 if i > 0 else np.nan
        text, tone = fmt.signed_percent(change)
        parts.append(rich(f"C {money(self._c[i])}", bold=True))
        parts.append(rich(text, tone_color(tone, self.palette())))
        if np.isfinite(self._v[i]):
            parts.append(rich(f"Vol {fmt.compact_number(self._v[i])}"))
        if xi in self._dividends:
            parts.append(rich(f"Dividend {money(self._dividends[xi])}", self._dividend_color()))
        if xi in self._splits:
            parts.append(rich(f"Split {self._splits[xi]}"))
        self.readout.setText("&nbsp;&nbsp;".join(parts))

    # -- theme -----------------------------------------------------------------------
    def _dividend_color(self) -> QColor:
        return series_color(2, self.palette())

    def _color(self) -> None:
        t = self.theme()
        pal = self.palette()
        up, down = tone_color(Tone.POSITIVE, pal), tone_color(Tone.NEGATIVE, pal)
        self.line.setPen(pg.mkPen(t["accent"], width=1.8))
        self.up_bodies.setOpts(brush=pg.mkBrush(up), pen=pg.mkPen(up))
        self.down_bodies.setOpts(brush=pg.mkBrush(down), pen=pg.mkPen(down))
        self.wicks.setPen(pg.mkPen(t["axis"], width=1))
        vol = QColor(t["muted"])
        vol.setAlpha(130)
        self.volume.setOpts(brush=pg.mkBrush(vol), pen=pg.mkPen(None))
        self.dividend_marks.setBrush(pg.mkBrush(self._dividend_color()))
        self.dividend_marks.setPen(pg.mkPen(None))
        self.outlier_marks.setBrush(pg.mkBrush(None))
        self.outlier_marks.setPen(pg.mkPen(down, width=2))
        for line in self.split_lines:
            line.setPen(pg.mkPen(t["muted"], width=1.2, style=Qt.PenStyle.DashLine))
            line.label.setColor(t["muted"])
        shade = QColor(tone_color(Tone.NEGATIVE, pal))
        shade.setAlpha(40)
        for region in self.gap_regions:
            region.setBrush(pg.mkBrush(shade))
            for edge in region.lines:
                edge.setPen(pg.mkPen(None))
        self.vline.setPen(pg.mkPen(t["axis"], style=Qt.PenStyle.DotLine))

    def apply_theme(self) -> None:
        super().apply_theme()
        self.style_plot(self.price_plot)
        self.style_plot(self.volume_plot, grid=(False, False))
        self._color()
