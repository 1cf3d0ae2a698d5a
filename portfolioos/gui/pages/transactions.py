"""Transactions: the whole ledger (any length), its filters, and the import batches.

The ledger table is a WindowedTableModel: the row count arrives first, pages are
fetched in a worker when painted (keyset after the previous page when it is loaded),
so a million rows scroll end to end without the GUI thread waiting on DuckDB.
Batches are listed below with Undo, which runs in a worker and broadcasts Changes.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from portfolioos.domain.ledger import LedgerEntry, TxType
from portfolioos.gui import colors
from portfolioos.gui import format as fmt
from portfolioos.gui.dialogs import confirm, show_error
from portfolioos.gui.exporting import Exporter
from portfolioos.gui.format import Tone
from portfolioos.gui.models.table import LEFT, RIGHT, Col, RowTableModel
from portfolioos.gui.models.windowed import WindowedTableModel
from portfolioos.gui.pages.base import Page
from portfolioos.gui.widgets import FilterBar
from portfolioos.gui.workers import Task, run_task
from portfolioos.services.changes import Changes

logger = logging.getLogger(__name__)

TYPE_LABELS = {
    "buy": "Buy",
    "sell": "Sell",
    "dividend": "Dividend",
    "reinvest": "Reinvest",
    "interest": "Interest",
    "fee": "Fee",
    "split": "Split",
    "deposit": "Deposit",
    "withdrawal": "Withdrawal",
    "transfer_in": "Transfer in",
    "transfer_out": "Transfer out",
}


def type_label(value: str) -> str:
    return TYPE_LABELS.get(value, value.replace("_", " ").capitalize())


def _blank_dash(text: str) -> str:
    return "" if text == fmt.DASH else text


def _quantity(e: LedgerEntry) -> str:
    if e.type is TxType.SPLIT and e.split_ratio is not None:
        return f"{fmt.shares(e.split_ratio)} : 1"
    return "" if e.quantity is None else fmt.shares(e.quantity)


def _price(value: Any) -> str:
    """Prices keep up to 4 places (fund NAVs, fractional fills), never fewer than 2."""
    if value is None:
        return ""
    places = max(2, min(4, -value.normalize().as_tuple().exponent))
    return fmt.money(value, decimals=places)


def ledger_columns(names: dict[int, str]) -> list[Col]:
    def money(attr: str) -> Col:
        return Col(
            attr.capitalize(),
            lambda e, a=attr: getattr(e, a),
            lambda v: "" if v is None else fmt.money(v),
            align=RIGHT,
            tone=(lambda e: fmt.tone(e.amount)) if attr == "amount" else False,
        )

    return [
        Col("Date", "date", fmt.date_text, align=LEFT),
        Col("Account", lambda e: names.get(e.account_id, f"#{e.account_id}"), align=LEFT),
        Col("Type", lambda e: type_label(e.type.value), align=LEFT),
        Col("Symbol", lambda e: e.symbol or "", align=LEFT),
        Col("Quantity", _quantity, align=RIGHT),
        Col("Price", "price", _price, align=RIGHT),
        money("amount"),
        Col("Fees", "fees", lambda v: "" if not v else fmt.money(v), align=RIGHT),
        Col("Note", lambda e: e.note or "", align=LEFT, tooltip=lambda e: e.note or None),
        Col(
            "Batch",
            lambda e: e.batch_id,
            lambda v: "" if v is None else f"#{v}",
            align=RIGHT,
        ),
    ]


def batch_columns(names: dict[int, str]) -> list[Col]:
    return [
        Col("Batch", "id", lambda v: f"#{v}", align=RIGHT),
        Col("Imported", "imported_at", fmt.datetime_text, align=LEFT),
        Col("Account", lambda b: names.get(b.account_id, f"#{b.account_id}"), align=LEFT),
        Col("File", "source", align=LEFT),
        Col("Broker", "broker", align=LEFT),
        Col("Added", "rows_added", lambda v: f"{v:,}", align=RIGHT),
        Col("Duplicates", "rows_skipped", lambda v: f"{v:,}", align=RIGHT),
        Col(
            "Status",
            lambda b: "Undone " + fmt.datetime_text(b.undone_at) if b.undone_at else "In ledger",
            align=LEFT,
            tone=lambda b: Tone.NEGATIVE if b.undone_at else Tone.NEUTRAL,
        ),
    ]


def service_filters(values: dict[str, Any]) -> dict[str, Any]:
    """FilterBar's dict -> PortfolioService.transactions keyword arguments."""
    out: dict[str, Any] = {}
    if values.get("account") is not None:
        out["account"] = values["account"]
    if values.get("symbol"):
        out["symbol"] = values["symbol"]
    if values.get("type"):
        out["types"] = [values["type"]]
    if values.get("date_from"):
        out["start"] = values["date_from"]
    if values.get("date_to"):
        out["end"] = values["date_to"]
    if values.get("search"):
        out["text"] = values["search"]
    return out


