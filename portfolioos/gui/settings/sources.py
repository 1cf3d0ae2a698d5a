"""Market data sources: on/off and a requests-per-minute cap each, saved as changed."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QGridLayout, QGroupBox, QLabel, QSpinBox, QWidget

from portfolioos.errors import PortfolioOSError
from portfolioos.gui import colors
from portfolioos.gui.dialogs import show_error
from portfolioos.storage.data_source_store import DataSource

_ABOUT = {
    "yahoo": "Prices, dividends and splits (Yahoo Finance, no key).",
    "fred": "Macro series: inflation, rates (FRED, needs fred-api-key).",
    "manual": "Prices you enter yourself.",
}


class DataSourcesSection(QGroupBox):
    changed = Signal(object)  # Changes

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__("Data sources and rate limits", parent)
        self.ctx = ctx
        self.grid = QGridLayout(self)
        self.grid.setColumnStretch(2, 1)
        self.grid.setVerticalSpacing(8)
        self.enabled: dict[str, QCheckBox] = {}
        self.limits: dict[str, QSpinBox] = {}
        self.reload()

    def reload(self) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.enabled.clear()
        self.limits.clear()
        try:
            sources = self.ctx.settings.data_sources()
        except PortfolioOSError as exc:
            show_error(self, exc.message)
            return
        muted = colors.muted_text().name()
        for row, source in enumerate(sources):
            box = QCheckBox(source.name)
            box.setObjectName(f"source-{source.source_type}")
            box.setChecked(source.enabled)
            limit = QSpinBox()
            limit.setObjectName(f"limit-{source.source_type}")
            limit.setRange(1, 10_000)
            limit.setSuffix(" requests/min")
            limit.setValue(source.rate_limit_per_min)
            limit.setKeyboardTracking(False)  # save once typing is done, not per digit
            about = QLabel(_ABOUT.get(source.source_type, ""))
            about.setStyleSheet(f"color: {muted};")
            box.toggled.connect(lambda on, s=source: self._save(s, enabled=on))
            limit.valueChanged.connect(lambda v, s=source: self._save(s, rate_limit_per_min=v))
            self.grid.addWidget(box, row, 0)
            self.grid.addWidget(limit, row, 1)
            self.grid.addWidget(about, row, 2)
            self.enabled[source.name] = box
            self.limits[source.name] = limit

    def _save(self, source: DataSource, **change: Any) -> None:
        try:
            _, changes = self.ctx.settings.update_data_source(source.id, **change)
        except PortfolioOSError as exc:
            show_error(self, exc.message)
            self.reload()
            return
        self.changed.emit(changes)
