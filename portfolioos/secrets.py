"""API keys in the OS keychain, degrading loudly (Orange3's credentials.py, stricter).

Keys live under the keyring service "PortfolioOS". When keyring has no secure backend
(its fail or null backend, e.g. Linux without a Secret Service, or a plaintext one) we
never fall back silently: keys are held in memory for this process only, unless the
user explicitly opted into an unencrypted file (mode 0600, in the data folder; the
opt-in is a preference in config.sqlite). `status()` says which of the three modes is
in force and carries the warning the GUI shows while it is not the keychain.

Every key read or written is registered with `logsetup.redact()`, and no error message
here ever contains a key.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from portfolioos.errors import SecretsError, ValidationError
from portfolioos.logsetup import redact

if TYPE_CHECKING:
    from portfolioos.storage.config_store import ConfigStore

logger = logging.getLogger(__name__)

SERVICE = "PortfolioOS"
KNOWN_NAMES: tuple[str, ...] = (
    "fred-api-key",
    "openai-api-key",
    "anthropic-api-key",
    "openrouter-api-key",
)
# A provider-specific key: provider-<slug>-api-key (e.g. a second OpenRouter account).
_PROVIDER_KEY = re.compile(r"^provider-[a-z0-9]+(?:-[a-z0-9]+)*-api-key$")
PLAINTEXT_FILE = "secrets-unencrypted.json"
OPT_IN_PREFERENCE = "secrets.unencrypted_file"

Mode = Literal["keychain", "session", "file"]

# Session-only keys are process-wide, so every Keychain over the same folder sees them.
_session: dict[tuple[str, str], str] = {}
_session_lock = threading.Lock()


def validate_name(name: str) -> str:
    """Key names are a closed vocabulary: a typo must not create a key nobody reads."""
    text = name.strip()
    if text in KNOWN_NAMES or (len(text) <= 80 and _PROVIDER_KEY.match(text)):
        return text
    raise ValidationError(
        f"Unknown key name '{name}'; use one of {', '.join(KNOWN_NAMES)} "
        "or provider-<name>-api-key (lower-case letters, digits and dashes).",
        field="name",
    )


def provider_key_name(provider_name: str) -> str:
    """The key name for a provider that has its own key (an OpenAI-compatible server)."""
    slug = re.sub(r"[^a-z0-9]+", "-", provider_name.lower()).strip("-") or "provider"
    return validate_name(f"provider-{slug[:60].strip('-')}-api-key")


@dataclass(frozen=True, slots=True)
class KeychainStatus:
    """What the GUI shows next to the keys, and as a standing warning when not secure."""

    mode: Mode
    secure: bool
    backend: str
    warning: str | None
    file: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "secure": self.secure,
            "backend": self.backend,
            "warning": self.warning,
            "file": self.file,
        }


def _backend_is_secure(backend: Any) -> bool:
    from keyring.backends import chainer, fail, null

    if isinstance(backend, fail.Keyring | null.Keyring):
        return False
    if isinstance(backend, chainer.ChainerBackend):
        return any(_backend_is_secure(b) for b in backend.backends)
    name = type(backend).__name__.lower()
    module = type(backend).__module__
    if "plaintext" in name or "uncrypted" in name or module.startswith("keyrings.alt"):
        return False
    try:
        return float(backend.priority) > 0
    except Exception:  # a backend whose priority probe fails is not usable
        return False


class Keychain:
    """set/get/delete/has over keyring, or the session/file fallback for `data_dir`."""

    def __init__(
        self,
        data_dir: Path,
        *,
        config: ConfigStore | None = None,
        backend: Any | None = None,
        service: str = SERVICE,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.service = service
        self._config = config
        self._backend = backend
        self._secure: bool | None = None

    # -- mode -------------------------------------------------------------------

    @property
    def backend(self) -> Any:
        if self._backend is None:
            import keyring

            self._backend = keyring.get_keyring()
        return self._backend

    @property
    def secure(self) -> bool:
        # Probing a backend's priority can mean a D-Bus round trip: once per keychain.
        if self._secure is None:
            self._secure = _backend_is_secure(self.backend)
        return self._secure

    @property
    def plaintext_path(self) -> Path:
        return self.data_dir / PLAINTEXT_FILE

    def file_opted_in(self) -> bool:
        config = self._config_store()
        return bool(config.get_preference(OPT_IN_PREFERENCE)) if config is not None else False

    def set_file_opt_in(self, enabled: bool) -> None:
        """The explicit choice to keep keys unencrypted when no keychain exists.

        Turning it off moves nothing back silently: the file is deleted and its keys
        are kept for this session only.
        """
        config = self._config_store(create=True)
        assert config is not None
        if enabled:
            config.set_preference(OPT_IN_PREFERENCE, True)
            return
        keys = self._read_file()
        config.delete_preference(OPT_IN_PREFERENCE)
        with _session_lock:
            for name, value in keys.items():
                _session[(self._scope, name)] = value
        self.plaintext_path.unlink(missing_ok=True)

    def mode(self) -> Mode:
        if self.secure:
            return "keychain"
        return "file" if self.file_opted_in() else "session"

    def status(self) -> KeychainStatus:
        backend = type(self.backend)
        backend_name = f"{backend.__module__}.{backend.__qualname__}"
        mode = self.mode()
        if mode == "keychain":
            return KeychainStatus(mode, True, backend_name, None, None)
        if mode == "file":
            warning = (
                f"No secure keychain is available: API keys are stored UNENCRYPTED in "
                f"{self.plaintext_path} (you chose this). Anyone who can read that file "
                "can use your keys."
            )
            return KeychainStatus(mode, False, backend_name, warning, str(self.plaintext_path))
        warning = (
            "No secure keychain is available (no Secret Service / OS keychain was found): "
            "API keys are kept in memory for this session only and are forgotten when "
            "PortfolioOS closes. Install or unlock a keychain, or explicitly choose to "
            "store keys in an unencrypted file."
        )
        return KeychainStatus(mode, False, backend_name, warning, None)

    # -- keys -------------------------------------------------------------------

    def get(self, name: str) -> str | None:
        name = validate_name(name)
        mode = self.mode()
        if mode == "keychain":
            value = self._keyring_call(
                "read", name, lambda: self.backend.get_password(self.service, name)
            )
        else:
            with _session_lock:
                value = _session.get((self._scope, name))
            if value is None and mode == "file":
                value = self._read_file().get(name)
        if value:
            redact(value)
            return str(value)
        return None

    def set(self, name: str, value: str) -> Mode:
        """Store a key; returns where it went, so the caller can say so."""
        name = validate_name(name)
        value = value.strip()
        if not value:
            raise ValidationError(f"The value for '{name}' is empty.", field="value")
        if any(c in value for c in "\r\n\0"):
            raise ValidationError(f"The value for '{name}' contains a line break.", field="value")
        if not value.isascii() or not value.isprintable() or any(c.isspace() for c in value):
            # it goes into an HTTP header: refuse now, not as an encoding error mid-request
            raise ValidationError(
                f"The value for '{name}' contains spaces or characters an API key cannot have "
                "(only printable ASCII).",
                field="value",
            )
        redact(value)
        mode = self.mode()
        if mode == "keychain":
            self._keyring_call(
                "store", name, lambda: self.backend.set_password(self.service, name, value)
            )
        elif mode == "file":
            keys = self._read_file()
            keys[name] = value
            self._write_file(keys)
        else:
            with _session_lock:
                _session[(self._scope, name)] = value
            logger.warning("no secure keychain: key '%s' is held for this session only", name)
        logger.info("stored key '%s' (%s)", name, mode)
        return mode

    def delete(self, name: str) -> bool:
        """Forget a key wherever it is; True when there was one."""
        import keyring.errors

        name = validate_name(name)
        found = False
        with _session_lock:
            found = _session.pop((self._scope, name), None) is not None
        if self.mode() == "keychain":
            try:
                self.backend.delete_password(self.service, name)
                found = True
            except keyring.errors.PasswordDeleteError:
                pass
            except keyring.errors.KeyringError as exc:
                raise SecretsError(
                    f"The keychain refused to delete '{name}': {_safe(exc)}"
                ) from None
        if self.plaintext_path.exists():
            keys = self._read_file()
            if keys.pop(name, None) is not None:
                found = True
                self._write_file(keys)
        logger.info("deleted key '%s' (found: %s)", name, found)
        return found

    def has(self, name: str) -> bool:
        return self.get(name) is not None

    # -- internals --------------------------------------------------------------

    @property
    def _scope(self) -> str:
        return f"{self.service}:{self.data_dir}"

    def _config_store(self, *, create: bool = False) -> ConfigStore | None:
        if self._config is None:
            from portfolioos.storage.config_store import ConfigStore

            db = self.data_dir / "config.sqlite"
            if not db.exists() and not create:
                return None
            (self.data_dir / "backups").mkdir(parents=True, exist_ok=True)
            self._config = ConfigStore(db, self.data_dir / "backups")
        return self._config

    def _keyring_call(self, verb: str, name: str, call: Any) -> Any:
        import keyring.errors

        try:
            return call()
        except keyring.errors.KeyringError as exc:
            raise SecretsError(
                f"The keychain could not {verb} '{name}': {_safe(exc)}. Nothing was stored "
                "elsewhere instead."
            ) from None

    def _read_file(self) -> dict[str, str]:
        path = self.plaintext_path
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise SecretsError(f"Cannot read {path}: {exc.strerror}") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            raise SecretsError(f"{path} is not valid JSON; fix or delete it.") from None
        keys = {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
        for value in keys.values():
            redact(value)
        return keys

    def _write_file(self, keys: dict[str, str]) -> None:
        path = self.plaintext_path
        tmp = path.with_name(path.name + ".tmp")
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            tmp.unlink(missing_ok=True)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(keys, handle, indent=1, sort_keys=True)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise SecretsError(f"Cannot write {path}: {exc.strerror}") from None


def scrub(text: str) -> str:
    """`text` with every key this process has seen replaced by ***: for provider error
    messages, which sometimes echo the key they were given."""
    from portfolioos import logsetup

    with logsetup._secrets_lock:
        secrets = tuple(logsetup._secrets)
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def _safe(exc: BaseException) -> str:
    return scrub(str(exc) or type(exc).__name__)


# -- the module-level API other code uses -----------------------------------------

_default: Keychain | None = None
_default_lock = threading.Lock()


def configure(data_dir: Path, *, config: ConfigStore | None = None) -> Keychain:
    """Make the keychain of this data folder the one `get_secret()` and friends use."""
    global _default
    with _default_lock:
        if _default is None or _default.data_dir != Path(data_dir) or config is not None:
            _default = Keychain(Path(data_dir), config=config)
        return _default


def default_keychain() -> Keychain:
    with _default_lock:
        if _default is not None:
            return _default
    from portfolioos.paths import resolve_data_dir

    return configure(resolve_data_dir().root)


def get_secret(name: str) -> str | None:
    return default_keychain().get(name)


def set_secret(name: str, value: str) -> Mode:
    return default_keychain().set(name, value)


def delete_secret(name: str) -> bool:
    return default_keychain().delete(name)


def has_secret(name: str) -> bool:
    return default_keychain().has(name)


def status() -> KeychainStatus:
    return default_keychain().status()
