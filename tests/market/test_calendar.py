from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from portfolioos.market.calendar import (
    easter,
    holidays,
    is_trading_day,
    last_completed_session,
    trading_days,
)

# NYSE's published holiday schedules (nyse.com/markets/hours-calendars).
PUBLISHED = {
    2024: [
        "01-01",
        "01-15",
        "02-19",
        "03-29",
        "05-27",
        "06-19",
        "07-04",
        "09-02",
        "11-28",
        "12-25",
    ],
    2025: [
        "01-01",
        "01-09",
        "01-20",
        "02-17",
        "04-18",
        "05-26",
        "06-19",
        "07-04",
        "09-01",
        "11-27",
        "12-25",
    ],
    2026: [
        "01-01",
        "01-19",
        "02-16",
        "04-03",
        "05-25",
        "06-19",
        "07-03",
        "09-07",
        "11-26",
        "12-25",
    ],
    2027: [
        "01-01",
        "01-18",
        "02-15",
        "03-26",
        "05-31",
        "06-18",
        "07-05",
        "09-06",
        "11-25",
        "12-24",
    ],
    2022: ["01-17", "02-21", "04-15", "05-30", "06-20", "07-04", "09-05", "11-24", "12-26"],
}


def test_holidays_match_the_published_nyse_schedules() -> None:
    for year, days in PUBLISHED.items():
        assert sorted(holidays(year)) == [date.fromisoformat(f"{year}-{d}") for d in days], year


def test_session_counts_per_year() -> None:
    assert len(trading_days(date(2024, 1, 1), date(2024, 12, 31))) == 252
    assert len(trading_days(date(2023, 1, 1), date(2023, 12, 31))) == 250


def test_easter_dates() -> None:
    assert [easter(y) for y in (2000, 2019, 2024, 2025, 2038)] == [
        date(2000, 4, 23),
        date(2019, 4, 21),
        date(2024, 3, 31),
        date(2025, 4, 20),
        date(2038, 4, 25),
    ]


def test_last_completed_session_skips_weekends_and_holidays() -> None:
    assert last_completed_session(date(2024, 7, 8)) == date(2024, 7, 5)  # Monday -> Friday
    assert last_completed_session(date(2024, 7, 5)) == date(2024, 7, 3)  # July 4th closed
    assert last_completed_session(date(2024, 12, 26)) == date(2024, 12, 24)


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=date(1995, 1, 1), max_value=date(2060, 12, 31)), st.integers(0, 60))
def test_trading_days_agree_with_is_trading_day(start: date, span: int) -> None:
    end = start + timedelta(days=span)
    listed = trading_days(start, end)
    expected = [
        start + timedelta(days=i)
        for i in range(span + 1)
        if is_trading_day(start + timedelta(days=i))
    ]
    assert listed == expected
    assert all(d.weekday() < 5 for d in listed)
