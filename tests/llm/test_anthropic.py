"""Anthropic Messages API against a loopback server speaking its real wire format."""

from __future__ import annotations

import pytest

from portfolioos.errors import Cancelled, LLMError
from portfolioos.llm.anthropic import ANTHROPIC_VERSION, AnthropicProvider
from portfolioos.llm.types import ChatMessage, ProviderType, Usage
from portfolioos.progress import CancelToken
from tests.llm.conftest import local_config, open_gate
from tests.llm_servers import FakeLLMServer

KEY = "sk-ant-test-0123456789"
MESSAGES = [
    ChatMessage("system", "You are terse."),
    ChatMessage("user", "Say hello."),
    ChatMessage("assistant", "Hi."),
    ChatMessage("user", "Again."),
]


def provider(server: FakeLLMServer) -> AnthropicProvider:
    config = local_config(server.url, ProviderType.ANTHROPIC, model="claude-test")
    return AnthropicProvider(config, api_key=KEY, gate=open_gate(config))


def test_send_posts_the_messages_api_body_and_headers(anthropic_server: FakeLLMServer) -> None:
    answer = provider(anthropic_server).send(MESSAGES, max_tokens=300)

    assert answer.text == "Hello, world!"
    assert answer.usage == Usage(42, 7)
    assert answer.finish_reason == "end_turn"
    [req] = anthropic_server.requests
    assert (req.method, req.path) == ("POST", "/v1/messages")
    assert req.json() == {
        "model": "claude-test",
        "max_tokens": 300,
        "system": "You are terse.",
        "messages": [
            {"role": "user", "content": "Say hello."},
            {"role": "assistant", "content": "Hi."},
            {"role": "user", "content": "Again."},
        ],
    }
    assert req.headers["x-api-key"] == KEY
    assert req.headers["anthropic-version"] == ANTHROPIC_VERSION == "2023-06-01"
    assert req.headers["content-type"] == "application/json"
    assert "authorization" not in req.headers


def test_stream_parses_the_event_types_and_usage(anthropic_server: FakeLLMServer) -> None:
    stream = provider(anthropic_server).stream(MESSAGES)
    assert list(stream) == ["Hello", ", ", "world", "!"]
    assert stream.usage == Usage(42, 7)  # input from message_start, output from message_delta
    assert stream.finish_reason == "end_turn"
    assert stream.model == "test-model"
    body = anthropic_server.requests[0].json()
    assert body["stream"] is True and body["max_tokens"] == 1024


def test_an_error_event_mid_stream_raises_the_servers_message(
    anthropic_server: FakeLLMServer,
) -> None:
    server = anthropic_server
    server.script.fail_at_event = 4  # start, block start, ping, "Hello", then the error
    received: list[str] = []
    with pytest.raises(LLMError, match="failed mid-answer: Overloaded"):
        for delta in provider(server).stream(MESSAGES):
            received.append(delta)
    assert received == ["Hello"]


def test_models_list_and_connection_test(anthropic_server: FakeLLMServer) -> None:
    p = provider(anthropic_server)
    models = p.list_models()
    assert [(m.id, m.name) for m in models] == [
        ("test-model", "Test-Model"),
        ("other-model", "Other-Model"),
    ]
    assert p.test_connection().ok
    req = anthropic_server.requests[0]
    assert (req.method, req.path, req.headers["x-api-key"]) == ("GET", "/v1/models", KEY)


def test_429_then_answer(anthropic_server: FakeLLMServer) -> None:
    anthropic_server.script.errors = [
        (
            429,
            {"retry-after": "0.3"},
            {"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}},
        )
    ]
    assert provider(anthropic_server).send(MESSAGES).text == "Hello, world!"
    assert len(anthropic_server.requests) == 2


def test_529_overloaded_message_is_shown(anthropic_server: FakeLLMServer) -> None:
    from portfolioos.llm.transport import RetryPolicy

    anthropic_server.script.errors = [
        (529, {}, {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
    ] * 2
    config = local_config(anthropic_server.url, ProviderType.ANTHROPIC, model="claude-test")
    p = AnthropicProvider(
        config, api_key=KEY, gate=open_gate(config), retry=RetryPolicy(attempts=2, base_delay=0.01)
    )
    with pytest.raises(LLMError, match="HTTP 529: Overloaded"):
        p.send(MESSAGES)


def test_cancel_mid_stream(anthropic_server: FakeLLMServer) -> None:
    anthropic_server.script.answer = [f"t{i}" for i in range(40)]
    anthropic_server.script.chunk_delay = 0.05
    token = CancelToken()
    received: list[str] = []
    with pytest.raises(Cancelled):
        for delta in provider(anthropic_server).stream(MESSAGES, cancel=token):
            received.append(delta)
            token.cancel()
    assert received == ["t0"]
