"""The whole-group numpy FIFO must equal the row loop, unit for unit."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from portfolioos.domain.accounts import LotMethod
from portfolioos.domain.ledger import SAME_DAY_ORDER, TxType
from portfolioos.domain.reconcile import LedgerColumns, reconcile
from portfolioos.errors import LedgerError

BUY, SELL = SAME_DAY_ORDER[TxType.BUY], SAME_DAY_ORDER[TxType.SELL]
SPLIT = SAME_DAY_ORDER[TxType.SPLIT]
U = 10**12

row = st.tuples(
    st.sampled_from(["buy", "buy", "sell", "sell", "split"]),
    st.integers(1, 5000),  # quantity in thousandths
    st.integers(1, 100000),  # price in cents
    st.integers(0, 3),  # day step
)


def _columns(groups: list[list[tuple[str, int, int, int]]]) -> LedgerColumns:
    rows = []
    rid = 0
    for g, ops in enumerate(groups):
        day = 19000
        held = 0
        for kind, q1000, cents, step in ops:
            day += step
            rid += 1
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
    rows.sort(key=lambda r: (r["account"], r["symbol"], r["day"], r["kind"], r["id"]))
    return LedgerColumns.from_rows(rows)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(row, min_size=1, max_size=25), min_size=1, max_size=6))
def test_whole_group_fifo_equals_the_row_loop(
    groups: list[list[tuple[str, int, int, int]]],
) -> None:
    cols = _columns(groups)
    methods = {1: LotMethod.FIFO, 2: LotMethod.FIFO}
    outcomes = []
    for vector in (True, False):
        try:
            r = reconcile(cols, methods, disposals=False, vector=vector)
        except LedgerError as exc:
            outcomes.append(("error", exc.message))
            continue
        outcomes.append(
            ("ok", {k: (b.shares, b.realized, list(b.lots)) for k, b in r.books.items()}, r.cash)
        )
    assert outcomes[0] == outcomes[1]


def test_exact_group_sums_beyond_int64() -> None:
    import numpy as np

    from portfolioos.domain.fifo_vector import exact_group_sums

    big = 2**63 - 1
    values = np.array([big, big, big, -big, 5, -(2**63) + 1], dtype=np.int64)
    first = np.array([0, 3, 5], dtype=np.int64)
    sums = exact_group_sums(values, first, np.array([True, True, True]))
    assert sums == [3 * big, -big + 5, -(2**63) + 1]
