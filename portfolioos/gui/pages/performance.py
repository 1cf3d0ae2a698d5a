"""Performance: money- and time-weighted returns, a benchmark, realized gains by year.

XIRR answers "what did my money earn, given when I added it"; the time-weighted return
answers "how did the investments do", independent of deposits. Both come from the
engine (ctx.portfolio.performance); the chart is the portfolio's growth of $1
(time-weighted, flows removed) against the benchmark's closes rescaled to the same
start. Realized gains come from ctx.portfolio.realized, summed per tax year with the
short/long split the tax forms ask for.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from portfolioos.domain.performance import time_weighted_returns
from portfolioos.errors import PortfolioOSError
from portfolioos.gui import format as fmt
from portfolioos.gui.charts import TimeSeriesChart
from portfolioos.gui.dialogs import show_error
from portfolioos.gui.models.table import LEFT, RIGHT, ROW_ROLE, SORT_ROLE, Col, RowTableModel
from portfolioos.gui.pages.base import Page
from portfolioos.gui.pages.holdings import fit_columns
from portfolioos.gui.widgets import EmptyState, ErrorBanner, MetricCard
from portfolioos.gui.workers import run_task
from portfolioos.services.changes import Changes

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ReturnRow:
    account: str
    xirr: float
    twr: float


@dataclass(frozen=True, slots=True)
class YearRow:
    year: int
    short_term: Decimal
    long_term: Decimal
    total: Decimal
    proceeds: Decimal
    cost_basis: Decimal
    wash_sale: Decimal
    sales: int


@dataclass(frozen=True, slots=True)
class PerformanceData:
    performance: Any  # services.engine.Performance
    dates: list[Any]
    growth: np.ndarray  # time-weighted index - 1 (cumulative return)
    bench_dates: list[Any]
    bench_closes: np.ndarray
    bench_error: str
    years: list[YearRow]
    lines: list[Any]  # RealizedLine


def realized_by_year(lines: list[Any]) -> list[YearRow]:
    """Tax-year totals of realized lines, newest year first."""
    years: dict[int, list[Any]] = {}
    for line in lines:
        years.setdefault(line.sold.year, []).append(line)
    out = []
    for year, items in sorted(years.items(), reverse=True):
        short = sum((ln.gain for ln in items if str(ln.term) == "short"), Decimal(0))
        long = sum((ln.gain for ln in items if str(ln.term) == "long"), Decimal(0))
        out.append(
            YearRow(
                year,
                short,
                long,
                short + long,
                sum((ln.proceeds for ln in items), Decimal(0)),
                sum((ln.cost_basis for ln in items), Decimal(0)),
                sum((ln.adjustment for ln in items), Decimal(0)),
                len(items),
            )
        )
    return out


def load_performance(ctx: Any, account: int | None, benchmark: str) -> PerformanceData:
    """Worker: the engine's figures, the growth path for the chart and realized gains."""
    bench_error = ""
    try:
        perf = ctx.portfolio.performance(account, benchmark or None)
    except PortfolioOSError as exc:
        if not benchmark:
            raise
        # A benchmark without prices should not hide the portfolio's own figures.
        bench_error = exc.message
        perf = ctx.portfolio.performance(account, None)
    history = ctx.portfolio.net_worth_history(accounts=account)
    values = np.asarray(history.total, dtype=np.float64)
    nonzero = np.flatnonzero(values > 0)
    lo = int(nonzero[0]) if nonzero.size else 0
    rets = time_weighted_returns(values[lo:], np.asarray(history.flows, dtype=np.float64)[lo:])
    growth = np.concatenate([[0.0], np.cumprod(1.0 + rets) - 1.0]) if rets.size else np.zeros(1)
    dates = list(history.dates[lo:]) if history.dates else []
    bench_dates: list[Any] = []
    closes = np.empty(0)
    if benchmark and not bench_error and dates:
        frame = ctx.market.prices(benchmark, dates[0], dates[-1])
        if len(frame):
            bench_dates = [d.date() if hasattr(d, "date") else d for d in frame["date"]]
            closes = frame["close"].to_numpy(dtype=np.float64)
    realized = ctx.portfolio.realized(None, account)
    return PerformanceData(
        perf,
        dates[: len(growth)],
        growth[: len(dates)],
        bench_dates,
        closes,
        bench_error,
        realized_by_year(realized.lines),
        realized.lines,
    )


