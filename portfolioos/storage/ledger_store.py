"""Ledger rows in portfolio.duckdb (reads and writes of `transactions` and friends)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from portfolioos.domain.ledger import LedgerEntry
from portfolioos.storage.duck import DuckDatabase

if TYPE_CHECKING:
    import pandas as pd

LEDGER_COLUMNS = (
    "account_id",
    "date",
    "type",
    "symbol",
    "quantity",
    "price",
    "amount",
    "fees",
    "currency",
    "note",
    "lot_id",
    "split_ratio",
    "acquired_date",
    "original_basis",
    "batch_id",
    "source_line",
    "fingerprint",
)


def entries_frame(entries: Sequence[LedgerEntry]) -> pd.DataFrame:
    """LedgerEntries as a frame whose Decimal columns DuckDB casts exactly."""
    import pandas as pd

    return pd.DataFrame(
        {
            "account_id": [e.account_id for e in entries],
            "date": [e.date for e in entries],
            "type": [e.type.value for e in entries],
            "symbol": [e.symbol for e in entries],
            "quantity": [_text(e.quantity) for e in entries],
            "price": [_text(e.price) for e in entries],
            "amount": [_text(e.amount) for e in entries],
            "fees": [_text(e.fees) for e in entries],
            "currency": [e.currency for e in entries],
            "note": [e.note for e in entries],
            "lot_id": [e.lot_id for e in entries],
            "split_ratio": [_text(e.split_ratio) for e in entries],
            "acquired_date": [e.acquired_date for e in entries],
            "original_basis": [_text(e.original_basis) for e in entries],
            "batch_id": [e.batch_id for e in entries],
            "source_line": [e.source_line for e in entries],
            "fingerprint": [e.fingerprint for e in entries],
        },
        columns=list(LEDGER_COLUMNS),
    )


def _text(value: object) -> str | None:
    # Decimals travel as text and are CAST to DECIMAL by DuckDB: exact, never via float.
    return None if value is None else str(value)


# transactions.fingerprint is a UHUGEINT; Python sees it as 32 hex digits (domain.ledger.md5_text).
FINGERPRINT_TEXT = "lpad(lower(hex(fingerprint)), 32, '0')"


def fingerprint_of(text_sql: str) -> str:
    """SQL turning a 32-hex-digit fingerprint (text) into the stored UHUGEINT.

    Text that is not 32 hex digits (a caller's own identifiers, e.g. in benchmarks) is
    hashed instead, so distinct strings stay distinct; it then reads back as the hash.
    """
    return (
        f"CASE WHEN length({text_sql}) = 32 THEN TRY_CAST('0x' || {text_sql} AS UHUGEINT) END"
    ).join(("coalesce(", f", md5_number({text_sql}))"))


_INSERT_SELECT = (
    "INSERT INTO transactions (account_id, date, type, symbol, quantity, price, amount, fees,"
    " currency, note, lot_id, split_ratio, acquired_date, original_basis, batch_id, source_line,"
    " fingerprint) SELECT CAST(account_id AS INTEGER), CAST(date AS DATE), type, symbol,"
    " CAST(quantity AS DECIMAL(38,12)), CAST(price AS DECIMAL(38,12)),"
    " CAST(amount AS DECIMAL(38,12)), CAST(coalesce(fees, '0') AS DECIMAL(38,12)), currency,"
    " coalesce(note, ''), lot_id, CAST(split_ratio AS DECIMAL(38,12)), CAST(acquired_date AS DATE),"
    " CAST(original_basis AS DECIMAL(38,12)), CAST(batch_id AS BIGINT),"
    f" CAST(source_line AS INTEGER), {fingerprint_of('s.fingerprint')} FROM {{source}} AS s"
    " WHERE NOT EXISTS (SELECT 1 FROM transactions t"
    " WHERE t.account_id = CAST(s.account_id AS INTEGER)"
    f" AND t.fingerprint = {fingerprint_of('s.fingerprint')})"
)


class LedgerStore:
    def __init__(self, db: DuckDatabase) -> None:
        self.db = db

    def append_frame(self, cur: object, frame: pd.DataFrame) -> int:
        """Insert rows whose fingerprint is new, inside the caller's `db.write()`.

        Returns how many were added. The frame has LEDGER_COLUMNS (see entries_frame).
        """
        before = cur.execute("SELECT count(*) FROM transactions").fetchall()[0][0]  # type: ignore[attr-defined]
        cur.register("incoming_ledger", frame)  # type: ignore[attr-defined]
        try:
            cur.execute(_INSERT_SELECT.format(source="incoming_ledger"))  # type: ignore[attr-defined]
        finally:
            cur.unregister("incoming_ledger")  # type: ignore[attr-defined]
        after = cur.execute("SELECT count(*) FROM transactions").fetchall()[0][0]  # type: ignore[attr-defined]
        return int(after - before)

    def add_entries(self, entries: Sequence[LedgerEntry]) -> int:
        """Write entries (fingerprints already set) in one transaction; skip known ones."""
        if not entries:
            return 0
        with self.db.write() as cur:
            return self.append_frame(cur, entries_frame(entries))

    def count_transactions(self, account_id: int) -> int:
        row = self.db.fetchone(
            "SELECT count(*) FROM transactions WHERE account_id = ?", [account_id]
        )
        return int(row[0]) if row else 0

    def delete_account_data(self, account_id: int) -> int:
        """Remove every row that belongs to an account, in one transaction."""
        with self.db.write() as cur:
            count = cur.execute(
                "SELECT count(*) FROM transactions WHERE account_id = ?", [account_id]
            ).fetchall()[0][0]
            for table in ("transactions", "lots", "holdings", "snapshots", "import_batches"):
                cur.execute(f"DELETE FROM {table} WHERE account_id = ?", [account_id])
        return int(count)
