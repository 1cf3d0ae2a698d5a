"""LLM providers: the table, add/edit dialog, test connection, default, consent, remove."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from portfolioos.errors import PortfolioOSError
from portfolioos.gui import format as fmt
from portfolioos.gui.assistant.consent import ConsentDialog
from portfolioos.gui.dialogs import confirm, show_error
from portfolioos.gui.models.table import Col, RowTableModel
from portfolioos.gui.settings.common import ResultLabel, table_view
from portfolioos.gui.workers import Task, run_task
from portfolioos.llm.base import ConnectionReport
from portfolioos.llm.consent import ConsentNeeded, ConsentRequest
from portfolioos.llm.types import (
    CLOUD_TYPES,
    DEFAULT_ENDPOINTS,
    ProviderConfig,
    ProviderType,
)
from portfolioos.services.changes import Changes

TYPE_LABELS = {
    ProviderType.LMSTUDIO: "LM Studio (local)",
    ProviderType.OPENAI_COMPATIBLE: "OpenAI-compatible server",
    ProviderType.OPENAI: "OpenAI",
    ProviderType.ANTHROPIC: "Anthropic",
    ProviderType.OPENROUTER: "OpenRouter",
}
PRIVACY_LABELS = {"totals": "Totals and weights only", "full": "Full detail"}


def _consent_text(p: ProviderConfig) -> str:
    if p.is_local:
        return "not needed"
    if p.consent is None:
        return "asked before sending"
    if p.consent.privacy_level != p.privacy_level:
        return "asked again (level changed)"
    return f"given {fmt.date_text(p.consent.granted_at.date())}"


COLUMNS = (
    Col("Name", lambda p: p.name + (" (default)" if p.is_default else "")),
    Col("Type", lambda p: TYPE_LABELS.get(p.provider_type, p.provider_type.value)),
    Col("Model", lambda p: p.model or "—"),
    Col("Where", lambda p: "Local" if p.is_local else "Cloud"),
    Col("Privacy", lambda p: PRIVACY_LABELS[p.privacy_level.value]),
    Col("Limit", lambda p: f"{p.rate_limit_per_min}/min"),
    Col("Consent", _consent_text),
    Col("Endpoint", "endpoint_url"),
)


class ProviderDialog(QDialog):
    """Add or edit a provider; the service validates and its message shows in the form."""

    saved = Signal(object)

    def __init__(self, section: ProvidersSection, provider: ProviderConfig | None = None):
        super().__init__(section)
        self.section = section
        self.provider = provider
        self.setObjectName("providerDialog")
        self.setWindowTitle("Edit provider" if provider else "Add provider")
        self.setMinimumWidth(480)
        form = QFormLayout(self)
        self.type = QComboBox()
        for kind, label in TYPE_LABELS.items():
            self.type.addItem(label, kind.value)
        self.name = QLineEdit(provider.name if provider else "")
        self.name.setPlaceholderText("e.g. LM Studio")
        self.endpoint = QLineEdit(provider.endpoint_url if provider else "")
        self.model = QLineEdit(provider.model if provider else "")
        self.model.setPlaceholderText("e.g. qwen2.5-14b-instruct, gpt-4o-mini, claude-sonnet-4-5")
        self.privacy = QComboBox()
        for value, label in PRIVACY_LABELS.items():
            self.privacy.addItem(label, value)
        self.rate = QSpinBox()
        self.rate.setRange(1, 10_000)
        self.rate.setSuffix(" requests/min")
        self.rate.setValue(provider.rate_limit_per_min if provider else 30)
        self.make_default = QCheckBox("Use this provider by default")
        self.key_note = QLabel("")
        self.key_note.setWordWrap(True)
        self.key_note.setObjectName("keyNote")
        form.addRow("&Type", self.type)
        form.addRow("&Name", self.name)
        form.addRow("&Endpoint", self.endpoint)
        form.addRow("&Model", self.model)
        form.addRow("&Privacy level", self.privacy)
        form.addRow("&Rate limit", self.rate)
        if provider is None:
            form.addRow("", self.make_default)
        form.addRow("", self.key_note)
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
        self._type_default = ""
        if provider is not None:
            self.type.setCurrentIndex(self.type.findData(provider.provider_type.value))
            self.privacy.setCurrentIndex(self.privacy.findData(provider.privacy_level.value))
            self._type_default = DEFAULT_ENDPOINTS.get(provider.provider_type, "")
        self.type.currentIndexChanged.connect(self._type_changed)
        self._type_changed(initial=provider is not None)

    def kind(self) -> ProviderType:
        return ProviderType(self.type.currentData())

    def _type_changed(self, *_: Any, initial: bool = False) -> None:
        kind = self.kind()
        default = DEFAULT_ENDPOINTS.get(kind, "")
        # Follow the type's default endpoint unless the user typed their own.
        if not initial and self.endpoint.text().strip() in ("", self._type_default):
            self.endpoint.setText(default)
        self._type_default = default
        self.endpoint.setPlaceholderText(default or "http://host:port/v1")
        if not initial:
            cloud = kind in CLOUD_TYPES
            self.privacy.setCurrentIndex(self.privacy.findData("totals" if cloud else "full"))
        if kind is ProviderType.LMSTUDIO:
            note = "Runs on this machine; needs no API key."
        elif kind in CLOUD_TYPES:
            key = {
                ProviderType.OPENAI: "openai-api-key",
                ProviderType.ANTHROPIC: "anthropic-api-key",
                ProviderType.OPENROUTER: "openrouter-api-key",
            }[kind]
            note = (
                f"A cloud service: it reads the key '{key}' (set it under API keys) and sends "
                "nothing before you agree to the exact request."
            )
        else:
            note = "A key is optional; set provider-<name>-api-key under API keys if needed."
        self.key_note.setText(note)

    def save(self) -> None:
        assistant = self.section.ctx.assistant
        options: dict[str, Any] = {
            "endpoint_url": self.endpoint.text().strip() or None,
            "model": self.model.text(),
            "privacy_level": self.privacy.currentData(),
            "rate_limit_per_min": self.rate.value(),
        }
        try:
            if self.provider is None:
                saved, changes = assistant.add_provider(
                    self.name.text(),
                    self.kind().value,
                    make_default=self.make_default.isChecked(),
                    **options,
                )
            else:
                saved, changes = assistant.update_provider(
                    self.provider.id,
                    name=self.name.text(),
                    provider_type=self.kind().value,
                    **options,
                )
        except PortfolioOSError as exc:
            self.error.setText(exc.message)
            self.error.show()
            return
        self.section.changed.emit(changes)
        self.saved.emit(saved)
        self.accept()


class ProvidersSection(QGroupBox):
    changed = Signal(object)  # Changes
    tested = Signal(bool)  # a connection test ended (ok or not)

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__("Assistant providers", parent)
        self.ctx = ctx
        self.test_task: Task | None = None
        self.dialog: ProviderDialog | None = None
        self.consent_dialog: ConsentDialog | None = None
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.add_button = QPushButton("&Add provider…")
        self.edit_button = QPushButton("Edit…")
        self.test_button = QPushButton("&Test connection")
        self.default_button = QPushButton("Make default")
        self.revoke_button = QPushButton("Revoke consent")
        self.remove_button = QPushButton("Remove…")
        for name, button in (
            ("addProvider", self.add_button),
            ("editProvider", self.edit_button),
            ("testProvider", self.test_button),
            ("defaultProvider", self.default_button),
            ("revokeConsent", self.revoke_button),
            ("removeProvider", self.remove_button),
        ):
            button.setObjectName(name)
            bar.addWidget(button)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.model = RowTableModel(COLUMNS)
        self.table = table_view("providersTable")
        self.table.setModel(self.model)
        self.table.setMinimumHeight(150)
        layout.addWidget(self.table, 1)
        self.result = ResultLabel("testResult")
        layout.addWidget(self.result)
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit_selected)
        self.test_button.clicked.connect(self.test_selected)
        self.default_button.clicked.connect(self.make_default)
        self.revoke_button.clicked.connect(self.revoke_consent)
        self.remove_button.clicked.connect(self.remove_selected)
        self.table.doubleClicked.connect(lambda _: self.edit_selected())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.reload()

    # -- data -------------------------------------------------------------------

    def reload(self) -> None:
        keep = self.selected()
        try:
            rows = self.ctx.assistant.providers.providers()
        except PortfolioOSError as exc:
            show_error(self, exc.message)
            rows = []
        self.model.set_rows(rows)
        chosen = keep or next((p for p in rows if p.is_default), None)
        if chosen is not None:
            self.select(chosen.id)
        self._update_buttons()

    def select(self, provider_id: int) -> None:
        for row, p in enumerate(self.model.rows):
            if p.id == provider_id:
                self.table.selectRow(row)
                return

    def selected(self) -> ProviderConfig | None:
        rows = self.table.selectionModel().selectedRows() if self.table.model() else []
        if not rows:
            return None
        row: ProviderConfig = self.model.row_at(rows[0].row())
        return row

    def _update_buttons(self) -> None:
        p = self.selected()
        has = p is not None
        for button in (self.edit_button, self.remove_button):
            button.setEnabled(has)
        self.test_button.setEnabled(has and self.test_task is None)
        self.default_button.setEnabled(has and p is not None and not p.is_default)
        self.revoke_button.setEnabled(p is not None and p.consent is not None)

    # -- actions ----------------------------------------------------------------

    def add(self) -> ProviderDialog:
        self.dialog = ProviderDialog(self)
        self.dialog.saved.connect(lambda p: (self.reload(), self.select(p.id)))
        self.dialog.open()
        return self.dialog

    def edit_selected(self) -> ProviderDialog | None:
        provider = self.selected()
        if provider is None:
            return None
        self.dialog = ProviderDialog(self, provider)
        self.dialog.saved.connect(lambda p: (self.reload(), self.select(p.id)))
        self.dialog.open()
        return self.dialog

    def _write(self, call: Any, *args: Any) -> None:
        try:
            _, changes = call(*args)
        except PortfolioOSError as exc:
            show_error(self, exc.message)
            return
        self.changed.emit(changes)
        self.reload()

    def make_default(self) -> None:
        provider = self.selected()
        if provider is not None:
            self._write(self.ctx.assistant.set_default_provider, provider.id)

    def revoke_consent(self) -> None:
        provider = self.selected()
        if provider is not None:
            self._write(self.ctx.assistant.revoke_consent, provider.id)

    def remove_selected(self) -> None:
        provider = self.selected()
        if provider is None:
            return
        if not confirm(
            self,
            "Remove provider",
            f"Remove the provider '{provider.name}'? Its conversations are kept; its API "
            "key stays in the keychain until you delete it under API keys.",
        ):
            return
        self._write(self.ctx.assistant.remove_provider, provider.id)

    def test_selected(self) -> None:
        provider = self.selected()
        if provider is None or self.test_task is not None:
            return
        self.result.show_info(f"Testing {provider.name}…")
        manager = self.ctx.assistant.providers

        def job(cancel: Any) -> ConnectionReport | ConsentRequest:
            try:
                return manager.test(provider.id, cancel=cancel)
            except ConsentNeeded as exc:  # nothing was sent
                return exc.consent

        self.test_task = run_task(
            job,
            on_result=self._tested,
            on_error=self._test_failed,
            on_finished=self._test_finished,
        )
        self._update_buttons()

    def _test_finished(self) -> None:
        self.test_task = None
        self._update_buttons()

    def _tested(self, value: ConnectionReport | ConsentRequest) -> None:
        if isinstance(value, ConsentRequest):
            self.result.show_info(f"Nothing was sent to {value.provider}: waiting for consent.")
            dialog = ConsentDialog(value, self)
            self.consent_dialog = dialog
            dialog.accepted.connect(lambda: self._consented(value))
            dialog.rejected.connect(lambda: self._declined(value))
            dialog.open()
            return
        models = ", ".join(value.models[:4]) + (" …" if len(value.models) > 4 else "")
        text = f"{value.message} ({value.seconds:.2f} s)"
        if value.models:
            text += f" · {len(value.models)} model(s): {models}"
        self.result.show_result(value.ok, text)
        self.tested.emit(value.ok)

    def _test_failed(self, message: str) -> None:
        self.result.show_result(False, message)
        self.tested.emit(False)

    def _consented(self, consent: ConsentRequest) -> None:
        self.consent_dialog = None
        self._write(self.ctx.assistant.grant_consent, consent.provider_id)
        self.select(consent.provider_id)
        self.test_selected()

    def _declined(self, consent: ConsentRequest) -> None:
        self.consent_dialog = None
        self.result.show_result(False, f"Not tested: nothing was sent to {consent.provider}.")
        self.tested.emit(False)

    def on_changes(self, changes: Changes) -> None:
        if changes.providers:
            self.reload()
