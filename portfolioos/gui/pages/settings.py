"""Settings: preferences and data folder, assistant providers and API keys, data
sources, backups. Each section beyond General is its own module in gui/settings/; this
page arranges them in tabs and forwards the Changes they emit."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from portfolioos.domain.accounts import LotMethod
from portfolioos.errors import PortfolioOSError
from portfolioos.gui.dialogs import show_error
from portfolioos.gui.pages.base import Page
from portfolioos.gui.settings.backups import BackupsSection
from portfolioos.gui.settings.keys import KeysSection
from portfolioos.gui.settings.providers import ProvidersSection
from portfolioos.gui.settings.sources import DataSourcesSection
from portfolioos.gui.theme import apply_theme
from portfolioos.services.changes import Changes

SECTIONS = ("general", "assistant", "sources", "backups")


class SettingsPage(Page):
    title = "Settings"
    shortcut = "Ctrl+,"

    def __init__(self, ctx, parent: QWidget | None = None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx, parent)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("settingsTabs")
        self.tabs.setDocumentMode(True)
        self.layout_.addWidget(self.tabs, 1)
        general = QWidget()
        self.general_layout = QVBoxLayout(general)
        self.general_layout.setContentsMargins(0, 12, 0, 0)

        self.providers = ProvidersSection(ctx)
        self.keys = KeysSection(ctx)
        self.sources = DataSourcesSection(ctx)
        self.backups = BackupsSection(ctx)
        for section in (self.providers, self.sources):
            section.changed.connect(self._forward)
        self._keys_loaded = False

        assistant = QWidget()
        column = QVBoxLayout(assistant)
        column.setContentsMargins(0, 12, 0, 0)
        column.addWidget(self.providers, 1)
        column.addWidget(self.keys, 1)
        sources = QWidget()
        column = QVBoxLayout(sources)
        column.setContentsMargins(0, 12, 0, 0)
        column.addWidget(self.sources)
        column.addStretch(1)
        backups = QWidget()
        column = QVBoxLayout(backups)
        column.setContentsMargins(0, 12, 0, 0)
        column.addWidget(self.backups, 1)

        self.tabs.addTab(_scrolling(general), "General")
        self.tabs.addTab(assistant, "Assistant && API keys")
        self.tabs.addTab(_scrolling(sources), "Data sources")
        self.tabs.addTab(backups, "Backups")
        self.tabs.currentChanged.connect(lambda _i: self._load_keys())

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
        self.general_layout.addWidget(self.prefs_box)
        self.general_layout.addWidget(self.folder_box)
        self.general_layout.addStretch(1)
        self.load()

    def show_section(self, name: str) -> None:
        """Bring a tab forward: "general", "assistant", "sources" or "backups"."""
        self.tabs.setCurrentIndex(SECTIONS.index(name))
        self._load_keys()

    def on_shown(self) -> None:
        self._load_keys()

    def _load_keys(self) -> None:
        # Key status may ask the Secret Service over D-Bus: only once the tab is seen.
        if not self._keys_loaded and self.tabs.currentIndex() == SECTIONS.index("assistant"):
            self._keys_loaded = True
            self.keys.reload()

    def _forward(self, changes: Changes) -> None:
        self.changed.emit(changes)

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
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, str(self.ctx.settings.get("theme")))
        self.changed.emit(changes)

    def on_changes(self, changes: Changes) -> None:
        if changes.preferences:
            self.load()
        if changes.providers:
            self.providers.reload()
            if self._keys_loaded:
                self.keys.reload()


def _scrolling(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setWidget(widget)
    return area
