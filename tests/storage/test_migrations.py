"""Schema versions: a v1 file is migrated, backed up first, and a newer file is refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from portfolioos.errors import StorageError
from portfolioos.paths import DataPaths
from portfolioos.storage import config_schema, portfolio_schema
from portfolioos.storage.config_store import ConfigStore
from portfolioos.storage.duck import DuckDatabase
from portfolioos.storage.migrations import current_version, migrate, sql_migration


def test_config_v1_file_is_migrated_with_backup(tmp_path: Path) -> None:
    paths = DataPaths(tmp_path).ensure()
    old = ConfigStore(paths.config_db, paths.backups, target_version=1)
    assert old.schema_version == 1
    with old.transaction() as conn:
        conn.execute(
            "INSERT INTO accounts (name, type, institution, currency, notes, created_at,"
            " updated_at)"
            " VALUES ('Old', 'ira', 'Vanguard', 'USD', '', '2020-01-01T00:00:00+00:00',"
            " '2020-01-01T00:00:00+00:00')"
        )
    old.close()

    store = ConfigStore(paths.config_db, paths.backups)
    assert store.schema_version == config_schema.MIGRATIONS[-1].version
    [account] = store.list_accounts()
    assert (account.name, account.type.value, account.lot_method.value) == ("Old", "ira", "fifo")
    backups = list(paths.backups.glob("config.sqlite.v1.*.bak"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchone() == (1,)
        assert conn.execute("SELECT name FROM accounts").fetchall() == [("Old",)]


def test_duckdb_migration_runs_in_order_and_backs_up(tmp_path: Path) -> None:
    paths = DataPaths(tmp_path).ensure()
    v1 = DuckDatabase(paths.portfolio_db, portfolio_schema.MIGRATIONS[:1], paths.backups)
    assert v1.schema_version == 1
    v1.close()
    latest = portfolio_schema.MIGRATIONS[-1].version
    newer = (
        *portfolio_schema.MIGRATIONS,
        sql_migration(latest + 1, "a test column", "ALTER TABLE snapshots ADD COLUMN note VARCHAR"),
    )
    db = DuckDatabase(paths.portfolio_db, newer, paths.backups)
    assert db.schema_version == latest + 1
    assert "note" in [r[0] for r in db.fetchall("DESCRIBE snapshots")]
    db.close()
    assert len(list(paths.backups.glob("portfolio.duckdb.v1.*.bak"))) == 1


def test_v1_lots_and_holdings_keep_their_rows_and_lose_their_keys(tmp_path: Path) -> None:
    """Folders made with keyed lots/holdings: v2 rebuilds the tables, rows intact."""
    paths = DataPaths(tmp_path).ensure()
    keyed = portfolio_schema.V1.replace(
        "wash_sale_adjustment DECIMAL(38,12) NOT NULL DEFAULT 0\n)",
        "wash_sale_adjustment DECIMAL(38,12) NOT NULL DEFAULT 0,\n"
        "    PRIMARY KEY (account_id, symbol, lot_id)\n)",
    )
    assert keyed != portfolio_schema.V1
    v1 = DuckDatabase(paths.portfolio_db, (sql_migration(1, "keyed v1", keyed),), paths.backups)
    with v1.write() as cur:
        cur.execute(
            "INSERT INTO lots VALUES (1, 'VTI', 'L1', DATE '2020-01-02', 10, 10,"
            " 1234.567890123456, 'USD', 0)"
        )
    v1.close()
    db = DuckDatabase(paths.portfolio_db, portfolio_schema.MIGRATIONS, paths.backups)
    assert db.schema_version == 2
    rows = db.fetchall("SELECT lot_id, CAST(cost_basis AS VARCHAR) FROM lots")
    assert rows == [("L1", "1234.567890123456")]
    keys = db.fetchall(
        "SELECT count(*) FROM duckdb_constraints() WHERE table_name IN ('lots','holdings')"
        " AND constraint_type = 'PRIMARY KEY'"
    )
    assert keys == [(0,)]
    db.close()


def test_failed_migration_rolls_back_and_says_where_the_copy_is(tmp_path: Path) -> None:
    paths = DataPaths(tmp_path).ensure()
    store = ConfigStore(paths.config_db, paths.backups)
    store.close()
    broken = (*config_schema.MIGRATIONS, sql_migration(99, "broken", "ALTER TABLE nope ADD x INT"))
    conn = sqlite3.connect(paths.config_db, isolation_level=None)
    with pytest.raises(StorageError, match="schema 99"):
        migrate(conn, broken, db_file=paths.config_db, backups=paths.backups)
    assert current_version(conn) == config_schema.MIGRATIONS[-1].version


def test_newer_file_is_refused_untouched(tmp_path: Path) -> None:
    paths = DataPaths(tmp_path).ensure()
    ConfigStore(paths.config_db, paths.backups).close()
    with sqlite3.connect(paths.config_db) as conn:
        conn.execute("UPDATE schema_version SET version = 1000")
    with pytest.raises(StorageError, match="newer PortfolioOS"):
        ConfigStore(paths.config_db, paths.backups)


def test_schema_constraints_hold_without_python(tmp_path: Path) -> None:
    paths = DataPaths(tmp_path).ensure()
    store = ConfigStore(paths.config_db, paths.backups)
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO llm_providers (name, provider_type, endpoint_url, is_default)"
            " VALUES ('a', 'openai', 'https://x', 1)"
        )
    refused = (
        "INSERT INTO llm_providers (name, provider_type, endpoint_url, is_default)"
        " VALUES ('b', 'openai', 'https://y', 1)",  # a second default
        "INSERT INTO llm_providers (name, provider_type, endpoint_url) VALUES ('A', 'openai', 'u')",
        "INSERT INTO llm_providers (name, provider_type, endpoint_url) VALUES ('c', 'gopher', 'u')",
        "INSERT INTO data_sources (name, source_type) VALUES ('x', 'bloomberg')",
    )
    for sql in refused:
        with pytest.raises(sqlite3.IntegrityError), store.transaction() as conn:
            conn.execute(sql)
