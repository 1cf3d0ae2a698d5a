"""The few ledger facts market data needs, read from portfolio.duckdb.

Which symbols are held decides what a sync fetches; when they were first acquired
and which splits and dividends the ledger already records decide which of Yahoo's
corporate actions are worth suggesting. Holdings proper are the engine's business:
when its `holdings` table has rows they are used, otherwise the net share count is
summed straight from the ledger; a symbol with a split in its history counts as held
while anything was ever bought (without the engine, split-adjusted counts are out of
reach, and fetching one symbol too many is harmless).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from portfolioos.storage.duck import DuckDatabase

_NET_SHARES = (
    "SELECT symbol FROM transactions WHERE symbol IS NOT NULL AND symbol <> '' "
    "GROUP BY symbol HAVING sum(CASE WHEN type IN ('buy','reinvest','transfer_in') THEN quantity "
    "WHEN type IN ('sell','transfer_out') THEN -quantity ELSE 0 END) > 0 "
    "OR bool_or(type = 'split') AND sum(CASE WHEN type IN ('buy','reinvest','transfer_in') "
    "THEN quantity ELSE 0 END) > 0 ORDER BY symbol"
)


def held_symbols(db: DuckDatabase) -> list[str]:
    """Symbols with shares in any account (engine holdings if derived, else ledger sums)."""
    derived = db.fetchall("SELECT DISTINCT symbol FROM holdings WHERE shares <> 0 ORDER BY symbol")
    if derived:
        return [r[0] for r in derived]
    return [r[0] for r in db.fetchall(_NET_SHARES)]


def first_acquired_by_account(
    db: DuckDatabase, symbols: Sequence[str] | None = None
) -> dict[tuple[int, str], date]:
    """(account_id, symbol) -> first day shares arrived in that account."""
    rows = db.fetchall(
        "SELECT account_id, symbol, min(coalesce(acquired_date, date)) FROM transactions "
        "WHERE symbol IS NOT NULL AND symbol <> '' AND type IN ('buy','reinvest','transfer_in') "
        "AND (? IS NULL OR symbol IN (SELECT unnest(?))) GROUP BY account_id, symbol",
        [None if symbols is None else 1, None if symbols is None else list(symbols)],
    )
    return {(int(r[0]), r[1]): r[2] for r in rows}


def recorded_actions_by_account(
    db: DuckDatabase, symbols: Sequence[str]
) -> dict[tuple[int, str, str], list[date]]:
    """(account_id, symbol, 'split'|'dividend') -> days the ledger records one; a
    reinvested dividend counts as a dividend."""
    rows = db.fetchall(
        "SELECT DISTINCT account_id, symbol, CASE WHEN type = 'split' THEN 'split' "
        "ELSE 'dividend' END, date FROM transactions WHERE symbol IN (SELECT unnest(?)) "
        "AND type IN ('split','dividend','reinvest') ORDER BY 1, 2, 3, 4",
        [list(symbols)],
    )
    out: dict[tuple[int, str, str], list[date]] = {}
    for account_id, symbol, kind, day in rows:
        out.setdefault((int(account_id), symbol, kind), []).append(day)
    return out


def confirmed_actions(db: DuckDatabase, broker: str) -> list[tuple[int, str, int, date, Any]]:
    """Live rows written by confirming a suggestion: (batch_id, batch source, row id,
    date, amount) of batches whose `broker` is the given marker."""
    rows = db.fetchall(
        "SELECT b.id, b.source, t.id, t.date, t.amount FROM import_batches b "
        "JOIN transactions t ON t.batch_id = b.id WHERE b.broker = ? AND b.undone_at IS NULL "
        "ORDER BY b.id",
        [broker],
    )
    return [(int(r[0]), r[1], int(r[2]), r[3], r[4]) for r in rows]


def action_rows(
    db: DuckDatabase, account_id: int, symbol: str, kind: str
) -> list[tuple[int, date, Any]]:
    """(id, date, amount) of one account's split rows, or dividend and reinvest rows."""
    types = ["split"] if kind == "split" else ["dividend", "reinvest"]
    rows = db.fetchall(
        "SELECT id, date, amount FROM transactions WHERE account_id = ? AND symbol = ? "
        "AND type IN (SELECT unnest(?)) ORDER BY date, id",
        [account_id, symbol, types],
    )
    return [(int(r[0]), r[1], r[2]) for r in rows]
