"""Everything in market.duckdb besides plain price reads: sync state, corporate
actions, macro series, security info and validation findings.

A symbol's sync lands in ONE transaction (bars, dividends, splits, info, findings,
sync state), so a crash or a kill mid-way leaves either the old rows or the new
ones, never half of them. A failed fetch only touches its own sync_state row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, cast

from portfolioos.storage.duck import DuckDatabase

if TYPE_CHECKING:
    import pandas as pd

logger = logging.getLogger(__name__)

BAR_COLUMNS = ("date", "open", "high", "low", "close", "adj_close", "volume", "currency", "source")


@dataclass(frozen=True, slots=True)
class SyncState:
    kind: str
    key: str
    last_date: date | None
    last_attempt: datetime | None
    last_success: datetime | None
    status: str
    message: str | None


@dataclass(frozen=True, slots=True)
class StoredFinding:
    symbol: str
    date: date
    kind: str
    detail: str


# Given the symbol's full stored bars and its split dates, return findings as
# (date, kind, detail) tuples. Injected by the service so storage stays check-agnostic.
Validator = Callable[["pd.DataFrame", list[date]], list[tuple[date, str, str]]]


@dataclass(frozen=True, slots=True)
class SymbolWrite:
    """Rows fetched for one symbol: frames in our column names (see BAR_COLUMNS)."""

    symbol: str
    bars: pd.DataFrame
    dividends: pd.DataFrame  # date, amount, currency
    splits: pd.DataFrame  # date, ratio
    info: dict[str, Any] | None
    source: str = "yahoo"


class MarketStore:
    def __init__(self, db: DuckDatabase) -> None:
        self.db = db

    # -- sync state ---------------------------------------------------------------

    def sync_states(self, kind: str, keys: Sequence[str] | None = None) -> dict[str, SyncState]:
        sql = (
            "SELECT kind, key, last_date, last_attempt, last_success, status, message "
            "FROM sync_state WHERE kind = ?"
        )
        if keys is None:
            rows = self.db.fetchall(sql + " ORDER BY key", [kind])
        elif not keys:
            return {}
        else:
            rows = self.db.fetchall(
                sql + " AND key IN (SELECT unnest(?)) ORDER BY key", [kind, list(keys)]
            )
        return {r[1]: SyncState(*r) for r in rows}

    def record_attempt(
        self, kind: str, key: str, status: str, message: str | None, when: datetime
    ) -> None:
        """Note a failed or empty attempt; stored rows and last_date stay as they were."""
        with self.db.write() as cur:
            _upsert_state(cur, kind, key, None, when, None, status, message)

    # -- prices ---------------------------------------------------------------------

    def write_symbol(
        self,
        data: SymbolWrite,
        *,
        status: str,
        message: str | None,
        when: datetime,
        validator: Validator | None = None,
        overwrite_manual: bool = False,
    ) -> int:
        """Upsert one symbol's rows and state in one transaction; returns new bar dates added."""
        symbol = data.symbol
        with self.db.write() as cur:
            before = _count(cur, "SELECT count(*) FROM price_history WHERE symbol = ?", [symbol])
            if not data.bars.empty:
                bars = data.bars.assign(symbol=symbol, source=data.source)
                _insert_bars(cur, bars, overwrite_manual=overwrite_manual)
            if not data.dividends.empty:
                cur.register("incoming_divs", data.dividends.assign(symbol=symbol))
                try:
                    cur.execute(
                        "INSERT OR REPLACE INTO dividends (symbol, date, amount, currency) "
                        "SELECT symbol, CAST(date AS DATE), amount, currency FROM incoming_divs"
                    )
                finally:
                    cur.unregister("incoming_divs")
            if not data.splits.empty:
                cur.register("incoming_splits", data.splits.assign(symbol=symbol))
                try:
                    cur.execute(
                        "INSERT OR REPLACE INTO splits (symbol, date, ratio) "
                        "SELECT symbol, CAST(date AS DATE), ratio FROM incoming_splits "
                        "WHERE ratio > 0"
                    )
                finally:
                    cur.unregister("incoming_splits")
            if data.info:
                _upsert_info(cur, symbol, data.info)
            after = _count(cur, "SELECT count(*) FROM price_history WHERE symbol = ?", [symbol])
            if validator is not None:
                _replace_findings(
                    cur, symbol, validator(_bars(cur, symbol), _split_dates(cur, symbol))
                )
            last = cur.execute(
                "SELECT max(date) FROM price_history WHERE symbol = ?", [symbol]
            ).fetchall()[0][0]
            _upsert_state(cur, "price", symbol, last, when, when, status, message)
        return after - before

    def import_manual(
        self,
        bars: pd.DataFrame,
        when: datetime,
        validator_for: Callable[[str], Validator] | None = None,
    ) -> int:
        """Manual prices (columns symbol, date, close[, currency, open, high, low, volume]).

        They replace whatever is stored for those days: the user typed them on purpose.
        Returns rows written.
        """
        frame = bars.copy()
        for col in ("open", "high", "low", "adj_close"):
            if col not in frame:
                frame[col] = float("nan")
        if "volume" not in frame:
            frame["volume"] = None
        if "currency" not in frame:
            frame["currency"] = None
        frame["adj_close"] = frame["adj_close"].fillna(frame["close"])
        frame["source"] = "manual"
        with self.db.write() as cur:
            _insert_bars(cur, frame, overwrite_manual=True)
            for symbol in sorted(set(frame["symbol"])):
                if validator_for is not None:
                    check = validator_for(symbol)
                    _replace_findings(
                        cur, symbol, check(_bars(cur, symbol), _split_dates(cur, symbol))
                    )
        return len(frame)

    def bars(self, symbol: str, start: date | None = None, end: date | None = None) -> pd.DataFrame:
        return cast(
            "pd.DataFrame",
            self.db.execute(
                "SELECT date, open, high, low, close, adj_close, volume, currency, source "
                "FROM price_history WHERE symbol = ? AND (? IS NULL OR date >= ?) "
                "AND (? IS NULL OR date <= ?) ORDER BY date",
                [symbol, start, start, end, end],
            ).df(),
        )

    def last_bar_dates(self, symbols: Sequence[str]) -> dict[str, date]:
        rows = self.db.fetchall(
            "SELECT symbol, max(date) FROM price_history WHERE symbol IN (SELECT unnest(?)) "
            "GROUP BY symbol",
            [list(symbols)],
        )
        return {r[0]: r[1] for r in rows}

    def first_bar_date(self, symbol: str) -> date | None:
        row = self.db.fetchone("SELECT min(date) FROM price_history WHERE symbol = ?", [symbol])
        return row[0] if row else None

    def latest_bars(
        self, symbols: Sequence[str] | None = None
    ) -> dict[str, tuple[date, float, str | None, str]]:
        """Newest bar per symbol: (date, close, currency, source); every cached symbol
        when `symbols` is None."""
        sql = (
            "SELECT symbol, max(date), arg_max(close, date), arg_max(currency, date), "
            "arg_max(source, date) FROM price_history"
        )
        if symbols is None:
            rows = self.db.fetchall(sql + " GROUP BY symbol ORDER BY symbol")
        elif not symbols:
            return {}
        else:
            rows = self.db.fetchall(
                sql + " WHERE symbol IN (SELECT unnest(?)) GROUP BY symbol ORDER BY symbol",
                [list(symbols)],
            )
        return {r[0]: (r[1], float(r[2]), r[3], r[4]) for r in rows}

    def dividends(self, symbol: str) -> list[tuple[date, float, str | None]]:
        return [
            (r[0], float(r[1]), r[2])
            for r in self.db.fetchall(
                "SELECT date, amount, currency FROM dividends WHERE symbol = ? ORDER BY date",
                [symbol],
            )
        ]

    def splits(self, symbol: str) -> list[tuple[date, float]]:
        return [
            (r[0], float(r[1]))
            for r in self.db.fetchall(
                "SELECT date, ratio FROM splits WHERE symbol = ? ORDER BY date", [symbol]
            )
        ]

    def findings(self, symbol: str, kind: str | None = None) -> list[StoredFinding]:
        rows = self.db.fetchall(
            "SELECT symbol, date, kind, detail FROM validation_findings WHERE symbol = ? "
            "AND (? IS NULL OR kind = ?) ORDER BY date, kind",
            [symbol, kind, kind],
        )
        return [StoredFinding(*r) for r in rows]

    def write_info(self, symbol: str, info: dict[str, Any], when: datetime) -> None:
        """Store a fetched profile and note the success; a field the answer lacks keeps
        its stored value (a fund's missing sector never erases what was known)."""
        with self.db.write() as cur:
            _upsert_info(cur, symbol, info)
            _upsert_state(cur, "info", symbol, None, when, when, "ok", "profile fetched")

    def info(self, symbol: str) -> dict[str, Any] | None:
        cur = self.db.execute(
            "SELECT symbol, name, quote_type, asset_type, sector, industry, currency, exchange, "
            "updated_at FROM security_info WHERE symbol = ?",
            [symbol],
        )
        names = [d[0] for d in cur.description]
        rows = cur.fetchall()
        return dict(zip(names, rows[0], strict=True)) if rows else None

    # -- corporate actions the user turned down -------------------------------------

    def dismiss_actions(self, rows: Sequence[tuple[int, str, date, str]], when: datetime) -> int:
        """Remember (account_id, symbol, date, type) as dismissed; returns rows new."""
        if not rows:
            return 0
        import pandas as pd

        frame = pd.DataFrame(rows, columns=["account_id", "symbol", "date", "type"]).assign(
            dismissed_at=when
        )
        with self.db.write() as cur:
            before = _count(cur, "SELECT count(*) FROM dismissed_actions", [])
            cur.register("incoming_dismissals", frame)
            try:
                cur.execute(
                    "INSERT OR IGNORE INTO dismissed_actions (account_id, symbol, date, type, "
                    "dismissed_at) SELECT CAST(account_id AS INTEGER), symbol, CAST(date AS DATE), "
                    "type, CAST(dismissed_at AS TIMESTAMP) FROM incoming_dismissals"
                )
            finally:
                cur.unregister("incoming_dismissals")
            return _count(cur, "SELECT count(*) FROM dismissed_actions", []) - before

    def dismissed_actions(self) -> set[tuple[int, str, date, str]]:
        rows = self.db.fetchall("SELECT account_id, symbol, date, type FROM dismissed_actions")
        return {(int(r[0]), r[1], r[2], r[3]) for r in rows}

    # -- macro ----------------------------------------------------------------------

    def write_macro(
        self,
        series_id: str,
        frame: pd.DataFrame,
        *,
        status: str,
        message: str | None,
        when: datetime,
    ) -> int:
        """Upsert observations (revisions replace old values) and the series' state, atomically."""
        with self.db.write() as cur:
            before = _count(
                cur, "SELECT count(*) FROM macro_observations WHERE series_id = ?", [series_id]
            )
            if not frame.empty:
                cur.register("incoming_macro", frame.assign(series_id=series_id))
                try:
                    cur.execute(
                        "INSERT OR REPLACE INTO macro_observations (series_id, date, value) "
                        "SELECT series_id, CAST(date AS DATE), "
                        "CASE WHEN isnan(value) THEN NULL ELSE value END FROM incoming_macro"
                    )
                finally:
                    cur.unregister("incoming_macro")
            after = _count(
                cur, "SELECT count(*) FROM macro_observations WHERE series_id = ?", [series_id]
            )
            last = cur.execute(
                "SELECT max(date) FROM macro_observations WHERE series_id = ?", [series_id]
            ).fetchall()[0][0]
            _upsert_state(cur, "macro", series_id, last, when, when, status, message)
        return after - before

    def macro(
        self, series_id: str, start: date | None = None, end: date | None = None
    ) -> pd.DataFrame:
        return cast(
            "pd.DataFrame",
            self.db.execute(
                "SELECT date, value FROM macro_observations WHERE series_id = ? "
                "AND (? IS NULL OR date >= ?) AND (? IS NULL OR date <= ?) ORDER BY date",
                [series_id, start, start, end, end],
            ).df(),
        )

    def counts(self, symbol: str) -> dict[str, int]:
        """Rows per table for one symbol (used by checks and tests of atomicity)."""
        out = {}
        for table in ("price_history", "dividends", "splits", "validation_findings"):
            out[table] = _count_db(
                self.db, f"SELECT count(*) FROM {table} WHERE symbol = ?", [symbol]
            )
        return out


