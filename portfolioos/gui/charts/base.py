"""What every chart shares: a themed plot, value axes that read like money, a header.

A chart is a QWidget: a header row (title, a readout the hover updates, optional
buttons) above a pyqtgraph view. Colours come from the application palette and are
re-applied when it changes, so the same chart works in the light and dark themes
(pyqtgraph's default black background would not). Axes never show "1.2e6": a
`ValueAxis` formats ticks as money, percentages, plain numbers or years, with just
enough decimals to tell neighbouring ticks apart.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette, QPicture
from PySide6.QtWidgets import (
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from portfolioos.gui import colors
from portfolioos.gui import format as fmt

pg.setConfigOptions(antialias=True)

KINDS = ("money", "percent", "number", "year", "count")


def to_epoch(dates: Any) -> np.ndarray:
    """Dates (date/datetime list, numpy datetime64, pandas index) -> float64 UTC seconds."""
    arr = np.asarray(dates)
    if arr.dtype.kind in "fiu":
        return arr.astype(np.float64)
    return np.asarray(arr, dtype="datetime64[s]").astype(np.int64).astype(np.float64)


def epoch_to_date(seconds: float) -> dt.date:
    return dt.datetime.fromtimestamp(float(seconds), tz=dt.UTC).date()


def _decimals_for(step: float) -> int:
    """Places needed to write multiples of `step` exactly (0.25 -> 2, 5 -> 0)."""
    if not math.isfinite(step) or step <= 0:
        return 0
    exponent = Decimal(repr(round(step, 9))).normalize().as_tuple().exponent
    return max(0, -int(exponent))


def _unit(value: float) -> float:
    magnitude = abs(value)
    unit = 1.0
    for size in (1e3, 1e6, 1e9, 1e12):
        if magnitude >= size * 0.9995:
            unit = size
    return unit


def tick_text(value: float, step: float, kind: str, currency: str = "USD") -> str:
    """One axis tick: '$1.25M' when ticks are $250K apart, '12.5%', '2040'."""
    if kind == "money":
        return fmt.compact_money(
            value, currency, decimals=min(3, _decimals_for(step / _unit(value)))
        )
    if kind == "count":
        return fmt.compact_number(value, decimals=min(3, _decimals_for(step / _unit(value))))
    if kind == "percent":
        return fmt.percent(value, decimals=min(2, _decimals_for(step * 100)))
    if kind == "year":
        return f"{value:.{min(2, _decimals_for(step))}f}"
    return fmt.number(value, decimals=min(4, _decimals_for(step)))


def value_text(value: float, kind: str, currency: str = "USD") -> str:
    """A full-precision value for hover readouts."""
    if value is None or not math.isfinite(value):
        return fmt.DASH
    if kind == "money":
        return fmt.money(value, currency, decimals=0 if abs(value) >= 10_000 else None)
    if kind == "percent":
        return fmt.percent(value, decimals=2)
    if kind == "count":
        return fmt.number(value, decimals=0)
    if kind == "year":
        return f"{value:g}"
    return fmt.number(value, decimals=2)


class ValueAxis(pg.AxisItem):
    """An axis whose ticks read as money / percent / number / year."""

    def __init__(self, orientation: str, kind: str = "number", currency: str = "USD", **kw: Any):
        super().__init__(orientation, **kw)
        self.enableAutoSIPrefix(False)
        self.kind = kind
        self.currency = currency

    def set_kind(self, kind: str, currency: str | None = None) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown axis kind {kind!r}; expected one of {KINDS}")
        self.kind = kind
        if currency:
            self.currency = currency
        self.picture = None
        self.update()

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [tick_text(v * scale, spacing * scale, self.kind, self.currency) for v in values]


def render_axis(axis: pg.AxisItem, *, measure_only: bool = False) -> None:
    """Lay out and draw the axis's ticks and labels now, as its next paint would
    (AxisItem.paint records them in a QPicture, the painter used here too, and replays
    it until the range or size changes).

    Drawn ahead, a chart that has just been given data can draw its axes in one turn
    and paint in the next. `measure_only` sizes the axis to its widest label without
    keeping the drawing: pyqtgraph otherwise finds that width while painting, widens
    the axis and paints the whole chart again (two or three full paints of ~15-30 ms
    back to back)."""
    if not axis.isVisible() or (axis.picture is not None and not measure_only):
        return
    picture = QPicture()
    painter = QPainter(picture)
    try:
        if axis.style["tickFont"]:
            painter.setFont(axis.style["tickFont"])
        specs = axis.generateDrawSpecs(painter)  # widens the axis if a label needs it
        if specs is not None and not measure_only:
            axis.drawPicture(painter, *specs)
    finally:
        painter.end()
    if not measure_only:
        axis.picture = picture


class LabelAxis(pg.AxisItem):
    """Category ticks: integer positions -> labels (bars, heat map rows/columns)."""

    def __init__(self, orientation: str, **kw: Any):
        super().__init__(orientation, **kw)
        self.enableAutoSIPrefix(False)
        self.labels: list[str] = []

    def set_labels(self, labels: Sequence[str], positions: Sequence[float] | None = None) -> None:
        self.labels = list(labels)
        pos = list(positions) if positions is not None else list(range(len(self.labels)))
        self.setTicks([list(zip(pos, self.labels, strict=True)), []])


class ChartBase(QWidget):
    """Header (title + hover readout + tool buttons) above one pyqtgraph view.

    Subclasses build their items in `__init__`, update them in `set_data` and re-colour
    them in `apply_theme` (called again whenever the application palette changes).
    """

    def __init__(self, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        # The whole chart (header included) is one card on the Base colour.
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 2)
        layout.setSpacing(2)
        self.header = QHBoxLayout()
        self.header.setContentsMargins(4, 0, 4, 0)
        self.title_label = QLabel(title)
        self.title_label.setObjectName("chartTitle")
        font = self.title_label.font()
        font.setBold(True)
        self.title_label.setFont(font)
        self.title_label.setVisible(bool(title))
        self.readout = QLabel("")
        self.readout.setObjectName("chartReadout")
        self.readout.setTextFormat(Qt.TextFormat.RichText)
        self.readout.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.readout.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.header.addWidget(self.title_label)
        self.header.addWidget(self.readout, 1)
        layout.addLayout(self.header)
        self.view = pg.GraphicsLayoutWidget()
        self.view.ci.setContentsMargins(4, 4, 8, 4)
        self.view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        layout.addWidget(self.view, 1)
        self.view.installEventFilter(self)
        self._theming = False

    def eventFilter(self, watched: Any, event: QEvent) -> bool:
        if watched is self.view and event.type() == QEvent.Type.Leave:
            self.on_leave()
        return super().eventFilter(watched, event)

    def on_leave(self) -> None:
        """The pointer left the plot: hover readouts go back to their resting text."""

    # -- building blocks -------------------------------------------------------------
    def add_plot(
        self, row: int = 0, *, axes: dict[str, pg.AxisItem] | None = None, mouse: bool = False
    ) -> pg.PlotItem:
        # No context menus: the view box's menu (two axis-control forms of widgets)
        # would be built for nothing, ~5 ms of a chart's ~25 ms construction.
        plot = self.view.addPlot(row=row, col=0, axisItems=axes or {}, enableMenu=False)
        plot.hideButtons()
        plot.setMenuEnabled(False)
        # Time charts pan/zoom along x only; category charts do not move at all.
        plot.getViewBox().setMouseEnabled(x=mouse, y=False)
        for name in ("top", "right"):
            plot.hideAxis(name)
        # A resized view box maps its range to its new size when it next paints, and
        # that change repaints the plot once more (a second paint right after the
        # first each time the layout moves, e.g. when a banner appears above). Mapped
        # as soon as it is resized, the first paint is the only one.
        plot.getViewBox().sigResized.connect(pg.ViewBox.prepareForPaint)  # (the box)
        return plot

    def hold_repaint(self) -> None:
        """Changes to the plot stop scheduling its repaint until `release_repaint`, so
        that new data can be set in one event-loop turn and painted in a later one. A
        paint that happens anyway (the window exposed, resized) still draws the plot as
        it is: unlike setUpdatesEnabled(False), which leaves the area unpainted (black
        where the plot moved)."""
        self.view.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.NoViewportUpdate)

    def release_repaint(self) -> None:
        """Back to pyqtgraph's update mode, and the plot repainted once."""
        self.view.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.MinimalViewportUpdate)
        self.view.viewport().update()

    def set_title(self, title: str) -> None:
        self.title_label.setText(title)
        self.title_label.setVisible(bool(title))

    # -- theme -----------------------------------------------------------------------
    def theme(self) -> dict[str, QColor]:
        pal = self.palette()
        text = pal.color(QPalette.ColorRole.WindowText)
        base = pal.color(QPalette.ColorRole.Base)
        return {
            "background": base,
            "text": text,
            "muted": colors.blend(text, base, 0.4),
            "axis": colors.blend(text, base, 0.55),
            "grid": colors.blend(text, base, 0.85),
            "accent": colors.series_color(0, pal),
        }

    def style_plot(self, plot: pg.PlotItem, *, grid: tuple[bool, bool] = (False, True)) -> None:
        t = self.theme()
        font = QFont(self.font())
        for name in ("left", "bottom", "right", "top"):
            axis = plot.getAxis(name)
            axis.setPen(pg.mkPen(t["axis"]))
            axis.setTextPen(pg.mkPen(t["text"]))
            axis.setStyle(tickFont=font, tickTextOffset=6, tickLength=-4)
            axis.label.setDefaultTextColor(t["muted"])
        plot.showGrid(x=grid[0], y=grid[1], alpha=0.18 if colors.is_dark(self.palette()) else 0.12)

    def apply_theme(self) -> None:
        """Re-colour everything from the palette; subclasses extend and call super."""
        self._theme_ready = True
        self._themed_palette = self.palette().cacheKey()
        self.view.setBackground(self.theme()["background"])
        muted = self.theme()["muted"].name()
        self.readout.setStyleSheet(f"color: {muted};")

    def changeEvent(self, event: QEvent) -> None:
        palette_events = (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange)
        # Palette events also arrive during construction: wait for the first apply_theme.
        ready = getattr(self, "_theme_ready", False)
        if event.type() in palette_events and ready and not self._theming:
            self._theming = True
            try:
                self.apply_theme()
            finally:
                self._theming = False
        super().changeEvent(event)

    def showEvent(self, event: Any) -> None:
        # Only when the palette changed meanwhile: re-styling the axes throws away
        # their rendered tick labels, and the next paint of the chart then costs a
        # first paint again (a parent's setVisible(True) re-sends Show to children).
        if getattr(self, "_themed_palette", None) != self.palette().cacheKey():
            self.apply_theme()
        super().showEvent(event)


def label_opts(chart: ChartBase, position: float) -> dict[str, Any]:
    """Options for an InfiniteLine label that stays readable over bars and lines."""
    fill = QColor(chart.theme()["background"])
    fill.setAlpha(225)
    return {"position": position, "anchors": [(0, 0.5), (0, 0.5)], "fill": pg.mkBrush(fill)}


def swatch(name: str, color: QColor, dashed: bool = False) -> str:
    """A legend entry for the header: a coloured line glyph and the name."""
    return rich("╌ " if dashed else "━ ", color, bold=True) + rich(name, color)


def rich(text: str, color: QColor | None = None, bold: bool = False) -> str:
    """A span for a RichText readout, HTML-escaped."""
    safe = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    style = f"color:{color.name()};" if color is not None else ""
    if bold:
        style += "font-weight:600;"
    return f'<span style="{style}">{safe}</span>' if style else safe
