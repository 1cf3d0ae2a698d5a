"""Import: a page with steps. Choose (or drop) a file and an account, preview what would
land (detected broker, mapped rows, rejected rows with line, column and reason) before
anything is written, teach a column mapping when the layout is unknown, import in a
worker with progress and Cancel, and end on a summary.

Every step that reads the file runs in a worker: a broker export is small, but a
generic CSV can hold a million rows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from portfolioos.gui import colors
from portfolioos.gui.dialogs import show_error
from portfolioos.gui.models.table import LEFT, RIGHT, Col, RowTableModel
from portfolioos.gui.pages.base import Page
from portfolioos.gui.pages.transactions import TransactionsPage, ledger_columns, type_label
from portfolioos.gui.widgets import ErrorBanner, MetricCard, ProgressPanel
from portfolioos.gui.workers import Task, run_task
from portfolioos.ingest.custom import ColumnMapping

logger = logging.getLogger(__name__)

PREVIEW_ROWS = 200  # rows of a preview handed to the window (the counts cover the file)
ISSUE_ROWS = 1_000  # rejected rows (and warnings) listed; the count says how many in all
NOTHING_WRITTEN = ". Nothing is written until you import."
SAMPLE_ROWS = 8
SAMPLE_SCAN = 5_000  # rows read for the action words
NONE = "—"
# What a column can be; labels for the mapping editor.
FIELD_LABELS = {
    "date": "Date *",
    "action": "Action / type *",
    "symbol": "Symbol",
    "description": "Description",
    "quantity": "Quantity",
    "price": "Price",
    "fees": "Fees",
    "amount": "Amount",
    "currency": "Currency",
    "note": "Note",
}
ACTION_CHOICES = (
    ("buy", "Buy"),
    ("sell", "Sell"),
    ("dividend", "Dividend"),
    ("reinvest", "Reinvest"),
    ("interest", "Interest"),
    ("fee", "Fee"),
    ("split", "Split"),
    ("deposit", "Deposit"),
    ("withdrawal", "Withdrawal"),
    ("transfer_in", "Transfer in"),
    ("transfer_out", "Transfer out"),
    ("trade", "Buy or sell by sign"),
    ("cash", "Deposit or withdrawal by sign"),
    ("transfer", "Transfer in or out by sign"),
    ("skip", "Skip these rows"),
)
DATE_FORMATS = (
    "YYYY-MM-DD",
    "MM/DD/YYYY",
    "DD/MM/YYYY",
    "DD.MM.YYYY",
    "MM/DD/YY",
    "DD-MM-YYYY",
    "YYYYMMDD",
)
ISSUE_COLUMNS = [
    Col("Line", lambda i: i.line, lambda v: "" if v is None else str(v), align=RIGHT),
    Col("Column", lambda i: i.column or "", align=LEFT),
    Col("Reason", "message", align=LEFT, tooltip=lambda i: i.message),
]


@dataclass(frozen=True)
class FileSample:
    """The first rows of a file the importer did not recognise (for the mapping editor)."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    line: int  # the header's line in the file


def read_sample(path: Path) -> FileSample:
    """The header (the widest of the first rows, after any preamble) and a few rows.

    Runs in a worker; the ingest reader already copes with encodings and delimiters."""
    from portfolioos.ingest.table import read_table

    table = read_table(path)
    candidates = [r for r in table.rows[:40] if not r.blank]
    if not candidates:
        return FileSample((), (), 1)
    header = max(candidates, key=lambda r: sum(1 for c in r.cells if c.strip()))
    start = table.rows.index(header) + 1
    body = [r.cells for r in table.rows[start:] if not r.blank][:SAMPLE_SCAN]
    return FileSample(tuple(c.strip() for c in header.cells), tuple(body), header.line)


def distinct_actions(sample: FileSample, column: str) -> list[str]:
    if column not in sample.headers:
        return []
    at = sample.headers.index(column)
    seen: dict[str, None] = {}
    for row in sample.rows:
        if at < len(row) and row[at].strip():
            seen.setdefault(row[at].strip(), None)
    return list(seen)


