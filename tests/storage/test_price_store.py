from __future__ import annotations

from datetime import date

import pandas as pd

from portfolioos.services.context import AppContext
from portfolioos.storage.price_store import PriceStore


def test_upsert_is_idempotent_and_latest_price_respects_the_date(ctx: AppContext) -> None:
    store = PriceStore(ctx.market_db)
    frame = pd.DataFrame(
        {
            "symbol": ["AAA", "AAA", "BBB"],
            "date": [date(2024, 1, 2), date(2024, 1, 3), date(2024, 1, 2)],
            "open": [1.0, 2.0, 5.0],
            "high": [1.0, 2.0, 5.0],
            "low": [1.0, 2.0, 5.0],
            "close": [1.0, 2.0, 5.0],
            "adj_close": [1.0, 2.0, 5.0],
            "volume": [10, 20, 30],
            "currency": ["USD"] * 3,
            "source": ["yahoo"] * 3,
        }
    )
    store.upsert_prices(frame)
    store.upsert_prices(frame.assign(close=frame["close"] * 2))
    assert ctx.market_db.fetchone("SELECT count(*) FROM price_history") == (3,)
    assert store.latest_prices(["AAA", "BBB", "ZZZ"], date(2024, 1, 2)) == {
        "AAA": (date(2024, 1, 2), 2.0),
        "BBB": (date(2024, 1, 2), 10.0),
    }
    assert store.latest_prices(["AAA"], date(2023, 12, 31)) == {}
    history = store.close_history(["AAA"], start=date(2024, 1, 3))
    assert list(history["close"]) == [4.0]
