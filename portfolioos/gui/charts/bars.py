"""Horizontal bars of labelled weights: allocation by asset type, sector, account.

Horizontal because category names are read left to right and stay readable from 2 to
15 categories (a donut with 15 slices is not). Bars are sorted largest first; past
`max_categories` the tail is folded into "Other". Each bar ends with its percentage
and, when values are given, its amount.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QWidget

from portfolioos.gui import format as fmt
from portfolioos.gui.charts.base import ChartBase, LabelAxis

ROW_HEIGHT = 26


class AllocationChart(ChartBase):
    def __init__(
        self,
        title: str = "",
        *,
        currency: str = "USD",
        max_categories: int = 15,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(title, parent)
        self.currency = currency
        self.max_categories = max_categories
        self.y_axis = LabelAxis("left")
        self.plot = self.add_plot(axes={"left": self.y_axis})
        self.plot.hideAxis("bottom")
        self.bars = pg.BarGraphItem(x0=[], y=[], height=0.62, width=[])
        self.plot.addItem(self.bars)
        self.plot.getViewBox().sigResized.connect(self._fit_x)
        self._texts: list[pg.TextItem] = []
        self.labels: list[str] = []
        self.weights = np.empty(0)
        self.values: list[Any] | None = None
        self.apply_theme()

    def set_data(
        self,
        labels: Sequence[str],
        weights: Sequence[float] | np.ndarray,
        *,
        values: Sequence[Any] | None = None,
        currency: str | None = None,
    ) -> None:
        """`weights` are fractions of the total (0.42 -> 42%); `values` optional amounts."""
        if currency:
            self.currency = currency
        w = np.asarray(weights, dtype=np.float64)
        if len(w) != len(labels) or (values is not None and len(values) != len(labels)):
            raise ValueError("labels, weights and values must have the same length")
        order = np.argsort(-w, kind="stable")
        labels = [labels[i] for i in order]
        w = w[order]
        vals = [values[i] for i in order] if values is not None else None
        if len(labels) > self.max_categories:
            keep = self.max_categories - 1
            other_w = float(w[keep:].sum())
            other_v = sum(float(v) for v in vals[keep:]) if vals is not None else None
            labels = [*labels[:keep], f"Other ({len(w) - keep})"]
            w = np.append(w[:keep], other_w)
            if vals is not None:
                vals = [*vals[:keep], other_v]
        self.labels, self.weights, self.values = list(labels), w, vals
        n = len(labels)
        y = np.arange(n)[::-1].astype(np.float64)  # largest on top
        self.bars.setOpts(x0=np.zeros(n), y=y, width=w, height=0.62)
        self.y_axis.set_labels(labels, y)
        metrics = QFontMetrics(self.font())
        widest = max((metrics.horizontalAdvance(t) for t in labels), default=40)
        self.y_axis.setWidth(min(widest + 16, 260))
        while len(self._texts) < n:
            text = pg.TextItem(anchor=(0, 0.5))
            text.setFont(self.font())
            self.plot.addItem(text)
            self._texts.append(text)
        for extra in self._texts[n:]:
            extra.setVisible(False)
        for i in range(n):
            text = self.value_label(i)
            item = self._texts[i]
            item.setText(text)
            item.setPos(max(float(w[i]), 0.0), y[i])
            item.setVisible(True)
        self.plot.setYRange(-0.6, n - 0.4, padding=0)
        self.setMinimumHeight(min(n, 15) * 20 + 40)
        self._fit_x()
        self._color()

    def _fit_x(self) -> None:
        """Leave room right of the longest bar for its text, in pixels of the current width."""
        n, w = len(self.labels), self.weights
        if n == 0:
            return
        metrics = QFontMetrics(self.font())
        widest_text = max(metrics.horizontalAdvance(self.value_label(i)) for i in range(n))
        width_px = max(self.plot.getViewBox().width(), 120.0)
        room = min(0.8, (widest_text + 12) / width_px)
        top = max(float(w.max()), 1e-9)
        self.plot.setXRange(min(0.0, float(w.min())), top / (1 - room), padding=0)

    def value_label(self, i: int) -> str:
        weight = float(self.weights[i])
        text = "<0.1%" if 0 < weight < 0.0005 else fmt.percent(weight)
        if self.values is not None:
            text += f"  ·  {fmt.money(self.values[i], self.currency, decimals=0)}"
        return text

    def sizeHint(self):
        hint = super().sizeHint()
        hint.setHeight(max(len(self.labels), 2) * ROW_HEIGHT + 50)
        return hint

    def _color(self) -> None:
        t = self.theme()
        self.bars.setOpts(brush=pg.mkBrush(t["accent"]), pen=pg.mkPen(None))
        for item in self._texts:
            item.setColor(t["text"])

    def apply_theme(self) -> None:
        super().apply_theme()
        self.style_plot(self.plot, grid=(False, False))
        self.y_axis.setPen(pg.mkPen(None))
        self._color()


BarChart = AllocationChart
