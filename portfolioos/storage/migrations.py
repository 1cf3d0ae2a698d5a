"""Schema versions and ordered migrations, shared by the sqlite3 and DuckDB files.

Each database keeps its version in a one-row `schema_version` table. Opening a file
whose version is older than the code's applies the missing migrations in order, each
in its own transaction, after copying the file into `backups/` so a migration that
goes wrong can always be undone by hand. A file *newer* than the code is refused:
an old build must never scribble over a newer schema.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from portfolioos.errors import StorageError

logger = logging.getLogger(__name__)


class Connection(Protocol):
    """What both sqlite3 and DuckDB connections offer."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Any: ...


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    description: str
    apply: Callable[[Any], None]


def sql_migration(version: int, description: str, script: str) -> Migration:
    """A migration that is a sequence of `;`-separated statements."""

    def apply(conn: Any) -> None:
        for statement in _split_sql(script):
            conn.execute(statement)

    return Migration(version, description, apply)


def _split_sql(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def current_version(conn: Any) -> int:
    conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    rows = conn.execute("SELECT max(version) FROM schema_version").fetchall()
    return int(rows[0][0]) if rows and rows[0][0] is not None else 0


def backup_file(db_file: Path, backups: Path, from_version: int) -> Path:
    import shutil  # only when migrating: shutil pulls in compression modules

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = backups / f"{db_file.name}.v{from_version}.{stamp}.bak"
    backups.mkdir(parents=True, exist_ok=True)
    shutil.copy2(db_file, target)
    wal = db_file.with_name(db_file.name + ".wal")
    if wal.exists():
        shutil.copy2(wal, target.with_name(target.name + ".wal"))
    return target


def migrate(
    conn: Any,
    migrations: Sequence[Migration],
    *,
    db_file: Path,
    backups: Path,
    before_backup: Callable[[], object] | None = None,
    target: int | None = None,
) -> int:
    """Bring `conn` to `target` (default: the newest migration); return the version.

    `before_backup` lets the caller flush (checkpoint) the file so the copy is whole.
    """
    versions = [m.version for m in migrations]
    if versions != sorted(versions) or len(set(versions)) != len(versions):
        raise AssertionError("migrations must be strictly increasing")
    newest = target if target is not None else (versions[-1] if versions else 0)
    version = current_version(conn)
    if version > versions[-1]:
        raise StorageError(
            f"{db_file} was written by a newer PortfolioOS (schema {version}, this build "
            f"knows {versions[-1]}). Update the app; the file was not touched."
        )
    pending = [m for m in migrations if version < m.version <= newest]
    if not pending:
        return version
    if version > 0:
        if before_backup is not None:
            before_backup()
        saved = backup_file(db_file, backups, version)
        logger.info("backed up %s to %s before migrating", db_file, saved)
    for migration in pending:
        logger.info(
            "migrating %s to v%d: %s", db_file.name, migration.version, migration.description
        )
        conn.execute("BEGIN")
        try:
            migration.apply(conn)
            conn.execute("DELETE FROM schema_version")
            conn.execute("INSERT INTO schema_version VALUES (?)", [migration.version])
            conn.execute("COMMIT")
        except Exception as exc:
            conn.execute("ROLLBACK")
            logger.exception("migration %d of %s failed", migration.version, db_file)
            raise StorageError(
                f"Could not upgrade {db_file} to schema {migration.version} "
                f"({migration.description}): {exc}. The file is unchanged; a copy is in "
                f"{backups}."
            ) from exc
        version = migration.version
    return version
