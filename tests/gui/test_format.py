"""Display formatting: one locale-neutral style; pure functions, no Qt needed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portfolioos.gui import format as fmt
from portfolioos.gui.format import DASH, Tone


@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [
        (Decimal("1234.56"), "USD", "$1,234.56"),
        (1234.56, "EUR", "€1,234.56"),
        (Decimal("-1234.5"), "GBP", "-£1,234.50"),
        (1234.56, "JPY", "¥1,235"),
        (Decimal("1234.56"), "CHF", "CHF 1,234.56"),
        (Decimal("1234567.891"), "USD", "$1,234,567.89"),
        (2.675, "USD", "$2.68"),  # half-up on the decimal value, not the binary float
        (Decimal("-0.004"), "USD", "$0.00"),  # no "-$0.00"
        (np.float64(12.5), "usd", "$12.50"),
        (7, "USD", "$7.00"),
    ],
)
def test_money(value: object, currency: str, expected: str) -> None:
    assert fmt.money(value, currency) == expected


@pytest.mark.parametrize("missing", [None, float("nan"), float("inf"), Decimal("NaN")])
def test_missing_values_show_a_dash(missing: object) -> None:
    assert fmt.money(missing) == DASH
    assert fmt.compact_money(missing) == DASH
    assert fmt.percent(missing) == DASH
    assert fmt.shares(missing) == DASH
    assert fmt.signed_money(missing) == (DASH, Tone.NEUTRAL)


def test_signed_money_and_tone() -> None:
    assert fmt.signed_money(Decimal("12.3")) == ("+$12.30", Tone.POSITIVE)
    assert fmt.signed_money(-5, "EUR") == ("-€5.00", Tone.NEGATIVE)
    assert fmt.signed_money(0.001) == ("$0.00", Tone.NEUTRAL)
    assert fmt.change(Decimal("1234.56"), 0.021) == ("+$1,234.56 (+2.1%)", Tone.POSITIVE)
    assert fmt.change(-5, -0.001) == ("-$5.00 (-0.1%)", Tone.NEGATIVE)
    assert fmt.change(None, -0.02) == ("-2.0%", Tone.NEGATIVE)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "$0"),
        (850, "$850"),
        (999.6, "$1K"),
        (1234, "$1.2K"),
        (12_345, "$12.3K"),
        (999_950, "$1M"),  # rounding carries into the next unit
        (1_000_000, "$1M"),
        (1_250_000, "$1.3M"),
        (-1.5e6, "-$1.5M"),
        (3.4e9, "$3.4B"),
    ],
)
def test_compact_money(value: float, expected: str) -> None:
    assert fmt.compact_money(value) == expected


def test_compact_money_more_decimals_for_close_axis_ticks() -> None:
    assert fmt.compact_money(1_250_000, decimals=2) == "$1.25M"
    assert fmt.compact_money(1_250_000, "CHF") == "CHF 1.3M"
    assert fmt.compact_number(1_234_567) == "1.2M"


def test_percent() -> None:
    assert fmt.percent(0.123) == "12.3%"
    assert fmt.percent(Decimal("0.12345"), decimals=2) == "12.35%"
    assert fmt.percent(-0.04) == "-4.0%"
    assert fmt.percent(0.1234, signed=True) == "+12.3%"
    assert fmt.percent(-0.00001, signed=True) == "0.0%"
    assert fmt.signed_percent(-0.05) == ("-5.0%", Tone.NEGATIVE)


def test_shares_are_exact_for_decimals() -> None:
    assert fmt.shares(Decimal("1234.5000")) == "1,234.5"
    assert fmt.shares(Decimal("-0.333333333333")) == "-0.333333333333"
    assert fmt.shares(Decimal("1E+3")) == "1,000"
    assert fmt.shares(Decimal("0E-12")) == "0"
    assert fmt.shares(100.0) == "100"
    assert fmt.shares(1 / 3) == "0.33333333"


def test_dates() -> None:
    assert fmt.date_text(dt.date(2024, 3, 5)) == "2024-03-05"
    assert fmt.date_text(dt.datetime(2024, 3, 5, 23, 59)) == "2024-03-05"
    assert fmt.date_long(dt.date(2024, 3, 5)) == "Mar 5, 2024"
    assert fmt.datetime_text(dt.datetime(2024, 3, 5, 14, 3)) == "2024-03-05 14:03"
    assert fmt.date_text(None) == DASH


@settings(max_examples=150, deadline=None)
@given(st.decimals(min_value=-(10**12), max_value=10**12, places=6))
def test_money_round_trips_to_the_rounded_value(value: Decimal) -> None:
    text = fmt.money(value)
    digits = text.replace("$", "").replace(",", "")
    assert Decimal(digits) == value.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")


@settings(max_examples=150, deadline=None)
@given(st.decimals(min_value=-(10**9), max_value=10**9, places=10))
def test_shares_round_trip_exactly(value: Decimal) -> None:
    assert Decimal(fmt.shares(value).replace(",", "")) == value
