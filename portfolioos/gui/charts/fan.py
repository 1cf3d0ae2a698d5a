"""Monte Carlo outcome bands: 5-95, 10-90 and 25-75 percentile fills plus the median.

A handful of curves and three FillBetweenItems, never one path per trial (thousands
of curves are what make pyqtgraph slow). The caller passes nominal or real arrays;
the chart only draws them. The success rate sits in the header, large and coloured.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QWidget

from portfolioos.gui import format as fmt
from portfolioos.gui.charts.base import ChartBase, ValueAxis, rich, value_text
from portfolioos.gui.colors import tone_color
from portfolioos.gui.format import Tone

PERCENTILES = (5, 10, 25, 50, 75, 90, 95)
BANDS = ((5, 95), (10, 90), (25, 75))


class FanChart(ChartBase):
    """Percentile bands over years. `x_kind` "year" for calendar years or ages."""

    def __init__(
        self,
        title: str = "",
        *,
        currency: str = "USD",
        x_kind: str = "year",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(title, parent)
        self.currency = currency
        self.y_axis = ValueAxis("left", "money", currency)
        self.x_axis = ValueAxis("bottom", x_kind)
        self.plot = self.add_plot(axes={"left": self.y_axis, "bottom": self.x_axis})
        self.success_label = QLabel("")
        self.success_label.setObjectName("successRate")
        font = self.success_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.success_label.setFont(font)
        self.header.addWidget(self.success_label)
        self._x = np.empty(0)
        self._p: dict[int, np.ndarray] = {}
        self.curves = {p: pg.PlotCurveItem() for p in PERCENTILES if p != 50}
        self.fills = [pg.FillBetweenItem(self.curves[lo], self.curves[hi]) for lo, hi in BANDS]
        for fill in self.fills:
            self.plot.addItem(fill)
        self.median = pg.PlotCurveItem()
        self.plot.addItem(self.median)
        self.success_rate: float | None = None
        self.vline = pg.InfiniteLine(angle=90, movable=False)
        self.vline.setVisible(False)
        self.plot.addItem(self.vline, ignoreBounds=True)
        self.plot.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.apply_theme()

    def set_data(
        self,
        years: Any,
        percentiles: Mapping[int, Any],
        *,
        success_rate: float | None = None,
        subtitle: str = "",
    ) -> None:
        """`percentiles` maps 5, 10, 25, 50, 75, 90, 95 to arrays as long as `years`.

        `success_rate` is a fraction (0.873 -> "87.3% success"); `subtitle` is shown
        after the title, e.g. "real, today's dollars".
        """
        missing = [p for p in PERCENTILES if p not in percentiles]
        if missing:
            raise ValueError(f"percentiles {missing} missing; need {PERCENTILES}")
        self._x = np.asarray(years, dtype=np.float64)
        self._p = {p: np.asarray(percentiles[p], dtype=np.float64) for p in PERCENTILES}
        for p, curve in self.curves.items():
            curve.setData(self._x, self._p[p])
        self.median.setData(self._x, self._p[50])
        self.success_rate = success_rate
        self._show_success()
        if subtitle:
            self.readout.setText(rich(subtitle))
        self._subtitle = subtitle
        self.plot.enableAutoRange()
        low = float(np.nanmin(self._p[5])) if len(self._x) else 0.0
        high = float(np.nanmax(self._p[95])) if len(self._x) else 1.0
        self.plot.setYRange(min(0.0, low), high, padding=0.04)
        if len(self._x):
            self.plot.setXRange(self._x[0], self._x[-1], padding=0.01)

    def _show_success(self) -> None:
        rate = self.success_rate
        if rate is None:
            self.success_label.setText("")
            return
        tone = Tone.POSITIVE if rate >= 0.85 else Tone.NEGATIVE if rate < 0.7 else Tone.NEUTRAL
        color = tone_color(tone, self.palette()) if tone is not Tone.NEUTRAL else QColor("#c98a00")
        self.success_label.setText(f"{fmt.percent(rate)} success")
        self.success_label.setStyleSheet(f"color: {color.name()};")

    def _on_mouse_moved(self, pos: QPointF) -> None:
        if len(self._x) == 0 or not self.plot.sceneBoundingRect().contains(pos):
            self.hover_at(None)
            return
        self.hover_at(self.plot.getViewBox().mapSceneToView(pos).x())

    def on_leave(self) -> None:
        self.hover_at(None)

    def hover_at(self, x: float | None) -> None:
        if x is None or len(self._x) == 0:
            self.vline.setVisible(False)
            self.readout.setText(rich(getattr(self, "_subtitle", "")))
            return
        i = int(np.argmin(np.abs(self._x - x)))
        self.vline.setPos(self._x[i])
        self.vline.setVisible(True)

        def v(p: int) -> str:
            return value_text(self._p[p][i], "money", self.currency)

        self.readout.setText(
            "&nbsp;&nbsp;&nbsp;".join(
                [
                    rich(f"{self._x[i]:g}", bold=True),
                    rich(f"median {v(50)}", self.theme()["accent"]),
                    rich(f"25–75% {v(25)} – {v(75)}"),
                    rich(f"5–95% {v(5)} – {v(95)}"),
                ]
            )
        )

    def apply_theme(self) -> None:
        super().apply_theme()
        self.style_plot(self.plot)
        accent = self.theme()["accent"]
        for (lo, hi), fill, alpha in zip(BANDS, self.fills, (45, 55, 80), strict=True):
            color = QColor(accent)
            color.setAlpha(alpha)
            fill.setBrush(pg.mkBrush(color))
            del lo, hi
        edge = QColor(accent)
        edge.setAlpha(90)
        for curve in self.curves.values():
            curve.setPen(pg.mkPen(edge, width=0.8))
        self.median.setPen(pg.mkPen(accent, width=2.4))
        self.vline.setPen(pg.mkPen(self.theme()["axis"], style=Qt.PenStyle.DotLine))
        if hasattr(self, "success_rate"):
            self._show_success()
