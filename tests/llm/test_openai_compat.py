"""OpenAI chat completions against a loopback server speaking the real wire format."""

from __future__ import annotations

import threading
import time

import pytest

from portfolioos.errors import Cancelled, LLMError
from portfolioos.llm.openai_compat import OpenAICompatibleProvider
from portfolioos.llm.transport import RetryPolicy, Timeouts
from portfolioos.llm.types import ChatMessage, ProviderType, Usage
from portfolioos.progress import CancelToken
from tests.llm.conftest import local_config, open_gate
from tests.llm_servers import FakeLLMServer

KEY = "sk-test-openai-0123456789"
MESSAGES = [ChatMessage("system", "You are terse."), ChatMessage("user", "Say hello.")]


def provider(
    server: FakeLLMServer,
    *,
    key: str | None = KEY,
    kind: ProviderType = ProviderType.OPENAI_COMPATIBLE,
    timeouts: Timeouts | None = None,
    retry: RetryPolicy | None = None,
) -> OpenAICompatibleProvider:
    config = local_config(server.url, kind)
    return OpenAICompatibleProvider(
        config, api_key=key, gate=open_gate(config), timeouts=timeouts, retry=retry
    )


def test_send_posts_the_exact_body_and_headers_and_parses_the_answer(
    openai_server: FakeLLMServer,
) -> None:
    answer = provider(openai_server).send(MESSAGES, max_tokens=50)

    assert answer.text == "Hello, world!"
    assert answer.model == "test-model"
    assert answer.usage == Usage(42, 7)
    assert answer.finish_reason == "stop"
    [req] = openai_server.requests
    assert (req.method, req.path) == ("POST", "/v1/chat/completions")
    assert req.json() == {
        "model": "test-model",
        "messages": [
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": "Say hello."},
        ],
        "stream": False,
        "max_tokens": 50,
    }
    assert req.headers["authorization"] == f"Bearer {KEY}"
    assert req.headers["content-type"] == "application/json"
    assert "http-referer" not in req.headers


def test_stream_yields_deltas_as_they_arrive_and_reports_usage(
    openai_server: FakeLLMServer,
) -> None:
    stream = provider(openai_server).stream(MESSAGES)
    deltas = list(stream)

    assert deltas == ["Hello", ", ", "world", "!"]
    assert stream.text == "Hello, world!"
    assert stream.usage == Usage(42, 7)
    assert stream.finish_reason == "stop"
    assert openai_server.requests[0].json() == {
        "model": "test-model",
        "messages": [
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": "Say hello."},
        ],
        "stream": True,
        "stream_options": {"include_usage": True},
    }


def test_stream_delivers_the_first_delta_before_the_response_ends(
    openai_server: FakeLLMServer,
) -> None:
    openai_server.script.chunk_delay = 0.15
    started = time.monotonic()
    stream = iter(provider(openai_server).stream(MESSAGES))
    first = next(stream)
    first_at = time.monotonic() - started
    rest = list(stream)
    total = time.monotonic() - started
    assert first == "Hello" and rest == [", ", "world", "!"]
    assert first_at < total - 0.4  # incremental parsing, not read-then-split


def test_models_and_connection_test(openai_server: FakeLLMServer) -> None:
    p = provider(openai_server)
    assert [m.id for m in p.list_models()] == ["test-model", "other-model"]
    report = p.test_connection()
    assert report.ok and report.models == ("test-model", "other-model")
    assert [(r.method, r.path) for r in openai_server.requests] == [("GET", "/v1/models")] * 2
    assert openai_server.requests[0].body == b""


def test_lm_studio_without_a_key_sends_no_authorization(openai_server: FakeLLMServer) -> None:
    provider(openai_server, key=None, kind=ProviderType.LMSTUDIO).send(MESSAGES)
    assert "authorization" not in openai_server.requests[0].headers


def test_openrouter_sends_its_attribution_headers(openai_server: FakeLLMServer) -> None:
    provider(openai_server, kind=ProviderType.OPENROUTER).send(MESSAGES)
    headers = openai_server.requests[0].headers
    assert headers["http-referer"] == "https://github.com/portfolioos/portfolioos"
    assert headers["x-title"] == "PortfolioOS"
    assert headers["authorization"] == f"Bearer {KEY}"


def test_429_is_retried_after_the_time_retry_after_asks(openai_server: FakeLLMServer) -> None:
    openai_server.script.errors = [
        (429, {"retry-after": "1"}, {"error": {"message": "Rate limit reached"}})
    ]
    started = time.monotonic()
    answer = provider(openai_server).send(MESSAGES)
    elapsed = time.monotonic() - started

    assert answer.text == "Hello, world!"
    assert len(openai_server.requests) == 2
    assert openai_server.requests[0].body == openai_server.requests[1].body
    assert 0.9 <= elapsed < 5


