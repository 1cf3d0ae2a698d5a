"""Ledger rows in portfolio.duckdb (reads and writes of `transactions` and friends)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from portfolioos.domain.fifo_vector import Column
from portfolioos.domain.ledger import LedgerEntry, TxType
from portfolioos.domain.reconcile import LedgerColumns, VectorColumns
from portfolioos.storage.arrow_c import Fetched, fetch
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


def entries_frame(entries: Sequence[LedgerEntry], *, batch_id: int | None = None) -> pd.DataFrame:
    """LedgerEntries as a frame whose Decimal columns DuckDB casts exactly; `batch_id`,
    when given, is every row's (an import's new batch, without copying each entry)."""
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
            "batch_id": [e.batch_id for e in entries] if batch_id is None else batch_id,
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


def reserve_transaction_ids(cur: Any, count: int) -> int | None:
    """Take `count` consecutive ids from transactions_id_seq; the first, or None when
    they are not consecutive (another writer drew from the sequence meanwhile).

    A bulk insert that leaves `id` to its DEFAULT nextval() runs single-threaded
    (measured: 1M rows 1.2 s against 0.8 s with the ids given), so large inserts
    reserve a block up front and write `first + row offset` themselves.
    """
    if count <= 0:
        return None
    low, high = cur.execute(
        "SELECT min(v), max(v) FROM (SELECT nextval('transactions_id_seq') AS v FROM range(?))",
        [count],
    ).fetchall()[0]
    return int(low) if int(high) - int(low) == count - 1 else None


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


def _order_case() -> str:
    # The same-day order comes from the domain (SAME_DAY_ORDER); codes are ints, not input.
    from portfolioos.domain.ledger import SAME_DAY_ORDER

    whens = " ".join(f"WHEN '{t.value}' THEN {code}" for t, code in SAME_DAY_ORDER.items())
    return f"CASE type {whens} END"


def unscaled_ints(column: Fetched) -> list[int | None]:
    """A fetched decimal128 column (scale 12) as Python ints of 1e-12 units, exactly.

    Each value is a 128-bit two's-complement integer in two 64-bit words; values that
    fit in 64 bits (|x| < 9.2e6 at scale 12, i.e. nearly all quantities and prices) are
    taken in one numpy step, the others are rebuilt from both halves.
    """
    import numpy as np

    words = column.values
    n = int(words.shape[0])
    if n == 0:
        return []
    lo, hi = words[:, 0], words[:, 1]
    fits = hi == (lo >> 63)
    values: list[Any] = lo.tolist()
    if not fits.all():
        ulo = lo.view(np.uint64)
        for j in np.flatnonzero(~fits).tolist():
            values[j] = (int(hi[j]) << 64) | int(ulo[j])
    valid = column.valid
    if not valid.any():
        return [None] * n
    if not valid.all():
        obj = np.array(values, dtype=object)
        obj[~valid] = None
        values = obj.tolist()
    return values


def int64_column(column: Fetched) -> Column:
    """A fetched decimal128 column as int64 units plus where they are usable (non-null
    and within 64 bits) and where they are NULL."""
    import numpy as np

    words = column.values
    lo, hi = words[:, 0], words[:, 1]
    ok = (hi == (lo >> 63)) & column.valid
    return Column(np.where(ok, lo, 0), ok, ~column.valid)


def _check_decimal(name: str, column: Fetched) -> None:
    if column.format.split(",")[:2] != ["d:38", "12"]:
        raise TypeError(f"{name}: expected DECIMAL(38,12), got Arrow {column.format}")


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
        by account, symbol (cash-only rows first), date, same-day order, id.

        Read through the Arrow C stream (storage/arrow_c.py), so money and quantities
        stay exact 128-bit integers. DuckDB's sort carries every column it returns, and
        text is the costly kind to carry (measured: a third of the read), so the sorted
        query returns numbers only; each (account, symbol) group's symbol, currency and
        size come from a GROUP BY in the same order, and the few rows with a lot id,
        split ratio, acquired date or original basis from a third query by id. The
        three run in one transaction on a cursor of their own: one snapshot.
        """
        where = (
            " FROM transactions WHERE (? IS NULL OR account_id IN (SELECT unnest(?)))"
            " AND (? IS NULL OR date <= ?)"
        )
        sparse = (
            "(lot_id IS NOT NULL OR split_ratio IS NOT NULL OR acquired_date IS NOT NULL"
            " OR original_basis IS NOT NULL OR type = 'split')"
        )
        kind = _order_case()
        rows_sql = (
            f"SELECT id, account_id, CAST(date - DATE '1970-01-01' AS BIGINT) AS day, {kind}"
            " AS kind, hash(symbol) AS symbol_hash, quantity, price, amount, fees,"
            f" {sparse} AS sparse{where}"
            f" ORDER BY account_id, symbol NULLS FIRST, date, kind, id"
        )
        groups_sql = (
            "SELECT account_id, symbol, hash(symbol) AS symbol_hash, count(*) AS n,"
            f" first(currency ORDER BY date, {kind}, id) AS currency{where}"
            " GROUP BY account_id, symbol ORDER BY account_id, symbol NULLS FIRST"
        )
        sparse_sql = (
            "SELECT id, lot_id, split_ratio, CAST(acquired_date AS DATE) AS acquired,"
            f" original_basis, type = 'split' AS is_split{where} AND {sparse} ORDER BY id"
        )
        import numpy as np

        ids = None if account_ids is None else [int(a) for a in account_ids]
        params = [ids, ids, until, until]
        cur = self.db.cursor().cursor()
        try:
            cur.execute("BEGIN TRANSACTION")
            col = fetch(cur.sql(rows_sql, params=params))
            grp = fetch(cur.sql(groups_sql, params=params))
            extra = (
                fetch(cur.sql(sparse_sql, params=params)) if col["sparse"].values.any() else None
            )
            cur.execute("COMMIT")
        finally:
            cur.close()
        for name in ("quantity", "price", "amount", "fees"):
            _check_decimal(name, col[name])
        account = col["account_id"].values.astype(np.int64)
        n = int(account.size)
        sizes = grp["n"].values.astype(np.int64)
        g_account = grp["account_id"].values.astype(np.int64)
        starts = np.cumsum(sizes) - sizes  # no groups when nothing is selected
        if int(sizes.sum()) != n or not (
            np.array_equal(np.repeat(g_account, sizes), account)
            and np.array_equal(
                np.repeat(grp["symbol_hash"].values, sizes), col["symbol_hash"].values
            )
        ):  # pragma: no cover - both queries sort the same snapshot the same way
            raise RuntimeError("the ledger's groups do not line up with its sorted rows")
        kinds = col["kind"].values.astype(np.int64)
        id_ = col["id"].values.astype(np.int64)
        day = col["day"].values.astype(np.int64)
        lot_row = np.zeros(n, dtype=np.bool_)
        lot_id: dict[int, str] = {}
        split_ratio: dict[int, int | None] = {}
        acquired: dict[int, int] = {}
        original_basis: dict[int, int] = {}
        if extra is not None:
            at = np.flatnonzero(col["sparse"].values)
            found = extra["id"].values.astype(np.int64)
            if not np.array_equal(found, np.sort(id_[at])):  # pragma: no cover - one snapshot
                raise RuntimeError("the ledger's sparse rows do not line up with its rows")
            # row of each sparse entry, in the sparse query's (id) order
            rows = at[np.argsort(id_[at], kind="stable")].tolist()
            lots, ratio = extra["lot_id"], extra["split_ratio"]
            _check_decimal("split_ratio", ratio)
            _check_decimal("original_basis", extra["original_basis"])
            is_split = extra["is_split"].values.tolist()
            basis = unscaled_ints(extra["original_basis"])
            for j, (u, b) in enumerate(zip(unscaled_ints(ratio), basis, strict=True)):
                if is_split[j]:
                    split_ratio[rows[j]] = u
                if b is not None:
                    original_basis[rows[j]] = b
            for j in range(len(rows)):
                if lots.valid[j]:
                    lot_id[rows[j]] = lots.text(j) or ""
                    lot_row[rows[j]] = True
                if extra["acquired"].valid[j]:
                    acquired[rows[j]] = int(extra["acquired"].values[j])
        arrays = VectorColumns(
            id=id_,
            day=day,
            kind=kinds,
            quantity=int64_column(col["quantity"]),
            price=int64_column(col["price"]),
            amount=int64_column(col["amount"]),
            fees=int64_column(col["fees"]),
            lot_row=lot_row,
        )

        def fill(cols: LedgerColumns) -> None:
            cols.id, cols.kind, cols.day = id_.tolist(), kinds.tolist(), day.tolist()
            cols.quantity, cols.price = unscaled_ints(col["quantity"]), unscaled_ints(col["price"])
            cols.amount, cols.fees = unscaled_ints(col["amount"]), unscaled_ints(col["fees"])

        symbols, currency = grp["symbol"], grp["currency"]
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
            group_account=g_account.tolist(),
            group_symbol=[symbols.text(g) for g in range(len(sizes))],
            group_currency=[currency.text(g) or "" for g in range(len(sizes))],
            lot_id=lot_id,
            split_ratio=split_ratio,
            acquired=acquired,
            original_basis=original_basis,
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


