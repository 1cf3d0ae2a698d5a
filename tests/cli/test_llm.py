"""`portfolioos llm ...` in real subprocesses against loopback provider servers."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.conftest import cli_env
from tests.llm_servers import FakeLLMServer, serving

ENV = cli_env(PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")


@pytest.fixture
def server() -> Iterator[FakeLLMServer]:
    with serving("openai") as s:
        yield s


def ok(done) -> str:  # type: ignore[no-untyped-def]
    assert done.returncode == 0, done.stderr
    return str(done.stdout)


def test_providers_add_list_default_remove(run_cli) -> None:  # type: ignore[no-untyped-def]
    ok(run_cli("llm", "providers", "add", "studio", "--type", "lmstudio", env=ENV))
    ok(run_cli("llm", "providers", "add", "gpt", "--type", "openai", "--model", "gpt-x", env=ENV))
    rows = json.loads(ok(run_cli("llm", "providers", "list", "--json", env=ENV)))
    assert [(r["name"], r["is_default"], r["is_local"], r["privacy_level"]) for r in rows] == [
        ("studio", True, True, "full"),
        ("gpt", False, False, "totals"),
    ]
    assert rows[0]["endpoint_url"] == "http://localhost:1234/v1"
    assert rows[1]["key_name"] == "openai-api-key" and rows[1]["consent"] is None
    ok(run_cli("llm", "providers", "set-default", "gpt", env=ENV))
    rows = json.loads(ok(run_cli("llm", "providers", "list", "--json", env=ENV)))
    assert [r["name"] for r in rows if r["is_default"]] == ["gpt"]
    ok(run_cli("llm", "providers", "remove", "gpt", env=ENV))
    rows = json.loads(ok(run_cli("llm", "providers", "list", "--json", env=ENV)))
    assert [(r["name"], r["is_default"]) for r in rows] == [("studio", True)]
    bad = run_cli("llm", "providers", "add", "x", "--type", "gemini", env=ENV)
    assert bad.returncode == 1 and "Unknown provider type 'gemini'" in bad.stderr


def test_ask_a_local_model_streams_and_keeps_the_conversation(
    run_cli, server: FakeLLMServer
) -> None:  # type: ignore[no-untyped-def]
    ok(
        run_cli(
            "llm",
            "providers",
            "add",
            "studio",
            "--type",
            "lmstudio",
            "--endpoint",
            server.url,
            "--model",
            "local-model",
            env=ENV,
        )
    )
    test = json.loads(ok(run_cli("llm", "providers", "test", "--json", env=ENV)))
    assert test["ok"] is True and test["models"] == ["test-model", "other-model"]

    done = run_cli("llm", "ask", "How concentrated am I?", env=ENV)
    assert ok(done) == "Hello, world!\n"
    assert "42 in / 7 out tokens" in done.stderr
    body = server.requests[-1].json()
    assert body["model"] == "local-model" and body["stream"] is True
    assert body["messages"][-1] == {"role": "user", "content": "How concentrated am I?"}
    assert "privacy: full detail" in body["messages"][0]["content"]
    assert "The portfolio is empty" in body["messages"][0]["content"]

    answer = json.loads(
        ok(run_cli("llm", "ask", "And now?", "--conversation", "1", "--json", env=ENV))
    )
    assert answer == {
        "conversation_id": 1,
        "provider": "studio",
        "model": "test-model",
        "answer": "Hello, world!",
        "finish_reason": "stop",
        "usage": {"input_tokens": 42, "output_tokens": 7, "total_tokens": 49},
    }
    history = server.requests[-1].json()["messages"][1:]
    assert history == [
        {"role": "user", "content": "How concentrated am I?"},
        {"role": "assistant", "content": "Hello, world!"},
        {"role": "user", "content": "And now?"},
    ]


def test_a_cloud_provider_gets_nothing_from_the_cli_without_consent(
    run_cli, server: FakeLLMServer
) -> None:  # type: ignore[no-untyped-def]
    ok(
        run_cli(
            "llm",
            "providers",
            "add",
            "gpt",
            "--type",
            "openai",
            "--endpoint",
            server.url,
            "--model",
            "gpt-x",
            env=ENV,
        )
    )

    refused = run_cli("llm", "ask", "How concentrated am I?", "--provider", "gpt", env=ENV)
    assert refused.returncode == 1 and refused.stdout == ""
    assert "Nothing was sent to the cloud provider 'gpt'" in refused.stderr
    assert "portfolioos llm consent gpt" in refused.stderr
    assert "This is exactly what would be sent" in refused.stderr
    assert f"POST {server.url}/chat/completions" in refused.stderr
    assert '"content": "How concentrated am I?"' in refused.stderr

    as_json = run_cli(
        "llm", "ask", "How concentrated am I?", "--provider", "gpt", "--json", env=ENV
    )
    assert as_json.returncode == 1
    shown = json.loads(as_json.stdout)["consent_required"]
    assert shown["provider"] == "gpt" and shown["reason"] == "missing"
    assert shown["privacy_level"] == "totals"
    assert shown["request"]["body"]["messages"][-1]["content"] == "How concentrated am I?"

    for args in (("llm", "providers", "test", "gpt"), ("llm", "models", "gpt")):
        done = run_cli(*args, env=ENV)
        assert done.returncode == 1 and "llm consent gpt" in done.stderr
        assert f"GET {server.url}/models" in done.stderr
    assert server.requests == []

    # agreeing (and a key, here in the opted-in file since this machine has no keychain)
    ok(run_cli("keys", "file-storage", "on", env=ENV))
    ok(run_cli("keys", "set", "openai-api-key", input="sk-cli-cloud-555", env=ENV))
    assert "consent recorded for gpt" in ok(run_cli("llm", "consent", "gpt", env=ENV))
    answer = json.loads(
        ok(run_cli("llm", "ask", "How concentrated am I?", "--provider", "gpt", "--json", env=ENV))
    )
    assert answer["answer"] == "Hello, world!"
    [sent] = server.requests
    assert sent.json() == shown["request"]["body"]
    assert sent.headers["authorization"] == "Bearer sk-cli-cloud-555"

    ok(run_cli("llm", "consent", "gpt", "--revoke", env=ENV))
    assert run_cli("llm", "providers", "test", "gpt", env=ENV).returncode == 1
    assert len(server.requests) == 1
