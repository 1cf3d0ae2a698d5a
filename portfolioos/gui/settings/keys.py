"""API keys: where they are kept, which are set, set/delete, and the opt-in to a file.

Reading key status can mean a D-Bus round trip per key (the Secret Service), so it
runs in a worker; a set or delete is one call and runs directly. The standing warning
when no secure keychain exists is the keychain's own text (`Keychain.status()`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from portfolioos.errors import PortfolioOSError
from portfolioos.gui.dialogs import confirm, show_error
from portfolioos.gui.format import Tone
from portfolioos.gui.models.table import Col, RowTableModel
from portfolioos.gui.settings.common import ResultLabel, table_view
from portfolioos.gui.widgets import ErrorBanner
from portfolioos.gui.workers import Task, run_task
from portfolioos.secrets import KNOWN_NAMES, KeychainStatus

_PURPOSE = {
    "fred-api-key": "FRED macro series",
    "openai-api-key": "OpenAI providers",
    "anthropic-api-key": "Anthropic providers",
    "openrouter-api-key": "OpenRouter providers",
}
_WHERE = {"keychain": "in the keychain", "session": "for this session", "file": "in the file"}


@dataclass(frozen=True, slots=True)
class KeyRow:
    name: str
    is_set: bool
    used_by: str
    mode: str


COLUMNS = (
    Col("Key", "name"),
    Col(
        "Status",
        lambda k: f"Set ({_WHERE.get(k.mode, k.mode)})" if k.is_set else "Not set",
        tone=lambda k: Tone.POSITIVE if k.is_set else Tone.NEUTRAL,
    ),
    Col("Used by", "used_by"),
)


def key_rows(ctx: Any) -> tuple[KeychainStatus, list[KeyRow]]:
    """Status and one row per known key (the four names plus providers' own keys)."""
    keychain = ctx.keychain
    status = keychain.status()
    users: dict[str, list[str]] = {name: [] for name in KNOWN_NAMES}
    for p in ctx.assistant.providers.providers():
        if p.key_name:
            users.setdefault(p.key_name, []).append(p.name)

    def used_by(name: str) -> str:
        if users[name]:
            return ", ".join(users[name])
        if name == "fred-api-key":
            return _PURPOSE[name]
        return f"{_PURPOSE.get(name, 'A provider')} (no provider uses it yet)"

    rows = [KeyRow(name, keychain.has(name), used_by(name), status.mode) for name in users]
    return status, rows


class KeyDialog(QDialog):
    """Type a key (hidden); it goes straight to the keychain, never to a file or log."""

    def __init__(self, section: KeysSection, name: str) -> None:
        super().__init__(section)
        self.section = section
        self.name = name
        self.setObjectName("keyDialog")
        self.setWindowTitle(f"Set {name}")
        self.setMinimumWidth(420)
        form = QFormLayout(self)
        self.value = QLineEdit()
        self.value.setObjectName("keyValue")
        self.value.setEchoMode(QLineEdit.EchoMode.Password)
        self.value.setPlaceholderText("paste the key")
        form.addRow(QLabel(f"The value for <b>{name}</b>:"))
        form.addRow(self.value)
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setStyleSheet("color: #c0392b;")
        self.error.setWordWrap(True)
        self.error.hide()
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def save(self) -> None:
        try:
            mode = self.section.ctx.keychain.set(self.name, self.value.text())
        except PortfolioOSError as exc:
            self.error.setText(exc.message)
            self.error.show()
            return
        finally:
            self.value.clear()
        self.section.result.show_result(True, f"Stored {self.name} {_WHERE.get(mode, mode)}.")
        self.section.reload()
        self.accept()


class KeysSection(QGroupBox):
    loaded = Signal()

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__("API keys", parent)
        self.ctx = ctx
        self.status: KeychainStatus | None = None
        self.task: Task | None = None
        self.dialog: KeyDialog | None = None
        self._again = False
        layout = QVBoxLayout(self)
        self.banner = ErrorBanner()
        self.banner.setObjectName("keychainWarning")
        self.banner.action.connect(self._banner_action)
        layout.addWidget(self.banner)
        self.where = QLabel("")
        self.where.setObjectName("keychainWhere")
        self.where.setWordWrap(True)
        layout.addWidget(self.where)
        bar = QHBoxLayout()
        self.set_button = QPushButton("Set key…")
        self.set_button.setObjectName("setKey")
        self.delete_button = QPushButton("Delete key…")
        self.delete_button.setObjectName("deleteKey")
        bar.addWidget(self.set_button)
        bar.addWidget(self.delete_button)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.model = RowTableModel(COLUMNS)
        self.table = table_view("keysTable")
        self.table.setModel(self.model)
        self.table.setMinimumHeight(150)
        layout.addWidget(self.table, 1)
        self.result = ResultLabel("keyResult")
        layout.addWidget(self.result)
        self.set_button.clicked.connect(self.set_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.table.doubleClicked.connect(lambda _: self.set_selected())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self._update_buttons()

    # -- loading ----------------------------------------------------------------

    def reload(self) -> None:
        if self.task is not None:
            self._again = True  # one more load once this one ends
            return
        ctx = self.ctx
        self.task = run_task(
            key_rows, ctx, on_result=self._loaded, on_error=self._failed, on_finished=self._done
        )

    def _done(self) -> None:
        self.task = None
        if self._again:
            self._again = False
            self.reload()

    def _failed(self, message: str) -> None:
        self.banner.show_message(message, level="error", closable=False)

    def _loaded(self, value: tuple[KeychainStatus, list[KeyRow]]) -> None:
        status, rows = value
        self.status = status
        keep = self.selected()
        self.model.set_rows(rows)
        if rows:
            self.select(keep.name if keep is not None else rows[0].name)
        if status.warning:
            action = "Store keys in a file…" if status.mode == "session" else "Stop using the file"
            self.banner.show_message(status.warning, level="warning", action=action, closable=False)
            self.where.setText("")
            self.where.hide()
        else:
            self.banner.hide()
            self.where.setText(f"Keys are kept in the system keychain ({status.backend}).")
            self.where.show()
        self._update_buttons()
        self.loaded.emit()

    # -- actions ----------------------------------------------------------------

    def selected(self) -> KeyRow | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        row: KeyRow = self.model.row_at(rows[0].row())
        return row

    def select(self, name: str) -> None:
        for row, k in enumerate(self.model.rows):
            if k.name == name:
                self.table.selectRow(row)

    def _update_buttons(self) -> None:
        k = self.selected()
        self.set_button.setEnabled(k is not None)
        self.delete_button.setEnabled(k is not None and k.is_set)

    def set_selected(self) -> KeyDialog | None:
        k = self.selected()
        if k is None:
            return None
        self.dialog = KeyDialog(self, k.name)
        self.dialog.open()
        return self.dialog

    def delete_selected(self) -> None:
        k = self.selected()
        if k is None or not confirm(self, "Delete key", f"Forget the key {k.name}?"):
            return
        try:
            found = self.ctx.keychain.delete(k.name)
        except PortfolioOSError as exc:
            show_error(self, exc.message)
            return
        self.result.show_result(True, f"Deleted {k.name}." if found else f"{k.name} was not set.")
        self.reload()

    def _banner_action(self) -> None:
        if self.status is None:
            return
        keychain = self.ctx.keychain
        try:
            if self.status.mode == "session":
                if not confirm(
                    self,
                    "Store keys unencrypted?",
                    "No secure keychain is available. Store API keys in an UNENCRYPTED file "
                    f"in the data folder ({keychain.plaintext_path}, readable only by you)?"
                    "\n\nAnyone who can read that file, or a backup of your home folder, "
                    "can use your keys. Without this, keys are forgotten when PortfolioOS "
                    "closes.",
                ):
                    return
                keychain.set_file_opt_in(True)
                self.result.show_info("Keys set from now on are stored in the unencrypted file.")
            else:
                keychain.set_file_opt_in(False)
                self.result.show_info(
                    "The unencrypted file was deleted; its keys are kept for this session only."
                )
        except PortfolioOSError as exc:
            show_error(self, exc.message)
            return
        self.reload()
