"""Ledger rows in portfolio.duckdb (reads and writes of `transactions` and friends)."""

from __future__ import annotations

from portfolioos.storage.duck import DuckDatabase


class LedgerStore:
    def __init__(self, db: DuckDatabase) -> None:
        self.db = db

    def count_transactions(self, account_id: int) -> int:
        row = self.db.fetchone("SELECT count(*) FROM transactions WHERE account_id = ?", [account_id])
        return int(row[0]) if row else 0

    def delete_account_data(self, account_id: int) -> int:
        """Remove every row that belongs to an account, in one transaction."""
        with self.db.write() as cur:
            count = cur.execute(
                "SELECT count(*) FROM transactions WHERE account_id = ?", [account_id]
            ).fetchone()[0]
            for table in ("transactions", "lots", "holdings", "snapshots", "import_batches"):
                cur.execute(f"DELETE FROM {table} WHERE account_id = ?", [account_id])
        return int(count)
