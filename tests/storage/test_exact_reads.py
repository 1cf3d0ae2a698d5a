"""The engine's reads and derived-table writes are exact without pyarrow: values beyond
64-bit units, the int64 edges and NULLs come back unit for unit."""

from __future__ import annotations

from datetime import date
from decimal import Context, Decimal

import numpy as np

from portfolioos.domain.cost_basis import day_number, from_units, to_units
from portfolioos.domain.ledger import SAME_DAY_ORDER, LedgerEntry, TxType, with_fingerprints
from portfolioos.services.context import AppContext
from portfolioos.storage.arrow_c import fetch
from portfolioos.storage.ledger_store import DerivedStore, LedgerReader, LedgerStore

D = Decimal
HUGE = D("12345678901234.123456789012")  # 1.2e25 units: beyond int64
EDGE = D("9223372.036854775807")  # 2**63 - 1 units
PAST = D("9223372.036854775808")  # 2**63 units


def _entry(
    account: int, day: int, kind: TxType, symbol: str | None, **fields: object
) -> LedgerEntry:
    base: dict[str, object] = dict(
        account_id=account,
        date=date(2024, 1, day),
        type=kind,
        symbol=symbol,
        quantity=None,
        price=None,
        amount=None,
        fees=D(0),
        currency="USD",
    )
    base.update(fields)
    return LedgerEntry(**base)  # type: ignore[arg-type]


def test_ledger_columns_round_trip_big_values_and_nulls(ctx: AppContext) -> None:
    entries = [
        _entry(1, 2, TxType.BUY, "B", quantity=HUGE, price=D("1E-12"), amount=-PAST, fees=EDGE),
        _entry(1, 3, TxType.BUY, "B", quantity=D(1), price=D(2), amount=D(-2), lot_id="L1"),
        _entry(1, 4, TxType.SPLIT, "B", split_ratio=HUGE),
        _entry(1, 5, TxType.SPLIT, "B", split_ratio=None),
        _entry(1, 6, TxType.DIVIDEND, "A", amount=-HUGE),
        _entry(1, 7, TxType.DEPOSIT, None, amount=D("-98765432109876543210.987654321098")),
        _entry(2, 1, TxType.INTEREST, None, amount=D("0.000000000001")),
        _entry(
            2,
            8,
            TxType.TRANSFER_IN,
            "A",
            quantity=EDGE,
            original_basis=HUGE,
            acquired_date=date(1999, 12, 31),
        ),
    ]
    assert LedgerStore(ctx.portfolio_db).add_entries(with_fingerprints(entries)) == len(entries)
    cols = LedgerReader(ctx.portfolio_db).columns()
    # sorted by account, symbol (cash first), date, same-day order, id
    assert cols.group_account == [1, 1, 1, 2, 2]
    assert cols.group_symbol == [None, "A", "B", None, "A"]
    assert cols.starts == [0, 1, 2, 6, 7, 8]
    assert cols.group_currency == ["USD"] * 5
    order = [5, 4, 0, 1, 2, 3, 6, 7]  # entries in ledger order

    def units(value: Decimal | None) -> int | None:
        # 32 significant digits: beyond the default context's 28 (so not to_units)
        return None if value is None else int(value.scaleb(12, Context(prec=60)))

    cols.materialize()
    for name in ("quantity", "price", "amount", "fees"):
        assert getattr(cols, name) == [units(getattr(entries[i], name)) for i in order], name
    assert cols.kind == [SAME_DAY_ORDER[entries[i].type] for i in order]
    assert cols.day == [day_number(entries[i].date) for i in order]
    assert cols.lot_id == {3: "L1"}
    assert cols.split_ratio == {4: to_units(HUGE), 5: None}
    assert cols.original_basis == {7: to_units(HUGE)}
    assert cols.acquired == {7: day_number(date(1999, 12, 31))}
    # the numpy views: usable where the units fit in int64, NULLs marked as such
    assert cols.arrays is not None
    fees = cols.arrays.fees
    assert fees.units[2] == 2**63 - 1 and fees.ok[2]
    amount = cols.arrays.amount  # -2**63 units: int64's minimum (fifo_vector refuses it)
    assert amount.units[2] == -(2**63) and amount.ok[2]
    assert not amount.ok[1] and not amount.null[1]  # beyond int64, not NULL
    quantity = cols.arrays.quantity
    assert not quantity.ok[2] and not quantity.null[2]  # beyond int64
    assert quantity.null.tolist() == [True, True, False, False, True, True, True, False]
    assert quantity.units[7] == 2**63 - 1 and quantity.ok[7]
    # nothing selected: no groups at all (and the engine reconciles nothing)
    none = LedgerReader(ctx.portfolio_db).columns(account_ids=[3])
    assert (len(none), none.starts, none.group_account, none.group_symbol) == (0, [0], [], [])
    # some accounts, up to a date
    part = LedgerReader(ctx.portfolio_db).columns(account_ids=[2], until=date(2024, 1, 5))
    assert len(part) == 1 and part.group_account == [2] and part.group_symbol == [None]