class DropZone(QFrame):
    """A dashed box that takes a dropped file (or opens the file dialog when clicked)."""

    dropped = Signal(str)
    clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dropZone")
        self.setAcceptDrops(True)
        self.setMinimumHeight(150)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        layout = QVBoxLayout(self)
        self.title = QLabel("Drop a CSV, OFX or QFX export here")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        self.hint = QLabel("or click to choose a file")
        self.file_label = QLabel("")
        self.file_label.setObjectName("chosenFile")
        self.file_label.setWordWrap(True)
        for label in (self.title, self.hint, self.file_label):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(label)
        self._restyle(False)

    def _restyle(self, hover: bool) -> None:
        pal = self.palette()
        border = pal.highlight().color().name() if hover else colors.muted_text(pal).name()
        self.setStyleSheet(
            f"QFrame#dropZone {{ border: 2px dashed {border}; border-radius: 10px; }}"
        )
        self.hint.setStyleSheet(f"color: {colors.muted_text(pal).name()};")

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()
            self._restyle(True)

    def dragLeaveEvent(self, event: Any) -> None:
        self._restyle(False)

    def dropEvent(self, event: QDropEvent) -> None:
        self._restyle(False)
        urls = [u for u in event.mimeData().urls() if u.isLocalFile()]
        if urls:
            event.acceptProposedAction()
            self.dropped.emit(urls[0].toLocalFile())

    def mouseReleaseEvent(self, event: Any) -> None:
        self.clicked.emit()


