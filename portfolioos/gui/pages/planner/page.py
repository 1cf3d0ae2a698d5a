"""The Planner page: a scenario form on the left, its Monte Carlo outcome on the right.

Every simulation runs in the worker pool (`gui.workers`), never on the GUI thread:
- the live preview re-runs a 10,000-trial version of the plan 250 ms after the last
  edit, cancelling the preview still running (results of an older plan are dropped);
- Run, sensitivity, grid and compare go through the one ProgressPanel (bar + Cancel).
The plan is parsed on the GUI thread first (pure, well under a millisecond) so an
invalid field is highlighted at once, with the service's own message.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from portfolioos.errors import PortfolioOSError, ValidationError
from portfolioos.gui.dialogs import show_error
from portfolioos.gui.pages.base import Page
from portfolioos.gui.pages.planner import controller
from portfolioos.gui.pages.planner.analysis import ComparePanel, GridPanel, SensitivityPanel
from portfolioos.gui.pages.planner.form import ScenarioForm
from portfolioos.gui.pages.planner.results import ResultsView
from portfolioos.gui.widgets import ErrorBanner, ProgressPanel
from portfolioos.gui.workers import Task, run_task
from portfolioos.services.changes import Changes
from portfolioos.simulation.results import SimulationResult
from portfolioos.simulation.scenario import Scenario

logger = logging.getLogger(__name__)

PREVIEW_TRIALS = 10_000
DEBOUNCE_MS = 250
DEFAULT_PLAN: dict[str, Any] = {
    "initial_portfolio": 1_000_000,
    "years": 30,
    "trials": 10_000,
    "seed": 42,
    "allocation": {"stocks": 0.6, "bonds": 0.4, "cash": 0.0},
    "returns": {"model": "lognormal"},  # the shipped history's moments
    "inflation": {"model": "fixed", "rate": 0.025},
    "withdrawal": {"strategy": "constant_dollar", "initial_rate": 0.04},
}


def _field_of(message: str) -> str | None:
    """Worker errors arrive as text; the service's messages start with the field path."""
    head, sep, _ = message.partition(":")
    return head if sep and " " not in head else None


