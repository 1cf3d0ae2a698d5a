"""A two-parameter grid (e.g. success rate by withdrawal rate x stock share).

Cells are coloured by value and carry their value as text (black or white, whichever
reads on the cell). Rows and columns are labelled with the parameter values, the
first row at the bottom like a y axis.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QWidget

from portfolioos.gui import format as fmt
from portfolioos.gui.charts.base import ChartBase, LabelAxis, tick_text, value_text

# Red -> amber -> green: low success is bad. Readable on light and dark backgrounds.
DIVERGING = pg.ColorMap([0.0, 0.5, 1.0], [(215, 48, 39), (254, 224, 139), (26, 152, 80)])


def colormap(name: str | pg.ColorMap) -> pg.ColorMap:
    if isinstance(name, pg.ColorMap):
        return name
    if name == "diverging":
        return DIVERGING
    return pg.colormap.get(name)  # bundled maps: "viridis", "CET-L4", ...


def cell_text(value: float, kind: str, currency: str = "USD") -> str:
    """Short enough for a cell: '87%', '$1.2M', '3.14'."""
    if kind == "percent":
        return fmt.percent(value, decimals=0)
    if kind == "money":
        return fmt.compact_money(value, currency)
    return value_text(value, kind, currency)


class CellTexts(pg.GraphicsObject):
    """All cell labels as one item painted in device pixels.

    One item instead of a TextItem per cell: 225 TextItems took ~200 ms to update
    (setPlainText, colour map per cell); this paints the same text in a few ms.
    """

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.colors: list[QColor] = []
        self.shape = (0, 0)
        self.font = QFont()

    def set_cells(self, texts: list[str], colors: list[QColor], shape: tuple[int, int]) -> None:
        self.prepareGeometryChange()
        self.texts, self.colors, self.shape = texts, colors, shape
        self.update()

    def boundingRect(self) -> QRectF:
        ny, nx = self.shape
        return QRectF(-0.5, -0.5, nx, ny)

    def paint(self, painter: QPainter, *args: Any) -> None:
        ny, nx = self.shape
        if not nx or not ny:
            return
        transform = painter.transform()
        painter.save()
        painter.resetTransform()
        painter.setFont(self.font)
        cell = transform.mapRect(QRectF(0, 0, 1, 1))
        w, h = abs(cell.width()), abs(cell.height())
        for i in range(ny):
            for j in range(nx):
                k = i * nx + j
                center = transform.map(QPointF(j, i))
                painter.setPen(self.colors[k])
                painter.drawText(
                    QRectF(center.x() - w / 2, center.y() - h / 2, w, h),
                    int(Qt.AlignmentFlag.AlignCenter),
                    self.texts[k],
                )
        painter.restore()


class HeatMap(ChartBase):
    def __init__(
        self,
        title: str = "",
        *,
        cmap: str | pg.ColorMap = "diverging",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(title, parent)
        self.cmap = colormap(cmap)
        self.x_axis = LabelAxis("bottom")
        self.y_axis = LabelAxis("left")
        self.plot = self.add_plot(axes={"left": self.y_axis, "bottom": self.x_axis})
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.cells = CellTexts()
        self.plot.addItem(self.cells)
        self.grid = np.empty((0, 0))
        self.apply_theme()

    def set_data(
        self,
        x_values: Sequence[float],
        y_values: Sequence[float],
        grid: Any,
        *,
        x_kind: str = "number",
        y_kind: str = "number",
        value_kind: str = "percent",
        x_label: str = "",
        y_label: str = "",
        levels: tuple[float, float] | None = None,
        currency: str = "USD",
    ) -> None:
        """`grid[i, j]` is the value at (`x_values[j]`, `y_values[i]`).

        `levels` fixes the colour scale (default: the grid's min and max; pass (0, 1)
        for success rates so 50% always looks the same).
        """
        values = np.asarray(grid, dtype=np.float64)
        ny, nx = len(y_values), len(x_values)
        if values.shape != (ny, nx):
            raise ValueError(f"grid shape {values.shape} does not match ({ny}, {nx})")
        self.grid = values
        finite = values[np.isfinite(values)]
        lo, hi = levels or ((float(finite.min()), float(finite.max())) if finite.size else (0, 1))
        if hi <= lo:
            hi = lo + 1e-9
        self.levels = (lo, hi)
        if values.size:
            self.image.setImage(values, levels=(lo, hi), lut=self.cmap.getLookupTable(nPts=256))
            self.image.setRect(QRectF(-0.5, -0.5, nx, ny))
        else:
            self.image.clear()
        x_step = float(np.min(np.diff(x_values))) if nx > 1 else 1.0
        y_step = float(np.min(np.diff(y_values))) if ny > 1 else 1.0
        self.x_axis.set_labels([tick_text(v, abs(x_step), x_kind, currency) for v in x_values])
        self.y_axis.set_labels([tick_text(v, abs(y_step), y_kind, currency) for v in y_values])
        self.plot.setLabel("bottom", x_label)
        self.plot.setLabel("left", y_label)
        self.plot.setXRange(-0.5, nx - 0.5, padding=0)
        self.plot.setYRange(-0.5, ny - 0.5, padding=0)
        font = QFont(self.font())
        if max(nx, ny) > 9:
            font.setPointSizeF(font.pointSizeF() * 0.85)
        self.cells.font = font
        flat = values.ravel()
        texts = [cell_text(v, value_kind, currency) for v in flat]
        self.cells.set_cells(texts, self._text_colors(flat), (ny, nx))

    def cell_text(self, row: int, col: int) -> str:
        return self.cells.texts[row * self.grid.shape[1] + col]

    def _text_colors(self, flat: np.ndarray) -> list[QColor]:
        """Dark text on light cells, light text on dark ones (one colour-map call)."""
        lo, hi = self.levels
        rgba = self.cmap.map(np.clip((np.nan_to_num(flat) - lo) / (hi - lo), 0, 1), mode="byte")
        luminance = rgba[:, :3] @ np.array([0.299, 0.587, 0.114])
        dark, light, muted = QColor(20, 20, 20), QColor(250, 250, 250), self.theme()["muted"]
        return [
            muted if not np.isfinite(v) else (dark if lum > 140 else light)
            for v, lum in zip(flat, luminance, strict=True)
        ]

    def apply_theme(self) -> None:
        super().apply_theme()
        self.style_plot(self.plot, grid=(False, False))
