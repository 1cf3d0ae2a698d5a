"""What the assistant may tell a model, per privacy level (pure, no I/O)."""

from __future__ import annotations

from datetime import date

from portfolioos.domain.assistant_context import (
    HoldingFact,
    PlanFact,
    PortfolioFacts,
    build_context,
)

FACTS = PortfolioFacts(
    as_of=date(2026, 11, 20),
    currency="USD",
    accounts=2,
    total_value=250_000.0,
    total_cost=180_000.0,
    unpriced=("PRIVCO",),
    holdings=(
        HoldingFact(
            "VTI",
            0.6,
            account="Fidelity Roth",
            shares=541.25,
            market_value=150_000.0,
            cost_basis=100_000.0,
            unrealized_gain=50_000.0,
            asset_type="etf",
        ),
        HoldingFact(
            "BND",
            0.4,
            account="Vanguard Brokerage",
            shares=1400.0,
            market_value=100_000.0,
            cost_basis=80_000.0,
            unrealized_gain=20_000.0,
        ),
    ),
    allocation=(("bonds", 0.4), ("stocks", 0.6)),
    net_worth=tuple((date(2026, m, 1), 200_000.0 + 5_000 * m) for m in range(1, 12)),
    performance={"twr": 0.112, "xirr": 0.105, "max_drawdown": -0.08},
    plan=PlanFact(
        "Retire at 60",
        success_rate=0.873,
        years=30,
        terminal_median=1_200_000.0,
        strategy="guyton_klinger",
    ),
)


def test_totals_level_keeps_to_totals_and_weights() -> None:
    text = build_context(FACTS, "totals")
    assert "privacy: totals and weights only" in text
    assert "Net worth: 250,000" in text
    assert "- VTI (etf) 60.0%" in text and "- BND 40.0%" in text
    assert "Allocation: stocks 60.0%, bonds 40.0%" in text
    assert "time-weighted return 11.2%" in text and "maximum drawdown -8.0%" in text
    assert "Last retirement plan 'Retire at 60': success rate 87.3%, over 30 years" in text
    assert "Net-worth trend: 2026-01-01 205,000;" in text
    for private in (
        "Fidelity",
        "Vanguard",
        "541.25",
        "shares",
        "150,000",
        "cost",
        "unrealized",
        "Accounts: 2",
    ):
        assert private not in text


def test_full_level_adds_accounts_shares_and_amounts() -> None:
    text = build_context(FACTS, "full")
    assert "privacy: full detail" in text
    assert (
        "- VTI (etf) 60.0%, in Fidelity Roth, 541.25 shares, value 150,000, "
        "cost 100,000, unrealized 50,000"
    ) in text
    assert "Total cost basis: 180,000" in text and "Accounts: 2" in text
    assert "Holdings without a price (not in totals): PRIVCO" in text


def test_an_empty_portfolio_says_so() -> None:
    text = build_context(PortfolioFacts(as_of=date(2026, 1, 2)), "full")
    assert text.splitlines() == [
        "Portfolio snapshot (as of 2026-01-02, USD; privacy: full detail)",
        "The portfolio is empty: no holdings or balances have been recorded yet in PortfolioOS.",
    ]


def test_long_inputs_stay_compact() -> None:
    many = tuple(HoldingFact(f"S{i:03d}", 1 / 200) for i in range(200))
    trend = tuple((date(2020, 1, 1).fromordinal(737425 + d), 1000.0 + d) for d in range(2000))
    text = build_context(PortfolioFacts(total_value=1.0, holdings=many, net_worth=trend), "totals")
    assert "- 175 more holdings: 87.5%" in text
    trend_line = next(line for line in text.splitlines() if line.startswith("Net-worth trend"))
    assert trend_line.count(";") == 12  # 13 points, first and last included
    assert len(text) < 3000
