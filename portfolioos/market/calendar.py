"""The US exchange (NYSE/Nasdaq) trading calendar, computed from its rules.

A missing weekday is only a gap if the exchange was open, so the holidays are
derived from NYSE Rule 7.2 for any year (no table to keep up to date): fixed dates
moved to Friday/Monday when they fall on a weekend (except New Year's Day on a
Saturday, which the NYSE does not observe on the Friday before), Monday holidays by
their nth weekday, and Good Friday from the date of Easter. Closures that no rule
can produce (national mourning, 9/11, hurricane Sandy) are the only listed dates.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import numpy as np

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)

# Unscheduled closures: by definition not derivable from a rule.
UNSCHEDULED_CLOSURES = frozenset(
    {
        date(1994, 4, 27),  # President Nixon's funeral
        date(2001, 9, 11),
        date(2001, 9, 12),
        date(2001, 9, 13),
        date(2001, 9, 14),
        date(2004, 6, 11),  # President Reagan
        date(2007, 1, 2),  # President Ford
        date(2012, 10, 29),
        date(2012, 10, 30),  # Hurricane Sandy
        date(2018, 12, 5),  # President G. H. W. Bush
        date(2025, 1, 9),  # President Carter
    }
)


def easter(year: int) -> date:
    """Western Easter Sunday (the anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The nth (1-based) `weekday` of a month; n = -1 means the last one."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: date, *, saturday_to_friday: bool = True) -> date | None:
    if day.weekday() == SAT:
        return day - timedelta(days=1) if saturday_to_friday else None
    if day.weekday() == SUN:
        return day + timedelta(days=1)
    return day


@lru_cache(maxsize=256)
def holidays(year: int) -> frozenset[date]:
    """Full-day NYSE closures in `year` that fall on weekdays."""
    days: list[date | None] = [
        _observed(date(year, 1, 1), saturday_to_friday=False),
        nth_weekday(year, 2, MON, 3),  # Washington's Birthday
        easter(year) - timedelta(days=2),  # Good Friday
        nth_weekday(year, 5, MON, -1),  # Memorial Day
        _observed(date(year, 7, 4)),
        nth_weekday(year, 9, MON, 1),  # Labor Day
        nth_weekday(year, 11, THU, 4),  # Thanksgiving
        _observed(date(year, 12, 25)),
    ]
    if year >= 1998:
        days.append(nth_weekday(year, 1, MON, 3))  # Martin Luther King Jr. Day
    if year >= 2022:
        days.append(_observed(date(year, 6, 19)))  # Juneteenth
    found = {d for d in days if d is not None and d.year == year}
    found |= {d for d in UNSCHEDULED_CLOSURES if d.year == year}
    return frozenset(d for d in found if d.weekday() < SAT)


def is_trading_day(day: date) -> bool:
    return day.weekday() < SAT and day not in holidays(day.year)


def trading_days(start: date, end: date) -> list[date]:
    """Every trading day in [start, end], in order."""
    if end < start:
        return []
    closed = [np.datetime64(d) for y in range(start.year, end.year + 1) for d in holidays(y)]
    days = np.arange(np.datetime64(start), np.datetime64(end) + 1, dtype="datetime64[D]")
    mask = np.is_busday(days, holidays=closed)
    return [d.item() for d in days[mask]]


def previous_trading_day(day: date) -> date:
    """The last trading day strictly before `day`."""
    day -= timedelta(days=1)
    while not is_trading_day(day):
        day -= timedelta(days=1)
    return day


def last_completed_session(today: date) -> date:
    """The latest session whose close can be final by `today` (the day before today).

    Today's bar may still move, so "up to date" means holding the previous session;
    the next sync's overlap re-reads today once it has closed.
    """
    return previous_trading_day(today)
