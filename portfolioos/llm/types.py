"""Plain records shared by every provider: messages, answers, usage, provider configs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

Role = Literal["system", "user", "assistant"]


class ProviderType(StrEnum):
    LMSTUDIO = "lmstudio"
    OPENAI_COMPATIBLE = "openai_compatible"
    OPENAI = "openai"
    OPENROUTER = "openrouter"
    ANTHROPIC = "anthropic"


class PrivacyLevel(StrEnum):
    """What the assistant may send: `totals` (totals and weights only) or `full`."""

    TOTALS = "totals"
    FULL = "full"


# Cloud types are always cloud, whatever the endpoint: consent can never be skipped by
# pointing one at another host.
CLOUD_TYPES = frozenset({ProviderType.OPENAI, ProviderType.OPENROUTER, ProviderType.ANTHROPIC})

DEFAULT_ENDPOINTS: dict[ProviderType, str] = {
    ProviderType.LMSTUDIO: "http://localhost:1234/v1",
    ProviderType.OPENAI: "https://api.openai.com/v1",
    ProviderType.OPENROUTER: "https://openrouter.ai/api/v1",
    ProviderType.ANTHROPIC: "https://api.anthropic.com/v1",
}

# The key each provider type reads; an OpenAI-compatible server gets its own name.
DEFAULT_KEY_NAMES: dict[ProviderType, str] = {
    ProviderType.OPENAI: "openai-api-key",
    ProviderType.OPENROUTER: "openrouter-api-key",
    ProviderType.ANTHROPIC: "anthropic-api-key",
}


@dataclass(frozen=True, slots=True)
class ChatMessage:
    role: Role
    content: str


@dataclass(frozen=True, slots=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens


@dataclass(frozen=True, slots=True)
class Completion:
    text: str
    model: str
    usage: Usage | None
    finish_reason: str | None = None


@dataclass(frozen=True, slots=True)
class ModelInfo:
    id: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class Consent:
    """The user's yes for one cloud provider: when, to which wording, at which level."""

    version: int
    granted_at: datetime
    privacy_level: PrivacyLevel

    def as_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "granted_at": self.granted_at.isoformat(timespec="seconds"),
            "privacy_level": self.privacy_level.value,
        }

    @classmethod
    def from_json(cls, data: Any) -> Consent | None:
        if not isinstance(data, dict):
            return None
        try:
            return cls(
                version=int(data["version"]),
                granted_at=datetime.fromisoformat(str(data["granted_at"])),
                privacy_level=PrivacyLevel(str(data.get("privacy_level", "totals"))),
            )
        except (KeyError, TypeError, ValueError):
            return None


@dataclass(frozen=True, slots=True)
class ProviderConfig:
    id: int
    name: str
    provider_type: ProviderType
    endpoint_url: str
    model: str = ""
    is_default: bool = False
    is_local: bool = False
    privacy_level: PrivacyLevel = PrivacyLevel.TOTALS
    rate_limit_per_min: int = 30
    consent: Consent | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def key_name(self) -> str | None:
        """Which keychain entry holds this provider's key (None: it needs none)."""
        from portfolioos.secrets import provider_key_name

        if self.provider_type in DEFAULT_KEY_NAMES:
            return DEFAULT_KEY_NAMES[self.provider_type]
        if self.provider_type is ProviderType.LMSTUDIO:
            return None
        return provider_key_name(self.name)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "provider_type": self.provider_type.value,
            "endpoint_url": self.endpoint_url,
            "model": self.model,
            "is_default": self.is_default,
            "is_local": self.is_local,
            "privacy_level": self.privacy_level.value,
            "rate_limit_per_min": self.rate_limit_per_min,
            "key_name": self.key_name,
            "consent": self.consent.as_json() if self.consent else None,
        }
