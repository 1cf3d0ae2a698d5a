"""A plan can start from the current net worth of chosen accounts (issue 6, item 1)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from portfolioos.domain.accounts import AccountDraft
from portfolioos.domain.ledger import LedgerEntry, TxType, with_fingerprints
from portfolioos.services.context import AppContext
from portfolioos.storage.ledger_store import LedgerStore


def test_initial_portfolio_from_accounts_uses_their_net_worth(ctx: AppContext) -> None:
    taxable, _ = ctx.accounts.create_account(AccountDraft(name="Taxable"))
    ctx.accounts.create_account(AccountDraft(name="Other"))
    LedgerStore(ctx.portfolio_db).add_entries(
        with_fingerprints(
            [
                LedgerEntry(
                    account_id=taxable.id,
                    date=date(2024, 1, 2),
                    type=TxType.DEPOSIT,
                    symbol=None,
                    quantity=None,
                    price=None,
                    amount=Decimal("250000"),
                    fees=Decimal(0),
                    currency="USD",
                ),
            ]
        )
    )
    ctx.portfolio.rederive()
    expected = ctx.portfolio.net_worth(accounts=["Taxable"]).total_value
    assert expected == Decimal("250000")
    plan = ctx.simulation.parse_plan(
        {
            "initial_portfolio": {"accounts": ["Taxable"]},
            "years": 5,
            "trials": 100,
            "seed": 1,
            "allocation": {"stocks": 0.6, "bonds": 0.4},
            "returns": {
                "model": "normal",
                "stocks": {"mean": 0.0, "stdev": 0.0},
                "bonds": {"mean": 0.0, "stdev": 0.0},
            },
            "inflation": {"model": "fixed", "rate": 0.0},
            "withdrawal": {"strategy": "constant_dollar", "initial_rate": 0.0},
        }
    )
    result = ctx.simulation.run(plan)
    assert result.percentiles["p50"][0] == float(expected)