UNITS_LIMIT = 2**63  # units at or beyond this magnitude travel as text


def units_columns(name: str, units: Sequence[int]) -> dict[str, Any]:
    """Integer 1e-12 units as frame columns DuckDB turns back into DECIMAL(38,12) exactly
    (see `units_sql`): `{name}_u` int64, and `{name}_t` decimal text for the rare values
    beyond 64 bits (None elsewhere)."""
    import numpy as np

    n = len(units)
    try:
        small = np.fromiter(units, dtype=np.int64, count=n)
        text = np.full(n, None, dtype=object)
    except OverflowError:
        from decimal import Decimal

        fits = [-UNITS_LIMIT <= u < UNITS_LIMIT for u in units]
        small = np.array([u if f else 0 for u, f in zip(units, fits, strict=True)], np.int64)
        text = np.array(
            [
                None if f else format(Decimal(u).scaleb(-12), "f")
                for u, f in zip(units, fits, strict=True)
            ],
            dtype=object,
        )
    return {f"{name}_u": small, f"{name}_t": text}


def units_sql(name: str) -> str:
    """DECIMAL(38,12) from the `units_columns` pair: an int64 u times 1e-12 is exact
    (DECIMAL(38,0) x DECIMAL(13,12) keeps u as the unscaled integer: no division, no
    float), text is cast as written."""
    return (
        f"CASE WHEN {name}_t IS NULL THEN CAST({name}_u AS DECIMAL(38,0))"
        f" * CAST(0.000000000001 AS DECIMAL(13,12)) ELSE CAST({name}_t AS DECIMAL(38,12)) END"
    )


