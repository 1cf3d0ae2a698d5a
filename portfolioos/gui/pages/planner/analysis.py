"""Sensitivity (one parameter, a line chart), grid (two, a heat map), compare (saved plans).

These panels only collect choices and draw results; the page runs the service calls
through its one ProgressPanel so a single Cancel stops whatever is running.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from portfolioos.gui import format as fmt
from portfolioos.gui.charts import HeatMap, LineChart
from portfolioos.gui.models.table import Col, RowTableModel
from portfolioos.gui.pages.planner.controller import (
    SENSITIVITY_PARAMS,
    CompareRow,
    Param,
    parse_values,
)
from portfolioos.simulation.results import SimulationResult
from portfolioos.simulation.sensitivity import Grid, SensitivityPoint


def _param_combo(default: str) -> QComboBox:
    box = QComboBox()
    for p in SENSITIVITY_PARAMS:
        box.addItem(p.label, p.key)
    box.setCurrentIndex(max(0, box.findData(default)))
    return box


def _param(box: QComboBox) -> Param:
    return SENSITIVITY_PARAMS[box.currentIndex()]


def axis_kind(param: Param) -> str:
    return {"percent": "percent", "money": "money", "year": "number"}.get(param.kind, "number")


class ParamPicker(QWidget):
    """A parameter and the values to try, typed in the parameter's unit."""

    def __init__(self, label: str, default: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel(label))
        self.combo = _param_combo(default)
        self.values = QLineEdit(_param(self.combo).default_values)
        self.unit = QLabel("")
        row.addWidget(self.combo)
        row.addWidget(self.values, 1)
        row.addWidget(self.unit)
        self.combo.currentIndexChanged.connect(self._reset_values)
        self._reset_values()

    def _reset_values(self) -> None:
        param = self.param
        self.values.setText(param.default_values)
        self.unit.setText({"percent": "%", "money": "$", "year": "years"}.get(param.kind, ""))

    @property
    def param(self) -> Param:
        return _param(self.combo)

    def parsed(self, field: str) -> list[float]:
        return parse_values(self.values.text(), self.param, field)

    def select(self, key: str, values: str | None = None) -> None:
        self.combo.setCurrentIndex(self.combo.findData(key))
        if values is not None:
            self.values.setText(values)


class SensitivityPanel(QWidget):
    run_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.picker = ParamPicker("Vary", "withdrawal_rate")
        self.run_button = QPushButton("Run sensitivity")
        self.run_button.setObjectName("runSensitivity")
        self.run_button.clicked.connect(self.run_requested)
        bar.addWidget(self.picker, 1)
        bar.addWidget(self.run_button)
        layout.addLayout(bar)
        self.chart = LineChart("Success rate", x_kind="percent", y_kind="percent", markers=True)
        self.chart.setObjectName("sensitivityChart")
        self.terminal = LineChart(
            "Median final value (today's dollars)", x_kind="percent", y_kind="money", markers=True
        )
        self.terminal.setObjectName("sensitivityTerminal")
        layout.addWidget(self.chart, 3)
        layout.addWidget(self.terminal, 2)
        self.points: list[SensitivityPoint] = []

    def show_points(
        self, param: Param, points: Sequence[SensitivityPoint], current: float | None = None
    ) -> None:
        self.points = list(points)
        xs = [p.value for p in points]
        kind = axis_kind(param)
        for chart in (self.chart, self.terminal):
            chart.x_kind = kind
            chart.x_axis.set_kind(kind)
        self.chart.set_title(f"Success rate by {param.label.lower()}")
        self.chart.set_data(
            xs, {"success rate": [p.result.success_rate for p in points]}, y_range=(0.0, 1.0)
        )
        self.terminal.set_data(
            xs, {"median final value": [p.result.terminal_real["p50"] for p in points]}
        )
        for chart in (self.chart, self.terminal):
            chart.set_reference(current, "this plan")


