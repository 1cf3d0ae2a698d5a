"""Dashboard: net worth over time, allocation, the day's change, and what is missing.

One worker call gathers everything (net worth today, its daily history, price
staleness and the last sync) so the page fills in one step; it reloads when the
ledger or prices change. Holdings without a price and prices older than the last
trading session are said out loud in a banner, never hidden in the totals.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTabWidget, QWidget

from portfolioos.gui import format as fmt
from portfolioos.gui import runtime
from portfolioos.gui.charts import AllocationChart, TimeSeriesChart
from portfolioos.gui.dialogs import show_error
from portfolioos.gui.pages.base import Page
from portfolioos.gui.widgets import EmptyState, ErrorBanner, MetricCard, ProgressPanel
from portfolioos.gui.workers import run_task
from portfolioos.services.changes import Changes

logger = logging.getLogger(__name__)

LABELS = {
    "etf": "ETFs",
    "stock": "Stocks",
    "mutual_fund": "Mutual funds",
    "bond": "Bonds",
    "cash": "Cash",
    "crypto": "Crypto",
    "unknown": "Unknown",
}


@dataclass(frozen=True, slots=True)
class DashboardData:
    net_worth: Any  # domain.networth.NetWorth
    history: Any  # domain.networth.NetWorthHistory
    day_change: float | None
    day_fraction: float | None
    change_date: date | None
    stale: list[Any]  # services.market.Staleness with sessions behind
    sync_text: str
    accounts: int


def _day_change(nw: Any, history: Any) -> tuple[float | None, float | None, date | None]:
    """Change on the newest price day against the close before it, net of money moved
    in or out that day (a deposit is not a gain)."""
    days = [p.price_date for p in nw.positions if p.price_date is not None]
    if not days or not history.dates:
        return None, None, None
    newest = max(days)
    first = history.dates[0]
    i = (newest - first).days
    if i <= 0 or i >= len(history.dates):
        return None, None, newest
    before = float(history.total[i - 1])
    change = float(history.total[i]) - before - float(history.flows[i])
    return change, (change / before if before > 0 else None), newest


def _sync_text(states: list[Any]) -> str:
    if not states:
        return "Prices: none stored yet."
    successes = [s.last_success for s in states if s.last_success is not None]
    attempts = [s.last_attempt for s in states if s.last_attempt is not None]
    newest_close = max((s.last_date for s in states if s.last_date), default=None)
    parts = []
    if successes:
        parts.append(f"last sync {fmt.datetime_text(max(successes))} UTC")
    elif attempts:
        parts.append(f"last sync attempt {fmt.datetime_text(max(attempts))} UTC (failed)")
    else:
        parts.append("never synced")
    failed = sorted(
        s.symbol for s in states if s.status not in ("ok", "stale", "never") and s.last_attempt
    )
    if failed:
        parts.append(f"failing: {', '.join(failed)} ({states[0].status})")
    if newest_close:
        parts.append(f"newest close {fmt.date_long(newest_close)}")
    return "Prices: " + " · ".join(parts)


def load_dashboard(ctx: Any) -> DashboardData:
    """Worker: everything the dashboard shows, in one go."""
    nw = ctx.portfolio.net_worth()
    history = ctx.portfolio.net_worth_history()
    change, fraction, on = _day_change(nw, history)
    symbols = sorted({p.symbol for p in nw.positions})
    states = ctx.market.staleness(symbols) if symbols else []
    stale = [s for s in states if s.last_date is not None and (s.sessions_behind or 0) > 0]
    return DashboardData(
        nw,
        history,
        change,
        fraction,
        on,
        stale,
        _sync_text(states),
        len(ctx.portfolio.list_accounts()),
    )


def _allocation(values: dict[str, Decimal], labels: dict[str, str] | None = None) -> Any:
    items = [(k, v) for k, v in values.items() if v]
    total = sum((v for _, v in items), Decimal(0))
    names = [labels.get(k, k.replace("_", " ").capitalize()) if labels else k for k, _ in items]
    weights = [float(v / total) if total else 0.0 for _, v in items]
    return names, weights, [v for _, v in items]


class DashboardPage(Page):
    title = "Dashboard"
    shortcut = "Ctrl+1"
    chart: TimeSeriesChart
    by_type: AllocationChart
    by_sector: AllocationChart
    by_account: AllocationChart

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.data: DashboardData | None = None
        self.sync_note = ""
        self._dirty = True
        self._generation = 0
        self.loading = False
        self.currency = str(ctx.settings.get("base_currency") or "USD")

        cards = QHBoxLayout()
        cards.setSpacing(12)
        self.card_total = MetricCard("Net worth")
        self.card_day = MetricCard("Day's change")
        self.card_gain = MetricCard("Unrealized gain")
        self.card_cash = MetricCard("Cash")
        for card in (self.card_total, self.card_day, self.card_gain, self.card_cash):
            cards.addWidget(card, 1)
        self.layout_.addLayout(cards)

        self.banner = ErrorBanner()
        self.banner.setObjectName("dataBanner")
        self.banner.action.connect(self.sync_prices)
        self.layout_.addWidget(self.banner)
        self.sync_panel = ProgressPanel()
        self.sync_panel.setObjectName("syncProgress")
        self.layout_.addWidget(self.sync_panel)
        self.last_sync: Any = None  # the last SyncReport from this page

        self.body = QWidget()
        self._row = QHBoxLayout(self.body)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.setSpacing(12)
        # The charts (~20 ms each to build, as much again to paint the first time) are
        # built in event-loop turns after the page, and a visible one is built in one
        # turn and placed (so painted) in the next: see _build_charts.
        self._chart_slot = QWidget()
        self.allocation = QTabWidget()
        self.allocation.setObjectName("allocationTabs")
        self._row.addWidget(self._chart_slot, 3)
        self._row.addWidget(self.allocation, 2)
        self.layout_.addWidget(self.body, 1)
        self.charts_ready = False
        self._after_charts: Any = None
        self._chart_steps = [
            self._build_net_worth_chart,
            self._place_net_worth_chart,
            lambda: self._build_allocation("by_type"),
            lambda: self._place_allocation("by_type", "Asset type"),
            lambda: self._place_allocation("by_sector", "Sector"),  # hidden tabs: no paint
            lambda: self._place_allocation("by_account", "Account"),
        ]
        runtime.next_turn(self, self._build_charts)

        self.empty = EmptyState(
            "Nothing to show yet",
            "Add an account on the Accounts page and import its transactions on the "
            "Import page; net worth, allocation and gains appear here.",
        )
        self.layout_.addWidget(self.empty, 1)
        self.empty.hide()

        self.status = QLabel("")
        self.status.setObjectName("syncStatus")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.layout_.addWidget(self.status)

        refresh = QAction("Refresh", self)
        refresh.setShortcut(QKeySequence.StandardKey.Refresh)
        refresh.triggered.connect(self.reload)
        self.addAction(refresh)
        sync = QAction("Sync prices", self)
        sync.setShortcut(QKeySequence("Ctrl+Shift+S"))
        sync.triggered.connect(self.sync_prices)
        self.addAction(sync)

    # -- charts, built in slices -------------------------------------------------------

    def _build_charts(self) -> None:
        """One step per event-loop turn (after the paint of a chart a step placed);
        then the data that arrived meanwhile."""
        if self._chart_steps:
            placed = self._chart_steps.pop(0)()
            if placed is not None:
                runtime.after_paint(placed, self._build_charts)
            else:
                runtime.next_turn(self, self._build_charts)
            return
        self.charts_ready = True
        pending, self._after_charts = self._after_charts, None
        if pending is not None:
            pending()

    def _build_net_worth_chart(self) -> None:
        self.chart = TimeSeriesChart("Net worth", currency=self.currency)
        self.chart.setObjectName("netWorthChart")

    def _place_net_worth_chart(self) -> QWidget:
        self._row.replaceWidget(self._chart_slot, self.chart)
        self._chart_slot.deleteLater()
        self.chart.show()  # now, not when the layout gets to it: its paint is awaited
        return self.chart

    def _build_allocation(self, name: str) -> None:
        setattr(self, name, AllocationChart(currency=self.currency, max_categories=8))

    def _place_allocation(self, name: str, label: str) -> QWidget | None:
        """The first tab is shown, so painted; the others are not until chosen."""
        if not hasattr(self, name):
            self._build_allocation(name)
        chart: QWidget = getattr(self, name)
        self.allocation.addTab(chart, label)
        return chart if self.allocation.count() == 1 else None

    # -- price sync ------------------------------------------------------------------

    def sync_prices(self) -> None:
        """Fetch what is missing for every held symbol (a worker, with progress and
        Cancel); the outcome per symbol goes to the status line."""
        if self.sync_panel.state == "running":
            return
        self.banner.hide()
        self.sync_panel.start(
            self.ctx.market.sync_held,
            message="Syncing prices…",
            on_result=self._synced,
            on_error=lambda message: show_error(self, message),
        )

    def _synced(self, report: Any) -> None:
        self.last_sync = report
        counts: dict[str, int] = {}
        for result in report.results:
            counts[result.status] = counts.get(result.status, 0) + 1
        summary = ", ".join(
            f"{n} {status.replace('_', ' ')}" for status, n in sorted(counts.items())
        )
        failed = [r for r in report.results if r.status not in ("ok", "stale")]
        detail = f" First problem: {failed[0].symbol}: {failed[0].message}" if failed else ""
        self.sync_note = f"Sync: {summary or 'nothing held'}.{detail}"
        if report.changes.any():
            self.changed.emit(report.changes)
        self.reload()

    # -- loading ---------------------------------------------------------------------

    def on_shown(self) -> None:
        if self._dirty:
            self.reload()

    def on_changes(self, changes: Changes) -> None:
        if changes.ledger or changes.prices or changes.accounts:
            self._dirty = True
            if self.isVisible():
                self.reload()

    def reload(self) -> None:
        self._dirty = False
        self._generation += 1
        generation = self._generation
        self.loading = True
        if self.data is None:
            self.status.setText("Loading…")
        if not self.charts_ready:
            # The load starts when the charts are built: the two would otherwise take
            # turns at the interpreter lock, every chart slice waiting on the worker.
            self._after_charts = self.reload
            return
        run_task(
            load_dashboard,
            self.ctx,
            on_result=lambda data: self._show(generation, data),
            on_error=lambda message: self._failed(generation, message),
        )

    def _failed(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self.loading = False
            self.status.setText("")
            show_error(self, message)

    def _show(self, generation: int, data: DashboardData) -> None:
        if generation != self._generation:
            return
        self.data = data
        nw, history = data.net_worth, data.history
        has = bool(nw.positions) or bool(nw.cash) or bool(np.any(history.total))
        # Only on a change: setVisible(True) on a shown widget re-sends Show to all of
        # its children (the charts), which costs a repaint of everything in it.
        if self.body.isHidden() == has:
            self.body.setVisible(has)
        if self.empty.isHidden() == (not has):
            self.empty.setVisible(not has)
        cur = self.currency
        unpriced = len(nw.unpriced)
        self.card_total.set_value(
            nw.total_value,
            currency=cur,
            note=f"{unpriced} unpriced" if unpriced else f"as of {fmt.date_long(nw.date)}",
        )
        if data.day_change is None:
            self.card_day.set_value(None, text=fmt.DASH, note="no prices yet")
        else:
            self.card_day.set_value(
                data.day_change,
                currency=cur,
                text=fmt.money(data.day_change, cur, signed=True),
                fraction=data.day_fraction,
                note=f"on {fmt.date_long(data.change_date)}",
            )
        self.card_gain.set_value(
            nw.unrealized,
            currency=cur,
            text=fmt.money(nw.unrealized, cur, signed=True),
            fraction=(nw.unrealized / nw.cost_basis) if nw.cost_basis else None,
            note=f"on {fmt.compact_money(nw.cost_basis, cur)} cost",
        )
        weight = (nw.cash / nw.total_value) if nw.total_value else None
        self.card_cash.set_value(
            nw.cash, currency=cur, note=f"{fmt.percent(weight)} of net worth" if weight else ""
        )
        self.status.setText(data.sync_text + (f"  ·  {self.sync_note}" if self.sync_note else ""))
        # The banner and the charts in later turns of the event loop, each after the
        # paint of the one before: a banner that appears moves the charts (a repaint of
        # each), and a chart's first fill and paint alone can take ~50 ms.
        runtime.after_paint(self, lambda: self._show_banner(generation, data))

    def _show_banner(self, generation: int, data: DashboardData) -> None:
        if generation != self._generation:
            return
        before = (self.banner.isHidden(), self.banner.label.text())
        self._banner(data)

        def then() -> None:
            self._show_chart(generation, data)

        if (self.banner.isHidden(), self.banner.label.text()) != before:
            runtime.after_paint(self, then)
        else:
            runtime.next_turn(self, then)  # nothing moved: no paint to wait for

    def _show_chart(self, generation: int, data: DashboardData) -> None:
        """The net worth line: its data set in this turn, its axes drawn in the next,
        painted in the one after (together ~60 ms; apart ~20, ~10 and ~20)."""
        if generation != self._generation:
            return
        if not data.history.dates:
            runtime.next_turn(self, lambda: self._show_allocation(generation, data))
            return
        self.chart.hold_repaint()
        self.chart.set_data(data.history.dates, {"Net worth": data.history.total})

        def paint() -> None:
            self.chart.release_repaint()
            runtime.after_paint(
                self.chart.view.viewport(), lambda: self._show_allocation(generation, data)
            )

        def axes() -> None:
            self.chart.render_axes()
            runtime.next_turn(self, paint)

        runtime.next_turn(self, axes)

    def _show_allocation(self, generation: int, data: DashboardData) -> None:
        """The three allocation charts, one per event-loop turn (~10-20 ms each)."""
        nw = data.net_worth
        types = _allocation(nw.by_asset_type, LABELS)
        sectors = _allocation(nw.by_sector)
        accounts = _allocation(nw.by_account)
        steps = [
            lambda: self.by_type.set_data(types[0], types[1], values=types[2]),
            lambda: self.by_sector.set_data(
                [s if s != "unknown" else "Unknown" for s in sectors[0]],
                sectors[1],
                values=sectors[2],
            ),
            lambda: self.by_account.set_data(accounts[0], accounts[1], values=accounts[2]),
        ]

        def step() -> None:
            if generation != self._generation:
                return
            if steps:
                steps.pop(0)()
                runtime.next_turn(self, step)
            else:
                self.loading = False

        step()

    def _banner(self, data: DashboardData) -> None:
        messages = []
        unpriced = data.net_worth.unpriced
        if unpriced:
            names = sorted({p.symbol for p in unpriced})
            messages.append(
                f"No price for {', '.join(names)}: left out of net worth until prices are "
                "synced or entered by hand."
            )
        if data.stale:
            oldest = min(s.last_date for s in data.stale)
            behind = max(s.sessions_behind or 0 for s in data.stale)
            names = sorted(s.symbol for s in data.stale)
            shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
            messages.append(
                f"Stale prices for {shown}: newest close {fmt.date_long(oldest)}, "
                f"up to {behind} trading session{'s' if behind != 1 else ''} behind."
            )
        if messages:
            self.banner.show_message(" ".join(messages), level="warning", action="Sync prices")
        else:
            self.banner.hide()

    # -- for tests and screenshots -------------------------------------------------------

    def chart_series(self) -> tuple[list[date], np.ndarray]:
        if self.data is None:
            return [], np.empty(0)
        return list(self.data.history.dates), np.asarray(self.data.history.total)
