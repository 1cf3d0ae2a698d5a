"""MarketService.overview (the Markets page's symbol list) and sync_prices' per-symbol
hook, on real DuckDB files and the loopback Yahoo server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from portfolioos.market.ratelimit import TokenBucket
from portfolioos.services.context import AppContext
from portfolioos.services.market import MarketService, SyncResult
from tests.gui.market_helpers import LAST, fixture_bars, hold
from tests.market.fixture_servers import (
    YahooServer,
    closed_port_url,
    fresh_yfinance_state,  # noqa: F401  (autouse)
)


@pytest.fixture
def yahoo() -> Iterator[YahooServer]:
    srv = YahooServer({"AAA": fixture_bars("AAA", 1)})  # type: ignore[dict-item]
    srv.start()
    yield srv
    srv.stop()


def market(ctx: AppContext, url: str) -> MarketService:
    return MarketService(
        ctx, yahoo_base_url=url, yahoo_limiter=TokenBucket(1000.0, capacity=1000.0)
    )


def test_overview_lists_held_then_cached_with_status(ctx: AppContext, yahoo: YahooServer) -> None:
    hold(ctx, "ZZZ", "AAA")
    service = market(ctx, yahoo.url)
    heard: list[SyncResult] = []
    report = service.sync_prices(["AAA", "ZZZ"], on_result=heard.append)
    assert heard == report.results
    service.add_manual_price("HOUSE", date(2024, 6, 28), "450000", "EUR")
    rows = {r.symbol: r for r in service.overview()}
    assert [r.symbol for r in service.overview()] == ["AAA", "ZZZ", "HOUSE"]
    assert rows["AAA"].held and rows["AAA"].status == "ok" and rows["AAA"].last_date == LAST
    assert rows["AAA"].last_close == float(service.prices("AAA")["close"].iloc[-1])
    assert rows["AAA"].sessions_behind == 0
    assert rows["ZZZ"].status == "no_data" and rows["ZZZ"].last_date is None
    assert "no data" in rows["ZZZ"].message
    house = rows["HOUSE"]
    assert not house.held and house.status == "manual" and house.currency == "EUR"
    assert house.last_close == 450000.0 and house.sessions_behind and house.sessions_behind > 0


def test_overview_after_an_offline_sync_keeps_the_cached_date(ctx: AppContext) -> None:
    service = market(ctx, closed_port_url())
    service.add_manual_price("AAA", date(2024, 11, 21), "101.5")
    (result,) = service.sync_prices(["AAA"]).results
    assert result.status == "offline"
    (row,) = service.overview()
    assert row.status == "offline" and row.last_date == date(2024, 11, 21)
    assert "keeping cached prices up to 2024-11-21" in row.message
