"""Provider configs in config.sqlite turned into live providers, keys from the keychain.

Every provider object it builds shares one `ConsentGate` reading the store, so no path
(assistant, test connection, model list, CLI) can reach a cloud provider without the
user's stored consent.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from ipaddress import ip_address
from urllib.parse import urlsplit

from portfolioos.errors import NotFoundError, ValidationError
from portfolioos.llm.anthropic import AnthropicProvider
from portfolioos.llm.base import ConnectionReport, LLMProvider
from portfolioos.llm.consent import CONSENT_VERSION, ConsentGate
from portfolioos.llm.openai_compat import OpenAICompatibleProvider
from portfolioos.llm.transport import RetryPolicy, Timeouts
from portfolioos.llm.types import (
    CLOUD_TYPES,
    DEFAULT_ENDPOINTS,
    Consent,
    ModelInfo,
    PrivacyLevel,
    ProviderConfig,
    ProviderType,
)
from portfolioos.progress import NEVER_CANCELLED, CancelToken
from portfolioos.secrets import Keychain
from portfolioos.storage.provider_store import ProviderStore

logger = logging.getLogger(__name__)


def parse_provider_type(value: str | ProviderType) -> ProviderType:
    try:
        return ProviderType(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(t.value for t in ProviderType)
        raise ValidationError(
            f"Unknown provider type '{value}'; use one of: {allowed}.", field="provider_type"
        ) from None


def parse_privacy_level(value: str | PrivacyLevel) -> PrivacyLevel:
    try:
        return PrivacyLevel(str(value).strip().lower())
    except ValueError:
        raise ValidationError(
            f"Unknown privacy level '{value}'; use 'totals' or 'full'.", field="privacy_level"
        ) from None


def is_loopback_url(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def _check_url(url: str) -> str:
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(f"Endpoint '{url}' is not an http(s) URL.", field="endpoint_url")
    if parts.username or parts.password:
        raise ValidationError(
            "Put credentials in the keychain (keys set), not in the URL.", field="endpoint_url"
        )
    return text.rstrip("/")


class ProviderManager:
    def __init__(
        self,
        store: ProviderStore,
        keychain: Keychain,
        *,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.store = store
        self.keychain = keychain
        self.timeouts = timeouts
        self.retry = retry
        self.gate = ConsentGate(store.get)

    # -- configs ----------------------------------------------------------------

    def providers(self) -> list[ProviderConfig]:
        return self.store.all()

    def get(self, ref: int | str | None = None) -> ProviderConfig:
        """A provider by name or id; None: the default one."""
        if ref is None:
            found = self.store.default()
            if found is None:
                raise NotFoundError(
                    "No LLM provider is configured; add one with "
                    "`portfolioos llm providers add NAME --type lmstudio`."
                )
            return found
        if isinstance(ref, int):
            return self.store.get(ref)
        found = self.store.find(ref)
        if found is None and ref.strip().isdigit():
            return self.store.get(int(ref))
        if found is None:
            names = ", ".join(p.name for p in self.store.all()) or "none yet"
            raise NotFoundError(f"No LLM provider named '{ref}' (providers: {names}).")
        return found

    def add(
        self,
        name: str,
        provider_type: str | ProviderType,
        *,
        endpoint_url: str | None = None,
        model: str = "",
        is_local: bool | None = None,
        privacy_level: str | PrivacyLevel | None = None,
        rate_limit_per_min: int = 30,
        make_default: bool = False,
    ) -> ProviderConfig:
        """Add a provider with the defaults of its type (LM Studio: local, full detail;
        cloud: totals only). A cloud type is cloud whatever `is_local` says."""
        config = _build(
            0,
            name,
            provider_type,
            endpoint_url=endpoint_url,
            model=model,
            is_local=is_local,
            privacy_level=privacy_level,
            rate_limit_per_min=rate_limit_per_min,
            make_default=make_default,
        )
        added = self.store.insert(config)
        logger.info(
            "added LLM provider %s (%s, local=%s)",
            added.name,
            added.provider_type.value,
            added.is_local,
        )
        return added

    def update(
        self,
        ref: int | str,
        *,
        name: str | None = None,
        provider_type: str | ProviderType | None = None,
        endpoint_url: str | None = None,
        model: str | None = None,
        is_local: bool | None = None,
        privacy_level: str | PrivacyLevel | None = None,
        rate_limit_per_min: int | None = None,
    ) -> ProviderConfig:
        """Change a provider; fields left None keep their value. Pointing a cloud
        provider at another type or endpoint voids its consent: the user agreed to send
        to that service, not to whatever the config names next."""
        old = self.get(ref)
        kind = parse_provider_type(provider_type) if provider_type else old.provider_type
        url = endpoint_url if endpoint_url is not None else old.endpoint_url
        if kind is not old.provider_type and endpoint_url is None:
            url = DEFAULT_ENDPOINTS.get(kind) or old.endpoint_url
        # Local-or-cloud is re-derived when the place changes: a config pointed from a
        # loopback server to a remote one must not stay "local" and skip consent.
        same_place = kind is old.provider_type and _check_url(url) == old.endpoint_url
        new = _build(
            old.id,
            old.name if name is None else name,
            kind,
            endpoint_url=url,
            model=old.model if model is None else model,
            is_local=is_local if is_local is not None or not same_place else old.is_local,
            privacy_level=privacy_level or old.privacy_level,
            rate_limit_per_min=(
                old.rate_limit_per_min if rate_limit_per_min is None else rate_limit_per_min
            ),
            make_default=old.is_default,
        )
        updated = self.store.update(new)
        moved = new.provider_type is not old.provider_type or new.endpoint_url != old.endpoint_url
        if moved and old.consent is not None:
            self.store.set_consent(old.id, None)
            updated = self.store.get(old.id)
            logger.info("consent for %s voided: its type or endpoint changed", updated.name)
        return updated

    def remove(self, ref: int | str) -> ProviderConfig:
        config = self.get(ref)
        self.store.delete(config.id)
        return config

    def set_default(self, ref: int | str) -> ProviderConfig:
        config = self.get(ref)
        self.store.set_default(config.id)
        return self.store.get(config.id)

    def set_privacy_level(self, ref: int | str, level: str | PrivacyLevel) -> ProviderConfig:
        """Changing the level of a cloud provider voids its consent until asked again."""
        from dataclasses import replace

        config = self.get(ref)
        return self.store.update(replace(config, privacy_level=parse_privacy_level(level)))

    def grant_consent(self, ref: int | str) -> ProviderConfig:
        config = self.get(ref)
        consent = Consent(CONSENT_VERSION, datetime.now(UTC), config.privacy_level)
        self.store.set_consent(config.id, consent)
        logger.info(
            "consent granted for %s (version %d, %s)",
            config.name,
            CONSENT_VERSION,
            config.privacy_level.value,
        )
        return self.store.get(config.id)

    def revoke_consent(self, ref: int | str) -> ProviderConfig:
        config = self.get(ref)
        self.store.set_consent(config.id, None)
        logger.info("consent revoked for %s", config.name)
        return self.store.get(config.id)

    # -- live providers ---------------------------------------------------------

    def provider(self, ref: int | str | ProviderConfig | None = None) -> LLMProvider:
        config = ref if isinstance(ref, ProviderConfig) else self.get(ref)
        key = self.keychain.get(config.key_name) if config.key_name else None
        # Cloud services always need their key; a self-hosted server may run without one.
        missing = config.key_name if key is None and config.provider_type in CLOUD_TYPES else None
        if config.provider_type is ProviderType.ANTHROPIC:
            return AnthropicProvider(
                config,
                api_key=key,
                gate=self.gate,
                timeouts=self.timeouts,
                retry=self.retry,
                missing_key=missing,
            )
        return OpenAICompatibleProvider(
            config,
            api_key=key,
            gate=self.gate,
            timeouts=self.timeouts,
            retry=self.retry,
            missing_key=missing,
        )

    def test(
        self, ref: int | str | None = None, *, cancel: CancelToken = NEVER_CANCELLED
    ) -> ConnectionReport:
        return self.provider(ref).test_connection(cancel=cancel)

    def list_models(
        self, ref: int | str | None = None, *, cancel: CancelToken = NEVER_CANCELLED
    ) -> list[ModelInfo]:
        return self.provider(ref).list_models(cancel=cancel)


def _build(
    provider_id: int,
    name: str,
    provider_type: str | ProviderType,
    *,
    endpoint_url: str | None,
    model: str,
    is_local: bool | None,
    privacy_level: str | PrivacyLevel | None,
    rate_limit_per_min: int,
    make_default: bool,
) -> ProviderConfig:
    """A validated config with the defaults of its type filled in."""
    if not name.strip():
        raise ValidationError("A provider needs a name.", field="name")
    kind = parse_provider_type(provider_type)
    url = endpoint_url or DEFAULT_ENDPOINTS.get(kind)
    if not url:
        raise ValidationError(
            f"A '{kind.value}' provider needs an endpoint URL.", field="endpoint_url"
        )
    url = _check_url(url)
    if kind in CLOUD_TYPES:
        if is_local:
            raise ValidationError(
                f"A '{kind.value}' provider is a cloud service; it cannot be marked local.",
                field="is_local",
            )
        local = False
    elif is_local is None:
        local = kind is ProviderType.LMSTUDIO or is_loopback_url(url)
    else:
        local = is_local
    level = (
        parse_privacy_level(privacy_level)
        if privacy_level
        else (PrivacyLevel.FULL if local else PrivacyLevel.TOTALS)
    )
    if not 1 <= rate_limit_per_min <= 10_000:
        raise ValidationError(
            "The rate limit must be between 1 and 10000 requests a minute.",
            field="rate_limit_per_min",
        )
    config = ProviderConfig(
        id=provider_id,
        name=name.strip(),
        provider_type=kind,
        endpoint_url=url,
        model=model.strip(),
        is_default=make_default,
        is_local=local,
        privacy_level=level,
        rate_limit_per_min=rate_limit_per_min,
    )
    config.key_name  # noqa: B018 - validates that the name gives a usable key name
    return config
