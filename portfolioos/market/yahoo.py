"""Daily bars, dividends, splits and descriptive info from Yahoo Finance via yfinance.

yfinance logs and swallows network errors by default and hands back an empty frame,
which makes "offline", "unknown symbol" and "rate limited" look the same. We turn
that off with its supported switch (`yfinance.config.debug.hide_exceptions = False`)
and classify the exception that surfaces, plus the HTTP status the session saw.

The session is yfinance's supported hook (`Ticker(symbol, session=...)`): a
curl_cffi Session subclass, as yfinance would create itself, that remembers the last
HTTP status and can send Yahoo's URLs to another base URL (a local mirror, or the
loopback fixture server the tests run yfinance's own request and parsing code against).
"""

from __future__ import annotations

import json
import logging
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pandas as pd
from curl_cffi import requests as curl_requests

logger = logging.getLogger(__name__)

OFFLINE = "offline"
NO_DATA = "no_data"
RATE_LIMITED = "rate_limited"
SERVER_ERROR = "server_error"
FAILED = "failed"

# Yahoo quote types -> our asset types (what allocation charts group by).
ASSET_TYPES = {
    "EQUITY": "stock",
    "ETF": "etf",
    "MUTUALFUND": "mutual_fund",
    "INDEX": "index",
    "CRYPTOCURRENCY": "crypto",
    "CURRENCY": "cash",
    "MONEYMARKET": "cash",
    "FUTURE": "other",
    "OPTION": "other",
    "BOND": "bond",
}

_yf_lock = threading.Lock()
_yf_configured_cache: str | None = None


class FetchError(Exception):
    """A fetch failed; `kind` says why (offline, no_data, rate_limited, server_error, failed)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind

    @property
    def retryable(self) -> bool:
        return self.kind in (RATE_LIMITED, SERVER_ERROR)


class YahooSession(curl_requests.Session[curl_requests.Response]):
    """yfinance's own kind of session, with a base-URL override and a status log."""

    def __init__(self, base_url: str | None = None, **kwargs: Any) -> None:
        super().__init__(impersonate="chrome", **kwargs)
        self.base_url = base_url.rstrip("/") if base_url else None
        self.last_status: int | None = None
        self.last_url: str | None = None

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        if self.base_url:
            parts = urlsplit(url)
            base = urlsplit(self.base_url)
            url = urlunsplit((base.scheme, base.netloc, base.path + parts.path, parts.query, ""))
        self.last_status = None
        self.last_url = url
        response = super().request(method, url, *args, **kwargs)  # type: ignore[arg-type]
        self.last_status = int(response.status_code)
        return response


@dataclass(frozen=True, slots=True)
class YahooHistory:
    """What one chart request returned for a symbol, in our column names."""

    symbol: str
    prices: pd.DataFrame  # date, open, high, low, close, adj_close, volume, currency
    dividends: pd.DataFrame  # date, amount, currency
    splits: pd.DataFrame  # date, ratio
    info: dict[str, Any] = field(default_factory=dict)


def _configure_yfinance(cache_dir: Path | None) -> Any:
    """Raise instead of swallow; keep yfinance's caches in our data folder."""
    global _yf_configured_cache
    import yfinance as yf

    with _yf_lock:
        yf.config.debug.hide_exceptions = False
        yf.config.network.retries = 0  # retries are ours (bounded, jittered, rate limited)
        if cache_dir is not None and str(cache_dir) != _yf_configured_cache:
            cache_dir.mkdir(parents=True, exist_ok=True)
            from yfinance import cache

            cache.set_cache_location(str(cache_dir))
            _yf_configured_cache = str(cache_dir)
    return yf