def test_derived_tables_round_trip_units_beyond_int64(ctx: AppContext) -> None:
    values = [0, 1, -1, 2**63 - 1, -(2**63), 2**63, -(2**63) - 1, 2**100, -(10**37)]
    n = len(values)
    DerivedStore(ctx.portfolio_db).replace(
        None,
        {
            "account_id": [1] * n,
            "symbol": [f"S{i}" for i in range(n)],
            "lot_id": [f"T{i}" for i in range(n)],
            "acquired": [day_number(date(2020, 2, 29)) + i for i in range(n)],
            "quantity": values,
            "cost_basis": values[::-1],
            "currency": ["USD"] * n,
            "wash_sale_adjustment": [0] * n,
        },
        {
            "account_id": [1, 2],
            "symbol": ["S0", "S1"],
            "shares": [2**64, -3],
            "cost_basis": [7, 2**63],
            "realized_gain": [-(2**70), 0],
            "currency": ["USD", "EUR"],
            "lot_method": ["fifo", "lifo"],
            "as_of": [date(2024, 5, 6)] * 2,
        },
    )
    lots = ctx.portfolio_db.fetchall(
        "SELECT symbol, acquired_date, quantity, remaining, cost_basis FROM lots ORDER BY lot_id"
    )
    lots.sort(key=lambda r: int(r[0][1:]))
    assert [r[2] for r in lots] == [from_units(v) for v in values]
    assert [r[3] for r in lots] == [from_units(v) for v in values]
    assert [r[4] for r in lots] == [from_units(v) for v in values[::-1]]
    assert lots[1][1] == date(2020, 3, 1)
    held = ctx.portfolio_db.fetchall(
        "SELECT account_id, shares, cost_basis, realized_gain, currency, lot_method, as_of"
        " FROM holdings ORDER BY account_id"
    )
    assert held == [
        (
            1,
            from_units(2**64),
            from_units(7),
            from_units(-(2**70)),
            "USD",
            "fifo",
            date(2024, 5, 6),
        ),
        (2, from_units(-3), from_units(2**63), D(0), "EUR", "lifo", date(2024, 5, 6)),
    ]
    # replacing one account leaves the others
    DerivedStore(ctx.portfolio_db).replace([2], {"account_id": []}, {"account_id": []})
    assert ctx.portfolio_db.fetchall("SELECT account_id FROM holdings") == [(1,)]


def test_fetch_reads_several_batches_with_nulls_text_and_dates(ctx: AppContext) -> None:
    rel = ctx.portfolio_db.cursor().sql(
        "SELECT i, CAST(i AS INTEGER) % 7 = 0 AS b,"
        " CASE WHEN i % 5 = 0 THEN NULL ELSE CAST(i AS DECIMAL(38,12)) * -1000000000 END AS d,"
        " CASE WHEN i % 3 = 0 THEN NULL ELSE 'x' || CAST(i AS VARCHAR) END AS t,"
        " DATE '1970-01-01' + CAST(i % 40000 AS INTEGER) AS day"
        " FROM range(300007) r(i)"
    )
    got = fetch(rel)
    i = np.arange(300007)
    assert got["i"].values.tolist() == i.tolist()
    assert got["b"].values.tolist() == (i % 7 == 0).tolist()
    d = got["d"]
    assert d.valid.tolist() == (i % 5 != 0).tolist()
    lo, hi = d.values[:, 0].tolist(), d.values[:, 1].tolist()
    expected = [-j * 10**21 for j in range(300007)]
    for j in (1, 2, 299999, 300006):  # valid rows, the last ones beyond int64
        assert (hi[j] << 64) | (lo[j] & (2**64 - 1)) == expected[j]
    assert [got["t"].text(j) for j in (0, 1, 2, 131071, 131072, 300006)] == [
        None if j % 3 == 0 else f"x{j}" for j in (0, 1, 2, 131071, 131072, 300006)
    ]
    assert got["day"].values[40001] == 1
