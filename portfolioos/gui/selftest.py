"""The window half of `portfolioos self-test`: build the main window, open every page,
and check that something was actually drawn.

Lives under gui/ because it is the Qt side; the CLI step calls `render_main_window`.
Opening each page matters most in a bundle: pages are imported by name on first show,
so a module the bundler missed only shows up here.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from dataclasses import dataclass

from portfolioos.services.context import AppContext

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RenderReport:
    platform: str
    width: int
    height: int
    pages: tuple[str, ...]


def choose_platform() -> str | None:
    """Pick offscreen rendering when there is no display; must run before Qt loads.

    Returns the platform forced, or None when Qt may choose (a display exists, or the
    user set QT_QPA_PLATFORM)."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return None
    no_display = sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )
    if no_display:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        return "offscreen"
    return None


def render_main_window(ctx: AppContext, *, timeout: float = 20.0) -> RenderReport:
    """Show the main window (off screen), visit every page, grab the pixels.

    Raises RuntimeError naming the page when a page does not build or nothing is drawn.
    """
    choose_platform()
    from PySide6.QtCore import Qt, QThreadPool
    from PySide6.QtWidgets import QApplication

    from portfolioos.gui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    platform = app.platformName()
    window = MainWindow(ctx)
    if platform not in ("offscreen", "minimal"):
        # A real display: still render, but do not flash a window at the user.
        window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    try:
        window.resize(1200, 780)
        window.show()
        visited: list[str] = []
        for title in window.titles:
            try:
                window.show_page(title)
            except Exception as exc:
                raise RuntimeError(f"page {title!r} did not open: {exc}") from exc
            _settle(app, timeout)
            visited.append(title)
        if not window._painted and platform in ("offscreen", "minimal"):
            deadline = time.monotonic() + timeout
            while not window._painted and time.monotonic() < deadline:
                app.processEvents()
                time.sleep(0.01)
        image = window.grab().toImage()
        if image.isNull() or image.width() == 0:
            raise RuntimeError("the window rendered no pixels")
        colours = {
            image.pixel(x, y)
            for x in range(0, image.width(), max(1, image.width() // 40))
            for y in range(0, image.height(), max(1, image.height() // 40))
        }
        if len(colours) < 3:
            raise RuntimeError("the window rendered a blank image")
        return RenderReport(platform, image.width(), image.height(), tuple(visited))
    finally:
        # Pages start background loads when shown; let them finish before the caller
        # closes the data folder under them.
        QThreadPool.globalInstance().waitForDone(int(timeout * 1000))
        app.processEvents()
        window.close()
        window.deleteLater()
        app.processEvents()


def _settle(app: object, timeout: float) -> None:
    """Let queued events (lazy page builds, first paints) run, briefly."""
    from PySide6.QtWidgets import QApplication

    assert isinstance(app, QApplication)
    deadline = time.monotonic() + min(timeout, 0.2)
    while time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
