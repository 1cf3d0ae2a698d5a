"""Distribution of an outcome (terminal wealth over trials) as bars of "share of trials".

Wealth outcomes have a long right tail: by default everything above the 99th
percentile is folded into the last bin (its label says "or more") so the body of the
distribution is not squashed into two bars. Vertical markers label chosen values
(median, a target, the 5th percentile).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from portfolioos.gui.charts.base import ChartBase, ValueAxis, label_opts, rich, value_text
from portfolioos.gui.colors import series_color


class HistogramChart(ChartBase):
    def __init__(
        self,
        title: str = "",
        *,
        value_kind: str = "money",
        currency: str = "USD",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(title, parent)
        self.value_kind = value_kind
        self.currency = currency
        self.x_axis = ValueAxis("bottom", value_kind, currency)
        self.y_axis = ValueAxis("left", "percent")
        self.plot = self.add_plot(axes={"left": self.y_axis, "bottom": self.x_axis})
        self.bars = pg.BarGraphItem(x0=[], x1=[], height=[], y0=0)
        self.plot.addItem(self.bars)
        self._markers: list[pg.InfiniteLine] = []
        self.edges = np.empty(0)
        self.shares = np.empty(0)
        self.apply_theme()

    def set_data(
        self,
        values: Any,
        *,
        bins: int = 40,
        clip_percentile: float | None = 99.0,
        markers: Mapping[str, float] | None = None,
    ) -> None:
        """Histogram of `values` (NaN ignored); `markers` maps a label to an x value."""
        data = np.asarray(values, dtype=np.float64)
        data = data[np.isfinite(data)]
        if data.size == 0:
            self.set_bins([], [], markers=markers, count=0)
            return
        top = float(np.percentile(data, clip_percentile)) if clip_percentile else data.max()
        lo = float(min(data.min(), 0.0)) if data.min() >= 0 else float(data.min())
        if top <= lo:
            top = lo + 1.0
        counts, edges = np.histogram(np.clip(data, lo, top), bins=bins, range=(lo, top))
        self.set_bins(
            edges,
            counts / data.size,
            markers=markers,
            count=data.size,
            clipped=clip_percentile is not None and data.max() > top,
        )

    def set_bins(
        self,
        edges: Any,
        shares: Any,
        *,
        markers: Mapping[str, float] | None = None,
        count: int | None = None,
        clipped: bool = False,
    ) -> None:
        """Bars already binned elsewhere (the simulation engine bins terminal wealth so
        the trials never leave it): `edges` has one more value than `shares`.

        `count` is the number of trials behind the shares (for the readout); `clipped`
        says the last bar holds everything above its lower edge.
        """
        self.edges = np.asarray(edges, dtype=np.float64)
        self.shares = np.asarray(shares, dtype=np.float64)
        if len(self.edges) != len(self.shares) + (1 if len(self.shares) else 0):
            raise ValueError(f"{len(self.edges)} edges for {len(self.shares)} bars")
        self._clipped = clipped
        if self.shares.size == 0:
            self.bars.setOpts(x0=[], x1=[], height=[])
        else:
            self.bars.setOpts(x0=self.edges[:-1], x1=self.edges[1:], height=self.shares, y0=0)
            self.plot.setXRange(self.edges[0], self.edges[-1], padding=0.02)
            self.plot.setYRange(0, float(self.shares.max()) * 1.12, padding=0)
        for line in self._markers:
            self.plot.removeItem(line)
        self._markers = []
        for n, (label, x) in enumerate((markers or {}).items()):
            line = pg.InfiniteLine(
                pos=x,
                angle=90,
                movable=False,
                label=f"{label} {value_text(x, self.value_kind, self.currency)}",
                labelOpts=label_opts(self, 0.93 - 0.09 * (n % 4)),
            )
            self.plot.addItem(line, ignoreBounds=True)
            self._markers.append(line)
        self._color()
        self._summary((self.shares.size and count) or 0)

    def _summary(self, count: int) -> None:
        if not count:
            self.readout.setText("")
            return
        note = f"{count:,} trials"
        if getattr(self, "_clipped", False):
            note += (
                f" · last bar: {value_text(self.edges[-2], self.value_kind, self.currency)} or more"
            )
        self.readout.setText(rich(note))

    def _color(self) -> None:
        t = self.theme()
        self.bars.setOpts(brush=pg.mkBrush(t["accent"]), pen=pg.mkPen(t["background"], width=1))
        for n, line in enumerate(self._markers):
            color = series_color(n + 1, self.palette())
            line.setPen(pg.mkPen(color, width=1.6, style=Qt.PenStyle.DashLine))
            line.label.setColor(color)

    def apply_theme(self) -> None:
        super().apply_theme()
        self.style_plot(self.plot)
        self._color()
