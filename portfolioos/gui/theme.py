"""Light and dark palettes: follow the system unless the user chose one."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication


def apply_theme(app: QApplication, theme: str) -> None:
    if app.style().name().lower() != "fusion":
        app.setStyle("Fusion")
    dark = theme == "dark" or (theme == "system" and system_is_dark(app))
    was_dark = bool(app.property("darkTheme"))
    if dark:
        app.setPalette(_dark_palette())
    elif was_dark:
        app.setPalette(app.style().standardPalette())
    app.setProperty("darkTheme", dark)


def system_is_dark(app: QApplication) -> bool:
    """Whether the desktop's palette is a dark one.

    Qt's platform themes hand the app a dark palette when the desktop is dark, so its
    window colour answers the question. (Asking `styleHints().colorScheme()` would do
    too, but the first Qt-namespace enum a process touches costs ~30 ms of PySide set-up
    before the window's first frame.)"""
    if app.property("darkTheme"):
        from PySide6.QtCore import Qt

        return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark
    return app.palette().window().color().lightness() < 128


def _dark_palette() -> QPalette:
    p = QPalette()
    window, base, text = QColor(37, 39, 43), QColor(28, 30, 33), QColor(226, 228, 232)
    p.setColor(QPalette.ColorRole.Window, window)
    p.setColor(QPalette.ColorRole.WindowText, text)
    p.setColor(QPalette.ColorRole.Base, base)
    p.setColor(QPalette.ColorRole.AlternateBase, QColor(44, 47, 52))
    p.setColor(QPalette.ColorRole.ToolTipBase, window)
    p.setColor(QPalette.ColorRole.ToolTipText, text)
    p.setColor(QPalette.ColorRole.Text, text)
    p.setColor(QPalette.ColorRole.Button, window)
    p.setColor(QPalette.ColorRole.ButtonText, text)
    p.setColor(QPalette.ColorRole.Highlight, QColor(52, 120, 198))
    p.setColor(QPalette.ColorRole.HighlightedText, QColor(255, 255, 255))
    p.setColor(QPalette.ColorRole.Link, QColor(110, 168, 254))
    p.setColor(QPalette.ColorRole.PlaceholderText, QColor(140, 144, 150))
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
        QPalette.ColorRole.WindowText,
    ):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor(120, 124, 130))
    return p


def follow_system(app: QApplication, chosen: Callable[[], str]) -> None:
    """Re-apply the theme when the desktop switches light/dark while the app runs;
    `chosen()` is read each time, so a user's explicit light/dark choice still wins."""
    QGuiApplication.styleHints().colorSchemeChanged.connect(
        lambda _scheme: apply_theme(app, chosen())
    )
