"""Markets: the cached prices, how fresh they are, and the means to refresh them.

Left, every held or cached symbol with its last price, its age and how its last sync
went. Right, the selected symbol's chart (with what the validator found marked on
it), the FRED series, and the corporate actions Yahoo knows of and the ledger lacks.
Every service call runs in a worker; a sync reports each symbol as it finishes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import logging
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from portfolioos.errors import NotFoundError
from portfolioos.gui import colors
from portfolioos.gui import format as fmt
from portfolioos.gui.charts import PriceChart
from portfolioos.gui.dialogs import show_error
from portfolioos.gui.format import Tone
from portfolioos.gui.market.actions import (
    ConfirmActionDialog,
    DismissActionDialog,
    split_text,
    what_is_written,
)
from portfolioos.gui.market.macro import MacroPanel
from portfolioos.gui.market.manual import ManualPriceDialog
from portfolioos.gui.models.table import LEFT, SORT_ROLE, Col, RowTableModel
from portfolioos.gui.pages.base import Page
from portfolioos.gui.sync import SyncOutcome, summary_text
from portfolioos.gui.widgets import EmptyState, ProgressPanel
from portfolioos.gui.workers import run_task
from portfolioos.services.changes import Changes

logger = logging.getLogger(__name__)

STATUS_LABELS = {
    "ok": "ok",
    "stale": "stale",
    "offline": "offline",
    "no_data": "failed: no data",
    "rate_limited": "failed: rate limited",
    "failed": "failed",
    "manual": "manual",
    "never": "not synced",
    "queued": "waiting…",
    "fetching": "fetching…",
}
_GOOD = {"ok"}
_BAD = {"offline", "no_data", "rate_limited", "failed"}


def status_text(row: Any) -> str:
    label = STATUS_LABELS.get(row.status, row.status)
    if row.status == "stale" and row.sessions_behind:
        label = f"stale ({row.sessions_behind} session{'s' if row.sessions_behind > 1 else ''})"
    return label


def status_tone(row: Any) -> Tone:
    if row.status in _GOOD:
        return Tone.POSITIVE
    if row.status in _BAD:
        return Tone.NEGATIVE
    return Tone.NEUTRAL


def _money(row: Any) -> str:
    if row.last_close is None:
        return fmt.DASH
    return fmt.money(row.last_close, row.currency or "USD")


COLUMNS = (
    Col("Symbol", "symbol", align=LEFT),
    Col("Last", "last_close"),
    Col("Date", "last_date"),
    Col("Status", status_text, tone=status_tone, tooltip=lambda r: r.message or None),
)


class SymbolModel(RowTableModel):
    """The symbol list; "Last" shows money in the symbol's own currency."""

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and index.isValid()
            and self.columns[index.column()].header == "Last"
        ):
            return _money(self.row_at(index.row()))
        if (
            role == Qt.ItemDataRole.ToolTipRole
            and index.isValid()
            and self.columns[index.column()].header == "Symbol"
        ):
            row = self.row_at(index.row())
            return "Held in an account" if row.held else "Cached only (not held)"
        return super().data(index, role)

    def row_for(self, symbol: str) -> int:
        for i, row in enumerate(self._rows):
            if row.symbol == symbol:
                return i
        return -1


@dataclass(frozen=True, slots=True)
class SymbolData:
    """Everything the chart shows for one symbol, read in one worker call."""

    symbol: str
    bars: Any  # pandas DataFrame from MarketService.prices
    gaps: list[Any]
    findings: list[Any]
    info: dict[str, Any] | None


def tagged(tag: int, fn: Any, *args: Any) -> tuple[int, Any]:
    """Run `fn(*args)` and hand back the caller's tag with the answer (newest-wins)."""
    return tag, fn(*args)


def load_symbol(market: Any, symbol: str) -> SymbolData:
    try:
        info = market.security_info(symbol)
    except NotFoundError:
        info = None
    return SymbolData(
        symbol, market.prices(symbol), market.gaps(symbol), market.findings(symbol), info
    )


def load_actions(market: Any) -> tuple[list[Any], list[Any]]:
    """The corporate actions tab in one worker call: suggestions, then possible duplicates."""
    return market.suggested_actions(), market.possible_duplicates()


