"""The Transactions page over real services: the ledger fills, filters change the count,
undo removes a batch (and the holdings follow), exports write files; the windowed model
pages deep into a longer ledger by keyset and shows the same rows as the service."""

from __future__ import annotations

import csv
import json
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from portfolioos.domain.accounts import AccountDraft
from portfolioos.domain.ledger import LedgerEntry, TxType, with_fingerprints
from portfolioos.gui.main_window import MainWindow
from portfolioos.gui.models.table import ROW_ROLE
from portfolioos.gui.models.windowed import PLACEHOLDER, WindowedTableModel
from portfolioos.gui.pages.transactions import TransactionsPage, ledger_columns
from portfolioos.services.context import AppContext
from portfolioos.storage.ledger_store import LedgerStore

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "brokers"


@pytest.fixture
def seeded(ctx: AppContext) -> dict[str, int]:
    """Two accounts: generic.csv (12 rows) in Brokerage, fidelity.csv (8 rows) in IRA."""
    brokerage, _ = ctx.portfolio.create_account(AccountDraft(name="Brokerage"))
    ira, _ = ctx.portfolio.create_account(AccountDraft(name="IRA", type="roth_ira"))
    a = ctx.imports.import_file(FIXTURES / "generic.csv", "Brokerage")
    b = ctx.imports.import_file(FIXTURES / "fidelity.csv", "IRA")
    assert (a.added, b.added) == (12, 8)
    return {"brokerage": brokerage.id, "ira": ira.id, "batch_a": a.batch_id, "batch_b": b.batch_id}


def ledger(qtbot, window: MainWindow) -> TransactionsPage:  # type: ignore[no-untyped-def]
    page = window.show_page("Transactions")
    assert isinstance(page, TransactionsPage)
    settle(qtbot, page)
    return page


def settle(qtbot, page: TransactionsPage) -> None:  # type: ignore[no-untyped-def]
    qtbot.wait(300)  # the filter bar's debounce
    qtbot.waitUntil(lambda: not page.model.busy, timeout=10_000)


def test_ledger_fills_and_filters_change_the_count(
    qtbot, seeded: dict[str, int], window: MainWindow, ctx: AppContext
):  # type: ignore[no-untyped-def]
    page = ledger(qtbot, window)
    assert page.model.total == 20
    assert page.count_label.text() == "20 transactions"
    rows = page.visible_rows()
    assert [r.id for r in rows] == [e.id for e in ctx.portfolio.transactions(limit=100)]
    assert rows[0].date >= rows[-1].date  # newest first
    # the table shows formatted cells
    model = page.model
    first = model.index(0, model.column_named("Date"))
    assert model.data(first) == rows[0].date.isoformat()

    page.set_filters(account=seeded["ira"])
    settle(qtbot, page)
    assert page.model.total == 8 == ctx.portfolio.transaction_count(account="IRA")
    assert page.count_label.text() == "8 transactions match the filters"
    assert {r.account_id for r in page.visible_rows()} == {seeded["ira"]}

    page.set_filters(account=None, symbol="AAPL")
    settle(qtbot, page)
    assert page.model.total == ctx.portfolio.transaction_count(symbol="AAPL") > 0
    assert {r.symbol for r in page.visible_rows()} == {"AAPL"}

    page.set_filters(symbol="", type="buy")
    settle(qtbot, page)
    assert page.model.total == 4  # 2 generic + 2 fidelity
    assert {r.type for r in page.visible_rows()} == {TxType.BUY}

    page.set_filters(type=None, search="old broker")  # a note in generic.csv
    settle(qtbot, page)
    assert page.model.total == 1
    assert page.visible_rows()[0].symbol == "MSFT"

    page.set_filters(search="", date_from=date(2023, 6, 1), date_to=date(2023, 6, 30))
    settle(qtbot, page)
    expected = ctx.portfolio.transaction_count(start=date(2023, 6, 1), end=date(2023, 6, 30))
    assert page.model.total == expected > 0

    page.filter_bar.clear()
    settle(qtbot, page)
    assert page.model.total == 20


