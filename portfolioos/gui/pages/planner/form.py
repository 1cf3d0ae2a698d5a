"""The scenario form: every option of the plan schema (docs/plan-schema.md) as a widget.

The form only turns widgets into a plan mapping (`plan()`) and back (`set_plan()`);
the service parses and validates it. When the service refuses a plan it names the
field (`withdrawal.initial_rate`, `life_events[1].year`, `allocation`): `show_error`
highlights the widgets registered under that path and writes the message beside them.
Fields that only apply to some models or strategies are hidden when they do not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from portfolioos.gui import colors
from portfolioos.gui.format import Tone
from portfolioos.gui.pages.planner.inputs import IntSpin, MoneySpin, PercentSpin, PlainSpin
from portfolioos.simulation.scenario import (
    DEFAULT_BONDS,
    DEFAULT_CASH,
    DEFAULT_INFLATION,
    DEFAULT_STOCKS,
    MAX_TRIALS,
    MAX_YEARS,
    EventType,
    InflationModel,
    ReturnModel,
    Strategy,
    Withdrawal,
)

RANDOM_MODELS = (ReturnModel.NORMAL, ReturnModel.LOGNORMAL, ReturnModel.STUDENT_T)
MODEL_LABELS = {
    ReturnModel.LOGNORMAL: "Lognormal",
    ReturnModel.NORMAL: "Normal",
    ReturnModel.STUDENT_T: "Student t (fat tails)",
    ReturnModel.BOOTSTRAP: "Block bootstrap of history",
    ReturnModel.HISTORICAL: "Historical sequences (1871–2013)",
}
INFLATION_LABELS = {
    InflationModel.FIXED: "Fixed",
    InflationModel.STOCHASTIC: "Stochastic (normal)",
    InflationModel.HISTORICAL: "Historical",
}
STRATEGY_LABELS = {
    Strategy.CONSTANT_DOLLAR: "Constant dollar (4% rule)",
    Strategy.CONSTANT_PERCENTAGE: "Constant percentage",
    Strategy.GUYTON_KLINGER: "Guyton-Klinger guardrails",
    Strategy.VPW: "Variable percentage (VPW)",
    Strategy.FLOOR_CEILING: "Floor and ceiling",
}
EVENT_LABELS = {
    EventType.EXPENSE: "Expense",
    EventType.WINDFALL: "Windfall",
    EventType.INCOME_CHANGE: "Income",
    EventType.SAVINGS_RATE_CHANGE: "Savings",
    EventType.PENSION: "Pension",
    EventType.SOCIAL_SECURITY: "Soc. Sec.",
}
# (recurring, inflation-adjusted) defaults per type, as the schema has them.
EVENT_DEFAULTS = {
    EventType.EXPENSE: (False, True),
    EventType.WINDFALL: (False, True),
    EventType.INCOME_CHANGE: (True, True),
    EventType.SAVINGS_RATE_CHANGE: (True, True),
    EventType.PENSION: (True, False),
    EventType.SOCIAL_SECURITY: (True, True),
}
EVENT_COLUMNS = ("Type", "Year", "End", "Amount", "Yearly", "Real", "Name")
EVENT_TIPS = (
    "What happens",
    "Plan year it starts (0 = now)",
    "Last year of a yearly event (inclusive); 'last' = the plan's last year",
    "Amount; in today's dollars when Real is ticked. Negative for an income or savings cut",
    "Repeats every year through End",
    "Inflation-adjusted: grows with simulated inflation",
    "Optional label",
)
# Fixed widths so the table fits the form column; Name takes what is left.
EVENT_WIDTHS = (84, 34, 40, 74, 42, 34)
TYPE, YEAR, END, AMOUNT, RECURRING, ADJUSTED, NAME = range(7)
ERROR_CSS = "border: 2px solid {color}; border-radius: 3px;"
# Table cells have no room for a border: tint them instead.
CELL_ERROR_CSS = "background: {tint}; color: {color}; font-weight: 600;"


def _combo(labels: dict[Any, str]) -> QComboBox:
    box = QComboBox()
    for value, label in labels.items():
        box.addItem(label, value.value)
    return box


def _set_combo(box: QComboBox, value: str) -> None:
    index = box.findData(value)
    if index >= 0:
        box.setCurrentIndex(index)


class EventsTable(QTableWidget):
    """Life events, one row each, edited in place with real editors (no free text)."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(EVENT_COLUMNS), parent)
        self.setObjectName("eventsTable")
        self.setHorizontalHeaderLabels(list(EVENT_COLUMNS))
        for col, tip in enumerate(EVENT_TIPS):
            item = self.horizontalHeaderItem(col)
            if item is not None:
                item.setToolTip(tip)
        self.verticalHeader().hide()
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.horizontalHeader()
        header.setMinimumSectionSize(30)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        for col, width in enumerate(EVENT_WIDTHS):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Fixed)
            self.setColumnWidth(col, width)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        self.setMinimumHeight(120)

    def add_event(self, event: dict[str, Any] | None = None) -> int:
        e = event or {"type": "expense", "year": 1, "amount": 10_000.0}
        kind = EventType(e.get("type", "expense"))
        recurring_default, adjusted_default = EVENT_DEFAULTS[kind]
        row = self.rowCount()
        self.insertRow(row)
        type_box = _combo(EVENT_LABELS)
        _set_combo(type_box, kind.value)
        name = QLineEdit(str(e.get("name") or ""))
        name.setPlaceholderText("label")
        year = IntSpin(0, MAX_YEARS - 1, int(e.get("year", 0)))
        end = IntSpin(0, MAX_YEARS - 1, e.get("end_year"), optional=True, none_text="last")
        amount = MoneySpin(float(e.get("amount", 0.0)), minimum=-1e12, step=1_000)
        for spin in (year, end, amount):  # arrows do not fit the cells; keys still step
            spin.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)
            spin.setMinimumWidth(0)
            spin.setFrame(False)
        recurring = QCheckBox()
        recurring.setChecked(bool(e.get("recurring", recurring_default)))
        adjusted = QCheckBox()
        adjusted.setChecked(bool(e.get("inflation_adjusted", adjusted_default)))
        type_box.setFrame(False)
        name.setFrame(False)
        for col, widget in enumerate((type_box, year, end, amount, recurring, adjusted, name)):
            if isinstance(widget, QCheckBox):
                holder = QWidget()
                lay = QHBoxLayout(holder)
                lay.setContentsMargins(0, 0, 0, 0)
                lay.addWidget(widget, 0, Qt.AlignmentFlag.AlignCenter)
                holder.setProperty("check", widget)
                self.setCellWidget(row, col, holder)
            else:
                self.setCellWidget(row, col, widget)
        end.setEnabled(recurring.isChecked())

        def type_changed() -> None:
            rec, adj = EVENT_DEFAULTS[EventType(type_box.currentData())]
            recurring.setChecked(rec)
            adjusted.setChecked(adj)
            self.edited.emit()

        type_box.currentIndexChanged.connect(type_changed)
        recurring.toggled.connect(lambda on: (end.setEnabled(on), self.edited.emit()))
        name.editingFinished.connect(self.edited)
        for spin in (year, end, amount):
            spin.valueChanged.connect(lambda _v: self.edited.emit())
        adjusted.toggled.connect(lambda _on: self.edited.emit())
        self.resizeRowsToContents()
        self.edited.emit()
        return row

    def remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.selectedIndexes()}, reverse=True)
        if not rows and self.rowCount():
            rows = [self.rowCount() - 1]
        for row in rows:
            self.removeRow(row)
        if rows:
            self.edited.emit()

    def clear_events(self) -> None:
        self.setRowCount(0)

    def widget_at(self, row: int, col: int) -> Any:
        widget = self.cellWidget(row, col)
        check = widget.property("check") if widget is not None else None
        return check if check is not None else widget

    def events(self) -> list[dict[str, Any]]:
        out = []
        for row in range(self.rowCount()):
            recurring = self.widget_at(row, RECURRING).isChecked()
            event: dict[str, Any] = {
                "type": self.widget_at(row, TYPE).currentData(),
                "year": self.widget_at(row, YEAR).number(),
                "amount": self.widget_at(row, AMOUNT).amount(),
                "recurring": recurring,
                "inflation_adjusted": self.widget_at(row, ADJUSTED).isChecked(),
            }
            end = self.widget_at(row, END).number()
            if recurring and end is not None:
                event["end_year"] = end
            name = self.widget_at(row, NAME).text().strip()
            if name:
                event["name"] = name
            out.append(event)
        return out