def _count(cur: Any, sql: str, params: list[Any]) -> int:
    return int(cur.execute(sql, params).fetchall()[0][0])


def _count_db(db: DuckDatabase, sql: str, params: list[Any]) -> int:
    row = db.fetchone(sql, params)
    return int(row[0]) if row else 0


def _insert_bars(cur: Any, frame: pd.DataFrame, *, overwrite_manual: bool) -> None:
    rows = frame.loc[:, ["symbol", *BAR_COLUMNS]]
    keep_manual = (
        ""
        if overwrite_manual
        else (
            " WHERE NOT EXISTS (SELECT 1 FROM price_history p WHERE p.symbol = i.symbol "
            "AND p.date = CAST(i.date AS DATE) AND p.source = 'manual')"
        )
    )
    cur.register("incoming_bars", rows)
    try:
        cur.execute(
            "INSERT OR REPLACE INTO price_history (symbol, date, open, high, low, close, "
            "adj_close, "
            "volume, currency, source, fetched_at) SELECT symbol, CAST(date AS DATE), "
            "CAST(open AS DOUBLE), CAST(high AS DOUBLE), CAST(low AS DOUBLE), "
            "CAST(close AS DOUBLE), "
            "CAST(adj_close AS DOUBLE), CAST(volume AS BIGINT), CAST(currency AS VARCHAR), source, "
            "current_timestamp FROM incoming_bars i" + keep_manual
        )
    finally:
        cur.unregister("incoming_bars")


