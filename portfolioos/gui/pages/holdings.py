"""Holdings: open positions with value, basis and gain; their lots; broker checks.

Everything is derived by the engine from the ledger (ctx.portfolio.holdings / lots /
discrepancies) in a worker; the page only shows rows. The lot-method selector asks the
engine again with `method=` ("what would my basis be under HIFO"), it never changes
the accounts' own methods.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelection, QSortFilterProxyModel, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from portfolioos.errors import PortfolioOSError
from portfolioos.gui import format as fmt
from portfolioos.gui.dialogs import show_error
from portfolioos.gui.format import Tone
from portfolioos.gui.models.table import LEFT, RIGHT, ROW_ROLE, SORT_ROLE, Col, RowTableModel
from portfolioos.gui.pages.base import Page
from portfolioos.gui.widgets import EmptyState, ErrorBanner
from portfolioos.gui.workers import run_task
from portfolioos.services.changes import Changes

logger = logging.getLogger(__name__)

METHODS = (
    ("Each account's method", None),
    ("FIFO", "fifo"),
    ("LIFO", "lifo"),
    ("HIFO", "hifo"),
    ("Average cost", "average"),
)


@dataclass(frozen=True, slots=True)
class HoldingRow:
    """One holding as shown: the engine's HoldingView plus name, weight and any
    mismatch against a broker's positions file."""

    account_id: int
    account: str
    symbol: str
    name: str
    shares: Decimal
    price: Decimal | None
    market_value: Decimal | None
    cost_basis: Decimal
    unrealized_gain: Decimal | None
    unrealized_pct: float | None
    weight: float | None
    currency: str
    price_date: Any
    mismatch: str = ""


def _gain_pct(view: Any) -> float | None:
    if view.unrealized_gain is None or not view.cost_basis:
        return None
    return float(view.unrealized_gain / view.cost_basis)


def build_rows(views: list[Any], names: dict[str, str]) -> list[HoldingRow]:
    """Holding rows with each one's share of the priced total."""
    total = sum((v.market_value for v in views if v.market_value is not None), Decimal(0))
    return [
        HoldingRow(
            v.account_id,
            v.account,
            v.symbol,
            names.get(v.symbol, ""),
            v.shares,
            v.price,
            v.market_value,
            v.cost_basis,
            v.unrealized_gain,
            _gain_pct(v),
            float(v.market_value / total) if v.market_value is not None and total else None,
            v.currency,
            v.price_date,
        )
        for v in views
    ]


def _money(value: Any, row: Any = None) -> str:
    return fmt.money(value, getattr(row, "currency", "USD"))


def holding_columns() -> list[Col]:
    def price_tip(r: HoldingRow) -> str | None:
        if r.price is None:
            return "No price stored for this symbol: not included in totals."
        return f"Close of {fmt.date_long(r.price_date)}"

    return [
        Col("Symbol", "symbol", align=LEFT, tooltip=lambda r: r.mismatch or None),
        Col("Name", "name", align=LEFT),
        Col("Shares", "shares", fmt.shares, RIGHT),
        Col("Price", "price", lambda v: fmt.money(v), RIGHT, tooltip=price_tip),
        Col("Market value", "market_value", lambda v: fmt.money(v), RIGHT),
        Col("Cost basis", "cost_basis", lambda v: fmt.money(v), RIGHT),
        Col(
            "Unrealized",
            "unrealized_gain",
            lambda v: fmt.money(v, signed=True),
            RIGHT,
            tone=True,
        ),
        Col(
            "Gain %",
            "unrealized_pct",
            lambda v: fmt.percent(v, signed=True),
            RIGHT,
            tone=True,
        ),
        Col("Weight", "weight", lambda v: fmt.percent(v), RIGHT),
        Col("Account", "account", align=LEFT),
        Col(
            "Broker check",
            "mismatch",
            lambda v: "≠ " + v.split(":", 1)[0] if v else "",
            LEFT,
            tone=lambda r: Tone.NEGATIVE if r.mismatch else Tone.NEUTRAL,
            tooltip=lambda r: r.mismatch or None,
        ),
    ]


def lot_columns() -> list[Col]:
    return [
        Col("Lot", "lot_id", align=LEFT),
        Col("Acquired", "acquired"),
        Col("Shares", "quantity", fmt.shares, RIGHT),
        Col("Cost basis", "cost_basis", lambda v: fmt.money(v), RIGHT),
        Col("Per share", "per_share", lambda v: fmt.money(v, decimals=4), RIGHT),
        Col("Market value", "market_value", lambda v: fmt.money(v), RIGHT),
        Col("Unrealized", "unrealized_gain", lambda v: fmt.money(v, signed=True), RIGHT, True),
        Col(
            "Holding period",
            "term",
            lambda v: "Long term" if str(getattr(v, "value", v)) == "long" else "Short term",
            LEFT,
            tooltip=lambda r: f"Held since {fmt.date_long(r.holding_start)}",
        ),
        Col(
            "Wash-sale adj.",
            "wash_sale_adjustment",
            lambda v: fmt.money(v) if v else "",
            RIGHT,
        ),
    ]


