from __future__ import annotations

from datetime import date

import pandas as pd

from portfolioos.market.calendar import holidays
from portfolioos.market.validation import BROKEN_BAR, GAP, OUTLIER, validate
from tests.market.fixture_servers import Bars, make_bars


def frame_of(bars: Bars) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": bars.dates,
            "open": bars.open,
            "high": bars.high,
            "low": bars.low,
            "close": bars.close,
            "volume": bars.volume,
            "source": "yahoo",
        }
    )


def clean() -> pd.DataFrame:
    return frame_of(make_bars("CLEAN", date(2023, 1, 3), date(2024, 12, 31), seed=3, vol=0.015))


def test_clean_history_over_holidays_has_no_findings() -> None:
    frame = clean()
    assert len(frame) == 250 + 252  # 2023 starts on the 3rd: the 2nd was the observed holiday
    assert validate("CLEAN", frame) == []


def test_planted_gaps_are_found_and_nothing_else() -> None:
    frame = clean()
    planted = [date(2023, 3, 15), date(2024, 7, 3), date(2024, 7, 5)]
    holes = frame[~frame["date"].isin(planted)]
    found = validate("CLEAN", holes)
    assert [(f.date, f.kind) for f in found] == [(d, GAP) for d in planted]
    # The July 4th holiday between two planted gaps is not one.
    assert date(2024, 7, 4) in holidays(2024)


def test_outliers_beyond_k_sigma_or_half_the_price_unless_a_split_explains_them() -> None:
    frame = clean()
    i, j = 100, 300
    frame.loc[i, "close"] = frame.loc[i - 1, "close"] * 1.6  # +60%, then back down
    frame.loc[j, "close"] = frame.loc[j - 1, "close"] * 1.2  # +20%: ~20 sigma at 1.5% vol
    for k in (i, j):
        frame.loc[k, "high"] = max(frame.loc[k, "high"], frame.loc[k, "close"])
    found = {(f.date, f.kind) for f in validate("CLEAN", frame)}
    days = list(frame["date"])
    assert (days[i], OUTLIER) in found and (days[i + 1], OUTLIER) in found
    assert (days[j], OUTLIER) in found
    assert len(found) == 4  # j+1 falls back by 1/1.2 - 1 = -17%: also far beyond k sigma

    # An unadjusted 4-for-1 split day drops 75% and is not an outlier.
    split = clean()
    s = 200
    split.loc[s:, ["open", "high", "low", "close"]] /= 4
    assert [f.kind for f in validate("CLEAN", split)] == [OUTLIER]
    assert validate("CLEAN", split, split_dates=[days[s]]) == []


def test_broken_bars() -> None:
    frame = clean()
    days = list(frame["date"])
    frame.loc[10, "low"] = frame.loc[10, "high"] + 1  # low above high
    frame.loc[20, "open"] = frame.loc[20, "high"] * 1.01  # open above high
    frame.loc[30, "volume"] = -5  # negative volume
    frame.loc[40, "low"] = -1.0  # negative price
    found = validate("CLEAN", frame)
    broken = {f.date: f.detail for f in found if f.kind == BROKEN_BAR}
    assert set(broken) == {days[10], days[20], days[30], days[40]}
    assert "above high" in broken[days[10]] and "negative" in broken[days[30]]
    assert all(f.kind == BROKEN_BAR for f in found)


def test_manual_prices_are_not_judged_for_gaps() -> None:
    manual = pd.DataFrame(
        {
            "date": [date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 28)],
            "close": [10.0, 10.1, 10.2],
            "source": "manual",
        }
    )
    assert validate("FUND", manual) == []
