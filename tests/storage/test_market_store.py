from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from portfolioos.services.context import AppContext
from portfolioos.storage.market_store import MarketStore, SymbolWrite
from portfolioos.storage.price_store import PriceStore, close_matrix

D1, D2, D3 = date(2024, 1, 2), date(2024, 1, 3), date(2024, 1, 4)


def bars(days: list[date], closes: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": days,
            "open": closes,
            "high": closes,
            "low": closes,
            "close": closes,
            "adj_close": closes,
            "volume": [1] * len(days),
            "currency": "USD",
        }
    )


def test_close_matrix_places_each_close_and_leaves_holes_nan(ctx: AppContext) -> None:
    store = MarketStore(ctx.market_db)
    when = datetime(2024, 1, 5)
    empty = pd.DataFrame({"date": [], "amount": [], "currency": []})
    none = pd.DataFrame({"date": [], "ratio": []})
    store.write_symbol(
        SymbolWrite("BBB", bars([D1, D3], [5.0, 7.0]), empty, none, None),
        status="ok",
        message=None,
        when=when,
    )
    store.write_symbol(
        SymbolWrite("AAA", bars([D2, D3], [1.0, 2.0]), empty, none, None),
        status="ok",
        message=None,
        when=when,
    )
    m = close_matrix(ctx.market_db, ["AAA", "BBB", "ZZZ"])
    assert m.days.tolist() == [D1, D2, D3]
    assert np.array_equal(
        m.closes,
        np.array([[np.nan, 5.0, np.nan], [1.0, np.nan, np.nan], [2.0, 7.0, np.nan]]),
        equal_nan=True,
    )
    assert close_matrix(ctx.market_db, ["BBB"], start=D2).closes.tolist() == [[7.0]]
    assert PriceStore(ctx.market_db).latest_prices(["AAA"], D3) == {"AAA": (D3, 2.0)}


def test_a_symbol_write_is_all_or_nothing(ctx: AppContext) -> None:
    store = MarketStore(ctx.market_db)
    divs = pd.DataFrame({"date": [D2], "amount": [0.5], "currency": ["USD"]})
    splits = pd.DataFrame({"date": [D3], "ratio": [2.0]})

    def broken_validator(
        frame: pd.DataFrame, split_dates: list[date]
    ) -> list[tuple[date, str, str]]:
        assert len(frame) == 3  # it sees the new rows inside the transaction...
        raise RuntimeError("crash mid-write")

    with pytest.raises(RuntimeError):
        store.write_symbol(
            SymbolWrite("AAA", bars([D1, D2, D3], [1.0, 1.1, 1.2]), divs, splits, {"name": "A"}),
            status="ok",
            message=None,
            when=datetime(2024, 1, 5),
            validator=broken_validator,
        )
    # ...and none of them survive it.
    assert store.counts("AAA") == {
        "price_history": 0,
        "dividends": 0,
        "splits": 0,
        "validation_findings": 0,
    }
    assert store.info("AAA") is None and store.sync_states("price") == {}
