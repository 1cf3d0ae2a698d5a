"""FRED series on the Markets page: pick a series, see it, sync it.

Without a FRED key the panel says so in a banner whose button opens Settings' API
keys; the cached series (if any) still show and nothing else on the page changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from portfolioos.gui.charts import TimeSeriesChart
from portfolioos.gui.widgets import EmptyState, ErrorBanner, ProgressPanel
from portfolioos.gui.workers import run_task
from portfolioos.services.changes import Changes

if TYPE_CHECKING:
    import pandas as pd

    from portfolioos.services.context import AppContext
    from portfolioos.services.market import MarketService, SyncReport

SUGGESTED = ("CPIAUCSL", "DGS10", "UNRATE", "FEDFUNDS", "T10YIE")
NAMES = {
    "CPIAUCSL": "Consumer prices (CPI-U, index)",
    "DGS10": "10-year Treasury yield (%)",
    "UNRATE": "Unemployment rate (%)",
    "FEDFUNDS": "Federal funds rate (%)",
    "T10YIE": "10-year breakeven inflation (%)",
}
NO_KEY = (
    "FRED is off: no API key is stored. Add a free FRED key under Settings › API keys "
    "to chart inflation, rates and unemployment. Prices and everything else work without it."
)


@dataclass(frozen=True, slots=True)
class MacroData:
    series: str
    frame: pd.DataFrame
    followed: list[str]
    has_key: bool


def load_macro(market: MarketService, series: str) -> MacroData:
    """The series' cached observations, the followed list and whether a key exists (the
    keychain may be slow to answer, so this runs in a worker)."""
    return MacroData(
        series, market.macro(series), market.followed_series(), market.fred_api_key() is not None
    )


class MacroPanel(QWidget):
    changed = Signal(object)  # Changes after a sync
    open_keys = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.has_key: bool | None = None
        self.loaded_series = ""
        self.sync_note = ""  # what the last sync had to say, kept across reloads
        self.task: Any = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        self.banner = ErrorBanner()
        self.banner.setObjectName("fredBanner")
        self.banner.action.connect(self.open_keys)
        layout.addWidget(self.banner)
        row = QHBoxLayout()
        row.addWidget(QLabel("Series"))
        self.picker = QComboBox()
        self.picker.setObjectName("seriesPicker")
        self.picker.setEditable(True)
        self.picker.setMinimumContentsLength(12)
        self.picker.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.picker.activated.connect(lambda _i: self.load())
        self.picker.lineEdit().returnPressed.connect(self.load)
        row.addWidget(self.picker)
        self.sync_button = QPushButton("Sync from FRED")
        self.sync_button.setObjectName("syncSeries")
        self.sync_button.clicked.connect(self.sync)
        row.addWidget(self.sync_button)
        self.note = QLabel("")
        self.note.setObjectName("macroNote")
        row.addWidget(self.note, 1)
        layout.addLayout(row)
        self.progress = ProgressPanel()
        layout.addWidget(self.progress)
        self.chart = TimeSeriesChart("", value_kind="number")
        self.chart.setObjectName("macroChart")
        layout.addWidget(self.chart, 1)
        self.empty = EmptyState("No observations cached", "")
        layout.addWidget(self.empty, 1)
        self.empty.hide()
        self._fill_picker([])

    def _fill_picker(self, followed: list[str]) -> None:
        current = self.current_series()
        self.picker.blockSignals(True)
        self.picker.clear()
        for sid in dict.fromkeys([*followed, *SUGGESTED]):
            self.picker.addItem(sid, sid)
            self.picker.setItemData(self.picker.count() - 1, NAMES.get(sid, sid), 3)  # tooltip
        self.picker.setCurrentText(current or (followed[0] if followed else SUGGESTED[0]))
        self.picker.blockSignals(False)

    def current_series(self) -> str:
        return self.picker.currentText().strip().upper()

    def set_series(self, series: str) -> None:
        self.picker.setCurrentText(series)
        self.load()

    def load(self) -> None:
        series = self.current_series()
        if not series:
            return
        run_task(
            load_macro,
            self.ctx.market,
            series,
            on_result=self._show,
            on_error=self.note.setText,
        )

    def _show(self, data: MacroData) -> None:
        if data.series != self.current_series():
            return  # the user picked another series meanwhile
        self.loaded_series = data.series
        self.has_key = data.has_key
        self._fill_picker(data.followed)
        if data.has_key:
            self.banner.hide()
        else:
            self.banner.show_message(NO_KEY, action="Open API keys", closable=False)
        self.sync_button.setEnabled(data.has_key and self.progress.state != "running")
        title = f"{data.series} · {NAMES.get(data.series, 'FRED series')}"
        frame = data.frame.dropna(subset=["value"]) if not data.frame.empty else data.frame
        if frame.empty:
            self.chart.hide()
            self.empty.show()
            what = NAMES.get(data.series, "A FRED series")
            hint = f"{what}. " + (
                "Press “Sync from FRED” to fetch it."
                if data.has_key
                else "Add a FRED API key to fetch it."
            )
            self.empty.set_text(f"No {data.series} observations cached", hint)
            self.note.setText(self.sync_note)
            return
        self.empty.hide()
        self.chart.show()
        self.chart.set_title(title)
        self.chart.set_data(frame["date"].to_numpy(), frame["value"].to_numpy(), name=data.series)
        last = frame["date"].iloc[-1]
        self.note.setText(self.sync_note or f"{len(frame):,} observations, latest {last:%b %Y}")

    def sync(self) -> None:
        series = self.current_series()
        if not series or self.progress.state == "running":
            return
        self.sync_button.setEnabled(False)
        self.sync_note = ""
        self.progress.start(
            self.ctx.market.sync_macro,
            [series],
            message=f"Fetching {series} from FRED…",
            on_result=self._synced,
            on_error=self._sync_failed,
            on_cancelled=self._sync_cancelled,
        )
        self.progress.finished.connect(self._after_sync)

    def _after_sync(self, _state: str) -> None:
        self.progress.finished.disconnect(self._after_sync)
        self.sync_button.setEnabled(bool(self.has_key))

    def _synced(self, report: SyncReport) -> None:
        problems = [f"{r.symbol}: {r.message}" for r in report.results if r.status != "ok"]
        self.sync_note = "; ".join(problems)
        self.changed.emit(Changes(macro=True) | report.changes)
        self.load()

    def _sync_cancelled(self) -> None:
        self.note.setText("Sync cancelled")

    def _sync_failed(self, message: str) -> None:
        self.sync_note = message
        self.note.setText(message)