def gap_spans(gap_days: list[dt.date], bar_days: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Missing trading days -> shaded spans from the bar before to the bar after.

    A one-day hole is then as wide as the line segment that papers over it, so it
    shows on a ten-year chart; neighbouring holes merge into one span.
    """
    import bisect

    spans: list[tuple[dt.date, dt.date]] = []
    for day in sorted(gap_days):
        i = bisect.bisect_left(bar_days, day)
        before = bar_days[i - 1] if i > 0 else day
        after = bar_days[i] if i < len(bar_days) else day
        if spans and before <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], after))
        else:
            spans.append((before, after))
    return spans


class _SyncFeed(QObject):
    """Carries each symbol's result from the worker thread to the page (queued)."""

    result = Signal(object)


class MarketsPage(Page):
    title = "Markets"
    shortcut = "Ctrl+6"

    def __init__(self, ctx, parent: QWidget | None = None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx, parent)
        self.loaded = False
        self._overview_gen = 0
        self._symbol_gen = 0
        self.selected = ""
        self.symbol_data: SymbolData | None = None
        self.live: dict[str, tuple[str, str]] = {}  # symbol -> (status, message) mid-sync
        self.last_outcome: SyncOutcome | None = None
        self.feed = _SyncFeed(self)
        self.feed.result.connect(self._symbol_synced)

        bar = QHBoxLayout()
        self.sync_button = QPushButton("Sync now")
        self.sync_button.setObjectName("syncNow")
        self.sync_button.setToolTip("Fetch new daily prices from Yahoo for every listed symbol")
        self.sync_button.clicked.connect(self.sync_now)
        self.add_button = QPushButton("Add price…")
        self.add_button.setObjectName("addPrice")
        self.add_button.clicked.connect(self.add_price)
        self.import_button = QPushButton("Import CSV…")
        self.import_button.setObjectName("importPrices")
        self.import_button.setToolTip("A CSV with columns symbol, date, close[, currency]")
        self.import_button.clicked.connect(self.choose_csv)
        self.status = QLabel("")
        self.status.setObjectName("marketStatus")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for button in (self.sync_button, self.add_button, self.import_button):
            bar.addWidget(button)
        bar.addWidget(self.status, 1)
        self.layout_.addLayout(bar)
        self.progress = ProgressPanel()
        self.layout_.addWidget(self.progress)

        # -- left: symbols ------------------------------------------------------------
        self.model = SymbolModel(COLUMNS)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView()
        self.table.setObjectName("symbolTable")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(True)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        # Unsorted until a header is clicked: the service's order (held first) stands.
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.no_symbols = EmptyState(
            "No prices yet",
            "Import a price CSV or add a price by hand; held symbols appear here "
            "once transactions are imported.",
            "Import CSV…",
        )
        self.no_symbols.action.connect(self.choose_csv)
        self.table.setStyleSheet("QTableView::item { padding: 0 6px; }")
        self.counts = QLabel("")
        self.counts.setObjectName("symbolCounts")
        self.counts.setWordWrap(True)
        listing = QWidget()
        column = QVBoxLayout(listing)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.table, 1)
        column.addWidget(self.counts)
        self.left = QStackedWidget()
        self.left.addWidget(listing)
        self.left.addWidget(self.no_symbols)
        self.listing = listing

        # -- right: chart, FRED, corporate actions --------------------------------------
        self.tabs = QTabWidget()
        self.tabs.setObjectName("marketTabs")
        self.tabs.setDocumentMode(True)
        price_tab = QWidget()
        column = QVBoxLayout(price_tab)
        column.setContentsMargins(0, 8, 0, 0)
        self.info_label = QLabel("")
        self.info_label.setObjectName("symbolInfo")
        self.info_label.setWordWrap(True)
        self.info_label.setTextFormat(Qt.TextFormat.RichText)
        column.addWidget(self.info_label)
        self.chart = PriceChart("")
        self.chart.setObjectName("priceChart")
        column.addWidget(self.chart, 1)
        self.no_chart = EmptyState("Pick a symbol", "Its cached daily prices show here.")
        column.addWidget(self.no_chart, 1)
        self.chart.hide()
        self.macro = MacroPanel(ctx)
        self.macro.changed.connect(self.changed)
        self.macro.open_keys.connect(self.open_api_keys)
        actions_tab = QWidget()
        column = QVBoxLayout(actions_tab)
        column.setContentsMargins(0, 8, 0, 0)
        self.actions_note = QLabel(
            "Splits and dividends Yahoo reports while an account held the symbol and its "
            "ledger has no entry for. Nothing is written until you confirm one: Confirm… "
            "shows the exact row it adds. Dismiss stops offering it. A broker statement "
            "imported later with the same row adds nothing twice."
        )
        self.actions_note.setWordWrap(True)
        column.addWidget(self.actions_note)
        action_bar = QHBoxLayout()
        self.confirm_button = QPushButton("Confirm…")
        self.confirm_button.setObjectName("confirmAction")
        self.confirm_button.setToolTip("Write the selected action into its account's ledger")
        self.confirm_button.clicked.connect(self.confirm_selected)
        self.dismiss_button = QPushButton("Dismiss")
        self.dismiss_button.setObjectName("dismissAction")
        self.dismiss_button.setToolTip("Stop offering the selected action")
        self.dismiss_button.clicked.connect(self.dismiss_selected)
        self.actions_status = QLabel("")
        self.actions_status.setObjectName("actionsStatus")
        self.actions_status.setWordWrap(True)
        action_bar.addWidget(self.confirm_button)
        action_bar.addWidget(self.dismiss_button)
        action_bar.addWidget(self.actions_status, 1)
        column.addLayout(action_bar)
        self.actions_warning = QLabel("")
        self.actions_warning.setObjectName("actionsWarning")
        self.actions_warning.setWordWrap(True)
        self.actions_warning.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.actions_warning.hide()
        column.addWidget(self.actions_warning)
        self.actions_model = RowTableModel(
            (
                Col("Date", "date"),
                Col("Account", "account", align=LEFT),
                Col("Symbol", "symbol", align=LEFT),
                Col("Type", "type", align=LEFT),
                Col("Per share / ratio", _action_amount, align=LEFT),
                Col("Shares", "shares", format=_shares_text),
                Col("Writes", _action_writes, tooltip=lambda a: a.reason),
                Col("Why", "reason", align=LEFT, tooltip=lambda a: a.reason),
            )
        )
        self.actions_table = QTableView()
        self.actions_table.setObjectName("actionsTable")
        self.actions_table.setModel(self.actions_model)
        self.actions_table.verticalHeader().hide()
        self.actions_table.setShowGrid(False)
        self.actions_table.setWordWrap(False)
        self.actions_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.actions_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.actions_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.actions_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.actions_table.horizontalHeader().setStretchLastSection(True)
        self.actions_table.selectionModel().currentRowChanged.connect(
            lambda *_: self._update_action_buttons()
        )
        self.actions_table.doubleClicked.connect(lambda *_: self.confirm_selected())
        self.no_actions = EmptyState(
            "Nothing to add",
            "Every split and dividend Yahoo reports while you held a symbol is in your "
            "ledger or was dismissed (or no prices have been synced yet).",
        )
        self.actions_stack = QStackedWidget()
        self.actions_stack.addWidget(self.actions_table)
        self.actions_stack.addWidget(self.no_actions)
        self.actions_stack.setCurrentWidget(self.no_actions)
        self._update_action_buttons()
        column.addWidget(self.actions_stack, 1)
        self.tabs.addTab(price_tab, "Price")
        self.tabs.addTab(self.macro, "Macro (FRED)")
        self.tabs.addTab(actions_tab, "Corporate actions")
        self.tabs.currentChanged.connect(self._tab_changed)
        self._macro_loaded = False

        split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)
        split.addWidget(self.left)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([380, 800])
        self.layout_.addWidget(split, 1)
        self._restyle_note()

    def _restyle_note(self) -> None:
        muted = colors.muted_text(self.palette()).name()
        self.actions_note.setStyleSheet(f"color: {muted};")
        bad = colors.tone_color(Tone.NEGATIVE, self.palette()).name()
        self.actions_warning.setStyleSheet(f"color: {bad};")

    # -- loading --------------------------------------------------------------------
    def on_shown(self) -> None:
        if not self.loaded:
            self.loaded = True
            self.reload()

    def on_changes(self, changes: Changes) -> None:
        if not self.loaded:
            return
        if changes.prices or changes.ledger:
            self.reload()
        if changes.macro and self._macro_loaded:
            self.macro.load()

    def reload(self) -> None:
        # Reloads can overlap (a sync ends while a broadcast arrives); only the newest
        # one's answer is shown, whatever order the workers finish in.
        self._overview_gen += 1
        gen = self._overview_gen
        run_task(
            tagged,
            gen,
            self.ctx.market.overview,
            on_result=self._overview_ready,
            on_error=self.status.setText,
        )
        if self.tabs.currentIndex() == 2:
            self.load_actions()

    def _overview_ready(self, answer: tuple[int, list[Any]]) -> None:
        if answer[0] == self._overview_gen:
            self._show_overview(answer[1])

    def _show_overview(self, rows: list[Any]) -> None:
        rows = [self._with_live(r) for r in rows]
        self.model.update_rows(rows, key=lambda r: r.symbol)
        self.left.setCurrentWidget(self.listing if rows else self.no_symbols)
        self.counts.setText(_counts_text(rows))
        if rows and not self.status.text():
            self.status.setText(_last_attempt_text(rows))
        if not rows:
            self.chart.hide()
            self.no_chart.show()
            self.no_chart.set_text("No prices yet", "Import a price CSV or add a price.")
            return
        if self.selected and self.model.row_for(self.selected) >= 0:
            self._select(self.selected, force=True)
        else:
            self._select(rows[0].symbol)

    def _with_live(self, row: Any) -> Any:
        live = self.live.get(row.symbol)
        if live is None:
            return row
        return dataclasses.replace(row, status=live[0], message=live[1])

    def _select(self, symbol: str, *, force: bool = False) -> None:
        source_row = self.model.row_for(symbol)
        if source_row < 0:
            return
        index = self.proxy.mapFromSource(self.model.index(source_row, 0))
        if self.table.currentIndex().row() != index.row():
            self.table.setCurrentIndex(index)  # loads through _current_changed
        elif force or symbol != self.selected:
            self.load_symbol(symbol)

    def _current_changed(self, current: Any, _previous: Any) -> None:
        if not current.isValid():
            return
        row = self.model.row_at(self.proxy.mapToSource(current).row())
        self.load_symbol(row.symbol)

    def select_symbol(self, symbol: str) -> None:
        self._select(symbol.strip().upper(), force=True)

    def load_symbol(self, symbol: str) -> None:
        self.selected = symbol
        self._symbol_gen += 1
        gen = self._symbol_gen
        run_task(
            tagged,
            gen,
            load_symbol,
            self.ctx.market,
            symbol,
            on_result=self._symbol_ready,
            on_error=self.info_label.setText,
        )

    def _symbol_ready(self, answer: tuple[int, SymbolData]) -> None:
        if answer[0] == self._symbol_gen:
            self._show_symbol(answer[1])

    def _show_symbol(self, data: SymbolData) -> None:
        if data.symbol != self.selected:
            return  # a later selection wins
        self.symbol_data = data
        bars = data.bars
        if bars.empty:
            self.chart.hide()
            self.no_chart.show()
            self.no_chart.set_text(
                f"No prices cached for {data.symbol}",
                "Sync now, import a price CSV, or add a price by hand.",
            )
            self.info_label.setText(_info_text(data, None))
            return
        self.no_chart.hide()
        self.chart.show()
        currency = next((c for c in reversed(list(bars["currency"])) if c), None) or "USD"
        self.chart.currency = currency
        self.chart.price_axis.set_kind("money", currency)
        self.chart.set_title(data.symbol)
        dates = bars["date"].to_numpy()
        self.chart.set_data(
            dates,
            bars["close"].to_numpy(),
            open=bars["open"].to_numpy(),
            high=bars["high"].to_numpy(),
            low=bars["low"].to_numpy(),
            volume=bars["volume"].to_numpy(dtype="float64", na_value=float("nan")),
        )
        self._window_last_year(dates)
        info = data.info or {}
        self.chart.set_events(
            dividends=[(d["date"], d["amount"]) for d in info.get("dividends", [])],
            splits=[(s["date"], f"{s['ratio']:g}:1") for s in info.get("splits", [])],
        )
        bar_days = [d.date() for d in bars["date"]]
        self.chart.set_highlights(
            gaps=gap_spans([g.date for g in data.gaps], bar_days),
            outliers=[f.date for f in data.findings if f.kind == "outlier"],
        )
        self.info_label.setText(_info_text(data, bar_days[-1]))

    def _window_last_year(self, dates: Any) -> None:
        """Open on the last year (daily candles are legible there); wheel and drag reach
        the rest of the history."""
        from portfolioos.gui.charts.base import to_epoch

        xs = to_epoch(dates)
        if len(xs) < 2:
            return
        start = max(float(xs[0]), float(xs[-1]) - 365 * 86400)
        self.chart.price_plot.setXRange(start, float(xs[-1]), padding=0.01)

    # -- sync -----------------------------------------------------------------------
    def symbols(self) -> list[str]:
        return [r.symbol for r in self.model.rows]

    def sync_now(self) -> None:
        """Sync every listed symbol; each row's status updates as its result arrives."""
        symbols = self.symbols()
        if self.progress.state == "running":
            return
        if not symbols:
            self.status.setText("Nothing to sync yet: no held or cached symbols.")
            return
        self.live = {s: ("queued", "waiting for its turn") for s in symbols}
        self._refresh_live()
        self.sync_button.setEnabled(False)
        self.status.setText("")
        # The service's per-symbol hook runs on the worker thread: emitting a signal of a
        # GUI-thread object queues the row update onto the GUI thread.
        sync = functools.partial(self.ctx.market.sync_prices, on_result=self.feed.result.emit)
        self.progress.start(
            sync,
            symbols,
            message=f"Syncing {len(symbols)} symbol{'s' if len(symbols) > 1 else ''}…",
            on_result=self._synced,
            on_error=self._sync_failed,
            on_cancelled=self._sync_cancelled,
        )
        self.progress.task.signals.progress.connect(self._sync_progress)

    def _sync_progress(self, _fraction: float, message: str) -> None:
        symbol, _, what = message.partition(": ")
        if what == "fetching" and symbol in self.live:
            self.live[symbol] = ("fetching", "fetching from Yahoo")
            self._refresh_live()

    def _symbol_synced(self, result: Any) -> None:
        self.live[result.symbol] = (result.status, result.message)
        self._refresh_live()

    def _refresh_live(self) -> None:
        rows = [self._with_live(r) for r in self.model.rows]
        self.model.update_rows(rows, key=lambda r: r.symbol)

    def _synced(self, report: Any) -> None:
        self.last_outcome = SyncOutcome(report.results)
        self.status.setText(summary_text(self.last_outcome))
        self.status.setToolTip(
            "\n".join(f"{r.symbol}: {r.status} — {r.message}" for r in report.results)
        )
        self._sync_ended()
        self.changed.emit(Changes(prices=True))

    def _sync_failed(self, message: str) -> None:
        self._sync_ended()
        self.status.setText("Sync failed — showing cached prices")
        show_error(self, message)

    def _sync_cancelled(self) -> None:
        self._sync_ended()
        self.status.setText("Sync cancelled — symbols already fetched are kept")

    def _sync_ended(self) -> None:
        self.live = {}
        self.sync_button.setEnabled(True)
        self.reload()

    # -- manual prices ----------------------------------------------------------------
    def add_price(self) -> ManualPriceDialog:
        row = self.model.rows[self.model.row_for(self.selected)] if self.selected else None
        dialog = ManualPriceDialog(
            self.ctx, self.selected, (row.currency if row else None) or "USD", self
        )
        dialog.accepted.connect(lambda: self._price_added(dialog))
        dialog.open()
        return dialog

    def _price_added(self, dialog: ManualPriceDialog) -> None:
        symbol = dialog.symbol.text().strip().upper()
        self.status.setText(f"Added {symbol} on {dialog.entered_date().isoformat()}")
        self.selected = symbol
        self.changed.emit(dialog.changes)

    def choose_csv(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import prices", "", "CSV files (*.csv);;All files (*)"
        )
        if path:
            self.import_csv(path)

    def import_csv(self, path: str) -> None:
        self.progress.start(
            self.ctx.market.import_prices_csv,
            path,
            message="Importing prices…",
            on_result=self._imported,
            on_error=self._import_failed,
        )

    def _import_failed(self, message: str) -> None:
        show_error(self, message)

    def _imported(self, result: tuple[int, list[str], Changes]) -> None:
        count, symbols, changes = result
        names = ", ".join(symbols[:6]) + (
            f" and {len(symbols) - 6} more" if len(symbols) > 6 else ""
        )
        self.status.setText(f"Imported {count:,} prices for {names}")
        if symbols and not self.selected:
            self.selected = symbols[0]
        self.changed.emit(changes)

    # -- FRED and corporate actions ---------------------------------------------------------
    def _tab_changed(self, index: int) -> None:
        if index == 1 and not self._macro_loaded:
            self._macro_loaded = True
            self.macro.load()
        if index == 2:
            self.load_actions()

    def show_tab(self, name: str) -> None:
        """ "price", "macro" or "actions"."""
        self.tabs.setCurrentIndex(("price", "macro", "actions").index(name))

    def load_actions(self) -> None:
        run_task(
            load_actions,
            self.ctx.market,
            on_result=self._show_actions,
            on_error=self.actions_status.setText,
        )

    def _show_actions(self, answer: tuple[list[Any], list[Any]]) -> None:
        actions, doubts = answer
        self.actions_warning.setText("\n".join(f"Possible duplicate — {d.message}" for d in doubts))
        self.actions_warning.setVisible(bool(doubts))
        selected = self.selected_action()
        self.actions_model.set_rows(actions)
        self.actions_stack.setCurrentWidget(self.actions_table if actions else self.no_actions)
        keep = next(
            (
                i
                for i, a in enumerate(actions)
                if selected and (a.id, a.account_id) == (selected.id, selected.account_id)
            ),
            0 if actions else -1,
        )
        if keep >= 0:
            self.actions_table.setCurrentIndex(self.actions_model.index(keep, 0))
        self._update_action_buttons()

    def selected_action(self) -> Any:
        index = self.actions_table.currentIndex()
        if not index.isValid() or index.row() >= self.actions_model.rowCount():
            return None
        return self.actions_model.row_at(index.row())

    def _update_action_buttons(self) -> None:
        action = self.selected_action()
        self.dismiss_button.setEnabled(action is not None)
        self.confirm_button.setEnabled(action is not None and not action.blocked_by)
        self.confirm_button.setToolTip(
            f"Decide the split {action.blocked_by} first: the shares entitled depend on it"
            if action is not None and action.blocked_by
            else "Write the selected action into its account's ledger"
        )

    def confirm_selected(self) -> ConfirmActionDialog | None:
        """Ask with the exact row; the write runs in a worker once the user agrees."""
        action = self.selected_action()
        if action is None or action.blocked_by:
            return None
        dialog = ConfirmActionDialog(action, self.ctx.market.entry_for(action), self)
        dialog.accepted.connect(lambda: self._write_action(action, dialog.pay_date()))
        dialog.open()
        return dialog

    def _write_action(self, action: Any, pay_date: dt.date | None) -> None:
        self.confirm_button.setEnabled(False)
        self.actions_status.setText(f"Writing {action.id} to {action.account}…")
        run_task(
            self.ctx.market.confirm_action,
            action.id,
            action.account_id,
            pay_date=pay_date,
            on_result=self._action_written,
            on_error=self._action_failed,
        )

    def _action_written(self, done: Any) -> None:
        entry = done.entry
        if done.added:
            self.actions_status.setText(
                f"Wrote {what_is_written(done.action)} of {entry.symbol} on "
                f"{fmt.date_long(entry.date)} to {done.action.account}"
            )
        else:
            self.actions_status.setText(
                f"{done.action.account} already had this row; nothing was written"
            )
        self.changed.emit(done.changes)
        self.load_actions()

    def _action_failed(self, message: str) -> None:
        self.actions_status.setText("")
        self._update_action_buttons()
        show_error(self, message)

    def dismiss_selected(self) -> DismissActionDialog | None:
        action = self.selected_action()
        if action is None:
            return None
        dialog = DismissActionDialog(action, self)

        def clicked(button: Any) -> None:
            if button is dialog.dismiss_button:
                self._dismiss(action)

        dialog.buttonClicked.connect(clicked)
        dialog.open()
        return dialog

    def _dismiss(self, action: Any) -> None:
        run_task(
            self.ctx.market.dismiss_action,
            action.id,
            action.account_id,
            on_result=lambda gone: self._dismissed(action),
            on_error=self._action_failed,
        )

    def _dismissed(self, action: Any) -> None:
        self.actions_status.setText(
            f"Dismissed the {action.type} of {action.symbol} on "
            f"{fmt.date_long(action.date)} for {action.account}"
        )
        self.load_actions()

    def open_api_keys(self) -> None:
        window = self.window()
        show_page = getattr(window, "show_page", None)
        if show_page is None:
            return
        page = show_page("Settings")
        show_section = getattr(page, "show_section", None)
        if show_section is not None:
            show_section("assistant")


