"""`portfolioos keys ...` in real subprocesses: the Secret Service, and no keychain."""

from __future__ import annotations

import contextlib
import json
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import cli_env

FAIL = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


def files_containing(root: Path, needle: str) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and needle.encode() in p.read_bytes()]


@pytest.fixture
def secret() -> Iterator[str]:
    value = f"sk-cli-{uuid.uuid4().hex}"
    yield value


@pytest.mark.keyring
def test_a_key_set_through_the_cli_is_in_the_secret_service_and_nowhere_else(
    run_cli, data_dir: Path, secret: str
) -> None:  # type: ignore[no-untyped-def]
    import keyring
    import secretstorage

    try:
        done = run_cli("-v", "keys", "set", "openai-api-key", input=secret + "\n")
        assert done.returncode == 0, done.stderr
        assert "stored 'openai-api-key' in the system keychain" in done.stdout

        conn = secretstorage.dbus_init()
        items = list(
            secretstorage.get_default_collection(conn).search_items(
                {"service": "PortfolioOS", "username": "openai-api-key"}
            )
        )
        assert [i.get_secret().decode() for i in items] == [secret]
        conn.close()

        status = run_cli("-v", "keys", "status", "--json")
        payload = json.loads(status.stdout)
        assert payload["mode"] == "keychain" and payload["secure"] is True
        assert payload["warning"] is None
        assert payload["keys"]["openai-api-key"] is True
        assert payload["keys"]["fred-api-key"] is False

        # use it: a provider request logs at debug level, the key must not reach the log
        run_cli(
            "-v",
            "llm",
            "providers",
            "add",
            "gpt",
            "--type",
            "openai",
            "--model",
            "m",
            "--endpoint",
            "http://127.0.0.1:9/v1",
        )
        run_cli("-v", "llm", "consent", "gpt")
        run_cli("-v", "llm", "providers", "test", "gpt")

        assert (data_dir / "logs" / "portfolioos.log").stat().st_size > 0
        assert files_containing(data_dir, secret) == []
        assert files_containing(data_dir, secret[-12:]) == []

        gone = run_cli("keys", "delete", "openai-api-key")
        assert gone.returncode == 0 and "deleted 'openai-api-key'" in gone.stdout
        assert keyring.get_password("PortfolioOS", "openai-api-key") is None
    finally:
        with contextlib.suppress(Exception):
            keyring.delete_password("PortfolioOS", "openai-api-key")


def test_the_key_is_never_taken_from_the_command_line(run_cli) -> None:  # type: ignore[no-untyped-def]
    done = run_cli("keys", "set", "openai-api-key", "sk-on-argv", env=cli_env(**FAIL))
    assert done.returncode == 2
    assert "unrecognized arguments" in done.stderr


def test_unknown_names_and_empty_input_are_refused(run_cli) -> None:  # type: ignore[no-untyped-def]
    bad = run_cli("keys", "set", "my-key", input="x\n", env=cli_env(**FAIL))
    assert bad.returncode == 1 and "Unknown key name 'my-key'" in bad.stderr
    empty = run_cli(
        "keys",
        "set",
        "fred-api-key",
        input="\n",
        env=cli_env(PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring"),
    )
    assert empty.returncode == 1


def test_without_a_keychain_nothing_is_written_unless_opted_in(
    run_cli, data_dir: Path, secret: str
) -> None:  # type: ignore[no-untyped-def]
    env = cli_env(**FAIL)
    refused = run_cli("keys", "set", "anthropic-api-key", input=secret, env=env)
    assert refused.returncode == 1
    assert "No secure keychain" in refused.stderr and "nothing was stored" in refused.stderr
    assert "keys file-storage on" in refused.stderr
    assert files_containing(data_dir, secret) == []

    status = json.loads(run_cli("keys", "status", "--json", env=env).stdout)
    assert status["mode"] == "session" and status["secure"] is False
    assert "session only" in status["warning"]

    assert run_cli("keys", "file-storage", "on", env=env).returncode == 0
    stored = run_cli("keys", "set", "anthropic-api-key", input=secret, env=env)
    assert stored.returncode == 0, stored.stderr
    assert "UNENCRYPTED" in stored.stderr
    plain = data_dir / "secrets-unencrypted.json"
    assert files_containing(data_dir, secret) == [plain]
    assert stat.S_IMODE(plain.stat().st_mode) == 0o600
    status = json.loads(run_cli("keys", "status", "--json", env=env).stdout)
    assert status["mode"] == "file" and status["file"] == str(plain)
    assert status["keys"]["anthropic-api-key"] is True

    assert run_cli("keys", "delete", "anthropic-api-key", env=env).returncode == 0
    assert files_containing(data_dir, secret) == []
