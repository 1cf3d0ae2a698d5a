"""`portfolioos prices actions [confirm|dismiss]` in real subprocesses against loopback Yahoo."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import cli_env
from tests.market.fixture_servers import YahooServer, make_bars

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def yahoo() -> Iterator[YahooServer]:
    srv = YahooServer(
        {
            "AAPL": make_bars(
                "AAPL",
                date(2023, 6, 1),
                date(2024, 9, 30),
                dividends={date(2024, 2, 9): 0.24, date(2024, 5, 10): 0.25},
                splits={date(2024, 6, 10): (4.0, 1.0)},
            )
        }
    )
    srv.start()
    yield srv
    srv.stop()


def ok(done: subprocess.CompletedProcess[str]) -> dict[str, object]:
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_list_confirm_dismiss(run_cli: Run, yahoo: YahooServer, tmp_path: Path) -> None:
    env = cli_env(PORTFOLIOOS_YAHOO_BASE_URL=yahoo.url)
    assert run_cli("accounts", "add", "Brokerage").returncode == 0
    trades = tmp_path / "trades.csv"
    trades.write_text(
        "date,type,symbol,quantity,price,fees,amount,currency\n2023-09-01,buy,AAPL,10,180,0,,USD\n"
    )
    ok(run_cli("import", str(trades), "--account", "Brokerage", "--json"))
    assert run_cli("prices", "sync", "AAPL", env=env).returncode == 0

    answer = ok(run_cli("prices", "actions", "--json"))
    listed = answer["suggestions"]
    assert isinstance(listed, list) and answer["possible_duplicates"] == []
    assert [(s["id"], s["account"], s["amount"]) for s in listed] == [
        ("dividend:AAPL:2024-02-09", "Brokerage", 9.6),
        ("dividend:AAPL:2024-05-10", "Brokerage", 10.0),
        ("split:AAPL:2024-06-10", "Brokerage", None),
    ]
    text = run_cli("prices", "actions", "--account", "Brokerage")
    assert "split:AAPL:2024-06-10" in text.stdout and "9.60 USD" in text.stdout

    confirmed = ok(
        run_cli(
            "prices", "actions", "confirm", "dividend:AAPL:2024-02-09",
            "--account", "Brokerage", "--date", "2024-02-15", "--json",
        )
    )  # fmt: skip
    entry = confirmed["entry"]
    assert confirmed["added"] is True and isinstance(entry, dict)
    assert (entry["date"], entry["type"], entry["amount"]) == ("2024-02-15", "dividend", 9.6)
    assert isinstance(entry["batch_id"], int)
    batches = json.loads(run_cli("import", "list", "--json").stdout)
    assert [b["broker"] for b in batches][-1] == "yahoo-corporate-action"
    again = run_cli(
        "prices", "actions", "confirm", "dividend:AAPL:2024-02-09", "--account", "Brokerage"
    )
    assert again.returncode == 1 and "No pending suggestion" in again.stderr

    dismissed = run_cli("prices", "actions", "dismiss", "split:AAPL:2024-06-10")
    assert dismissed.returncode == 0 and "not be offered again" in dismissed.stdout
    left = ok(run_cli("prices", "actions", "--json"))["suggestions"]
    assert isinstance(left, list)
    assert [s["id"] for s in left] == ["dividend:AAPL:2024-05-10"]

    ledger = json.loads(run_cli("transactions", "--json").stdout)
    assert sorted(t["type"] for t in ledger) == ["buy", "dividend"]

    bad = run_cli("prices", "actions", "confirm", "AAPL")
    assert bad.returncode == 1 and "not a suggestion id" in bad.stderr
