"""yfinance's own request and parsing code against a loopback server in Yahoo's chart format."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from portfolioos.market.yahoo import (
    NO_DATA,
    OFFLINE,
    RATE_LIMITED,
    SERVER_ERROR,
    FetchError,
    YahooClient,
)
from tests.market.fixture_servers import (
    YahooServer,
    closed_port_url,
    fresh_yfinance_state,  # noqa: F401  (autouse)
    make_bars,
)

SPLIT_DAY = date(2024, 6, 10)
DIV_DAYS = {date(2024, 2, 9): 0.24, date(2024, 5, 10): 0.25, date(2024, 8, 12): 0.25}


@pytest.fixture
def server() -> Iterator[YahooServer]:
    srv = YahooServer(
        {
            "AAPL": make_bars(
                "AAPL",
                date(2024, 1, 2),
                date(2024, 9, 30),
                seed=1,
                dividends=DIV_DAYS,
                splits={SPLIT_DAY: (4.0, 1.0)},
                long_name="Apple Inc.",
            ),
            "VTI": make_bars(
                "VTI",
                date(2024, 1, 2),
                date(2024, 9, 30),
                seed=2,
                instrument_type="ETF",
                exchange="PCX",
                long_name="Vanguard Total Stock Market ETF",
            ),
        }
    )
    srv.start()
    yield srv
    srv.stop()


def client(url: str, tmp_path: Path) -> YahooClient:
    return YahooClient(base_url=url, cache_dir=tmp_path / "yf")


def test_history_with_split_and_dividends_parsed_by_yfinance(
    server: YahooServer, tmp_path: Path
) -> None:
    got = client(server.url, tmp_path).history("AAPL", date(2024, 1, 2), date(2024, 9, 30))
    bars = server.tickers["AAPL"]
    assert list(got.prices["date"]) == bars.dates
    assert got.prices["close"].tolist() == pytest.approx(bars.close)
    assert got.prices["adj_close"].tolist() == pytest.approx(bars.adjclose)
    assert got.prices["volume"].tolist() == bars.volume
    assert dict(zip(got.dividends["date"], got.dividends["amount"], strict=True)) == DIV_DAYS
    assert list(zip(got.splits["date"], got.splits["ratio"], strict=True)) == [(SPLIT_DAY, 4.0)]
    assert got.info["name"] == "Apple Inc." and got.info["asset_type"] == "stock"
    assert got.info["currency"] == "USD"
    # One data request, with the window as Unix seconds (what yfinance sends Yahoo).
    (query,) = server.chart_requests("AAPL")
    assert query["interval"] == ["1d"] and "div,splits" in query["events"][0]


def test_window_and_quote_type(server: YahooServer, tmp_path: Path) -> None:
    got = client(server.url, tmp_path).history("VTI", date(2024, 3, 1), date(2024, 3, 31))
    assert got.prices["date"].min() == date(2024, 3, 1)
    assert got.prices["date"].max() == date(2024, 3, 28)  # Good Friday 3/29 closed
    assert got.info["asset_type"] == "etf"


def test_failures_are_told_apart(server: YahooServer, tmp_path: Path) -> None:
    c = client(server.url, tmp_path)
    with pytest.raises(FetchError) as unknown:
        c.history("NOSUCH", date(2024, 1, 2), date(2024, 3, 1))
    assert unknown.value.kind == NO_DATA
    server.status_override["VTI"] = 429
    with pytest.raises(FetchError) as limited:
        c.history("VTI", date(2024, 1, 2), date(2024, 3, 1))
    assert limited.value.kind == RATE_LIMITED and limited.value.retryable
    server.status_override["VTI"] = 503
    with pytest.raises(FetchError) as down:
        c.history("VTI", date(2024, 1, 2), date(2024, 3, 2))
    assert down.value.kind == SERVER_ERROR
    with pytest.raises(FetchError) as offline:
        client(closed_port_url(), tmp_path).history("AAPL", date(2024, 1, 2), date(2024, 3, 1))
    assert offline.value.kind == OFFLINE and not offline.value.retryable
    assert "cannot reach Yahoo" in str(offline.value)


@pytest.fixture
def profiles() -> Iterator[YahooServer]:
    srv = YahooServer(
        {
            "AAPL": make_bars(
                "AAPL",
                date(2024, 1, 2),
                date(2024, 3, 28),
                long_name="Apple Inc.",
                sector="Technology",
                industry="Consumer Electronics",
            ),
            "VTI": make_bars(
                "VTI",
                date(2024, 1, 2),
                date(2024, 3, 28),
                instrument_type="ETF",
                exchange="PCX",
                long_name="Vanguard Total Stock Market Index Fund ETF Shares",
            ),
        }
    )
    srv.start()
    yield srv
    srv.stop()


def test_info_through_yfinance_ticker_info(profiles: YahooServer, tmp_path: Path) -> None:
    c = client(profiles.url, tmp_path)
    assert c.info("AAPL") == {
        "name": "Apple Inc.",
        "quote_type": "EQUITY",
        "asset_type": "stock",
        "sector": "Technology",
        "industry": "Consumer Electronics",
        "currency": "USD",
        "exchange": "NasdaqGS",
        "timezone": "America/New_York",
    }
    fund = c.info("VTI")
    assert fund["asset_type"] == "etf" and fund["exchange"] == "NYSEArca"
    assert fund["sector"] is None and fund["industry"] is None
    # yfinance asked for the profile modules in Yahoo's raw (unformatted) numbers, with
    # the crumb it fetched after the fc.yahoo.com cookie.
    (query,) = profiles.info_requests("AAPL")
    assert {"quoteType", "assetProfile"} <= set(query["modules"][0].split(","))
    assert query["formatted"] == ["false"] and query["crumb"] == ["fixture-crumb"]
    assert any(path.endswith("/getcrumb") for path, _ in profiles.requests)


def test_info_failures_are_told_apart(profiles: YahooServer, tmp_path: Path) -> None:
    c = client(profiles.url, tmp_path)
    with pytest.raises(FetchError) as unknown:
        c.info("NOSUCH")
    assert unknown.value.kind == NO_DATA
    profiles.info_status_override["AAPL"] = 429
    with pytest.raises(FetchError) as limited:
        c.info("AAPL")
    assert limited.value.kind == RATE_LIMITED
    profiles.info_status_override["AAPL"] = 502
    with pytest.raises(FetchError) as down:
        c.info("AAPL")
    assert down.value.kind == SERVER_ERROR
    with pytest.raises(FetchError) as offline:
        client(closed_port_url(), tmp_path).info("AAPL")
    assert offline.value.kind == OFFLINE