def test_undo_a_batch_from_the_page(
    qtbot, seeded: dict[str, int], window: MainWindow, ctx: AppContext
):  # type: ignore[no-untyped-def]
    page = ledger(qtbot, window)
    assert page.batch_model.rowCount() == 2
    assert {h.symbol for h in ctx.portfolio.holdings(account="Brokerage")} == {
        "AAPL",
        "MSFT",
        "VTI",
    }
    page.select_batch(seeded["batch_a"])
    assert page.undo_button.isEnabled()
    task = page.undo_selected(ask=False)
    assert task is not None
    qtbot.waitUntil(lambda: page.undo_task is None, timeout=20_000)
    settle(qtbot, page)
    # the broadcast reloaded the page: rows, count and batch status follow
    assert page.model.total == 8
    assert ctx.portfolio.holdings(account="Brokerage") == []
    assert {h.symbol for h in ctx.portfolio.holdings(account="IRA")} == {"AAPL", "NVDA"}
    undone = next(b for b in page.batch_model.rows if b.id == seeded["batch_a"])
    assert undone.undone_at is not None
    page.select_batch(seeded["batch_a"])
    assert not page.undo_button.isEnabled()  # an undone batch cannot be undone twice
    assert "Removed 12" in page.last_message


def test_exports_write_files(
    qtbot, seeded: dict[str, int], window: MainWindow, ctx: AppContext, tmp_path: Path
):  # type: ignore[no-untyped-def]
    page = ledger(qtbot, window)
    page.set_filters(account=seeded["brokerage"], type="buy")
    settle(qtbot, page)
    results: list[object] = []
    out = tmp_path / "tx.csv"
    assert page.exporter.export("transactions", out, on_done=results.append, confirm=False)
    qtbot.waitUntil(lambda: bool(results), timeout=10_000)
    with out.open(newline="") as f:
        data = [r for r in csv.reader(f) if r and not r[0].startswith("#")]
    header, body = data[0], data[1:]
    assert len(body) == 2 == results[0].rows  # type: ignore[attr-defined]
    assert {r[header.index("type")] for r in body} == {"buy"}
    assert "2 rows" in page.exporter.last_message and str(out) in page.exporter.last_message

    # the search text narrows the file exactly as it narrows the table
    page.set_filters(account=seeded["brokerage"], type="buy", search="twice")
    settle(qtbot, page)
    assert page.model.rowCount() == 1
    searched: list[object] = []
    assert page.exporter.export("transactions", out, on_done=searched.append, confirm=False)
    qtbot.waitUntil(lambda: bool(searched), timeout=10_000)
    with out.open(newline="") as f:
        data = [r for r in csv.reader(f) if r and not r[0].startswith("#")]
    assert [r[data[0].index("note")] for r in data[1:]] == ["same trade twice"]

    # every kind from the main window's File > Export (simulation needs a planner run)
    exporter = window.exporter
    for kind, name in (("holdings", "h.csv"), ("realized", "r.csv"), ("portfolio", "p.json")):
        done: list[object] = []
        assert exporter.export(kind, tmp_path / name, on_done=done.append, confirm=False)
        qtbot.waitUntil(lambda d=done: bool(d), timeout=20_000)
        assert (tmp_path / name).stat().st_size > 0
    doc = json.loads((tmp_path / "p.json").read_text())
    assert len(doc["transactions"]) == 20
    assert exporter.export("simulation", tmp_path / "s.csv", confirm=False) is None
    assert "Planner" in exporter.last_message
    assert [a.text() for a in exporter.menu(window).actions()] == [
        "Holdings (CSV)…",
        "Transactions (CSV)…",
        "Realized gains (CSV)…",
        "Simulation percentiles (CSV)…",
        "Full portfolio (JSON)…",
    ]