def _bars(cur: Any, symbol: str) -> pd.DataFrame:
    return cast(
        "pd.DataFrame",
        cur.execute(
            "SELECT date, open, high, low, close, volume, source FROM price_history "
            "WHERE symbol = ? "
            "ORDER BY date",
            [symbol],
        ).df(),
    )


def _split_dates(cur: Any, symbol: str) -> list[date]:
    return [
        r[0] for r in cur.execute("SELECT date FROM splits WHERE symbol = ?", [symbol]).fetchall()
    ]


def _replace_findings(cur: Any, symbol: str, findings: list[tuple[date, str, str]]) -> None:
    import pandas as pd

    cur.execute("DELETE FROM validation_findings WHERE symbol = ?", [symbol])
    if not findings:
        return
    frame = pd.DataFrame(
        {
            "symbol": symbol,
            "date": [f[0] for f in findings],
            "kind": [f[1] for f in findings],
            "detail": [f[2] for f in findings],
        }
    ).drop_duplicates(["date", "kind"])
    cur.register("incoming_findings", frame)
    try:
        cur.execute(
            "INSERT INTO validation_findings (symbol, date, kind, detail) "
            "SELECT symbol, CAST(date AS DATE), kind, detail FROM incoming_findings"
        )
    finally:
        cur.unregister("incoming_findings")


