"""The vectorised path for the generic CSV layout: DuckDB reads, checks, normalises,
fingerprints and inserts a file without a Python loop over rows.

It accepts only files the row-wise mapper (ingest/mapper.py) reads the same way: ISO
dates, plain decimals, the ledger's type names, and per type the fields the mapper
needs. `stage()` says how many rows it cannot take (or DuckDB refuses the file); the
caller then falls back to the row-wise path, which is authoritative for messages.
The key and digest are `domain.ledger.normalised_key`/`fingerprint` computed in SQL
(tests compare both on the same rows).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from portfolioos.storage.portfolio_schema import TRANSACTION_TYPES

OPTIONAL = ("note", "lot_id", "split_ratio", "acquired_date", "original_basis")
REQUIRED = ("date", "type", "symbol", "quantity", "price", "fees", "amount", "currency")
_TYPES = ",".join(f"'{t}'" for t in TRANSACTION_TYPES)
_COLUMN_TYPES = {
    "date": "DATE",
    "acquired_date": "DATE",
    "quantity": "DECIMAL(38,12)",
    "price": "DECIMAL(38,12)",
    "fees": "DECIMAL(38,12)",
    "amount": "DECIMAL(38,12)",
    "split_ratio": "DECIMAL(38,12)",
    "original_basis": "DECIMAL(38,12)",
}


def _key_num(column: str) -> str:
    # DECIMAL(38,12) as text always has 12 places, as domain.ledger.key_number writes it.
    return f"coalesce(CAST({column} AS VARCHAR), '')"


def stage(cur: Any, path: Path, columns: list[str], *, account_id: int, currency: str) -> int:
    """Read the file into temp table `import_parsed`; returns how many rows it cannot take.

    `columns` are the header cells in file order (already checked to be generic names).
    DuckDB raises (a duckdb.Error) on a value that is not of its column's type.
    """
    present = set(columns)
    spec = "{" + ", ".join(f"'{c}': '{_COLUMN_TYPES.get(c, 'VARCHAR')}'" for c in columns) + "}"

    def col(name: str) -> str:
        return name if name in present else "NULL"

    cur.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE import_parsed AS
        SELECT row_number() OVER () + 1 AS source_line, date AS d,
               lower(trim(type)) AS t, nullif(upper(trim(symbol)), '') AS sym,
               quantity AS q, price AS p, fees AS f, amount AS a,
               {col("split_ratio")} AS ratio, {col("original_basis")} AS basis,
               {col("acquired_date")} AS acq,
               coalesce(nullif(upper(trim(currency)), ''), ?) AS cur,
               coalesce(trim({col("note")}), '') AS note, nullif(trim({col("lot_id")}), '') AS lot
        FROM read_csv(?, header = true, auto_detect = false, delim = ',', quote = '"',
                      escape = '"', columns = {spec}, dateformat = '%Y-%m-%d',
                      strict_mode = true)
        """,
        [currency, str(path)],
    ).fetchall()
    rejected = cur.execute(
        f"""
        SELECT count(*) FROM import_parsed WHERE d IS NULL OR t NOT IN ({_TYPES})
          OR NOT regexp_full_match(cur, '[A-Z]{{3}}')
          OR (sym IS NOT NULL AND NOT regexp_full_match(sym, '[A-Z0-9][A-Z0-9.\\-/ ]{{0,19}}'))
          OR (t IN ('buy','sell','reinvest','transfer_in','transfer_out') AND sym IS NULL)
          OR (t IN ('buy','sell','reinvest') AND (q IS NULL OR q = 0 OR p IS NULL))
          OR (t IN ('transfer_in','transfer_out') AND (q IS NULL OR q = 0))
          OR (t IN ('dividend','interest','deposit','fee','withdrawal') AND a IS NULL)
          OR (t = 'split' AND ratio IS NULL)
        """
    ).fetchall()[0][0]
    return int(rejected)


