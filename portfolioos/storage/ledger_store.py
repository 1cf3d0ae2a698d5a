"""Ledger rows in portfolio.duckdb (reads and writes of `transactions` and friends)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from portfolioos.domain.fifo_vector import Column
from portfolioos.domain.ledger import LedgerEntry, TxType
from portfolioos.domain.reconcile import LedgerColumns, VectorColumns
from portfolioos.storage.duck import DuckDatabase

if TYPE_CHECKING:
    import pandas as pd

LEDGER_COLUMNS = (
    "account_id",
    "date",
    "type",
    "symbol",
    "quantity",
    "price",
    "amount",
    "fees",
    "currency",
    "note",
    "lot_id",
    "split_ratio",
    "acquired_date",
    "original_basis",
    "batch_id",
    "source_line",
    "fingerprint",
)


def entries_frame(entries: Sequence[LedgerEntry]) -> pd.DataFrame:
    """LedgerEntries as a frame whose Decimal columns DuckDB casts exactly."""
    import pandas as pd

    return pd.DataFrame(
        {
            "account_id": [e.account_id for e in entries],
            "date": [e.date for e in entries],
            "type": [e.type.value for e in entries],
            "symbol": [e.symbol for e in entries],
            "quantity": [_text(e.quantity) for e in entries],
            "price": [_text(e.price) for e in entries],
            "amount": [_text(e.amount) for e in entries],
            "fees": [_text(e.fees) for e in entries],
            "currency": [e.currency for e in entries],
            "note": [e.note for e in entries],
            "lot_id": [e.lot_id for e in entries],
            "split_ratio": [_text(e.split_ratio) for e in entries],
            "acquired_date": [e.acquired_date for e in entries],
            "original_basis": [_text(e.original_basis) for e in entries],
            "batch_id": [e.batch_id for e in entries],
            "source_line": [e.source_line for e in entries],
            "fingerprint": [e.fingerprint for e in entries],
        },
        columns=list(LEDGER_COLUMNS),
    )


def _text(value: object) -> str | None:
    # Decimals travel as text and are CAST to DECIMAL by DuckDB: exact, never via float.
    return None if value is None else str(value)


# transactions.fingerprint is a UHUGEINT; Python sees it as 32 hex digits (domain.ledger.md5_text).
FINGERPRINT_TEXT = "lpad(lower(hex(fingerprint)), 32, '0')"


def fingerprint_of(text_sql: str) -> str:
    """SQL turning a 32-hex-digit fingerprint (text) into the stored UHUGEINT.

    Text that is not 32 hex digits (a caller's own identifiers, e.g. in benchmarks) is
    hashed instead, so distinct strings stay distinct; it then reads back as the hash.
    """
    return (
        f"CASE WHEN length({text_sql}) = 32 THEN TRY_CAST('0x' || {text_sql} AS UHUGEINT) END"
    ).join(("coalesce(", f", md5_number({text_sql}))"))


_INSERT_SELECT = (
    "INSERT INTO transactions (account_id, date, type, symbol, quantity, price, amount, fees,"
    " currency, note, lot_id, split_ratio, acquired_date, original_basis, batch_id, source_line,"
    " fingerprint) SELECT CAST(account_id AS INTEGER), CAST(date AS DATE), type, symbol,"
    " CAST(quantity AS DECIMAL(38,12)), CAST(price AS DECIMAL(38,12)),"
    " CAST(amount AS DECIMAL(38,12)), CAST(coalesce(fees, '0') AS DECIMAL(38,12)), currency,"
    " coalesce(note, ''), lot_id, CAST(split_ratio AS DECIMAL(38,12)), CAST(acquired_date AS DATE),"
    " CAST(original_basis AS DECIMAL(38,12)), CAST(batch_id AS BIGINT),"
    f" CAST(source_line AS INTEGER), {fingerprint_of('s.fingerprint')} FROM {{source}} AS s"
    " WHERE NOT EXISTS (SELECT 1 FROM transactions t"
    " WHERE t.account_id = CAST(s.account_id AS INTEGER)"
    f" AND t.fingerprint = {fingerprint_of('s.fingerprint')})"
)


class LedgerStore:
    def __init__(self, db: DuckDatabase) -> None:
        self.db = db

    def append_frame(self, cur: object, frame: pd.DataFrame) -> int:
        """Insert rows whose fingerprint is new, inside the caller's `db.write()`.

        Returns how many were added. The frame has LEDGER_COLUMNS (see entries_frame).
        """
        before = cur.execute("SELECT count(*) FROM transactions").fetchall()[0][0]  # type: ignore[attr-defined]
        cur.register("incoming_ledger", frame)  # type: ignore[attr-defined]
        try:
            cur.execute(_INSERT_SELECT.format(source="incoming_ledger"))  # type: ignore[attr-defined]
        finally:
            cur.unregister("incoming_ledger")  # type: ignore[attr-defined]
        after = cur.execute("SELECT count(*) FROM transactions").fetchall()[0][0]  # type: ignore[attr-defined]
        return int(after - before)

    def add_entries(self, entries: Sequence[LedgerEntry]) -> int:
        """Write entries (fingerprints already set) in one transaction; skip known ones."""
        if not entries:
            return 0
        with self.db.write() as cur:
            return self.append_frame(cur, entries_frame(entries))

    def count_transactions(self, account_id: int) -> int:
        row = self.db.fetchone(
            "SELECT count(*) FROM transactions WHERE account_id = ?", [account_id]
        )
        return int(row[0]) if row else 0

    def delete_account_data(self, account_id: int) -> int:
        """Remove every row that belongs to an account, in one transaction."""
        with self.db.write() as cur:
            count = cur.execute(
                "SELECT count(*) FROM transactions WHERE account_id = ?", [account_id]
            ).fetchall()[0][0]
            for table in ("transactions", "lots", "holdings", "snapshots", "import_batches"):
                cur.execute(f"DELETE FROM {table} WHERE account_id = ?", [account_id])
        return int(count)


# -- reads for the portfolio engine ---------------------------------------------------

_DECIMAL_COLUMNS = ("quantity", "price", "amount", "fees", "split_ratio", "original_basis")


def _order_case() -> str:
    # The same-day order comes from the domain (SAME_DAY_ORDER); codes are ints, not input.
    from portfolioos.domain.ledger import SAME_DAY_ORDER

    whens = " ".join(f"WHEN '{t.value}' THEN {code}" for t, code in SAME_DAY_ORDER.items())
    return f"CASE type {whens} END"


def unscaled_ints(column: Any) -> list[int | None]:
    """An Arrow decimal128(p, 12) column as Python ints of 1e-12 units, exactly.

    The buffer holds each value's unscaled 128-bit two's-complement integer; values
    that fit in 64 bits (|x| < 9.2e6 at scale 12, i.e. nearly all quantities and
    prices) are taken in one numpy step, the others are rebuilt from both halves.
    """
    import numpy as np
    import pyarrow as pa

    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if not pa.types.is_decimal(arr.type) or arr.type.scale != 12 or arr.type.byte_width != 16:
        raise TypeError(f"expected decimal128(38,12), got {arr.type}")
    n = len(arr)
    if n == 0:
        return []
    words = np.frombuffer(arr.buffers()[1], dtype=np.int64, count=2 * n, offset=arr.offset * 16)
    lo, hi = words[0::2], words[1::2]
    fits = hi == (lo >> 63)
    values: list[Any] = lo.tolist()
    if not fits.all():
        ulo = lo.view(np.uint64)
        for j in np.flatnonzero(~fits).tolist():
            values[j] = (int(hi[j]) << 64) | int(ulo[j])
    if arr.null_count == n:
        return [None] * n
    if arr.null_count:
        obj = np.array(values, dtype=object)
        obj[arr.is_null().to_numpy(zero_copy_only=False)] = None
        values = obj.tolist()
    return values


def int64_column(column: Any) -> Column:
    """A decimal128(38,12) column as int64 units plus where they are usable (non-null and
    within 64 bits), straight from the Arrow buffer."""
    import numpy as np
    import pyarrow as pa

    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    n = len(arr)
    if n == 0:
        return Column(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.bool_))
    words = np.frombuffer(arr.buffers()[1], dtype=np.int64, count=2 * n, offset=arr.offset * 16)
    lo, hi = words[0::2], words[1::2]
    ok = hi == (lo >> 63)
    if arr.null_count:
        ok &= arr.is_valid().to_numpy(zero_copy_only=False)
    return Column(np.where(ok, lo, 0), ok)


def sparse_unscaled(column: Any) -> dict[int, int]:
    """Like unscaled_ints for a mostly-null column: {row: units} of the non-null rows."""
    import numpy as np
    import pyarrow as pa

    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if arr.null_count == len(arr):
        return {}
    rows = np.flatnonzero(arr.is_valid().to_numpy(zero_copy_only=False)).tolist()
    values = unscaled_ints(arr.take(pa.array(rows, pa.int64())))
    return dict(zip(rows, values, strict=True))  # type: ignore[arg-type]


def _days(column: Any) -> list[int | None]:
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    ints = pc.cast(arr, pa.int32())
    if ints.null_count == 0:
        return ints.to_numpy().tolist()  # type: ignore[no-any-return]
    return ints.to_pylist()  # type: ignore[no-any-return]


def _sparse(column: Any) -> dict[int, Any]:
    import numpy as np
    import pyarrow as pa

    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if arr.null_count == len(arr):
        return {}
    rows = np.flatnonzero(arr.is_valid().to_numpy(zero_copy_only=False)).tolist()
    return dict(zip(rows, arr.take(pa.array(rows, pa.int64())).to_pylist(), strict=True))


def _sparse_split(column: Any, kind: Any) -> dict[int, int | None]:
    """Split ratios of split rows, None kept so a split without a ratio is reported."""
    import numpy as np
    import pyarrow as pa

    from portfolioos.domain.ledger import SAME_DAY_ORDER, TxType

    kinds = kind.combine_chunks().to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(kinds == SAME_DAY_ORDER[TxType.SPLIT]).tolist()
    if not rows:
        return {}
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    return dict(zip(rows, unscaled_ints(arr.take(pa.array(rows, pa.int64()))), strict=True))


def _numeric_list(column: Any) -> list[Any]:
    import pyarrow as pa

    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if arr.null_count == 0:
        return arr.to_numpy(zero_copy_only=False).tolist()  # type: ignore[no-any-return]
    return arr.to_pylist()  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class TransactionFilter:
    """What the transactions table shows: every field optional, all combined with AND."""

    account_ids: tuple[int, ...] | None = None
    symbol: str | None = None
    types: tuple[str, ...] | None = None
    start: date | None = None
    end: date | None = None
    text: str | None = None  # case-insensitive substring of symbol or note
    batch_id: int | None = None


def _where(f: TransactionFilter) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if f.account_ids is not None:
        clauses.append("account_id IN (SELECT unnest(?))")
        params.append(list(f.account_ids))
    if f.symbol:
        clauses.append("upper(symbol) = upper(?)")
        params.append(f.symbol.strip())
    if f.types:
        clauses.append("type IN (SELECT unnest(?))")
        params.append(list(f.types))
    if f.start is not None:
        clauses.append("date >= ?")
        params.append(f.start)
    if f.end is not None:
        clauses.append("date <= ?")
        params.append(f.end)
    if f.text:
        clauses.append("(symbol ILIKE ? OR note ILIKE ?)")
        like = "%" + f.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        params += [like, like]
    if f.batch_id is not None:
        clauses.append("batch_id = ?")
        params.append(f.batch_id)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


class LedgerReader:
    """Bulk and paged reads of the ledger (the engine's input and the GUI's table)."""

    def __init__(self, db: DuckDatabase) -> None:
        self.db = db

    def columns(
        self, *, account_ids: Sequence[int] | None = None, until: date | None = None
    ) -> LedgerColumns:
        """The whole ledger (or some accounts, up to a date) as engine columns, sorted
        by account, symbol (cash-only rows first), date, same-day order, id."""
        sql = (
            "SELECT id, account_id, date, " + _order_case() + " AS kind, symbol, quantity,"
            " price, amount, fees, lot_id, split_ratio, acquired_date, original_basis, currency"
            " FROM transactions WHERE (? IS NULL OR account_id IN (SELECT unnest(?)))"
            " AND (? IS NULL OR date <= ?)"
            " ORDER BY account_id, symbol NULLS FIRST, date, kind, id"
        )
        import numpy as np
        import pyarrow as pa

        from portfolioos.domain.cost_basis import day_number

        ids = None if account_ids is None else [int(a) for a in account_ids]
        table = self.db.cursor().sql(sql, params=[ids, ids, until, until]).to_arrow_table()
        col = table.column
        n = table.num_rows
        account = col("account_id").combine_chunks().to_numpy(zero_copy_only=False)
        symbol = col("symbol").combine_chunks().dictionary_encode()
        codes = symbol.indices.fill_null(-1).to_numpy(zero_copy_only=False)
        if n:
            change = np.flatnonzero((account[1:] != account[:-1]) | (codes[1:] != codes[:-1])) + 1
            starts = np.concatenate([[0], change]).astype(np.int64)
        else:
            starts = np.empty(0, dtype=np.int64)
        names = symbol.dictionary.to_pylist()
        currency = col("currency").combine_chunks()
        arrays = VectorColumns(
            id=col("id").combine_chunks().to_numpy().astype(np.int64),
            day=col("date").combine_chunks().cast(pa.int32()).to_numpy().astype(np.int64),
            kind=col("kind").combine_chunks().to_numpy().astype(np.int64),
            quantity=int64_column(col("quantity")),
            price=int64_column(col("price")),
            amount=int64_column(col("amount")),
            fees=int64_column(col("fees")),
            lot_row=col("lot_id").combine_chunks().is_valid().to_numpy(zero_copy_only=False),
        )

        def fill(cols: LedgerColumns) -> None:
            cols.id, cols.kind = _numeric_list(col("id")), _numeric_list(col("kind"))
            cols.day = _days(col("date"))  # type: ignore[assignment]
            cols.quantity, cols.price = unscaled_ints(col("quantity")), unscaled_ints(col("price"))
            cols.amount, cols.fees = unscaled_ints(col("amount")), unscaled_ints(col("fees"))

        return LedgerColumns(
            id=[],
            kind=[],
            day=[],
            quantity=[],
            price=[],
            amount=[],
            fees=[],
            fill=fill,
            rows=n,
            starts=[*starts.tolist(), n],
            group_account=account[starts].tolist(),
            group_symbol=[None if c < 0 else names[c] for c in codes[starts].tolist()],
            group_currency=currency.take(pa.array(starts)).to_pylist(),
            lot_id=_sparse(col("lot_id")),
            split_ratio=_sparse_split(col("split_ratio"), col("kind")),
            acquired={k: day_number(v) for k, v in _sparse(col("acquired_date")).items()},
            original_basis=sparse_unscaled(col("original_basis")),
            arrays=arrays,
        )

    def transactions(
        self,
        filters: TransactionFilter | None = None,
        offset: int = 0,
        limit: int = 200,
        after: tuple[date, int] | None = None,
    ) -> list[LedgerEntry]:
        """One page, newest first (date, then id).

        `after` is the (date, id) of the row just before the page (keyset paging):
        the page starts right after it and `offset` counts from there. DuckDB has to
        sort and skip every row before an OFFSET (about 0.2 s at row 500,000 of a
        million), while a keyset page costs about what the first page costs.
        """
        where, params = _where(filters or TransactionFilter())
        if after is not None:
            where += (" AND " if where else " WHERE ") + "(date < ? OR (date = ? AND id < ?))"
            params += [after[0], after[0], int(after[1])]
        rows = self.db.fetchall(
            "SELECT id, account_id, date, type, symbol, quantity, price, amount, fees, currency,"
            " note, lot_id, split_ratio, acquired_date, original_basis, batch_id, source_line,"
            f" {FINGERPRINT_TEXT} FROM transactions"
            + where
            + " ORDER BY date DESC, id DESC LIMIT ? OFFSET ?",
            [*params, max(0, int(limit)), max(0, int(offset))],
        )
        return [
            LedgerEntry(
                id=r[0],
                account_id=r[1],
                date=r[2],
                type=TxType(r[3]),
                symbol=r[4],
                quantity=r[5],
                price=r[6],
                amount=r[7],
                fees=r[8],
                currency=r[9],
                note=r[10],
                lot_id=r[11],
                split_ratio=r[12],
                acquired_date=r[13],
                original_basis=r[14],
                batch_id=r[15],
                source_line=r[16],
                fingerprint=r[17],
            )
            for r in rows
        ]

    def count(self, filters: TransactionFilter | None = None) -> int:
        where, params = _where(filters or TransactionFilter())
        row = self.db.fetchone("SELECT count(*) FROM transactions" + where, params)
        return int(row[0]) if row else 0

    def symbols(self, account_ids: Sequence[int] | None = None) -> list[str]:
        ids = None if account_ids is None else list(account_ids)
        rows = self.db.fetchall(
            "SELECT DISTINCT symbol FROM transactions WHERE symbol IS NOT NULL"
            " AND (? IS NULL OR account_id IN (SELECT unnest(?))) ORDER BY symbol",
            [ids, ids],
        )
        return [r[0] for r in rows]

    def first_date(self, account_ids: Sequence[int] | None = None) -> date | None:
        ids = None if account_ids is None else list(account_ids)
        row = self.db.fetchone(
            "SELECT min(date) FROM transactions WHERE (? IS NULL OR account_id IN"
            " (SELECT unnest(?)))",
            [ids, ids],
        )
        return row[0] if row else None


# -- derived tables -------------------------------------------------------------------


def decimal_array(units: Sequence[int]) -> Any:
    """Integer 1e-12 units as an Arrow decimal128(38,12) array, exactly (no floats)."""
    import numpy as np
    import pyarrow as pa

    typ = pa.decimal128(38, 12)
    n = len(units)
    try:
        lo = np.fromiter(units, dtype=np.int64, count=n)
    except OverflowError:
        from decimal import Decimal

        return pa.array([Decimal(u).scaleb(-12) for u in units], type=typ)
    words = np.empty(2 * n, dtype=np.int64)
    words[0::2] = lo
    words[1::2] = lo >> 63
    return pa.Array.from_buffers(typ, n, [None, pa.py_buffer(words.tobytes())])


class DerivedStore:
    """lots / holdings / snapshots: rebuilt from the ledger, written as whole frames."""

    def __init__(self, db: DuckDatabase) -> None:
        self.db = db

    def replace(self, account_ids: Sequence[int] | None, lots: Any, holdings: Any) -> None:
        """Swap the lots and holdings of these accounts (all when None) in one transaction.

        `lots` and `holdings` are Arrow tables with the tables' columns.
        """
        ids = None if account_ids is None else [int(a) for a in account_ids]
        with self.db.write() as cur:
            for table in ("lots", "holdings"):
                cur.execute(
                    f"DELETE FROM {table} WHERE (? IS NULL OR account_id IN (SELECT unnest(?)))",
                    [ids, ids],
                )
            cur.register("new_lots", lots)
            cur.register("new_holdings", holdings)
            try:
                cur.execute(
                    "INSERT INTO lots (account_id, symbol, lot_id, acquired_date, quantity,"
                    " remaining, cost_basis, currency, wash_sale_adjustment) SELECT account_id,"
                    " symbol, lot_id, acquired_date, quantity, remaining, cost_basis, currency,"
                    " wash_sale_adjustment FROM new_lots"
                )
                cur.execute(
                    "INSERT INTO holdings (account_id, symbol, shares, cost_basis, realized_gain,"
                    " currency, lot_method, as_of) SELECT account_id, symbol, shares, cost_basis,"
                    " realized_gain, currency, lot_method, as_of FROM new_holdings"
                )
            finally:
                cur.unregister("new_lots")
                cur.unregister("new_holdings")

    def holdings(self, account_ids: Sequence[int] | None = None) -> list[tuple[Any, ...]]:
        ids = None if account_ids is None else list(account_ids)
        return self.db.fetchall(
            "SELECT account_id, symbol, shares, cost_basis, realized_gain, currency, lot_method,"
            " as_of FROM holdings WHERE (? IS NULL OR account_id IN (SELECT unnest(?)))"
            " ORDER BY account_id, symbol",
            [ids, ids],
        )

    def lot_count(self) -> int:
        row = self.db.fetchone("SELECT count(*) FROM lots")
        return int(row[0]) if row else 0

    def save_snapshots(self, frame: Any) -> int:
        """Insert or replace one row per (account, date): saving a day twice is a no-op."""
        with self.db.write() as cur:
            cur.register("new_snapshots", frame)
            try:
                cur.execute(
                    "INSERT OR REPLACE INTO snapshots (account_id, date, market_value, cost_basis,"
                    " cash, currency, unpriced) SELECT CAST(account_id AS INTEGER),"
                    " CAST(date AS DATE), CAST(market_value AS DECIMAL(38,12)),"
                    " CAST(cost_basis AS DECIMAL(38,12)), CAST(cash AS DECIMAL(38,12)), currency,"
                    " CAST(unpriced AS INTEGER) FROM new_snapshots"
                )
            finally:
                cur.unregister("new_snapshots")
        return len(frame)

    def snapshots(
        self, account_ids: Sequence[int] | None, start: date | None, end: date | None
    ) -> list[tuple[Any, ...]]:
        ids = None if account_ids is None else list(account_ids)
        return self.db.fetchall(
            "SELECT account_id, date, market_value, cost_basis, cash, currency, unpriced"
            " FROM snapshots WHERE (? IS NULL OR account_id IN (SELECT unnest(?)))"
            " AND (? IS NULL OR date >= ?) AND (? IS NULL OR date <= ?)"
            " ORDER BY date, account_id",
            [ids, ids, start, start, end, end],
        )
