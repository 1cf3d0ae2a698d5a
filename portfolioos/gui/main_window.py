"""The main window: a sidebar of pages, a stack, a status bar, and the Changes bus.

Pages are built the first time they are shown, so the window paints after building
one page, not ten, and a page's heavy imports (pyqtgraph, numpy) wait until needed.
"""

from __future__ import annotations

import importlib
import logging
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSize, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QPaintEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from portfolioos.gui import runtime
from portfolioos.gui.pages.base import Page
from portfolioos.services.changes import Changes
from portfolioos.services.context import AppContext

if TYPE_CHECKING:
    from portfolioos.gui.exporting import Exporter
    from portfolioos.gui.sync import MarketSync

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


def _call(obj: object, name: str, default: object) -> object:
    method = getattr(obj, name, None)
    return method() if callable(method) else default


PRELOAD_DELAY_MS = 3000  # first page shown -> the other pages' modules imported

# Sidebar order; adding a page is adding a line here.
PAGES: tuple[PageSpec, ...] = (
    PageSpec("Dashboard", "Ctrl+1", "portfolioos.gui.pages.dashboard:DashboardPage"),
    PageSpec("Holdings", "Ctrl+2", "portfolioos.gui.pages.holdings:HoldingsPage"),
    PageSpec("Transactions", "Ctrl+3", "portfolioos.gui.pages.transactions:TransactionsPage"),
    PageSpec("Import", "Ctrl+4", "portfolioos.gui.pages.importer:ImportPage"),
    PageSpec("Performance", "Ctrl+5", "portfolioos.gui.pages.performance:PerformancePage"),
    PageSpec("Markets", "Ctrl+6", "portfolioos.gui.pages.markets:MarketsPage"),
    PageSpec("Planner", "Ctrl+7", "portfolioos.gui.pages.planner:PlannerPage"),
    PageSpec("Assistant", "Ctrl+8", "portfolioos.gui.pages.assistant:AssistantPage"),
    PageSpec("Accounts", "Ctrl+9", "portfolioos.gui.pages.accounts:AccountsPage"),
    PageSpec("Settings", "Ctrl+,", "portfolioos.gui.pages.settings:SettingsPage"),
)


