"""One simulation result on screen: headline cards, fan chart, spending, depletion, histogram.

Everything shown is a number the service returned; the view only picks the nominal or
the real (today's dollars) variant and puts calendar years on the x axis.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from portfolioos.gui import format as fmt
from portfolioos.gui.charts import FanChart, HistogramChart, LineChart
from portfolioos.gui.widgets import MetricCard
from portfolioos.simulation.results import SimulationResult

PCTS = (5, 10, 25, 50, 75, 90, 95)


def success_note(rate: float) -> str:
    if rate >= 0.9:
        return "never ran short"
    if rate >= 0.75:
        return "thin margin"
    return "plan at risk"


class ResultsView(QWidget):
    """Draws the fan chart at once, then the other charts one per event-loop turn.

    Redrawing five charts and four cards in one go keeps the GUI thread busy for
    100-200 ms on a loaded machine (relayout and repaint of everything); one chart per
    turn lets each paint on its own, so no single stall is long. `drawn` fires when the
    last one is up.
    """

    drawn = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("planResults")
        self.result: SimulationResult | None = None
        self._steps: list[Callable[[], None]] = []
        self._step_timer = QTimer(self)
        self._step_timer.setSingleShot(True)
        self._step_timer.setInterval(0)
        self._step_timer.timeout.connect(self._next_step)
        self.start_year = dt.date.today().year
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)

        cards = QHBoxLayout()
        cards.setSpacing(8)
        self.success_card = MetricCard("Success rate")
        self.success_card.setObjectName("successCard")
        self.median_card = MetricCard("Median final")
        self.low_card = MetricCard("10th pct final")
        self.spending_card = MetricCard("First-year spend")
        for card in (self.success_card, self.median_card, self.low_card, self.spending_card):
            cards.addWidget(card, 1)
        layout.addLayout(cards)

        self.fan = FanChart("Portfolio value")
        self.fan.setObjectName("fanChart")
        self.real_button = QRadioButton("Today's dollars")
        self.real_button.setObjectName("realToggle")
        self.nominal_button = QRadioButton("Nominal")
        self.nominal_button.setObjectName("nominalToggle")
        self.real_button.setChecked(True)
        self.dollars = QButtonGroup(self)
        self.dollars.addButton(self.real_button)
        self.dollars.addButton(self.nominal_button)
        self.fan.header.insertWidget(1, self.real_button)
        self.fan.header.insertWidget(2, self.nominal_button)
        self.real_button.toggled.connect(lambda _on: self._draw())

        self.spending = LineChart("Spending", x_kind="year", y_kind="money")
        self.spending.setObjectName("spendingChart")
        self.depletion = LineChart("Ran short by year", x_kind="year", y_kind="percent")
        self.depletion.setObjectName("depletionChart")
        self.histogram = HistogramChart("Final value")
        self.histogram.setObjectName("terminalHistogram")
        grid = QGridLayout()
        grid.setSpacing(8)
        grid.addWidget(self.fan, 0, 0, 1, 2)
        grid.addWidget(self.spending, 1, 0)
        grid.addWidget(self.depletion, 1, 1)
        grid.addWidget(self.histogram, 2, 0, 1, 2)
        grid.setRowStretch(0, 4)
        grid.setRowStretch(1, 3)
        grid.setRowStretch(2, 3)
        layout.addLayout(grid, 1)

        self.status = QLabel("")
        self.status.setObjectName("resultStatus")
        layout.addWidget(self.status)

    @property
    def real(self) -> bool:
        return self.real_button.isChecked()

    def set_result(self, result: SimulationResult, note: str = "") -> None:
        self.result = result
        self._draw()
        method = "" if result.percentile_method == "exact" else " · binned percentiles"
        self.status.setText(
            f"{result.trials:,} trials · {result.years} years · seed {result.seed}{method}"
            + (f" · {note}" if note else "")
        )

    def pending(self) -> bool:
        """Charts of the latest result still waiting for their turn."""
        return bool(self._steps)

    def _next_step(self) -> None:
        if self._steps:
            self._steps.pop(0)()
        if self._steps:
            self._step_timer.start()
        else:
            self.drawn.emit()

    def _draw(self) -> None:
        r = self.result
        if r is None:
            return
        real = self.real
        paths = r.percentiles_real if real else r.percentiles
        spend = r.spending_percentiles_real if real else r.spending_percentiles
        terminal = r.terminal_real if real else r.terminal
        hist = r.terminal_histogram_real if real else r.terminal_histogram
        years = self.start_year + np.arange(r.years + 1)
        unit = "today's dollars" if real else "nominal dollars"

        def fan() -> None:
            self.fan.set_data(
                years,
                {p: paths[f"p{p}"] for p in PCTS},
                success_rate=r.success_rate,
            )

        def cards() -> None:
            self.success_card.set_value(
                None, text=fmt.percent(r.success_rate), note=success_note(r.success_rate)
            )
            self.median_card.set_value(
                terminal["p50"], note=f"after {r.years} years", text=_big(terminal["p50"])
            )
            self.low_card.set_value(
                terminal["p10"],
                text=_big(terminal["p10"]),
                note=f"{fmt.percent(terminal['probability_zero'])} end at $0",
            )
            first = spend["p50"][0] if spend["p50"] else 0.0
            last = spend["p50"][-1] if spend["p50"] else 0.0
            self.spending_card.set_value(
                first, text=_big(first), note=f"last year {fmt.compact_money(last)}"
            )
            for card in (self.median_card, self.low_card, self.spending_card):
                card.setToolTip(f"Median of the trials, {unit}")

        def spending() -> None:
            self.spending.set_data(
                years[:-1],
                {"p10": spend["p10"], "median": spend["p50"], "p90": spend["p90"]},
                # From zero: a flat real spending line must not zoom into rounding noise.
                y_range=(0.0, max(1.0, max(spend["p90"], default=0.0) * 1.1)),
            )

        def depletion() -> None:
            depleted = [0.0, *r.depletion_probability]
            top = max(0.05, min(1.0, max(depleted) * 1.15))
            self.depletion.set_data(years, {"ran short": depleted}, y_range=(0.0, top))

        def histogram() -> None:
            if hist:
                self.histogram.set_bins(
                    hist["edges"],
                    hist["shares"],
                    markers={"Median": terminal["p50"]},
                    count=r.trials,
                    clipped=terminal["max"] > hist["edges"][-1],
                )
            self.histogram.set_title(f"Final value ({unit})")
            self.spending.set_title("Spending")

        fan()
        self._steps = [cards, spending, depletion, histogram]
        self._step_timer.start()

    def finish_drawing(self) -> None:
        """Draw whatever is still queued now (screenshots, tests)."""
        self._step_timer.stop()
        while self._steps:
            self._steps.pop(0)()
        self.drawn.emit()

    def fan_data(self) -> dict[int, Any]:
        """The arrays the fan chart is drawing (for tests and the benchmark)."""
        return {p: np.array(v) for p, v in self.fan._p.items()}


def _big(value: float) -> str:
    """Card-sized money: '$1.39M', '$175.7K', '$40,000' (the exact value is in the charts)."""
    if abs(value) >= 1_000_000:
        return fmt.compact_money(value, decimals=2)
    if abs(value) >= 100_000:
        return fmt.compact_money(value, decimals=1)
    return fmt.money(value, decimals=0)