def test_5xx_without_retry_after_backs_off_and_gives_up_after_the_attempts(
    openai_server: FakeLLMServer,
) -> None:
    openai_server.script.errors = [(503, {}, {"error": {"message": "overloaded"}})] * 3
    p = provider(openai_server, retry=RetryPolicy(attempts=3, base_delay=0.05))
    with pytest.raises(LLMError, match="HTTP 503: overloaded"):
        p.send(MESSAGES)
    assert len(openai_server.requests) == 3


def test_a_stream_is_retried_after_429(openai_server: FakeLLMServer) -> None:
    openai_server.script.errors = [(429, {"retry-after": "0.2"}, {"error": {"message": "slow"}})]
    assert list(provider(openai_server).stream(MESSAGES)) == ["Hello", ", ", "world", "!"]
    assert len(openai_server.requests) == 2


def test_a_retry_after_beyond_the_bound_is_reported_not_waited_for(
    openai_server: FakeLLMServer,
) -> None:
    openai_server.script.errors = [(429, {"retry-after": "3600"}, {"error": {"message": "x"}})]
    started = time.monotonic()
    with pytest.raises(LLMError, match="retry after 3600 s"):
        provider(openai_server, retry=RetryPolicy(max_wait=5)).send(MESSAGES)
    assert time.monotonic() - started < 2
    assert len(openai_server.requests) == 1


def test_a_server_that_does_not_answer_times_out(openai_server: FakeLLMServer) -> None:
    openai_server.script.first_byte_delay = 2.0
    started = time.monotonic()
    with pytest.raises(LLMError, match=r"did not answer within 0\.3 s"):
        provider(openai_server, timeouts=Timeouts(connect=1, read=0.3)).send(MESSAGES)
    assert time.monotonic() - started < 1.5


def test_a_stream_that_stalls_times_out(openai_server: FakeLLMServer) -> None:
    openai_server.script.chunk_delay = 1.5
    p = provider(openai_server, timeouts=Timeouts(connect=1, read=0.3))
    received: list[str] = []
    with pytest.raises(LLMError, match="stopped sending"):
        for delta in p.stream(MESSAGES):
            received.append(delta)
    assert received == []  # the first chunk is the empty role delta, then it stalls


def test_cancel_mid_stream_stops_reading(openai_server: FakeLLMServer) -> None:
    openai_server.script.answer = [f"w{i} " for i in range(50)]
    openai_server.script.chunk_delay = 0.05
    token = CancelToken()
    received: list[str] = []
    started = time.monotonic()
    with pytest.raises(Cancelled):
        for delta in provider(openai_server).stream(MESSAGES, cancel=token):
            received.append(delta)
            if len(received) == 3:
                token.cancel()
    assert received == ["w0 ", "w1 ", "w2 "]
    assert time.monotonic() - started < 1.5  # far less than the 50 x 0.05 s the answer takes


def test_cancel_from_another_thread_while_waiting_to_retry(openai_server: FakeLLMServer) -> None:
    openai_server.script.errors = [(429, {"retry-after": "30"}, {"error": {"message": "x"}})]
    token = CancelToken()
    threading.Timer(0.3, token.cancel).start()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        provider(openai_server).send(MESSAGES, cancel=token)
    assert time.monotonic() - started < 2


def test_an_error_that_echoes_the_key_never_shows_it(openai_server: FakeLLMServer) -> None:
    from portfolioos.logsetup import redact

    redact(KEY)  # the manager registers keys it reads; here the provider got it directly
    openai_server.script.errors = [(401, {}, {"error": {"message": f"Incorrect API key {KEY}"}})]
    with pytest.raises(LLMError) as info:
        provider(openai_server).send(MESSAGES)
    assert KEY not in info.value.message
    assert "HTTP 401" in info.value.message


def test_a_connection_refused_is_a_clear_error() -> None:
    config = local_config("http://127.0.0.1:9/v1")
    p = OpenAICompatibleProvider(
        config, api_key=None, gate=open_gate(config), timeouts=Timeouts(connect=1, read=1)
    )
    with pytest.raises(LLMError, match=r"Cannot reach test at http://127\.0\.0\.1:9/v1"):
        p.send(MESSAGES)
    report = p.test_connection()
    assert not report.ok and "Cannot reach" in report.message


def test_cancel_while_the_server_is_silent_returns_at_once(openai_server: FakeLLMServer) -> None:
    openai_server.script.chunk_delay = 5.0  # the model "thinks" 5 s between chunks
    token = CancelToken()
    threading.Timer(0.3, token.cancel).start()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        list(provider(openai_server).stream(MESSAGES, cancel=token))
    assert time.monotonic() - started < 1.5
