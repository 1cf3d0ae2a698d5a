"""portfolio.duckdb: the ledger and what is derived from it.

Money and quantities are DECIMAL(38,12): exact, so a position sold down in thirds
closes at exactly zero, and wide enough for crypto quantities and large balances.
`lots`, `holdings` and `snapshots` are derived from `transactions` and may be rebuilt
at any time; `transactions` and `import_batches` are the user's data.

`lots` and `holdings` carry no primary key either: the engine writes each (account,
symbol) once and each lot id once per book (domain.cost_basis.Book), and a rederive
deletes and re-inserts an account's rows in one transaction, which DuckDB's ART index
makes slow (measured: 232,583 lots re-derived in ~1-13 s with the keys, 0.04 s without).

`transactions` carries no ART index at all, not even a primary key: DuckDB scans with
zone maps for every query the app makes (ids come from a sequence, so their zone maps
are tight and `WHERE id = ?` reads one row group), a UNIQUE (account_id, fingerprint)
index made a 1,000,000-row import several times slower, and the primary key on `id`
alone cost ~0.6 s of such an import (measured, issue 4). `id` is unique because only
the sequence assigns it. Uniqueness of
(account_id, fingerprint) is kept by the only writers (ImportService and
LedgerStore.append_frame), which anti-join against the table inside the single
serialised write transaction.

`fingerprint` is the md5 as a UHUGEINT (domain.ledger.md5_text): Python code sees it
as 32 hex digits through storage/ledger_store.py's FINGERPRINT_TEXT / FINGERPRINT_OF.
"""

from __future__ import annotations

from portfolioos.storage.migrations import Migration, sql_migration

TRANSACTION_TYPES = (
    "buy",
    "sell",
    "dividend",
    "reinvest",
    "interest",
    "fee",
    "split",
    "deposit",
    "withdrawal",
    "transfer_in",
    "transfer_out",
)
_TYPES = ",".join(f"'{t}'" for t in TRANSACTION_TYPES)

# Derived tables (rebuilt whole per account by every rederive); V2 recreates them.
_LOTS = """
CREATE TABLE lots (
    account_id INTEGER NOT NULL,
    symbol VARCHAR NOT NULL,
    lot_id VARCHAR NOT NULL,
    acquired_date DATE NOT NULL,
    quantity DECIMAL(38,12) NOT NULL,
    remaining DECIMAL(38,12) NOT NULL,
    cost_basis DECIMAL(38,12) NOT NULL,
    currency VARCHAR NOT NULL,
    wash_sale_adjustment DECIMAL(38,12) NOT NULL DEFAULT 0
)"""
_HOLDINGS = """
CREATE TABLE holdings (
    account_id INTEGER NOT NULL,
    symbol VARCHAR NOT NULL,
    shares DECIMAL(38,12) NOT NULL,
    cost_basis DECIMAL(38,12) NOT NULL,
    realized_gain DECIMAL(38,12) NOT NULL,
    currency VARCHAR NOT NULL,
    lot_method VARCHAR NOT NULL,
    as_of DATE
)"""

V1 = f"""
CREATE SEQUENCE transactions_id_seq START 1;
CREATE SEQUENCE import_batches_id_seq START 1;
CREATE TABLE import_batches (
    id BIGINT PRIMARY KEY DEFAULT nextval('import_batches_id_seq'),
    account_id INTEGER NOT NULL,
    source VARCHAR NOT NULL,
    broker VARCHAR NOT NULL,
    file_sha256 VARCHAR,
    imported_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    rows_added INTEGER NOT NULL DEFAULT 0,
    rows_skipped INTEGER NOT NULL DEFAULT 0,
    undone_at TIMESTAMP
);
CREATE TABLE transactions (
    id BIGINT NOT NULL DEFAULT nextval('transactions_id_seq'),
    account_id INTEGER NOT NULL,
    date DATE NOT NULL,
    type VARCHAR NOT NULL CHECK (type IN ({_TYPES})),
    symbol VARCHAR,
    quantity DECIMAL(38,12),
    price DECIMAL(38,12),
    amount DECIMAL(38,12),
    fees DECIMAL(38,12) NOT NULL DEFAULT 0,
    currency VARCHAR NOT NULL CHECK (length(currency) = 3),
    note VARCHAR NOT NULL DEFAULT '',
    lot_id VARCHAR,
    split_ratio DECIMAL(38,12),
    acquired_date DATE,
    original_basis DECIMAL(38,12),
    batch_id BIGINT,
    source_line INTEGER,
    fingerprint UHUGEINT NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
{_LOTS};
{_HOLDINGS};
CREATE TABLE snapshots (
    account_id INTEGER NOT NULL,
    date DATE NOT NULL,
    market_value DECIMAL(38,12) NOT NULL,
    cost_basis DECIMAL(38,12) NOT NULL,
    cash DECIMAL(38,12) NOT NULL,
    currency VARCHAR NOT NULL,
    unpriced INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (account_id, date)
)
"""

# Lots and holdings are derived (rebuilt whole per account by every rederive): their
# primary keys made the delete + re-insert of 230k lots take 13 s instead of 0.5 s, and
# the engine already guarantees uniqueness. Folders made before this lose the keys here
# (DuckDB cannot drop a key in place, so the tables are rebuilt with their rows).
V2 = f"""
ALTER TABLE lots RENAME TO lots_v1;
{_LOTS};
INSERT INTO lots SELECT * FROM lots_v1;
DROP TABLE lots_v1;
ALTER TABLE holdings RENAME TO holdings_v1;
{_HOLDINGS};
INSERT INTO holdings SELECT * FROM holdings_v1;
DROP TABLE holdings_v1
"""

MIGRATIONS: tuple[Migration, ...] = (
    sql_migration(1, "ledger, import batches, lots, holdings, snapshots", V1),
    sql_migration(2, "lots and holdings without keys (derived tables)", V2),
)
