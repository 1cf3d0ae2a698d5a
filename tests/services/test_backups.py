"""Backups on real files: consistent copies, listing, staged restore applied at open."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from portfolioos.domain.accounts import AccountDraft
from portfolioos.errors import Cancelled, NotFoundError, ValidationError
from portfolioos.progress import CancelToken
from portfolioos.services.context import AppContext


def _rows(ctx: AppContext) -> list[tuple[int]]:
    return [tuple(r) for r in ctx.portfolio_db.fetchall("SELECT n FROM probe ORDER BY n")]


def _seed(ctx: AppContext) -> None:
    ctx.portfolio.create_account(AccountDraft(name="Before"))
    with ctx.portfolio_db.write() as cur:
        cur.execute("CREATE TABLE probe (n INTEGER)")
        cur.execute("INSERT INTO probe VALUES (1), (2)")


def test_create_copies_all_three_databases_consistently(ctx: AppContext) -> None:
    _seed(ctx)
    seen: list[tuple[float, str]] = []
    backup = ctx.settings.create_backup(progress=lambda f, m: seen.append((f, m)))

    assert backup.path == ctx.paths.backups / backup.name
    assert set(backup.files) == {"config.sqlite", "portfolio.duckdb", "market.duckdb"}
    manifest = json.loads((backup.path / "manifest.json").read_text())
    assert (
        manifest["files"]["portfolio.duckdb"] == (backup.path / "portfolio.duckdb").stat().st_size
    )
    assert seen[-1] == (1.0, f"Backup {backup.name} created")
    assert [b.name for b in ctx.settings.list_backups()] == [backup.name]
    # the copies open on their own and hold what was committed (the sqlite WAL and the
    # DuckDB WAL folded in)
    import sqlite3

    import duckdb

    copy = sqlite3.connect(backup.path / "config.sqlite")
    assert copy.execute("SELECT name FROM accounts").fetchall() == [("Before",)]
    copy.close()
    duck = duckdb.connect(str(backup.path / "portfolio.duckdb"), read_only=True)
    assert duck.execute("SELECT n FROM probe ORDER BY n").fetchall() == [(1,), (2,)]
    duck.close()


def test_two_backups_in_the_same_second_get_distinct_names(ctx: AppContext) -> None:
    first = ctx.settings.create_backup()
    second = ctx.settings.create_backup()
    assert first.name != second.name
    assert {b.name for b in ctx.settings.list_backups()} == {first.name, second.name}


def test_cancelled_backup_leaves_nothing_behind(ctx: AppContext) -> None:
    token = CancelToken()

    def progress(fraction: float, message: str) -> None:
        if "portfolio.duckdb" in message:
            token.cancel()

    with pytest.raises(Cancelled):
        ctx.settings.create_backup(progress=progress, cancel=token)
    assert ctx.settings.list_backups() == []
    assert [p.name for p in ctx.paths.backups.iterdir() if p.name.startswith(".tmp")] == []


def test_restore_is_staged_and_applied_at_the_next_open(data_dir: Path) -> None:
    with AppContext.open(data_dir) as ctx:
        _seed(ctx)
        backup = ctx.settings.create_backup()
        ctx.portfolio.create_account(AccountDraft(name="After"))
        with ctx.portfolio_db.write() as cur:
            cur.execute("INSERT INTO probe VALUES (3)")
        staged = ctx.settings.restore_backup(backup.name)
        assert staged.name == backup.name
        assert ctx.settings.pending_restore() == backup.name
        # nothing changes under the running app
        assert {a.name for a in ctx.portfolio.list_accounts()} == {"Before", "After"}
        assert _rows(ctx) == [(1,), (2,), (3,)]

    with AppContext.open(data_dir) as ctx:
        assert [a.name for a in ctx.portfolio.list_accounts()] == ["Before"]
        assert _rows(ctx) == [(1,), (2,)]
        assert ctx.settings.pending_restore() is None
        outcome = ctx.settings.last_restore()
        assert outcome is not None and outcome.ok and outcome.backup == backup.name
        # the databases as they were before the restore are a backup of their own
        safety = next(b for b in ctx.settings.list_backups() if b.name == outcome.safety_backup)
        assert safety.reason == "before restore"

    # ... which can itself be restored: the restore is undoable
    with AppContext.open(data_dir) as ctx:
        assert outcome.safety_backup is not None
        ctx.settings.restore_backup(outcome.safety_backup)
    with AppContext.open(data_dir) as ctx:
        assert {a.name for a in ctx.portfolio.list_accounts()} == {"Before", "After"}
        assert _rows(ctx) == [(1,), (2,), (3,)]


def test_a_reader_does_not_apply_a_staged_restore(data_dir: Path) -> None:
    with AppContext.open(data_dir) as ctx:
        backup = ctx.settings.create_backup()
        ctx.portfolio.create_account(AccountDraft(name="Kept"))
        ctx.settings.restore_backup(backup.name)
    with AppContext.open(data_dir, writer=False) as reader:
        assert [a.name for a in reader.portfolio.list_accounts()] == ["Kept"]
        assert reader.settings.pending_restore() == backup.name


def test_cancelled_restore_changes_nothing(data_dir: Path) -> None:
    with AppContext.open(data_dir) as ctx:
        backup = ctx.settings.create_backup()
        ctx.portfolio.create_account(AccountDraft(name="Kept"))
        ctx.settings.restore_backup(backup.name)
        assert ctx.settings.cancel_restore() is True
        assert ctx.settings.cancel_restore() is False
    with AppContext.open(data_dir) as ctx:
        assert [a.name for a in ctx.portfolio.list_accounts()] == ["Kept"]
        assert ctx.settings.last_restore() is None


def test_restore_names_are_checked(ctx: AppContext) -> None:
    with pytest.raises(ValidationError, match="not a backup name"):
        ctx.settings.restore_backup("../../etc")
    with pytest.raises(NotFoundError, match="No backup named '20200101-000000'"):
        ctx.settings.restore_backup("20200101-000000")
    assert ctx.settings.pending_restore() is None


def test_a_staged_backup_that_vanished_is_reported_not_fatal(data_dir: Path) -> None:
    import shutil

    with AppContext.open(data_dir) as ctx:
        backup = ctx.settings.create_backup()
        ctx.portfolio.create_account(AccountDraft(name="Kept"))
        ctx.settings.restore_backup(backup.name)
        shutil.rmtree(backup.path)
    with AppContext.open(data_dir) as ctx:
        assert [a.name for a in ctx.portfolio.list_accounts()] == ["Kept"]
        outcome = ctx.settings.last_restore()
        assert outcome is not None and not outcome.ok
        assert f"No backup named '{backup.name}'" in outcome.message


def test_data_sources_toggle_and_rate_limit(ctx: AppContext) -> None:
    names = [s.name for s in ctx.settings.data_sources()]
    assert names == ["Yahoo Finance", "FRED"]
    fred, changes = ctx.settings.update_data_source("fred", enabled=False, rate_limit_per_min=20)
    assert (fred.enabled, fred.rate_limit_per_min) == (False, 20) and changes.preferences
    assert [(s.name, s.enabled, s.rate_limit_per_min) for s in ctx.settings.data_sources()] == [
        ("Yahoo Finance", True, 120),
        ("FRED", False, 20),
    ]
    with pytest.raises(ValidationError, match="between 1 and 10000"):
        ctx.settings.update_data_source("Yahoo Finance", rate_limit_per_min=0)
    with pytest.raises(NotFoundError, match="No data source named 'bloomberg'"):
        ctx.settings.update_data_source("bloomberg", enabled=True)
