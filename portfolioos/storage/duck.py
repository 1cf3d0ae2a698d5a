"""One DuckDB file: open, migrate, hand out per-thread cursors, serialise writes.

DuckDB allows one writing process per file (the data-folder lock guarantees that) and
many cursors inside it. Each thread gets its own cursor from one connection, as the
DuckDB docs require for multi-threaded use; writes additionally go through
`write()`, which holds a process-wide lock and one transaction, so a bulk import is
all-or-nothing and never interleaves with another writer (Anki's single-writer rule).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from portfolioos.errors import StorageError
from portfolioos.storage.migrations import Migration, migrate

logger = logging.getLogger(__name__)


class DuckDatabase:
    def __init__(
        self,
        path: Path,
        migrations: Sequence[Migration],
        backups: Path,
        *,
        read_only: bool = False,
        target_version: int | None = None,
    ) -> None:
        import duckdb

        self.path = path
        self.read_only = read_only
        try:
            self._root = duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            raise StorageError(
                f"Cannot open {path}: {exc}. Is another program using this data folder?"
            ) from None
        except duckdb.Error as exc:
            raise StorageError(f"{path} is not a readable DuckDB database: {exc}") from None
        self._local = threading.local()
        self._write_lock = threading.RLock()
        if read_only:
            self.schema_version = self._root.execute(
                "SELECT max(version) FROM schema_version"
            ).fetchall()[0][0]
        else:
            self.schema_version = migrate(
                self._root,
                migrations,
                db_file=path,
                backups=backups,
                before_backup=lambda: self._root.execute("CHECKPOINT"),
                target=target_version,
            )

    def cursor(self) -> Any:
        """This thread's cursor (a DuckDB connection sharing the same database)."""
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._root.cursor()
            self._local.cursor = cur
        return cur

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> Any:
        return (
            self.cursor().execute(sql, params) if params is not None else self.cursor().execute(sql)
        )

    def fetchall(
        self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None
    ) -> list[tuple[Any, ...]]:
        return list(self.execute(sql, params).fetchall())

    def fetchone(
        self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None
    ) -> tuple[Any, ...] | None:
        # fetchall, not fetchone: DuckDB 2 refuses new work on a cursor whose result
        # was not read to the end.
        rows = self.execute(sql, params).fetchall()
        return tuple(rows[0]) if rows else None

    @contextmanager
    def write(self) -> Iterator[Any]:
        """One serialised transaction: commit on success, roll back on any exception."""
        if self.read_only:
            raise StorageError(f"{self.path} is open read-only.")
        with self._write_lock:
            cur = self.cursor()
            cur.execute("BEGIN TRANSACTION")
            try:
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            cur.execute("COMMIT")

    def copy_to(self, target: Path) -> None:
        """A consistent copy of the file: under the write lock (no write can start),
        checkpoint so the file holds every committed change, then copy it (and a WAL
        the checkpoint could not fold in, which the copy then replays on open)."""
        import shutil

        with self._write_lock:
            try:
                self._root.execute("CHECKPOINT")
            except Exception as exc:  # a concurrent reader can block it; the WAL covers
                logger.info("checkpoint before copying %s skipped: %s", self.path, exc)
            try:
                shutil.copyfile(self.path, target)
                wal = self.path.with_name(self.path.name + ".wal")
                if wal.exists() and wal.stat().st_size:
                    shutil.copyfile(wal, target.with_name(target.name + ".wal"))
            except OSError as exc:
                raise StorageError(
                    f"Cannot copy {self.path} to {target}: {exc.strerror or exc}"
                ) from None

    def close(self) -> None:
        try:
            self._root.close()
        except Exception:  # pragma: no cover - closing is best effort at shutdown
            logger.exception("closing %s", self.path)
