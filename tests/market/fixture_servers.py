"""Loopback HTTP servers speaking Yahoo's chart API and FRED's observations API.

The responses follow the providers' documented shapes (Yahoo v8 chart: meta,
timestamp, indicators.quote/adjclose, events.dividends/splits; FRED
/fred/series/observations as XML, which is what fredapi requests and parses), so the
real yfinance and fredapi code paths run against them. Every request is recorded, so
tests can count what a sync asked for.
"""

from __future__ import annotations

import json
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import quoteattr
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from portfolioos.market.calendar import trading_days

NY = ZoneInfo("America/New_York")


@dataclass
class Bars:
    """One ticker's fixture: bars plus events, as Yahoo would report them."""

    symbol: str
    dates: list[date]
    open: list[float]
    high: list[float]
    low: list[float]
    close: list[float]
    adjclose: list[float]
    volume: list[int]
    dividends: dict[date, float] = field(default_factory=dict)
    splits: dict[date, tuple[float, float]] = field(default_factory=dict)
    currency: str = "USD"
    instrument_type: str = "EQUITY"
    exchange: str = "NMS"
    long_name: str = ""
    sector: str = ""
    industry: str = ""


def make_bars(
    symbol: str,
    start: date,
    end: date,
    *,
    seed: int = 1,
    price: float = 100.0,
    vol: float = 0.01,
    dividends: dict[date, float] | None = None,
    splits: dict[date, tuple[float, float]] | None = None,
    **kw: Any,
) -> Bars:
    """A clean random walk on the exchange's trading days (split-adjusted closes, as Yahoo's)."""
    days = trading_days(start, end)
    rng = np.random.default_rng(seed)
    close = price * np.exp(np.cumsum(rng.normal(0, vol, len(days))))
    spread = np.abs(rng.normal(0, vol / 2, len(days))) * close
    opens = close * (1 + rng.normal(0, vol / 4, len(days)))
    high = np.maximum(opens, close) + spread
    low = np.minimum(opens, close) - spread
    volume = rng.integers(1_000, 1_000_000, len(days))
    divs = dividends or {}
    adj = close.copy()
    factor = 1.0
    for i in range(len(days) - 1, -1, -1):
        adj[i] = close[i] * factor
        if days[i] in divs and i > 0:
            factor *= 1 - divs[days[i]] / close[i - 1]
    r = lambda a: [round(float(x), 4) for x in a]  # noqa: E731
    return Bars(
        symbol,
        days,
        r(opens),
        r(high),
        r(low),
        r(close),
        r(adj),
        [int(v) for v in volume],
        divs,
        splits or {},
        long_name=kw.get("long_name", symbol),
        **{k: v for k, v in kw.items() if k != "long_name"},
    )


def _ts(day: date) -> int:
    """Yahoo stamps a daily bar at the session's open, 09:30 New York time."""
    return int(datetime(day.year, day.month, day.day, 9, 30, tzinfo=NY).timestamp())