class ScenarioForm(QWidget):
    """Every plan option; `edited` fires (once per finished edit) when any changes."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scenarioForm")
        self.fields: dict[str, list[QWidget]] = {}
        self._loading = False
        self._marked: list[QWidget] = []
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 6, 0)
        column.setSpacing(10)

        # The page places this label above the form's scroll area, so it stays in view.
        self.error = QLabel("")
        self.error.setObjectName("planError")
        self.error.setWordWrap(True)
        self.error.setVisible(False)

        column.addWidget(self._start_group())
        column.addWidget(self._allocation_group())
        column.addWidget(self._returns_group())
        column.addWidget(self._inflation_group())
        column.addWidget(self._withdrawal_group())
        column.addWidget(self._events_group())
        column.addStretch(1)
        self._update_visibility()
        self._wire()

    # -- building ----------------------------------------------------------------------
    def _register(self, path: str, *widgets: QWidget) -> None:
        self.fields.setdefault(path, []).extend(widgets)

    def _group(self, title: str) -> tuple[QGroupBox, QFormLayout]:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setHorizontalSpacing(10)
        form.setVerticalSpacing(6)
        return box, form

    def _start_group(self) -> QGroupBox:
        box, form = self._group("Start")
        self.use_amount = QRadioButton("Amount")
        self.use_accounts = QRadioButton("Net worth of accounts")
        self.use_amount.setChecked(True)
        self.start_choice = QButtonGroup(self)
        self.start_choice.addButton(self.use_amount)
        self.start_choice.addButton(self.use_accounts)
        self.initial = MoneySpin(1_000_000.0, step=50_000)
        self.initial.setObjectName("initialPortfolio")
        self.initial.setMinimum(0)
        self.initial.setMinimumWidth(140)
        form.addRow(self.use_amount, self.initial)
        form.addRow(self.use_accounts)
        self.accounts = QListWidget()
        self.accounts.setObjectName("planAccounts")
        self.accounts.setMaximumHeight(84)
        self.accounts.setVisible(False)
        form.addRow(self.accounts)
        self.years = IntSpin(1, MAX_YEARS, 30)
        self.years.setObjectName("years")
        self.trials = IntSpin(1, MAX_TRIALS, 10_000, group=True)
        self.trials.setObjectName("trials")
        self.trials.setSingleStep(10_000)
        self.trials.setMinimumWidth(110)
        # Seeds go up to 2**63 - 1, beyond a spin box's 32 bits: digits in a line edit.
        self.seed = QLineEdit("42")
        self.seed.setObjectName("seed")
        self.seed.setPlaceholderText("random")
        self.seed.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{0,19}")))
        self.seed.setMaximumWidth(170)
        self.seed.editingFinished.connect(self._changed)
        self.fees = PercentSpin(0.0, 0.1, 0.0, step=0.05)
        self.fees.setObjectName("fees")
        form.addRow("Years", self.years)
        form.addRow("Trials", self.trials)
        form.addRow("Seed", self.seed)
        form.addRow("Annual fees", self.fees)
        self._register("initial_portfolio", self.initial)
        self._register("initial_portfolio.accounts", self.accounts)
        self._register("years", self.years)
        self._register("trials", self.trials)
        self._register("seed", self.seed)
        self._register("fees", self.fees)
        return box

    def _allocation_group(self) -> QGroupBox:
        box, form = self._group("Allocation")
        self.stocks = PercentSpin(0.0, 1.0, 0.6, decimals=1, step=5)
        self.bonds = PercentSpin(0.0, 1.0, 0.4, decimals=1, step=5)
        self.cash = PercentSpin(0.0, 1.0, 0.0, decimals=1, step=5)
        for spin in (self.stocks, self.bonds, self.cash):
            spin.setMinimumWidth(84)
        self.stocks.setObjectName("stocks")
        self.bonds.setObjectName("bonds")
        self.cash.setObjectName("cash")
        for label, spin in (("Stocks", self.stocks), ("Bonds", self.bonds), ("Cash", self.cash)):
            form.addRow(label, spin)
        self._register("allocation", self.stocks, self.bonds, self.cash)
        self._register("allocation.stocks", self.stocks)
        self._register("allocation.bonds", self.bonds)
        self._register("allocation.cash", self.cash)
        return box

    def _returns_group(self) -> QGroupBox:
        box, form = self._group("Returns")
        self.returns_form = form
        self.model = _combo(MODEL_LABELS)
        self.model.setObjectName("returnModel")
        form.addRow("Model", self.model)
        self.asset_spins: dict[str, tuple[PercentSpin, PercentSpin]] = {}
        for key, default in (
            ("stocks", DEFAULT_STOCKS),
            ("bonds", DEFAULT_BONDS),
            ("cash", DEFAULT_CASH),
        ):
            mean = PercentSpin(-0.5, 1.0, default[0], step=0.1)
            stdev = PercentSpin(0.0, 1.0, default[1], step=0.1)
            mean.setObjectName(f"{key}Mean")
            stdev.setObjectName(f"{key}Stdev")
            row = QHBoxLayout()
            row.addWidget(mean)
            row.addWidget(QLabel("± sd"))
            row.addWidget(stdev)
            row.addStretch(1)
            holder = QWidget()
            holder.setLayout(row)
            row.setContentsMargins(0, 0, 0, 0)
            form.addRow(f"{key.capitalize()} return", holder)
            self.asset_spins[key] = (mean, stdev)
            self._register(f"returns.{key}", mean, stdev)
            self._register(f"returns.{key}.mean", mean)
            self._register(f"returns.{key}.stdev", stdev)
        self.asset_rows = {k: self.asset_spins[k][0].parentWidget() for k in self.asset_spins}
        self.correlation = PlainSpin(-1.0, 1.0, 0.0, decimals=2)
        self.correlation.setSingleStep(0.05)
        self.correlation.setObjectName("correlation")
        form.addRow("Correlation", self.correlation)
        self.df = PlainSpin(2.1, 1000.0, 5.0)
        self.df.setObjectName("df")
        form.addRow("Degrees of freedom", self.df)
        self.block_length = IntSpin(1, 50, 5)
        self.block_length.setObjectName("blockLength")
        form.addRow("Block length (years)", self.block_length)
        self._register("returns.model", self.model)
        self._register("returns.correlation", self.correlation)
        self._register("returns.df", self.df)
        self._register("returns.block_length", self.block_length)
        return box

    def _inflation_group(self) -> QGroupBox:
        box, form = self._group("Inflation")
        self.inflation_form = form
        self.inflation_model = _combo(INFLATION_LABELS)
        self.inflation_model.setObjectName("inflationModel")
        self.inflation_rate = PercentSpin(-0.1, 0.5, DEFAULT_INFLATION[0], step=0.1)
        self.inflation_rate.setObjectName("inflationRate")
        self.inflation_stdev = PercentSpin(0.0, 0.5, DEFAULT_INFLATION[1], step=0.1)
        self.inflation_stdev.setObjectName("inflationStdev")
        form.addRow("Model", self.inflation_model)
        form.addRow("Rate", self.inflation_rate)
        form.addRow("Standard deviation", self.inflation_stdev)
        self._register("inflation.model", self.inflation_model)
        self._register("inflation.rate", self.inflation_rate)
        self._register("inflation.mean", self.inflation_rate)
        self._register("inflation.stdev", self.inflation_stdev)
        return box

    def _withdrawal_group(self) -> QGroupBox:
        box, form = self._group("Withdrawals")
        self.withdrawal_form = form
        d = Withdrawal()
        self.strategy = _combo(STRATEGY_LABELS)
        self.strategy.setObjectName("strategy")
        self.initial_rate = PercentSpin(0.0, 1.0, d.initial_rate, step=0.1)
        self.initial_rate.setObjectName("initialRate")
        self.amount = MoneySpin(None, optional=True, step=1_000)
        self.amount.setObjectName("withdrawalAmount")
        self.spending_floor = MoneySpin(None, optional=True, step=1_000)
        self.spending_floor.setObjectName("spendingFloor")
        self.spending_ceiling = MoneySpin(None, optional=True, step=1_000)
        self.spending_ceiling.setObjectName("spendingCeiling")
        form.addRow("Strategy", self.strategy)
        form.addRow("Initial rate", self.initial_rate)
        form.addRow("First-year amount", self.amount)
        form.addRow("Spending floor", self.spending_floor)
        form.addRow("Spending ceiling", self.spending_ceiling)
        # Guyton-Klinger
        self.gk_preservation = PercentSpin(0.0, 5.0, d.capital_preservation_threshold, step=1)
        self.gk_prosperity = PercentSpin(0.0, 0.99, d.prosperity_threshold, step=1)
        self.gk_cut = PercentSpin(0.0, 0.99, d.cut, step=1)
        self.gk_raise = PercentSpin(0.0, 1.0, d.raise_rate, step=1)
        self.gk_exception = IntSpin(0, MAX_YEARS, d.preservation_exception_years)
        self.gk_inflation_rule = QCheckBox("No raise after a loss")
        self.gk_inflation_rule.setChecked(d.inflation_rule)
        self.gk_max_raise = PercentSpin(0.0, 1.0, None, step=0.5, optional=True)
        self.gk_rows = [
            ("Preservation guardrail", self.gk_preservation, "capital_preservation_threshold"),
            ("Prosperity guardrail", self.gk_prosperity, "prosperity_threshold"),
            ("Cut", self.gk_cut, "cut"),
            ("Raise", self.gk_raise, "raise"),
            ("No cuts in last (years)", self.gk_exception, "preservation_exception_years"),
            ("Inflation rule", self.gk_inflation_rule, "inflation_rule"),
            ("Max inflation raise", self.gk_max_raise, "max_inflation_raise"),
        ]
        # VPW
        self.vpw_stocks = PercentSpin(-0.1, 0.2, d.stocks_real_return, step=0.1)
        self.vpw_bonds = PercentSpin(-0.1, 0.2, d.bonds_real_return, step=0.1)
        self.vpw_cash = PercentSpin(-0.1, 0.2, d.cash_real_return, step=0.1)
        self.vpw_rows = [
            ("Stocks real return", self.vpw_stocks, "expected_real_returns.stocks"),
            ("Bonds real return", self.vpw_bonds, "expected_real_returns.bonds"),
            ("Cash real return", self.vpw_cash, "expected_real_returns.cash"),
        ]
        # Floor and ceiling
        self.fc_floor = PercentSpin(0.0, 1.0, d.floor, step=1)
        self.fc_ceiling = PercentSpin(1.0, 10.0, d.ceiling, step=1)
        self.fc_rows = [
            ("Floor (× initial)", self.fc_floor, "floor"),
            ("Ceiling (× initial)", self.fc_ceiling, "ceiling"),
        ]
        for label, widget, key in (*self.gk_rows, *self.vpw_rows, *self.fc_rows):
            widget.setObjectName("w_" + key.replace(".", "_"))
            form.addRow(label, widget)
            self._register(f"withdrawal.{key}", widget)
        self._register("withdrawal.strategy", self.strategy)
        self._register("withdrawal.initial_rate", self.initial_rate)
        self._register("withdrawal.amount", self.amount)
        self._register("withdrawal.spending_floor", self.spending_floor)
        self._register("withdrawal.spending_ceiling", self.spending_ceiling)
        return box

    def _events_group(self) -> QGroupBox:
        box = QGroupBox("Life events")
        layout = QVBoxLayout(box)
        self.events = EventsTable()
        layout.addWidget(self.events)
        buttons = QHBoxLayout()
        self.add_event_button = QPushButton("Add event")
        self.add_event_button.setObjectName("addEvent")
        self.remove_event_button = QPushButton("Remove")
        self.remove_event_button.setObjectName("removeEvent")
        self.add_event_button.clicked.connect(lambda: self.events.add_event())
        self.remove_event_button.clicked.connect(self.events.remove_selected)
        buttons.addWidget(self.add_event_button)
        buttons.addWidget(self.remove_event_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self._register("life_events", self.events)
        return box

    def _wire(self) -> None:
        spins = [w for ws in self.fields.values() for w in ws if hasattr(w, "valueChanged")]
        for spin in set(spins):
            spin.valueChanged.connect(self._changed)
        for combo in (self.model, self.inflation_model, self.strategy):
            combo.currentIndexChanged.connect(self._update_visibility)
            combo.currentIndexChanged.connect(self._changed)
        self.gk_inflation_rule.toggled.connect(self._changed)
        self.use_amount.toggled.connect(self._changed)
        self.use_amount.toggled.connect(self._update_visibility)
        self.accounts.itemChanged.connect(self._changed)
        self.events.edited.connect(self._changed)

    def _changed(self, *_: Any) -> None:
        if not self._loading:
            self.edited.emit()

    def _update_visibility(self, *_: Any) -> None:
        model = ReturnModel(self.model.currentData())
        random = model in RANDOM_MODELS
        for key in ("stocks", "bonds"):
            self.returns_form.setRowVisible(self.asset_rows[key], random)
        self.returns_form.setRowVisible(self.correlation, random)
        self.returns_form.setRowVisible(self.df, model is ReturnModel.STUDENT_T)
        self.returns_form.setRowVisible(self.block_length, model is ReturnModel.BOOTSTRAP)
        inflation = InflationModel(self.inflation_model.currentData())
        self.inflation_form.setRowVisible(
            self.inflation_rate, inflation is not InflationModel.HISTORICAL
        )
        self.inflation_form.setRowVisible(
            self.inflation_stdev, inflation is InflationModel.STOCHASTIC
        )
        strategy = Strategy(self.strategy.currentData())
        for rows, which in (
            (self.gk_rows, Strategy.GUYTON_KLINGER),
            (self.vpw_rows, Strategy.VPW),
            (self.fc_rows, Strategy.FLOOR_CEILING),
        ):
            for _label, widget, _key in rows:
                self.withdrawal_form.setRowVisible(widget, strategy is which)
        self.initial.setEnabled(self.use_amount.isChecked())
        self.accounts.setVisible(self.use_accounts.isChecked())

    # -- accounts ----------------------------------------------------------------------
    def set_accounts(self, names: Sequence[str]) -> None:
        checked = set(self.checked_accounts())
        self._loading = True
        try:
            self.accounts.clear()
            for name in names:
                item = QListWidgetItem(name)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(
                    Qt.CheckState.Checked if name in checked else Qt.CheckState.Unchecked
                )
                self.accounts.addItem(item)
            self.use_accounts.setEnabled(bool(names))
        finally:
            self._loading = False

    def checked_accounts(self) -> list[str]:
        return [
            self.accounts.item(i).text()
            for i in range(self.accounts.count())
            if self.accounts.item(i).checkState() == Qt.CheckState.Checked
        ]

    # -- plan <-> widgets --------------------------------------------------------------
    def plan(self) -> dict[str, Any]:
        """The plan mapping of docs/plan-schema.md, unvalidated (the service validates)."""
        model = ReturnModel(self.model.currentData())
        returns: dict[str, Any] = {
            "model": model.value,
            "cash": self._asset("cash"),
        }
        if model in RANDOM_MODELS:
            returns["stocks"] = self._asset("stocks")
            returns["bonds"] = self._asset("bonds")
            returns["correlation"] = self.correlation.value()
        if model is ReturnModel.STUDENT_T:
            returns["df"] = self.df.value()
        if model is ReturnModel.BOOTSTRAP:
            returns["block_length"] = self.block_length.number()
        inflation_model = InflationModel(self.inflation_model.currentData())
        inflation: dict[str, Any] = {"model": inflation_model.value}
        if inflation_model is not InflationModel.HISTORICAL:
            inflation["rate"] = self.inflation_rate.fraction()
        if inflation_model is InflationModel.STOCHASTIC:
            inflation["stdev"] = self.inflation_stdev.fraction()
        strategy = Strategy(self.strategy.currentData())
        withdrawal: dict[str, Any] = {
            "strategy": strategy.value,
            "initial_rate": self.initial_rate.fraction(),
        }
        for key, spin in (
            ("amount", self.amount),
            ("spending_floor", self.spending_floor),
            ("spending_ceiling", self.spending_ceiling),
        ):
            if spin.amount() is not None:
                withdrawal[key] = spin.amount()
        if strategy is Strategy.GUYTON_KLINGER:
            withdrawal.update(
                {
                    "capital_preservation_threshold": self.gk_preservation.fraction(),
                    "prosperity_threshold": self.gk_prosperity.fraction(),
                    "cut": self.gk_cut.fraction(),
                    "raise": self.gk_raise.fraction(),
                    "preservation_exception_years": self.gk_exception.number(),
                    "inflation_rule": self.gk_inflation_rule.isChecked(),
                    "max_inflation_raise": self.gk_max_raise.fraction(),
                }
            )
        elif strategy is Strategy.VPW:
            withdrawal["expected_real_returns"] = {
                "stocks": self.vpw_stocks.fraction(),
                "bonds": self.vpw_bonds.fraction(),
                "cash": self.vpw_cash.fraction(),
            }
        elif strategy is Strategy.FLOOR_CEILING:
            withdrawal.update(
                {"floor": self.fc_floor.fraction(), "ceiling": self.fc_ceiling.fraction()}
            )
        initial: Any = (
            self.initial.amount()
            if self.use_amount.isChecked()
            else {"accounts": self.checked_accounts()}
        )
        return {
            "initial_portfolio": initial,
            "years": self.years.number(),
            "trials": self.trials.number(),
            "seed": int(self.seed.text()) if self.seed.text().strip() else None,
            "allocation": {
                "stocks": self.stocks.fraction(),
                "bonds": self.bonds.fraction(),
                "cash": self.cash.fraction(),
            },
            "fees": self.fees.fraction(),
            "returns": returns,
            "inflation": inflation,
            "withdrawal": withdrawal,
            "life_events": self.events.events(),
        }

    def _asset(self, key: str) -> dict[str, float | None]:
        mean, stdev = self.asset_spins[key]
        return {"mean": mean.fraction(), "stdev": stdev.fraction()}

    def set_plan(self, plan: dict[str, Any]) -> None:
        """Fill the widgets from a canonical plan (`Scenario.to_dict()`); no `edited`."""
        self._loading = True
        try:
            self._fill(plan)
        finally:
            self._loading = False
        self._update_visibility()
        self.clear_error()

    def _fill(self, p: dict[str, Any]) -> None:
        initial = p["initial_portfolio"]
        if isinstance(initial, dict):
            wanted = {str(a) for a in initial.get("accounts", [])}
            for i in range(self.accounts.count()):
                item = self.accounts.item(i)
                item.setCheckState(
                    Qt.CheckState.Checked if item.text() in wanted else Qt.CheckState.Unchecked
                )
            self.use_accounts.setChecked(True)
        else:
            self.initial.set_amount(float(initial))
            self.use_amount.setChecked(True)
        self.years.set_int(p.get("years", 30))
        self.trials.set_int(p.get("trials", 10_000))
        seed = p.get("seed")
        self.seed.setText("" if seed is None else str(int(seed)))
        allocation = p.get("allocation", {})
        self.stocks.set_fraction(allocation.get("stocks", 0.6))
        self.bonds.set_fraction(allocation.get("bonds", 0.4))
        self.cash.set_fraction(allocation.get("cash", 0.0))
        self.fees.set_fraction(p.get("fees", 0.0))
        r = p.get("returns", {})
        _set_combo(self.model, r.get("model", "lognormal"))
        for key, default in (
            ("stocks", DEFAULT_STOCKS),
            ("bonds", DEFAULT_BONDS),
            ("cash", DEFAULT_CASH),
        ):
            mean, stdev = self.asset_spins[key]
            asset = r.get(key) or {}
            mean.set_fraction(asset.get("mean", default[0]))
            stdev.set_fraction(asset.get("stdev", default[1]))
        self.correlation.setValue(float(r.get("correlation", 0.0)))
        self.df.setValue(float(r.get("df", 5.0)))
        self.block_length.set_int(r.get("block_length", 5))
        i = p.get("inflation", {})
        _set_combo(self.inflation_model, i.get("model", "fixed"))
        self.inflation_rate.set_fraction(i.get("rate", i.get("mean", DEFAULT_INFLATION[0])))
        self.inflation_stdev.set_fraction(i.get("stdev", DEFAULT_INFLATION[1]))
        w = p.get("withdrawal", {})
        d = Withdrawal()
        _set_combo(self.strategy, w.get("strategy", "constant_dollar"))
        self.initial_rate.set_fraction(w.get("initial_rate", d.initial_rate))
        self.amount.set_amount(w.get("amount"))
        self.spending_floor.set_amount(w.get("spending_floor"))
        self.spending_ceiling.set_amount(w.get("spending_ceiling"))
        self.gk_preservation.set_fraction(
            w.get("capital_preservation_threshold", d.capital_preservation_threshold)
        )
        self.gk_prosperity.set_fraction(w.get("prosperity_threshold", d.prosperity_threshold))
        self.gk_cut.set_fraction(w.get("cut", d.cut))
        self.gk_raise.set_fraction(w.get("raise", d.raise_rate))
        self.gk_exception.set_int(
            w.get("preservation_exception_years", d.preservation_exception_years)
        )
        self.gk_inflation_rule.setChecked(w.get("inflation_rule", d.inflation_rule))
        self.gk_max_raise.set_fraction(w.get("max_inflation_raise"))
        vpw = w.get("expected_real_returns") or {}
        self.vpw_stocks.set_fraction(vpw.get("stocks", d.stocks_real_return))
        self.vpw_bonds.set_fraction(vpw.get("bonds", d.bonds_real_return))
        self.vpw_cash.set_fraction(vpw.get("cash", d.cash_real_return))
        self.fc_floor.set_fraction(w.get("floor", d.floor))
        self.fc_ceiling.set_fraction(w.get("ceiling", d.ceiling))
        self.events.clear_events()
        for event in p.get("life_events", []):
            self.events.add_event(event)

    # -- errors ------------------------------------------------------------------------
    def widgets_for(self, field: str | None) -> list[QWidget]:
        """The widgets a service error's field names (most specific registered path)."""
        if not field:
            return []
        match = re.match(r"life_events\[(\d+)\](?:\.(\w+))?", field)
        if match:
            row = int(match.group(1))
            cols = {"type": TYPE, "name": NAME, "year": YEAR, "end_year": END, "amount": AMOUNT}
            col = cols.get(match.group(2) or "")
            if row < self.events.rowCount():
                if col is None:
                    return [self.events.cellWidget(row, c) for c in range(len(EVENT_COLUMNS))]
                return [self.events.widget_at(row, col)]
            return [self.events]
        path = field
        while path:
            if path in self.fields:
                return self.fields[path]
            path = path.rpartition(".")[0]
        return []

    def show_error(self, message: str, field: str | None = None) -> None:
        self.clear_error()
        color = colors.tone_color(Tone.NEGATIVE, self.palette()).name()
        self.error.setText(message)
        self.error.setStyleSheet(f"color: {color}; font-weight: 600;")
        self.error.setVisible(True)
        tint = colors.error_colors(self.palette())[0].name()
        for widget in self.widgets_for(field):
            in_table = self.events.isAncestorOf(widget)
            css = CELL_ERROR_CSS if in_table else ERROR_CSS
            widget.setStyleSheet(css.format(color=color, tint=tint))
            widget.setToolTip(message)
            self._marked.append(widget)

    def clear_error(self) -> None:
        self.error.setVisible(False)
        self.error.setText("")
        for widget in self._marked:
            widget.setStyleSheet("")
            widget.setToolTip("")
        self._marked = []

    def marked(self) -> list[QWidget]:
        return list(self._marked)