def _last_attempt_text(rows: list[Any]) -> str:
    attempts = [r.last_attempt for r in rows if r.last_attempt is not None]
    if not attempts:
        return "Never synced from Yahoo"
    # sync_state stamps are naive UTC; show local wall time
    local = max(attempts).replace(tzinfo=dt.UTC).astimezone().replace(tzinfo=None)
    return f"Last sync attempt {fmt.datetime_text(local)}"


def _counts_text(rows: list[Any]) -> str:
    held = sum(1 for r in rows if r.held)
    behind = sum(1 for r in rows if r.status in ("stale", *_BAD))
    text = f"{len(rows)} symbol{'s' if len(rows) != 1 else ''} · {held} held"
    if behind:
        text += f" · {behind} not current (hover a status for why)"
    return text


def _action_amount(action: Any) -> str:
    if action.type == "split":
        return split_text(action)
    paid = action.per_share_paid
    if paid is not None:
        places = max(0, -int(paid.normalize().as_tuple().exponent))
        return fmt.money(paid, action.currency or "USD", decimals=min(max(2, places), 6))
    return fmt.DASH


def _action_writes(action: Any) -> str:
    if action.blocked_by:
        return "after the split"
    if action.type == "split":
        return f"ratio {format(action.ratio.normalize(), 'f')}" if action.ratio else fmt.DASH
    return fmt.money(action.amount, action.currency or "USD") if action.amount else fmt.DASH


