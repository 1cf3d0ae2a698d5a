"""`portfolioos prices|macro|securities` in real subprocesses against loopback Yahoo."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from portfolioos.market.calendar import last_completed_session, trading_days
from tests.conftest import cli_env
from tests.market.fixture_servers import YahooServer, closed_port_url, make_bars

Run = Callable[..., subprocess.CompletedProcess[str]]
TODAY = datetime.now(ZoneInfo("America/New_York")).date()
LAST = last_completed_session(TODAY)
FIRST = LAST - timedelta(days=120)


@pytest.fixture(scope="module")
def yahoo() -> Iterator[YahooServer]:
    srv = YahooServer(
        {
            "AAPL": make_bars(
                "AAPL",
                FIRST,
                LAST,
                seed=1,
                dividends={LAST - timedelta(days=30): 0.25},
                long_name="Apple Inc.",
                sector="Technology",
                industry="Consumer Electronics",
            ),
            "VTI": make_bars("VTI", FIRST, LAST, seed=2, instrument_type="ETF"),
        }
    )
    srv.start()
    yield srv
    srv.stop()


def env(url: str) -> dict[str, str]:
    return cli_env(PORTFOLIOOS_YAHOO_BASE_URL=url)


def test_sync_show_gaps_info(run_cli: Run, yahoo: YahooServer) -> None:
    done = run_cli("prices", "sync", "AAPL", "VTI", "--json", env=env(yahoo.url))
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    sessions = len(trading_days(FIRST, LAST))
    assert [
        (s["symbol"], s["status"], s["rows_added"], s["last_date"]) for s in out["symbols"]
    ] == [("AAPL", "ok", sessions, LAST.isoformat()), ("VTI", "ok", sessions, LAST.isoformat())]
    shown = json.loads(
        run_cli("prices", "show", "AAPL", "--from", LAST.isoformat(), "--json").stdout
    )
    assert shown["last_date"] == LAST.isoformat() and shown["sessions_behind"] == 0
    assert [p["date"] for p in shown["prices"]] == [LAST.isoformat()]
    assert shown["prices"][0]["source"] == "yahoo" and shown["prices"][0]["close"] > 0
    gaps = json.loads(run_cli("prices", "gaps", "AAPL", "--json").stdout)
    assert gaps == {"symbol": "AAPL", "gaps": [], "findings": []}
    assert [s["info_status"] for s in out["symbols"]] == ["ok", "ok"]
    # The sync fetched the profiles: `securities info` answers from the store (no env,
    # so a fetch would have gone to the real, unreachable Yahoo and said so).
    info = json.loads(run_cli("securities", "info", "VTI", "--json").stdout)
    assert info["asset_type"] == "etf" and info["currency"] == "USD"
    assert "refresh" in info and info["refresh"]["status"] == "ok"
    assert info["profile"]["status"] == "ok"
    apple = json.loads(run_cli("securities", "info", "AAPL", "--offline", "--json").stdout)
    assert (apple["name"], apple["sector"], apple["industry"], apple["exchange"]) == (
        "Apple Inc.",
        "Technology",
        "Consumer Electronics",
        "NasdaqGS",
    )
    assert "refresh" not in apple
    text = run_cli("prices", "show", "AAPL", "--from", LAST.isoformat())
    assert "session(s) behind" in text.stdout


def test_offline_sync_says_so_and_exits_1_only_when_all_failed(
    run_cli: Run, yahoo: YahooServer
) -> None:
    assert run_cli("prices", "sync", "AAPL", env=env(yahoo.url)).returncode == 0
    # Another day, no network: AAPL is behind now and cannot be fetched.
    offline = run_cli("prices", "sync", "AAPL", "VTI", env=env(closed_port_url()))
    # AAPL is up to date (nothing to fetch), VTI failed: partial, exit 0.
    assert offline.returncode == 0
    assert "offline" in offline.stdout and "cannot reach Yahoo" in offline.stdout
    assert "1 of 2 fetch(es) failed; cached data was kept." in offline.stderr
    all_bad = run_cli("prices", "sync", "VTI", "MSFT", "--json", env=env(closed_port_url()))
    assert all_bad.returncode == 1
    assert {s["status"] for s in json.loads(all_bad.stdout)["symbols"]} == {"offline"}
    shown = json.loads(run_cli("prices", "show", "AAPL", "--json").stdout)
    assert len(shown["prices"]) == len(trading_days(FIRST, LAST))  # the cache is intact


def test_manual_prices_and_import(run_cli: Run, tmp_path: Path) -> None:
    added = run_cli("prices", "add", "HOUSE", "2024-06-30", "450000", "--json")
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout)["source"] == "manual"
    csv_file = tmp_path / "p.csv"
    csv_file.write_text("symbol,date,close\nHOUSE,2024-12-31,460000\nHOUSE,2025-06-30,-1\n")
    bad = run_cli("prices", "import", str(csv_file))
    assert bad.returncode == 1 and "p.csv, line 3, column close" in bad.stderr
    csv_file.write_text("symbol,date,close\nHOUSE,2024-12-31,460000\n")
    assert json.loads(run_cli("prices", "import", str(csv_file), "--json").stdout)["rows"] == 1
    shown = json.loads(run_cli("prices", "show", "HOUSE", "--json").stdout)
    assert [(p["date"], p["close"]) for p in shown["prices"]] == [
        ("2024-06-30", 450000.0),
        ("2024-12-31", 460000.0),
    ]


def test_macro_without_a_key_says_so(run_cli: Run) -> None:
    done = run_cli("macro", "sync", "CPIAUCSL", env=cli_env(FRED_API_KEY="ignored-by-design"))
    assert done.returncode == 1
    assert "FRED is off: no API key" in done.stderr
    shown = json.loads(run_cli("macro", "show", "CPIAUCSL", "--json").stdout)
    assert shown == {"series": "CPIAUCSL", "fred_enabled": False, "observations": []}
    assert "Name the symbols" in run_cli("prices", "sync").stderr


def test_killed_sync_leaves_no_partial_rows(data_dir: Path) -> None:
    """SIGKILL a sync at various moments: every symbol has all of its rows or none."""
    symbols = [f"K{i}" for i in range(4)]
    start = LAST - timedelta(days=3650)
    full = {
        s: make_bars(s, start, LAST, seed=i, dividends={start + timedelta(days=400): 0.5})
        for i, s in enumerate(symbols)
    }
    srv = YahooServer(full)  # type: ignore[arg-type]
    srv.start()
    seen_partial_runs = 0
    try:
        # Kill once the server answered symbol `after` (so the ones before it are
        # committed), `delay` seconds later: during its parse, its write, or the next fetch.
        for n, (after, delay) in enumerate((("K1", 0.0), ("K1", 0.05), ("K2", 0.2))):
            folder = data_dir.parent / f"kill{n}"
            for event in srv.served_for.values():
                event.clear()
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "portfolioos",
                    "--data-dir",
                    str(folder),
                    "prices",
                    "sync",
                    *symbols,
                ],
                env=env(srv.url),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            assert srv.served_for[after].wait(90), "the sync never fetched"
            time.sleep(delay)
            proc.send_signal(signal.SIGKILL)
            proc.wait(30)
            import duckdb

            con = duckdb.connect(str(folder / "market.duckdb"))
            try:
                stored = 0
                for i, s in enumerate(symbols):
                    prices = con.execute(
                        "SELECT count(*) FROM price_history WHERE symbol = ?", [s]
                    ).fetchall()[0][0]
                    divs = con.execute(
                        "SELECT count(*) FROM dividends WHERE symbol = ?", [s]
                    ).fetchall()[0][0]
                    state = con.execute(
                        "SELECT count(*) FROM sync_state WHERE kind = 'price' AND key = ?", [s]
                    ).fetchall()[0][0]
                    expected = len(full[s].dates)
                    assert (prices, divs, state) in ((0, 0, 0), (expected, 1, 1)), (
                        delay,
                        s,
                        prices,
                    )
                    stored += prices > 0
                    if prices == 0:
                        assert all(
                            con.execute(
                                "SELECT count(*) FROM price_history WHERE symbol = ?", [t]
                            ).fetchall()[0][0]
                            == 0
                            for t in symbols[i + 1 :]
                        )
            finally:
                con.close()
            seen_partial_runs += 0 < stored < len(symbols)
    finally:
        srv.stop()
    assert seen_partial_runs >= 1, "no kill landed between symbols; the test proved nothing"


def test_info_fetches_when_missing_and_keeps_it_when_offline(
    run_cli: Run, yahoo: YahooServer
) -> None:
    yahoo.reset_counts()
    done = run_cli("securities", "info", "AAPL", "--json", env=env(yahoo.url))
    assert done.returncode == 0, done.stderr
    info = json.loads(done.stdout)
    assert (info["sector"], info["asset_type"], info["refresh"]["status"]) == (
        "Technology",
        "stock",
        "ok",
    )
    assert len(yahoo.info_requests("AAPL")) == 1 and yahoo.chart_requests() == []
    # Forced refresh with no network: says why, shows the stored profile, exits 0.
    offline = run_cli("securities", "info", "AAPL", "--refresh", env=env(closed_port_url()))
    assert offline.returncode == 0
    assert "could not refresh the profile" in offline.stderr and "cannot reach Yahoo" in (
        offline.stderr
    )
    assert "Technology" in offline.stdout and "Consumer Electronics" in offline.stdout
    # Unknown symbol, nothing stored: exit 1 with Yahoo's answer in the message.
    unknown = run_cli("securities", "info", "NOSUCH", env=env(yahoo.url))
    assert unknown.returncode == 1
    assert "No security info for NOSUCH: fetching it failed" in unknown.stderr
    assert "no data on Yahoo" in unknown.stderr
