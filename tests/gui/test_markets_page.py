"""The Markets page against real services: a temp data folder, real DuckDB, yfinance
talking to the loopback Yahoo fixture server (or to a closed port, as offline)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest
from PySide6.QtCore import QDate

from portfolioos.domain.ledger import LedgerEntry, TxType, with_fingerprints
from portfolioos.gui.charts.base import to_epoch
from portfolioos.gui.main_window import MainWindow
from portfolioos.gui.market.macro import NO_KEY
from portfolioos.gui.pages.markets import MarketsPage, gap_spans
from portfolioos.gui.pages.settings import SettingsPage
from portfolioos.market.calendar import trading_days
from portfolioos.storage.ledger_store import LedgerStore
from tests.gui.market_helpers import (
    LAST,
    START,
    fixture_bars,
    hold,
    no_secure_keychain,
    without_days,
)
from tests.market.fixture_servers import (
    FredServer,
    YahooServer,
    closed_port_url,
    fresh_yfinance_state,  # noqa: F401  (autouse)
    monthly,
)

DIV_DAY = trading_days(START + timedelta(days=60), START + timedelta(days=70))[0]
SPLIT_DAY = trading_days(START + timedelta(days=120), START + timedelta(days=130))[0]
MISSING = trading_days(START + timedelta(days=90), START + timedelta(days=100))[:2]


@pytest.fixture
def yahoo(monkeypatch: pytest.MonkeyPatch) -> Iterator[YahooServer]:
    tickers = {
        "AAA": fixture_bars(
            "AAA", 1, dividends={DIV_DAY: 0.5}, splits={SPLIT_DAY: (2.0, 1.0)}, long_name="Aaa Corp"
        ),
        "BBB": without_days(fixture_bars("BBB", 2), MISSING),
    }
    srv = YahooServer(tickers)  # type: ignore[arg-type]
    srv.start()
    monkeypatch.setenv("PORTFOLIOOS_YAHOO_BASE_URL", srv.url)
    yield srv
    srv.stop()


def markets(qtbot, window: MainWindow) -> MarketsPage:  # type: ignore[no-untyped-def]
    page = window.show_page("Markets")
    assert isinstance(page, MarketsPage)
    # The data was seeded after the window opened (as another process would write it),
    # with no Changes broadcast: read it again.
    page.on_shown()
    page.reload()
    return page


def wait_symbol(qtbot, page: MarketsPage, symbol: str) -> None:  # type: ignore[no-untyped-def]
    page.select_symbol(symbol)
    qtbot.waitUntil(
        lambda: page.symbol_data is not None and page.symbol_data.symbol == symbol, timeout=10000
    )


def statuses(page: MarketsPage) -> dict[str, str]:
    return {r.symbol: r.status for r in page.model.rows}


def test_chart_shows_the_services_prices_events_and_gaps(qtbot, ctx, yahoo, window) -> None:  # type: ignore[no-untyped-def]
    hold(ctx, "AAA")
    report = ctx.market.sync_prices(["AAA", "BBB"])
    assert [r.status for r in report] == ["ok", "ok"]
    page = markets(qtbot, window)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=10000)
    rows = {r.symbol: r for r in page.model.rows}
    assert rows["AAA"].held and not rows["BBB"].held
    assert rows["AAA"].last_date == LAST and statuses(page) == {"AAA": "ok", "BBB": "ok"}
    last_close = ctx.market.prices("AAA")["close"].iloc[-1]
    shown = page.model.index(page.model.row_for("AAA"), page.model.column_named("Last")).data()
    assert shown == f"${last_close:,.2f}"

    wait_symbol(qtbot, page, "AAA")
    bars = ctx.market.prices("AAA")
    chart = page.chart
    assert chart.isVisible()
    assert np.array_equal(chart._x, to_epoch(bars["date"].to_numpy()))
    assert np.array_equal(chart._c, bars["close"].to_numpy())
    assert np.array_equal(chart._v, bars["volume"].to_numpy(dtype="float64"))
    chart.set_mode("candle")
    assert chart.mode == "candle" and chart.up_bodies.isVisible()
    assert list(chart._dividends.values()) == [0.5]
    assert list(chart._splits.values()) == ["2:1"] and len(chart.split_lines) == 1
    assert chart.gap_regions == []

    wait_symbol(qtbot, page, "BBB")
    gaps = ctx.market.gaps("BBB")
    assert [g.date for g in gaps] == MISSING
    assert len(page.chart.gap_regions) == 1  # two neighbouring days, one shaded span
    lo, hi = page.chart.gap_regions[0].getRegion()
    for day in MISSING:
        assert lo < to_epoch([day])[0] < hi
    assert "2 missing trading days" in page.info_label.text()


def test_gap_spans_run_from_the_bar_before_to_the_bar_after() -> None:
    bars = [date(2024, 3, d) for d in (1, 4, 7, 8, 12)]
    gaps = [date(2024, 3, 5), date(2024, 3, 6), date(2024, 3, 11)]
    assert gap_spans(gaps, bars) == [
        (date(2024, 3, 4), date(2024, 3, 7)),
        (date(2024, 3, 8), date(2024, 3, 12)),
    ]


def test_outliers_are_ringed(qtbot, ctx, window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    days = trading_days(date(2024, 1, 2), date(2024, 3, 29))
    lines = ["symbol,date,close"]
    for i, day in enumerate(days):
        close = 100.0 + 0.1 * (i % 5) + (90.0 if i == 30 else 0.0)  # one 90% spike
        lines.append(f"SPIKE,{day.isoformat()},{close}")
    (tmp_path / "spike.csv").write_text("\n".join(lines) + "\n")
    ctx.market.import_prices_csv(tmp_path / "spike.csv")
    outlier_days = [f.date for f in ctx.market.findings("SPIKE", "outlier")]
    assert days[30] in outlier_days
    page = markets(qtbot, window)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=10000)
    wait_symbol(qtbot, page, "SPIKE")
    xs, _ys = page.chart.outlier_marks.getData()
    assert to_epoch([days[30]])[0] in list(xs)
    assert statuses(page) == {"SPIKE": "manual"}


def test_sync_now_reports_each_symbol(qtbot, ctx, yahoo, window) -> None:  # type: ignore[no-untyped-def]
    hold(ctx, "AAA", "BBB", "NOPE")
    page = markets(qtbot, window)
    qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=10000)
    assert set(statuses(page).values()) == {"never"}
    heard: list[tuple[str, str]] = []
    page.feed.result.connect(lambda r: heard.append((r.symbol, r.status)))
    page.sync_now()
    assert page.progress.isVisible() and not page.sync_button.isEnabled()
    assert set(statuses(page).values()) <= {"queued", "fetching"}
    qtbot.waitUntil(lambda: page.progress.state != "running", timeout=30000)
    assert page.progress.state == "done"
    assert heard == [("AAA", "ok"), ("BBB", "ok"), ("NOPE", "no_data")]
    qtbot.waitUntil(lambda: statuses(page).get("NOPE") == "no_data", timeout=10000)
    assert statuses(page) == {"AAA": "ok", "BBB": "ok", "NOPE": "no_data"}
    nope = page.model.index(page.model.row_for("NOPE"), page.model.column_named("Status"))
    assert nope.data() == "failed: no data" and "no data on Yahoo" in nope.data(3)  # tooltip
    assert page.status.text().startswith("Prices synced") and "no data" in page.status.text()
    assert page.sync_button.isEnabled()
    assert not ctx.market.prices("AAA").empty


def test_sync_now_offline_keeps_the_cache_and_says_so(qtbot, ctx, monkeypatch, window) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PORTFOLIOOS_YAHOO_BASE_URL", closed_port_url())
    ctx.market.add_manual_price("AAA", date(2024, 11, 21), "101.5")
    ctx.market.add_manual_price("BBB", date(2024, 11, 20), "55")
    page = markets(qtbot, window)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=10000)
    page.sync_now()
    qtbot.waitUntil(lambda: page.progress.state != "running", timeout=30000)
    qtbot.waitUntil(lambda: set(statuses(page).values()) == {"offline"}, timeout=10000)
    assert page.status.text() == "Offline — showing cached prices from Nov 20, 2024"
    row = page.model.rows[page.model.row_for("AAA")]
    assert "cannot reach Yahoo" in row.message and "2024-11-21" in row.message
    assert ctx.market.prices("AAA")["close"].tolist() == [101.5]


def test_manual_price_entry_lands(qtbot, ctx, window) -> None:  # type: ignore[no-untyped-def]
    page = markets(qtbot, window)
    qtbot.waitUntil(lambda: page.left.currentWidget() is page.no_symbols, timeout=10000)
    assert page.no_symbols.isVisible()
    dialog = page.add_price()
    dialog.symbol.setText("myhouse")
    dialog.date.setDate(QDate(2024, 6, 28))
    dialog.close_edit.setText("-5")
    dialog.save()
    assert dialog.isVisible() and "positive" in dialog.error.text()
    assert ctx.market.prices("MYHOUSE").empty
    dialog.close_edit.setText("450,000")
    dialog.currency.setText("eur")
    dialog.save()
    assert not dialog.isVisible()
    bars = ctx.market.prices("MYHOUSE")
    assert bars["close"].tolist() == [450000.0] and bars["currency"].tolist() == ["EUR"]
    assert bars["source"].tolist() == ["manual"]
    qtbot.waitUntil(lambda: page.model.row_for("MYHOUSE") >= 0, timeout=10000)
    qtbot.waitUntil(lambda: page.symbol_data is not None, timeout=10000)
    assert page.symbol_data.symbol == "MYHOUSE"
    assert page.model.index(0, page.model.column_named("Last")).data() == "€450,000.00"


def test_price_csv_import(qtbot, ctx, window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    csv = tmp_path / "navs.csv"
    csv.write_text("Symbol,Date,Close\nFUNDX,2024-05-31,12.5\nFUNDX,2024-06-28,12.75\n")
    page = markets(qtbot, window)
    page.import_csv(str(csv))
    qtbot.waitUntil(lambda: page.model.row_for("FUNDX") >= 0, timeout=10000)
    assert page.status.text() == "Imported 2 prices for FUNDX"
    assert ctx.market.prices("FUNDX")["close"].tolist() == [12.5, 12.75]


def test_fred_without_a_key_shows_the_banner_and_opens_api_keys(qtbot, ctx, window) -> None:  # type: ignore[no-untyped-def]
    no_secure_keychain(ctx)
    ctx.market.add_manual_price("AAA", date(2024, 11, 21), "101.5")
    page = markets(qtbot, window)
    page.show_tab("macro")
    qtbot.waitUntil(lambda: page.macro.has_key is False, timeout=10000)
    assert page.macro.banner.isVisible() and page.macro.banner.text() == NO_KEY
    assert not page.macro.sync_button.isEnabled()
    assert page.macro.empty.isVisible()
    page.show_tab("actions")
    qtbot.waitUntil(lambda: page.no_actions.isVisible(), timeout=10000)
    # nothing else breaks: the price side still loads
    page.show_tab("price")
    qtbot.waitUntil(lambda: page.symbol_data is not None, timeout=10000)
    assert page.chart.isVisible()
    page.macro.banner.action_button.click()
    settings = window.current_page
    assert isinstance(settings, SettingsPage)
    assert settings.tabs.currentIndex() == 1  # "Assistant & API keys"


@pytest.fixture
def fred(monkeypatch: pytest.MonkeyPatch) -> Iterator[FredServer]:
    srv = FredServer({"UNRATE": monthly(date(2020, 1, 1), 36, 3.5, 0.05)})
    srv.start()
    monkeypatch.setenv("PORTFOLIOOS_FRED_ROOT_URL", srv.url + "/fred")
    yield srv
    srv.stop()


def test_fred_series_synced_and_charted(qtbot, ctx, fred, window) -> None:  # type: ignore[no-untyped-def]
    no_secure_keychain(ctx).set("fred-api-key", "test-key")
    page = markets(qtbot, window)
    page.show_tab("macro")
    qtbot.waitUntil(lambda: page.macro.has_key is True, timeout=10000)
    assert not page.macro.banner.isVisible()
    page.macro.set_series("UNRATE")
    qtbot.waitUntil(lambda: page.macro.sync_button.isEnabled(), timeout=10000)
    page.macro.sync()
    qtbot.waitUntil(lambda: page.macro.chart.isVisible(), timeout=20000)
    frame = ctx.market.macro("UNRATE")
    assert len(frame) == 36 and len(fred.observation_requests("UNRATE")) == 1
    assert np.array_equal(page.macro.chart._series["UNRATE"], frame["value"].to_numpy())
    assert "UNRATE" in [page.macro.picker.itemText(i) for i in range(page.macro.picker.count())]
    assert page.macro.note.text().startswith("36 observations")


def ledger_rows(ctx) -> list[tuple[object, ...]]:  # type: ignore[no-untyped-def]
    return ctx.portfolio_db.fetchall(
        "SELECT account_id, date, type, amount, split_ratio FROM transactions ORDER BY id"
    )


def test_corporate_actions_listed_confirmed_and_dismissed(qtbot, ctx, yahoo, window) -> None:  # type: ignore[no-untyped-def]
    hold(ctx, "AAA")
    ctx.market.sync_prices(["AAA"])
    before = ledger_rows(ctx)
    page = markets(qtbot, window)
    page.show_tab("actions")
    qtbot.waitUntil(lambda: page.actions_model.rowCount() == 2, timeout=10000)
    rows = page.actions_model.rows
    assert rows == ctx.market.suggested_actions()
    assert [(r.date, r.type, r.account) for r in rows] == [
        (DIV_DAY, "dividend", "Brokerage"),
        (SPLIT_DAY, "split", "Brokerage"),
    ]
    model = page.actions_model
    # Yahoo's 0.5 is after the later 2:1 split: $1.00 was paid on each of 10 shares.
    assert model.index(0, model.column_named("Per share / ratio")).data() == "$1.00"
    assert model.index(0, model.column_named("Writes")).data() == "$10.00"
    assert model.index(1, model.column_named("Per share / ratio")).data() == "2-for-1"
    assert page.actions_stack.currentWidget() is page.actions_table
    assert page.selected_action() == rows[0] and page.confirm_button.isEnabled()

    # The dialog names the row; Cancel writes nothing.
    dialog = page.confirm_selected()
    assert dialog is not None and dialog.isVisible()
    assert "Brokerage" in dialog.summary.text() and dialog.amount.text() == "$10.00"
    assert dialog.note.text() == ctx.market.entry_for(rows[0]).note
    assert "1 per share x 10 shares held before the ex-date" in dialog.note.text()
    dialog.reject()
    assert ledger_rows(ctx) == before

    # Write to ledger, on the pay date the user picked.
    pay = DIV_DAY + timedelta(days=5)
    dialog = page.confirm_selected()
    assert dialog is not None and dialog.date_edit is not None
    dialog.date_edit.setDate(QDate(pay.year, pay.month, pay.day))
    dialog.write_button.click()
    qtbot.waitUntil(lambda: page.actions_status.text().startswith("Wrote"), timeout=10000)
    qtbot.waitUntil(lambda: page.actions_model.rowCount() == 1, timeout=10000)
    assert ledger_rows(ctx) == [*before, (1, pay, "dividend", Decimal("10.00"), None)]
    assert "$10.00 dividend of AAA" in page.actions_status.text()
    assert page.actions_warning.isHidden()

    # The broker's row arrives on another day: both stand, and the page says which
    # import batch undoes the confirmation.
    LedgerStore(ctx.portfolio_db).add_entries(
        with_fingerprints(
            [
                LedgerEntry(1, pay + timedelta(days=2), TxType.DIVIDEND, "AAA", None, None,
                            Decimal("10.00"), Decimal(0), "USD")
            ]
        )
    )  # fmt: skip
    page.load_actions()
    qtbot.waitUntil(lambda: page.actions_warning.isVisible(), timeout=10000)
    assert "undo import batch" in page.actions_warning.text()

    # Dismiss the split: asked first, then gone for good, the ledger untouched.
    assert page.selected_action().type == "split"
    box = page.dismiss_selected()
    assert box is not None and "Nothing is written to the ledger" in box.text()
    box.dismiss_button.click()
    qtbot.waitUntil(lambda: page.actions_stack.currentWidget() is page.no_actions, timeout=10000)
    assert ctx.market.suggested_actions() == []
    assert len(ledger_rows(ctx)) == len(before) + 2  # the confirmation and the "broker" row
    assert not page.confirm_button.isEnabled() and not page.dismiss_button.isEnabled()


def test_cancel_stops_the_sync_between_symbols(qtbot, ctx, yahoo, window) -> None:  # type: ignore[no-untyped-def]
    hold(ctx, "AAA", "BBB")
    yahoo.delay["AAA"] = 1.0
    page = markets(qtbot, window)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=10000)
    page.sync_now()
    qtbot.waitUntil(lambda: statuses(page).get("AAA") == "fetching", timeout=10000)
    page.progress.cancel_button.click()
    qtbot.waitUntil(lambda: page.progress.state != "running", timeout=30000)
    assert page.progress.state == "cancelled"
    assert page.status.text().startswith("Sync cancelled")
    assert yahoo.chart_requests("BBB") == [] and ctx.market.prices("BBB").empty
    qtbot.waitUntil(lambda: statuses(page) == {"AAA": "ok", "BBB": "never"}, timeout=10000)
    assert page.sync_button.isEnabled()


def test_candles_fit_y_to_the_visible_bars(qtbot) -> None:  # type: ignore[no-untyped-def]
    from portfolioos.gui.charts import PriceChart

    chart = PriceChart("X")
    qtbot.addWidget(chart)
    chart.resize(800, 500)
    chart.show()
    days = np.arange(np.datetime64("2023-01-02"), np.datetime64("2024-12-31"))
    close = np.linspace(100.0, 300.0, len(days))
    chart.set_data(days, close, open=close - 1, high=close + 2, low=close - 2, volume=close)
    chart.set_mode("candle")
    xs = to_epoch(days)
    chart.price_plot.setXRange(float(xs[-30]), float(xs[-1]), padding=0)
    lo, hi = chart.price_plot.getViewBox().viewRange()[1]
    assert lo > 250 and hi < 320  # not the whole history's 98..302
    chart.set_mode("line")
    assert chart.price_plot.getViewBox().autoRangeEnabled()[1]