class TransactionsPage(Page):
    title = "Transactions"

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._loaded = False
        self._meta_generation = 0
        self._names: dict[int, str] = {}
        self._filters: dict[str, Any] = {}
        self.undo_task: Task | None = None
        self.last_message = ""
        self.exporter = Exporter(self, ctx, filters=self.export_filters)

        bar = QHBoxLayout()
        self.count_label = QLabel("")
        self.count_label.setObjectName("ledgerCount")
        bar.addWidget(self.count_label, 1)
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setObjectName("exportTransactions")
        self.export_button.setToolTip("Export the transactions that match the filters")
        self.export_button.clicked.connect(lambda: self.exporter.export("transactions"))
        bar.addWidget(self.export_button)
        self.layout_.addLayout(bar)

        self.filter_bar = FilterBar()
        self.filter_bar.set_types([(type_label(t.value), t.value) for t in TxType])
        self.filter_bar.changed.connect(self._filters_changed)
        self.layout_.addWidget(self.filter_bar)

        self.model = WindowedTableModel(
            ledger_columns(self._names), key=lambda e: (e.date, e.id), page_size=500, settle_ms=60
        )
        self.model.counted.connect(self._counted)
        self.model.failed.connect(lambda message: show_error(self, message))
        self.table = QTableView()
        self.table.setObjectName("ledgerTable")
        self.table.setModel(self.model)
        self._setup_table(self.table)
        header = self.table.horizontalHeader()
        widths = (96, 150, 96, 78, 110, 100, 120, 80, 0, 70)
        for column, width in enumerate(widths):
            if width:
                header.resizeSection(column, width)
        header.setSectionResizeMode(8, QHeaderView.ResizeMode.Stretch)

        batches = QWidget()
        column = QVBoxLayout(batches)
        column.setContentsMargins(0, 8, 0, 0)
        row = QHBoxLayout()
        heading = QLabel("Import batches")
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        row.addWidget(heading)
        self.batch_hint = QLabel("")
        self.batch_hint.setObjectName("batchHint")
        row.addWidget(self.batch_hint, 1)
        self.show_batch_button = QPushButton("Show rows")
        self.show_batch_button.setObjectName("showBatch")
        self.show_batch_button.setToolTip("Filter the ledger to this batch's file")
        self.show_batch_button.clicked.connect(self._show_batch_rows)
        self.undo_button = QPushButton("Undo import…")
        self.undo_button.setObjectName("undoBatch")
        self.undo_button.clicked.connect(lambda: self.undo_selected())
        row.addWidget(self.show_batch_button)
        row.addWidget(self.undo_button)
        column.addLayout(row)
        self.batch_model = RowTableModel(batch_columns(self._names))
        self.batch_table = QTableView()
        self.batch_table.setObjectName("batchTable")
        self.batch_table.setModel(self.batch_model)
        self._setup_table(self.batch_table)
        batch_header = self.batch_table.horizontalHeader()
        for section, width in enumerate((70, 130, 150, 0, 110, 90, 90, 170)):
            if width:
                batch_header.resizeSection(section, width)
        batch_header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.batch_table.selectionModel().selectionChanged.connect(self._batch_selected)
        column.addWidget(self.batch_table)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setObjectName("ledgerSplitter")
        splitter.addWidget(self.table)
        splitter.addWidget(batches)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([520, 200])
        self.layout_.addWidget(splitter, 1)
        self._batch_selected()

    @staticmethod
    def _setup_table(table: QTableView) -> None:
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setAlternatingRowColors(True)
        table.setShowGrid(False)
        table.setWordWrap(False)
        table.setSortingEnabled(False)
        vertical = table.verticalHeader()
        vertical.setVisible(False)
        # Fixed heights: a view over a million rows must never measure rows.
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(26)
        table.horizontalHeader().setHighlightSections(False)
        table.horizontalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        )

    # -- loading ----------------------------------------------------------------------
    def on_shown(self) -> None:
        if not self._loaded:
            self.reload()

    def on_changes(self, changes: Changes) -> None:
        if changes.accounts or changes.ledger:
            self._loaded = False
            if self.isVisible():
                self.reload()

    def reload(self) -> Task:
        """Accounts into the filter, the batch list, then the ledger from the top.

        The accounts and batches are read in a worker too: next to a million-row
        ledger even a small query waits on the database (or on a worker's hold of the
        interpreter) for longer than a frame. The model counts as busy from here on."""
        self._loaded = True
        self.model.hold()
        self._meta_generation += 1
        generation = self._meta_generation
        portfolio, imports = self.ctx.portfolio, self.ctx.imports

        def load() -> tuple[list[Any], list[Any]]:
            return portfolio.list_accounts(), imports.batches()

        def done(result: tuple[list[Any], list[Any]]) -> None:
            if generation != self._meta_generation:
                return
            accounts, batches = result
            self._names.clear()
            self._names.update({a.id: a.name for a in accounts})
            self.filter_bar.set_accounts([(a.name, a.id) for a in accounts])
            self._filters = service_filters(self.filter_bar.filters())
            self._show_batches(batches)
            self._query()

        def failed(message: str) -> None:
            if generation == self._meta_generation:
                self.model.clear()
                show_error(self, message)

        return run_task(load, on_result=done, on_error=failed)

    def _filters_changed(self, values: dict[str, Any]) -> None:
        self._filters = service_filters(values)
        self._query()

    def set_filters(self, **values: Any) -> None:
        """FilterBar keys (account, symbol, type, date_from, date_to, search)."""
        self.filter_bar.set_filters(**values)

    def _query(self) -> Task:
        portfolio = self.ctx.portfolio
        filters = dict(self._filters)
        self.count_label.setText("Counting…")

        def fetch(offset: int, limit: int, after: tuple[date, int] | None) -> list[LedgerEntry]:
            return portfolio.transactions(**filters, offset=offset, limit=limit, after=after)

        def count() -> int:
            return int(portfolio.transaction_count(**filters))

        return self.model.set_source(fetch, count)

    def _counted(self, total: int) -> None:
        noun = "transaction" if total == 1 else "transactions"
        text = f"{total:,} {noun}"
        if self._filters:
            text += " match the filters"
        self.count_label.setText(text)

    @property
    def busy(self) -> bool:
        return self.model.busy or self.undo_task is not None

    def export_filters(self) -> dict[str, Any]:
        """The current filters, search text included, as ExportService.transactions takes
        them: the file holds exactly the rows the table shows."""
        return dict(self._filters)

    # -- batches ----------------------------------------------------------------------
    def reload_batches(self) -> Task:
        """The batch list alone (a worker; the ledger stays as it is)."""
        return run_task(
            self.ctx.imports.batches,
            on_result=self._show_batches,
            on_error=lambda message: show_error(self, message),
        )

    def _show_batches(self, batches: list[Any]) -> None:
        self.batch_model.set_rows(sorted(batches, key=lambda b: b.id, reverse=True))
        active = sum(1 for b in batches if not b.undone_at)
        self.batch_hint.setText(
            f"  {active} in the ledger"
            + (f", {len(batches) - active} undone" if active < len(batches) else "")
            if batches
            else "  none yet: use Import to add a file"
        )
        color = colors.muted_text(self.palette()).name()
        self.batch_hint.setStyleSheet(f"color: {color};")
        self._batch_selected()

    def selected_batch(self) -> Any:
        rows = self.batch_table.selectionModel().selectedRows()
        return self.batch_model.row_at(rows[0].row()) if rows else None

    def select_batch(self, batch_id: int) -> None:
        for i, batch in enumerate(self.batch_model.rows):
            if batch.id == batch_id:
                self.batch_table.selectRow(i)
                return
        raise KeyError(batch_id)

    def _batch_selected(self, *_: Any) -> None:
        batch = self.selected_batch()
        live = batch is not None and not batch.undone_at and self.undo_task is None
        self.undo_button.setEnabled(live)
        self.show_batch_button.setEnabled(batch is not None)

    def _show_batch_rows(self) -> None:
        batch = self.selected_batch()
        if batch is not None:
            self.filter_bar.set_filters(
                account=batch.account_id,
                symbol="",
                type=None,
                search="",
                date_from=None,
                date_to=None,
            )

    def undo_selected(self, *, ask: bool = True) -> Task | None:
        batch = self.selected_batch()
        if batch is None or batch.undone_at or self.undo_task is not None:
            return None
        if ask and not confirm(
            self,
            "Undo import",
            f"Remove the {batch.rows_added:,} transaction(s) that batch #{batch.id} "
            f"({batch.source}) added to {self._names.get(batch.account_id, 'the account')}?\n\n"
            "Lots and holdings are rebuilt from the remaining ledger.",
        ):
            return None
        self.undo_button.setEnabled(False)
        self.batch_hint.setText(f"  Undoing batch #{batch.id}…")

        def done(result: Any) -> None:
            self.undo_task = None
            self.last_message = (
                f"Removed {result.removed:,} transaction(s) of batch #{result.batch_id}"
            )
            self.changed.emit(result.changes)  # the window broadcasts; on_changes reloads
            self.batch_hint.setText("  " + self.last_message)

        def failed(message: str) -> None:
            self.undo_task = None
            self._batch_selected()
            show_error(self, message, "Undo failed")

        self.undo_task = run_task(self.ctx.imports.undo, batch.id, on_result=done, on_error=failed)
        return self.undo_task

    def visible_rows(self) -> Sequence[Any]:
        """The loaded rows in ledger order (tests)."""
        return self.model.rows
