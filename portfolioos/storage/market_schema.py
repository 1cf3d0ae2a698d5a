"""market.duckdb: a cache of prices and macro series that can always be rebuilt.

Market prices are DOUBLE: they arrive as floats from Yahoo and feed analytics and
charts; exact money lives in the ledger. Keys make every write an idempotent upsert.
`dismissed_actions` holds the user's "no" to a corporate action Yahoo suggested: it
lives beside the Yahoo data it answers, and goes with it if the cache is rebuilt.
"""

from __future__ import annotations

from portfolioos.storage.migrations import Migration, sql_migration

V1 = """
CREATE TABLE price_history (
    symbol VARCHAR NOT NULL,
    date DATE NOT NULL,
    open DOUBLE, high DOUBLE, low DOUBLE,
    close DOUBLE NOT NULL,
    adj_close DOUBLE,
    volume BIGINT,
    currency VARCHAR,
    source VARCHAR NOT NULL DEFAULT 'yahoo',
    fetched_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (symbol, date)
);
CREATE TABLE dividends (
    symbol VARCHAR NOT NULL,
    date DATE NOT NULL,
    amount DOUBLE NOT NULL,
    currency VARCHAR,
    PRIMARY KEY (symbol, date)
);
CREATE TABLE splits (
    symbol VARCHAR NOT NULL,
    date DATE NOT NULL,
    ratio DOUBLE NOT NULL CHECK (ratio > 0),
    PRIMARY KEY (symbol, date)
);
CREATE TABLE macro_observations (
    series_id VARCHAR NOT NULL,
    date DATE NOT NULL,
    value DOUBLE,
    PRIMARY KEY (series_id, date)
);
CREATE TABLE security_info (
    symbol VARCHAR PRIMARY KEY,
    name VARCHAR,
    quote_type VARCHAR,
    asset_type VARCHAR,
    sector VARCHAR,
    industry VARCHAR,
    currency VARCHAR,
    exchange VARCHAR,
    updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
CREATE TABLE sync_state (
    kind VARCHAR NOT NULL CHECK (kind IN ('price','macro','info')),
    key VARCHAR NOT NULL,
    last_date DATE,
    last_attempt TIMESTAMP,
    last_success TIMESTAMP,
    status VARCHAR NOT NULL DEFAULT 'never',
    message VARCHAR,
    PRIMARY KEY (kind, key)
);
CREATE TABLE validation_findings (
    symbol VARCHAR NOT NULL,
    date DATE NOT NULL,
    kind VARCHAR NOT NULL,
    detail VARCHAR NOT NULL,
    found_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (symbol, date, kind)
)
"""

V2 = """
CREATE TABLE dismissed_actions (
    account_id INTEGER NOT NULL,
    symbol VARCHAR NOT NULL,
    date DATE NOT NULL,
    type VARCHAR NOT NULL CHECK (type IN ('split','dividend')),
    dismissed_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (account_id, symbol, date, type)
)
"""

MIGRATIONS: tuple[Migration, ...] = (
    sql_migration(1, "prices, dividends, splits, macro, security info, sync state", V1),
    sql_migration(2, "dismissed corporate actions", V2),
)