def _shares_text(value: Any) -> str:
    return fmt.DASH if value is None else format(value.normalize(), "f")


def _info_text(data: SymbolData, last: dt.date | None) -> str:
    info = data.info or {}
    muted = colors.muted_text().name()
    parts = []
    name = info.get("name")
    if name:
        parts.append(f"<b>{_escape(str(name))}</b>")
    for key in ("exchange", "currency", "asset_type", "sector", "industry"):
        if info.get(key):
            parts.append(_escape(str(info[key])).replace("_", " "))
    rows = len(data.bars)
    if rows:
        first = data.bars["date"].iloc[0].date()
        parts.append(f"{rows:,} days, {fmt.date_long(first)} – {fmt.date_long(last)}")
    gaps = len(data.gaps)
    outliers = sum(1 for f in data.findings if f.kind == "outlier")
    broken = sum(1 for f in data.findings if f.kind == "broken_bar")
    problems = []
    if gaps:
        problems.append(f"{gaps} missing trading day{'s' if gaps > 1 else ''} (shaded)")
    if outliers:
        problems.append(f"{outliers} outlier{'s' if outliers > 1 else ''} (ringed)")
    if broken:
        problems.append(f"{broken} broken bar{'s' if broken > 1 else ''}")
    text = f'<span style="color:{muted}">' + " · ".join(parts) + "</span>"
    if problems:
        bad = colors.tone_color(Tone.NEGATIVE).name()
        text += f'<br><span style="color:{bad}">' + " · ".join(problems) + "</span>"
    elif rows:
        text += f'<br><span style="color:{muted}">No gaps or outliers found.</span>'
    return text


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
