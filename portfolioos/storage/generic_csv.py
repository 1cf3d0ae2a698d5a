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

from portfolioos.storage.ledger_store import FINGERPRINT_TEXT, reserve_transaction_ids
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
    # Formatting the int128-backed DECIMAL(38,12) is the costly part of the key; below
    # 10^6 the value fits DECIMAL(18,12) (int64), which prints the identical text about
    # twice as fast, so only larger values take the wide cast.
    return (
        f"coalesce(CASE WHEN abs({column}) < 1000000"
        f" THEN CAST(CAST({column} AS DECIMAL(18,12)) AS VARCHAR)"
        f" ELSE CAST({column} AS VARCHAR) END, '')"
    )


def stage(cur: Any, path: Path, columns: list[str], *, account_id: int, currency: str) -> int:
    """Read, check, normalise and hash the file in one pass into temp table
    `import_parsed`; returns how many rows it cannot take.

    `columns` are the header cells in file order (already checked to be generic names).
    No `row_number() OVER ()` for the line: that window serialises the whole pipeline
    (one core); the table keeps file order (preserve_insertion_order, the default), so
    a row's line is its `rowid` + 2 (see `_LINE`). DuckDB raises (a duckdb.Error) on a
    value that is not of its column's type.
    """
    present = set(columns)
    spec = "{" + ", ".join(f"'{c}': '{_COLUMN_TYPES.get(c, 'VARCHAR')}'" for c in columns) + "}"

    def col(name: str) -> str:
        return name if name in present else "NULL"

    cur.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE import_parsed AS
        WITH parsed AS (
          SELECT date AS d,
               lower(trim(type)) AS t, nullif(upper(trim(symbol)), '') AS sym,
               quantity AS q, price AS p, fees AS f, amount AS a,
               {col("split_ratio")} AS ratio, {col("original_basis")} AS basis,
               {col("acquired_date")} AS acq,
               coalesce(nullif(upper(trim(currency)), ''), ?) AS cur,
               coalesce(trim({col("note")}), '') AS note, nullif(trim({col("lot_id")}), '') AS lot
          FROM read_csv(?, header = true, auto_detect = false, delim = ',', quote = '"',
                        escape = '"', columns = {spec}, dateformat = '%Y-%m-%d',
                        strict_mode = true)),
        {_normal_sql()},
        checked AS (SELECT *, {_BAD} AS bad FROM normal)
        SELECT * EXCLUDE (t_raw, q, p, a, ratio), md5_number({_key_sql(account_id)}) AS h
        FROM checked
        """,
        [currency, str(path)],
    ).fetchall()
    rejected = cur.execute(
        f"SELECT (SELECT count(*) FROM import_parsed WHERE bad) + ({_BAD_TEXT})"
    ).fetchall()[0][0]
    return int(rejected)


# Distinct currencies and symbols the row-wise mapper would refuse (counted as rows).
_BAD_TEXT = """
    SELECT (SELECT count(*) FROM (SELECT DISTINCT currency FROM import_parsed)
            WHERE NOT coalesce(regexp_full_match(currency, '[A-Z]{3}'), false))
         + (SELECT count(*) FROM (SELECT DISTINCT symbol FROM import_parsed
                                  WHERE symbol IS NOT NULL)
            WHERE NOT regexp_full_match(symbol, '[A-Z0-9][A-Z0-9.\\-/ ]{0,19}'))"""


# A row the row-wise mapper would reject or read differently (columns of `parsed`).
# The text patterns are checked once per distinct value (`_BAD_TEXT`), not per row.
_BAD = f"""(date IS NULL OR t_raw NOT IN ({_TYPES})
          OR (t_raw IN ('buy','sell','reinvest','transfer_in','transfer_out') AND symbol IS NULL)
          OR (t_raw IN ('buy','sell','reinvest') AND (q IS NULL OR q = 0 OR p IS NULL))
          OR (t_raw IN ('transfer_in','transfer_out') AND (q IS NULL OR q = 0))
          OR (t_raw IN ('dividend','interest','deposit','fee','withdrawal') AND a IS NULL)
          OR (t_raw = 'split' AND ratio IS NULL))"""


def _normal_sql() -> str:
    """Rows as the mapper normalises them (from CTE `parsed`), with their raw inputs."""
    return """normal AS (
          SELECT d AS date, t AS type, t AS t_raw, sym AS symbol, q, p, a, ratio,
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
          FROM parsed)"""


def _key_sql(account_id: int) -> str:
    """domain.ledger.normalised_key of a `normal` row."""
    return (
        f"concat_ws('|', '{int(account_id)}', CAST(date AS VARCHAR), type,"
        f" coalesce(symbol, ''), {_key_num('quantity')}, {_key_num('price')},"
        f" {_key_num('amount')}, {_key_num('fees')}, currency, coalesce(lot, ''),"
        f" {_key_num('split_ratio')}, coalesce(CAST(acquired_date AS VARCHAR), ''),"
        f" {_key_num('original_basis')})"
    )


# The file line of an `import_parsed` row: the table is in file order after the header.
_LINE = "CAST(import_parsed.rowid + 2 AS INTEGER)"
_LEDGER = (
    "date, type, symbol, quantity, price, amount, fees, currency, note, lot, split_ratio,"
    " acquired_date, original_basis"
)


def _fingerprinted_sql() -> str:
    """Staged rows with their fingerprints: the digest, salted from a key's second
    occurrence on, counted in file order (as domain.ledger.with_fingerprints does).
    Only keys that occur more than once go through the window, found by a hash
    aggregate; the other rows keep their digest as is."""
    return f"""
        WITH dup AS (SELECT h FROM import_parsed GROUP BY h HAVING count(*) > 1),
        occ AS (
          SELECT rowid AS rid,
                 row_number() OVER (PARTITION BY h ORDER BY rowid) - 1 AS occ
          FROM import_parsed SEMI JOIN dup USING (h))
        SELECT {_LEDGER}, import_parsed.rowid AS rid, {_LINE} AS source_line,
               CASE WHEN coalesce(occ, 0) = 0 THEN h
                    ELSE md5_number(lpad(lower(hex(h)), 32, '0') || '#' || CAST(occ AS VARCHAR))
               END AS fingerprint
        FROM import_parsed LEFT JOIN occ ON import_parsed.rowid = occ.rid
    """


def new_rows(cur: Any, account_id: int) -> dict[str, int]:
    """Counts by type of the staged rows the account lacks (a dry run)."""
    rows = cur.execute(
        f"SELECT type, count(*) FROM ({_fingerprinted_sql()}) s"
        " ANTI JOIN (SELECT fingerprint FROM transactions WHERE account_id = ?) t"
        " ON s.fingerprint = t.fingerprint GROUP BY type ORDER BY type",
        [account_id],
    ).fetchall()
    return {str(t): int(n) for t, n in rows}


def staged_rows(cur: Any) -> int:
    return int(cur.execute("SELECT count(*) FROM import_parsed").fetchall()[0][0])


def staged_fingerprints(cur: Any) -> list[tuple[int, str]]:
    """(source line, fingerprint) of every staged row, for tests and diagnostics."""
    rows = cur.execute(
        f"SELECT source_line, {FINGERPRINT_TEXT} FROM ({_fingerprinted_sql()}) ORDER BY source_line"
    ).fetchall()
    return [(int(line), str(fp)) for line, fp in rows]


def insert_direct(cur: Any, account_id: int, batch_id: int, rows: int) -> dict[str, int]:
    """Insert the staged rows the account lacks straight from the pipeline; counts by
    type of what was added. Ids follow file order: a block of `rows` ids is reserved
    and row k of the file takes first + k (see ledger_store.reserve_transaction_ids)."""
    first = reserve_transaction_ids(cur, rows)
    id_column, id_value = ("id, ", f"{int(first)} + rid, ") if first is not None else ("", "")
    cur.execute(
        f"INSERT INTO transactions ({id_column}account_id, date, type, symbol, quantity, price,"
        " amount, fees, currency, note, lot_id, split_ratio, acquired_date, original_basis,"
        f" batch_id, source_line, fingerprint) SELECT {id_value}?, date, type, symbol, quantity,"
        " price, amount, fees, currency, note, lot, split_ratio, acquired_date, original_basis,"
        f" ?, source_line, fingerprint FROM ({_fingerprinted_sql()}) s"
        " ANTI JOIN (SELECT fingerprint FROM transactions WHERE account_id = ?) t"
        " ON s.fingerprint = t.fingerprint",
        [account_id, batch_id, account_id],
    ).fetchall()
    counted = cur.execute(
        "SELECT type, count(*) FROM transactions WHERE batch_id = ? GROUP BY type ORDER BY type",
        [batch_id],
    ).fetchall()
    return {str(t): int(n) for t, n in counted}


def drop(cur: Any) -> None:
    for name in ("import_parsed",):
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
