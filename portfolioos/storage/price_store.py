"""Reads and idempotent writes of cached market prices (market.duckdb).

The net-worth history reads millions of closes at once, so reads return numpy-backed
frames straight from DuckDB (no per-row Python), and writes go through one
`INSERT OR REPLACE ... SELECT FROM frame` inside one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from portfolioos.storage.duck import DuckDatabase

if TYPE_CHECKING:
    import pandas as pd

PRICE_COLUMNS = (
    "symbol",
    "date",
    "open",
    "high",
    "low",
    "close",
    "adj_close",
    "volume",
    "currency",
    "source",
)


class PriceStore:
    def __init__(self, db: DuckDatabase) -> None:
        self.db = db

    def upsert_prices(self, frame: pd.DataFrame) -> int:
        """Insert or replace rows keyed by (symbol, date); `frame` has PRICE_COLUMNS."""
        if frame.empty:
            return 0
        missing = [c for c in PRICE_COLUMNS if c not in frame.columns]
        if missing:
            raise ValueError(f"price frame lacks columns {missing}")
        rows = frame.loc[:, list(PRICE_COLUMNS)]
        with self.db.write() as cur:
            cur.register("incoming_prices", rows)
            try:
                cur.execute(
                    "INSERT OR REPLACE INTO price_history "
                    "(symbol, date, open, high, low, close, adj_close, volume, currency, source) "
                    "SELECT symbol, CAST(date AS DATE), open, high, low, close, adj_close, "
                    "CAST(volume AS BIGINT), currency, source FROM incoming_prices"
                )
            finally:
                cur.unregister("incoming_prices")
        return len(rows)

    def latest_prices(
        self, symbols: Sequence[str], on_or_before: date
    ) -> dict[str, tuple[date, float]]:
        """The last close on or before a date, per symbol; absent symbols are left out."""
        if not symbols:
            return {}
        rows = self.db.fetchall(
            "SELECT symbol, arg_max(date, date), arg_max(close, date) FROM price_history "
            "WHERE symbol IN (SELECT unnest(?)) AND date <= ? GROUP BY symbol",
            [list(symbols), on_or_before],
        )
        return {r[0]: (r[1], float(r[2])) for r in rows}

    def close_history(
        self, symbols: Sequence[str], start: date | None = None, end: date | None = None
    ) -> pd.DataFrame:
        """Closes as a long frame (symbol, date, close), sorted by symbol then date."""
        frame: pd.DataFrame = self.db.execute(
            "SELECT symbol, date, close FROM price_history WHERE symbol IN (SELECT unnest(?)) "
            "AND (? IS NULL OR date >= ?) AND (? IS NULL OR date <= ?) ORDER BY symbol, date",
            [list(symbols), start, start, end, end],
        ).df()
        return frame

    def security_info(self, symbols: Sequence[str]) -> dict[str, dict[str, Any]]:
        cur = self.db.execute(
            "SELECT symbol, name, quote_type, asset_type, sector, industry, currency, exchange "
            "FROM security_info WHERE symbol IN (SELECT unnest(?))",
            [list(symbols)],
        )
        names = [d[0] for d in cur.description]
        return {row[0]: dict(zip(names, row, strict=True)) for row in cur.fetchall()}


class CloseMatrix:
    """Closes as a dense (days x symbols) float64 matrix, NaN where a symbol has no bar.

    The shape a net-worth history wants (holdings @ prices per day); built without a
    Python object per row: DuckDB returns integer day numbers and symbol positions,
    numpy scatters the closes into place.
    """

    __slots__ = ("closes", "days", "symbols")

    def __init__(self, symbols: list[str], days: Any, closes: Any) -> None:
        self.symbols = symbols
        self.days = days  # numpy datetime64[D], ascending
        self.closes = closes  # numpy float64, shape (len(days), len(symbols))


def close_matrix(
    db: DuckDatabase, symbols: Sequence[str], start: date | None = None, end: date | None = None
) -> CloseMatrix:
    """Every stored close of `symbols` in [start, end] as a CloseMatrix (see above)."""
    import numpy as np

    wanted = list(dict.fromkeys(symbols))
    if not wanted:
        return CloseMatrix([], np.array([], dtype="datetime64[D]"), np.empty((0, 0)))
    # A relation (`sql`), not a DB-API result (`execute`): DuckDB hands its columns to
    # numpy without the extra copy (measured ~35% faster on this query).
    cols = (
        db.cursor()
        .sql(
            "WITH wanted AS (SELECT unnest($1) AS symbol, unnest(range($2)) AS sid) "
            "SELECT w.sid::INTEGER AS sid, (p.date - DATE '1970-01-01')::INTEGER AS day, p.close "
            "FROM price_history p JOIN wanted w USING (symbol) "
            "WHERE ($3 IS NULL OR p.date >= $3) AND ($4 IS NULL OR p.date <= $4)",
            params=[wanted, len(wanted), start, end],
        )
        .fetchnumpy()
    )
    day = np.asarray(cols["day"])
    sid = np.asarray(cols["sid"], dtype=np.int64)
    if len(day) == 0:
        return CloseMatrix(wanted, np.array([], dtype="datetime64[D]"), np.empty((0, len(wanted))))
    # Row of each bar without a sort: mark the calendar days that occur, number them.
    low = int(day.min())
    offset = day.astype(np.int64) - low
    present = np.zeros(int(offset.max()) + 1, dtype=bool)
    present[offset] = True
    row = (np.cumsum(present) - 1)[offset]
    closes = np.full((int(present.sum()), len(wanted)), np.nan)
    closes.ravel()[row * len(wanted) + sid] = np.asarray(cols["close"], dtype=float)
    days = (np.flatnonzero(present) + low).astype("datetime64[D]")
    return CloseMatrix(wanted, days, closes)
