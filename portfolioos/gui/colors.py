"""Colours derived from the application palette, so light and dark themes both read.

Widgets and charts ask here instead of hard-coding colours: the gain/loss tones, the
series colours of charts, and whether the current palette is dark (which flips them).
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from portfolioos.gui.format import Tone

# Colour-blind-friendlier qualitative set (Okabe-Ito order, adjusted for contrast),
# one variant per background.
_SERIES_LIGHT = ("#1f6fd1", "#e07b00", "#15936b", "#c2417f", "#6b4fbb", "#8a6d00", "#2b9bc4")
_SERIES_DARK = ("#5fa8ff", "#ffa94d", "#3ccf9b", "#f27ab3", "#a98bff", "#e0c04a", "#6fd0f0")


def palette() -> QPalette:
    app = QApplication.instance()
    return app.palette() if isinstance(app, QApplication) else QPalette()


def is_dark(pal: QPalette | None = None) -> bool:
    pal = pal or palette()
    return pal.color(QPalette.ColorRole.Window).lightness() < 128


def tone_color(tone: Tone, pal: QPalette | None = None) -> QColor:
    pal = pal or palette()
    dark = is_dark(pal)
    if tone is Tone.POSITIVE:
        return QColor("#3fb950" if dark else "#1a7f37")
    if tone is Tone.NEGATIVE:
        return QColor("#f85149" if dark else "#c62828")
    return pal.color(QPalette.ColorRole.WindowText)


def warning_colors(pal: QPalette | None = None) -> tuple[QColor, QColor, QColor]:
    """(background, border, text) of an inline warning."""
    if is_dark(pal):
        return QColor("#3d3316"), QColor("#9e7a18"), QColor("#f2d98a")
    return QColor("#fff6db"), QColor("#e3b341"), QColor("#5c4400")


def error_colors(pal: QPalette | None = None) -> tuple[QColor, QColor, QColor]:
    if is_dark(pal):
        return QColor("#3d1d1d"), QColor("#a33a3a"), QColor("#ffb4b0")
    return QColor("#fdecea"), QColor("#e57373"), QColor("#7a1c1c")


def series_color(index: int, pal: QPalette | None = None) -> QColor:
    colors = _SERIES_DARK if is_dark(pal) else _SERIES_LIGHT
    return QColor(colors[index % len(colors)])


def muted_text(pal: QPalette | None = None) -> QColor:
    """Secondary text: the text colour blended halfway toward the background."""
    pal = pal or palette()
    return blend(
        pal.color(QPalette.ColorRole.WindowText), pal.color(QPalette.ColorRole.Window), 0.45
    )


def blend(a: QColor, b: QColor, t: float) -> QColor:
    """`a` moved a fraction `t` toward `b`."""
    return QColor(
        round(a.red() + (b.red() - a.red()) * t),
        round(a.green() + (b.green() - a.green()) * t),
        round(a.blue() + (b.blue() - a.blue()) * t),
    )
