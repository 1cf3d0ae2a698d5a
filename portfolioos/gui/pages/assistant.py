"""Assistant: ask a local or cloud model about the portfolio, with streamed answers.

The question runs through `AssistantService.ask` in a worker. Answer deltas reach the
GUI thread only as a Qt signal (`_Deltas.delta`, queued to this page's thread); the
worker never touches a widget. A cloud provider without consent makes the service
raise `ConsentNeeded` before any byte is sent: the worker returns its `.consent` as
the result, the page shows it in the consent dialog, and only Agree grants consent
and asks again.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from portfolioos.errors import PortfolioOSError
from portfolioos.gui import colors
from portfolioos.gui import format as fmt
from portfolioos.gui.assistant.chat import Bubble, ChatView
from portfolioos.gui.assistant.consent import ConsentDialog
from portfolioos.gui.dialogs import confirm, show_error
from portfolioos.gui.pages.base import Page
from portfolioos.gui.widgets import EmptyState
from portfolioos.gui.workers import Task, run_task
from portfolioos.llm.consent import ConsentNeeded, ConsentRequest
from portfolioos.llm.types import ProviderConfig
from portfolioos.services.changes import Changes

logger = logging.getLogger(__name__)

PRIVACY_LABELS = (("totals", "Totals and weights only"), ("full", "Full detail"))


class _Deltas(QObject):
    """Carries answer deltas from the worker thread to the GUI thread (queued)."""

    delta = Signal(str)


class _Input(QPlainTextEdit):
    """Enter sends, Shift+Enter breaks the line."""

    submit = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (
            event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        ):
            self.submit.emit()
            return
        super().keyPressEvent(event)


class AssistantPage(Page):
    title = "Assistant"
    shortcut = "Ctrl+8"

    # For tests and the status bar: "answered" | "cancelled" | "error" | "declined"
    finished = Signal(str)

    def __init__(self, ctx, parent: QWidget | None = None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx, parent)
        self.providers: list[ProviderConfig] = []
        self.conversation_id: int | None = None
        self.task: Task | None = None
        self.consent_dialog: ConsentDialog | None = None
        self._bubble: Bubble | None = None
        self._question_bubble: Bubble | None = None
        self._deltas = _Deltas(self)
        self._deltas.delta.connect(self._on_delta)
        self._loaded = False

        self.stack = QStackedWidget()
        self.empty = EmptyState(
            "No assistant provider yet",
            "Add a local model (LM Studio runs one on this machine, nothing leaves it) or a "
            "cloud provider (OpenAI, Anthropic, OpenRouter) in Settings.",
            "Open Settings",
        )
        self.empty.setObjectName("assistantEmpty")
        self.empty.action.connect(self._open_settings)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self._build_main())
        self.layout_.addWidget(self.stack, 1)

    # -- layout -----------------------------------------------------------------

    def _build_main(self) -> QWidget:
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("assistantSplitter")
        splitter.setChildrenCollapsible(False)

        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 8, 0)
        self.new_button = QPushButton("New conversation")
        self.new_button.setObjectName("newConversation")
        self.new_button.clicked.connect(self.new_conversation)
        self.history = QListWidget()
        self.history.setObjectName("conversationList")
        self.history.setWordWrap(True)
        self.history.setSpacing(1)
        self.history.setStyleSheet(
            "QListWidget#conversationList::item { padding: 6px 6px; border-radius: 4px; }"
            "QListWidget#conversationList::item:selected { background: palette(highlight);"
            " color: palette(highlighted-text); }"
        )
        self.history.itemClicked.connect(self._history_clicked)
        self.delete_button = QPushButton("Delete")
        self.delete_button.setObjectName("deleteConversation")
        self.delete_button.clicked.connect(self.delete_conversation)
        history_label = QLabel("Conversations")
        history_label.setStyleSheet(f"color: {colors.muted_text().name()};")
        side_layout.addWidget(self.new_button)
        side_layout.addWidget(history_label)
        side_layout.addWidget(self.history, 1)
        side_layout.addWidget(self.delete_button)
        side.setMinimumWidth(200)

        main = QWidget()
        col = QVBoxLayout(main)
        col.setContentsMargins(8, 0, 0, 0)
        bar = QHBoxLayout()
        self.provider_combo = QComboBox()
        self.provider_combo.setObjectName("providerPicker")
        self.provider_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.provider_combo.currentIndexChanged.connect(self._provider_changed)
        self.privacy_combo = QComboBox()
        self.privacy_combo.setObjectName("privacyPicker")
        for value, label in PRIVACY_LABELS:
            self.privacy_combo.addItem(label, value)
        self.privacy_combo.activated.connect(self._privacy_chosen)
        self.privacy_note = QLabel("")
        self.privacy_note.setObjectName("privacyNote")
        self.privacy_note.setWordWrap(True)
        self.privacy_note.setMinimumWidth(180)
        self.privacy_note.setStyleSheet(f"color: {colors.muted_text().name()};")
        bar.addWidget(QLabel("Provider"))
        bar.addWidget(self.provider_combo)
        bar.addSpacing(12)
        bar.addWidget(QLabel("Privacy"))
        bar.addWidget(self.privacy_combo)
        bar.addSpacing(8)
        bar.addWidget(self.privacy_note, 1)
        col.addLayout(bar)

        self.chat = ChatView()
        self.chat.suggestion.connect(self._suggest)
        col.addWidget(self.chat, 1)

        entry = QHBoxLayout()
        self.input = _Input()
        self.input.setObjectName("questionInput")
        self.input.setPlaceholderText(
            "Ask about your portfolio… (Enter sends, Shift+Enter starts a new line)"
        )
        self.input.setFixedHeight(64)
        self.input.submit.connect(self.send)
        buttons = QVBoxLayout()
        self.send_button = QPushButton("Send")
        self.send_button.setObjectName("sendButton")
        self.send_button.setDefault(True)
        self.send_button.clicked.connect(self.send)
        self.cancel_button = QPushButton("Stop")
        self.cancel_button.setObjectName("stopButton")
        self.cancel_button.setToolTip("Stop the answer (nothing of it is saved)")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.hide()
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        entry.addWidget(self.input, 1)
        entry.addLayout(buttons)
        col.addLayout(entry)
        self.status = QLabel("")
        self.status.setObjectName("assistantStatus")
        self.status.setStyleSheet(f"color: {colors.muted_text().name()};")
        col.addWidget(self.status)

        splitter.addWidget(side)
        splitter.addWidget(main)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([240, 900])
        return splitter

    # -- loading ----------------------------------------------------------------

    def on_shown(self) -> None:
        if not self._loaded:
            self._loaded = True
            self.reload()

    def on_changes(self, changes: Changes) -> None:
        if changes.providers and self._loaded:
            self.load_providers()

    def reload(self) -> None:
        self.load_providers()
        self.load_history()

    def load_providers(self) -> None:
        keep = self.current_provider()
        try:
            self.providers = self.ctx.assistant.providers.providers()
        except PortfolioOSError as exc:
            show_error(self, exc.message)
            self.providers = []
        self.provider_combo.blockSignals(True)
        self.provider_combo.clear()
        for p in self.providers:
            self.provider_combo.addItem(f"{p.name} · {p.model or 'no model set'}", p.id)
        chosen = (
            keep.id
            if keep is not None
            else next((p.id for p in self.providers if p.is_default), None)
        )
        index = self.provider_combo.findData(chosen) if chosen is not None else 0
        self.provider_combo.setCurrentIndex(max(index, 0))
        self.provider_combo.blockSignals(False)
        self.stack.setCurrentIndex(1 if self.providers else 0)
        self._provider_changed()

    def load_history(self) -> None:
        self.history.clear()
        try:
            conversations = self.ctx.assistant.conversations.conversations()
        except PortfolioOSError as exc:
            show_error(self, exc.message)
            return
        for c in conversations:
            when = fmt.date_text(c.created_at.date())
            item = QListWidgetItem(f"{c.title}\n{when} · {c.messages // 2} question(s)")
            item.setData(Qt.ItemDataRole.UserRole, c.id)
            item.setToolTip(c.title)
            self.history.addItem(item)
            if c.id == self.conversation_id:
                item.setSelected(True)
                self.history.setCurrentItem(item)
        self._update_buttons()

    def current_provider(self) -> ProviderConfig | None:
        provider_id = self.provider_combo.currentData()
        return next((p for p in self.providers if p.id == provider_id), None)

    def _provider_changed(self, *_: Any) -> None:
        provider = self.current_provider()
        if provider is None:
            self.privacy_note.setText("")
            return
        self.privacy_combo.setCurrentIndex(
            self.privacy_combo.findData(provider.privacy_level.value)
        )
        if provider.is_local:
            note = "Local model: your data stays with the server you run."
        elif provider.consent is not None and (
            provider.consent.privacy_level == provider.privacy_level
        ):
            note = (
                f"Cloud service: you agreed on {fmt.date_text(provider.consent.granted_at.date())}."
            )
        else:
            note = "Cloud service: you see exactly what would be sent before anything is."
        self.privacy_note.setText(note)

    def _privacy_chosen(self, _index: int) -> None:
        provider = self.current_provider()
        level = self.privacy_combo.currentData()
        if provider is None or level == provider.privacy_level.value:
            return
        try:
            _, changes = self.ctx.assistant.set_privacy_level(provider.id, level)
        except PortfolioOSError as exc:
            show_error(self, exc.message)
            return
        self.changed.emit(changes)  # the window's broadcast reloads our providers

    # -- conversations ----------------------------------------------------------

    def new_conversation(self) -> None:
        if self.task is not None:
            return
        self.conversation_id = None
        self.history.clearSelection()
        self.chat.clear()
        self.status.setText("")
        self.input.setFocus()
        self._update_buttons()

    def open_conversation(self, conversation_id: int) -> None:
        if self.task is not None:
            return
        try:
            conversation = self.ctx.assistant.conversations.get(conversation_id)
            messages = self.ctx.assistant.conversations.messages(conversation_id)
        except PortfolioOSError as exc:
            show_error(self, exc.message)
            return
        author = next(
            (p.name for p in self.providers if p.id == conversation.provider_id), "Assistant"
        )
        self.conversation_id = conversation_id
        for row in range(self.history.count()):
            item = self.history.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == conversation_id:
                self.history.setCurrentItem(item)
        self.chat.clear()
        for m in messages:
            if m.role == "user":
                self.chat.add("user", "You", m.content)
            elif m.role == "assistant":
                self.chat.add("assistant", author, m.content)
        self.status.setText("")
        self._update_buttons()

    def _history_clicked(self, item: QListWidgetItem) -> None:
        self.open_conversation(int(item.data(Qt.ItemDataRole.UserRole)))

    def delete_conversation(self) -> None:
        if self.conversation_id is None or self.task is not None:
            return
        conversation_id = self.conversation_id
        if not confirm(self, "Delete conversation", "Delete this conversation for good?"):
            return
        try:
            self.ctx.assistant.delete_conversation(conversation_id)
        except PortfolioOSError as exc:
            show_error(self, exc.message)
            return
        self.new_conversation()
        self.load_history()

    def _update_buttons(self) -> None:
        busy = self.task is not None
        self.send_button.setVisible(not busy)
        self.cancel_button.setVisible(busy)
        self.cancel_button.setEnabled(busy)
        self.new_button.setEnabled(not busy)
        self.history.setEnabled(not busy)
        self.provider_combo.setEnabled(not busy)
        self.privacy_combo.setEnabled(not busy)
        self.delete_button.setEnabled(not busy and self.conversation_id is not None)

    # -- asking -----------------------------------------------------------------

    def _suggest(self, text: str) -> None:
        self.input.setPlainText(text)
        self.input.setFocus()

    def send(self) -> None:
        question = self.input.toPlainText().strip()
        provider = self.current_provider()
        if not question or provider is None or self.task is not None:
            return
        self.input.clear()
        self._question_bubble = self.chat.add("user", "You", question)
        self._ask(question, provider)

    def _ask(self, question: str, provider: ProviderConfig) -> None:
        self._bubble = self.chat.add("assistant", provider.name)
        self._bubble.set_state("streaming")
        self._question = question
        self._provider = provider
        assistant = self.ctx.assistant
        emit = self._deltas.delta.emit
        conversation = self.conversation_id

        def job(progress: Any, cancel: Any) -> Any:
            try:
                return assistant.ask(
                    question,
                    provider.id,
                    conversation,
                    on_delta=emit,
                    progress=progress,
                    cancel=cancel,
                )
            except ConsentNeeded as exc:  # nothing was sent; the dialog decides
                return exc.consent

        self.task = run_task(
            job,
            on_result=self._on_result,
            on_error=self._on_error,
            on_progress=lambda _f, message: self.status.setText(message),
            on_cancelled=self._on_cancelled,
            on_finished=self._on_finished,
        )
        self._update_buttons()

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.cancel_button.setEnabled(False)
            self.status.setText("Stopping…")

    def _on_delta(self, delta: str) -> None:
        if self._bubble is not None and self._bubble.state == "streaming":
            self._bubble.append(delta)

    def _on_finished(self) -> None:
        self.task = None
        self._update_buttons()
        if self._pending_outcome:
            outcome, self._pending_outcome = self._pending_outcome, ""
            self.finished.emit(outcome)

    _pending_outcome = ""

    def _on_result(self, value: Any) -> None:
        bubble = self._bubble
        if isinstance(value, ConsentRequest):
            if bubble is not None:
                self.chat.column.removeWidget(bubble.parentWidget())
                bubble.parentWidget().deleteLater()
                self.chat.bubbles.remove(bubble)
            self._bubble = None
            self.status.setText(f"Waiting for your consent to send to {value.provider}")
            self._show_consent(value)
            return
        if bubble is not None:
            bubble.set_text(value.text)
            bubble.set_state("done")
            parts = [value.model] if value.model else []
            if value.usage is not None:
                parts.append(
                    f"{value.usage.input_tokens:,} tokens in, {value.usage.output_tokens:,} out"
                )
            bubble.set_footer(" · ".join(parts))
        self.status.setText("")
        self.conversation_id = value.conversation_id
        self.load_history()
        self._pending_outcome = "answered"

    def _on_error(self, message: str) -> None:
        if self._bubble is not None:
            self._bubble.set_state("error", message)
        self.status.setText("")
        self._pending_outcome = "error"

    def _on_cancelled(self) -> None:
        if self._bubble is not None:
            self._bubble.set_state("cancelled", "Stopped. This answer was not saved.")
        self.status.setText("")
        self._pending_outcome = "cancelled"

    # -- consent ----------------------------------------------------------------

    def _show_consent(self, consent: ConsentRequest) -> None:
        dialog = ConsentDialog(consent, self)
        self.consent_dialog = dialog
        dialog.accepted.connect(lambda: self._consent_given(consent))
        dialog.rejected.connect(lambda: self._consent_refused(consent))
        dialog.open()

    def _consent_given(self, consent: ConsentRequest) -> None:
        self.consent_dialog = None
        try:
            provider, changes = self.ctx.assistant.grant_consent(consent.provider_id)
        except PortfolioOSError as exc:
            show_error(self, exc.message)
            return
        self.changed.emit(changes)
        self._ask(self._question, provider)

    def _consent_refused(self, consent: ConsentRequest) -> None:
        self.consent_dialog = None
        if self._question_bubble is not None:
            self._question_bubble.set_footer(
                f"Not sent: you declined to send it to {consent.provider}."
            )
        self.status.setText("")
        self.finished.emit("declined")

    # -- navigation -------------------------------------------------------------

    def _open_settings(self) -> None:
        window = self.window()
        show_page = getattr(window, "show_page", None)
        if show_page is None:
            return
        page = show_page("Settings")
        section = getattr(page, "show_section", None)
        if section is not None:
            section("assistant")
