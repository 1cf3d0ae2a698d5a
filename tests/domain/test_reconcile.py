"""The whole-group numpy FIFO must equal the row loop, unit for unit."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from portfolioos.domain.accounts import LotMethod
from portfolioos.domain.ledger import SAME_DAY_ORDER, TxType
from portfolioos.domain.reconcile import LedgerColumns, _whole_groups, reconcile
from portfolioos.errors import LedgerError

BUY, SELL = SAME_DAY_ORDER[TxType.BUY], SAME_DAY_ORDER[TxType.SELL]
SPLIT = SAME_DAY_ORDER[TxType.SPLIT]
U = 10**12

row = st.tuples(
    st.sampled_from(["buy", "buy", "sell", "sell", "split", "cash"]),
    st.integers(1, 5000),  # quantity in thousandths
    st.integers(1, 100000),  # price in cents
    st.integers(0, 3),  # day step
)
CASH = {
    "dividend": SAME_DAY_ORDER[TxType.DIVIDEND],
    "interest": SAME_DAY_ORDER[TxType.INTEREST],
    "fee": SAME_DAY_ORDER[TxType.FEE],
    "deposit": SAME_DAY_ORDER[TxType.DEPOSIT],
    "withdrawal": SAME_DAY_ORDER[TxType.WITHDRAWAL],
}
# a cash row's amount: signed either way, missing, or beyond 64-bit units
cash_row = st.tuples(
    st.sampled_from(sorted(CASH)),
    st.one_of(
        st.none(),
        st.integers(-(10**15), 10**15),
        st.sampled_from([2**63 - 1, -(2**63), 2**70, -(2**70)]),
    ),
    st.one_of(st.none(), st.integers(0, 10**13)),  # fees
    st.integers(0, 3),
)


def _columns(
    groups: list[list[tuple[str, int, int, int]]],
    cash: list[list[tuple[str, int | None, int | None, int]]] | None = None,
) -> LedgerColumns:
    """Symbol groups from `groups`; cash rows (from `cash`, in turn) in symbol groups
    where a group has a "cash" step, and an account's cash-only group after them."""
    rows: list[dict[str, object]] = []
    rid = 0
    pending = [list(c) for c in cash or []]

    def cash_rows(account: int, symbol: str | None, day: int, count: int) -> None:
        nonlocal rid
        for _ in range(count):
            if not pending or not pending[0]:
                if pending:
                    pending.pop(0)
                return
            kind, amount, fees, step = pending[0].pop(0)
            rid += 1
            rows.append(
                dict(
                    id=rid,
                    account=account,
                    symbol=symbol,
                    day=day + step,
                    kind=CASH[kind],
                    amount=amount,
                    fees=fees,
                )
            )

    for g, ops in enumerate(groups):
        day = 19000
        held = 0
        for kind, q1000, cents, step in ops:
            day += step
            rid += 1
            if kind == "cash":
                cash_rows(1 + g % 2, f"S{g}", day, 1)
                continue
            # odd unit counts, so proration needs real rounding
            q = q1000 * U // 1000 + (q1000 * 7919) % 997
            if kind == "sell":
                q = min(q, held) if held else q  # sometimes oversell on purpose (held 0)
            if kind == "split":
                rows.append(
                    dict(
                        id=rid,
                        account=1 + g % 2,
                        symbol=f"S{g}",
                        day=day,
                        kind=SPLIT,
                        split_ratio=2 * U,
                    )
                )
                held *= 2
                continue
            amount = q * cents // 100 + cents % 7
            rows.append(
                dict(
                    id=rid,
                    account=1 + g % 2,
                    symbol=f"S{g}",
                    day=day,
                    kind=BUY if kind == "buy" else SELL,
                    quantity=q,
                    price=cents * U // 100,
                    amount=-amount if kind == "buy" else amount,
                    fees=0,
                )
            )
            held = held + q if kind == "buy" else held - q
    for account in (1, 2):
        cash_rows(account, None, 19000, 10**6)
    rows.sort(
        key=lambda r: (r["account"], r["symbol"] or "", r["day"], r["kind"], r["id"])  # type: ignore[operator]
    )
    return LedgerColumns.from_rows(rows)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.lists(row, min_size=1, max_size=25), min_size=1, max_size=6),
    st.lists(st.lists(cash_row, max_size=6), max_size=4),
    st.sampled_from([LotMethod.FIFO, LotMethod.LIFO]),
)
def test_whole_group_fifo_equals_the_row_loop(
    groups: list[list[tuple[str, int, int, int]]],
    cash: list[list[tuple[str, int | None, int | None, int]]],
    second: LotMethod,
) -> None:
    cols = _columns(groups, cash)
    methods = {1: LotMethod.FIFO, 2: second}
    outcomes = []
    for vector in (True, False):
        try:
            r = reconcile(cols, methods, disposals=False, vector=vector)
        except LedgerError as exc:
            outcomes.append(("error", exc.message))
            continue
        outcomes.append(
            (
                "ok",
                [(k, b.shares, b.realized, list(b.lots)) for k, b in r.books.items()],
                r.cash,
                r.income,
                r.flows,
            )
        )
    assert outcomes[0] == outcomes[1]


