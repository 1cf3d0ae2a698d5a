"""MarketService end to end: real yfinance/fredapi, loopback servers, real DuckDB files."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from portfolioos.domain.accounts import AccountDraft
from portfolioos.domain.ledger import LedgerEntry, TxType, with_fingerprints
from portfolioos.errors import ImportFileError, MarketDataError
from portfolioos.market.calendar import trading_days
from portfolioos.market.ratelimit import Backoff, TokenBucket
from portfolioos.services.context import AppContext
from portfolioos.services.market import OVERLAP_DAYS, MarketService
from portfolioos.storage.ledger_store import LedgerStore
from tests.market.fixture_servers import (
    FredServer,
    YahooServer,
    closed_port_url,
    fresh_yfinance_state,  # noqa: F401  (autouse)
    make_bars,
    monthly,
    serving,
)

START, END = date(2023, 1, 3), date(2024, 9, 30)
TODAY = date(2024, 10, 1)  # the fixture's last bar is the last completed session
SPLIT_DAY = date(2024, 6, 10)
DIVS = {
    date(2023, 8, 11): 0.24,
    date(2023, 11, 10): 0.24,
    date(2024, 2, 9): 0.24,
    date(2024, 5, 10): 0.25,
    date(2024, 8, 12): 0.25,
}


def tickers() -> dict[str, object]:
    return {
        "AAPL": make_bars(
            "AAPL", START, END, seed=1, dividends=DIVS, splits={SPLIT_DAY: (4.0, 1.0)}
        ),
        "VTI": make_bars("VTI", START, END, seed=2, instrument_type="ETF"),
        "MSFT": make_bars("MSFT", START, END, seed=3),
    }


@pytest.fixture
def yahoo() -> Iterator[YahooServer]:
    srv = YahooServer(tickers())  # type: ignore[arg-type]
    srv.start()
    yield srv
    srv.stop()


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def service(
    ctx: AppContext, url: str, *, today: date = TODAY, sleeps: Sleeps | None = None, **kw: object
) -> MarketService:
    sleep = sleeps if sleeps is not None else Sleeps()
    return MarketService(
        ctx,
        yahoo_base_url=url,
        today=lambda: today,
        sleep=sleep,
        yahoo_limiter=TokenBucket(1000.0, capacity=1000.0, sleep=sleep),
        backoff=Backoff(base=1.0, cap=8.0, retries=2),
        **kw,
    )  # type: ignore[arg-type]


def count(ctx: AppContext, table: str, symbol: str) -> int:
    row = ctx.market_db.fetchone(f"SELECT count(*) FROM {table} WHERE symbol = ?", [symbol])
    return int(row[0]) if row else 0


def test_first_sync_stores_bars_actions_info_and_no_findings(
    ctx: AppContext, yahoo: YahooServer
) -> None:
    market = service(ctx, yahoo.url)
    report = market.sync_prices(["aapl", "VTI", "MSFT"])
    expected = len(trading_days(START, END))
    assert [(r.symbol, r.status, r.rows_added, r.last_date) for r in report] == [
        (s, "ok", expected, END) for s in ("AAPL", "VTI", "MSFT")
    ]
    assert report.changes.prices and not report.all_failed
    assert count(ctx, "price_history", "AAPL") == expected
    assert count(ctx, "dividends", "AAPL") == len(DIVS) and count(ctx, "splits", "AAPL") == 1
    info = market.security_info("VTI")
    assert info["asset_type"] == "etf" and info["currency"] == "USD"
    assert market.security_info("AAPL")["splits"] == [{"date": SPLIT_DAY, "ratio": 4.0}]
    assert market.findings("AAPL") == [] and market.gaps("MSFT") == []
    bars = market.prices("AAPL", date(2024, 7, 1), date(2024, 7, 10))
    assert [d.date().isoformat() for d in bars["date"]] == [
        "2024-07-01",
        "2024-07-02",
        "2024-07-03",
        "2024-07-05",
        "2024-07-08",
        "2024-07-09",
        "2024-07-10",
    ]
    states = ctx.market_db.fetchall(
        "SELECT key, status, last_date FROM sync_state WHERE kind = 'price' ORDER BY key"
    )
    assert states == [("AAPL", "ok", END), ("MSFT", "ok", END), ("VTI", "ok", END)]


def test_second_sync_makes_no_data_requests(ctx: AppContext, yahoo: YahooServer) -> None:
    market = service(ctx, yahoo.url)
    market.sync_prices(["AAPL", "VTI"])
    assert len(yahoo.chart_requests()) == 2
    yahoo.reset_counts()
    again = market.sync_prices(["AAPL", "VTI"])
    assert yahoo.requests == []
    assert [(r.status, r.rows_added, r.message) for r in again] == [("ok", 0, "up to date")] * 2


def test_later_sync_fetches_only_after_last_date_minus_overlap(
    ctx: AppContext, yahoo: YahooServer
) -> None:
    service(ctx, yahoo.url).sync_prices(["MSFT"])
    yahoo.tickers["MSFT"] = make_bars("MSFT", START, date(2024, 10, 14), seed=3)
    yahoo.reset_counts()
    report = service(ctx, yahoo.url, today=date(2024, 10, 15)).sync_prices(["MSFT"])
    (query,) = yahoo.chart_requests("MSFT")
    first_asked = date.fromtimestamp(int(query["period1"][0]))
    assert (
        END - timedelta(days=OVERLAP_DAYS + 1)
        <= first_asked
        <= END - timedelta(days=OVERLAP_DAYS - 1)
    )
    new_days = len(trading_days(END + timedelta(days=1), date(2024, 10, 14)))
    assert report.results[0].rows_added == new_days == 10
    assert count(ctx, "price_history", "MSFT") == len(trading_days(START, date(2024, 10, 14)))


def test_offline_reports_offline_and_keeps_the_cache(ctx: AppContext, yahoo: YahooServer) -> None:
    service(ctx, yahoo.url).sync_prices(["AAPL"])
    before = ctx.market_db.fetchall("SELECT * FROM price_history ORDER BY date")
    report = service(ctx, closed_port_url(), today=date(2024, 10, 15)).sync_prices(["AAPL", "VTI"])
    assert [(r.symbol, r.status, r.last_date) for r in report] == [
        ("AAPL", "offline", END),
        ("VTI", "offline", None),
    ]
    assert "cannot reach Yahoo" in report.results[0].message
    assert "keeping cached prices up to 2024-09-30" in report.results[0].message
    assert report.all_failed
    assert ctx.market_db.fetchall("SELECT * FROM price_history ORDER BY date") == before
    state = ctx.market_db.fetchall(
        "SELECT status, last_date, last_success IS NOT NULL FROM sync_state "
        "WHERE kind = 'price' AND key = 'AAPL'"
    )
    assert state == [("offline", END, True)]
    stale = service(ctx, closed_port_url(), today=date(2024, 10, 15)).staleness(["AAPL"])[0]
    assert (stale.last_date, stale.age_days, stale.sessions_behind, stale.status) == (
        END,
        15,
        10,
        "offline",
    )


def test_a_symbol_yahoo_stopped_updating_is_reported_stale(
    ctx: AppContext, yahoo: YahooServer
) -> None:
    report = service(ctx, yahoo.url, today=date(2024, 10, 15)).sync_prices(["VTI"])
    (result,) = report.results
    assert (result.status, result.last_date) == ("stale", END)
    assert "10 session(s) behind 2024-10-14" in result.message
    assert not report.all_failed


def test_one_bad_symbol_never_stops_the_others(ctx: AppContext, yahoo: YahooServer) -> None:
    sleeps = Sleeps()
    yahoo.status_override["VTI"] = 429
    report = service(ctx, yahoo.url, sleeps=sleeps).sync_prices(["NOSUCH", "VTI", "MSFT"])
    assert [(r.symbol, r.status) for r in report] == [
        ("NOSUCH", "no_data"),
        ("VTI", "rate_limited"),
        ("MSFT", "ok"),
    ]
    assert not report.all_failed
    # Rate limited: first try + 2 retries, with jittered exponential waits in between.
    assert (
        len(yahoo.chart_requests("VTI")) == 3 * 2
    )  # yfinance retries once with its other cookie mode
    assert len(sleeps) == 2 and 0 <= sleeps[0] <= 1.0 and 0 <= sleeps[1] <= 2.0
    assert count(ctx, "price_history", "VTI") == 0


def test_manual_prices_win_over_yahoo_unless_asked(ctx: AppContext, yahoo: YahooServer) -> None:
    market = service(ctx, yahoo.url)
    day = date(2024, 3, 1)
    market.add_manual_price("MSFT", day, "123.45", "usd")
    market.sync_prices(["MSFT"])
    row = ctx.market_db.fetchall(
        "SELECT close, source FROM price_history WHERE symbol='MSFT' AND date=?", [day]
    )
    assert row == [(123.45, "manual")]
    market.sync_prices(["MSFT"], full=True, overwrite_manual=True)
    row = ctx.market_db.fetchall(
        "SELECT close, source FROM price_history WHERE symbol='MSFT' AND date=?", [day]
    )
    yahoo_close = yahoo.tickers["MSFT"].close[yahoo.tickers["MSFT"].dates.index(day)]  # type: ignore[attr-defined]
    assert row == [(pytest.approx(yahoo_close), "yahoo")]


def test_price_csv_import_checks_every_row_first(ctx: AppContext, tmp_path: Path) -> None:
    market = service(ctx, closed_port_url())
    good = tmp_path / "navs.csv"
    good.write_text(
        "Date,Symbol,Close,Currency\n2024-01-31,myfund,10.5,USD\n2024-02-29,MYFUND,10.7,\n"
    )
    rows, symbols, changes = market.import_prices_csv(good)
    assert (rows, symbols, changes.prices) == (2, ["MYFUND"], True)
    assert market.prices("MYFUND")["close"].tolist() == [10.5, 10.7]
    bad = tmp_path / "bad.csv"
    bad.write_text("symbol,date,close\nOTHER,2024-01-31,10\nOTHER,2024-02-30,11\n")
    with pytest.raises(ImportFileError, match=r"bad.csv, line 3, column date"):
        market.import_prices_csv(bad)
    assert market.prices("OTHER").empty


def entry(
    day: date, kind: TxType, symbol: str, qty: str | None = None, **kw: object
) -> LedgerEntry:
    return LedgerEntry(
        account_id=1,
        date=day,
        type=kind,
        symbol=symbol,
        quantity=Decimal(qty) if qty else None,
        price=Decimal("100") if qty else None,
        amount=kw.pop("amount", None),
        fees=Decimal(0),
        currency="USD",
        **kw,
    )  # type: ignore[arg-type]


def test_held_symbols_and_suggested_corporate_actions(ctx: AppContext, yahoo: YahooServer) -> None:
    account, _ = ctx.portfolio.create_account(AccountDraft(name="Brokerage"))
    assert account.id == 1
    LedgerStore(ctx.portfolio_db).add_entries(
        with_fingerprints(
            [
                entry(date(2023, 9, 1), TxType.BUY, "AAPL", "10"),
                entry(date(2023, 11, 14), TxType.DIVIDEND, "AAPL", amount=Decimal("2.40")),
                entry(date(2023, 2, 1), TxType.BUY, "VTI", "5"),
                entry(date(2023, 3, 1), TxType.SELL, "VTI", "5"),
            ]
        )
    )
    market = service(ctx, yahoo.url)
    assert market.held_symbols() == ["AAPL"]
    report = market.sync_held()
    assert [r.symbol for r in report] == ["AAPL"]
    before = ctx.portfolio_db.fetchone("SELECT count(*) FROM transactions")
    suggestions = market.suggested_actions()
    assert [(a.date, a.type) for a in suggestions] == [
        (date(2024, 2, 9), "dividend"),
        (date(2024, 5, 10), "dividend"),
        (SPLIT_DAY, "split"),
        (date(2024, 8, 12), "dividend"),
    ]
    assert suggestions[2].split_ratio == 4.0
    assert (
        ctx.portfolio_db.fetchone("SELECT count(*) FROM transactions") == before
    )  # nothing written
    assert market.sync_due().prices == []
    assert service(ctx, yahoo.url, today=date(2024, 10, 9)).sync_due().prices == ["AAPL"]


def test_macro_sync_incremental_and_without_a_key(ctx: AppContext) -> None:
    with pytest.raises(MarketDataError, match="FRED is off: no API key"):
        MarketService(ctx, fred_api_key=lambda: None).sync_macro(["CPIAUCSL"])
    cpi = monthly(date(2020, 1, 1), 48, 258.0, 0.5)
    with serving(
        FredServer({"CPIAUCSL": cpi, "UNRATE": monthly(date(2020, 1, 1), 48, 4.0, 0.01)})
    ) as srv:
        assert isinstance(srv, FredServer)
        market = MarketService(ctx, fred_api_key="test-key", fred_root_url=srv.url + "/fred")
        report = market.sync_macro(["CPIAUCSL", "unrate", "NOSUCH"])
        assert [(r.symbol, r.status, r.rows_added) for r in report] == [
            ("CPIAUCSL", "ok", 48),
            ("UNRATE", "ok", 48),
            ("NOSUCH", "no_data", 0),
        ]
        srv.reset_counts()
        again = market.sync_macro(["CPIAUCSL"])
        assert again.results[0].rows_added == 0
        (query,) = srv.observation_requests("CPIAUCSL")
        assert query["observation_start"] == [(date(2023, 12, 1) - timedelta(days=370)).isoformat()]
        assert market.macro("CPIAUCSL")["value"].iloc[-1] == pytest.approx(258.0 + 47 * 0.5)
        assert market.followed_series() == ["CPIAUCSL", "NOSUCH", "UNRATE"]


def test_fred_rate_limit_backs_off_then_reports(ctx: AppContext) -> None:
    with serving(FredServer({"DGS10": {date(2024, 1, 2): 3.9}})) as srv:
        assert isinstance(srv, FredServer)
        srv.status_override["DGS10"] = 429
        sleeps = Sleeps()
        market = MarketService(
            ctx,
            fred_api_key="test-key",
            fred_root_url=srv.url + "/fred",
            sleep=sleeps,
            backoff=Backoff(base=2.0, retries=3),
        )
        report = market.sync_macro(["DGS10"])
        assert report.results[0].status == "rate_limited" and report.all_failed
        assert len(srv.observation_requests("DGS10")) == 4 and len(sleeps) == 3
        _ = random
