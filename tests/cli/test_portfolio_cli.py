"""The portfolio sub-commands in a real subprocess over a real data folder."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pandas as pd

from portfolioos.domain.accounts import AccountDraft
from portfolioos.domain.ledger import LedgerEntry, TxType, with_fingerprints
from portfolioos.services.context import AppContext
from portfolioos.storage.ledger_store import LedgerStore
from portfolioos.storage.price_store import PriceStore


def _seed(data_dir: Path) -> None:
    def tx(
        day: str, kind: str, symbol: str | None, qty: str | None, price: str | None, amount: str
    ) -> LedgerEntry:
        return LedgerEntry(
            account_id=1,
            date=date.fromisoformat(day),
            type=TxType(kind),
            symbol=symbol,
            quantity=D(qty) if qty else None,
            price=D(price) if price else None,
            amount=D(amount),
            fees=D(0),
            currency="USD",
        )

    with AppContext.open(data_dir) as ctx:
        ctx.portfolio.create_account(AccountDraft(name="Brokerage"))
        LedgerStore(ctx.portfolio_db).add_entries(
            with_fingerprints(
                [
                    tx("2023-01-03", "deposit", None, None, None, "5000"),
                    tx("2023-01-03", "buy", "AAA", "3", "100.10", "-300.30"),
                    tx("2023-01-04", "buy", "AAA", "1", "90", "-90"),
                    tx("2023-01-04", "buy", "ZZZ", "0.333333333333", "3", "-1"),
                    tx("2023-02-01", "sell", "AAA", "1.5", "120", "180"),
                ]
            )
        )
        PriceStore(ctx.market_db).upsert_prices(
            pd.DataFrame(
                {
                    "symbol": ["AAA", "AAA"],
                    "date": [date(2023, 1, 3), date(2023, 2, 1)],
                    "open": [100.1, 120.0],
                    "high": [100.1, 120.0],
                    "low": [100.1, 120.0],
                    "close": [100.1, 120.0],
                    "adj_close": [100.1, 120.0],
                    "volume": [0, 0],
                    "currency": ["USD", "USD"],
                    "source": ["test", "test"],
                }
            )
        )


def _json(proc: Any) -> Any:
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout, parse_float=D)


def test_holdings_json_is_exact(run_cli: Any, data_dir: Path) -> None:
    _seed(data_dir)
    rows = _json(run_cli("holdings", "--json", "--date", "2023-03-01"))
    by = {r["symbol"]: r for r in rows}
    aaa = by["AAA"]
    assert aaa["account"] == "Brokerage"
    assert aaa["shares"] == D("2.5")
    # FIFO: 1.5 of the 3 @ 100.10 sold -> 1.5 x 100.10 + 90 left
    assert aaa["cost_basis"] == D("240.15")
    assert aaa["realized_gain"] == D("29.85")
    assert aaa["market_value"] == D(300)
    assert aaa["unrealized_gain"] == D("59.85")
    assert by["ZZZ"]["market_value"] is None and by["ZZZ"]["unrealized_gain"] is None
    assert by["ZZZ"]["shares"] == D("0.333333333333")
    lifo = {r["symbol"]: r for r in _json(run_cli("holdings", "--json", "--method", "lifo"))}
    assert lifo["AAA"]["cost_basis"] == D("250.25")  # the $90 share left first


def test_other_commands(run_cli: Any, data_dir: Path, tmp_path: Path) -> None:
    _seed(data_dir)
    lots = _json(run_cli("lots", "aaa", "--json"))
    assert [x["quantity"] for x in lots] == [D("1.5"), D(1)]
    realized = _json(run_cli("realized", "--year", "2023", "--json"))
    assert realized["short_term"]["gain"] == D("29.85")
    nw = _json(run_cli("networth", "--date", "2023-03-01", "--json"))
    # cash 5000 - 300.30 - 90 - 1 + 180, plus AAA 2.5 x 120; ZZZ (unpriced) is left out
    assert nw["total_value"] == D("4788.7") + D(300)
    assert [u["symbol"] for u in nw["unpriced"]] == ["ZZZ"]
    hist = _json(
        run_cli("networth", "history", "--from", "2023-01-03", "--to", "2023-01-05", "--json")
    )
    assert [h["date"] for h in hist] == ["2023-01-03", "2023-01-04", "2023-01-05"]
    perf = _json(run_cli("performance", "--json", "--to", "2023-03-01"))
    assert perf["start"] == "2023-01-03"
    rec = _json(run_cli("reconcile", "--json"))
    assert rec["transactions"] == 5 and rec["cash"]["Brokerage"] == D("4788.7")
    positions = tmp_path / "pos.csv"
    positions.write_text("symbol,quantity\nAAA,2.5\nZZZ,1\n")
    found = _json(run_cli("discrepancies", str(positions), "--account", "Brokerage", "--json"))
    assert [(f["symbol"], f["field"]) for f in found] == [("ZZZ", "shares")]
    txs = _json(run_cli("transactions", "--symbol", "AAA", "--json"))
    assert [t["type"] for t in txs] == ["sell", "buy", "buy"]
    assert _json(run_cli("transactions", "--count", "--json")) == {"count": 5}


def test_errors_are_one_line(run_cli: Any, data_dir: Path) -> None:
    _seed(data_dir)
    with AppContext.open(data_dir) as ctx:
        LedgerStore(ctx.portfolio_db).add_entries(
            with_fingerprints(
                [
                    LedgerEntry(
                        account_id=1,
                        date=date(2023, 3, 1),
                        type=TxType.SELL,
                        symbol="AAA",
                        quantity=D(10),
                        price=D(1),
                        amount=D(10),
                        fees=D(0),
                        currency="USD",
                    )
                ]
            )
        )
    proc = run_cli("holdings", "--json")
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: Transaction 6 (2023-03-01, sell, account 'Brokerage'")
    assert "sells 10 shares but only 2.5 are held" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert run_cli("holdings", "--account", "Nope").returncode == 1