class YahooClient:
    """One fetch per symbol: daily bars in [start, end) with dividends and splits."""

    def __init__(
        self, *, base_url: str | None = None, cache_dir: Path | None = None, timeout: float = 10.0
    ) -> None:
        self.session = YahooSession(base_url)
        self.cache_dir = cache_dir
        self.timeout = timeout

    def history(self, symbol: str, start: date, end: date) -> YahooHistory:
        """Bars from `start` to `end` inclusive. Raises FetchError, never returns silently empty."""
        yf = _configure_yfinance(self.cache_dir)
        ticker = yf.Ticker(symbol, session=self.session)
        try:
            with warnings.catch_warnings():
                # pandas 3 deprecation noise from inside yfinance: theirs to fix.
                warnings.simplefilter("ignore", DeprecationWarning)
                frame = ticker.history(
                    start=start.isoformat(),
                    end=(end + timedelta(days=1)).isoformat(),
                    interval="1d",
                    auto_adjust=False,
                    actions=True,
                    timeout=self.timeout,
                )
                meta = _metadata(ticker)
        except Exception as exc:
            raise self._classify(symbol, exc) from exc
        if frame is None or frame.empty:
            # An existing symbol with no bars in the window (a holiday week): not an error.
            if self.session.last_status == 200:
                return YahooHistory(
                    symbol, _empty_prices(), _empty_divs(), _empty_splits(), info_from_meta(meta)
                )
            raise FetchError(NO_DATA, f"{symbol}: Yahoo returned no data")
        return to_history(symbol, frame, meta)

    def _classify(self, symbol: str, exc: BaseException) -> FetchError:
        from yfinance import exceptions as yfe

        status = (
            getattr(getattr(exc, "response", None), "status_code", None) or self.session.last_status
        )
        name = type(exc).__name__
        if isinstance(exc, yfe.YFRateLimitError) or status == 429:
            return FetchError(RATE_LIMITED, f"{symbol}: Yahoo is rate limiting requests (HTTP 429)")
        if _is_connection_error(exc) and self.session.last_status is None:
            return FetchError(OFFLINE, f"{symbol}: cannot reach Yahoo ({name}: {_short(exc)})")
        if status is not None and status >= 500:
            return FetchError(SERVER_ERROR, f"{symbol}: Yahoo server error (HTTP {status})")
        if isinstance(exc, yfe.YFTzMissingError | yfe.YFPricesMissingError) or status == 404:
            return FetchError(NO_DATA, f"{symbol}: no data on Yahoo (unknown or delisted symbol?)")
        if isinstance(exc, json.JSONDecodeError | yfe.YFDataException):
            return FetchError(
                SERVER_ERROR, f"{symbol}: Yahoo sent an unreadable answer ({_short(exc)})"
            )
        logger.warning("unclassified yfinance error for %s", symbol, exc_info=exc)
        return FetchError(FAILED, f"{symbol}: {name}: {_short(exc)}")

    def info(self, symbol: str) -> dict[str, Any]:
        """Descriptive info (name, quote type, sector, industry, currency, exchange).

        Through yfinance's own `Ticker.info`: Yahoo's quoteSummary (modules quoteType,
        assetProfile, summaryDetail, ...), its v7 quote and one key-statistics series,
        after the fc.yahoo.com cookie and crumb dance. Raises FetchError (offline,
        no_data, rate_limited, server_error, failed); never returns an empty answer.
        """
        yf = _configure_yfinance(self.cache_dir)
        ticker = yf.Ticker(symbol, session=self.session)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                raw = ticker.get_info()
        except Exception as exc:
            raise self._classify(symbol, exc) from exc
        found = info_from_quote(raw or {})
        if not (found["name"] or found["quote_type"]):
            # yfinance answers an unknown symbol's empty quote with a near-empty dict.
            raise FetchError(NO_DATA, f"{symbol}: Yahoo has no profile for it")
        return found


META_KEYS = (
    "currency",
    "instrumentType",
    "exchangeName",
    "fullExchangeName",
    "longName",
    "shortName",
    "exchangeTimezoneName",
)


def _metadata(ticker: Any) -> dict[str, Any]:
    # The metadata mapping loads 'tradingPeriods' lazily with an intraday request;
    # reading only the keys we use keeps it to the one chart request.
    found = ticker.get_history_metadata() or {}
    out: dict[str, Any] = {}
    for key in META_KEYS:
        try:
            out[key] = found[key]
        except KeyError:
            continue
    return out