class MappingEditor(QWidget):
    """Column -> ledger field, action words -> types, date format; saved per account."""

    preview_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sample = FileSample((), (), 1)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.sample_table = QTableWidget()
        self.sample_table.setObjectName("sampleTable")
        self.sample_table.setMaximumHeight(170)
        self.sample_table.verticalHeader().setVisible(False)
        self.sample_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        outer.addWidget(QLabel("The file's first rows:"))
        outer.addWidget(self.sample_table)

        columns = QHBoxLayout()
        fields_box = QWidget()
        self.fields_form = QFormLayout(fields_box)
        self.field_combos: dict[str, QComboBox] = {}
        for name, label in FIELD_LABELS.items():
            combo = QComboBox()
            combo.setObjectName(f"map-{name}")
            combo.setMinimumContentsLength(16)
            self.field_combos[name] = combo
            self.fields_form.addRow(label, combo)
        self.field_combos["action"].currentIndexChanged.connect(self._fill_actions)
        self.date_format = QComboBox()
        self.date_format.setObjectName("mapDateFormat")
        self.date_format.addItems(DATE_FORMATS)
        self.decimal = QComboBox()
        self.decimal.setObjectName("mapDecimal")
        self.decimal.addItem("1,234.56 (point)", ".")
        self.decimal.addItem("1.234,56 (comma)", ",")
        self.fields_form.addRow("Date format", self.date_format)
        self.fields_form.addRow("Numbers", self.decimal)
        columns.addWidget(fields_box, 1)

        actions_box = QVBoxLayout()
        actions_box.addWidget(QLabel("What each action word means:"))
        self.actions_table = QTableWidget(0, 2)
        self.actions_table.setObjectName("actionsTable")
        self.actions_table.setHorizontalHeaderLabels(["Action in the file", "Ledger type"])
        self.actions_table.verticalHeader().setVisible(False)
        self.actions_table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Stretch
        )
        self.actions_table.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.ResizeToContents
        )
        actions_box.addWidget(self.actions_table, 1)
        columns.addLayout(actions_box, 1)
        outer.addLayout(columns, 1)

        row = QHBoxLayout()
        self.name = QLineEdit()
        self.name.setObjectName("mappingName")
        self.name.setPlaceholderText("Mapping name, e.g. My bank export")
        self.save = QCheckBox("Save for this account")
        self.save.setObjectName("saveMapping")
        self.save.setChecked(True)
        self.preview_button = QPushButton("Preview with this mapping")
        self.preview_button.setObjectName("previewMapping")
        self.preview_button.setDefault(True)
        self.preview_button.clicked.connect(self.preview_requested)
        row.addWidget(self.name, 1)
        row.addWidget(self.save)
        row.addWidget(self.preview_button)
        outer.addLayout(row)

    def set_sample(self, sample: FileSample, file_name: str) -> None:
        self.sample = sample
        headers = list(sample.headers)
        self.sample_table.clear()
        self.sample_table.setColumnCount(len(headers))
        self.sample_table.setHorizontalHeaderLabels(headers)
        shown = sample.rows[:SAMPLE_ROWS]
        self.sample_table.setRowCount(len(shown))
        for r, cells in enumerate(shown):
            for c, text in enumerate(cells[: len(headers)]):
                self.sample_table.setItem(r, c, QTableWidgetItem(text))
        self.sample_table.resizeColumnsToContents()
        for name, combo in self.field_combos.items():
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(NONE, None)
            for header in headers:
                if header:
                    combo.addItem(header, header)
            guess = _guess(name, headers)
            combo.setCurrentIndex(max(0, combo.findData(guess)) if guess else 0)
            combo.blockSignals(False)
        if not self.name.text():
            self.name.setText(Path(file_name).stem)
        self._fill_actions()

    def _fill_actions(self, *_: Any) -> None:
        column = self.field_combos["action"].currentData()
        words = distinct_actions(self.sample, column) if column else []
        self.actions_table.setRowCount(len(words))
        for r, word in enumerate(words):
            item = QTableWidgetItem(word)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.actions_table.setItem(r, 0, item)
            combo = QComboBox()
            for value, label in ACTION_CHOICES:
                combo.addItem(label, value)
            combo.setCurrentIndex(max(0, combo.findData(_guess_action(word))))
            self.actions_table.setCellWidget(r, 1, combo)

    def set_field(self, name: str, header: str | None) -> None:
        combo = self.field_combos[name]
        combo.setCurrentIndex(max(0, combo.findData(header)) if header else 0)

    def set_action(self, word: str, ledger_type: str) -> None:
        for r in range(self.actions_table.rowCount()):
            if self.actions_table.item(r, 0).text() == word:
                combo = self.actions_table.cellWidget(r, 1)
                combo.setCurrentIndex(combo.findData(ledger_type))  # type: ignore[attr-defined]
                return
        raise KeyError(word)

    def mapping(self) -> ColumnMapping:
        columns = {
            name: combo.currentData()
            for name, combo in self.field_combos.items()
            if combo.currentData()
        }
        actions = {}
        for r in range(self.actions_table.rowCount()):
            combo = self.actions_table.cellWidget(r, 1)
            actions[self.actions_table.item(r, 0).text()] = combo.currentData()  # type: ignore[attr-defined]
        decimal = self.decimal.currentData()
        return ColumnMapping(
            name=self.name.text().strip(),
            columns=columns,
            actions=actions,
            date_format=self.date_format.currentText(),
            decimal=decimal,
            thousands="," if decimal == "." else ".",
        )


def _guess(field: str, headers: list[str]) -> str | None:
    words = {
        "date": ("date", "trade date", "run date", "when"),
        "action": ("action", "type", "transaction", "activity", "what"),
        "symbol": ("symbol", "ticker", "security"),
        "description": ("description", "name"),
        "quantity": ("quantity", "shares", "qty", "units"),
        "price": ("price", "unit price"),
        "fees": ("fees", "fee", "commission"),
        "amount": ("amount", "total", "net amount", "value"),
        "currency": ("currency", "ccy"),
        "note": ("note", "memo", "notes"),
    }[field]
    lowered = {h.strip().lower(): h for h in headers}
    for word in words:
        if word in lowered:
            return lowered[word]
    return None


