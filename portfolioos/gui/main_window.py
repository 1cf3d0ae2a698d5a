"""The main window: a sidebar of pages, a stack, a status bar, and the Changes bus."""

from __future__ import annotations

import importlib
import logging
import os

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
from portfolioos.services.changes import Changes
from portfolioos.services.context import AppContext

logger = logging.getLogger(__name__)

# Sidebar order. Each entry is "module:Class"; a page is imported when the window is
# built, so adding a page is adding a line here.
PAGES: tuple[str, ...] = (
    "portfolioos.gui.pages.accounts:AccountsPage",
    "portfolioos.gui.pages.settings:SettingsPage",
)


def load_page_class(spec: str) -> type[Page]:
    module, _, name = spec.partition(":")
    cls: type[Page] = getattr(importlib.import_module(module), name)
    return cls


class MainWindow(QMainWindow):
    first_paint = Signal()

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self._painted = False
        self.setWindowTitle("PortfolioOS")
        self.setObjectName("mainWindow")
        self.setMinimumSize(QSize(900, 600))

        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setFixedWidth(180)
        self.sidebar.setSpacing(2)
        self.sidebar.setStyleSheet(
            "QListWidget#sidebar { border: none; padding-top: 12px; font-size: 11pt; }"
            "QListWidget#sidebar::item { padding: 8px 16px; border-radius: 6px; margin: 0 8px; }")
        self.stack = QStackedWidget()
        row.addWidget(self.sidebar)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.pages: list[Page] = []
        for spec in PAGES:
            self.add_page(load_page_class(spec)(ctx))
        self.sidebar.currentRowChanged.connect(self._show_row)

        self.status_folder = QLabel(f"Data: {ctx.paths.root}")
        self.status_folder.setObjectName("statusFolder")
        self.statusBar().addPermanentWidget(self.status_folder)
        self.statusBar().showMessage("Ready", 3000)

        quit_action = QAction("Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        self.addAction(quit_action)
        self._restore_state()

    def add_page(self, page: Page) -> None:
        self.pages.append(page)
        self.stack.addWidget(page)
        item = QListWidgetItem(page.title)
        item.setSizeHint(QSize(160, 36))
        if page.shortcut:
            item.setToolTip(f"{page.title} ({page.shortcut})")
            action = QAction(page.title, self)
            action.setShortcut(QKeySequence(page.shortcut))
            index = len(self.pages) - 1
            action.triggered.connect(lambda _=False, i=index: self.sidebar.setCurrentRow(i))
            self.addAction(action)
        self.sidebar.addItem(item)
        page.changed.connect(self.broadcast)

    def page(self, title: str) -> Page:
        for page in self.pages:
            if page.title == title:
                return page
        raise KeyError(title)

    def show_page(self, title: str) -> Page:
        page = self.page(title)
        self.sidebar.setCurrentRow(self.pages.index(page))
        return page

    def _show_row(self, row: int) -> None:
        if 0 <= row < len(self.pages):
            self.stack.setCurrentIndex(row)
            self.pages[row].on_shown()

    def broadcast(self, changes: Changes) -> None:
        """Every page decides for itself whether a change concerns it."""
        logger.debug("changes: %s", changes.names())
        for page in self.pages:
            page.on_changes(changes)

    def _restore_state(self) -> None:
        geometry = self.ctx.settings.ui_state("geometry")
        if geometry:
            self.restoreGeometry(QByteArray.fromBase64(geometry.encode()))
        else:
            self.resize(1200, 780)
        titles = [p.title for p in self.pages]
        last = self.ctx.settings.ui_state("page")
        self.sidebar.setCurrentRow(titles.index(last) if last in titles else 0)

    def closeEvent(self, event: QCloseEvent) -> None:
        try:
            self.ctx.settings.set_ui_state("geometry", bytes(self.saveGeometry().toBase64().data()).decode())
            self.ctx.settings.set_ui_state("page", self.pages[self.stack.currentIndex()].title)
        except Exception:
            logger.exception("saving window state")
        super().closeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self.first_paint.emit)
            if os.environ.get("PORTFOLIOOS_QUIT_AFTER_PAINT"):
                QTimer.singleShot(0, QApplication.instance().quit)  # type: ignore[union-attr]


__all__ = ["PAGES", "MainWindow", "Qt"]
