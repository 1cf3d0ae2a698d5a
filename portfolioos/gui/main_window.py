"""The main window: a sidebar of pages, a stack, a status bar, and the Changes bus.

Pages are built the first time they are shown, so the window paints after building
one page, not ten, and a page's heavy imports (pyqtgraph, numpy) wait until needed.
"""

from __future__ import annotations

import importlib
import logging
import os
from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QPaintEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from portfolioos.gui.pages.base import Page
from portfolioos.gui.sync import MarketSync
from portfolioos.services.changes import Changes
from portfolioos.services.context import AppContext

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PageSpec:
    title: str
    shortcut: str
    target: str  # "module:Class", imported on first show

    def load(self) -> type[Page]:
        module, _, name = self.target.partition(":")
        cls: type[Page] = getattr(importlib.import_module(module), name)
        return cls


# Sidebar order; adding a page is adding a line here.
PAGES: tuple[PageSpec, ...] = (
    PageSpec("Markets", "Ctrl+6", "portfolioos.gui.pages.markets:MarketsPage"),
    PageSpec("Accounts", "Ctrl+1", "portfolioos.gui.pages.accounts:AccountsPage"),
    PageSpec("Assistant", "Ctrl+8", "portfolioos.gui.pages.assistant:AssistantPage"),
    PageSpec("Settings", "Ctrl+,", "portfolioos.gui.pages.settings:SettingsPage"),
)


class MainWindow(QMainWindow):
    first_paint = Signal()

    def __init__(self, ctx: AppContext, pages: tuple[PageSpec, ...] = PAGES) -> None:
        super().__init__()
        self.ctx = ctx
        self.specs = pages
        self.titles = [spec.title for spec in pages]
        self._built: dict[str, Page] = {}
        self._painted = False
        self.setWindowTitle("PortfolioOS")
        self.setObjectName("mainWindow")
        self.setMinimumSize(QSize(760, 520))

        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setFixedWidth(180)
        self.sidebar.setSpacing(2)
        self.sidebar.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.sidebar.setStyleSheet(
            "QListWidget#sidebar { border: none; padding-top: 12px; font-size: 11pt;"
            " background: palette(base); }"
            "QListWidget#sidebar::item { padding: 6px 14px; border-radius: 6px; margin: 0 8px;"
            " color: palette(text); }"
            "QListWidget#sidebar::item:selected { background: palette(highlight);"
            " color: palette(highlighted-text); }"
            "QListWidget#sidebar::item:hover:!selected { background: palette(alternate-base); }"
        )
        self.stack = QStackedWidget()
        row.addWidget(self.sidebar)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        for index, spec in enumerate(pages):
            item = QListWidgetItem(spec.title)
            item.setSizeHint(QSize(160, 36))
            if spec.shortcut:
                item.setToolTip(f"{spec.title} ({spec.shortcut})")
                action = QAction(spec.title, self)
                action.setShortcut(QKeySequence(spec.shortcut))
                action.triggered.connect(lambda _=False, i=index: self.sidebar.setCurrentRow(i))
                self.addAction(action)
            self.sidebar.addItem(item)
        self.sidebar.currentRowChanged.connect(self._show_row)

        self.status_folder = QLabel(f"Data: {ctx.paths.root}")
        self.status_folder.setObjectName("statusFolder")
        self.statusBar().addPermanentWidget(self.status_folder)
        self.statusBar().showMessage("Ready", 3000)
        self.market_sync = MarketSync.attach(self)  # prices at start and every few hours

        quit_action = QAction("Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        self.addAction(quit_action)
        self._restore_state()

    # -- pages ------------------------------------------------------------------

    def page(self, title: str) -> Page:
        """The page with this title, built now if it has not been shown yet."""
        page = self._built.get(title)
        if page is None:
            spec = self.specs[self.titles.index(title)]
            page = spec.load()(self.ctx)
            page.changed.connect(self.broadcast)
            self._built[title] = page
            self.stack.addWidget(page)
        return page

    @property
    def built_pages(self) -> list[Page]:
        return list(self._built.values())

    @property
    def current_page(self) -> Page | None:
        widget = self.stack.currentWidget()
        return widget if isinstance(widget, Page) else None

    def show_page(self, title: str) -> Page:
        self.sidebar.setCurrentRow(self.titles.index(title))
        return self.page(title)

    def _show_row(self, row: int) -> None:
        if 0 <= row < len(self.specs):
            page = self.page(self.titles[row])
            self.stack.setCurrentWidget(page)
            page.on_shown()

    def broadcast(self, changes: Changes) -> None:
        """Every built page decides for itself whether a change concerns it; pages not
        built yet will read fresh data when they are."""
        logger.debug("changes: %s", changes.names())
        for page in self._built.values():
            page.on_changes(changes)

    # -- window state -----------------------------------------------------------

    def _restore_state(self) -> None:
        geometry = self.ctx.settings.ui_state("geometry")
        if geometry:
            self.restoreGeometry(QByteArray.fromBase64(geometry.encode()))
        else:
            self.resize(1200, 780)
        last = self.ctx.settings.ui_state("page")
        self.sidebar.setCurrentRow(self.titles.index(last) if last in self.titles else 0)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.market_sync.stop()
        try:
            geometry = bytes(self.saveGeometry().toBase64().data()).decode()
            self.ctx.settings.set_ui_state("geometry", geometry)
            current = self.current_page
            if current is not None:
                self.ctx.settings.set_ui_state("page", current.title)
        except Exception:
            logger.exception("saving window state")
        super().closeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self.first_paint.emit)
            if os.environ.get("PORTFOLIOOS_QUIT_AFTER_PAINT"):
                app = QApplication.instance()
                if app is not None:
                    QTimer.singleShot(0, app.quit)
