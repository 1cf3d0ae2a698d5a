"""Loopback provider servers and provider configs for the llm tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from portfolioos.llm.consent import ConsentGate
from portfolioos.llm.types import PrivacyLevel, ProviderConfig, ProviderType
from tests.llm_servers import FakeLLMServer, serving


@pytest.fixture
def openai_server() -> Iterator[FakeLLMServer]:
    with serving("openai") as server:
        yield server


@pytest.fixture
def anthropic_server() -> Iterator[FakeLLMServer]:
    with serving("anthropic") as server:
        yield server


_ids = iter(range(1000, 100000))


def local_config(
    url: str, kind: ProviderType = ProviderType.OPENAI_COMPATIBLE, **extra: object
) -> ProviderConfig:
    """A provider marked local (no consent needed): the wire format is under test here."""
    fields: dict[str, object] = dict(
        id=next(_ids),
        name="test",
        provider_type=kind,
        endpoint_url=url,
        model="test-model",
        is_local=True,
        privacy_level=PrivacyLevel.FULL,
        rate_limit_per_min=1000,
    )
    fields.update(extra)
    return ProviderConfig(**fields)  # type: ignore[arg-type]


def open_gate(config: ProviderConfig) -> ConsentGate:
    return ConsentGate(lambda _id: config)
