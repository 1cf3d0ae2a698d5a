"""Export actions: one per ExportService kind, for the File menu and the pages.

Each action asks for a target path (QFileDialog), runs the service call in a worker
(holdings and realized gains re-derive the ledger, which takes about a second per
million rows) and confirms what was written: kind, rows, path. Tests and scripts call
`export(kind, path)` with a path and get the ExportResult through `on_done`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from portfolioos.gui.dialogs import show_error
from portfolioos.gui.workers import Task, run_task
from portfolioos.services.context import AppContext

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExportKind:
    name: str  # the ExportService kind
    label: str  # menu text
    suffix: str  # "csv" or "json"
    stem: str  # default file name


KINDS: tuple[ExportKind, ...] = (
    ExportKind("holdings", "Holdings (CSV)…", "csv", "holdings"),
    ExportKind("transactions", "Transactions (CSV)…", "csv", "transactions"),
    ExportKind("realized", "Realized gains (CSV)…", "csv", "realized-gains"),
    ExportKind("simulation", "Simulation percentiles (CSV)…", "csv", "simulation"),
    ExportKind("portfolio", "Full portfolio (JSON)…", "json", "portfolio"),
)
BY_NAME = {k.name: k for k in KINDS}

FILTER_KEYS = ("account", "symbol", "types", "start", "end", "text")


def ask_path(parent: QWidget | None, kind: ExportKind) -> Path | None:
    stamp = dt.date.today().isoformat()
    default = str(Path.home() / f"{kind.stem}-{stamp}.{kind.suffix}")
    pattern = "CSV files (*.csv)" if kind.suffix == "csv" else "JSON files (*.json)"
    path, _ = QFileDialog.getSaveFileName(
        parent, f"Export {kind.label.rstrip('…')}", default, pattern
    )
    if not path:
        return None
    target = Path(path)
    return target if target.suffix else target.with_suffix("." + kind.suffix)


def export_job(
    ctx: AppContext,
    kind: str,
    path: Path,
    *,
    filters: dict[str, Any] | None = None,
    simulation: Any = None,
) -> Any:
    """The service call behind each kind (runs in a worker)."""
    if kind == "holdings":
        return ctx.exports.holdings(path, rows=ctx.portfolio.holdings())
    if kind == "transactions":
        chosen = {k: v for k, v in (filters or {}).items() if k in FILTER_KEYS and v}
        return ctx.exports.transactions(path, **chosen)
    if kind == "realized":
        return ctx.exports.realized(path, rows=ctx.portfolio.realized().lines)
    if kind == "simulation":
        years = list(range(len(next(iter(simulation.percentiles.values()), []))))
        return ctx.exports.simulation(path, simulation.percentiles, index=years)
    if kind == "portfolio":
        return ctx.exports.portfolio_json(path)
    raise ValueError(f"unknown export kind {kind!r}")


def describe(result: Any) -> str:
    noun = {"portfolio": "transactions"}.get(result.kind, "rows")
    return f"Wrote {result.rows:,} {noun} ({result.kind}) to\n{result.path}"


class Exporter:
    """Runs exports for a window or a page and reports the outcome to the user."""

    def __init__(
        self,
        parent: QWidget,
        ctx: AppContext,
        *,
        filters: Callable[[], dict[str, Any]] | None = None,
        simulation: Callable[[], Any] | None = None,
    ) -> None:
        self.parent = parent
        self.ctx = ctx
        self.filters = filters or (lambda: {})
        self.simulation = simulation or (lambda: None)
        self.last_message = ""
        self.last_result: Any = None
        self.task: Task | None = None

    def export(
        self,
        kind: str,
        path: str | Path | None = None,
        *,
        on_done: Callable[[Any], None] | None = None,
        confirm: bool = True,
    ) -> Task | None:
        spec = BY_NAME[kind]
        simulation = None
        if kind == "simulation":
            simulation = self.simulation()
            if simulation is None:
                self._tell("Run a plan in the Planner first; there is no simulation to export.")
                return None
        target = Path(path) if path is not None else ask_path(self.parent, spec)
        if target is None:
            return None

        def done(result: Any) -> None:
            self.last_result = result
            self.last_message = describe(result)
            logger.info("export %s: %s rows to %s", kind, result.rows, result.path)
            if confirm:
                self._tell(
                    self.last_message, title="Export finished", icon=QMessageBox.Icon.Information
                )
            if on_done is not None:
                on_done(result)

        def failed(message: str) -> None:
            self.last_message = message
            show_error(self.parent, message, "Export failed")

        self.task = run_task(
            export_job,
            self.ctx,
            kind,
            target,
            filters=self.filters() if kind == "transactions" else None,
            simulation=simulation,
            on_result=done,
            on_error=failed,
        )
        return self.task

    def _tell(
        self,
        message: str,
        *,
        title: str = "Export",
        icon: QMessageBox.Icon = QMessageBox.Icon.Information,
    ) -> None:
        self.last_message = message
        box = QMessageBox(icon, title, message, QMessageBox.StandardButton.Ok, self.parent)
        box.setObjectName("exportMessage")
        box.open()

    def menu(self, parent: QWidget, kinds: tuple[str, ...] | None = None) -> QMenu:
        menu = QMenu("Export", parent)
        menu.setObjectName("exportMenu")
        for spec in KINDS:
            if kinds is None or spec.name in kinds:
                menu.addAction(self.action(spec.name, menu))
        return menu

    def action(self, kind: str, parent: Any) -> QAction:
        spec = BY_NAME[kind]
        action = QAction(spec.label, parent)
        action.setObjectName(f"export-{kind}")
        action.triggered.connect(lambda _=False, k=kind: self.export(k))
        return action