def chart_json(
    bars: Bars, period1: int | None, period2: int | None, last_only: bool
) -> dict[str, Any]:
    idx = [
        i
        for i, d in enumerate(bars.dates)
        if (period1 is None or _ts(d) >= period1) and (period2 is None or _ts(d) < period2)
    ]
    if last_only:
        idx = idx[-1:]
    pick = lambda a: [a[i] for i in idx]  # noqa: E731
    stamps = pick([_ts(d) for d in bars.dates])
    lo, hi = (stamps[0], stamps[-1]) if stamps else (0, 0)
    events: dict[str, Any] = {}
    divs = {
        str(_ts(d)): {"amount": a, "date": _ts(d)}
        for d, a in bars.dividends.items()
        if stamps and lo <= _ts(d) <= hi
    }
    spl = {
        str(_ts(d)): {
            "date": _ts(d),
            "numerator": n,
            "denominator": m,
            "splitRatio": f"{n:g}:{m:g}",
        }
        for d, (n, m) in bars.splits.items()
        if stamps and lo <= _ts(d) <= hi
    }
    if divs:
        events["dividends"] = divs
    if spl:
        events["splits"] = spl
    last = bars.close[-1]
    result: dict[str, Any] = {
        "meta": {
            "currency": bars.currency,
            "symbol": bars.symbol,
            "exchangeName": bars.exchange,
            "fullExchangeName": _full_exchange(bars.exchange),
            "instrumentType": bars.instrument_type,
            "firstTradeDate": _ts(bars.dates[0]),
            "regularMarketTime": _ts(bars.dates[-1]) + 23400,
            "hasPrePostMarketData": True,
            "gmtoffset": -18000,
            "timezone": "EST",
            "exchangeTimezoneName": "America/New_York",
            "regularMarketPrice": last,
            "fiftyTwoWeekHigh": max(bars.high),
            "fiftyTwoWeekLow": min(bars.low),
            "regularMarketDayHigh": bars.high[-1],
            "regularMarketDayLow": bars.low[-1],
            "regularMarketVolume": bars.volume[-1],
            "longName": bars.long_name,
            "shortName": bars.long_name,
            "chartPreviousClose": bars.close[0],
            "priceHint": 2,
            "currentTradingPeriod": {
                "pre": {"timezone": "EST", "start": 0, "end": 0, "gmtoffset": -18000},
                "regular": {"timezone": "EST", "start": 0, "end": 0, "gmtoffset": -18000},
                "post": {"timezone": "EST", "start": 0, "end": 0, "gmtoffset": -18000},
            },
            "dataGranularity": "1d",
            "range": "1d" if last_only else "",
            "validRanges": ["1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "10y", "ytd", "max"],
        },
        "timestamp": stamps,
        "indicators": {
            "quote": [
                {
                    "open": pick(bars.open),
                    "high": pick(bars.high),
                    "low": pick(bars.low),
                    "close": pick(bars.close),
                    "volume": pick(bars.volume),
                }
            ],
            "adjclose": [{"adjclose": pick(bars.adjclose)}],
        },
    }
    if events:
        result["events"] = events
    if not stamps:
        del result["timestamp"]
        result["indicators"] = {"quote": [{}], "adjclose": [{}]}
    return {"chart": {"result": [result], "error": None}}


def _full_exchange(code: str) -> str:
    return {"NMS": "NasdaqGS", "NYQ": "NYSE", "PCX": "NYSEArca"}.get(code, code)


def quote_summary_json(bars: Bars, modules: list[str]) -> dict[str, Any]:
    """/v10/finance/quoteSummary/{symbol}?modules=... with `formatted=false` (what
    yfinance asks for): one object per requested module Yahoo has for the symbol.

    Funds carry no sector or industry and no financialData module, as on Yahoo."""
    fund = bars.instrument_type in ("ETF", "MUTUALFUND")
    first_trade = _ts(bars.dates[0])
    available: dict[str, dict[str, Any]] = {
        "quoteType": {
            "exchange": bars.exchange,
            "quoteType": bars.instrument_type,
            "symbol": bars.symbol,
            "underlyingSymbol": bars.symbol,
            "shortName": bars.long_name[:32],
            "longName": bars.long_name,
            "firstTradeDateEpochUtc": first_trade,
            "timeZoneFullName": "America/New_York",
            "timeZoneShortName": "EST",
            "uuid": "00000000-0000-3000-8000-"
            + f"{zlib.crc32(bars.symbol.encode()) % 10**12:012d}",
            "messageBoardId": f"finmb_{zlib.crc32(bars.symbol.encode()) % 10**6}",
            "gmtOffSetMilliseconds": -18000000,
            "maxAge": 1,
        },
        "summaryDetail": {
            "maxAge": 1,
            "priceHint": 2,
            "previousClose": bars.close[-2] if len(bars.close) > 1 else bars.close[-1],
            "open": bars.open[-1],
            "dayLow": bars.low[-1],
            "dayHigh": bars.high[-1],
            "volume": bars.volume[-1],
            "fiftyTwoWeekLow": min(bars.low),
            "fiftyTwoWeekHigh": max(bars.high),
            "currency": bars.currency,
            "fromCurrency": None,
            "toCurrency": None,
            "tradeable": False,
        },
        "defaultKeyStatistics": {"maxAge": 1, "priceHint": 2, "lastSplitFactor": None},
        "assetProfile": {
            "longBusinessSummary": f"{bars.long_name} is a fixture security.",
            "maxAge": 86400,
        },
    }
    if not fund:
        available["assetProfile"].update(
            {
                "address1": "One Fixture Way",
                "city": "Testville",
                "country": "United States",
                "industry": bars.industry,
                "industryKey": bars.industry.lower().replace(" ", "-"),
                "industryDisp": bars.industry,
                "sector": bars.sector,
                "sectorKey": bars.sector.lower().replace(" ", "-"),
                "sectorDisp": bars.sector,
                "fullTimeEmployees": 1000,
                "companyOfficers": [],
            }
        )
        available["financialData"] = {
            "maxAge": 86400,
            "currentPrice": bars.close[-1],
            "financialCurrency": bars.currency,
        }
    result = {m: available[m] for m in modules if m in available}
    return {"quoteSummary": {"result": [result], "error": None}}


def v7_quote_json(bars: Bars | None, symbol: str) -> dict[str, Any]:
    """/v7/finance/quote?symbols=...: an unknown symbol is an empty result, HTTP 200."""
    if bars is None:
        return {"quoteResponse": {"result": [], "error": None}}
    row = {
        "language": "en-US",
        "region": "US",
        "quoteType": bars.instrument_type,
        "typeDisp": "ETF" if bars.instrument_type == "ETF" else "Equity",
        "quoteSourceName": "Delayed Quote",
        "triggerable": True,
        "currency": bars.currency,
        "exchange": bars.exchange,
        "shortName": bars.long_name[:32],
        "longName": bars.long_name,
        "messageBoardId": f"finmb_{zlib.crc32(symbol.encode()) % 10**6}",
        "exchangeTimezoneName": "America/New_York",
        "exchangeTimezoneShortName": "EST",
        "gmtOffSetMilliseconds": -18000000,
        "market": "us_market",
        "esgPopulated": False,
        "marketState": "CLOSED",
        "regularMarketPrice": bars.close[-1],
        "regularMarketTime": _ts(bars.dates[-1]) + 23400,
        "fullExchangeName": _full_exchange(bars.exchange),
        "financialCurrency": bars.currency,
        "firstTradeDateMilliseconds": _ts(bars.dates[0]) * 1000,
        "priceHint": 2,
        "tradeable": False,
        "symbol": symbol,
    }
    return {"quoteResponse": {"result": [row], "error": None}}


def timeseries_json(bars: Bars, symbol: str, types: list[str]) -> dict[str, Any]:
    """/ws/fundamentals-timeseries/v1/finance/timeseries/{symbol} (yfinance asks for the
    trailing PEG ratio); a fund has none, which Yahoo answers with the meta block only."""
    entry: dict[str, Any] = {"meta": {"symbol": [symbol], "type": types}}
    if bars.instrument_type not in ("ETF", "MUTUALFUND"):
        stamp = _ts(bars.dates[-1])
        entry["timestamp"] = [stamp]
        for kind in types:
            entry[kind] = [
                {
                    "dataId": 14021,
                    "asOfDate": bars.dates[-1].isoformat(),
                    "periodType": "TTM",
                    "reportedValue": {"raw": 2.1, "fmt": "2.10"},
                }
            ]
    return {"timeseries": {"result": [entry], "error": None}}


QUOTE_NOT_FOUND = {
    "quoteSummary": {
        "result": None,
        "error": {"code": "Not Found", "description": "Quote not found for symbol"},
    }
}


NOT_FOUND = {
    "chart": {
        "result": None,
        "error": {"code": "Not Found", "description": "No data found, symbol may be delisted"},
    }
}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class FixtureServer:
    """Base: a threaded loopback server that records (path, query) of every request."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, list[str]]]] = []
        self.lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                with owner.lock:
                    owner.requests.append((parts.path, query))
                status, ctype, body = owner.respond(parts.path, query)
                payload = body.encode() if isinstance(body, str) else body
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_POST = do_GET

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = _Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def respond(self, path: str, query: dict[str, list[str]]) -> tuple[int, str, str | bytes]:
        raise NotImplementedError

    def start(self) -> FixtureServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def reset_counts(self) -> None:
        with self.lock:
            self.requests.clear()


class YahooServer(FixtureServer):
    """Yahoo's chart, crumb and cookie endpoints over fixture bars."""

    def __init__(self, tickers: dict[str, Bars]) -> None:
        super().__init__()
        self.tickers = dict(tickers)
        self.status_override: dict[str, int] = {}  # symbol -> HTTP status to answer with
        self.delay: dict[str, float] = {}
        self.served = threading.Event()  # set once a data (period1) chart answer went out
        self.served_for: dict[str, threading.Event] = {s: threading.Event() for s in tickers}
        self.info_status_override: dict[str, int] = {}  # symbol -> status for info endpoints

    def info_requests(self, symbol: str | None = None) -> list[dict[str, list[str]]]:
        """quoteSummary requests (one per `Ticker.info` fetch), optionally for one symbol."""
        return [
            q
            for p, q in list(self.requests)
            if p.startswith("/v10/finance/quoteSummary/")
            and (symbol is None or p.rsplit("/", 1)[-1] == symbol)
        ]

    def chart_requests(
        self, symbol: str | None = None, *, data_only: bool = True
    ) -> list[dict[str, list[str]]]:
        out = []
        for path, query in list(self.requests):
            if not path.startswith("/v8/finance/chart/"):
                continue
            if symbol and path.rsplit("/", 1)[-1] != symbol:
                continue
            if data_only and "period1" not in query:
                continue
            out.append(query)
        return out

    def respond(self, path: str, query: dict[str, list[str]]) -> tuple[int, str, str | bytes]:
        if path.endswith("/getcrumb"):
            return 200, "text/plain", "fixture-crumb"
        if path.startswith("/v8/finance/chart/"):
            symbol = path.rsplit("/", 1)[-1]
            if symbol in self.delay:
                time.sleep(self.delay[symbol])
            if symbol in self.status_override:
                code = self.status_override[symbol]
                body = "Too Many Requests" if code == 429 else "<html>Internal error</html>"
                return code, "text/html", body
            bars = self.tickers.get(symbol)
            if bars is None:
                return 404, "application/json", json.dumps(NOT_FOUND)
            p1 = int(query["period1"][0]) if "period1" in query else None
            p2 = int(query["period2"][0]) if "period2" in query else None
            body = chart_json(bars, p1, p2, last_only="range" in query)
            if p1 is not None:
                self.served.set()
                self.served_for[symbol].set()
            return 200, "application/json", json.dumps(body)
        if path.startswith("/v10/finance/quoteSummary/"):
            symbol = path.rsplit("/", 1)[-1]
            if symbol in self.info_status_override:
                code = self.info_status_override[symbol]
                return code, "text/html", "Too Many Requests" if code == 429 else "<html></html>"
            bars = self.tickers.get(symbol)
            if bars is None:
                return 404, "application/json", json.dumps(QUOTE_NOT_FOUND)
            modules = ",".join(query.get("modules", [""])).split(",")
            return 200, "application/json", json.dumps(quote_summary_json(bars, modules))
        if path.startswith("/v7/finance/quote"):
            symbol = query.get("symbols", [""])[0]
            if symbol in self.info_status_override:
                code = self.info_status_override[symbol]
                return code, "text/html", "Too Many Requests" if code == 429 else "<html></html>"
            return (
                200,
                "application/json",
                json.dumps(v7_quote_json(self.tickers.get(symbol), symbol)),
            )
        if path.startswith("/ws/fundamentals-timeseries/"):
            symbol = path.rsplit("/", 1)[-1]
            bars = self.tickers.get(symbol)
            if bars is None:
                empty = {"timeseries": {"result": [], "error": None}}
                return 200, "application/json", json.dumps(empty)
            body = timeseries_json(bars, symbol, query.get("type", []))
            return 200, "application/json", json.dumps(body)
        return 200, "text/html", "<html>ok</html>"


class FredServer(FixtureServer):
    """FRED's /fred/series/observations in its XML form (fredapi's request format)."""

    def __init__(
        self, series: dict[str, dict[date, float | None]], api_key: str = "test-key"
    ) -> None:
        super().__init__()
        self.series = series
        self.api_key = api_key
        self.status_override: dict[str, int] = {}

    def observation_requests(self, series_id: str | None = None) -> list[dict[str, list[str]]]:
        return [
            q
            for p, q in list(self.requests)
            if p.endswith("/series/observations")
            and (series_id is None or q.get("series_id", [""])[0] == series_id)
        ]

    def respond(self, path: str, query: dict[str, list[str]]) -> tuple[int, str, str | bytes]:
        if query.get("api_key", [""])[0] != self.api_key:
            return (
                400,
                "text/xml",
                _fred_error(400, "Bad Request.  The value for variable api_key is not registered."),
            )
        if not path.endswith("/fred/series/observations"):
            return 404, "text/xml", _fred_error(404, "Not Found")
        sid = query.get("series_id", [""])[0]
        if sid in self.status_override:
            code = self.status_override[sid]
            text = {
                429: "Too Many Requests.  Exceeded Rate Limit",
                500: "Internal Server Error",
            }.get(code, "Error")
            return code, "text/xml", _fred_error(code, text)
        if sid not in self.series:
            return 400, "text/xml", _fred_error(400, "Bad Request.  The series does not exist.")
        start = (
            date.fromisoformat(query["observation_start"][0])
            if "observation_start" in query
            else None
        )
        obs = [(d, v) for d, v in sorted(self.series[sid].items()) if start is None or d >= start]
        today = date.today().isoformat()
        rows = "".join(
            f'  <observation realtime_start="{today}" realtime_end="{today}" '
            f'date="{d.isoformat()}" '
            f"value={quoteattr('.' if v is None else repr(v))}/>\n"
            for d, v in obs
        )
        body = (
            '<?xml version="1.0" encoding="utf-8" ?>\n'
            f'<observations realtime_start="{today}" realtime_end="{today}" '
            'observation_start="1776-07-04" observation_end="9999-12-31" units="lin" '
            f'output_type="1" file_type="xml" order_by="observation_date" sort_order="asc" '
            f'count="{len(obs)}" offset="0" limit="100000">\n{rows}</observations>\n'
        )
        return 200, "text/xml; charset=UTF-8", body


def _fred_error(code: int, message: str) -> str:
    head = '<?xml version="1.0" encoding="utf-8" ?>\n'
    return f'{head}<error code="{code}" message={quoteattr(message)}/>\n'


def monthly(start: date, count: int, first: float, step: float) -> dict[date, float | None]:
    out: dict[date, float | None] = {}
    y, m = start.year, start.month
    for i in range(count):
        out[date(y, m, 1)] = round(first + step * i, 3)
        m += 1
        if m > 12:
            y, m = y + 1, 1
    return out


@contextmanager
def serving(server: FixtureServer) -> Iterator[FixtureServer]:
    server.start()
    try:
        yield server
    finally:
        server.stop()


def closed_port_url() -> str:
    """A loopback URL nobody listens on: connection refused, as when offline."""
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"


@pytest.fixture(autouse=True)
def fresh_yfinance_state() -> Iterator[None]:
    """yfinance memoises responses per URL in-process; each test starts without them.

    Import this fixture into a test module to apply it there.
    """
    from yfinance.data import YfData

    YfData.cache_get.cache_clear()
    yield
    YfData.cache_get.cache_clear()
