"""Macro series (CPIAUCSL, DGS10, UNRATE...) from FRED via fredapi.

fredapi requests `{root_url}/series/observations` as XML and turns FRED's error
document into a bare ValueError carrying FRED's message, so the cause is read back
from that message (FRED's documented texts: "Too Many Requests", "The series does
not exist") and from urllib's connection errors.
"""

from __future__ import annotations

import logging
import urllib.error
import xml.etree.ElementTree as ET
from datetime import date

import pandas as pd

from portfolioos.market.yahoo import (
    FAILED,
    NO_DATA,
    OFFLINE,
    RATE_LIMITED,
    SERVER_ERROR,
    FetchError,
)

logger = logging.getLogger(__name__)

DEFAULT_ROOT_URL = "https://api.stlouisfed.org/fred"


class FredClient:
    def __init__(self, api_key: str, *, root_url: str | None = None) -> None:
        from fredapi import Fred

        if not api_key:
            raise ValueError("a FRED API key is required")
        self._fred = Fred(api_key=api_key)
        # An instance attribute shadows the class default, for this client only.
        self._fred.root_url = (root_url or DEFAULT_ROOT_URL).rstrip("/")

    def observations(self, series_id: str, start: date | None = None) -> pd.DataFrame:
        """(date, value) rows from `start` on; missing values ('.') are NaN. Raises FetchError."""
        try:
            series = self._fred.get_series(series_id, observation_start=start)
        except ValueError as exc:
            raise classify_message(series_id, str(exc)) from exc
        except urllib.error.HTTPError as exc:  # pragma: no cover - fredapi catches these
            raise FetchError(SERVER_ERROR, f"{series_id}: FRED answered HTTP {exc.code}") from exc
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            raise FetchError(OFFLINE, f"{series_id}: cannot reach FRED ({_reason(exc)})") from exc
        except ET.ParseError as exc:
            raise FetchError(SERVER_ERROR, f"{series_id}: FRED sent an unreadable answer") from exc
        if series is None or len(series) == 0:
            return pd.DataFrame({"date": [], "value": []})
        return pd.DataFrame(
            {
                "date": [ts.date() for ts in pd.to_datetime(series.index)],
                "value": series.to_numpy(dtype=float),
            }
        )


def classify_message(series_id: str, message: str) -> FetchError:
    text = message.lower()
    if "too many requests" in text or "rate limit" in text:
        return FetchError(RATE_LIMITED, f"{series_id}: FRED is rate limiting requests")
    if "does not exist" in text or "not found" in text:
        return FetchError(NO_DATA, f"{series_id}: FRED has no such series")
    if "api_key" in text:
        return FetchError(FAILED, f"FRED refused the API key: {message}")
    if "internal server error" in text or "service unavailable" in text or "gateway" in text:
        return FetchError(SERVER_ERROR, f"{series_id}: FRED server error ({message})")
    return FetchError(FAILED, f"{series_id}: FRED error: {message}")


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)
    return str(reason or exc)[:200]