def test_cash_rows_are_taken_whole_with_flows_in_ledger_order() -> None:
    U12 = U
    rows = [
        dict(id=1, account=1, day=10, kind=CASH["deposit"], amount=-5 * U12, fees=0),
        dict(id=2, account=1, day=11, kind=CASH["fee"], amount=None, fees=2 * U12),
        dict(id=3, account=1, day=12, kind=CASH["withdrawal"], amount=3 * U12, fees=0),
        dict(id=4, account=1, day=13, kind=CASH["interest"], amount=None, fees=0),
        dict(id=5, account=1, symbol="A", day=10, kind=BUY, quantity=U12, price=U12, amount=-U12),
        dict(id=6, account=1, symbol="A", day=11, kind=CASH["dividend"], amount=7 * U12),
        dict(id=7, account=1, symbol="A", day=12, kind=CASH["deposit"], amount=None, fees=None),
    ]
    cols = LedgerColumns.from_rows(rows)
    # both groups (the cash-only one and A's) are computed whole, not by the row loop
    assert sorted(_whole_groups(cols, {1: LotMethod.FIFO}, {}, {})) == [0, 1]
    r = reconcile(cols, {1: LotMethod.FIFO}, disposals=False)
    assert r.cash == {1: (5 - 2 - 3 - 1 + 7) * U12}
    assert r.income == {1: 7 * U12}
    assert r.flows == [(10, 1, 5 * U12), (12, 1, -3 * U12), (12, 1, 0)]
    assert r.books[(1, "A")].shares == U12


def test_exact_group_sums_beyond_int64() -> None:
    import numpy as np

    from portfolioos.domain.fifo_vector import exact_group_sums

    big = 2**63 - 1
    values = np.array([big, big, big, -big, 5, -(2**63) + 1], dtype=np.int64)
    first = np.array([0, 3, 5], dtype=np.int64)
    sums = exact_group_sums(values, first, np.array([True, True, True]))
    assert sums == [3 * big, -big + 5, -(2**63) + 1]


def test_groups_trading_nearly_2_63_units_are_exact() -> None:
    """Totals bought and sold just under 2**63 units (~9.2 million shares) stay whole and
    exact; one unit more in a group sends that group to the row loop, same results."""
    big = 2**61 + 12345
    for extra in (0, 1):
        rows = [
            dict(id=1, account=1, symbol="A", day=1, kind=BUY, quantity=big, amount=-3 * big),
            dict(id=2, account=1, symbol="A", day=2, kind=BUY, quantity=big, amount=-big),
            dict(id=3, account=1, symbol="A", day=3, kind=BUY, quantity=big, amount=-7),
            dict(
                id=4,
                account=1,
                symbol="A",
                day=4,
                kind=BUY,
                quantity=2**63 - 1 - 3 * big + extra,
                amount=-11,
            ),
            dict(id=5, account=1, symbol="A", day=5, kind=SELL, quantity=big + 7, amount=13),
        ]
        cols = LedgerColumns.from_rows(rows)
        taken = _whole_groups(cols, {1: LotMethod.FIFO}, {}, {})
        assert sorted(taken) == ([] if extra else [0])
        fast = reconcile(cols, {1: LotMethod.FIFO}, disposals=False)
        loop = reconcile(cols, {1: LotMethod.FIFO}, disposals=False, vector=False)
        book, ref = fast.books[(1, "A")], loop.books[(1, "A")]
        assert (book.shares, book.realized, list(book.lots)) == (
            ref.shares,
            ref.realized,
            list(ref.lots),
        )
        assert fast.cash == loop.cash
