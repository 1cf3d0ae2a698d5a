"""PortfolioService over a real data folder: ledger rows in, holdings/lots/cash out."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pandas as pd
import pytest

from portfolioos.domain.accounts import AccountDraft
from portfolioos.domain.ledger import LedgerEntry, TxType, with_fingerprints
from portfolioos.errors import ImportFileError, LedgerError
from portfolioos.services.context import AppContext
from portfolioos.storage.ledger_store import LedgerStore
from portfolioos.storage.price_store import PriceStore


def tx(
    acct: int,
    day: str,
    kind: str,
    symbol: str | None = None,
    qty: str | None = None,
    price: str | None = None,
    amount: str | None = None,
    fees: str = "0",
    **kw: object,
) -> LedgerEntry:
    return LedgerEntry(
        account_id=acct,
        date=date.fromisoformat(day),
        type=TxType(kind),
        symbol=symbol,
        quantity=None if qty is None else D(qty),
        price=None if price is None else D(price),
        amount=None if amount is None else D(amount),
        fees=D(fees),
        currency="USD",
        **kw,
    )  # type: ignore[arg-type]


def add(ctx: AppContext, *entries: LedgerEntry) -> None:
    LedgerStore(ctx.portfolio_db).add_entries(with_fingerprints(list(entries)))


def prices(ctx: AppContext, rows: list[tuple[str, str, float]]) -> None:
    PriceStore(ctx.market_db).upsert_prices(
        pd.DataFrame(
            {
                "symbol": [r[0] for r in rows],
                "date": [date.fromisoformat(r[1]) for r in rows],
                "open": [r[2] for r in rows],
                "high": [r[2] for r in rows],
                "low": [r[2] for r in rows],
                "close": [r[2] for r in rows],
                "adj_close": [r[2] for r in rows],
                "volume": [0] * len(rows),
                "currency": ["USD"] * len(rows),
                "source": ["test"] * len(rows),
            }
        )
    )


@pytest.fixture
def acct(ctx: AppContext) -> int:
    account, _ = ctx.portfolio.create_account(AccountDraft(name="Brokerage"))
    return account.id


def test_every_transaction_type(ctx: AppContext, acct: int) -> None:
    add(
        ctx,
        tx(acct, "2023-01-02", "deposit", amount="10000"),
        tx(acct, "2023-01-03", "buy", "VTI", "10", "200", "-2001", fees="1"),
        tx(acct, "2023-02-01", "dividend", "VTI", amount="15"),
        tx(acct, "2023-03-01", "reinvest", "VTI", "0.1", "150", "15"),
        tx(acct, "2023-04-01", "split", "VTI", split_ratio=D(2)),
        tx(acct, "2023-05-01", "sell", "VTI", "5", "110", "549", fees="1"),
        tx(acct, "2023-05-02", "interest", amount="3.25"),
        tx(acct, "2023-05-03", "fee", amount="-5"),
        tx(
            acct,
            "2023-06-01",
            "transfer_in",
            "AAPL",
            "4",
            original_basis=D("400"),
            acquired_date=date(2019, 1, 1),
        ),
        tx(acct, "2023-06-02", "transfer_out", "AAPL", "1"),
        tx(acct, "2023-07-01", "withdrawal", amount="-1000"),
    )
    held = {h.symbol: h for h in ctx.portfolio.holdings()}
    vti = held["VTI"]
    # 10 shares + 0.1 reinvested, split 2:1 -> 20.2, 5 sold FIFO from the first lot
    assert vti.shares == D("15.2")
    # first lot basis 2001 for 20 (post-split) shares; 5 sold take 500.25
    assert vti.cost_basis == D("2001") - D("500.25") + D(15)
    assert vti.realized_gain == D(549) - D("500.25")
    aapl = held["AAPL"]
    assert aapl.shares == 3 and aapl.cost_basis == 300 and aapl.realized_gain == 0
    [lot] = ctx.portfolio.lots("AAPL")
    assert lot.acquired == date(2019, 1, 1)
    summary = ctx.portfolio.reconcile()
    assert summary.cash["Brokerage"] == D(10000) - D(2001) + 15 + 549 + D("3.25") - 5 - 1000
    assert summary.income["Brokerage"] == D(15) + 15 + D("3.25")
    assert ctx.portfolio_db.fetchone("SELECT count(*) FROM lots") == (3,)


def test_same_day_buy_then_sell_whatever_the_export_order(ctx: AppContext, acct: int) -> None:
    add(
        ctx,
        tx(acct, "2024-01-02", "sell", "X", "1", "12", "12"),
        tx(acct, "2024-01-02", "buy", "X", "2", "10", "-20"),
    )
    [h] = ctx.portfolio.holdings()
    assert h.shares == 1 and h.realized_gain == 2


@pytest.mark.parametrize(
    ("row", "needle"),
    [
        (dict(kind="sell", symbol="X", qty="1", price="10", amount="10"), "only 0 are held"),
        (dict(kind="split", symbol="X", split_ratio=D(0)), "split ratio 0"),
        (dict(kind="buy", symbol="X", qty="-3", price="10", amount="-30"), "quantity -3"),
    ],
)
def test_bad_data_names_the_transaction(
    ctx: AppContext, acct: int, row: dict[str, object], needle: str
) -> None:
    add(ctx, tx(acct, "2024-03-04", **row))  # type: ignore[arg-type]
    tid = ctx.portfolio_db.fetchone("SELECT id FROM transactions")[0]  # type: ignore[index]
    with pytest.raises(LedgerError) as err:
        ctx.portfolio.rederive()
    msg = err.value.message
    assert needle in msg
    for part in (f"Transaction {tid}", "2024-03-04", "Brokerage", "X"):
        assert part in msg


def test_net_worth_values_and_flags_unpriced(ctx: AppContext, acct: int) -> None:
    add(
        ctx,
        tx(acct, "2024-01-02", "deposit", amount="5000"),
        tx(acct, "2024-01-03", "buy", "AAA", "10", "100", "-1000"),
        tx(acct, "2024-01-03", "buy", "ZZZ", "1", "50", "-50"),
    )
    prices(ctx, [("AAA", "2024-01-03", 100.0), ("AAA", "2024-02-01", 123.45)])
    nw = ctx.portfolio.net_worth(date(2024, 3, 1))
    assert nw.market_value == D("1234.5")
    assert nw.cash == D(3950)
    assert nw.total_value == D("5184.5")
    assert [u.symbol for u in nw.unpriced] == ["ZZZ"]
    assert [a.key for a in nw.allocation] == ["CASH", "AAA"]
    assert nw.unrealized == D("234.5")
    old = ctx.portfolio.net_worth(date(2024, 1, 15))
    assert old.market_value == D(1000)
    h = ctx.portfolio.holdings(date=date(2024, 3, 1))
    assert {x.symbol: x.market_value for x in h} == {"AAA": D("1234.5"), "ZZZ": None}


def test_history_snapshots_and_performance(ctx: AppContext, acct: int) -> None:
    add(
        ctx,
        tx(acct, "2024-01-01", "deposit", amount="1000"),
        tx(acct, "2024-01-01", "buy", "AAA", "10", "100", "-1000"),
    )
    prices(
        ctx,
        [
            ("AAA", "2024-01-01", 100.0),
            ("AAA", "2024-01-03", 110.0),
            ("BEN", "2024-01-01", 50.0),
            ("BEN", "2024-01-03", 52.0),
        ],
    )
    h = ctx.portfolio.net_worth_history(end=date(2024, 1, 4))
    assert [round(v, 6) for v in h.total] == [1000.0, 1000.0, 1100.0, 1100.0]
    assert h.flows[0] == 1000.0
    perf = ctx.portfolio.performance(benchmark="BEN", end=date(2024, 1, 4))
    assert abs(perf.twr - 0.10) < 1e-12
    assert perf.benchmark is not None and abs(perf.benchmark.total_return - 0.04) < 1e-12
    assert perf.excess_return is not None and abs(perf.excess_return - 0.06) < 1e-12
    ctx.portfolio.save_snapshots(date(2024, 1, 3))
    ctx.portfolio.save_snapshots(date(2024, 1, 3))
    [snap] = ctx.portfolio.snapshots()
    assert snap.market_value == D(1100) and snap.cash == 0 and snap.unpriced == 0


def test_buys_without_deposits_are_treated_as_contributions(ctx: AppContext, acct: int) -> None:
    add(ctx, tx(acct, "2024-01-01", "buy", "AAA", "10", "100", "-1000"))
    prices(ctx, [("AAA", "2024-01-01", 100.0), ("AAA", "2024-01-02", 90.0)])
    h = ctx.portfolio.net_worth_history(end=date(2024, 1, 2))
    assert list(h.total) == [1000.0, 900.0] and list(h.flows) == [1000.0, 0.0]


def test_realized_report_by_year_with_wash_sale(ctx: AppContext) -> None:
    account, _ = ctx.portfolio.create_account(AccountDraft(name="Taxable", track_wash_sales=True))
    a = account.id
    add(
        ctx,
        tx(a, "2022-01-03", "buy", "X", "100", "10", "-1000"),
        tx(a, "2023-06-01", "sell", "X", "100", "7.5", "750"),
        tx(a, "2023-06-20", "buy", "X", "100", "8", "-800"),
        tx(a, "2024-02-01", "sell", "X", "100", "12", "1200"),
    )
    r23 = ctx.portfolio.realized(2023)
    [line] = r23.lines
    assert (line.code, line.adjustment, line.gain, line.term.value) == ("W", 250, 0, "long")
    r24 = ctx.portfolio.realized(2024)
    [line] = r24.lines
    # basis 800 + 250; the 516-day holding period of the sold shares carries over: long
    assert (line.cost_basis, line.gain, line.term.value) == (1050, 150, "long")
    assert r24.long_term.gain == 150 and r24.short_term.gain == 0


def test_transactions_page_and_count(ctx: AppContext, acct: int) -> None:
    add(
        ctx,
        *[
            tx(
                acct,
                f"2024-01-{d:02d}",
                "buy",
                "AAA" if d % 2 else "BBB",
                "1",
                "1",
                "-1",
                note=f"row {d}",
            )
            for d in range(1, 21)
        ],
    )
    assert ctx.portfolio.transaction_count() == 20
    assert ctx.portfolio.transaction_count(symbol="aaa") == 10
    page = ctx.portfolio.transactions(offset=5, limit=5)
    assert [e.date.day for e in page] == [15, 14, 13, 12, 11]
    assert ctx.portfolio.transaction_count(start=date(2024, 1, 10), types=["buy"]) == 11
    assert ctx.portfolio.transaction_count(text="row 2") == 2  # "row 2" and "row 20"
    assert ctx.portfolio.transaction_count("Brokerage") == 20


def test_discrepancies_against_a_positions_csv(ctx: AppContext, acct: int, tmp_path: Path) -> None:
    add(
        ctx,
        tx(acct, "2024-01-02", "buy", "AAA", "10", "100", "-1000"),
        tx(acct, "2024-01-02", "buy", "BBB", "5", "10", "-50"),
    )
    csv_file = tmp_path / "positions.csv"
    csv_file.write_text('Symbol,Quantity,Cost Basis\nAAA,10,"1,000.00"\nBBB,4,50\nCCC,1,\n')
    found = {(d.symbol, d.field): d for d in ctx.portfolio.discrepancies(csv_file, "Brokerage")}
    assert set(found) == {("BBB", "shares"), ("CCC", "shares")}
    assert found[("BBB", "shares")].difference == 1
    bad = tmp_path / "bad.csv"
    bad.write_text("Symbol,Quantity\nAAA,ten\n")
    with pytest.raises(ImportFileError, match="line 2, column Quantity"):
        ctx.portfolio.discrepancies(bad, "Brokerage")


def test_lot_method_comes_from_the_account_unless_overridden(ctx: AppContext) -> None:
    account, _ = ctx.portfolio.create_account(AccountDraft(name="L", lot_method="lifo"))
    a = account.id
    add(
        ctx,
        tx(a, "2024-01-02", "buy", "X", "1", "10", "-10"),
        tx(a, "2024-01-03", "buy", "X", "1", "20", "-20"),
        tx(a, "2024-01-04", "sell", "X", "1", "15", "15"),
    )
    assert ctx.portfolio.holdings("L")[0].cost_basis == 10
    assert ctx.portfolio.holdings("L", method="fifo")[0].cost_basis == 20
    assert ctx.portfolio.holdings("L", method="hifo")[0].cost_basis == 10


def test_rederive_stores_exact_lots_and_follows_the_account_method(ctx: AppContext) -> None:
    account, _ = ctx.portfolio.create_account(AccountDraft(name="R"))
    a = account.id
    add(
        ctx,
        tx(a, "2024-01-02", "buy", "X", "0.333333333333", "3", "-1"),
        tx(a, "2024-01-03", "buy", "X", "2", "5", "-10"),
        tx(a, "2024-01-04", "sell", "X", "1", "6", "6"),
    )
    ctx.portfolio.rederive()
    rows = ctx.portfolio_db.fetchall(
        "SELECT lot_id, remaining, cost_basis FROM lots ORDER BY acquired_date"
    )
    # FIFO: the whole first lot and 0.666666666667 of the second are gone
    assert rows == [("T2", D("1.333333333333"), D("6.666666666665"))]
    held = ctx.portfolio_db.fetchall("SELECT shares, cost_basis, realized_gain FROM holdings")
    assert held == [(D("1.333333333333"), D("6.666666666665"), D(6) - D("4.333333333335"))]
    ctx.portfolio.update_account("R", lot_method="lifo")
    rows = ctx.portfolio_db.fetchall(
        "SELECT lot_id, remaining, cost_basis FROM lots ORDER BY acquired_date"
    )
    assert rows == [("T1", D("0.333333333333"), D(1)), ("T2", D(1), D(5))]


def test_transactions_keyset_pages_match_offset_pages(ctx: AppContext, acct: int) -> None:
    # several rows share a date, so the id breaks ties exactly as ORDER BY does
    add(
        ctx,
        *[
            tx(
                acct,
                f"2024-02-{1 + d // 3:02d}",
                "buy",
                "AAA" if d % 2 else "BBB",
                "1",
                "1",
                "-1",
                note=f"n{d}",
            )
            for d in range(30)
        ],
    )
    whole = ctx.portfolio.transactions(limit=100)
    assert len(whole) == 30
    pages, after = [], None
    while True:
        page = ctx.portfolio.transactions(limit=7, after=after)
        if not page:
            break
        pages += page
        after = (page[-1].date, page[-1].id)
    assert [e.id for e in pages] == [e.id for e in whole]
    # offset counts from the keyset row; filters still apply
    pivot = whole[9]
    assert [
        e.id for e in ctx.portfolio.transactions(limit=3, offset=2, after=(pivot.date, pivot.id))
    ] == [e.id for e in whole[12:15]]
    aaa = [e.id for e in whole if e.symbol == "AAA"]
    first = ctx.portfolio.transactions(symbol="AAA", limit=4)
    rest = ctx.portfolio.transactions(symbol="AAA", limit=100, after=(first[-1].date, first[-1].id))
    assert [e.id for e in first + rest] == aaa


def test_specific_lots_named_on_the_sale(ctx: AppContext) -> None:
    account, _ = ctx.portfolio.create_account(AccountDraft(name="S", lot_method="specific"))
    a = account.id
    add(
        ctx,
        tx(a, "2024-01-02", "buy", "X", "10", "10", "-100", lot_id="CHEAP"),
        tx(a, "2024-01-03", "buy", "X", "10", "30", "-300", lot_id="DEAR"),
        tx(a, "2024-02-01", "sell", "X", "7.5", "20", "150", lot_id="DEAR:5,CHEAP:2.5"),
    )
    lots = {x.lot_id: x for x in ctx.portfolio.lots("X")}
    assert (lots["CHEAP"].quantity, lots["DEAR"].quantity) == (D("7.5"), D(5))
    [h] = ctx.portfolio.holdings("S")
    assert h.realized_gain == D(150) - D(150) - D(25)
    add(ctx, tx(a, "2024-02-02", "sell", "X", "1", "20", "20", lot_id="GONE:1"))
    with pytest.raises(LedgerError, match="names lot 'GONE'"):
        ctx.portfolio.holdings("S")


def test_growth_rates_from_history(ctx: AppContext, acct: int) -> None:
    add(ctx, tx(acct, "2024-01-31", "deposit", amount="100"))
    add(ctx, tx(acct, "2024-02-29", "deposit", amount="10"))
    add(ctx, tx(acct, "2024-03-31", "deposit", amount="22"))
    g = ctx.portfolio.growth(end=date(2024, 3, 31))
    assert [round(p.growth, 9) for p in g.monthly] == [0.1, 0.2]
    assert round(g.monthly[1].acceleration, 9) == 0.1
    assert g.annual == []


def _derived_tables(ctx: AppContext) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    lots = ctx.portfolio_db.fetchall(
        "SELECT account_id, symbol, lot_id, acquired_date, quantity, remaining, cost_basis,"
        " currency, wash_sale_adjustment FROM lots ORDER BY ALL"
    )
    held = ctx.portfolio_db.fetchall(
        "SELECT account_id, symbol, shares, cost_basis, realized_gain, currency, lot_method,"
        " as_of FROM holdings ORDER BY ALL"
    )
    return lots, held


def test_rederive_of_one_account_stores_what_a_full_rederive_stores(ctx: AppContext) -> None:
    """Whole-group (numpy) and row-loop groups side by side: FIFO groups with dividends
    and cash rows, a LIFO account, a split, a lot id, a cash-only group; rederiving the
    account an import touched leaves the tables exactly as rederiving everything."""
    fifo, _ = ctx.portfolio.create_account(AccountDraft(name="F"))
    lifo, _ = ctx.portfolio.create_account(AccountDraft(name="L", lot_method="lifo"))
    for a in (fifo.id, lifo.id):
        add(
            ctx,
            tx(a, "2024-01-01", "deposit", amount="1000"),
            tx(a, "2024-01-02", "buy", "X", "0.333333333333", "3", "-1"),
            tx(a, "2024-01-02", "buy", "X", "2", "5", "-10", fees="0.5"),
            tx(a, "2024-01-03", "dividend", "X", amount="0.25"),
            tx(a, "2024-01-04", "sell", "X", "1", "6", "6"),
            tx(a, "2024-01-05", "interest", amount="0.01"),
            tx(a, "2024-01-05", "fee", amount="2"),
            tx(a, "2024-01-06", "buy", "Y", "3", "7", "-21", lot_id="MINE"),
            tx(a, "2024-01-07", "split", "Y", split_ratio=D(2)),
            tx(a, "2024-01-08", "withdrawal", amount="5"),
            tx(a, "2024-01-09", "buy", "Z", "12345678901234", "1", "-12345678901234"),
        )
    ctx.portfolio.rederive()
    full = _derived_tables(ctx)
    assert len(full[1]) == 6 and {r[0] for r in full[0]} == {fifo.id, lifo.id}
    ctx.portfolio.rederive([fifo.id])
    assert _derived_tables(ctx) == full
    ctx.portfolio.rederive([lifo.id])
    assert _derived_tables(ctx) == full
    big = [r for r in full[0] if r[1] == "Z"]
    assert [r[5] for r in big] == [D("12345678901234")] * 2  # beyond 64-bit units, exact
    x = [r for r in full[1] if r[0] == fifo.id and r[1] == "X"]
    # FIFO: the first lot (0.333.. for 1) and 0.666666666667 of the second (2 for 10) go
    assert x[0][2:5] == (D("1.333333333333"), D("6.666666666665"), D(6) - D("4.333333333335"))
