"""Several series over a numeric x with a legend: depletion by year, sensitivity curves.

Series may share one x array or bring their own as (x, y) pairs. Hover writes the
nearest x and every series' value in the header.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QWidget

from portfolioos.gui.charts.base import ChartBase, ValueAxis, label_opts, rich, swatch, value_text
from portfolioos.gui.colors import series_color


class LineChart(ChartBase):
    def __init__(
        self,
        title: str = "",
        *,
        x_kind: str = "number",
        y_kind: str = "number",
        currency: str = "USD",
        markers: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(title, parent)
        self.x_kind, self.y_kind, self.currency, self.markers = x_kind, y_kind, currency, markers
        self.x_axis = ValueAxis("bottom", x_kind, currency)
        self.y_axis = ValueAxis("left", y_kind, currency)
        self.plot = self.add_plot(axes={"left": self.y_axis, "bottom": self.x_axis})
        self._items: dict[str, pg.PlotDataItem] = {}
        self._data: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.reference = pg.InfiniteLine(angle=90, movable=False)
        self.reference.setVisible(False)
        self.plot.addItem(self.reference, ignoreBounds=True)
        self.vline = pg.InfiniteLine(angle=90, movable=False)
        self.vline.setVisible(False)
        self.plot.addItem(self.vline, ignoreBounds=True)
        self.plot.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.apply_theme()

    def set_data(
        self,
        x: Any,
        series: Mapping[str, Any],
        *,
        y_range: tuple[float, float] | None = None,
    ) -> None:
        """`series` maps a name to y values over `x`, or to its own `(x, y)` pair.

        `y_range` fixes the y axis (e.g. (0, 1) for a percentage of trials).
        """
        shared = None if x is None else np.asarray(x, dtype=np.float64)
        data: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for name, values in series.items():
            if isinstance(values, tuple):
                xs, ys = (np.asarray(v, dtype=np.float64) for v in values)
            else:
                if shared is None:
                    raise ValueError(f"series {name!r} has no x values")
                xs, ys = shared, np.asarray(values, dtype=np.float64)
            if len(xs) != len(ys):
                raise ValueError(f"series {name!r}: {len(ys)} values for {len(xs)} x positions")
            data[name] = (xs, ys)
        for name in list(self._items):
            if name not in data:
                item = self._items.pop(name)
                self.plot.removeItem(item)
        for name, (xs, ys) in data.items():
            item = self._items.get(name)
            if item is None:
                item = pg.PlotDataItem(name=name, connect="finite")
                item.curve.setSegmentedLineMode("on")
                self._items[name] = item
                self.plot.addItem(item)
            item.setData(xs, ys)
        self._data = data
        self._color()
        if y_range is not None:
            self.plot.setYRange(*y_range, padding=0.02)
        else:
            self.plot.enableAutoRange(axis=pg.ViewBox.YAxis)
        self.plot.enableAutoRange(axis=pg.ViewBox.XAxis)
        self.hover_at(None)

    def set_reference(self, x: float | None, label: str = "") -> None:
        """A dashed vertical line (e.g. the plan's current withdrawal rate)."""
        if x is None:
            self.reference.setVisible(False)
            return
        self.reference.setPos(x)
        self.reference.setVisible(True)
        if label:
            if getattr(self.reference, "label", None) is None:
                self.reference.label = pg.InfLineLabel(
                    self.reference, text=label, **label_opts(self, 0.06)
                )
            self.reference.label.setFormat(label)
        self._color()

    def _on_mouse_moved(self, pos: QPointF) -> None:
        if not self._data or not self.plot.sceneBoundingRect().contains(pos):
            self.hover_at(None)
            return
        self.hover_at(self.plot.getViewBox().mapSceneToView(pos).x())

    def on_leave(self) -> None:
        self.hover_at(None)

    def hover_at(self, x: float | None) -> None:
        if x is None or not self._data:
            self.vline.setVisible(False)
            # At rest the readout is the legend: coloured names, never over the data.
            pal = self.palette()
            self.readout.setText(
                "&nbsp;&nbsp;&nbsp;".join(
                    swatch(name, series_color(n, pal)) for n, name in enumerate(self._data)
                )
            )
            return
        first_x = next(iter(self._data.values()))[0]
        xi = float(first_x[int(np.argmin(np.abs(first_x - x)))])
        self.vline.setPos(xi)
        self.vline.setVisible(True)
        parts = [rich(value_text(xi, self.x_kind, self.currency), bold=True)]
        for n, (name, (xs, ys)) in enumerate(self._data.items()):
            j = int(np.argmin(np.abs(xs - xi)))
            color = series_color(n, self.palette())
            value = value_text(ys[j], self.y_kind, self.currency)
            parts.append(swatch(name, color) + " " + rich(value, bold=True))
        self.readout.setText("&nbsp;&nbsp;&nbsp;".join(parts))

    def _color(self) -> None:
        pal = self.palette()
        for n, item in enumerate(self._items.values()):
            color = series_color(n, pal)
            item.setPen(pg.mkPen(color, width=2))
            if self.markers:
                item.setSymbol("o")
                item.setSymbolSize(5)
                item.setSymbolBrush(pg.mkBrush(color))
                item.setSymbolPen(None)
        muted = self.theme()["muted"]
        self.reference.setPen(pg.mkPen(muted, width=1.2, style=Qt.PenStyle.DashLine))
        if getattr(self.reference, "label", None) is not None:
            self.reference.label.setColor(muted)

    def apply_theme(self) -> None:
        super().apply_theme()
        self.style_plot(self.plot, grid=(True, True))
        self.vline.setPen(pg.mkPen(self.theme()["axis"], style=Qt.PenStyle.DotLine))
        self._color()
        if hasattr(self, "_data"):
            self.hover_at(None)
