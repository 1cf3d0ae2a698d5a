"""The one gate every outgoing LLM request passes through.

`Transport` (llm/transport.py) is the only code that opens an HTTP connection to a
provider and it calls `ConsentGate.require()` first, with exactly the method, URL,
headers (the key masked) and JSON body it is about to send. A cloud provider
(`is_local` false) without a stored consent for the current `CONSENT_VERSION` and its
current privacy level gets nothing: `ConsentNeeded` carries the request, so the GUI
and the CLI can show the user precisely what would leave the machine.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from portfolioos.errors import ConsentRequiredError
from portfolioos.llm.types import ProviderConfig

# Bump when what we send, or what the consent wording says, changes: everyone is asked again.
CONSENT_VERSION = 1

Reason = Literal["missing", "version", "privacy_level"]

MASKED = "(your API key, never shown)"


@dataclass(frozen=True, slots=True)
class OutgoingRequest:
    """What one request will send, as the user may review it (no secrets inside)."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "url": self.url,
            "headers": dict(self.headers),
            "body": self.body,
        }

    def text(self) -> str:
        lines = [f"{self.method} {self.url}"]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        if self.body is not None:
            lines += ["", json.dumps(self.body, indent=2, ensure_ascii=False)]
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class ConsentRequest:
    provider_id: int
    provider: str
    privacy_level: str
    version: int
    reason: Reason
    request: OutgoingRequest

    def as_dict(self) -> dict[str, Any]:
        return {
            "provider_id": self.provider_id,
            "provider": self.provider,
            "privacy_level": self.privacy_level,
            "consent_version": self.version,
            "reason": self.reason,
            "request": self.request.as_dict(),
        }


class ConsentNeeded(ConsentRequiredError):
    """Raised before anything is sent; `.consent` is what to show the user."""

    def __init__(self, message: str, consent: ConsentRequest) -> None:
        super().__init__(message)
        self.consent = consent


def missing_consent(config: ProviderConfig) -> Reason | None:
    """Why this provider may not be sent anything now (None: it may)."""
    if config.is_local:
        return None
    if config.consent is None:
        return "missing"
    if config.consent.version != CONSENT_VERSION:
        return "version"
    if config.consent.privacy_level != config.privacy_level:
        return "privacy_level"
    return None


_WHY = {
    "missing": "you have not agreed to send data to it yet",
    "version": "what PortfolioOS sends has changed since you agreed",
    "privacy_level": "its privacy level changed since you agreed",
}


class ConsentGate:
    """Checks the provider's *stored* consent at the moment of sending (so a revocation
    takes effect at once), never a copy the caller holds."""

    def __init__(self, lookup: Callable[[int], ProviderConfig]) -> None:
        self._lookup = lookup

    def require(self, config: ProviderConfig, request: OutgoingRequest) -> None:
        fresh = self._lookup(config.id)
        reason = missing_consent(fresh)
        if reason is None:
            return
        consent = ConsentRequest(
            provider_id=fresh.id,
            provider=fresh.name,
            privacy_level=fresh.privacy_level.value,
            version=CONSENT_VERSION,
            reason=reason,
            request=request,
        )
        raise ConsentNeeded(
            f"Nothing was sent to the cloud provider '{fresh.name}': {_WHY[reason]}. "
            "Review what would be sent and agree with "
            f"`portfolioos llm consent {shlex.quote(fresh.name)}` "
            "(or in the assistant's consent dialog).",
            consent,
        )
