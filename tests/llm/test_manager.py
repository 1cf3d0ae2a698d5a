"""Provider configs in config.sqlite: defaults per type, one default, rate limits."""

from __future__ import annotations

import threading
import time

import pytest
from keyring.backends import fail

from portfolioos.errors import ConflictError, NotFoundError, ValidationError
from portfolioos.llm.transport import RateLimiter, limiter_for
from portfolioos.llm.types import PrivacyLevel, ProviderType
from portfolioos.progress import CancelToken
from portfolioos.secrets import Keychain
from portfolioos.services.context import AppContext
from tests.llm_servers import serving


@pytest.fixture
def app(ctx: AppContext) -> AppContext:
    ctx.__dict__["keychain"] = Keychain(ctx.paths.root, config=ctx.config, backend=fail.Keyring())
    return ctx


def test_type_defaults(app: AppContext) -> None:
    manager = app.assistant.providers
    studio = manager.add("Studio", "lmstudio")
    assert studio.endpoint_url == "http://localhost:1234/v1"
    assert studio.is_local and studio.privacy_level is PrivacyLevel.FULL
    assert studio.key_name is None
    claude = manager.add("Claude", "anthropic", model="claude-x")
    assert claude.endpoint_url == "https://api.anthropic.com/v1"
    assert not claude.is_local and claude.privacy_level is PrivacyLevel.TOTALS
    assert claude.key_name == "anthropic-api-key"
    router = manager.add("Router", "openrouter", privacy_level="full", rate_limit_per_min=5)
    assert router.endpoint_url == "https://openrouter.ai/api/v1"
    assert router.privacy_level is PrivacyLevel.FULL and router.rate_limit_per_min == 5


def test_exactly_one_default(app: AppContext) -> None:
    manager = app.assistant.providers
    first = manager.add("a", "lmstudio")
    assert first.is_default  # the first provider becomes the default
    manager.add("b", "openai", model="m")
    manager.add("c", "anthropic", model="m", make_default=True)
    assert [p.name for p in manager.providers() if p.is_default] == ["c"]
    manager.set_default("b")
    assert [p.name for p in manager.providers() if p.is_default] == ["b"]
    assert manager.get().name == "b"
    manager.remove("b")
    assert sum(p.is_default for p in manager.providers()) == 1


def test_validation_and_lookup_errors(app: AppContext) -> None:
    manager = app.assistant.providers
    with pytest.raises(NotFoundError, match="No LLM provider is configured"):
        manager.get()
    with pytest.raises(ValidationError, match="Unknown provider type 'gemini'"):
        manager.add("x", "gemini")
    with pytest.raises(ValidationError, match="needs an endpoint URL"):
        manager.add("x", "openai_compatible")
    with pytest.raises(ValidationError, match="not an http"):
        manager.add("x", "openai_compatible", endpoint_url="ftp://host/v1")
    with pytest.raises(ValidationError, match="not in the URL"):
        manager.add("x", "openai_compatible", endpoint_url="https://u:p@host/v1")
    manager.add("dup", "lmstudio")
    with pytest.raises(ConflictError, match="named 'DUP' already exists"):
        manager.add("DUP", "lmstudio")
    with pytest.raises(NotFoundError, match=r"No LLM provider named 'nope' \(providers: dup\)"):
        manager.get("nope")


def test_rate_limiter_spaces_requests_beyond_the_limit() -> None:
    limiter = RateLimiter(2, window=0.4)
    started = time.monotonic()
    assert limiter.acquire() == 0 and limiter.acquire() == 0
    limiter.acquire()
    assert 0.3 <= time.monotonic() - started < 1.5


def test_rate_limiter_wait_can_be_cancelled() -> None:
    limiter = RateLimiter(1, window=30)
    limiter.acquire()
    token = CancelToken()
    threading.Timer(0.2, token.cancel).start()
    from portfolioos.errors import Cancelled

    with pytest.raises(Cancelled):
        limiter.acquire(token)


def test_the_rate_limit_is_per_provider_and_shared_by_its_instances(app: AppContext) -> None:
    with serving("openai") as server:
        manager = app.assistant.providers
        config = manager.add(
            "slow", "lmstudio", endpoint_url=server.url, model="m", rate_limit_per_min=2
        )
        other = manager.add("fast", "lmstudio", endpoint_url=server.url, model="m")
        limiter = limiter_for(config)
        assert limiter is limiter_for(manager.get("slow")) and limiter is not limiter_for(other)
        manager.provider("slow").list_models()
        manager.provider("slow").list_models()  # a new instance, the same budget
        token = CancelToken()
        threading.Timer(0.3, token.cancel).start()
        from portfolioos.errors import Cancelled

        with pytest.raises(Cancelled):
            manager.provider("slow").list_models(cancel=token)  # third in a minute: waits
        assert len(server.requests) == 2
        manager.provider("fast").list_models()
        assert len(server.requests) == 3
        assert manager.get("fast").provider_type is ProviderType.LMSTUDIO
