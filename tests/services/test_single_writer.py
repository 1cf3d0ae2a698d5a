"""One writer per data folder, across processes; a crash never loses committed work."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from portfolioos.errors import DataFolderLockedError
from portfolioos.lock import LOCKED_MESSAGE
from portfolioos.services.context import AppContext
from tests.conftest import cli_env

HOLD_OPEN = textwrap.dedent(
    """
    import sys, time
    from portfolioos.services.context import AppContext
    ctx = AppContext.open(sys.argv[1])
    ctx.portfolio_db  # open DuckDB too, as the app does
    print("ready", flush=True)
    time.sleep(120)
    """
)


@pytest.fixture
def holder(data_dir: Path):  # type: ignore[no-untyped-def]
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD_OPEN, str(data_dir)],
        stdout=subprocess.PIPE,
        text=True,
        env=cli_env(),
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    yield proc
    proc.kill()
    proc.wait()
    proc.stdout.close()


def test_second_writer_is_refused_cleanly(holder, run_cli, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("accounts", "add", "Brokerage")
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: {LOCKED_MESSAGE} ({data_dir})."
    with pytest.raises(DataFolderLockedError):
        AppContext.open(data_dir)


def test_a_different_folder_works_side_by_side(holder, run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    other = tmp_path / "other"
    result = run_cli("accounts", "add", "Brokerage", "--json", data=other)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["name"] == "Brokerage"


def test_second_window_is_refused_without_opening_databases(holder, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    before = {p.name: p.stat().st_mtime_ns for p in data_dir.iterdir() if p.is_file()}
    result = subprocess.run(
        [sys.executable, "-m", "portfolioos", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=60,
        env=cli_env(QT_QPA_PLATFORM="offscreen"),
    )
    assert result.returncode == 1
    assert LOCKED_MESSAGE in result.stderr
    after = {p.name: p.stat().st_mtime_ns for p in data_dir.iterdir() if p.is_file()}
    assert {k: v for k, v in after.items() if k != "portfolioos.lock"} == {
        k: v for k, v in before.items() if k != "portfolioos.lock"
    }


def test_lock_is_released_when_the_holder_dies(data_dir: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD_OPEN, str(data_dir)],
        stdout=subprocess.PIPE,
        text=True,
        env=cli_env(),
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    with AppContext.open(data_dir) as ctx:
        assert ctx.lock is not None and ctx.lock.held


WRITER = textwrap.dedent(
    """
    import sys
    from datetime import date, timedelta
    from decimal import Decimal
    from portfolioos.domain.accounts import AccountDraft
    from portfolioos.domain.ledger import LedgerEntry, TxType, with_fingerprints
    from portfolioos.services.context import AppContext
    from portfolioos.storage.ledger_store import LedgerStore

    ctx = AppContext.open(sys.argv[1])
    store = LedgerStore(ctx.portfolio_db)
    for n in range(100000):
        ctx.portfolio.create_account(AccountDraft(name=f"Account {n}"))
        rows = [LedgerEntry(account_id=n, date=date(2020, 1, 1) + timedelta(days=i),
                            type=TxType.DEPOSIT, symbol=None, quantity=None, price=None,
                            amount=Decimal("1.01"), fees=Decimal(0), currency="USD")
                for i in range(2000)]
        store.add_entries(with_fingerprints(rows))
        print(n, flush=True)
    """
)


def test_sigkill_mid_write_keeps_every_committed_change(data_dir: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(data_dir)],
        stdout=subprocess.PIPE,
        text=True,
        env=cli_env(),
    )
    assert proc.stdout is not None
    committed = -1
    deadline = time.monotonic() + 60
    while committed < 3 and time.monotonic() < deadline:
        committed = int(proc.stdout.readline())
    time.sleep(0.05)  # land the kill inside a later write
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()

    with AppContext.open(data_dir) as ctx:
        accounts = ctx.portfolio.list_accounts()
        assert len(accounts) >= committed + 1
        counts = dict(
            ctx.portfolio_db.fetchall(
                "SELECT account_id, count(*) FROM transactions GROUP BY account_id"
            )
        )
        # every batch that reported success is whole, and no batch is partial
        for n in range(committed + 1):
            assert counts[n] == 2000
        assert set(counts.values()) == {2000}
        assert ctx.config.query("PRAGMA integrity_check")[0][0] == "ok"