def _is_connection_error(exc: BaseException) -> bool:
    import requests

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(
            current,
            curl_requests.exceptions.ConnectionError
            | curl_requests.exceptions.Timeout
            | requests.ConnectionError
            | requests.Timeout
            | ConnectionError
            | TimeoutError,
        ):
            return True
        if isinstance(current, OSError) and not isinstance(current, FileNotFoundError):
            return True
        current = current.__cause__ or current.__context__
    return False


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


def info_from_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """Security info from the chart's meta block (no extra request)."""
    quote_type = meta.get("instrumentType")
    return {
        "name": meta.get("longName") or meta.get("shortName"),
        "quote_type": quote_type,
        "asset_type": ASSET_TYPES.get(str(quote_type), "other") if quote_type else None,
        "currency": meta.get("currency"),
        "exchange": meta.get("fullExchangeName") or meta.get("exchangeName"),
        "timezone": meta.get("exchangeTimezoneName"),
    }


def info_from_quote(raw: dict[str, Any]) -> dict[str, Any]:
    """Security info from yfinance's flattened `Ticker.info` (quoteSummary + v7 quote)."""

    def text(*keys: str) -> str | None:
        for key in keys:
            value = raw.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
        return None

    quote_type = text("quoteType")
    return {
        "name": text("longName", "shortName", "displayName"),
        "quote_type": quote_type,
        "asset_type": ASSET_TYPES.get(quote_type, "other") if quote_type else None,
        "sector": text("sector", "sectorDisp"),
        "industry": text("industry", "industryDisp"),
        "currency": text("currency", "financialCurrency"),
        "exchange": text("fullExchangeName", "exchange"),
        "timezone": text("timeZoneFullName", "exchangeTimezoneName"),
    }


def to_history(symbol: str, frame: pd.DataFrame, meta: dict[str, Any]) -> YahooHistory:
    """yfinance's frame (DatetimeIndex in exchange time, capitalised columns) -> ours."""
    info = info_from_meta(meta)
    currency = info.get("currency")
    days = [ts.date() for ts in frame.index]
    prices = pd.DataFrame(
        {
            "date": days,
            "open": frame["Open"].to_numpy(dtype=float),
            "high": frame["High"].to_numpy(dtype=float),
            "low": frame["Low"].to_numpy(dtype=float),
            "close": frame["Close"].to_numpy(dtype=float),
            "adj_close": frame["Adj Close"].to_numpy(dtype=float)
            if "Adj Close" in frame
            else frame["Close"].to_numpy(dtype=float),
            "volume": frame["Volume"].fillna(0).to_numpy(dtype="int64"),
            "currency": currency,
        }
    )
    prices = prices[prices["close"].notna()].reset_index(drop=True)
    div = frame["Dividends"] if "Dividends" in frame else pd.Series(dtype=float)
    spl = frame["Stock Splits"] if "Stock Splits" in frame else pd.Series(dtype=float)
    div_mask = (div.fillna(0) != 0).to_numpy()
    spl_mask = (spl.fillna(0) != 0).to_numpy()
    dividends = pd.DataFrame(
        {
            "date": [d for d, m in zip(days, div_mask, strict=True) if m],
            "amount": div.to_numpy(dtype=float)[div_mask],
            "currency": currency,
        }
    )
    splits = pd.DataFrame(
        {
            "date": [d for d, m in zip(days, spl_mask, strict=True) if m],
            "ratio": spl.to_numpy(dtype=float)[spl_mask],
        }
    )
    return YahooHistory(symbol, prices, dividends, splits, info)


def _empty_prices() -> pd.DataFrame:
    return pd.DataFrame(
        {c: [] for c in ("date", "open", "high", "low", "close", "adj_close", "volume", "currency")}
    )


def _empty_divs() -> pd.DataFrame:
    return pd.DataFrame({"date": [], "amount": [], "currency": []})


def _empty_splits() -> pd.DataFrame:
    return pd.DataFrame({"date": [], "ratio": []})


HistoryFetcher = Callable[[str, date, date], YahooHistory]
InfoFetcher = Callable[[str], dict[str, Any]]
