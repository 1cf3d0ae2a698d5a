"""A small two-account portfolio written through the real import and price services.

Taxable (FIFO): AAA bought twice (10 @ 100, 10 @ 150) and 5 sold in 2025; BBB 20 @ 50.
IRA: AAA 5 @ 120 and CCC 3 @ 10, which has no price (an unpriced holding).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from portfolioos.domain.accounts import AccountDraft

HEADER = "date,type,symbol,quantity,price,fees,amount,currency\n"
TAXABLE = HEADER + (
    "2024-01-02,deposit,,,,0,10000,USD\n"
    "2024-01-02,buy,AAA,10,100,0,-1000,USD\n"
    "2024-01-02,buy,BBB,20,50,0,-1000,USD\n"
    "2024-06-03,buy,AAA,10,150,0,-1500,USD\n"
    "2025-03-03,sell,AAA,5,200,0,1000,USD\n"
)
IRA = HEADER + (
    "2024-02-01,deposit,,,,0,5000,USD\n"
    "2024-02-01,buy,AAA,5,120,0,-600,USD\n"
    "2024-02-01,buy,CCC,3,10,0,-30,USD\n"
)
PRICES = "symbol,date,close\n" + "".join(
    f"{s},{d},{c}\n"
    for s, d, c in (
        ("AAA", "2024-01-02", 100),
        ("AAA", "2024-06-03", 150),
        ("AAA", "2025-03-03", 200),
        ("AAA", "2025-06-30", 210),
        ("BBB", "2024-01-02", 50),
        ("BBB", "2024-06-03", 55),
        ("BBB", "2025-03-03", 60),
        ("BBB", "2025-06-30", 58),
    )
)


def seed(ctx: Any, folder: Path) -> dict[str, int]:
    """Accounts, ledgers and prices; returns account ids by name."""
    folder.mkdir(parents=True, exist_ok=True)
    ids = {}
    for name, text in (("Taxable", TAXABLE), ("IRA", IRA)):
        account, _ = ctx.portfolio.create_account(AccountDraft(name=name))
        path = folder / f"{name}.csv"
        path.write_text(text)
        ctx.imports.import_file(path, account.id, broker="generic")
        ids[name] = account.id
    prices = folder / "prices.csv"
    prices.write_text(PRICES)
    ctx.market.import_prices_csv(prices)
    return ids
