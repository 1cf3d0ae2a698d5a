"""AssistantService against a loopback LM Studio-style server and real config.sqlite."""

from __future__ import annotations

import pytest
from keyring.backends import fail

from portfolioos.errors import Cancelled, ValidationError
from portfolioos.progress import CancelToken
from portfolioos.secrets import Keychain
from portfolioos.services.context import AppContext
from tests.llm_servers import FakeLLMServer, serving


@pytest.fixture
def app(ctx: AppContext) -> AppContext:
    ctx.__dict__["keychain"] = Keychain(ctx.paths.root, config=ctx.config, backend=fail.Keyring())
    return ctx


@pytest.fixture
def studio(app: AppContext):  # type: ignore[no-untyped-def]
    with serving("openai") as server:
        app.assistant.providers.add("studio", "lmstudio", endpoint_url=server.url, model="m")
        yield server


def test_ask_streams_reports_progress_and_stores_the_exchange(
    app: AppContext, studio: FakeLLMServer
) -> None:
    deltas: list[str] = []
    progress: list[tuple[float, str]] = []
    answer = app.assistant.ask(
        "  Am I diversified?  ",
        on_delta=deltas.append,
        progress=lambda f, m: progress.append((f, m)),
    )

    assert deltas == ["Hello", ", ", "world", "!"]
    assert answer.text == "Hello, world!" and answer.usage is not None
    assert (answer.usage.input_tokens, answer.usage.output_tokens) == (42, 7)
    assert progress[0] == (0.0, "Asking studio") and progress[-1] == (1.0, "Done")
    [conversation] = app.assistant.conversations.conversations()
    assert conversation.id == answer.conversation_id and conversation.title == "Am I diversified?"
    stored = app.assistant.conversations.messages(answer.conversation_id)
    assert [(m.role, m.content) for m in stored] == [
        ("user", "Am I diversified?"),
        ("assistant", "Hello, world!"),
    ]
    system = studio.requests[0].json()["messages"][0]
    assert system["role"] == "system"
    assert "The portfolio is empty" in system["content"]


def test_cancel_mid_answer_keeps_nothing(app: AppContext, studio: FakeLLMServer) -> None:
    studio.script.answer = [f"w{i} " for i in range(40)]
    studio.script.chunk_delay = 0.05
    token = CancelToken()
    seen: list[str] = []

    def on_delta(delta: str) -> None:
        seen.append(delta)
        if len(seen) == 2:
            token.cancel()

    with pytest.raises(Cancelled):
        app.assistant.ask("Long answer please", on_delta=on_delta, cancel=token)
    assert seen == ["w0 ", "w1 "]
    assert app.assistant.conversations.conversations() == []


def test_the_context_follows_the_providers_privacy_level(
    app: AppContext, studio: FakeLLMServer
) -> None:
    app.assistant.providers.set_privacy_level("studio", "totals")
    sent = app.assistant.preview("What do I own?")
    assert "privacy: totals and weights only" in sent.body["messages"][0]["content"]
    assert studio.requests == []  # a preview sends nothing


def test_accounts_without_holdings_are_still_an_empty_portfolio(app: AppContext) -> None:
    from portfolioos.domain.accounts import AccountDraft

    app.portfolio.create_account(AccountDraft(name="Roth"))
    facts = app.assistant.facts()
    assert facts.accounts == 1 and facts.empty
    assert "The portfolio is empty" in app.assistant.context_text("full")


def test_bad_questions_are_refused_before_anything_is_sent(
    app: AppContext, studio: FakeLLMServer
) -> None:
    with pytest.raises(ValidationError, match="empty"):
        app.assistant.ask("   ")
    with pytest.raises(ValidationError, match="longer than"):
        app.assistant.ask("x" * 9000)
    assert studio.requests == []


def test_the_last_plan_result_reaches_the_context(app: AppContext) -> None:
    import json

    result = {
        "success_rate": 0.912,
        "percentiles": {"50": [1.0]},
        "terminal": {"median": 1_500_000.0, "p10": 310_000.0},
    }
    config = {"years": 35, "withdrawal": {"strategy": "vpw"}}
    with app.config.transaction() as conn:
        conn.execute(
            "INSERT INTO scenarios (name, config, last_result, updated_at) VALUES (?, ?, ?, ?)",
            (
                "Early retirement",
                json.dumps(config),
                json.dumps(result),
                "2026-11-20T10:00:00+00:00",
            ),
        )
    text = app.assistant.context_text("totals")
    assert (
        "Last retirement plan 'Early retirement': success rate 91.2%, over 35 years, "
        "withdrawal strategy vpw, median final value 1,500,000, "
        "10th percentile final value 310,000"
    ) in text


def test_the_gatherer_reads_the_shapes_other_services_return() -> None:
    from dataclasses import dataclass
    from datetime import date
    from decimal import Decimal

    import pandas as pd

    from portfolioos.services.assistant import _history, _holdings, _performance

    @dataclass
    class Holding:  # the engine's holdings rows: Decimals, an account name, no weight
        account: str
        symbol: str
        shares: Decimal
        market_value: Decimal | None
        cost_basis: Decimal

    rows = [
        Holding("Roth", "VTI", Decimal("10.5"), Decimal("3000"), Decimal("2500")),
        Holding("Roth", "XYZ", Decimal("1"), None, Decimal("10")),
    ]
    vti, xyz = _holdings(rows, 4000.0)
    assert (vti.symbol, vti.account, vti.shares, vti.weight) == ("VTI", "Roth", 10.5, 0.75)
    assert xyz.weight is None and xyz.market_value is None

    frame = pd.DataFrame(
        {"date": pd.to_datetime(["2026-02-01", "2026-01-01"]), "total": [110.0, 100.0]}
    )
    assert _history(list(frame.to_dict("records"))) == (
        (date(2026, 1, 1), 100.0),
        (date(2026, 2, 1), 110.0),
    )
    assert _history([(date(2026, 1, 1), Decimal("5"))]) == ((date(2026, 1, 1), 5.0),)
    assert _performance({"twr": Decimal("0.1"), "xirr": None, "other": 1}) == {"twr": 0.1}


def test_provider_writes_return_what_changed(app: AppContext) -> None:
    config, changes = app.assistant.add_provider("gpt", "openai", model="gpt-x")
    assert changes.names() == ["providers"] and not config.is_local
    config, changes = app.assistant.grant_consent("gpt")
    assert config.consent is not None and changes.providers
    config, _ = app.assistant.set_privacy_level("gpt", "full")
    assert config.privacy_level.value == "full"
    config, _ = app.assistant.revoke_consent("gpt")
    assert config.consent is None
    _, changes = app.assistant.remove_provider("gpt")
    assert changes.providers and app.assistant.providers.providers() == []