def _normalised_sql(account_id: int) -> str:
    """Rows as the mapper normalises them, with their key, digest and occurrence."""
    key = (
        f"concat_ws('|', '{int(account_id)}', CAST(date AS VARCHAR), type,"
        f" coalesce(symbol, ''), {_key_num('quantity')}, {_key_num('price')},"
        f" {_key_num('amount')}, {_key_num('fees')}, currency, coalesce(lot, ''),"
        f" {_key_num('split_ratio')}, coalesce(CAST(acquired_date AS VARCHAR), ''),"
        f" {_key_num('original_basis')})"
    )
    return f"""
        WITH normal AS (
          SELECT source_line, d AS date, t AS type, sym AS symbol,
            CASE WHEN t IN ('buy','sell','reinvest','transfer_in','transfer_out') THEN abs(q) END
              AS quantity,
            CASE WHEN t IN ('buy','sell','reinvest') THEN abs(p) END AS price,
            CAST(CASE
              WHEN t = 'buy' THEN -coalesce(abs(a), abs(q) * abs(p) + abs(coalesce(f, 0)))
              WHEN t = 'sell' THEN coalesce(abs(a), abs(q) * abs(p) - abs(coalesce(f, 0)))
              WHEN t = 'reinvest' THEN coalesce(abs(a), abs(q) * abs(p))
              WHEN t = 'dividend' THEN a
              WHEN t IN ('interest', 'deposit') THEN abs(a)
              WHEN t IN ('fee', 'withdrawal') THEN -abs(a)
            END AS DECIMAL(38,12)) AS amount,
            CAST(CASE WHEN t IN ('buy','sell') THEN abs(coalesce(f, 0)) ELSE 0 END
              AS DECIMAL(38,12)) AS fees,
            cur AS currency, note, lot,
            CASE WHEN t = 'split' THEN ratio END AS split_ratio,
            CASE WHEN t = 'transfer_in' THEN coalesce(acq, d) END AS acquired_date,
            CASE WHEN t = 'transfer_in' THEN basis END AS original_basis
          FROM import_parsed),
        hashed AS (SELECT *, md5({key}) AS h FROM normal),
        counted AS (SELECT *, row_number() OVER (PARTITION BY h) - 1 AS occ FROM hashed)
        SELECT * EXCLUDE (h, occ),
               CASE WHEN occ = 0 THEN h ELSE md5(h || '#' || CAST(occ AS VARCHAR)) END
                 AS fingerprint
        FROM counted
    """


def new_rows(cur: Any, account_id: int) -> dict[str, int]:
    """Staged rows the account lacks, kept in temp table `import_new`; counts by type."""
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE import_new AS SELECT s.* FROM"
        f" ({_normalised_sql(account_id)}) s"
        " ANTI JOIN (SELECT fingerprint FROM transactions WHERE account_id = ?) t"
        " ON s.fingerprint = t.fingerprint",
        [account_id],
    ).fetchall()
    rows = cur.execute(
        "SELECT type, count(*) FROM import_new GROUP BY type ORDER BY type"
    ).fetchall()
    return {str(t): int(n) for t, n in rows}


def staged_rows(cur: Any) -> int:
    return int(cur.execute("SELECT count(*) FROM import_parsed").fetchall()[0][0])


def staged_fingerprints(cur: Any, account_id: int) -> list[tuple[int, str]]:
    """(source line, fingerprint) of every staged row, for tests and diagnostics."""
    rows = cur.execute(
        f"SELECT source_line, fingerprint FROM ({_normalised_sql(account_id)}) ORDER BY source_line"
    ).fetchall()
    return [(int(line), str(fp)) for line, fp in rows]


def insert_new(cur: Any, account_id: int, batch_id: int) -> int:
    rows = cur.execute(
        "INSERT INTO transactions (account_id, date, type, symbol, quantity, price, amount, fees,"
        " currency, note, lot_id, split_ratio, acquired_date, original_basis, batch_id,"
        " source_line, fingerprint) SELECT ?, date, type, symbol, quantity, price, amount, fees,"
        " currency, note, lot, split_ratio, acquired_date, original_basis, ?, source_line,"
        " fingerprint FROM import_new",
        [account_id, batch_id],
    ).fetchall()
    return int(rows[0][0])


def insert_direct(cur: Any, account_id: int, batch_id: int) -> dict[str, int]:
    """Insert the staged rows the account lacks straight from the pipeline (no second
    temp table); counts by type of what was added."""
    cur.execute(
        "INSERT INTO transactions (account_id, date, type, symbol, quantity, price, amount, fees,"
        " currency, note, lot_id, split_ratio, acquired_date, original_basis, batch_id,"
        " source_line, fingerprint) SELECT ?, date, type, symbol, quantity, price, amount, fees,"
        " currency, note, lot, split_ratio, acquired_date, original_basis, ?, source_line,"
        f" fingerprint FROM ({_normalised_sql(account_id)}) s"
        " ANTI JOIN (SELECT fingerprint FROM transactions WHERE account_id = ?) t"
        " ON s.fingerprint = t.fingerprint",
        [account_id, batch_id, account_id],
    ).fetchall()
    rows = cur.execute(
        "SELECT type, count(*) FROM transactions WHERE batch_id = ? GROUP BY type ORDER BY type",
        [batch_id],
    ).fetchall()
    return {str(t): int(n) for t, n in rows}


def drop(cur: Any) -> None:
    for name in ("import_parsed", "import_new"):
        cur.execute(f"DROP TABLE IF EXISTS {name}").fetchall()


def read_csv_seconds(cur: Any, path: Path) -> tuple[int, float]:
    """DuckDB's own read_csv (auto-detected, into a table) over a file: the baseline."""
    import time

    start = time.perf_counter()
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE baseline AS SELECT * FROM read_csv(?, header = true)",
        [str(path)],
    ).fetchall()
    n = cur.execute("SELECT count(*) FROM baseline").fetchall()[0][0]
    seconds = time.perf_counter() - start
    cur.execute("DROP TABLE baseline").fetchall()
    return int(n), seconds
