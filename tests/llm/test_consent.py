"""Consent at the one choke point: without it a cloud server receives zero requests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from keyring.backends import fail

from portfolioos.errors import LLMError
from portfolioos.llm.consent import CONSENT_VERSION, MASKED, ConsentNeeded
from portfolioos.llm.manager import ProviderManager
from portfolioos.llm.types import ChatMessage, Consent, PrivacyLevel
from portfolioos.secrets import Keychain
from portfolioos.services.context import AppContext
from tests.llm_servers import FakeLLMServer, serving

OPENAI_KEY = "sk-consent-test-openai-1234"
ANTHROPIC_KEY = "sk-ant-consent-test-5678"
QUESTION = [ChatMessage("user", "How concentrated am I?")]


@pytest.fixture
def app(ctx: AppContext) -> AppContext:
    """A context whose keychain is keyring's real fail backend: keys for this session."""
    keychain = Keychain(ctx.paths.root, config=ctx.config, backend=fail.Keyring())
    ctx.__dict__["keychain"] = keychain
    keychain.set("openai-api-key", OPENAI_KEY)
    keychain.set("anthropic-api-key", ANTHROPIC_KEY)
    return ctx


@pytest.fixture
def cloud(app: AppContext) -> Iterator[tuple[FakeLLMServer, FakeLLMServer, ProviderManager]]:
    with serving("openai") as openai, serving("anthropic") as anthropic:
        manager = app.assistant.providers
        manager.add("gpt", "openai", endpoint_url=openai.url, model="gpt-test")
        manager.add("claude", "anthropic", endpoint_url=anthropic.url, model="claude-test")
        yield openai, anthropic, manager


def every_path(app: AppContext, name: str) -> list[Callable[[], Any]]:
    manager = app.assistant.providers
    return [
        lambda: manager.provider(name).send(QUESTION),
        lambda: list(manager.provider(name).stream(QUESTION)),
        lambda: manager.provider(name).list_models(),
        lambda: manager.provider(name).test_connection(),
        lambda: manager.test(name),
        lambda: manager.list_models(name),
        lambda: app.assistant.ask("How concentrated am I?", name),
    ]


@pytest.mark.parametrize("name", ["gpt", "claude"])
def test_without_consent_no_path_reaches_a_cloud_server(
    app: AppContext, cloud: tuple[FakeLLMServer, FakeLLMServer, ProviderManager], name: str
) -> None:
    openai, anthropic, _ = cloud
    for call in every_path(app, name):
        with pytest.raises(ConsentNeeded) as info:
            call()
        assert info.value.consent.provider == name
        assert info.value.consent.reason == "missing"
    assert openai.requests == [] and anthropic.requests == []
    assert app.assistant.conversations.conversations() == []


def test_the_consent_request_is_exactly_what_is_then_sent(
    app: AppContext, cloud: tuple[FakeLLMServer, FakeLLMServer, ProviderManager]
) -> None:
    openai, _, manager = cloud
    with pytest.raises(ConsentNeeded) as info:
        app.assistant.ask("How concentrated am I?", "gpt")
    shown = info.value.consent.request
    assert shown.url == f"{openai.url}/chat/completions"
    assert shown.headers["authorization"] == MASKED
    assert OPENAI_KEY not in shown.text() and OPENAI_KEY not in info.value.message
    assert "privacy: totals and weights only" in shown.body["messages"][0]["content"]
    assert app.assistant.preview("How concentrated am I?", "gpt") == shown

    manager.grant_consent("gpt")
    answer = app.assistant.ask("How concentrated am I?", "gpt")

    assert answer.text == "Hello, world!"
    [sent] = openai.requests
    assert sent.json() == shown.body
    assert sent.headers["authorization"] == f"Bearer {OPENAI_KEY}"
    for header, value in shown.headers.items():
        if header != "authorization":
            assert sent.headers[header] == value


def test_consent_is_stored_with_time_version_and_level(
    cloud: tuple[FakeLLMServer, FakeLLMServer, ProviderManager],
) -> None:
    _, _, manager = cloud
    before = datetime.now(UTC).replace(microsecond=0)
    consent = manager.grant_consent("claude").consent
    assert consent is not None
    assert consent.version == CONSENT_VERSION
    assert consent.privacy_level is PrivacyLevel.TOTALS
    assert before <= consent.granted_at <= datetime.now(UTC)


def test_a_new_consent_version_asks_again(
    cloud: tuple[FakeLLMServer, FakeLLMServer, ProviderManager],
) -> None:
    openai, _, manager = cloud
    config = manager.get("gpt")
    old = Consent(CONSENT_VERSION - 1, datetime(2025, 1, 1, tzinfo=UTC), PrivacyLevel.TOTALS)
    manager.store.set_consent(config.id, old)
    with pytest.raises(ConsentNeeded) as info:
        manager.test("gpt")
    assert info.value.consent.reason == "version"
    assert info.value.consent.version == CONSENT_VERSION
    assert openai.requests == []


def test_raising_the_privacy_level_voids_consent_and_revoking_stops_sending(
    cloud: tuple[FakeLLMServer, FakeLLMServer, ProviderManager],
) -> None:
    openai, _, manager = cloud
    manager.grant_consent("gpt")
    assert manager.test("gpt").ok
    assert len(openai.requests) == 1

    manager.set_privacy_level("gpt", "full")
    with pytest.raises(ConsentNeeded) as info:
        manager.test("gpt")
    assert info.value.consent.reason == "privacy_level"

    manager.grant_consent("gpt")
    live = manager.provider("gpt")  # built while consent held...
    manager.revoke_consent("gpt")
    with pytest.raises(ConsentNeeded):
        live.send(QUESTION)  # ...still checked against the stored consent when sending
    assert len(openai.requests) == 1


def test_a_local_provider_needs_no_consent(app: AppContext) -> None:
    with serving("openai") as server:
        manager = app.assistant.providers
        config = manager.add("studio", "lmstudio", endpoint_url=server.url, model="m")
        assert config.is_local and config.privacy_level is PrivacyLevel.FULL
        assert manager.provider("studio").send(QUESTION).text == "Hello, world!"
        assert "authorization" not in server.requests[0].headers


def test_a_cloud_provider_without_its_key_says_which_key_after_consent(ctx: AppContext) -> None:
    ctx.__dict__["keychain"] = Keychain(ctx.paths.root, config=ctx.config, backend=fail.Keyring())
    with serving("openai") as server:
        manager = ctx.assistant.providers
        manager.add("router", "openrouter", endpoint_url=server.url, model="m")
        manager.grant_consent("router")
        with pytest.raises(LLMError, match="No API key 'openrouter-api-key'"):
            manager.provider("router").send(QUESTION)
        report = manager.test("router")
        assert not report.ok and "keys set openrouter-api-key" in report.message
        assert server.requests == []


def test_an_openai_compatible_server_elsewhere_is_cloud_by_default(app: AppContext) -> None:
    manager = app.assistant.providers
    remote = manager.add(
        "together", "openai_compatible", endpoint_url="https://api.together.xyz/v1"
    )
    assert not remote.is_local and remote.privacy_level is PrivacyLevel.TOTALS
    assert remote.key_name == "provider-together-api-key"
    with pytest.raises(Exception, match="cannot be marked local"):
        manager.add("sneaky", "openai", is_local=True)
    assert replace(remote, is_local=True).is_local  # only the manager decides, from the type
