"""Reads for exports: ledger rows with filters, and the derived tables as they are."""

from __future__ import annotations

from datetime import date
from typing import Any

from portfolioos.storage.duck import DuckDatabase
from portfolioos.storage.ledger_store import (
    FINGERPRINT_TEXT,
    LEDGER_COLUMNS,
    TransactionFilter,
    _where,
)

_DERIVED = {
    "lots": (
        "account_id",
        "symbol",
        "lot_id",
        "acquired_date",
        "quantity",
        "remaining",
        "cost_basis",
        "currency",
        "wash_sale_adjustment",
    ),
    "holdings": (
        "account_id",
        "symbol",
        "shares",
        "cost_basis",
        "realized_gain",
        "currency",
        "lot_method",
        "as_of",
    ),
    "snapshots": (
        "account_id",
        "date",
        "market_value",
        "cost_basis",
        "cash",
        "currency",
        "unpriced",
    ),
}


class ExportStore:
    def __init__(self, db: DuckDatabase) -> None:
        self.db = db

    def transactions(
        self,
        *,
        account_ids: list[int] | None = None,
        symbol: str | None = None,
        types: list[str] | None = None,
        start: date | None = None,
        end: date | None = None,
        text: str | None = None,
        by_id: bool = False,
    ) -> list[dict[str, Any]]:
        """Ledger rows chosen exactly as the Transactions page chooses them (the same
        TransactionFilter and WHERE clause), so an export holds what the page showed."""
        clause, params = _where(
            TransactionFilter(
                tuple(account_ids) if account_ids is not None else None,
                symbol,
                tuple(types) if types else None,
                start,
                end,
                text,
            )
        )
        columns = ("id", *LEDGER_COLUMNS)
        selected = [FINGERPRINT_TEXT if c == "fingerprint" else c for c in columns]
        rows = self.db.fetchall(
            f"SELECT {', '.join(selected)} FROM transactions {clause} ORDER BY "
            + ("id" if by_id else "account_id, date, id"),
            params,
        )
        return [dict(zip(columns, r, strict=True)) for r in rows]

    def date_span(self, account_ids: list[int] | None = None) -> tuple[date | None, date | None]:
        """The first and last ledger dates of these accounts (all when None)."""
        clause, params = _where(
            TransactionFilter(tuple(account_ids) if account_ids is not None else None)
        )
        rows = self.db.fetchall(f"SELECT min(date), max(date) FROM transactions{clause}", params)
        first, last = rows[0] if rows else (None, None)
        return first, last

    def derived(self, table: str, account_ids: list[int] | None = None) -> list[dict[str, Any]]:
        columns = _DERIVED[table]
        clause, params = "", []
        if account_ids is not None:
            clause = f"WHERE account_id IN ({','.join('?' * len(account_ids)) or 'NULL'})"
            params = list(account_ids)
        rows = self.db.fetchall(
            f"SELECT {', '.join(columns)} FROM {table} {clause} ORDER BY {', '.join(columns[:2])}",
            params,
        )
        return [dict(zip(columns, r, strict=True)) for r in rows]
