"""Regenerate resources/demo/: a sample multi-account portfolio and its cached prices.

Deterministic (fixed seed), so the committed files only change when this script does.
Prices are synthetic (geometric Brownian motion with plausible drifts and volatilities,
business days only); the ledger is in the generic import format
`date,type,symbol,quantity,price,fees,amount,currency` that any tool can produce.

    python scripts/make_demo_data.py
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent.parent / "resources" / "demo"
START, END = date(2019, 1, 2), date(2026, 11, 20)

# symbol: (name, asset_type, sector, start price, annual drift, annual vol, dividend yield)
SECURITIES = {
    "VTI": ("Vanguard Total Stock Market ETF", "etf", "US equity", 130.0, 0.10, 0.17, 0.014),
    "VXUS": (
        "Vanguard Total International Stock ETF",
        "etf",
        "International equity",
        50.0,
        0.05,
        0.16,
        0.03,
    ),
    "BND": ("Vanguard Total Bond Market ETF", "etf", "Bonds", 79.0, 0.005, 0.06, 0.028),
    "VNQ": ("Vanguard Real Estate ETF", "etf", "Real estate", 75.0, 0.04, 0.22, 0.038),
    "AAPL": ("Apple Inc.", "stock", "Technology", 39.0, 0.24, 0.30, 0.006),
    "MSFT": ("Microsoft Corporation", "stock", "Technology", 101.0, 0.22, 0.27, 0.009),
    "JNJ": ("Johnson & Johnson", "stock", "Healthcare", 128.0, 0.04, 0.17, 0.027),
    "VTSAX": (
        "Vanguard Total Stock Market Index Admiral",
        "mutual_fund",
        "US equity",
        64.0,
        0.10,
        0.17,
        0.014,
    ),
}


def business_days(start: date, end: date) -> list[date]:
    days, d = [], start
    while d <= end:
        if d.weekday() < 5:
            days.append(d)
        d += timedelta(days=1)
    return days


def money(x: float | Decimal) -> Decimal:
    return Decimal(str(x)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def main() -> None:
    rng = np.random.default_rng(20261125)
    days = business_days(START, END)
    closes: dict[str, dict[date, float]] = {}
    with (OUT / "prices.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["symbol", "date", "open", "high", "low", "close", "adj_close", "volume"])
        for sym, (_, _, _, p0, mu, vol, _) in SECURITIES.items():
            dt = 1 / 252
            shocks = rng.normal((mu - vol**2 / 2) * dt, vol * np.sqrt(dt), len(days))
            path = p0 * np.exp(np.cumsum(shocks))
            closes[sym] = {}
            prev = p0
            for d, c in zip(days, path, strict=True):
                o = prev * (1 + rng.normal(0, vol / 40))
                hi = max(o, c) * (1 + abs(rng.normal(0, vol / 60)))
                lo = min(o, c) * (1 - abs(rng.normal(0, vol / 60)))
                vol_ = int(rng.integers(2_000_000, 40_000_000)) if sym != "VTSAX" else 0
                w.writerow(
                    [
                        sym,
                        d.isoformat(),
                        f"{o:.4f}",
                        f"{hi:.4f}",
                        f"{lo:.4f}",
                        f"{c:.4f}",
                        f"{c:.4f}",
                        vol_,
                    ]
                )
                closes[sym][d] = round(float(c), 4)
                prev = c
    with (OUT / "securities.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["symbol", "name", "asset_type", "sector", "currency", "exchange"])
        for sym, (name, kind, sector, *_rest) in SECURITIES.items():
            w.writerow(
                [
                    sym,
                    name,
                    kind,
                    sector,
                    "USD",
                    "NASDAQ"
                    if sym in ("AAPL", "MSFT")
                    else ("MUTUAL" if kind == "mutual_fund" else "NYSEARCA"),
                ]
            )

    def price_on(sym: str, d: date) -> Decimal:
        while d not in closes[sym]:
            d += timedelta(days=1)
        return Decimal(str(closes[sym][d]))

    def ledger(
        name: str,
        plan: dict[str, Decimal],
        monthly: Decimal,
        first_deposit: Decimal,
        sells: list[tuple[date, str, Decimal]],
        fee: Decimal,
    ) -> None:
        rows: list[list[str]] = []
        held: dict[str, Decimal] = dict.fromkeys(plan, Decimal(0))

        def row(
            d: date,
            kind: str,
            sym: str,
            qty: Decimal | None,
            px: Decimal | None,
            fees: Decimal,
            amount: Decimal,
        ) -> None:
            rows.append(
                [
                    d.isoformat(),
                    kind,
                    sym,
                    "" if qty is None else str(qty),
                    "" if px is None else str(px),
                    str(fees),
                    str(amount),
                    "USD",
                ]
            )

        row(START, "deposit", "", None, None, Decimal(0), first_deposit)
        month = START
        cash = first_deposit
        while month <= END:
            buy_day = next(d for d in days if d >= month) if month > START else days[0]
            if month > START:
                row(buy_day, "deposit", "", None, None, Decimal(0), monthly)
                cash += monthly
            budget = first_deposit if month == START else monthly
            for sym, weight in plan.items():
                px = price_on(sym, buy_day)
                qty = (budget * weight / px).quantize(Decimal("0.001"))
                if qty <= 0:
                    continue
                cost = money(qty * px)
                row(buy_day, "buy", sym, qty, px, fee, -(cost + fee))
                held[sym] += qty
                cash -= cost + fee
            if month.month in (3, 6, 9, 12):
                div_day = next(d for d in days if d >= month.replace(day=20))
                for sym in plan:
                    yld = Decimal(str(SECURITIES[sym][6]))
                    amount = money(held[sym] * price_on(sym, div_day) * yld / 4)
                    if amount > 0:
                        if sym == "VTSAX":
                            px = price_on(sym, div_day)
                            qty = (amount / px).quantize(Decimal("0.001"))
                            row(div_day, "reinvest", sym, qty, px, Decimal(0), amount)
                            held[sym] += qty
                        else:
                            row(div_day, "dividend", sym, None, None, Decimal(0), amount)
                            cash += amount
            for when, sym, frac in sells:
                if when.year == month.year and when.month == month.month:
                    sell_day = next(d for d in days if d >= when)
                    qty = (held[sym] * frac).quantize(Decimal("0.001"))
                    px = price_on(sym, sell_day)
                    row(sell_day, "sell", sym, qty, px, fee, money(qty * px) - fee)
                    held[sym] -= qty
            month = (month.replace(day=1) + timedelta(days=32)).replace(day=1)
        row(date(2024, 12, 31), "interest", "", None, None, Decimal(0), Decimal("41.27"))
        with (OUT / f"{name}.csv").open("w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(
                ["date", "type", "symbol", "quantity", "price", "fees", "amount", "currency"]
            )
            w.writerows(sorted(rows, key=lambda r: r[0]))

    ledger(
        "taxable-brokerage",
        {
            "VTI": Decimal("0.45"),
            "VXUS": Decimal("0.2"),
            "AAPL": Decimal("0.15"),
            "MSFT": Decimal("0.1"),
            "JNJ": Decimal("0.1"),
        },
        Decimal(1500),
        Decimal(40000),
        [
            (date(2021, 11, 10), "AAPL", Decimal("0.3")),
            (date(2023, 3, 15), "JNJ", Decimal("0.5")),
            (date(2025, 6, 12), "MSFT", Decimal("0.25")),
        ],
        Decimal("0"),
    )
    ledger(
        "roth-ira",
        {"VTI": Decimal("0.6"), "VNQ": Decimal("0.15"), "BND": Decimal("0.25")},
        Decimal(500),
        Decimal(12000),
        [],
        Decimal(0),
    )
    ledger(
        "401k",
        {"VTSAX": Decimal("0.8"), "BND": Decimal("0.2")},
        Decimal(1800),
        Decimal(65000),
        [],
        Decimal(0),
    )
    (OUT / "accounts.csv").write_text(
        "file,name,type,institution\n"
        "taxable-brokerage.csv,Taxable brokerage,brokerage,Fidelity\n"
        "roth-ira.csv,Roth IRA,roth_ira,Vanguard\n"
        "401k.csv,401(k),401k,Schwab\n"
    )


if __name__ == "__main__":
    main()
