"""Backups: back up now (in a worker, with progress), the list, and a staged restore.

A restore cannot swap the databases under the running app, so it is staged and applied
at the next start; the section says so and offers to cancel it until then.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from portfolioos.errors import PortfolioOSError
from portfolioos.gui import colors
from portfolioos.gui import format as fmt
from portfolioos.gui.dialogs import confirm, show_error
from portfolioos.gui.models.table import RIGHT, Col, RowTableModel
from portfolioos.gui.settings.common import ResultLabel, table_view
from portfolioos.gui.widgets import ErrorBanner, ProgressPanel
from portfolioos.services.backups import Backup


def size_text(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{n:,} bytes" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024
    return f"{n:,} bytes"


COLUMNS = (
    Col("Backup", "name"),
    Col("Created", lambda b: b.created_at.astimezone(), format=fmt.datetime_text),
    Col("Size", "size_bytes", format=size_text, align=RIGHT),
    Col("Why", lambda b: b.reason.capitalize()),
    Col("App version", "app_version"),
)


class BackupsSection(QGroupBox):
    created = Signal(object)  # Backup

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__("Backups", parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        about = QLabel(
            "A backup holds consistent copies of your portfolio, market data and settings "
            "databases, in the backups folder. API keys are never part of a backup."
        )
        about.setWordWrap(True)
        about.setStyleSheet(f"color: {colors.muted_text().name()};")
        layout.addWidget(about)
        self.pending = ErrorBanner()
        self.pending.setObjectName("restorePending")
        self.pending.action.connect(self.cancel_restore)
        layout.addWidget(self.pending)
        bar = QHBoxLayout()
        self.create_button = QPushButton("&Back up now")
        self.create_button.setObjectName("backupNow")
        self.restore_button = QPushButton("Restore…")
        self.restore_button.setObjectName("restoreBackup")
        self.open_button = QPushButton("Open backups folder")
        for b in (self.create_button, self.restore_button, self.open_button):
            bar.addWidget(b)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.progress = ProgressPanel()
        layout.addWidget(self.progress)
        self.model = RowTableModel(COLUMNS)
        self.table = table_view("backupsTable")
        self.table.setModel(self.model)
        self.table.setMinimumHeight(160)
        layout.addWidget(self.table, 1)
        self.result = ResultLabel("backupResult")
        layout.addWidget(self.result)
        self.create_button.clicked.connect(self.create)
        self.restore_button.clicked.connect(self.restore_selected)
        self.open_button.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(ctx.paths.backups)))
        )
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.reload()
        last = ctx.settings.last_restore()
        if last is not None:
            if last.ok:
                self.result.show_result(True, last.message)
            else:
                self.result.show_result(False, f"The restore was not applied: {last.message}")

    def reload(self) -> None:
        keep = self.selected()
        try:
            self.model.set_rows(self.ctx.settings.list_backups())
            staged = self.ctx.settings.pending_restore()
        except PortfolioOSError as exc:
            show_error(self, exc.message)
            return
        if staged:
            self.pending.show_message(
                f"Backup {staged} will be restored when PortfolioOS next starts: quit and "
                "open it again to apply. The current databases are kept as a backup first.",
                action="Cancel restore",
                closable=False,
            )
        else:
            self.pending.hide()
        name = keep.name if keep is not None else None
        for row, b in enumerate(self.model.rows):
            if name is None or b.name == name:
                self.table.selectRow(row)
                break
        self._update_buttons()

    def selected(self) -> Backup | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        row: Backup = self.model.row_at(rows[0].row())
        return row

    def _update_buttons(self) -> None:
        busy = self.progress.state == "running"
        self.create_button.setEnabled(not busy)
        self.restore_button.setEnabled(not busy and self.selected() is not None)

    def create(self) -> None:
        if self.progress.state == "running":
            return
        self.result.setText("")
        self.progress.start(
            self.ctx.settings.create_backup,
            message="Backing up…",
            on_result=self._created,
            on_error=lambda message: self.result.show_result(False, message),
            on_cancelled=lambda: self.result.show_info("Backup cancelled; nothing was kept."),
        )
        self.progress.finished.connect(self._progress_ended)
        self._update_buttons()

    def _progress_ended(self, _state: str) -> None:
        self.progress.finished.disconnect(self._progress_ended)
        self._update_buttons()

    def _created(self, backup: Backup) -> None:
        self.reload()
        for row, b in enumerate(self.model.rows):
            if b.name == backup.name:
                self.table.selectRow(row)
        self.result.show_result(
            True, f"Backup {backup.name} created ({size_text(backup.size_bytes)})."
        )
        self.created.emit(backup)

    def restore_selected(self) -> None:
        backup = self.selected()
        if backup is None:
            return
        when = fmt.datetime_text(backup.created_at.astimezone())
        if not confirm(
            self,
            "Restore backup",
            f"Replace your portfolio, market data and settings with the backup of {when}?\n\n"
            "It is applied when PortfolioOS next starts; the databases as they are then are "
            "kept as a backup of their own, so this can be undone.",
        ):
            return
        try:
            self.ctx.settings.restore_backup(backup.name)
        except PortfolioOSError as exc:
            show_error(self, exc.message)
            return
        self.reload()

    def cancel_restore(self) -> None:
        self.ctx.settings.cancel_restore()
        self.result.show_info("The staged restore was cancelled.")
        self.reload()
