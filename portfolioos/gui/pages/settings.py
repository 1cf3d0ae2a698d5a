"""Settings: where the data lives and the declared preferences."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from portfolioos.domain.accounts import LotMethod
from portfolioos.errors import PortfolioOSError
from portfolioos.gui.dialogs import show_error
from portfolioos.gui.pages.base import Page
from portfolioos.services.changes import Changes


class SettingsPage(Page):
    title = "Settings"
    shortcut = "Ctrl+,"

    def __init__(self, ctx, parent: QWidget | None = None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx, parent)
        self.folder_box = QGroupBox("Data folder")
        folder_form = QFormLayout(self.folder_box)
        paths = ctx.settings.paths()
        self.folder_label = QLabel(paths["data_dir"])
        self.folder_label.setObjectName("dataFolder")
        self.folder_label.setTextInteractionFlags(
            self.folder_label.textInteractionFlags()
            | self.folder_label.textInteractionFlags().TextSelectableByMouse
        )
        open_button = QPushButton("Open folder")
        open_button.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(paths["data_dir"]))
        )
        row = QHBoxLayout()
        row.addWidget(self.folder_label, 1)
        row.addWidget(open_button)
        folder_form.addRow("Location", row)
        folder_form.addRow("Log file", QLabel(paths["log_file"]))
        folder_form.addRow("Backups", QLabel(paths["backups"]))
        folder_form.addRow("Version", QLabel(f"PortfolioOS {ctx.settings.version()}"))
        self.layout_.addWidget(self.folder_box)

        self.prefs_box = QGroupBox("Preferences")
        form = QFormLayout(self.prefs_box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.base_currency = QLineEdit()
        self.base_currency.setMaxLength(3)
        self.base_currency.setMaximumWidth(80)
        self.lot_method = QComboBox()
        for m in LotMethod:
            self.lot_method.addItem(
                m.value.upper() if m != LotMethod.AVERAGE else "Average cost", m.value
            )
        self.theme = QComboBox()
        for value, label in (("system", "Follow the system"), ("light", "Light"), ("dark", "Dark")):
            self.theme.addItem(label, value)
        self.sync_interval = QSpinBox()
        self.sync_interval.setRange(0, 168)
        self.sync_interval.setSuffix(" h")
        self.sync_interval.setSpecialValueText("Never")
        self.sync_interval.setMinimumWidth(100)
        self.sync_on_start = QCheckBox("Sync prices when the app starts")
        self.benchmark = QLineEdit()
        self.benchmark.setMaximumWidth(120)
        form.addRow("Base &currency", self.base_currency)
        form.addRow("Default &lot method", self.lot_method)
        form.addRow("&Theme", self.theme)
        form.addRow("Price &sync every", self.sync_interval)
        form.addRow("", self.sync_on_start)
        form.addRow("&Benchmark symbol", self.benchmark)
        buttons = QHBoxLayout()
        self.save_button = QPushButton("&Save preferences")
        self.save_button.clicked.connect(self.save)
        self.status = QLabel()
        self.status.setObjectName("prefsStatus")
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.status, 1)
        form.addRow(buttons)
        self.layout_.addWidget(self.prefs_box)
        self.layout_.addStretch(1)
        self.load()

    def load(self) -> None:
        prefs = self.ctx.settings.all()
        self.base_currency.setText(prefs["base_currency"])
        self.lot_method.setCurrentIndex(self.lot_method.findData(prefs["default_lot_method"]))
        self.theme.setCurrentIndex(self.theme.findData(prefs["theme"]))
        self.sync_interval.setValue(int(prefs["sync_interval_hours"]))
        self.sync_on_start.setChecked(bool(prefs["sync_on_start"]))
        self.benchmark.setText(prefs["benchmark_symbol"])

    def values(self) -> dict[str, object]:
        return {
            "base_currency": self.base_currency.text(),
            "default_lot_method": self.lot_method.currentData(),
            "theme": self.theme.currentData(),
            "sync_interval_hours": self.sync_interval.value(),
            "sync_on_start": self.sync_on_start.isChecked(),
            "benchmark_symbol": self.benchmark.text(),
        }

    def save(self) -> None:
        changes = Changes()
        try:
            for key, value in self.values().items():
                changes |= self.ctx.settings.set(key, value)
        except PortfolioOSError as exc:
            self.status.setText("")
            show_error(self, exc.message)
            return
        self.load()
        self.status.setText("Saved.")
        self.changed.emit(changes)

    def on_changes(self, changes: Changes) -> None:
        if changes.preferences:
            self.load()