def _table(name: str) -> QTableView:
    table = QTableView()
    table.setObjectName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(26)
    table.setWordWrap(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.horizontalHeader().setStretchLastSection(True)
    # Fitting a column formats every row's text; 60 rows tell the width well enough.
    table.horizontalHeader().setResizeContentsPrecision(60)
    return table


def _fit(table: QTableView, stretch: int | None = 0, pad: int = 18) -> None:
    fit_columns(table, stretch, pad)


def _pct(value: Any) -> str:
    return fmt.percent(value, signed=True)


def _money(value: Any) -> str:
    return fmt.money(value, signed=True)


class PerformancePage(Page):
    title = "Performance"
    shortcut = "Ctrl+5"

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.data: PerformanceData | None = None
        self._dirty = True
        self._generation = 0
        self.loading = False

        bar = QHBoxLayout()
        self.account = QComboBox()
        self.account.setObjectName("performanceAccount")
        self.account.setMinimumContentsLength(16)
        self.benchmark = QLineEdit(str(ctx.settings.get("benchmark_symbol") or ""))
        self.benchmark.setObjectName("benchmarkSymbol")
        self.benchmark.setPlaceholderText("e.g. VTI")
        self.benchmark.setMaximumWidth(110)
        self.apply_button = QPushButton("Compare")
        self.apply_button.setObjectName("applyBenchmark")
        bar.addWidget(QLabel("Account"))
        bar.addWidget(self.account)
        bar.addSpacing(12)
        bar.addWidget(QLabel("Benchmark"))
        bar.addWidget(self.benchmark)
        bar.addWidget(self.apply_button)
        bar.addStretch(1)
        self.layout_.addLayout(bar)

        self.banner = ErrorBanner()
        self.layout_.addWidget(self.banner)

        cards = QGridLayout()
        cards.setSpacing(12)
        self.card_xirr = MetricCard("Money-weighted (XIRR)")
        self.card_twr = MetricCard("Time-weighted return")
        self.card_cagr = MetricCard("Annualized (TWR)")
        self.card_drawdown = MetricCard("Max drawdown")
        self.card_vol = MetricCard("Volatility")
        self.card_bench = MetricCard("Benchmark")
        for i, card in enumerate(
            (
                self.card_xirr,
                self.card_twr,
                self.card_cagr,
                self.card_drawdown,
                self.card_vol,
                self.card_bench,
            )
        ):
            cards.addWidget(card, 0, i)
            cards.setColumnStretch(i, 1)
        self.layout_.addLayout(cards)

        self.body = QSplitter(Qt.Orientation.Vertical)
        top = QWidget()
        top_row = QHBoxLayout(top)
        top_row.setContentsMargins(0, 0, 0, 0)
        top_row.setSpacing(12)
        self.chart = TimeSeriesChart("Growth", value_kind="percent")
        self.chart.setObjectName("performanceChart")
        self.returns_model = RowTableModel(
            [
                Col("Account", "account", align=LEFT),
                Col("XIRR", "xirr", _pct, RIGHT, tone=True),
                Col("Time-weighted", "twr", _pct, RIGHT, tone=True),
            ]
        )
        self.returns_table = _table("returnsTable")
        self.returns_table.setModel(self.returns_model)
        top_row.addWidget(self.chart, 3)
        top_row.addWidget(self.returns_table, 2)

        bottom = QWidget()
        bottom_col = QVBoxLayout(bottom)
        bottom_col.setContentsMargins(0, 6, 0, 0)
        heading = QLabel("Realized gains by tax year")
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        bottom_col.addWidget(heading)
        self.years_model = RowTableModel(
            [
                Col("Tax year", "year", str, LEFT),
                Col("Short term", "short_term", _money, RIGHT, tone=True),
                Col("Long term", "long_term", _money, RIGHT, tone=True),
                Col("Total", "total", _money, RIGHT, tone=True),
                Col("Sales", "sales", lambda v: f"{v:,}", RIGHT),
                Col(
                    "Wash-sale adj.",
                    "wash_sale",
                    lambda v: fmt.money(v) if v else "",
                    RIGHT,
                    tooltip=lambda r: (
                        f"Proceeds {fmt.money(r.proceeds)}, cost basis {fmt.money(r.cost_basis)}"
                    ),
                ),
            ]
        )
        self.years_table = _table("realizedYears")
        self.years_table.setModel(self.years_model)
        self.lines_model = RowTableModel(
            [
                Col(
                    "Description",
                    "description",
                    align=LEFT,
                    tooltip=lambda r: (
                        f"{r.account}, lot {r.lot_id}" + (" (wash sale, code W)" if r.code else "")
                    ),
                ),
                Col("Acquired", "acquired"),
                Col("Sold", "sold"),
                Col("Proceeds", "proceeds", lambda v: fmt.money(v), RIGHT),
                Col("Cost basis", "cost_basis", lambda v: fmt.money(v), RIGHT),
                Col("Gain", "gain", _money, RIGHT, tone=True),
                Col("Term", "term", lambda v: "Long" if str(v) == "long" else "Short", LEFT),
            ]
        )
        self.lines_proxy = QSortFilterProxyModel(self)
        self.lines_proxy.setSortRole(SORT_ROLE)
        self.lines_proxy.setSourceModel(self.lines_model)
        self.lines_table = _table("realizedLines")
        self.lines_table.setModel(self.lines_proxy)
        self.lines_table.setSortingEnabled(True)
        self.lines_table.sortByColumn(2, Qt.SortOrder.AscendingOrder)  # by date sold
        tables = QHBoxLayout()
        tables.setSpacing(12)
        tables.addWidget(self.years_table, 2)
        tables.addWidget(self.lines_table, 3)
        bottom_col.addLayout(tables, 1)
        self.no_sales = QLabel("No sales yet: realized gains appear here once you sell.")
        self.no_sales.setObjectName("noSales")
        bottom_col.addWidget(self.no_sales)
        self.body.addWidget(top)
        self.body.addWidget(bottom)
        self.body.setStretchFactor(0, 3)
        self.body.setStretchFactor(1, 2)
        self.body.setSizes([420, 260])
        self.layout_.addWidget(self.body, 1)

        self.empty = EmptyState(
            "No performance to measure yet",
            "Import transactions and sync prices; returns are computed from the ledger "
            "and the price history.",
        )
        self.layout_.addWidget(self.empty, 1)
        self.empty.hide()

        self.account.currentIndexChanged.connect(lambda _: self.reload())
        self.apply_button.clicked.connect(self.reload)
        self.benchmark.returnPressed.connect(self.reload)
        self.years_table.selectionModel().selectionChanged.connect(lambda *_: self._year_chosen())
        refresh = QAction("Refresh", self)
        refresh.setShortcut(QKeySequence.StandardKey.Refresh)
        refresh.triggered.connect(self.reload)
        self.addAction(refresh)
        self._fill_accounts()

    def _fill_accounts(self) -> None:
        current = self.account.currentData()
        self.account.blockSignals(True)
        self.account.clear()
        self.account.addItem("All accounts", None)
        for acct in self.ctx.portfolio.list_accounts():
            self.account.addItem(acct.name, acct.id)
        self.account.setCurrentIndex(max(self.account.findData(current), 0) if current else 0)
        self.account.blockSignals(False)

    # -- loading ---------------------------------------------------------------------

    def on_shown(self) -> None:
        if self._dirty:
            self.reload()

    def on_changes(self, changes: Changes) -> None:
        if changes.accounts:
            self._fill_accounts()
        if changes.preferences:
            self.benchmark.setText(str(self.ctx.settings.get("benchmark_symbol") or ""))
        if changes.ledger or changes.prices or changes.accounts or changes.preferences:
            self._dirty = True
            if self.isVisible():
                self.reload()

    def reload(self) -> None:
        self._dirty = False
        self._generation += 1
        generation = self._generation
        self.loading = True
        run_task(
            load_performance,
            self.ctx,
            self.account.currentData(),
            self.benchmark.text().strip().upper(),
            on_result=lambda data: self._show(generation, data),
            on_error=lambda message: self._failed(generation, message),
        )

    def _failed(self, generation: int, message: str) -> None:
        if generation != self._generation:
            return
        self.loading = False
        if self.ctx.portfolio.transaction_count() == 0:
            self.body.hide()
            self.empty.show()
            return
        show_error(self, message)

    def _show(self, generation: int, data: PerformanceData) -> None:
        if generation != self._generation:
            return
        self.loading = False
        self.data = data
        self.body.show()
        self.empty.hide()
        perf = data.performance
        period = f"{fmt.date_long(perf.start)} – {fmt.date_long(perf.end)}"
        self.card_xirr.set_value(None, text=_pct(perf.xirr), note="a year, on your deposits")
        self.card_twr.set_value(None, text=_pct(perf.twr), note=period)
        self.card_cagr.set_value(None, text=_pct(perf.portfolio.cagr), note="a year")
        self.card_drawdown.set_value(
            None, text=fmt.percent(perf.portfolio.max_drawdown), note="worst fall from a peak"
        )
        self.card_vol.set_value(None, text=fmt.percent(perf.portfolio.volatility), note="a year")
        if perf.benchmark is not None:
            self.card_bench.title_label.setText(f"Benchmark {perf.benchmark_symbol}")
            self.card_bench.set_value(
                None,
                text=_pct(perf.benchmark.total_return),
                fraction=perf.excess_return,
                note="excess",
            )
        else:
            self.card_bench.title_label.setText("Benchmark")
            self.card_bench.set_value(None, text=fmt.DASH, note="none chosen")
        if data.bench_error:
            self.banner.show_message(data.bench_error, level="warning")
        else:
            self.banner.hide()
        name = perf.account or "All accounts"
        rows = [ReturnRow(name, perf.xirr, perf.twr)]
        rows += [ReturnRow(a.account, a.xirr, a.twr) for a in perf.by_account]
        self.returns_model.set_rows(rows)
        _fit(self.returns_table, 0)
        if data.dates:
            self.chart.set_data(data.dates, {"Portfolio": data.growth})
            if len(data.bench_closes):
                self.chart.set_benchmark(
                    perf.benchmark_symbol or "", data.bench_dates, data.bench_closes
                )
            else:
                self.chart.clear_benchmark()
        self.years_model.set_rows(data.years)
        self.years_table.setColumnHidden(
            self.years_model.column_named("Wash-sale adj."),
            not any(y.wash_sale for y in data.years),
        )
        _fit(self.years_table, None)
        # The year table is as wide as its columns; the sales beside it get the rest.
        header = self.years_table.horizontalHeader()
        width = sum(
            header.sectionSize(i) for i in range(header.count()) if not header.isSectionHidden(i)
        )
        self.years_table.setFixedWidth(width + 2 * self.years_table.frameWidth() + 2)
        has_sales = bool(data.years)
        self.years_table.setVisible(has_sales)
        self.lines_table.setVisible(has_sales)
        self.no_sales.setVisible(not has_sales)
        if has_sales:
            self.years_table.selectRow(0)
            self._year_chosen()

    def _year_chosen(self) -> None:
        if self.data is None:
            return
        rows = self.years_table.selectionModel().selectedRows()
        year = rows[0].data(ROW_ROLE).year if rows else None
        self.lines_model.set_rows([ln for ln in self.data.lines if ln.sold.year == year])
        _fit(self.lines_table, 0, pad=10)
