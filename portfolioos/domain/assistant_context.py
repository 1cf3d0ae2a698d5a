"""The portfolio as the assistant describes it to a model, at a privacy level.

Pure: plain data in, text out, so what a cloud provider may see is decided (and
tested) here, away from I/O. `totals` keeps to totals and weights: no account names,
no share counts, no per-holding amounts. `full` adds them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Level = Literal["totals", "full"]


@dataclass(frozen=True, slots=True)
class HoldingFact:
    symbol: str
    weight: float | None = None  # share of the priced total, 0..1
    account: str | None = None
    shares: float | None = None
    market_value: float | None = None
    cost_basis: float | None = None
    unrealized_gain: float | None = None
    asset_type: str | None = None


@dataclass(frozen=True, slots=True)
class PlanFact:
    name: str
    success_rate: float | None = None
    years: int | None = None
    terminal_median: float | None = None
    terminal_p10: float | None = None
    strategy: str | None = None


@dataclass(frozen=True, slots=True)
class PortfolioFacts:
    """Everything the assistant may draw on; any part may be missing."""

    as_of: date | None = None
    currency: str = "USD"
    accounts: int = 0
    total_value: float | None = None
    total_cost: float | None = None
    unpriced: tuple[str, ...] = ()
    holdings: tuple[HoldingFact, ...] = ()
    allocation: tuple[tuple[str, float], ...] = ()  # (asset class or sector, weight)
    net_worth: tuple[tuple[date, float], ...] = ()  # (date, total), oldest first
    performance: dict[str, float] = field(default_factory=dict)  # name -> fraction
    plan: PlanFact | None = None

    @property
    def empty(self) -> bool:
        return not self.holdings and self.total_value in (None, 0) and not self.net_worth


MAX_HOLDINGS = 25
MAX_TREND_POINTS = 13

_PERFORMANCE_LABELS = {
    "twr": "time-weighted return",
    "xirr": "money-weighted return (XIRR)",
    "cagr": "CAGR",
    "max_drawdown": "maximum drawdown",
    "volatility": "annualised volatility",
    "benchmark_twr": "benchmark time-weighted return",
}


def build_context(facts: PortfolioFacts, level: Level) -> str:
    """A compact text a model reads before the question (a few hundred tokens)."""
    detail = "full detail" if level == "full" else "totals and weights only"
    as_of = f"as of {facts.as_of.isoformat()}, " if facts.as_of else ""
    lines = [f"Portfolio snapshot ({as_of}{facts.currency}; privacy: {detail})"]
    if facts.empty:
        lines.append(
            "The portfolio is empty: no holdings or balances have been recorded yet in PortfolioOS."
        )
        if facts.plan is not None:
            lines += _plan(facts.plan)
        return "\n".join(lines)

    if facts.total_value is not None:
        lines.append(f"Net worth: {_money(facts.total_value)}")
    if level == "full":
        if facts.total_cost is not None:
            lines.append(f"Total cost basis: {_money(facts.total_cost)}")
        if facts.accounts:
            lines.append(f"Accounts: {facts.accounts}")
    if facts.unpriced:
        lines.append(f"Holdings without a price (not in totals): {', '.join(facts.unpriced)}")

    if facts.holdings:
        ranked = sorted(facts.holdings, key=lambda h: -(h.weight or 0.0))
        lines.append("Holdings by weight:")
        for h in ranked[:MAX_HOLDINGS]:
            lines.append("- " + (_holding_full(h) if level == "full" else _holding_totals(h)))
        if len(ranked) > MAX_HOLDINGS:
            rest = sum(h.weight or 0.0 for h in ranked[MAX_HOLDINGS:])
            lines.append(f"- {len(ranked) - MAX_HOLDINGS} more holdings: {_pct(rest)}")

    if facts.allocation:
        parts = [f"{name} {_pct(w)}" for name, w in sorted(facts.allocation, key=lambda a: -a[1])]
        lines.append("Allocation: " + ", ".join(parts))

    if facts.net_worth:
        lines.append(
            "Net-worth trend: "
            + "; ".join(f"{d.isoformat()} {_money(v)}" for d, v in _thin(facts.net_worth))
        )
        first, last = facts.net_worth[0][1], facts.net_worth[-1][1]
        if first:
            lines.append(f"Change over the period: {_pct(last / first - 1)}")

    if facts.performance:
        parts = [f"{_PERFORMANCE_LABELS.get(k, k)} {_pct(v)}" for k, v in facts.performance.items()]
        lines.append("Performance: " + ", ".join(parts))

    if facts.plan is not None:
        lines += _plan(facts.plan)
    return "\n".join(lines)


def _holding_totals(h: HoldingFact) -> str:
    kind = f" ({h.asset_type})" if h.asset_type else ""
    return f"{h.symbol}{kind} {_pct(h.weight) if h.weight is not None else 'unpriced'}"


def _holding_full(h: HoldingFact) -> str:
    parts = [_holding_totals(h)]
    if h.account:
        parts.append(f"in {h.account}")
    if h.shares is not None:
        parts.append(f"{h.shares:g} shares")
    if h.market_value is not None:
        parts.append(f"value {_money(h.market_value)}")
    if h.cost_basis is not None:
        parts.append(f"cost {_money(h.cost_basis)}")
    if h.unrealized_gain is not None:
        parts.append(f"unrealized {_money(h.unrealized_gain)}")
    return ", ".join(parts)


def _plan(plan: PlanFact) -> list[str]:
    parts = [f"Last retirement plan '{plan.name}':"]
    if plan.success_rate is not None:
        parts.append(f"success rate {_pct(plan.success_rate)}")
    if plan.years is not None:
        parts.append(f"over {plan.years} years")
    if plan.strategy:
        parts.append(f"withdrawal strategy {plan.strategy}")
    if plan.terminal_median is not None:
        parts.append(f"median final value {_money(plan.terminal_median)}")
    if plan.terminal_p10 is not None:
        parts.append(f"10th percentile final value {_money(plan.terminal_p10)}")
    return [" ".join(parts[:1]) + " " + ", ".join(parts[1:])] if len(parts) > 1 else parts


def _thin(points: tuple[tuple[date, float], ...]) -> list[tuple[date, float]]:
    """At most MAX_TREND_POINTS evenly spaced points, always the first and the last."""
    if len(points) <= MAX_TREND_POINTS:
        return list(points)
    step = (len(points) - 1) / (MAX_TREND_POINTS - 1)
    return [points[round(i * step)] for i in range(MAX_TREND_POINTS)]


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def _money(value: float) -> str:
    return f"{value:,.0f}"