def test_windowed_model_pages_by_keyset_deep_in_the_ledger(qtbot, ctx: AppContext):  # type: ignore[no-untyped-def]
    acct, _ = ctx.portfolio.create_account(AccountDraft(name="Big"))
    entries = [
        LedgerEntry(
            account_id=acct.id,
            date=date(2020, 1, 1 + (i % 28)),
            type=TxType.DEPOSIT,
            symbol=None,
            quantity=None,
            price=None,
            amount=D(i),
            fees=D(0),
            currency="USD",
            note=f"row {i}",
        )
        for i in range(1_050)
    ]
    LedgerStore(ctx.portfolio_db).add_entries(with_fingerprints(entries))
    expected = ctx.portfolio.transactions(limit=2_000)
    calls: list[tuple[int, object]] = []

    def fetch(offset: int, limit: int, after: object) -> list[LedgerEntry]:
        calls.append((offset, after))
        return ctx.portfolio.transactions(offset=offset, limit=limit, after=after)  # type: ignore[arg-type]

    model = WindowedTableModel(
        ledger_columns({acct.id: "Big"}), key=lambda e: (e.date, e.id), page_size=100, max_pages=4
    )
    model.set_source(fetch, lambda: ctx.portfolio.transaction_count())
    qtbot.waitUntil(lambda: model.total == 1_050 and not model.busy, timeout=10_000)
    # an unloaded row answers with a placeholder and schedules its page
    assert model.data(model.index(1_049, 0)) == PLACEHOLDER
    qtbot.waitUntil(lambda: not model.busy, timeout=10_000)
    assert model.data(model.index(1_049, 0), ROW_ROLE).id == expected[-1].id
    assert calls[-1] == (1_000, None)  # page 10 without page 9 loaded: by offset
    model.ensure_row(950)
    qtbot.waitUntil(lambda: not model.busy, timeout=10_000)
    model.ensure_row(850)  # page 8 then 9: 9 follows a loaded page 8 by keyset
    qtbot.waitUntil(lambda: not model.busy, timeout=10_000)
    assert model.row_at(850).id == expected[850].id
    # scrolling to the end loads pages newest first; at most 4 pages kept in memory
    for row in range(0, 1_050, 100):
        model.ensure_row(row)
        qtbot.waitUntil(lambda: not model.busy, timeout=10_000)
    assert len(model.loaded_pages()) == 4
    assert [model.row_at(r).id for r in range(700, 1_050)] == [e.id for e in expected[700:]]
    keyset = [c for c in calls if c[1] is not None]
    assert keyset and all(offset == 0 for offset, _ in keyset)


def test_a_dragged_scroll_bar_reads_only_the_pages_it_stops_on(qtbot):  # type: ignore[no-untyped-def]
    """With `settle_ms`, a burst of page requests (a drag across the ledger) waits until
    the view stops asking; then the newest is read first, and the pages passed on the
    way beyond the queue are never read."""
    from portfolioos.gui.models.table import Col

    rows = list(range(10_000))
    offsets: list[int] = []

    def fetch(offset: int, limit: int, after: object) -> list[int]:
        offsets.append(offset)
        return rows[offset : offset + limit]

    model = WindowedTableModel([Col("N", lambda r: r)], page_size=100, queue_limit=2, settle_ms=80)
    model.set_source(fetch, lambda: len(rows))
    qtbot.waitUntil(lambda: model.total == 10_000 and not model.busy, timeout=10_000)
    assert offsets == [0]
    for row in range(500, 9_600, 500):  # 19 pages passed in one drag
        model.ensure_row(row)
    assert model.busy and offsets == [0]  # nothing read while the view moves
    qtbot.waitUntil(lambda: not model.busy, timeout=10_000)
    assert offsets == [0, 9_500, 9_000]  # the page stopped on first, then the queue
    assert model.row_at(9_599) == 9_599
    # a view repainting the same unloaded rows (every 10 ms) does not hold its page back
    for _ in range(30):
        model.data(model.index(5_050, 0))
        qtbot.wait(10)
        if 5_000 in offsets:
            break
    assert offsets[-1] == 5_000