class HoldingsFilter(QSortFilterProxyModel):
    """Text over symbol, name and account; an account chosen in the combo."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.text = ""
        self.account_id: int | None = None
        self.setSortRole(SORT_ROLE)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self.text = text.strip().casefold()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_account(self, account_id: int | None) -> None:
        self.beginFilterChange()
        self.account_id = account_id
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Any) -> bool:
        row = self.sourceModel().index(source_row, 0, source_parent).data(ROW_ROLE)
        if row is None:
            return False
        if self.account_id is not None and row.account_id != self.account_id:
            return False
        if self.text:
            hay = f"{row.symbol} {row.name} {row.account}".casefold()
            return self.text in hay
        return True


class HoldingsPage(Page):
    title = "Holdings"
    shortcut = "Ctrl+2"

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._loaded = False
        self._dirty = True
        self._generation = 0
        self._names: dict[str, str] = {}
        self._views: list[Any] = []
        self._mismatches: dict[tuple[int, str], str] = {}
        self.loading = False

        bar = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("holdingsSearch")
        self.search.setPlaceholderText("Filter by symbol, name or account")
        self.search.setClearButtonEnabled(True)
        self.account = QComboBox()
        self.account.setObjectName("holdingsAccount")
        self.account.setMinimumContentsLength(16)
        self.method = QComboBox()
        self.method.setObjectName("lotMethod")
        for label, value in METHODS:
            self.method.addItem(label, value)
        self.method.setToolTip("Cost-basis method for this view (accounts keep their own)")
        self.check_button = QPushButton("Check against broker positions…")
        self.check_button.setObjectName("checkPositions")
        bar.addWidget(self.search, 1)
        bar.addWidget(self.account)
        bar.addWidget(QLabel("Lot method"))
        bar.addWidget(self.method)
        bar.addWidget(self.check_button)
        self.layout_.addLayout(bar)

        self.banner = ErrorBanner()
        self.layout_.addWidget(self.banner)
        self.summary = QLabel("")
        self.summary.setObjectName("holdingsSummary")
        self.layout_.addWidget(self.summary)

        self.model = RowTableModel(holding_columns())
        self.proxy = HoldingsFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setObjectName("holdingsTable")
        self.table.setModel(self.proxy)
        self._setup_table(self.table)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(
            self.model.column_named("Market value"), Qt.SortOrder.DescendingOrder
        )

        lots_box = QWidget()
        lots_layout = QVBoxLayout(lots_box)
        lots_layout.setContentsMargins(0, 6, 0, 0)
        self.lots_title = QLabel("Select a holding to see its lots.")
        self.lots_title.setObjectName("lotsTitle")
        font = self.lots_title.font()
        font.setBold(True)
        self.lots_title.setFont(font)
        # The model sorts itself (exact Python keys, one pass): a sort proxy would call
        # data() for every comparison, ~50 ms for a few hundred lots.
        self.lots_model = RowTableModel(lot_columns())
        self.lots_table = QTableView()
        self.lots_table.setObjectName("lotsTable")
        self.lots_table.setModel(self.lots_model)
        self._setup_table(self.lots_table)
        self.lots_table.setSortingEnabled(True)
        self.lots_table.sortByColumn(1, Qt.SortOrder.AscendingOrder)  # oldest lot first
        lots_layout.addWidget(self.lots_title)
        lots_layout.addWidget(self.lots_table, 1)

        self.empty = EmptyState(
            "No holdings yet",
            "Import your broker's transaction history on the Import page; holdings, "
            "lots and gains are computed from it.",
        )
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(lots_box)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.layout_.addWidget(self.splitter, 1)
        self.layout_.addWidget(self.empty, 1)
        self.empty.hide()

        self.search.textChanged.connect(self.proxy.set_text)
        self.account.currentIndexChanged.connect(
            lambda _: self.proxy.set_account(self.account.currentData())
        )
        self.method.currentIndexChanged.connect(lambda _: self.reload())
        self.check_button.clicked.connect(self.check_positions)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        find = QAction("Find", self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(lambda: (self.search.setFocus(), self.search.selectAll()))
        self.addAction(find)
        refresh = QAction("Refresh", self)
        refresh.setShortcut(QKeySequence.StandardKey.Refresh)
        refresh.triggered.connect(self.reload)
        self.addAction(refresh)

    @staticmethod
    def _setup_table(table: QTableView) -> None:
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setAlternatingRowColors(True)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(26)
        table.setWordWrap(False)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        # Fitting a column formats every row's text; 60 rows tell the width well
        # enough and keep a 1,000-lot holding inside the frame budget.
        header.setResizeContentsPrecision(60)

    # -- loading ---------------------------------------------------------------------

    def on_shown(self) -> None:
        if self._dirty:
            self.reload()

    def on_changes(self, changes: Changes) -> None:
        if changes.prices:
            self._names.clear()
        if changes.ledger or changes.prices or changes.accounts:
            self._dirty = True
            if self.isVisible():
                self.reload()

    def selected_method(self) -> str | None:
        value = self.method.currentData()
        return str(value) if value else None

    def reload(self) -> None:
        self._dirty = False
        self._generation += 1
        generation = self._generation
        self.loading = True
        run_task(
            _load_holdings,
            self.ctx,
            self.selected_method(),
            dict(self._names),
            on_result=lambda data: self._show(generation, data),
            on_error=lambda message: self._failed(generation, message),
        )

    def _failed(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self.loading = False
            show_error(self, message)

    def _show(self, generation: int, data: dict[str, Any]) -> None:
        if generation != self._generation:
            return
        self.loading = False
        self._names.update(data["names"])
        self._views = data["holdings"]
        self._fill_accounts(data["accounts"])
        self._apply_rows()
        if not self._views:
            self.lots_model.set_rows([])

    def _apply_rows(self) -> None:
        selected = self.selected_holding()
        key = (selected.account_id, selected.symbol) if selected else None
        rows = build_rows(self._views, self._names)
        rows = [_with_mismatch(r, self._mismatches.get((r.account_id, r.symbol), "")) for r in rows]
        self.model.set_rows(rows)
        self.table.setColumnHidden(
            self.model.column_named("Broker check"), not any(r.mismatch for r in rows)
        )
        self._resize_columns(self.table, stretch=self.model.column_named("Name"))
        has = bool(rows)
        self.splitter.setVisible(has)
        self.empty.setVisible(not has)
        total_mv = sum((r.market_value for r in rows if r.market_value is not None), Decimal(0))
        total_basis = sum((r.cost_basis for r in rows if r.market_value is not None), Decimal(0))
        unpriced = [r.symbol for r in rows if r.market_value is None]
        gain = total_mv - total_basis
        parts = [
            f"{len(rows)} holdings",
            f"market value {fmt.money(total_mv)}",
            f"cost basis {fmt.money(total_basis)}",
            f"unrealized {fmt.money(gain, signed=True)}",
        ]
        if unpriced:
            parts.append(f"{len(unpriced)} unpriced ({', '.join(sorted(set(unpriced)))})")
        self.summary.setText("  ·  ".join(parts))
        if key is not None:
            self.select_holding(*key)
        elif rows and self.table.selectionModel().selectedRows() == []:
            self.table.selectRow(0)

    def _fill_accounts(self, accounts: list[tuple[int, str]]) -> None:
        current = self.account.currentData()
        self.account.blockSignals(True)
        self.account.clear()
        self.account.addItem("All accounts", None)
        for account_id, name in accounts:
            self.account.addItem(name, account_id)
        index = self.account.findData(current) if current is not None else 0
        self.account.setCurrentIndex(max(index, 0))
        self.account.blockSignals(False)
        self.proxy.set_account(self.account.currentData())

    @staticmethod
    def _resize_columns(table: QTableView, stretch: int | None = None) -> None:
        fit_columns(table, stretch)

    # -- lots ------------------------------------------------------------------------

    def selected_holding(self) -> HoldingRow | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        row: HoldingRow | None = rows[0].data(ROW_ROLE)
        return row

    def select_holding(self, account_id: int, symbol: str) -> bool:
        for i in range(self.proxy.rowCount()):
            row = self.proxy.index(i, 0).data(ROW_ROLE)
            if row.account_id == account_id and row.symbol == symbol:
                self.table.selectRow(i)
                return True
        return False

    def _selection_changed(self, *_: QItemSelection) -> None:
        row = self.selected_holding()
        if row is None:
            self.lots_title.setText("Select a holding to see its lots.")
            self.lots_model.set_rows([])
            return
        self.lots_title.setText(f"Lots of {row.symbol} in {row.account}")
        method = self.selected_method()
        generation = self._generation
        self.lots_loading = True
        run_task(
            self.ctx.portfolio.lots,
            row.symbol,
            row.account_id,
            method,
            on_result=lambda lots: self._show_lots(generation, row, lots),
            on_error=lambda message: show_error(self, message),
        )

    def _show_lots(self, generation: int, row: HoldingRow, lots: list[Any]) -> None:
        current = self.selected_holding()
        if current is None or (current.account_id, current.symbol) != (
            row.account_id,
            row.symbol,
        ):
            return
        self.lots_loading = False
        lots = [lot for lot in lots if lot.account_id == row.account_id]
        self.lots_model.set_rows(lots)
        header = self.lots_table.horizontalHeader()
        self.lots_model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        self.lots_table.setColumnHidden(
            self.lots_model.column_named("Wash-sale adj."),
            not any(lot.wash_sale_adjustment for lot in lots),
        )
        self._resize_columns(
            self.lots_table, stretch=self.lots_model.column_named("Holding period")
        )
        self.lots_title.setText(
            f"Lots of {row.symbol} in {row.account} ({self.lots_model.rowCount()})"
        )

    # -- broker positions ----------------------------------------------------------------

    def check_positions(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Broker positions CSV", "", "CSV files (*.csv);;All files (*)"
        )
        if not path:
            return
        account_id = self.account.currentData()
        if account_id is None:
            names = [self.account.itemText(i) for i in range(1, self.account.count())]
            if not names:
                return
            name, ok = QInputDialog.getItem(
                self, "Broker positions", "Positions of which account?", names, 0, False
            )
            if not ok:
                return
            account_id = self.account.itemData(names.index(name) + 1)
        self.run_check(Path(path), account_id)

    def run_check(self, path: Path, account_id: int) -> None:
        """Compare one account with a positions file and mark the mismatched rows."""
        run_task(
            self.ctx.portfolio.discrepancies,
            path,
            account_id,
            on_result=lambda found: self._show_check(path, account_id, found),
            on_error=lambda message: show_error(self, message),
        )

    def _show_check(self, path: Path, account_id: int, found: list[Any]) -> None:
        self._mismatches = {k: v for k, v in self._mismatches.items() if k[0] != account_id}
        lines = []
        for d in found:
            what = "shares" if d.field == "shares" else "basis"
            if d.field == "shares":
                ledger, broker = fmt.shares(d.ledger), fmt.shares(d.broker)
            else:
                ledger, broker = fmt.money(d.ledger), fmt.money(d.broker)
            text = f"{what}: ledger {ledger}, broker {broker}"
            key = (account_id, d.symbol)
            self._mismatches[key] = (
                f"{self._mismatches[key]}; {text}" if key in self._mismatches else text
            )
            lines.append(f"{d.symbol} {text}")
        self._apply_rows()
        name = self.account.itemText(max(self.account.findData(account_id), 0))
        if found:
            shown = "; ".join(lines[:6]) + ("; …" if len(lines) > 6 else "")
            self.banner.show_message(
                f"{len(found)} mismatch(es) between {name} and {path.name}: {shown}",
                level="warning",
            )
        else:
            self.banner.show_message(
                f"{name} matches {path.name}: same shares and basis for every symbol.",
                level="warning",
            )

    @property
    def mismatches(self) -> dict[tuple[int, str], str]:
        return dict(self._mismatches)


def fit_columns(
    table: QTableView, stretch: int | None = None, pad: int = 18, sample: int = 50
) -> None:
    """Size columns to their text, measured with font metrics on the model's display
    text (Qt's own fitting asks every role of every cell through Python: ~100 ms for a
    few hundred rows). `stretch` takes the remaining width and elides."""
    model = table.model()
    header = table.horizontalHeader()
    metrics = table.fontMetrics()
    bold = header.fontMetrics()
    rows = min(model.rowCount(), sample)
    header.setStretchLastSection(stretch is None)
    for col in range(model.columnCount()):
        if col == stretch:
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
            continue
        header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
        title = str(model.headerData(col, Qt.Orientation.Horizontal) or "")
        widest = bold.horizontalAdvance(title) + 24  # room for the sort arrow
        for row in range(rows):
            text = model.index(row, col).data()
            if text:
                widest = max(widest, metrics.horizontalAdvance(str(text)) + pad)
        header.resizeSection(col, min(widest, 320))


def _with_mismatch(row: HoldingRow, text: str) -> HoldingRow:
    if row.mismatch == text:
        return row
    from dataclasses import replace

    return replace(row, mismatch=text)


def _load_holdings(ctx: Any, method: str | None, known: dict[str, str]) -> dict[str, Any]:
    """Worker: holdings (with the chosen method), account names, security names."""
    holdings = ctx.portfolio.holdings(method=method)
    names: dict[str, str] = {}
    for symbol in sorted({h.symbol for h in holdings} - set(known)):
        try:
            names[symbol] = str(ctx.market.security_info(symbol).get("name") or "")
        except PortfolioOSError:  # no info stored yet, or a symbol Yahoo would refuse
            names[symbol] = ""
    accounts = [(a.id, a.name) for a in ctx.portfolio.list_accounts()]
    return {"holdings": holdings, "names": names, "accounts": accounts}