class GridPanel(QWidget):
    run_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.x_picker = ParamPicker("Across", "withdrawal_rate")
        self.y_picker = ParamPicker("Down", "equity_share")
        self.x_picker.values.setText("3, 3.5, 4, 4.5, 5, 5.5")
        bar = QHBoxLayout()
        pickers = QVBoxLayout()
        pickers.addWidget(self.x_picker)
        pickers.addWidget(self.y_picker)
        bar.addLayout(pickers, 1)
        self.run_button = QPushButton("Run grid")
        self.run_button.setObjectName("runGrid")
        self.run_button.clicked.connect(self.run_requested)
        bar.addWidget(self.run_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout.addLayout(bar)
        self.heatmap = HeatMap("Success rate")
        self.heatmap.setObjectName("gridHeatMap")
        layout.addWidget(self.heatmap, 1)
        self.grid: Grid | None = None

    def show_grid(self, x: Param, y: Param, grid: Grid) -> None:
        self.grid = grid
        self.heatmap.set_data(
            grid.x_values,
            grid.y_values,
            np.asarray(grid.success_rate),
            x_kind=axis_kind(x),
            y_kind=axis_kind(y),
            value_kind="percent",
            x_label=x.label,
            y_label=y.label,
            levels=(0.0, 1.0),
        )
        self.heatmap.set_title(f"Success rate: {x.label.lower()} × {y.label.lower()}")


def _dollars(value: float) -> str:
    return fmt.money(value, decimals=0)


COMPARE_COLUMNS = (
    Col("Scenario", "name"),
    Col("Success", "success_rate", format=fmt.percent),
    Col("Median final", "median_terminal_real", format=_dollars),
    Col("10th pct final", "p10_terminal_real", format=_dollars),
    Col("1st-year spend", "median_first_spending", format=_dollars),
    Col("Last-year spend", "median_last_spending_real", format=_dollars),
)


class ComparePanel(QWidget):
    run_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        pick = QVBoxLayout()
        pick.addWidget(QLabel("Saved scenarios (tick two or more):"))
        self.choices = QListWidget()
        self.choices.setObjectName("compareChoices")
        self.choices.setMaximumHeight(76)
        pick.addWidget(self.choices)
        top.addLayout(pick, 1)
        self.run_button = QPushButton("Compare")
        self.run_button.setObjectName("runCompare")
        self.run_button.clicked.connect(self.run_requested)
        top.addWidget(self.run_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout.addLayout(top)
        right = QSplitter(Qt.Orientation.Vertical)
        self.model = RowTableModel(COMPARE_COLUMNS)
        self.table = QTableView()
        self.table.setObjectName("compareTable")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.chart = LineChart("Median value (real)", x_kind="year", y_kind="money")
        self.chart.setObjectName("compareChart")
        right.addWidget(self.table)
        right.addWidget(self.chart)
        right.setSizes([140, 360])
        layout.addWidget(right, 1)

    def set_names(self, names: Sequence[str]) -> None:
        chosen = set(self.chosen())
        self.choices.clear()
        for name in names:
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if name in chosen else Qt.CheckState.Unchecked)
            self.choices.addItem(item)

    def chosen(self) -> list[str]:
        return [
            self.choices.item(i).text()
            for i in range(self.choices.count())
            if self.choices.item(i).checkState() == Qt.CheckState.Checked
        ]

    def check(self, names: Sequence[str]) -> None:
        for i in range(self.choices.count()):
            item = self.choices.item(i)
            item.setCheckState(
                Qt.CheckState.Checked if item.text() in names else Qt.CheckState.Unchecked
            )

    def show_results(
        self, rows: Sequence[CompareRow], results: Sequence[tuple[str, SimulationResult]]
    ) -> None:
        self.model.set_rows(list(rows))
        self.table.resizeColumnsToContents()
        start = dt.date.today().year
        self.chart.set_data(
            None,
            {
                name: (start + np.arange(r.years + 1), r.percentiles_real["p50"])
                for name, r in results
            },
        )