def _upsert_info(cur: Any, symbol: str, info: dict[str, Any]) -> None:
    # Keep a known sector/industry when this source does not carry them (chart meta).
    cur.execute(
        "INSERT INTO security_info (symbol, name, quote_type, asset_type, sector, industry, "
        "currency, "
        "exchange, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, current_timestamp) "
        "ON CONFLICT (symbol) DO UPDATE SET name = coalesce(excluded.name, name), "
        "quote_type = coalesce(excluded.quote_type, quote_type), "
        "asset_type = coalesce(excluded.asset_type, asset_type), "
        "sector = coalesce(excluded.sector, sector), "
        "industry = coalesce(excluded.industry, industry), "
        "currency = coalesce(excluded.currency, currency), "
        "exchange = coalesce(excluded.exchange, exchange), updated_at = excluded.updated_at",
        [
            symbol,
            info.get("name"),
            info.get("quote_type"),
            info.get("asset_type"),
            info.get("sector"),
            info.get("industry"),
            info.get("currency"),
            info.get("exchange"),
        ],
    )


def _upsert_state(
    cur: Any,
    kind: str,
    key: str,
    last_date: date | None,
    attempt: datetime,
    success: datetime | None,
    status: str,
    message: str | None,
) -> None:
    cur.execute(
        "INSERT INTO sync_state (kind, key, last_date, last_attempt, last_success, status, "
        "message) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, key) DO UPDATE SET "
        "last_date = coalesce(excluded.last_date, last_date), "
        "last_attempt = excluded.last_attempt, "
        "last_success = coalesce(excluded.last_success, last_success), status = excluded.status, "
        "message = excluded.message",
        [kind, key, last_date, attempt, success, status, message],
    )
