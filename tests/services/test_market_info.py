"""Security profiles (sector, industry, ...) through yfinance's Ticker.info on loopback Yahoo."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest

from portfolioos.market.ratelimit import TokenBucket
from portfolioos.services.context import AppContext
from portfolioos.services.market import INFO_MAX_AGE, MarketService
from tests.market.fixture_servers import (
    YahooServer,
    closed_port_url,
    fresh_yfinance_state,  # noqa: F401  (autouse)
    make_bars,
)
from tests.services.test_market_service import END, START, TODAY, Sleeps, service

T0 = datetime(2024, 10, 1, 22, 0)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def yahoo() -> Iterator[YahooServer]:
    srv = YahooServer(
        {
            "AAPL": make_bars(
                "AAPL",
                START,
                END,
                long_name="Apple Inc.",
                sector="Technology",
                industry="Consumer Electronics",
            ),
            "VTI": make_bars("VTI", START, END, seed=2, instrument_type="ETF", exchange="PCX"),
            "XOM": make_bars(
                "XOM",
                START,
                END,
                seed=3,
                exchange="NYQ",
                long_name="Exxon Mobil Corporation",
                sector="Energy",
                industry="Oil & Gas Integrated",
            ),
        }
    )
    srv.start()
    yield srv
    srv.stop()


def info_row(ctx: AppContext, symbol: str) -> tuple[object, ...]:
    row = ctx.market_db.fetchone(
        "SELECT name, quote_type, asset_type, sector, industry, currency, exchange "
        "FROM security_info WHERE symbol = ?",
        [symbol],
    )
    assert row is not None
    return tuple(row)


def test_sync_fills_profiles_and_refreshes_only_when_old(
    ctx: AppContext, yahoo: YahooServer
) -> None:
    clock = Clock()
    market = service(ctx, yahoo.url, now=clock)
    report = market.sync_prices(["AAPL", "VTI", "XOM"])
    assert [(r.status, r.info_status) for r in report] == [("ok", "ok")] * 3
    assert info_row(ctx, "AAPL") == (
        "Apple Inc.",
        "EQUITY",
        "stock",
        "Technology",
        "Consumer Electronics",
        "USD",
        "NasdaqGS",
    )
    assert info_row(ctx, "XOM")[3:] == ("Energy", "Oil & Gas Integrated", "USD", "NYSE")
    assert info_row(ctx, "VTI")[2:5] == ("etf", None, None)
    assert len(yahoo.info_requests()) == 3
    assert market.security_info("AAPL")["profile"]["status"] == "ok"

    # A day later: new bars are fetched, profiles are not.
    yahoo.reset_counts()
    clock.now = T0 + timedelta(days=1)
    later = service(ctx, yahoo.url, today=date(2024, 10, 2), now=clock)
    again = later.sync_prices(["AAPL", "VTI", "XOM"])
    assert [r.info_status for r in again] == [None, None, None]
    assert yahoo.info_requests() == []

    # Past INFO_MAX_AGE: each profile is fetched once more.
    clock.now = T0 + INFO_MAX_AGE + timedelta(hours=1)
    later.sync_prices(["AAPL", "VTI", "XOM"])
    assert [len(yahoo.info_requests(s)) for s in ("AAPL", "VTI", "XOM")] == [1, 1, 1]


def test_failed_profile_fetches_keep_what_is_stored(ctx: AppContext, yahoo: YahooServer) -> None:
    clock = Clock()
    sleeps = Sleeps()
    market = service(ctx, yahoo.url, now=clock, sleeps=sleeps)
    market.sync_prices(["AAPL"])
    stored = info_row(ctx, "AAPL")

    # Throttled on the profile only: prices are fine, the profile keeps its old value,
    # and the retries were bounded and backed off.
    yahoo.info_status_override["AAPL"] = 429
    report = market.refresh_info(["AAPL"], force=True)
    assert (report.results[0].status, report.results[0].info_status) == (
        "rate_limited",
        "rate_limited",
    )
    assert "keeping the stored profile" in report.results[0].message
    # first sync + 3 attempts (1 try, 2 retries), each of which yfinance itself sends
    # twice (it retries any 4xx once with its other cookie strategy)
    assert len(yahoo.info_requests("AAPL")) == 1 + 3 * 2
    assert len(sleeps) == 2
    assert info_row(ctx, "AAPL") == stored
    state = market.security_info("AAPL")["profile"]
    assert state["status"] == "rate_limited" and state["fetched_at"] == T0

    # Offline: told apart, still kept; the next sync asks again (not a "no data").
    offline = service(ctx, closed_port_url(), now=clock).refresh_info(["AAPL"], force=True)
    assert offline.results[0].status == "offline"
    assert info_row(ctx, "AAPL") == stored
    yahoo.info_status_override.clear()
    clock.now = T0 + INFO_MAX_AGE + timedelta(days=1)
    assert market.refresh_info(["AAPL"]).results[0].status == "ok"

    # Unknown to Yahoo's profile service: no_data, and not asked again for a while.
    yahoo.reset_counts()
    gone = market.refresh_info(["NOSUCH"])
    assert gone.results[0].status == "no_data"
    assert market.refresh_info(["NOSUCH"]).results[0].message == "profile is recent"
    assert len(yahoo.info_requests("NOSUCH")) == 2  # one fetch (yfinance retries a 404 once)


def test_offline_price_sync_does_not_try_the_profile(ctx: AppContext) -> None:
    market = service(ctx, closed_port_url())
    report = market.sync_prices(["AAPL"])
    assert (report.results[0].status, report.results[0].info_status) == ("offline", None)
    assert ctx.market_db.fetchone("SELECT count(*) FROM security_info") == (0,)


def test_each_profile_fetch_is_charged_three_yahoo_tokens(
    ctx: AppContext, yahoo: YahooServer
) -> None:
    class FakeTime:
        def __init__(self) -> None:
            self.t = 0.0
            self.slept: list[float] = []

        def clock(self) -> float:
            return self.t

        def sleep(self, seconds: float) -> None:
            self.slept.append(seconds)
            self.t += seconds

    fake = FakeTime()
    bucket = TokenBucket(2.0, capacity=2.0, clock=fake.clock, sleep=fake.sleep)
    market = MarketService(
        ctx, yahoo_base_url=yahoo.url, today=lambda: TODAY, yahoo_limiter=bucket, sleep=fake.sleep
    )
    market.sync_prices(["AAPL"])
    # 1 chart + 3 profile requests at 2/s from a full bucket of 2: one second of waiting.
    assert sum(fake.slept) == pytest.approx(1.0)
    assert len(yahoo.chart_requests("AAPL")) == 1 and len(yahoo.info_requests("AAPL")) == 1
