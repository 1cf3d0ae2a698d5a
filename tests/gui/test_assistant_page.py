"""The Assistant page against real services and loopback LLM servers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from keyring.backends import fail
from PySide6.QtWidgets import QPushButton

from portfolioos.gui.main_window import MainWindow
from portfolioos.gui.pages.assistant import AssistantPage
from portfolioos.secrets import Keychain
from portfolioos.services.context import AppContext
from tests.gui.helpers import answer_next_box
from tests.llm_servers import FakeLLMServer, serving


@pytest.fixture
def app(ctx: AppContext) -> AppContext:
    # keyring's fail backend: keys held for the session, nothing touches a real keyring
    ctx.__dict__["keychain"] = Keychain(ctx.paths.root, config=ctx.config, backend=fail.Keyring())
    return ctx


@pytest.fixture
def server() -> Iterator[FakeLLMServer]:
    with serving("openai") as s:
        yield s


def _page(window: MainWindow) -> AssistantPage:
    page = window.show_page("Assistant")
    assert isinstance(page, AssistantPage)
    return page


def _ask(qtbot, page: AssistantPage, question: str) -> None:  # type: ignore[no-untyped-def]
    page.input.setPlainText(question)
    page.send_button.click()


def test_without_providers_the_page_points_to_settings(qtbot, app: AppContext) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow(app)
    qtbot.addWidget(window)
    page = _page(window)
    assert page.stack.currentWidget() is page.empty
    page.empty.button.click()
    assert window.current_page is not None and window.current_page.title == "Settings"


def test_answer_streams_in_incrementally_and_is_kept(qtbot, app: AppContext, server) -> None:  # type: ignore[no-untyped-def]
    server.script.answer = [f"part{i} " for i in range(10)]
    server.script.chunk_delay = 0.08
    app.assistant.add_provider("Studio", "lmstudio", endpoint_url=server.url, model="qwen")
    window = MainWindow(app)
    qtbot.addWidget(window)
    page = _page(window)
    assert page.stack.currentIndex() == 1
    assert page.provider_combo.currentText() == "Studio · qwen"
    # a starter question fills the input
    chip = page.chat.findChildren(QPushButton, "suggestion")[1]
    chip.click()
    assert page.input.toPlainText() == chip.text()

    _ask(qtbot, page, "How concentrated am I?")
    assert page.cancel_button.isVisibleTo(page) and not page.send_button.isVisibleTo(page)
    answer = page.chat.bubbles[-1]
    # part of the answer is on screen while the rest is still being sent
    qtbot.waitUntil(lambda: "part1" in answer.text(), timeout=5000)
    assert "part9" not in answer.text()
    assert answer.state == "streaming"
    with qtbot.waitSignal(page.finished, timeout=10000) as done:
        pass
    assert done.args == ["answered"]
    assert answer.text() == "".join(f"part{i} " for i in range(10))
    assert answer.state == "done"
    assert answer.footer.text() == "test-model · 42 tokens in, 7 out"
    assert [b.role for b in page.chat.bubbles] == ["user", "assistant"]
    assert page.chat.bubbles[0].text() == "How concentrated am I?"

    # stored, listed, and re-opened from the history
    [conversation] = app.assistant.conversations.conversations()
    assert page.conversation_id == conversation.id
    assert page.history.count() == 1
    assert page.history.item(0).text().startswith("How concentrated am I?")
    page.new_conversation()
    assert page.chat.bubbles == [] and page.conversation_id is None
    page.open_conversation(conversation.id)
    assert [b.text() for b in page.chat.bubbles] == [
        "How concentrated am I?",
        "".join(f"part{i} " for i in range(10)),
    ]

    # a follow-up in the same conversation sends the history along
    server.script.chunk_delay = 0
    server.script.answer = ["Yes."]
    with qtbot.waitSignal(page.finished, timeout=10000):
        _ask(qtbot, page, "And now?")
    sent = server.requests[-1].json()["messages"]
    assert [m["role"] for m in sent] == ["system", "user", "assistant", "user"]
    assert len(app.assistant.conversations.messages(conversation.id)) == 4

    # delete it (after a confirmation): gone from the store and the list
    answer_next_box(yes=True)
    page.delete_button.click()
    assert app.assistant.conversations.conversations() == []
    assert page.history.count() == 0 and page.chat.bubbles == []


def test_cloud_provider_asks_consent_with_the_exact_payload_before_sending(
    qtbot, app: AppContext, server: FakeLLMServer
) -> None:  # type: ignore[no-untyped-def]
    app.keychain.set("openai-api-key", "sk-test-123456")
    app.assistant.add_provider("GPT", "openai", endpoint_url=server.url, model="gpt-x")
    window = MainWindow(app)
    qtbot.addWidget(window)
    page = _page(window)
    assert page.provider_combo.currentText() == "GPT · gpt-x"
    assert page.privacy_combo.currentData() == "totals"
    assert page.privacy_note.text().startswith("Cloud service: you see exactly what")

    _ask(qtbot, page, "Am I diversified?")
    qtbot.waitUntil(lambda: page.consent_dialog is not None, timeout=5000)
    dialog = page.consent_dialog
    assert dialog is not None
    assert server.requests == []  # nothing sent while the dialog is open
    expected = app.assistant.preview("Am I diversified?", "GPT")
    assert dialog.payload.toPlainText() == expected.text()
    assert "Am I diversified?" in dialog.payload.toPlainText()
    assert "sk-test-123456" not in dialog.payload.toPlainText()

    # Decline: still nothing sent, no consent stored
    with qtbot.waitSignal(page.finished) as declined:
        dialog.decline_button.click()
    assert declined.args == ["declined"]
    assert server.requests == []
    assert app.assistant.providers.get("GPT").consent is None
    assert "Not sent" in page.chat.bubbles[-1].footer.text()

    # Ask again and Agree: consent stored, then exactly that request goes out
    _ask(qtbot, page, "Am I diversified?")
    qtbot.waitUntil(lambda: page.consent_dialog is not None, timeout=5000)
    assert server.requests == []
    with qtbot.waitSignal(page.finished, timeout=10000) as done:
        page.consent_dialog.accept_button.click()
    assert done.args == ["answered"]
    assert len(server.requests) == 1
    assert server.requests[0].json() == expected.body
    assert server.requests[0].headers["authorization"] == "Bearer sk-test-123456"
    assert page.chat.bubbles[-1].text() == "Hello, world!"
    assert app.assistant.providers.get("GPT").consent is not None

    # consent is remembered: the next question goes straight out
    with qtbot.waitSignal(page.finished, timeout=10000):
        _ask(qtbot, page, "Thanks")
    assert page.consent_dialog is None and len(server.requests) == 2

    # raising the privacy level voids consent: asked again before anything is sent
    page.privacy_combo.setCurrentIndex(page.privacy_combo.findData("full"))
    page.privacy_combo.activated.emit(page.privacy_combo.currentIndex())
    assert app.assistant.providers.get("GPT").privacy_level.value == "full"
    _ask(qtbot, page, "And with detail?")
    qtbot.waitUntil(lambda: page.consent_dialog is not None, timeout=5000)
    assert len(server.requests) == 2
    with qtbot.waitSignal(page.finished):
        page.consent_dialog.decline_button.click()
    assert len(server.requests) == 2


def test_stop_cancels_the_stream_and_keeps_nothing(qtbot, app: AppContext, server) -> None:  # type: ignore[no-untyped-def]
    server.script.answer = [f"w{i} " for i in range(60)]
    server.script.chunk_delay = 0.05
    app.assistant.add_provider("Studio", "lmstudio", endpoint_url=server.url, model="m")
    window = MainWindow(app)
    qtbot.addWidget(window)
    page = _page(window)
    _ask(qtbot, page, "Tell me everything")
    answer = page.chat.bubbles[-1]
    qtbot.waitUntil(lambda: "w1 " in answer.text(), timeout=5000)
    with qtbot.waitSignal(page.finished, timeout=5000) as done:
        page.cancel_button.click()
    assert done.args == ["cancelled"]
    assert answer.state == "cancelled" and "not saved" in answer.footer.text()
    assert "w59" not in answer.text()
    assert app.assistant.conversations.conversations() == []
    assert page.send_button.isVisibleTo(page) and page.task is None


def test_service_errors_show_in_the_chat(qtbot, app: AppContext, server) -> None:  # type: ignore[no-untyped-def]
    app.assistant.add_provider("Studio", "lmstudio", endpoint_url=server.url, model="m")
    server.script.errors = [(400, {}, {"error": {"message": "model 'm' not loaded"}})]
    window = MainWindow(app)
    qtbot.addWidget(window)
    page = _page(window)
    with qtbot.waitSignal(page.finished, timeout=10000) as done:
        _ask(qtbot, page, "Hello?")
    assert done.args == ["error"]
    bubble = page.chat.bubbles[-1]
    assert bubble.state == "error"
    assert "model 'm' not loaded" in bubble.body.text()


def test_bubbles_follow_a_live_theme_change(qtbot, app: AppContext) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QApplication

    from portfolioos.gui.theme import apply_theme

    app.assistant.add_provider("Studio", "lmstudio", model="m")
    cid = app.assistant.conversations.record_exchange(
        None, title="Q", provider_id=None, question="Q?", answer="**A.**"
    )
    window = MainWindow(app)
    qtbot.addWidget(window)
    page = _page(window)
    page.open_conversation(cid)
    answer = page.chat.bubbles[-1]
    assert answer.author.text() == "Assistant" and answer.text() == "**A.**"
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    light = answer.styleSheet()
    try:
        apply_theme(qapp, "dark")
        qtbot.waitUntil(lambda: answer.styleSheet() != light, timeout=2000)
        assert "#1c1e21" in answer.styleSheet()  # the dark palette's base colour
    finally:
        apply_theme(qapp, "light")
