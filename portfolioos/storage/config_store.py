"""sqlite3 access to config.sqlite.

WAL with synchronous=FULL: a committed change survives power loss and a SIGKILL, and
readers never block the writer. One connection per thread (sqlite3 objects are not
shared across threads); writes are serialised by sqlite itself.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from portfolioos.domain.accounts import Account, AccountDraft, AccountType, LotMethod
from portfolioos.errors import ConflictError, NotFoundError, StorageError
from portfolioos.storage import config_schema
from portfolioos.storage.migrations import migrate


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def connect_sqlite(path: Path) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=10, check_same_thread=True)
    except sqlite3.Error as exc:
        raise StorageError(f"Cannot open {path}: {exc}") from None
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=10000")
    return conn


class ConfigStore:
    """Accounts and preferences (and the tables later areas own) in config.sqlite."""

    def __init__(self, path: Path, backups: Path, *, target_version: int | None = None) -> None:
        self.path = path
        self._local = threading.local()
        conn = self._conn()
        try:
            self.schema_version = migrate(
                conn,
                config_schema.MIGRATIONS,
                db_file=path,
                backups=backups,
                before_backup=lambda: conn.execute("PRAGMA wal_checkpoint(TRUNCATE)"),
                target=target_version,
            )
        except sqlite3.DatabaseError as exc:
            raise StorageError(f"{path} is not a readable PortfolioOS database: {exc}") from None

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect_sqlite(self.path)
            self._local.conn = conn
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def copy_to(self, target: Path) -> None:
        """A consistent copy of the whole database (sqlite's online backup API: safe
        while other connections read and write; WAL content included)."""
        try:
            dest = sqlite3.connect(target)
            try:
                self._conn().backup(dest)
            finally:
                dest.close()
        except sqlite3.Error as exc:
            raise StorageError(f"Cannot copy {self.path} to {target}: {exc}") from None

    def query(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> list[sqlite3.Row]:
        return list(self._conn().execute(sql, params).fetchall())

    # -- accounts ---------------------------------------------------------------

    def list_accounts(self) -> list[Account]:
        return [
            _account(r) for r in self.query("SELECT * FROM accounts ORDER BY name COLLATE NOCASE")
        ]

    def get_account(self, account_id: int) -> Account:
        rows = self.query("SELECT * FROM accounts WHERE id = ?", (account_id,))
        if not rows:
            raise NotFoundError(f"No account with id {account_id}.")
        return _account(rows[0])

    def find_account(self, name: str) -> Account | None:
        rows = self.query("SELECT * FROM accounts WHERE name = ? COLLATE NOCASE", (name.strip(),))
        return _account(rows[0]) if rows else None

    def insert_account(self, draft: AccountDraft) -> Account:
        now = _now()
        try:
            with self.transaction() as conn:
                cur = conn.execute(
                    "INSERT INTO accounts (name, type, institution, currency, notes, lot_method,"
                    " track_wash_sales, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
                    (
                        draft.name,
                        str(draft.type),
                        draft.institution,
                        draft.currency,
                        draft.notes,
                        str(draft.lot_method),
                        int(draft.track_wash_sales),
                        now,
                        now,
                    ),
                )
                new_id = int(cur.lastrowid or 0)
        except sqlite3.IntegrityError as exc:
            raise _integrity(exc, draft.name) from None
        return self.get_account(new_id)

    def update_account(self, account_id: int, draft: AccountDraft) -> Account:
        try:
            with self.transaction() as conn:
                cur = conn.execute(
                    "UPDATE accounts SET name=?, type=?, institution=?, currency=?, notes=?,"
                    " lot_method=?, track_wash_sales=?, updated_at=? WHERE id=?",
                    (
                        draft.name,
                        str(draft.type),
                        draft.institution,
                        draft.currency,
                        draft.notes,
                        str(draft.lot_method),
                        int(draft.track_wash_sales),
                        _now(),
                        account_id,
                    ),
                )
                if cur.rowcount == 0:
                    raise NotFoundError(f"No account with id {account_id}.")
        except sqlite3.IntegrityError as exc:
            raise _integrity(exc, draft.name) from None
        return self.get_account(account_id)

    def delete_account(self, account_id: int) -> None:
        with self.transaction() as conn:
            cur = conn.execute("DELETE FROM accounts WHERE id = ?", (account_id,))
            if cur.rowcount == 0:
                raise NotFoundError(f"No account with id {account_id}.")

    # -- preferences ------------------------------------------------------------

    def get_preference(self, key: str) -> Any:
        rows = self.query("SELECT value FROM preferences WHERE key = ?", (key,))
        return json.loads(rows[0]["value"]) if rows else None

    def has_preference(self, key: str) -> bool:
        return bool(self.query("SELECT 1 FROM preferences WHERE key = ?", (key,)))

    def set_preference(self, key: str, value: Any) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO preferences (key, value, updated_at) VALUES (?,?,?) "
                "ON CONFLICT(key) DO UPDATE SET value=excluded.value,"
                " updated_at=excluded.updated_at",
                (key, json.dumps(value), _now()),
            )

    def delete_preference(self, key: str) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM preferences WHERE key = ?", (key,))

    def all_preferences(self) -> dict[str, Any]:
        return {
            r["key"]: json.loads(r["value"])
            for r in self.query("SELECT key, value FROM preferences")
        }


def _account(row: sqlite3.Row) -> Account:
    return Account(
        id=int(row["id"]),
        name=row["name"],
        type=AccountType(row["type"]),
        institution=row["institution"],
        currency=row["currency"],
        notes=row["notes"],
        lot_method=LotMethod(row["lot_method"]),
        track_wash_sales=bool(row["track_wash_sales"]),
        created_at=datetime.fromisoformat(row["created_at"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
    )


def _integrity(exc: sqlite3.IntegrityError, name: str) -> Exception:
    if "UNIQUE" in str(exc) and "accounts.name" in str(exc):
        return ConflictError(f"An account named '{name}' already exists.")
    return ConflictError(f"The change was refused by the database: {exc}.")