class MainWindow(QMainWindow):
    first_paint = Signal()

    def __init__(
        self,
        ctx: AppContext,
        pages: tuple[PageSpec, ...] = PAGES,
        *,
        defer_first_page: bool = False,
    ) -> None:
        super().__init__()
        runtime.tune_interpreter()
        # At start-up the window paints its frame and the page's title first and builds
        # the page right after: a page's charts import pyqtgraph and numpy (~0.4 s), which
        # the first frame does not need.
        self._defer_first_page = defer_first_page
        self.page_ready = False
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

        for spec in pages:
            item = QListWidgetItem(spec.title)
            item.setSizeHint(QSize(160, 36))
            if spec.shortcut:
                item.setToolTip(f"{spec.title} ({spec.shortcut})")
            self.sidebar.addItem(item)
        self.sidebar.currentRowChanged.connect(self._show_row)

        self.status_folder = QLabel(f"Data: {ctx.paths.root}")
        self.status_folder.setObjectName("statusFolder")
        self.statusBar().addPermanentWidget(self.status_folder)
        self.statusBar().showMessage("Ready", 3000)
        # Prices at start and every few hours; the controller is set up after the first
        # frame (it is not needed to draw it), or earlier if something asks for it.
        self._market_sync: MarketSync | None = None
        self.first_paint.connect(self._start_market_sync)

        self.file_menu = self.menuBar().addMenu("&File")
        self.file_menu.setObjectName("fileMenu")
        self._exporter: Exporter | None = None
        # Keyboard shortcuts and the File menu's actions are not needed to draw the first
        # frame, and creating the first QKeySequence costs ~25 ms of Qt enum set-up.
        if defer_first_page:
            self.first_paint.connect(self._install_actions)
        else:
            self._install_actions()
        self._restore_state()

    def _install_actions(self) -> None:
        """Page shortcuts, and the File menu: import, export (filled when opened), quit."""
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QAction, QKeySequence

        self.sidebar.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for index, spec in enumerate(self.specs):
            if spec.shortcut:
                action = QAction(spec.title, self)
                action.setShortcut(QKeySequence(spec.shortcut))
                action.triggered.connect(lambda _=False, i=index: self.sidebar.setCurrentRow(i))
                self.addAction(action)
        quit_action = QAction("Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        self.addAction(quit_action)
        menu = self.file_menu
        if "Import" in self.titles:
            open_import = QAction("&Import a file…", self)
            open_import.setShortcut(QKeySequence("Ctrl+I"))
            open_import.triggered.connect(lambda: self.show_page("Import"))
            menu.addAction(open_import)
        self._export_anchor = menu.addSeparator()
        menu.addAction(quit_action)

        def fill() -> None:
            if not getattr(self, "_export_filled", False):
                self._export_filled = True
                menu.insertMenu(self._export_anchor, self.exporter.menu(self))

        menu.aboutToShow.connect(fill)

    @property
    def market_sync(self) -> MarketSync:
        if self._market_sync is None:
            from portfolioos.gui.sync import MarketSync

            self._market_sync = MarketSync.attach(self)
        return self._market_sync

    def _start_market_sync(self) -> None:
        self.market_sync.start()

    @property
    def exporter(self) -> Exporter:
        if self._exporter is None:
            from portfolioos.gui.exporting import Exporter

            self._exporter = Exporter(
                self,
                self.ctx,
                filters=lambda: _call(self._built.get("Transactions"), "export_filters", {}),
                simulation=lambda: getattr(self._built.get("Planner"), "last_result", None),
            )
        return self._exporter

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
            # A page lives as long as the window: its objects (and the modules it just
            # imported) leave the garbage collector's full walks (gui/runtime.py).
            runtime.freeze_long_lived()
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
        row = self.titles.index(last) if last in self.titles else 0
        if not self._defer_first_page:
            self.sidebar.setCurrentRow(row)
            self.page_ready = True
            return
        self.sidebar.blockSignals(True)
        self.sidebar.setCurrentRow(row)
        self.sidebar.blockSignals(False)
        placeholder = QWidget()
        layout = QVBoxLayout(placeholder)
        layout.setContentsMargins(24, 18, 24, 18)
        heading = QLabel(self.titles[row])
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        heading.setFont(font)
        layout.addWidget(heading)
        layout.addWidget(QLabel("Loading…"))
        layout.addStretch(1)
        self.stack.addWidget(placeholder)
        self._placeholder = placeholder
        self.first_paint.connect(lambda: QTimer.singleShot(0, lambda: self._import_first(row)))

    def _import_first(self, row: int) -> None:
        """The first page's module (and pyqtgraph, numpy with it: ~0.5-1 s) is imported
        in a worker, so the window keeps painting and answering meanwhile; the page is
        built when it is in."""
        from portfolioos.gui.workers import run_task

        module = self.specs[row].target.partition(":")[0]

        def failed(message: str) -> None:
            logger.warning("importing %s in a worker failed: %s", module, message)
            self._build_first(row)  # the import runs here again and shows the real error

        run_task(
            importlib.import_module,
            module,
            on_result=lambda _: self._build_first(row),
            on_error=failed,
        )

    def _build_first(self, row: int) -> None:
        # The modules the worker just imported live as long as the process: out of the
        # collector's full walks before the page's build allocates (the first full
        # collection after the import otherwise walked them all on this thread: 75 ms).
        runtime.freeze_long_lived()
        if self.sidebar.currentRow() == row:
            self._show_row(row)
        self.stack.removeWidget(self._placeholder)
        self._placeholder.deleteLater()
        self.page_ready = True
        # After the first page has loaded and drawn (its worker and this one would take
        # turns at the interpreter lock, slowing every slice of the page's build).
        QTimer.singleShot(PRELOAD_DELAY_MS, self._preload_pages)
        if os.environ.get("PORTFOLIOOS_QUIT_AFTER_PAINT") == "page":
            self._stamp_page_when_built()

    def _preload_pages(self) -> None:
        """The other pages' modules are imported in a worker too (0.05-1 s each the
        first time, pyqtgraph's charts the most), so a page's first click only builds
        it. A page clicked meanwhile waits for just its own module's import."""
        import sys

        from portfolioos.gui.workers import run_task

        modules = [spec.target.partition(":")[0] for spec in self.specs]
        missing = [m for m in dict.fromkeys(modules) if m not in sys.modules]

        def load() -> None:
            for module in missing:
                try:
                    importlib.import_module(module)
                except Exception:  # the page's own first show reports it
                    logger.exception("preloading %s", module)

        if missing:
            run_task(load, on_result=lambda _: runtime.freeze_long_lived())

    def _stamp_page_when_built(self) -> None:
        """benchmarks/startup.py: the page counts as built when its charts are (a page
        that builds them in slices says so with `charts_ready`)."""
        page = self.stack.currentWidget()
        if not getattr(page, "charts_ready", True):
            QTimer.singleShot(5, self._stamp_page_when_built)
            return
        page.repaint()
        _stamp("page")
        app = QApplication.instance()
        if app is not None:
            QTimer.singleShot(0, app.quit)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._market_sync is not None:
            self._market_sync.stop()
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
            _stamp("paint")
            QTimer.singleShot(0, self.first_paint.emit)
            if os.environ.get("PORTFOLIOOS_QUIT_AFTER_PAINT") == "1":
                app = QApplication.instance()
                if app is not None:
                    QTimer.singleShot(0, app.quit)


def _stamp(moment: str) -> None:
    """For benchmarks/startup.py: note when the window painted (wall clock, seconds)."""
    target = os.environ.get("PORTFOLIOOS_PAINT_STAMP")
    if target:
        import time

        with open(target, "a", encoding="utf-8") as out:
            out.write(f"{moment} {time.time():.6f}\n")
