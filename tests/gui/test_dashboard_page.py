"""The Dashboard against real services on a temporary data folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, QThreadPool

from portfolioos.gui import format as fmt
from portfolioos.gui.main_window import MainWindow
from portfolioos.gui.pages.dashboard import DashboardPage
from tests.gui.portfolio_data import seed


def _open(qtbot, window: MainWindow) -> DashboardPage:  # type: ignore[no-untyped-def]
    page = window.show_page("Dashboard")
    assert isinstance(page, DashboardPage)
    # The window opened on the Dashboard before the test seeded its data: reload (an
    # import page would broadcast Changes); the older load's result is ignored.
    page.reload()
    qtbot.waitUntil(lambda: not page.loading and page.data is not None, timeout=20000)
    return page


def test_dashboard_shows_the_engine_figures(qtbot, ctx, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    seed(ctx, tmp_path / "in")
    assert window.current_page is not None and window.current_page.title == "Dashboard"
    page = _open(qtbot, window)
    history = ctx.portfolio.net_worth_history()
    _x, y = page.chart._items["Net worth"].getData()
    assert len(y) == len(history.dates)
    np.testing.assert_allclose(y, history.total)
    assert history.dates[0].isoformat() == "2024-01-02"
    nw = ctx.portfolio.net_worth()
    # 15 AAA + 20 BBB + 5 AAA at the last closes, plus cash
    assert nw.market_value == 20 * 210 + 20 * 58
    assert page.card_total.value_label.text() == f"${nw.total_value:,.2f}"
    assert page.card_cash.value_label.text() == f"${nw.cash:,.2f}"
    gain = nw.unrealized
    assert page.card_gain.value_label.text() == f"+${gain:,.2f}"
    # day's change: newest close day (2025-06-30) against the day before it
    assert page.data.change_date.isoformat() == "2025-06-30"
    i = (page.data.change_date - history.dates[0]).days
    assert abs(page.data.day_change - (history.total[i] - history.total[i - 1])) < 1e-6
    # allocation by account, type, sector: weights of the service's totals
    by_account = dict(zip(page.by_account.labels, page.by_account.weights, strict=True))
    total = float(sum(nw.by_account.values()))
    assert abs(by_account["Taxable"] - float(nw.by_account["Taxable"]) / total) < 1e-9
    assert "Cash" in page.by_type.labels
    # unpriced and stale prices are called out
    text = page.banner.text()
    assert page.banner.isVisible()
    assert "No price for CCC" in text
    assert "Stale prices for AAA, BBB" in text
    assert page.status.text().startswith("Prices: ")


def test_empty_folder_shows_the_empty_state(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    page = _open(qtbot, window)
    assert page.empty.isVisibleTo(page)
    assert not page.body.isVisibleTo(page)


def test_range_buttons_and_refresh(qtbot, ctx, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ids = seed(ctx, tmp_path / "in")
    page = _open(qtbot, window)
    page.chart.set_range("1Y")
    lo, hi = page.chart.visible_x_range()
    assert 360 * 86400 < hi - lo < 380 * 86400
    first = page.data
    extra = tmp_path / "cash.csv"
    extra.write_text(
        "date,type,symbol,quantity,price,fees,amount,currency\n2025-05-01,deposit,,,,0,1000,USD\n"
    )
    window.broadcast(ctx.imports.import_file(extra, ids["IRA"], broker="generic").changes)
    qtbot.waitUntil(lambda: page.data is not first and not page.loading, timeout=20000)
    assert page.data.net_worth.cash == first.net_worth.cash + 1000


def test_sync_offline_says_so_and_keeps_the_figures(  # type: ignore[no-untyped-def]
    qtbot, ctx, window: MainWindow, tmp_path: Path, monkeypatch
) -> None:
    from tests.market.fixture_servers import closed_port_url

    # The market service reads its Yahoo URL when first used: a port nobody listens on
    # is what offline looks like to yfinance.
    monkeypatch.setenv("PORTFOLIOOS_YAHOO_BASE_URL", closed_port_url())
    seed(ctx, tmp_path / "in")
    page = _open(qtbot, window)
    before = page.data.net_worth.total_value
    assert page.banner.action_button.text() == "Sync prices"
    qtbot.mouseClick(page.banner.action_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.last_sync is not None and not page.loading, timeout=60000)
    assert {r.symbol: r.status for r in page.last_sync.results} == {
        "AAA": "offline",
        "BBB": "offline",
        "CCC": "offline",
    }
    assert "Sync: 3 offline." in page.status.text()
    assert page.data.net_worth.total_value == before  # the cache still values everything


def test_window_at_start_paints_first_then_builds_the_dashboard_in_slices(
    qtbot, ctx, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """As the app starts it: a placeholder in the first frame, the page's module
    imported in a worker, the charts built one per turn, then the load; the figures
    are the same as a page built at once."""
    seed(ctx, tmp_path)
    window = MainWindow(ctx, defer_first_page=True)
    qtbot.addWidget(window)
    assert not window.page_ready
    assert window.current_page is None  # the placeholder, not a page
    window.show()
    qtbot.waitUntil(lambda: window.page_ready, timeout=20000)
    page = window.current_page
    assert isinstance(page, DashboardPage)
    qtbot.waitUntil(lambda: not page.loading and page.data is not None, timeout=20000)
    assert page.charts_ready
    assert [page.allocation.tabText(i) for i in range(page.allocation.count())] == [
        "Asset type",
        "Sector",
        "Account",
    ]
    dates, totals = page.chart_series()
    history = ctx.portfolio.net_worth_history()
    assert dates == list(history.dates)
    assert np.allclose(totals, np.asarray(history.total, dtype=float))
    assert page.card_total.value_label.text() not in ("", fmt.DASH)
    QThreadPool.globalInstance().waitForDone(30000)
