"""`--demo` builds a populated data folder from resources/demo."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest

from portfolioos.demo import demo_dir, prepare_demo_folder
from portfolioos.errors import ConflictError
from portfolioos.services.context import AppContext


def test_demo_folder_is_populated(tmp_path: Path) -> None:
    started = time.perf_counter()
    folder = prepare_demo_folder(tmp_path / "demo")
    elapsed = time.perf_counter() - started
    with (demo_dir() / "accounts.csv").open() as handle:
        expected = [row["name"] for row in csv.DictReader(handle)]
    with AppContext.open(folder) as ctx:
        assert sorted(a.name for a in ctx.portfolio.list_accounts()) == sorted(expected)
        rows = sum(
            len((demo_dir() / f).read_text().strip().splitlines()) - 1
            for f in ("taxable-brokerage.csv", "roth-ira.csv", "401k.csv")
        )
        assert ctx.portfolio.transaction_count() == rows
        nw = ctx.portfolio.net_worth()
        assert nw.unpriced == []  # every demo holding has cached prices
        assert len(nw.positions) >= 8 and nw.total_value > 0
        assert set(nw.by_sector) >= {"US equity", "Technology", "Bonds"}
        assert ctx.settings.get("benchmark_symbol") == "VTI"
        assert ctx.market.security_info("AAPL")["name"] == "Apple Inc."
        assert ctx.portfolio.snapshots()  # today's snapshots saved
        assert ctx.portfolio.realized().lines  # the demo has sales
    assert elapsed < 30  # generous for a shared machine; ~1.5 s alone


def test_demo_refuses_a_folder_with_accounts(tmp_path: Path) -> None:
    from portfolioos.domain.accounts import AccountDraft

    folder = tmp_path / "mine"
    with AppContext.open(folder) as ctx:
        ctx.portfolio.create_account(AccountDraft(name="Real"))
    with pytest.raises(ConflictError, match="already has accounts"):
        prepare_demo_folder(folder)


def test_cli_demo_flag(run_cli) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    from tests.conftest import cli_env

    done = subprocess.run(
        [sys.executable, "-m", "portfolioos", "--demo", "holdings", "--json"],
        capture_output=True,
        text=True,
        env=cli_env(),
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    import json

    rows = json.loads(done.stdout)
    assert {r["account"] for r in rows} == {"Taxable brokerage", "Roth IRA", "401(k)"}
    both = run_cli("--demo", "accounts", "list")
    assert both.returncode == 2 and "drop --data-dir" in both.stderr


def test_gui_demo_opens_and_cleans_up() -> None:
    """`portfolioos --demo` opens the window on a filled temporary folder (the process
    quits after its first paint here) and deletes the folder when the window closes."""
    import re
    import subprocess
    import sys

    from tests.conftest import cli_env

    done = subprocess.run(
        [sys.executable, "-m", "portfolioos", "--demo"],
        capture_output=True,
        text=True,
        env=cli_env(QT_QPA_PLATFORM="offscreen", PORTFOLIOOS_QUIT_AFTER_PAINT="1"),
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "PortfolioOS demo: a sample portfolio in a temporary folder" in done.stdout
    assert "run without --demo" in done.stdout
    match = re.search(r"temporary folder \((.+?)\)", done.stdout)
    assert match is not None
    assert not Path(match.group(1)).exists()