class PlannerPage(Page):
    title = "Planner"
    shortcut = "Ctrl+7"
    # The outcome of the latest full run or preview ("done" | "cancelled" | "error").
    run_finished = Signal(str)
    preview_drawn = Signal()

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.service = ctx.simulation
        self.generation = 0  # bumped on every edit; a result for an older plan is stale
        self.preview_task: Task | None = None
        self.progress_task: Task | None = None
        self.preview_ms: float | None = None
        self.last_result: SimulationResult | None = None
        self.loaded_name = ""
        self.run_state = "idle"
        self._build()
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.start_preview)
        self.form.edited.connect(self._on_edit)
        self._loaded_once = False
        self.destroyed.connect(self._cancel_all)

    # -- layout ------------------------------------------------------------------------
    def _build(self) -> None:
        bar = QHBoxLayout()
        bar.setSpacing(6)
        bar.addWidget(QLabel("Scenario"))
        self.scenarios = QComboBox()
        self.scenarios.setObjectName("scenarioList")
        self.scenarios.setMinimumContentsLength(16)
        self.scenarios.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.load_button = QPushButton("Load")
        self.load_button.setObjectName("loadScenario")
        self.duplicate_button = QPushButton("Duplicate")
        self.duplicate_button.setObjectName("duplicateScenario")
        self.delete_button = QPushButton("Delete…")
        self.delete_button.setObjectName("deleteScenario")
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("scenarioName")
        self.name_edit.setPlaceholderText("Name to save as")
        self.name_edit.setMinimumWidth(150)
        self.save_button = QPushButton("Save")
        self.save_button.setObjectName("saveScenario")
        for w in (self.scenarios, self.load_button, self.duplicate_button, self.delete_button):
            bar.addWidget(w)
        bar.addSpacing(12)
        bar.addWidget(self.name_edit)
        bar.addWidget(self.save_button)
        bar.addStretch(1)
        self.live = QCheckBox("Live preview")
        self.live.setObjectName("livePreview")
        self.live.setChecked(True)
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setObjectName("exportCsv")
        self.run_button = QPushButton("Run")
        self.run_button.setObjectName("runPlan")
        self.run_button.setDefault(True)
        self.run_button.setToolTip("Run the plan with all its trials (Ctrl+Return)")
        self.run_button.setShortcut("Ctrl+Return")
        bar.addWidget(self.live)
        bar.addWidget(self.export_button)
        bar.addWidget(self.run_button)
        self.layout_.addLayout(bar)

        self.banner = ErrorBanner()
        self.banner.setObjectName("plannerBanner")
        self.layout_.addWidget(self.banner)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)
        self.form = ScenarioForm()
        scroll = QScrollArea()
        scroll.setObjectName("formScroll")
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.form)
        scroll.setMinimumWidth(self.form.sizeHint().width() + 40)
        scroll.setMaximumWidth(self.form.sizeHint().width() + 80)
        left = QWidget()
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        left_column.setSpacing(4)
        left_column.addWidget(self.form.error)
        left_column.addWidget(scroll, 1)
        left.setMaximumWidth(scroll.maximumWidth())
        self.form.error.setMaximumWidth(scroll.maximumWidth())
        split.addWidget(left)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("plannerTabs")
        self.results = ResultsView()
        self.sensitivity = SensitivityPanel()
        self.grid = GridPanel()
        self.compare = ComparePanel()
        self.tabs.addTab(self.results, "Outcome")
        self.tabs.addTab(self.sensitivity, "Sensitivity")
        self.tabs.addTab(self.grid, "Grid")
        self.tabs.addTab(self.compare, "Compare")
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([scroll.minimumWidth(), 10_000])  # the form as narrow as it fits
        self.layout_.addWidget(split, 1)

        # The bottom row keeps its height whether the progress panel shows or not: a
        # panel appearing above the charts would re-lay out and repaint all of them
        # (a quarter of a second of GUI thread on a slow machine).
        bottom = QHBoxLayout()
        self.preview_label = QLabel("")
        self.preview_label.setObjectName("previewStatus")
        self.progress = ProgressPanel()
        self.progress.setObjectName("plannerProgress")
        policy = self.progress.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.progress.setSizePolicy(policy)
        bottom.addWidget(self.preview_label, 1)
        bottom.addWidget(self.progress, 2)
        self.layout_.addLayout(bottom)

        self.run_button.clicked.connect(self.run_plan)
        self.save_button.clicked.connect(lambda: self.save_scenario())
        self.load_button.clicked.connect(lambda: self.load_scenario())
        self.duplicate_button.clicked.connect(lambda: self.duplicate_scenario())
        self.delete_button.clicked.connect(lambda: self.delete_scenario())
        self.export_button.clicked.connect(self._export_clicked)
        self.sensitivity.run_requested.connect(self.run_sensitivity)
        self.grid.run_requested.connect(self.run_grid)
        self.compare.run_requested.connect(self.run_compare)
        self.progress.finished.connect(self._long_task_ended)
        self.live.toggled.connect(lambda on: on and self._on_edit())

    # -- page hooks --------------------------------------------------------------------
    def on_shown(self) -> None:
        if self._loaded_once:
            return
        self._loaded_once = True
        self.reload_accounts()
        self.reload_scenarios()
        self.form.set_plan(dict(DEFAULT_PLAN))
        self.start_preview()

    def screenshot_ready(self) -> bool:
        """For scripts/screenshots.py: the first preview is drawn, every chart of it."""
        return (
            self.last_result is not None
            and self.preview_task is None
            and not self.results.pending()
        )

    def on_changes(self, changes: Changes) -> None:
        if changes.accounts:
            self.reload_accounts()
        if changes.scenarios:
            self.reload_scenarios()

    def reload_accounts(self) -> None:
        try:
            names = [a.name for a in self.ctx.portfolio.list_accounts()]
        except PortfolioOSError as exc:
            logger.info("accounts for the planner: %s", exc.message)
            names = []
        self.form.set_accounts(names)

    def reload_scenarios(self) -> None:
        current = self.scenarios.currentText()
        names = [s.name for s in self.service.list_scenarios()]
        self.scenarios.clear()
        self.scenarios.addItems(names)
        if current in names:
            self.scenarios.setCurrentText(current)
        for button in (self.load_button, self.duplicate_button, self.delete_button):
            button.setEnabled(bool(names))
        self.compare.set_names(names)

    # -- plan --------------------------------------------------------------------------
    def current_plan(self) -> Scenario | None:
        """The form's plan, validated by the service; an error is shown on its field."""
        data = self.form.plan()
        name = self.name_edit.text().strip()
        if name:
            data["name"] = name
        try:
            plan = self.service.parse_plan(data)
            if not isinstance(plan.initial_portfolio, float) and not hasattr(
                self.ctx.portfolio, "net_worth"
            ):
                raise ValidationError(
                    "initial_portfolio.accounts: starting from account net worth needs "
                    "holdings valuation, which this build does not have yet; enter an amount.",
                    field="initial_portfolio.accounts",
                )
        except ValidationError as exc:
            self.form.show_error(exc.message, exc.field)
            return None
        self.form.clear_error()
        return plan

    def _on_edit(self) -> None:
        self.generation += 1
        if self.current_plan() is None:
            self._cancel_preview()
            return
        if self.live.isChecked():
            self._debounce.start()

    # -- preview -----------------------------------------------------------------------
    def _cancel_all(self, *_: Any) -> None:
        """The page is going away: stop its work (callbacks check the page still exists)."""
        if self.preview_task is not None:
            self.preview_task.cancel()
        if self.progress_task is not None:
            self.progress_task.cancel()

    def _cancel_preview(self) -> None:
        if self.preview_task is not None:
            self.preview_task.cancel()
            self.preview_task = None

    def start_preview(self) -> Task | None:
        """Run the plan with at most 10,000 trials in the worker; replaces a running one."""
        self._debounce.stop()
        plan = self.current_plan()
        if plan is None:
            return None
        self._cancel_preview()
        generation = self.generation
        started = time.perf_counter()
        trials = min(plan.trials, PREVIEW_TRIALS)

        def done(result: SimulationResult) -> None:
            if task is not self.preview_task:
                return  # replaced by a newer preview
            self.preview_task = None
            if not shiboken6.isValid(self):
                return  # the window closed while the preview ran
            if generation != self.generation:
                return  # the plan changed since; its own preview (if live) follows
            self.preview_ms = (time.perf_counter() - started) * 1000
            self.show_result(result, f"preview in {self.preview_ms:,.0f} ms")
            self.preview_drawn.emit()

        def failed(message: str) -> None:
            if task is self.preview_task:
                self.preview_task = None
                if shiboken6.isValid(self):
                    self.form.show_error(message, _field_of(message))

        task = run_task(self.service.run, plan, trials=trials, on_result=done, on_error=failed)
        self.preview_task = task
        self.preview_label.setText(f"Previewing {trials:,} trials…")
        return task

    def show_result(self, result: SimulationResult, note: str = "") -> None:
        self.last_result = result
        self.results.set_result(result, note)
        self.preview_label.setText("")

    # -- long runs ---------------------------------------------------------------------
    def _busy(self, busy: bool) -> None:
        for button in (
            self.run_button,
            self.sensitivity.run_button,
            self.grid.run_button,
            self.compare.run_button,
        ):
            button.setEnabled(not busy)

    def _long_task_ended(self, state: str) -> None:
        self.progress_task = None
        self._busy(False)
        self.run_state = state
        if state == "cancelled":
            self.banner.show_message("Cancelled: the previous results are still shown.")
        self.run_finished.emit(state)

    def _start(self, fn: Any, *args: Any, message: str, on_result: Any, **kwargs: Any) -> Any:
        self.banner.setVisible(False)
        self._busy(True)
        self.run_state = "running"

        def result(value: Any) -> None:
            if shiboken6.isValid(self):
                on_result(value)

        self.progress_task = self.progress.start(
            fn,
            *args,
            message=message,
            on_result=result,
            on_error=self._long_error,
            **kwargs,
        )
        return self.progress_task

    def _long_error(self, message: str) -> None:
        if not shiboken6.isValid(self):
            return
        field = _field_of(message)
        if field and self.form.widgets_for(field):
            self.form.show_error(message, field)
        self.banner.show_message(message, level="error")

    def run_plan(self) -> Task | None:
        plan = self.current_plan()
        if plan is None:
            return None
        self._cancel_preview()
        generation = self.generation
        started = time.perf_counter()

        def done(result: SimulationResult) -> None:
            seconds = time.perf_counter() - started
            stale = generation != self.generation
            note = f"full run in {seconds:,.1f} s" + (" (plan edited since)" if stale else "")
            self.show_result(result, note)

        self.tabs.setCurrentWidget(self.results)
        return self._start(
            self.service.run, plan, message=f"Running {plan.trials:,} trials…", on_result=done
        )

    def run_sensitivity(self) -> Task | None:
        plan = self.current_plan()
        if plan is None:
            return None
        picker = self.sensitivity.picker
        try:
            values = picker.parsed("sensitivity values")
        except ValidationError as exc:
            self.banner.show_message(exc.message, level="error")
            return None
        param = picker.param
        trials = min(plan.trials, PREVIEW_TRIALS)
        return self._start(
            self.service.sensitivity,
            plan,
            param.key,
            values,
            trials=trials,
            message=f"Sensitivity of {param.label.lower()} ({len(values)} runs)…",
            on_result=lambda points: self.sensitivity.show_points(
                param, points, controller.current_value(plan, param.key)
            ),
        )

    def run_grid(self) -> Task | None:
        plan = self.current_plan()
        if plan is None:
            return None
        try:
            xs = self.grid.x_picker.parsed("grid values (across)")
            ys = self.grid.y_picker.parsed("grid values (down)")
        except ValidationError as exc:
            self.banner.show_message(exc.message, level="error")
            return None
        x, y = self.grid.x_picker.param, self.grid.y_picker.param
        trials = min(plan.trials, 5_000)
        return self._start(
            self.service.grid,
            plan,
            x.key,
            xs,
            y.key,
            ys,
            trials=trials,
            message=f"Grid of {len(xs) * len(ys)} runs…",
            on_result=lambda grid: self.grid.show_grid(x, y, grid),
        )

    def run_compare(self) -> Task | None:
        names = self.compare.chosen()
        if len(names) < 2:
            self.banner.show_message("Tick two or more saved scenarios to compare them.")
            return None
        service = self.service

        def compare(progress: Any = None, cancel: Any = None) -> list[tuple[str, SimulationResult]]:
            out = []
            for i, name in enumerate(names):

                def sub(fraction: float, message: str, i: int = i, name: str = name) -> None:
                    progress((i + fraction) / len(names), f"{name}: {message}")

                out.append((name, service.run(name, progress=sub, cancel=cancel)))
            return out

        def shown(results: list[tuple[str, SimulationResult]]) -> None:
            self.compare.show_results(controller.compare_rows(results), results)

        return self._start(compare, message=f"Comparing {len(names)} scenarios…", on_result=shown)

    # -- scenarios ---------------------------------------------------------------------
    def save_scenario(self, name: str | None = None) -> bool:
        plan = self.current_plan()
        if plan is None:
            return False
        chosen = (name if name is not None else self.name_edit.text()).strip()
        try:
            _stored, changes = self.service.save_scenario(chosen, plan)
        except ValidationError as exc:
            self.form.show_error(exc.message, "scenario name")
            self.name_edit.setFocus()
            return False
        except PortfolioOSError as exc:
            show_error(self, exc.message)
            return False
        self.loaded_name = chosen
        self.changed.emit(changes)
        self.reload_scenarios()
        self.scenarios.setCurrentText(chosen)
        self.preview_label.setText(f"Saved '{chosen}'.")
        return True

    def load_scenario(self, name: str | None = None) -> bool:
        chosen = name if name is not None else self.scenarios.currentText()
        if not chosen:
            return False
        try:
            plan = self.service.scenario(chosen)
        except PortfolioOSError as exc:
            show_error(self, exc.message)
            return False
        self.form.set_plan(plan.to_dict())
        self.loaded_name = plan.name or chosen
        self.name_edit.setText(self.loaded_name)
        self.scenarios.setCurrentText(self.loaded_name)
        self.generation += 1
        self.start_preview()
        return True

    def duplicate_scenario(self, name: str | None = None) -> str | None:
        """Save a copy of a saved scenario under a free name ("Base copy", "Base copy 2")."""
        source = name if name is not None else self.scenarios.currentText()
        if not source:
            return None
        try:
            plan = self.service.scenario(source)
            taken = {s.name.casefold() for s in self.service.list_scenarios()}
            copy = f"{source} copy"
            n = 2
            while copy.casefold() in taken:
                copy = f"{source} copy {n}"
                n += 1
            _stored, changes = self.service.save_scenario(copy, plan)
        except PortfolioOSError as exc:
            show_error(self, exc.message)
            return None
        self.changed.emit(changes)
        self.reload_scenarios()
        self.load_scenario(copy)
        return copy

    def delete_scenario(self, name: str | None = None, *, ask: bool = True) -> bool:
        chosen = name if name is not None else self.scenarios.currentText()
        if not chosen:
            return False
        if ask:
            from portfolioos.gui.dialogs import confirm

            if not confirm(self, "Delete scenario", f"Delete the saved scenario '{chosen}'?"):
                return False
        try:
            changes = self.service.delete_scenario(chosen)
        except PortfolioOSError as exc:
            show_error(self, exc.message)
            return False
        self.changed.emit(changes)
        self.reload_scenarios()
        return True

    # -- export ------------------------------------------------------------------------
    def _export_clicked(self) -> None:
        if self.last_result is None:
            self.banner.show_message("Run the plan first; there is nothing to export yet.")
            return
        stem = (self.loaded_name or "plan").replace("/", "-")
        path, _ = QFileDialog.getSaveFileName(
            self, "Export simulation", str(Path.home() / f"{stem}.csv"), "CSV files (*.csv)"
        )
        if path:
            self.export_csv(path)

    def export_csv(self, path: str | Path) -> Path | None:
        if self.last_result is None:
            return None
        try:
            target = controller.write_result_csv(self.ctx, path, self.last_result)
        except PortfolioOSError as exc:
            show_error(self, exc.message)
            return None
        self.preview_label.setText(f"Exported to {target}")
        return target
