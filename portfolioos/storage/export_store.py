"""Reads for exports: ledger rows with filters, and the derived tables as they are."""

from __future__ import annotations

from datetime import date
from typing import Any

from portfolioos.storage.duck import DuckDatabase
from portfolioos.storage.ledger_store import FINGERPRINT_TEXT, LEDGER_COLUMNS

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
        by_id: bool = False,
    ) -> list[dict[str, Any]]:
        where: list[str] = []
        params: list[Any] = []
        if account_ids is not None:
            where.append(f"account_id IN ({','.join('?' * len(account_ids)) or 'NULL'})")
            params.extend(account_ids)
        if symbol:
            where.append("upper(symbol) = upper(?)")
            params.append(symbol)
        if types:
            where.append(f"type IN ({','.join('?' * len(types))})")
            params.extend(types)
        if start:
            where.append("date >= ?")
            params.append(start)
        if end:
            where.append("date <= ?")
            params.append(end)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        columns = ("id", *LEDGER_COLUMNS)
        selected = [FINGERPRINT_TEXT if c == "fingerprint" else c for c in columns]
        rows = self.db.fetchall(
            f"SELECT {', '.join(selected)} FROM transactions {clause} ORDER BY "
            + ("id" if by_id else "account_id, date, id"),
            params,
        )
        return [dict(zip(columns, r, strict=True)) for r in rows]

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
