"""The window's scheduled price sync: runs at start in a worker, reports in the status
bar, broadcasts Changes(prices=True), stays quiet offline, repeats on its interval.
Yahoo is the loopback fixture server or a closed port; never the network."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from datetime import date

import pytest
from PySide6.QtCore import QThreadPool

from portfolioos.gui.main_window import MainWindow
from portfolioos.gui.pages.base import Page
from portfolioos.gui.sync import MarketSync, SyncOutcome, autosync_disabled, summary_text
from portfolioos.services.changes import Changes
from portfolioos.services.market import SyncResult
from tests.gui.market_helpers import LAST, fixture_bars, hold
from tests.market.fixture_servers import (
    YahooServer,
    closed_port_url,
    fresh_yfinance_state,  # noqa: F401  (autouse)
)


@pytest.fixture(autouse=True)
def workers_done(ctx) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Workers still running finish before the ctx fixture closes the databases."""
    yield
    QThreadPool.globalInstance().waitForDone(10000)


@pytest.fixture
def yahoo(monkeypatch: pytest.MonkeyPatch) -> Iterator[YahooServer]:
    srv = YahooServer({"AAA": fixture_bars("AAA", 1), "BBB": fixture_bars("BBB", 2)})  # type: ignore[dict-item]
    srv.start()
    monkeypatch.setenv("PORTFOLIOOS_YAHOO_BASE_URL", srv.url)
    yield srv
    srv.stop()


def open_window(qtbot, ctx, monkeypatch) -> MainWindow:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PORTFOLIOOS_NO_AUTOSYNC", "0")
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    return win


def finished_at(hour: int, minute: int) -> dt.datetime:
    return dt.datetime(2026, 11, 25, hour, minute)


def result(symbol: str, status: str, last: date | None) -> SyncResult:
    return SyncResult(symbol, status, 0, f"{symbol}: {status}", last)


def test_summary_lines() -> None:
    assert summary_text(SyncOutcome([], finished=finished_at(9, 5))) == (
        "Prices up to date · checked 09:05"
    )
    mixed = SyncOutcome(
        [
            result("AAA", "ok", date(2026, 11, 24)),
            result("BBB", "offline", date(2026, 11, 21)),
            result("CCC", "offline", None),
            result("DDD", "failed", None),
        ],
        finished=finished_at(14, 2),
    )
    assert summary_text(mixed) == "Prices synced 14:02 · 2 offline · 1 failed"
    year = date.today().year
    offline = SyncOutcome(
        [result("AAA", "offline", date(year, 1, 21)), result("B", "offline", date(year, 1, 24))],
        finished=finished_at(14, 2),
    )
    assert summary_text(offline) == "Offline — showing cached prices from Jan 21"
    older = SyncOutcome([result("AAA", "offline", date(2019, 3, 1))])
    assert summary_text(older) == "Offline — showing cached prices from Mar 1, 2019"
    assert summary_text(SyncOutcome([result("A", "offline", None)])) == (
        "Offline — no cached prices yet"
    )


def test_tests_run_without_autosync() -> None:
    assert autosync_disabled()  # tests/conftest.py sets PORTFOLIOOS_NO_AUTOSYNC=1


def test_window_syncs_held_symbols_at_start(qtbot, ctx, yahoo, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    hold(ctx, "AAA", "BBB")
    win = open_window(qtbot, ctx, monkeypatch)
    sync = win.market_sync
    assert sync.enabled
    broadcasts: list[Changes] = []
    page = win.page("Accounts")
    original = page.on_changes
    page.on_changes = lambda c: (broadcasts.append(c), original(c))  # type: ignore[method-assign]
    with qtbot.waitSignal(sync.finished, timeout=30000) as blocker:
        win.show()  # first paint starts the sync
        qtbot.waitUntil(lambda: sync.running or sync.last_outcome is not None, timeout=5000)
        assert sync.bar.isVisible() or sync.last_outcome is not None  # the window stays live
    outcome = blocker.args[0]
    assert [(r.symbol, r.status) for r in outcome.prices] == [("AAA", "ok"), ("BBB", "ok")]
    assert sync.label.text().startswith("Prices synced ")
    assert sync.label.text() == summary_text(outcome)
    assert not sync.bar.isVisible() and not sync.running
    assert broadcasts and broadcasts[-1].prices
    assert ctx.market.prices("AAA")["date"].iloc[-1].date() == LAST
    assert len(yahoo.chart_requests()) == 2
    # nothing is due any more: a second run asks Yahoo for nothing
    yahoo.reset_counts()
    with qtbot.waitSignal(sync.finished, timeout=30000) as again:
        sync.run()
    assert again.args[0].prices == [] and yahoo.chart_requests() == []
    assert sync.label.text().startswith("Prices up to date")


def test_offline_start_is_quiet_and_keeps_the_cache(qtbot, ctx, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PORTFOLIOOS_YAHOO_BASE_URL", closed_port_url())
    hold(ctx, "AAA")
    cached = date(date.today().year, 1, 21)
    ctx.market.add_manual_price("AAA", cached, "101.5")
    win = open_window(qtbot, ctx, monkeypatch)
    with qtbot.waitSignal(win.market_sync.finished, timeout=30000) as blocker:
        win.show()
    assert [r.status for r in blocker.args[0].prices] == ["offline"]
    assert win.market_sync.label.text() == "Offline — showing cached prices from Jan 21"
    assert "cannot reach Yahoo" in win.market_sync.label.toolTip()
    assert ctx.market.prices("AAA")["close"].tolist() == [101.5]


def test_no_sync_when_start_sync_is_off_or_disabled(qtbot, ctx, yahoo, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    hold(ctx, "AAA")
    ctx.settings.set("sync_on_start", False)
    win = open_window(qtbot, ctx, monkeypatch)
    win.show()
    qtbot.waitUntil(lambda: win.market_sync.timer.isActive(), timeout=5000)
    qtbot.wait(200)
    assert not win.market_sync.running and yahoo.requests == []
    off = MarketSync(ctx, enabled=False)
    off.start()
    assert not off.timer.isActive() and not off.running


def test_interval_decides_when_the_next_run_is_due(ctx) -> None:  # type: ignore[no-untyped-def]
    now = [0.0]
    sync = MarketSync(ctx, enabled=True, clock=lambda: now[0])
    ctx.settings.set("sync_interval_hours", 6)
    assert sync.due()  # never ran
    sync.last_run = 0.0
    now[0] = 6 * 3600 - 1
    assert not sync.due()
    now[0] = 6 * 3600
    assert sync.due()
    ctx.settings.set("sync_interval_hours", 0)  # "Never"
    assert not sync.due()


def test_broadcast_reaches_pages(qtbot, ctx, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    win = open_window(qtbot, ctx, monkeypatch)
    seen: list[Changes] = []

    class Probe(Page):
        title = "Probe"

        def on_changes(self, changes: Changes) -> None:
            seen.append(changes)

    win._built["Probe"] = Probe(ctx)
    win.market_sync._on_result(SyncOutcome([result("AAA", "ok", LAST)]))
    assert seen == [Changes(prices=True)]
