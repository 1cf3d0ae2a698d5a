"""import_batches and the rows they brought: create with the rows, list, undo.

A batch row and its transactions are written in the caller's one `db.write()`
transaction, so a crash leaves both or neither. Undo deletes the batch's rows and
stamps the batch, again in one transaction; the batch row stays as history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from portfolioos.errors import ConflictError, NotFoundError
from portfolioos.storage.duck import DuckDatabase
from portfolioos.storage.ledger_store import fingerprint_of

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True, slots=True)
class BatchRecord:
    id: int
    account_id: int
    source: str
    broker: str
    file_sha256: str | None
    imported_at: datetime
    rows_added: int
    rows_skipped: int
    undone_at: datetime | None


_BATCH_COLUMNS = (
    "id, account_id, source, broker, file_sha256, imported_at, rows_added, rows_skipped, undone_at"
)


class ImportStore:
    def __init__(self, db: DuckDatabase) -> None:
        self.db = db

    def create_batch(
        self, cur: Any, *, account_id: int, source: str, broker: str, file_sha256: str | None
    ) -> int:
        rows = cur.execute(
            "INSERT INTO import_batches (account_id, source, broker, file_sha256)"
            " VALUES (?, ?, ?, ?) RETURNING id",
            [account_id, source, broker, file_sha256],
        ).fetchall()
        return int(rows[0][0])

    def finish_batch(self, cur: Any, batch_id: int, *, added: int, skipped: int) -> None:
        cur.execute(
            "UPDATE import_batches SET rows_added = ?, rows_skipped = ? WHERE id = ?",
            [added, skipped, batch_id],
        ).fetchall()

    def drop_batch(self, cur: Any, batch_id: int) -> None:
        """Forget a batch that added nothing (inside the transaction that created it)."""
        cur.execute("DELETE FROM import_batches WHERE id = ?", [batch_id]).fetchall()

    def known_fingerprints(self, account_id: int, fingerprints: pd.DataFrame) -> set[str]:
        """Which of these fingerprints (frame column `fingerprint`) the account already has."""
        cur = self.db.cursor()
        cur.register("incoming_fingerprints", fingerprints)
        try:
            rows = cur.execute(
                "SELECT i.fingerprint FROM incoming_fingerprints i JOIN transactions t"
                f" ON t.fingerprint = {fingerprint_of('i.fingerprint')} AND t.account_id = ?",
                [account_id],
            ).fetchall()
        finally:
            cur.unregister("incoming_fingerprints")
        return {r[0] for r in rows}

    def batches(self, account_id: int | None = None) -> list[BatchRecord]:
        where, params = (
            ("WHERE account_id = ?", [account_id]) if account_id is not None else ("", [])
        )
        rows = self.db.fetchall(
            f"SELECT {_BATCH_COLUMNS} FROM import_batches {where} ORDER BY id", params
        )
        return [BatchRecord(*r) for r in rows]

    def batch(self, batch_id: int) -> BatchRecord:
        rows = self.db.fetchall(
            f"SELECT {_BATCH_COLUMNS} FROM import_batches WHERE id = ?", [batch_id]
        )
        if not rows:
            raise NotFoundError(f"No import batch {batch_id}.")
        return BatchRecord(*rows[0])

    def undo(self, batch_id: int) -> tuple[BatchRecord, int]:
        """Delete the batch's rows and mark it undone; returns the batch and rows removed."""
        batch = self.batch(batch_id)
        if batch.undone_at is not None:
            raise ConflictError(
                f"Import batch {batch_id} was already undone at {batch.undone_at:%Y-%m-%d %H:%M}."
            )
        with self.db.write() as cur:
            removed = cur.execute(
                "DELETE FROM transactions WHERE batch_id = ?", [batch_id]
            ).fetchall()[0][0]
            cur.execute(
                "UPDATE import_batches SET undone_at = current_timestamp WHERE id = ?", [batch_id]
            ).fetchall()
        return self.batch(batch_id), int(removed)