def _guess_action(word: str) -> str:
    w = word.lower()
    for needle, kind in (
        ("reinvest", "reinvest"),
        ("dividend", "dividend"),
        ("interest", "interest"),
        ("split", "split"),
        ("buy", "buy"),
        ("bought", "buy"),
        ("purchase", "buy"),
        ("sell", "sell"),
        ("sold", "sell"),
        ("sale", "sell"),
        ("fee", "fee"),
        ("deposit", "deposit"),
        ("contribution", "deposit"),
        ("withdraw", "withdrawal"),
        ("transfer", "transfer"),
    ):
        if needle in w:
            return kind
    return "skip"


class ImportPage(Page):
    title = "Import"

    STEPS = ("Choose a file", "Check the preview", "Import", "Summary")

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.path: Path | None = None
        self.preview_result: Any = None
        self.result: Any = None
        self.mapping: ColumnMapping | None = None
        self.task: Task | None = None
        self._accounts_loaded = False

        self.steps_label = QLabel("")
        self.steps_label.setObjectName("importSteps")
        self.steps_label.setTextFormat(Qt.TextFormat.RichText)
        self.layout_.addWidget(self.steps_label)
        self.banner = ErrorBanner()
        self.banner.setObjectName("importBanner")
        self.banner.action.connect(lambda: self.open_mapping_editor())
        self.layout_.addWidget(self.banner)
        self.stack = QStackedWidget()
        self.layout_.addWidget(self.stack, 1)
        self._build_choose()
        self._build_preview()
        self._build_mapping()
        self._build_running()
        self._build_summary()
        self.go(self.choose_step)

    # -- steps ------------------------------------------------------------------------
    def _build_choose(self) -> None:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        self.drop_zone = DropZone()
        self.drop_zone.dropped.connect(self.set_file)
        self.drop_zone.clicked.connect(self.choose_file)
        layout.addWidget(self.drop_zone)
        form = QFormLayout()
        form.setContentsMargins(0, 12, 0, 0)
        self.account = QComboBox()
        self.account.setObjectName("importAccount")
        self.account.setMinimumContentsLength(24)
        self.account.currentIndexChanged.connect(self._fill_brokers)
        self.broker = QComboBox()
        self.broker.setObjectName("importBroker")
        self.broker.setMinimumContentsLength(24)
        form.addRow("Into account", self.account)
        form.addRow("Layout", self.broker)
        layout.addLayout(form)
        self.layouts_note = QLabel("")
        self.layouts_note.setObjectName("layoutsNote")
        self.layouts_note.setWordWrap(True)
        layout.addWidget(self.layouts_note)
        self.no_accounts = QLabel("Create an account on the Accounts page first.")
        self.no_accounts.setObjectName("noAccounts")
        self.no_accounts.hide()
        layout.addWidget(self.no_accounts)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.choose_button = QPushButton("Choose file…")
        self.choose_button.setObjectName("chooseFile")
        self.choose_button.clicked.connect(self.choose_file)
        self.preview_button = QPushButton("Preview")
        self.preview_button.setObjectName("previewButton")
        self.preview_button.setDefault(True)
        self.preview_button.clicked.connect(lambda: self.start_preview())
        buttons.addWidget(self.choose_button)
        buttons.addWidget(self.preview_button)
        layout.addLayout(buttons)
        self.choose_progress = ProgressPanel()
        layout.addWidget(self.choose_progress)
        layout.addStretch(1)
        self.choose_step = page
        self.stack.addWidget(page)

    def _build_preview(self) -> None:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        self.preview_heading = QLabel("")
        self.preview_heading.setObjectName("previewHeading")
        self.preview_heading.setWordWrap(True)
        font = self.preview_heading.font()
        font.setBold(True)
        self.preview_heading.setFont(font)
        layout.addWidget(self.preview_heading)
        self.preview_model = RowTableModel(ledger_columns({})[:-1])
        self.preview_table = QTableView()
        self.preview_table.setObjectName("previewTable")
        self.preview_table.setModel(self.preview_model)
        TransactionsPage._setup_table(self.preview_table)
        header = self.preview_table.horizontalHeader()
        for column, width in enumerate((96, 150, 96, 78, 110, 100, 120, 80)):
            header.resizeSection(column, width)
        header.setStretchLastSection(True)
        layout.addWidget(self.preview_table, 3)
        self.rejected_label = QLabel("")
        self.rejected_label.setObjectName("rejectedLabel")
        self.rejected_label.setWordWrap(True)
        layout.addWidget(self.rejected_label)
        self.issue_model = RowTableModel(ISSUE_COLUMNS)
        self.issue_table = QTableView()
        self.issue_table.setObjectName("rejectedTable")
        self.issue_table.setModel(self.issue_model)
        TransactionsPage._setup_table(self.issue_table)
        self.issue_table.horizontalHeader().setStretchLastSection(True)
        self.issue_table.horizontalHeader().resizeSection(0, 70)
        self.issue_table.horizontalHeader().resizeSection(1, 140)
        layout.addWidget(self.issue_table, 1)
        buttons = QHBoxLayout()
        back = QPushButton("Back")
        back.clicked.connect(lambda: self.go(self.choose_step))
        self.edit_mapping_button = QPushButton("Edit mapping…")
        self.edit_mapping_button.setObjectName("editMapping")
        self.edit_mapping_button.clicked.connect(lambda: self.open_mapping_editor())
        self.import_button = QPushButton("Import")
        self.import_button.setObjectName("importButton")
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(lambda: self.start_import())
        buttons.addWidget(back)
        buttons.addStretch(1)
        buttons.addWidget(self.edit_mapping_button)
        buttons.addWidget(self.import_button)
        layout.addLayout(buttons)
        self.preview_step = page
        self.stack.addWidget(page)

    def _build_mapping(self) -> None:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        intro = QLabel(
            "PortfolioOS does not know this layout. Say which column holds what and what "
            "each action word means; the mapping can be saved for the account and is "
            "recognised next time."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.editor = MappingEditor()
        self.editor.preview_requested.connect(lambda: self.preview_with_mapping())
        layout.addWidget(self.editor, 1)
        back = QPushButton("Back")
        back.clicked.connect(lambda: self.go(self.choose_step))
        row = QHBoxLayout()
        row.addWidget(back)
        row.addStretch(1)
        layout.addLayout(row)
        self.mapping_step = page
        self.stack.addWidget(page)

    def _build_running(self) -> None:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        self.running_label = QLabel("")
        self.running_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.running_label)
        self.progress = ProgressPanel(hide_when_done=False)
        layout.addWidget(self.progress)
        layout.addStretch(2)
        self.running_step = page
        self.stack.addWidget(page)

    def _build_summary(self) -> None:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        self.summary_heading = QLabel("")
        self.summary_heading.setObjectName("summaryHeading")
        self.summary_heading.setWordWrap(True)
        font = self.summary_heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self.summary_heading.setFont(font)
        layout.addWidget(self.summary_heading)
        cards = QGridLayout()
        self.card_added = MetricCard("Added")
        self.card_duplicates = MetricCard("Already in the ledger")
        self.card_warnings = MetricCard("Warnings")
        for i, card in enumerate((self.card_added, self.card_duplicates, self.card_warnings)):
            cards.addWidget(card, 0, i)
        layout.addLayout(cards)
        self.by_type_model = RowTableModel(
            [
                Col("Type", lambda r: type_label(r[0]), align=LEFT),
                Col("Rows added", lambda r: r[1], lambda v: f"{v:,}", align=RIGHT),
            ]
        )
        self.by_type_table = QTableView()
        self.by_type_table.setObjectName("byTypeTable")
        self.by_type_table.setModel(self.by_type_model)
        TransactionsPage._setup_table(self.by_type_table)
        self.by_type_table.horizontalHeader().setStretchLastSection(True)
        self.warning_model = RowTableModel(ISSUE_COLUMNS)
        self.warning_table = QTableView()
        self.warning_table.setObjectName("warningTable")
        self.warning_table.setModel(self.warning_model)
        TransactionsPage._setup_table(self.warning_table)
        self.warning_table.horizontalHeader().setStretchLastSection(True)
        self.warning_table.horizontalHeader().resizeSection(0, 70)
        tables = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(QLabel("By type"))
        left.addWidget(self.by_type_table)
        right = QVBoxLayout()
        right.addWidget(QLabel("Warnings"))
        right.addWidget(self.warning_table)
        tables.addLayout(left, 1)
        tables.addLayout(right, 2)
        layout.addLayout(tables, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        again = QPushButton("Import another file")
        again.setObjectName("importAnother")
        again.clicked.connect(self.reset)
        row.addWidget(again)
        layout.addLayout(row)
        self.summary_step = page
        self.stack.addWidget(page)

    def go(self, step: QWidget) -> None:
        self.stack.setCurrentWidget(step)
        index = {
            id(self.choose_step): 0,
            id(self.preview_step): 1,
            id(self.mapping_step): 1,
            id(self.running_step): 2,
            id(self.summary_step): 3,
        }[id(step)]
        muted = colors.muted_text(self.palette()).name()
        parts = []
        for i, name in enumerate(self.STEPS):
            text = f"{i + 1}. {name}"
            if i == index:
                parts.append(f"<b>{text}</b>")
            else:
                parts.append(f'<span style="color:{muted};">{text}</span>')
        self.steps_label.setText("&nbsp;&nbsp;›&nbsp;&nbsp;".join(parts))
        if step is not self.choose_step:
            self.banner.setVisible(False)

    @property
    def step(self) -> str:
        current = self.stack.currentWidget()
        return {
            id(self.choose_step): "choose",
            id(self.preview_step): "preview",
            id(self.mapping_step): "mapping",
            id(self.running_step): "running",
            id(self.summary_step): "summary",
        }[id(current)]

    # -- accounts and layouts ---------------------------------------------------------
    def on_shown(self) -> None:
        if not self._accounts_loaded:
            self.reload_accounts()

    def on_changes(self, changes: Any) -> None:
        if changes.accounts or changes.preferences:
            self._accounts_loaded = False
            if self.isVisible():
                self.reload_accounts()

    def reload_accounts(self) -> None:
        self._accounts_loaded = True
        current = self.account.currentData()
        accounts = self.ctx.portfolio.list_accounts()
        self.account.blockSignals(True)
        self.account.clear()
        for a in accounts:
            label = f"{a.name} · {a.institution}" if a.institution else a.name
            self.account.addItem(label, a.id)
        self.account.setCurrentIndex(max(0, self.account.findData(current)))
        self.account.blockSignals(False)
        self.no_accounts.setVisible(not accounts)
        self._fill_brokers()
        self._update_buttons()

    def _fill_brokers(self, *_: Any) -> None:
        current = self.broker.currentData()
        self.broker.clear()
        self.broker.addItem("Detect automatically", "auto")
        account = self.account.currentData()
        if account is not None:
            for m in self.ctx.imports.mappings(account):
                self.broker.addItem(f"Saved mapping: {m.name}", f"mapping:{m.name}")
        for b in self.ctx.imports.brokers():
            self.broker.addItem(b.title, b.name)
        self.broker.setCurrentIndex(max(0, self.broker.findData(current)))
        names = list(dict.fromkeys(b.title.split(" (")[0] for b in self.ctx.imports.brokers()))
        self.layouts_note.setText(
            "Recognised layouts: "
            + ", ".join(names)
            + ". Any other CSV can be mapped column by column and the mapping saved for "
            "the account. Nothing is written before you have seen the preview; a whole "
            "import can be undone from the Transactions page."
        )
        self.layouts_note.setStyleSheet(f"color: {colors.muted_text(self.palette()).name()};")

    def select_account(self, name_or_id: str | int) -> None:
        account = self.ctx.portfolio.account(name_or_id)
        if not self._accounts_loaded:
            self.reload_accounts()
        self.account.setCurrentIndex(self.account.findData(account.id))

    def _update_buttons(self) -> None:
        ready = self.path is not None and self.account.currentData() is not None
        self.preview_button.setEnabled(ready and self.task is None)

    # -- choosing ---------------------------------------------------------------------
    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Choose a broker export",
            str(self.path.parent if self.path else Path.home()),
            "Exports (*.csv *.txt *.ofx *.qfx);;All files (*)",
        )
        if path:
            self.set_file(path)

    def set_file(self, path: str | Path) -> None:
        self.path = Path(path)
        self.mapping = None
        self.drop_zone.file_label.setText(f"{self.path.name}\n{self.path.parent}")
        self.drop_zone.title.setText("File chosen")
        self.banner.setVisible(False)
        if not self._accounts_loaded:
            self.reload_accounts()
        self.go(self.choose_step)
        self._update_buttons()

    # -- preview ----------------------------------------------------------------------
    def start_preview(self, mapping: ColumnMapping | None = None) -> Task | None:
        account = self.account.currentData()
        if self.path is None or account is None or self.task is not None:
            return None
        self.mapping = mapping
        path = self.path
        broker = self.broker.currentData() or "auto"
        imports = self.ctx.imports

        def job() -> Any:
            return imports.preview(
                path, broker=broker, mapping=mapping, account=account, limit=PREVIEW_ROWS
            )

        self.task = self.choose_progress.start(
            job,
            message=f"Reading {path.name}…",
            on_result=self._previewed,
            on_error=self._preview_failed,
            on_cancelled=self._task_ended,
        )
        self._update_buttons()
        return self.task

    def _task_ended(self) -> None:
        self.task = None
        self._update_buttons()

    def _previewed(self, preview: Any) -> None:
        self._task_ended()
        self.preview_result = preview
        names = {a.id: a.name for a in self.ctx.portfolio.list_accounts()}
        self.preview_model.columns = ledger_columns(names)[:-1]
        self.preview_model.set_rows(preview.rows[:PREVIEW_ROWS])
        rows, rejected = preview.total_rows, len(preview.rejected)
        layout = self._layout_name(preview.broker)
        shown = f" (first {PREVIEW_ROWS:,} shown)" if rows > PREVIEW_ROWS else ""
        self.preview_heading.setText(
            f"{self.path.name if self.path else ''}: {layout}. {rows:,} row(s) ready{shown}"
            + (
                f", {rejected:,} rejected."
                if rejected
                else ". Nothing is written until you import."
            )
        )
        issues = list(preview.rejected[:ISSUE_ROWS]) + list(preview.warnings[:ISSUE_ROWS])
        self.issue_model.set_rows(issues)
        self.issue_table.setVisible(bool(issues))
        listed = (
            f" (the first {ISSUE_ROWS:,} of each kind are listed)"
            if max(rejected, len(preview.warnings)) > ISSUE_ROWS
            else ""
        )
        if rejected:
            self.rejected_label.setText(
                f"{rejected:,} row(s) cannot be read{listed}. An import takes the whole "
                "file or nothing: fix these rows (or the mapping) first."
            )
            tone = colors.error_colors(self.palette())[2].name()
        elif preview.warnings:
            self.rejected_label.setText(
                f"{len(preview.warnings):,} warning(s){listed}; the rows import."
            )
            tone = colors.warning_colors(self.palette())[2].name()
        else:
            self.rejected_label.setText("No rejected rows.")
            tone = colors.muted_text(self.palette()).name()
        self.rejected_label.setStyleSheet(f"color: {tone};")
        self.import_button.setEnabled(bool(rows) and not rejected)
        self.go(self.preview_step)

    def _layout_name(self, broker: str) -> str:
        if broker.startswith("mapping:"):
            return f"saved mapping '{broker.removeprefix('mapping:')}'"
        titles = {b.name: b.title for b in self.ctx.imports.brokers()}
        return f"detected {titles.get(broker, broker)}"

    def _preview_failed(self, message: str) -> None:
        self._task_ended()
        if self.mapping is not None:
            self.go(self.mapping_step)
            show_error(self, message, "Mapping does not fit")
            return
        # Unknown layout (or unreadable file): offer the mapping editor when the file
        # has a readable table at all.
        self.banner.show_message(message, level="error", action="Map columns…")

    def open_mapping_editor(self) -> Task | None:
        if self.path is None or self.task is not None:
            return None
        path = self.path

        def shown(sample: FileSample) -> None:
            self._task_ended()
            if not sample.headers:
                show_error(self, f"{path.name}: no rows to map.")
                return
            self.editor.set_sample(sample, path.name)
            self.go(self.mapping_step)

        def failed(message: str) -> None:
            self._task_ended()
            show_error(self, message)

        self.task = run_task(read_sample, path, on_result=shown, on_error=failed)
        return self.task

    def preview_with_mapping(self) -> Task | None:
        mapping = self.editor.mapping()
        try:
            mapping.validated()
        except Exception as exc:  # ValidationError: the message names the field
            show_error(self, getattr(exc, "message", str(exc)), "Mapping incomplete")
            return None
        if self.editor.save.isChecked():
            try:
                changes = self.ctx.imports.save_mapping(self.account.currentData(), mapping)
            except Exception as exc:
                show_error(self, getattr(exc, "message", str(exc)), "Mapping not saved")
                return None
            self.changed.emit(changes)
        self.go(self.choose_step)
        return self.start_preview(mapping)

    # -- import -----------------------------------------------------------------------
    def start_import(self) -> Task | None:
        account = self.account.currentData()
        if self.path is None or account is None or self.task is not None:
            return None
        path, broker, mapping = self.path, self.broker.currentData() or "auto", self.mapping
        self.running_label.setText(f"Importing {path.name} into {self.account.currentText()}")
        self.go(self.running_step)
        self.task = self.progress.start(
            self.ctx.imports.import_file,
            path,
            account,
            broker,
            mapping=mapping,
            message="Starting…",
            on_result=self._imported,
            on_error=self._import_failed,
            on_cancelled=self._import_cancelled,
        )
        return self.task

    def _imported(self, result: Any) -> None:
        self.task = None
        self.result = result
        if result.errors:
            self.preview_heading.setText(
                f"Nothing was imported: {len(result.errors):,} row(s) were rejected."
            )
            self.issue_model.set_rows(list(result.errors[:ISSUE_ROWS]))
            self.issue_table.setVisible(True)
            self.import_button.setEnabled(False)
            self.go(self.preview_step)
            return
        self._show_summary(result)
        if result.added:
            self.changed.emit(result.changes)

    def _show_summary(self, result: Any) -> None:
        layout = self._layout_name(result.broker)
        if result.added:
            head = (
                f"Imported {result.file} into {result.account} ({layout}), "
                f"batch #{result.batch_id}."
            )
        else:
            head = f"Nothing new in {result.file}: every row is already in {result.account}."
        self.summary_heading.setText(head)
        self.card_added.set_value(None, text=f"{result.added:,}", note=f"of {result.rows:,} rows")
        self.card_duplicates.set_value(None, text=f"{result.duplicates:,}", note="skipped")
        self.card_warnings.set_value(None, text=f"{len(result.warnings):,}")
        self.by_type_model.set_rows(sorted(result.by_type.items(), key=lambda kv: -kv[1]))
        self.warning_model.set_rows(list(result.warnings[:ISSUE_ROWS]))
        self.warning_table.setEnabled(bool(result.warnings))
        self.go(self.summary_step)

    def _import_failed(self, message: str) -> None:
        self.task = None
        self.go(self.preview_step)
        show_error(self, message, "Import failed")

    def _import_cancelled(self) -> None:
        self.task = None
        self.go(self.preview_step)
        self.preview_heading.setText("Import cancelled: nothing was written.")

    def reset(self) -> None:
        self.path = None
        self.mapping = None
        self.preview_result = None
        self.drop_zone.title.setText("Drop a CSV, OFX or QFX export here")
        self.drop_zone.file_label.setText("")
        self.go(self.choose_step)
        self._update_buttons()
