"""Checks on a symbol's daily bars: calendar gaps, outlier moves, broken OHLCV bars.

Pure functions over a frame, so the same checks run after every sync and on
imported prices. Findings are facts to show, never silent corrections: Yahoo's data
is sometimes wrong and the user decides what to do about it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from portfolioos.market.calendar import trading_days

if TYPE_CHECKING:
    import pandas as pd

GAP = "gap"
OUTLIER = "outlier"
BROKEN_BAR = "broken_bar"

DEFAULT_K = 10.0
"""Robust sigmas: daily returns are fat-tailed, so a lower k flags ordinary crashes."""
MAX_MOVE = 0.5
MIN_RETURNS_FOR_SIGMA = 20


@dataclass(frozen=True, slots=True)
class Finding:
    symbol: str
    date: date
    kind: str
    detail: str


def find_gaps(symbol: str, dates: Iterable[object]) -> list[Finding]:
    """Trading days between the first and last bar that have no bar."""
    have = sorted({_as_date(d) for d in dates})
    if len(have) < 2:
        return []
    present = set(have)
    return [
        Finding(symbol, day, GAP, "no bar on a trading day")
        for day in trading_days(have[0], have[-1])
        if day not in present
    ]


def find_outliers(
    symbol: str,
    dates: list[date],
    close: np.ndarray,
    split_dates: Iterable[date],
    *,
    k: float = DEFAULT_K,
    max_move: float = MAX_MOVE,
) -> list[Finding]:
    """Day-over-day moves beyond k robust sigmas or `max_move`, unless a split explains them.

    Sigma is 1.4826 x the median absolute deviation of the returns: one bad print must
    not inflate the yardstick it is measured with.
    """
    close = np.asarray(close, dtype=float)
    if len(close) < 2:
        return []
    prev, curr = close[:-1], close[1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        returns = np.where(prev > 0, curr / prev - 1.0, np.nan)
    finite = returns[np.isfinite(returns)]
    sigma = np.nan
    if len(finite) >= MIN_RETURNS_FOR_SIGMA:
        sigma = 1.4826 * float(np.median(np.abs(finite - np.median(finite))))
    splits = set(split_dates)
    out: list[Finding] = []
    for i, move in enumerate(returns):
        if not np.isfinite(move):
            continue
        day = dates[i + 1]
        if day in splits:
            continue
        if abs(move) > max_move:
            out.append(Finding(symbol, day, OUTLIER, f"close moved {move:+.1%} in one day"))
        elif np.isfinite(sigma) and sigma > 0 and abs(move) > k * sigma:
            out.append(
                Finding(
                    symbol,
                    day,
                    OUTLIER,
                    f"close moved {move:+.1%}, {abs(move) / sigma:.0f} sigma (k={k:g})",
                )
            )
    return out


def find_broken_bars(symbol: str, frame: pd.DataFrame) -> list[Finding]:
    """low <= open, close <= high; volume >= 0; no negative (or zero) prices.

    Missing open/high/low (manual prices carry only a close) are not errors.
    """
    out: list[Finding] = []
    cols = {
        c: frame[c].to_numpy(dtype=float, na_value=np.nan)
        for c in ("open", "high", "low", "close", "volume")
        if c in frame.columns
    }
    n = len(frame)
    nan = np.full(n, np.nan)
    o, h, lo, c = (cols.get(x, nan) for x in ("open", "high", "low", "close"))
    v = cols.get("volume", nan)
    dates = list(frame["date"])
    for i in range(n):
        problems: list[str] = []
        if not np.isfinite(c[i]) or c[i] <= 0:
            problems.append(f"close {c[i]} is not a positive price")
        for name, val in (("open", o[i]), ("high", h[i]), ("low", lo[i])):
            if np.isfinite(val) and val < 0:
                problems.append(f"{name} {val} is negative")
        if np.isfinite(h[i]) and np.isfinite(lo[i]) and lo[i] > h[i]:
            problems.append(f"low {lo[i]} above high {h[i]}")
        for name, val in (("open", o[i]), ("close", c[i])):
            if not np.isfinite(val):
                continue
            if np.isfinite(lo[i]) and val < lo[i]:
                problems.append(f"{name} {val} below low {lo[i]}")
            if np.isfinite(h[i]) and val > h[i]:
                problems.append(f"{name} {val} above high {h[i]}")
        if np.isfinite(v[i]) and v[i] < 0:
            problems.append(f"volume {v[i]:.0f} is negative")
        if problems:
            out.append(Finding(symbol, _as_date(dates[i]), BROKEN_BAR, "; ".join(problems)))
    return out


def validate(
    symbol: str, frame: pd.DataFrame, split_dates: Iterable[date] = (), *, k: float = DEFAULT_K
) -> list[Finding]:
    """All checks over one symbol's bars (columns date, open, high, low, close, volume[, source]).

    Gaps are judged on exchange-sourced bars only: a manual price series is sparse by
    nature (a monthly NAV), so its holes are not findings.
    """
    if frame.empty:
        return []
    frame = frame.sort_values("date")
    dates = [_as_date(d) for d in frame["date"]]
    exchange = frame
    if "source" in frame.columns:
        exchange = frame[frame["source"] != "manual"]
    findings = find_gaps(symbol, (_as_date(d) for d in exchange["date"]))
    findings += find_outliers(symbol, dates, frame["close"].to_numpy(dtype=float), split_dates, k=k)
    findings += find_broken_bars(symbol, frame)
    return sorted(findings, key=lambda f: (f.date, f.kind))


def _as_date(value: object) -> date:
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    to_py = getattr(value, "date", None)
    if callable(to_py):
        result = to_py()
        if isinstance(result, date):
            return result
    raise TypeError(f"not a date: {value!r}")
