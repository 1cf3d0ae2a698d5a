"""The keychain wrapper: the real Secret Service, and keyring's fail backend.

Tests marked `keyring` run against the gnome-keyring that scripts/with-keyring.sh
starts in a private D-Bus session; the others force keyring's fail backend, the one
keyring picks on a Linux box without a Secret Service.
"""

from __future__ import annotations

import contextlib
import logging
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from keyring.backends import fail

from portfolioos import secrets
from portfolioos.errors import ValidationError
from portfolioos.logsetup import RedactingFilter
from portfolioos.secrets import Keychain, validate_name


def files_containing(root: Path, needle: str) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and needle.encode() in p.read_bytes()]


def secret_service_items(name: str) -> list[str]:
    import secretstorage

    conn = secretstorage.dbus_init()
    try:
        collection = secretstorage.get_default_collection(conn)
        return [
            item.get_secret().decode()
            for item in collection.search_items({"service": "PortfolioOS", "username": name})
        ]
    finally:
        conn.close()


@pytest.fixture
def key_name() -> Iterator[str]:
    name = f"provider-test-{uuid.uuid4().hex[:10]}-api-key"
    yield name
    import keyring

    with contextlib.suppress(Exception):
        keyring.delete_password("PortfolioOS", name)


# -- names ----------------------------------------------------------------------------


def test_names_are_a_closed_vocabulary() -> None:
    for name in (
        "fred-api-key",
        "openai-api-key",
        "anthropic-api-key",
        "openrouter-api-key",
        "provider-together-ai-api-key",
    ):
        assert validate_name(name) == name
    for bad in (
        "openai",
        "OPENAI-API-KEY",
        "provider--api-key",
        "provider-x_y-api-key",
        "../etc/passwd",
        "",
        "provider-" + "a" * 80 + "-api-key",
    ):
        with pytest.raises(ValidationError, match="Unknown key name"):
            validate_name(bad)
    assert secrets.provider_key_name("My Server #2") == "provider-my-server-2-api-key"


# -- the real Secret Service -------------------------------------------------------------


@pytest.mark.keyring
def test_keys_round_trip_through_the_secret_service(tmp_path: Path, key_name: str) -> None:
    keychain = Keychain(tmp_path)
    assert keychain.status().mode == "keychain" and keychain.status().warning is None
    assert not keychain.has(key_name)

    assert keychain.set(key_name, "  sk-real-ss-value-123 \n") == "keychain"
    assert secret_service_items(key_name) == ["sk-real-ss-value-123"]
    assert Keychain(tmp_path / "other").get(key_name) == "sk-real-ss-value-123"
    assert keychain.has(key_name)
    assert files_containing(tmp_path, "sk-real-ss-value-123") == []

    assert keychain.delete(key_name) is True
    assert secret_service_items(key_name) == []
    assert keychain.get(key_name) is None
    assert keychain.delete(key_name) is False


@pytest.mark.keyring
def test_module_api_uses_the_configured_folder(tmp_path: Path, key_name: str) -> None:
    secrets.configure(tmp_path)
    secrets.set_secret(key_name, "sk-module-api-456")
    assert secrets.has_secret(key_name)
    assert secrets.get_secret(key_name) == "sk-module-api-456"
    assert secrets.status().secure
    assert secrets.delete_secret(key_name)
    assert secrets.get_secret(key_name) is None


# -- no secure backend ---------------------------------------------------------------


def test_fail_backend_keeps_keys_for_the_session_only_and_says_so(tmp_path: Path) -> None:
    keychain = Keychain(tmp_path, backend=fail.Keyring())
    status = keychain.status()
    assert status.mode == "session" and not status.secure
    assert status.backend == "keyring.backends.fail.Keyring"
    assert status.warning and "session only" in status.warning

    assert keychain.set("openai-api-key", "sk-session-only-789") == "session"
    assert keychain.get("openai-api-key") == "sk-session-only-789"
    # another keychain over the same folder in this process sees it (one session)...
    assert Keychain(tmp_path, backend=fail.Keyring()).has("openai-api-key")
    # ...a different folder does not
    assert not Keychain(tmp_path / "x", backend=fail.Keyring()).has("openai-api-key")
    assert files_containing(tmp_path, "sk-session-only-789") == []
    assert keychain.delete("openai-api-key")
    assert keychain.get("openai-api-key") is None


def test_the_unencrypted_file_only_after_an_explicit_opt_in(ctx: object) -> None:
    from portfolioos.services.context import AppContext

    assert isinstance(ctx, AppContext)
    root = ctx.paths.root
    keychain = Keychain(root, config=ctx.config, backend=fail.Keyring())
    keychain.set("fred-api-key", "fred-before-opt-in-0001")
    assert not keychain.plaintext_path.exists()

    keychain.set_file_opt_in(True)
    status = keychain.status()
    assert status.mode == "file" and not status.secure
    assert status.warning and "UNENCRYPTED" in status.warning
    assert status.file == str(root / "secrets-unencrypted.json")
    keychain.set("anthropic-api-key", "sk-ant-in-file-0002")
    assert stat.S_IMODE(keychain.plaintext_path.stat().st_mode) == 0o600
    assert files_containing(root, "sk-ant-in-file-0002") == [keychain.plaintext_path]
    assert ctx.config.get_preference("secrets.unencrypted_file") is True
    assert (
        Keychain(root, config=ctx.config, backend=fail.Keyring()).get("anthropic-api-key")
        == "sk-ant-in-file-0002"
    )

    keychain.set_file_opt_in(False)  # back out: the file goes, the keys stay for the session
    assert not keychain.plaintext_path.exists()
    assert keychain.status().mode == "session"
    assert keychain.get("anthropic-api-key") == "sk-ant-in-file-0002"
    assert files_containing(root, "sk-ant-in-file-0002") == []


def test_empty_or_multiline_values_are_refused(tmp_path: Path) -> None:
    keychain = Keychain(tmp_path, backend=fail.Keyring())
    with pytest.raises(ValidationError, match="empty"):
        keychain.set("openai-api-key", "   ")
    with pytest.raises(ValidationError, match="line break"):
        keychain.set("openai-api-key", "sk-one\nsk-two")
    for bad in ("sk-with space", "sk-caf\u00e9", "sk-tab\there"):
        with pytest.raises(ValidationError, match="only printable ASCII") as info:
            keychain.set("openai-api-key", bad)
        assert bad not in info.value.message
    assert not keychain.has("openai-api-key")


def test_every_key_read_is_redacted_from_log_records(tmp_path: Path) -> None:
    keychain = Keychain(tmp_path, backend=fail.Keyring())
    keychain.set("openrouter-api-key", "sk-or-redact-me-4242")
    keychain.get("openrouter-api-key")
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "sending with %s", ("sk-or-redact-me-4242",), None
    )
    RedactingFilter().filter(record)
    assert record.getMessage() == "sending with ***"
    assert secrets.scrub("key sk-or-redact-me-4242 refused") == "key *** refused"
