"""Background price sync while the window is open: at start, then every few hours.

The controller never blocks the GUI: the sync runs through `workers.run_task`, its
progress and outcome go to two status-bar widgets, and a finished sync is broadcast
as Changes(prices=True) so every page re-reads its prices. Offline is normal for a
laptop: it is one quiet line ("Offline — showing cached prices from Nov 21"), never a
dialog.

`PORTFOLIOOS_NO_AUTOSYNC=1` (tests, screenshots) or `enabled=False` turns the
automatic runs off; `run()` still works when called directly.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QMainWindow, QProgressBar

from portfolioos.errors import PortfolioOSError
from portfolioos.gui.workers import Task, run_task
from portfolioos.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress, scaled
from portfolioos.services.changes import Changes

if TYPE_CHECKING:
    from portfolioos.services.context import AppContext
    from portfolioos.services.market import MarketService, SyncResult

logger = logging.getLogger(__name__)

NO_AUTOSYNC_ENV = "PORTFOLIOOS_NO_AUTOSYNC"
CHECK_EVERY_MS = 10 * 60 * 1000
"""How often the timer asks whether the interval has passed: a changed preference
takes effect within ten minutes without the window telling the controller."""


def autosync_disabled() -> bool:
    return os.environ.get(NO_AUTOSYNC_ENV, "").strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True, slots=True)
class SyncOutcome:
    """What one scheduled sync did: per-symbol price results and the macro part."""

    prices: list[SyncResult]
    macro: list[SyncResult] = field(default_factory=list)
    macro_note: str = ""
    finished: dt.datetime = field(default_factory=dt.datetime.now)


def sync_due(
    market: MarketService,
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> SyncOutcome:
    """Sync what `market.sync_due()` names: stale held symbols, then followed FRED series.

    A missing FRED key or a macro failure never spoils the price part; it becomes a note.
    """
    due = market.sync_due()
    prices: list[SyncResult] = []
    if due.prices:
        report = market.sync_prices(
            due.prices, progress=scaled(progress, 0.0, 0.85 if due.macro else 1.0), cancel=cancel
        )
        prices = report.results
    macro: list[SyncResult] = []
    note = ""
    if due.macro:
        try:
            macro = market.sync_macro(
                due.macro, progress=scaled(progress, 0.85, 1.0), cancel=cancel
            ).results
        except PortfolioOSError as exc:
            note = exc.message
    progress(1.0, "market data synced")
    return SyncOutcome(prices, macro, note)


def _short_date(day: dt.date) -> str:
    today = dt.date.today()
    text = f"{day:%b} {day.day}"
    return text if day.year == today.year else f"{text}, {day.year}"


def summary_text(outcome: SyncOutcome) -> str:
    """The status-bar line: "Prices synced 14:02 · 2 offline", or the quiet offline note."""
    clock = f"{outcome.finished:%H:%M}"
    results = outcome.prices
    if not results:
        return f"Prices up to date · checked {clock}"
    offline = [r for r in results if r.status == "offline"]
    if len(offline) == len(results):
        dates = [r.last_date for r in results if r.last_date is not None]
        if not dates:
            return "Offline — no cached prices yet"
        return f"Offline — showing cached prices from {_short_date(min(dates))}"
    counts: dict[str, int] = {}
    for r in results:
        if r.status not in ("ok",):
            label = {"no_data": "no data", "rate_limited": "rate limited"}.get(r.status, r.status)
            counts[label] = counts.get(label, 0) + 1
    parts = [f"Prices synced {clock}"]
    parts += [f"{n} {label}" for label, n in counts.items()]
    return " · ".join(parts)


def detail_text(outcome: SyncOutcome) -> str:
    """Tooltip: one line per symbol that did not simply succeed."""
    lines = [f"{r.symbol}: {r.status} — {r.message}" for r in outcome.prices if r.status != "ok"]
    lines += [f"{r.symbol}: {r.status} — {r.message}" for r in outcome.macro if r.status != "ok"]
    if outcome.macro_note:
        lines.append(outcome.macro_note)
    return "\n".join(lines) or "Every held symbol is up to date."


class MarketSync(QObject):
    """Runs `sync_due` in a worker on start and every `sync_interval_hours`."""

    changed = Signal(object)  # Changes, for the window's broadcast
    finished = Signal(object)  # SyncOutcome | None (error or cancel)

    def __init__(
        self,
        ctx: AppContext,
        parent: QObject | None = None,
        *,
        enabled: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.enabled = not autosync_disabled() if enabled is None else enabled
        self.clock = clock
        self.task: Task | None = None
        self.last_run: float | None = None
        self.last_outcome: SyncOutcome | None = None
        self.label = QLabel("")
        self.label.setObjectName("syncStatus")
        self.bar = QProgressBar()
        self.bar.setObjectName("syncProgress")
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.bar.setFixedSize(90, 8)
        self.bar.setVisible(False)
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_EVERY_MS)
        self.timer.timeout.connect(self.tick)

    @classmethod
    def attach(cls, window: Any) -> MarketSync:
        """Status-bar widgets, the broadcast, and a start once the window has painted."""
        sync = cls(window.ctx, window)
        if isinstance(window, QMainWindow):
            window.statusBar().addPermanentWidget(sync.bar)
            window.statusBar().addPermanentWidget(sync.label)
        sync.changed.connect(window.broadcast)
        window.first_paint.connect(sync.start)
        return sync

    # -- scheduling ---------------------------------------------------------------
    def interval_hours(self) -> int:
        try:
            return max(0, int(self.ctx.settings.get("sync_interval_hours") or 0))
        except (PortfolioOSError, TypeError, ValueError):
            return 0

    def start(self) -> None:
        """The window is up: sync now if the preference says so, then keep checking."""
        if not self.enabled or self.timer.isActive():
            return
        self.timer.start()
        if bool(self.ctx.settings.get("sync_on_start")):
            self.run()

    def stop(self) -> None:
        self.timer.stop()
        if self.task is not None:
            self.task.cancel()

    def due(self) -> bool:
        hours = self.interval_hours()
        if hours <= 0:
            return False
        if self.last_run is None:
            return True
        return self.clock() - self.last_run >= hours * 3600

    def tick(self) -> None:
        if self.enabled and self.due():
            self.run()

    @property
    def running(self) -> bool:
        return self.task is not None

    def run(self) -> Task | None:
        """Start a sync in a worker unless one is already running."""
        if self.task is not None:
            return None
        self.last_run = self.clock()
        self.label.setText("Syncing prices…")
        self.bar.setValue(0)
        self.bar.setVisible(True)
        self.task = run_task(
            sync_due,
            self.ctx.market,
            on_result=self._on_result,
            on_error=self._on_error,
            on_progress=self._on_progress,
            on_cancelled=self._on_cancelled,
        )
        return self.task

    # -- worker callbacks (GUI thread) ----------------------------------------------
    def _on_progress(self, fraction: float, message: str) -> None:
        self.bar.setValue(round(max(0.0, min(1.0, fraction)) * 1000))
        if message:
            self.label.setText(f"Syncing prices · {message}")

    def _done(self) -> None:
        self.task = None
        self.bar.setVisible(False)

    def _on_result(self, outcome: SyncOutcome) -> None:
        self._done()
        self.last_outcome = outcome
        self.label.setText(summary_text(outcome))
        self.label.setToolTip(detail_text(outcome))
        self.changed.emit(Changes(prices=True, macro=bool(outcome.macro)))
        self.finished.emit(outcome)

    def _on_error(self, message: str) -> None:
        self._done()
        logger.info("scheduled price sync failed: %s", message)
        self.label.setText("Price sync failed — showing cached prices")
        self.label.setToolTip(message)
        self.finished.emit(None)

    def _on_cancelled(self) -> None:
        self._done()
        self.label.setText("Price sync cancelled")
        self.finished.emit(None)