def _day_sql(name: str) -> str:
    return f"CAST(DATE '1970-01-01' + CAST({name} AS INTEGER) AS DATE)"


class DerivedStore:
    """lots / holdings / snapshots: rebuilt from the ledger, written as whole frames."""

    def __init__(self, db: DuckDatabase) -> None:
        self.db = db

    def replace(
        self,
        account_ids: Sequence[int] | None,
        lots: Mapping[str, Sequence[Any]],
        holdings: Mapping[str, Sequence[Any]],
    ) -> None:
        """Swap the lots and holdings of these accounts (all when None) in one transaction.

        `lots`: account_id, symbol, lot_id, acquired (day number), quantity, cost_basis,
        currency, wash_sale_adjustment; `holdings`: account_id, symbol, shares,
        cost_basis, realized_gain, currency, lot_method, as_of (a date). Money and
        quantities are integer 1e-12 units; each table goes in with one INSERT ... SELECT.
        """
        import numpy as np

        def frame(columns: Mapping[str, Sequence[Any]], decimals: tuple[str, ...]) -> Any:
            # a dict of numpy arrays: DuckDB scans it as is (no pandas to import, ~1 s
            # the first time in a process that had no other use for it)
            data: dict[str, Any] = {}
            for key, values in columns.items():
                if key in decimals:
                    data.update(units_columns(key, values))
                elif key in ("account_id", "acquired"):
                    data[key] = np.asarray(values, dtype=np.int64)
                else:
                    data[key] = np.asarray(values, dtype=object)
            return data

        new_lots = frame(lots, ("quantity", "cost_basis", "wash_sale_adjustment"))
        new_holdings = frame(holdings, ("shares", "cost_basis", "realized_gain"))
        ids = None if account_ids is None else [int(a) for a in account_ids]
        with self.db.write() as cur:
            for table in ("lots", "holdings"):
                cur.execute(
                    f"DELETE FROM {table} WHERE (? IS NULL OR account_id IN (SELECT unnest(?)))",
                    [ids, ids],
                )
            cur.register("new_lots", new_lots)
            cur.register("new_holdings", new_holdings)
            try:
                if len(lots.get("account_id", ())):
                    cur.execute(
                        "INSERT INTO lots (account_id, symbol, lot_id, acquired_date, quantity,"
                        " remaining, cost_basis, currency, wash_sale_adjustment) SELECT"
                        f" CAST(account_id AS INTEGER), symbol, lot_id, {_day_sql('acquired')},"
                        f" {units_sql('quantity')}, {units_sql('quantity')},"
                        f" {units_sql('cost_basis')}, currency,"
                        f" {units_sql('wash_sale_adjustment')} FROM new_lots"
                    )
                if len(holdings.get("account_id", ())):
                    cur.execute(
                        "INSERT INTO holdings (account_id, symbol, shares, cost_basis,"
                        " realized_gain, currency, lot_method, as_of) SELECT"
                        f" CAST(account_id AS INTEGER), symbol, {units_sql('shares')},"
                        f" {units_sql('cost_basis')}, {units_sql('realized_gain')}, currency,"
                        " lot_method, CAST(as_of AS DATE) FROM new_holdings"
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
