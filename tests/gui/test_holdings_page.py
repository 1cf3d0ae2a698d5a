"""The Holdings page against real services on a temporary data folder."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from portfolioos.gui.main_window import MainWindow
from portfolioos.gui.models.table import RAW_ROLE, ROW_ROLE
from portfolioos.gui.pages.holdings import HoldingsPage
from tests.gui.portfolio_data import seed


def _open(qtbot, window: MainWindow) -> HoldingsPage:  # type: ignore[no-untyped-def]
    page = window.show_page("Holdings")
    assert isinstance(page, HoldingsPage)
    qtbot.waitUntil(lambda: not page.loading and page.model.rowCount() > 0, timeout=20000)
    return page


def _rows(page: HoldingsPage) -> dict[tuple[str, str], object]:
    return {(r.account, r.symbol): r for r in page.model.rows}


def test_table_matches_the_engine(qtbot, ctx, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    seed(ctx, tmp_path / "in")
    page = _open(qtbot, window)
    expected = ctx.portfolio.holdings()
    rows = _rows(page)
    assert set(rows) == {(h.account, h.symbol) for h in expected}
    for h in expected:
        row = rows[(h.account, h.symbol)]
        assert row.shares == h.shares
        assert row.cost_basis == h.cost_basis
        assert row.market_value == h.market_value
        assert row.unrealized_gain == h.unrealized_gain
    aaa = rows[("Taxable", "AAA")]
    assert aaa.shares == Decimal(15) and aaa.cost_basis == Decimal(2000)  # FIFO: lot 1 sold
    assert aaa.market_value == Decimal(15 * 210)
    priced = sum(h.market_value for h in expected if h.market_value is not None)
    assert abs(aaa.weight - float(Decimal(3150) / priced)) < 1e-12
    # the unpriced holding shows a dash, and the summary names it
    ccc = next(i for i in range(page.proxy.rowCount()) if page.proxy.index(i, 0).data() == "CCC")
    value_col = page.model.column_named("Market value")
    assert page.proxy.index(ccc, value_col).data() == "—"
    assert "1 unpriced (CCC)" in page.summary.text()
    # display text is formatted money
    row = next(
        i for i in range(page.proxy.rowCount()) if page.proxy.index(i, 0).data(ROW_ROLE) is aaa
    )
    assert page.proxy.index(row, value_col).data() == "$3,150.00"
    assert page.proxy.index(row, page.model.column_named("Unrealized")).data() == "+$1,150.00"


def test_lots_and_method_switch(qtbot, ctx, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ids = seed(ctx, tmp_path / "in")
    page = _open(qtbot, window)
    assert page.select_holding(ids["Taxable"], "AAA")
    qtbot.waitUntil(lambda: page.lots_model.rowCount() == 2, timeout=20000)
    lots = page.lots_model.rows
    assert sorted(lot.quantity for lot in lots) == [Decimal(5), Decimal(10)]
    assert sum(lot.cost_basis for lot in lots) == Decimal(2000)
    assert {str(lot.term) for lot in lots} == {"long"}  # held since 2024
    assert page.lots_title.text() == "Lots of AAA in Taxable (2)"

    page.method.setCurrentIndex(page.method.findData("lifo"))
    qtbot.waitUntil(
        lambda: not page.loading and _rows(page)[("Taxable", "AAA")].cost_basis == Decimal(1750),
        timeout=20000,
    )
    lifo = {(h.account, h.symbol): h for h in ctx.portfolio.holdings(method="lifo")}
    for key, row in _rows(page).items():
        assert row.cost_basis == lifo[key].cost_basis
    # the selection survives the reload and the lots follow the method (lot 2 was sold)
    assert page.selected_holding().symbol == "AAA"
    qtbot.waitUntil(
        lambda: (
            sorted(lot.cost_basis for lot in page.lots_model.rows) == [Decimal(750), Decimal(1000)]
        ),
        timeout=20000,
    )


def test_filter_and_broker_check(qtbot, ctx, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ids = seed(ctx, tmp_path / "in")
    page = _open(qtbot, window)
    page.search.setText("bbb")
    assert page.proxy.rowCount() == 1
    page.search.clear()
    page.account.setCurrentIndex(page.account.findData(ids["IRA"]))
    assert {page.proxy.index(i, 0).data() for i in range(page.proxy.rowCount())} == {"AAA", "CCC"}
    page.account.setCurrentIndex(0)

    positions = tmp_path / "positions.csv"
    positions.write_text("Symbol,Quantity\nAAA,15\nBBB,19\n")
    page.run_check(positions, ids["Taxable"])
    qtbot.waitUntil(lambda: page.banner.isVisible(), timeout=20000)
    assert page.mismatches == {(ids["Taxable"], "BBB"): "shares: ledger 20, broker 19"}
    col = page.model.column_named("Broker check")
    assert not page.table.isColumnHidden(col)
    marks = {
        page.proxy.index(i, 0).data(ROW_ROLE).symbol: page.proxy.index(i, col).data(RAW_ROLE)
        for i in range(page.proxy.rowCount())
    }
    assert marks["BBB"] == "shares: ledger 20, broker 19" and marks["AAA"] == ""
    assert "1 mismatch(es) between Taxable and positions.csv" in page.banner.text()


def test_refreshes_on_ledger_change(qtbot, ctx, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ids = seed(ctx, tmp_path / "in")
    page = _open(qtbot, window)
    before = page.model.rowCount()
    extra = tmp_path / "more.csv"
    extra.write_text(
        "date,type,symbol,quantity,price,fees,amount,currency\n2025-04-01,buy,DDD,1,10,0,-10,USD\n"
    )
    result = ctx.imports.import_file(extra, ids["IRA"], broker="generic")
    window.broadcast(result.changes)
    qtbot.waitUntil(lambda: page.model.rowCount() == before + 1, timeout=20000)
