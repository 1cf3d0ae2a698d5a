"""The Import page against real services on a temporary data folder: preview before any
write, rejected rows with line/column/reason, the mapping editor for unknown layouts,
the import in a worker, the summary, and the other pages seeing the new rows."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal as D
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, QRunnable, Qt, QThreadPool, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from portfolioos.domain.accounts import AccountDraft
from portfolioos.gui.main_window import MainWindow
from portfolioos.gui.pages.importer import PREVIEW_ROWS, ImportPage
from portfolioos.gui.pages.transactions import TransactionsPage
from portfolioos.services.context import AppContext

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "brokers"


@pytest.fixture
def account(ctx: AppContext) -> int:
    acct, _ = ctx.portfolio.create_account(AccountDraft(name="Brokerage", institution="Fidelity"))
    return acct.id


def open_import(qtbot, window: MainWindow, path: Path) -> ImportPage:  # type: ignore[no-untyped-def]
    page = window.show_page("Import")
    assert isinstance(page, ImportPage)
    page.set_file(path)
    page.select_account("Brokerage")
    return page


def preview(qtbot, page: ImportPage) -> None:  # type: ignore[no-untyped-def]
    assert page.start_preview() is not None
    qtbot.waitUntil(lambda: page.task is None, timeout=20_000)


def run_import(qtbot, page: ImportPage) -> None:  # type: ignore[no-untyped-def]
    assert page.import_button.isEnabled()
    assert page.start_import() is not None
    assert page.step == "running"
    qtbot.waitUntil(lambda: page.step == "summary", timeout=30_000)


def test_generic_csv_through_the_wizard(qtbot, window: MainWindow, ctx: AppContext, account: int):  # type: ignore[no-untyped-def]
    page = open_import(qtbot, window, FIXTURES / "generic.csv")
    preview(qtbot, page)
    assert page.step == "preview"
    # the preview is complete and nothing is written yet
    assert (
        "detected Generic" in page.preview_heading.text()
        or "generic" in page.preview_heading.text().lower()
    )
    assert page.preview_model.rowCount() == 12
    assert page.issue_model.rowCount() == 0
    assert ctx.portfolio.transaction_count() == 0

    run_import(qtbot, page)
    result = page.result
    assert result.added == 12 and result.duplicates == 0
    assert result.by_type["buy"] == 2 and result.by_type["split"] == 1
    assert page.card_added.value_label.text() == "12"
    assert page.by_type_model.rowCount() == len(result.by_type)
    holdings = {h.symbol: h for h in ctx.portfolio.holdings()}
    assert holdings["AAPL"].shares == D(60)  # 10 + 10 - 5, then split 4:1
    assert holdings["AAPL"].cost_basis == D("1877.55")
    assert holdings["MSFT"].shares == D(2) and holdings["MSFT"].cost_basis == D(500)
    assert holdings["VTI"].shares == D("0.05")

    # the ledger page (built after the import) fills from the service
    ledger = window.show_page("Transactions")
    assert isinstance(ledger, TransactionsPage)
    qtbot.waitUntil(lambda: ledger.model.total == 12 and not ledger.model.busy, timeout=10_000)
    assert ledger.count_label.text() == "12 transactions"
    assert ledger.batch_model.rowCount() == 1

    # importing the same file again adds nothing and says so
    window.show_page("Import")
    page.set_file(FIXTURES / "generic.csv")
    preview(qtbot, page)
    run_import(qtbot, page)
    assert page.result.added == 0 and page.result.duplicates == 12
    assert "Nothing new" in page.summary_heading.text()
    assert ctx.portfolio.transaction_count() == 12


def test_broker_file_detected_and_ledger_page_refreshed(
    qtbot, window: MainWindow, ctx: AppContext, account: int
):  # type: ignore[no-untyped-def]
    ledger = window.show_page("Transactions")
    assert isinstance(ledger, TransactionsPage)
    qtbot.waitUntil(lambda: not ledger.model.busy, timeout=10_000)
    assert ledger.model.total == 0
    page = open_import(qtbot, window, FIXTURES / "fidelity.csv")
    preview(qtbot, page)
    assert "Fidelity" in page.preview_heading.text()
    assert page.preview_model.rowCount() == 8
    # warnings are listed with their line before anything is written
    lines = {issue.line for issue in page.issue_model.rows}
    assert 12 in lines
    run_import(qtbot, page)
    assert page.result.broker == "fidelity" and page.result.added == 8
    assert page.warning_model.rowCount() == len(page.result.warnings) >= 1
    holdings = {h.symbol: h.shares for h in ctx.portfolio.holdings()}
    assert holdings == {"AAPL": D("5.0148"), "NVDA": D(20)}
    # the broadcast reloads the ledger page when it is shown again
    window.show_page("Transactions")
    qtbot.waitUntil(lambda: ledger.model.total == 8 and not ledger.model.busy, timeout=10_000)
    assert ledger.batch_model.row_at(0).broker == "fidelity"


def test_rejected_rows_are_listed_and_nothing_is_written(
    qtbot, window: MainWindow, ctx: AppContext, account: int, tmp_path: Path
):  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "date,type,symbol,quantity,price,fees,amount,currency\n"
        "2024-01-02,deposit,,,,0,1000,USD\n"
        "2024-01-03,buy,AAPL,ten,100,0,-1000,USD\n"
        "2024-13-01,buy,AAPL,1,100,0,-100,USD\n"
    )
    page = open_import(qtbot, window, bad)
    preview(qtbot, page)
    assert page.step == "preview"
    issues = page.issue_model.rows
    assert {i.line for i in issues} == {3, 4}
    assert any(i.column and "quantity" in i.column.lower() for i in issues)
    assert all(i.message for i in issues)
    assert not page.import_button.isEnabled()
    assert "cannot be read" in page.rejected_label.text()
    assert ctx.portfolio.transaction_count() == 0


def test_unknown_layout_opens_the_mapping_editor_and_saves_the_mapping(
    qtbot, window: MainWindow, ctx: AppContext, account: int, tmp_path: Path
):  # type: ignore[no-untyped-def]
    odd = tmp_path / "mybank.csv"
    odd.write_text(
        "Statement for account 1234\n"
        "\n"
        "When,What,Ticker,Units,Unit cost,Total\n"
        "03/01/2024,Cash in,,,,5000\n"
        "03/04/2024,Purchase,AAPL,10,150,-1500\n"
        "03/05/2024,Purchase,MSFT,2,400,-800\n"
        "04/10/2024,Sale,AAPL,4,160,640\n"
    )
    page = open_import(qtbot, window, odd)
    preview(qtbot, page)
    # detection failed: the service's message, and the way out
    assert page.banner.isVisible()
    assert "not a layout PortfolioOS knows" in page.banner.text()
    assert ctx.portfolio.transaction_count() == 0
    page.banner.action.emit()
    qtbot.waitUntil(lambda: page.step == "mapping", timeout=10_000)
    editor = page.editor
    assert editor.sample.headers == ("When", "What", "Ticker", "Units", "Unit cost", "Total")
    editor.set_field("date", "When")
    editor.set_field("action", "What")
    editor.set_field("symbol", "Ticker")
    editor.set_field("quantity", "Units")
    editor.set_field("price", "Unit cost")
    editor.set_field("amount", "Total")
    editor.date_format.setCurrentText("MM/DD/YYYY")
    assert editor.actions_table.rowCount() == 3  # Cash in, Purchase, Sale
    editor.set_action("Cash in", "deposit")
    editor.set_action("Purchase", "buy")
    editor.set_action("Sale", "sell")
    editor.name.setText("My bank")
    assert page.preview_with_mapping() is not None
    qtbot.waitUntil(lambda: page.task is None, timeout=20_000)
    assert page.step == "preview", page.banner.text()
    assert page.preview_model.rowCount() == 4
    assert [m.name for m in ctx.imports.mappings("Brokerage")] == ["My bank"]
    run_import(qtbot, page)
    assert page.result.added == 4
    assert {h.symbol: h.shares for h in ctx.portfolio.holdings()} == {"AAPL": D(6), "MSFT": D(2)}
    # the saved mapping is offered for the account and recognised next time
    page.reset()
    page.reload_accounts()
    assert page.broker.findData("mapping:My bank") >= 0
    page.set_file(odd)
    preview(qtbot, page)
    assert page.step == "preview" and "My bank" in page.preview_heading.text()


def write_generic(path: Path, rows: int) -> Path:
    """A generic CSV of `rows` buys (distinct days and quantities: no duplicates)."""
    lines = ["date,type,symbol,quantity,price,fees,amount,currency"]
    for i in range(rows):
        day = date(2015, 1, 1) + timedelta(days=i % 3000)
        lines.append(f"{day.isoformat()},buy,S{i % 50:02d},{1 + i % 97},{10 + i % 13}.25,0,,USD")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_cancel_during_the_import_stops_the_worker_and_writes_nothing(
    qtbot, window: MainWindow, ctx: AppContext, account: int, tmp_path: Path
):  # type: ignore[no-untyped-def]
    page = open_import(qtbot, window, write_generic(tmp_path / "big.csv", 5_000))
    preview(qtbot, page)
    assert page.step == "preview" and page.import_button.isEnabled()
    seen: list[str] = []
    # Deterministic timing: the worker waits at its first progress report until the
    # user's click has landed (a small import could otherwise finish before the GUI
    # thread even sees that report), and it cannot start before the gate is wired.
    gate, release = threading.Event(), threading.Event()

    def first_progress(fraction: float, message: str) -> None:
        # The worker is running (it reported): the user clicks Cancel now.
        if not seen:
            seen.append(message)
            QTest.mouseClick(page.progress.cancel_button, Qt.MouseButton.LeftButton)
            gate.set()

    def hold_worker(fraction: float, message: str) -> None:  # in the worker thread
        gate.wait(20)

    class Blocker(QRunnable):
        def run(self) -> None:
            release.wait(20)

    pool = QThreadPool.globalInstance()
    max_threads = pool.maxThreadCount()
    pool.setMaxThreadCount(1)
    try:
        pool.start(Blocker())  # holds the pool's one thread: the import queues behind it
        task = page.start_import()
        assert task is not None and page.step == "running"
        cancelled: list[bool] = []
        task.signals.progress.connect(first_progress)
        task.signals.progress.connect(hold_worker, Qt.ConnectionType.DirectConnection)
        task.signals.cancelled.connect(lambda: cancelled.append(True))
        finished: list[bool] = []
        task.signals.finished.connect(lambda: finished.append(True))
        release.set()
        qtbot.waitUntil(lambda: bool(finished) and page.task is None, timeout=30_000)
    finally:
        release.set()
        gate.set()
        pool.setMaxThreadCount(max_threads)
    assert seen, "the worker never reported progress"
    assert cancelled == [True]  # the worker stopped with Cancelled, not with a result
    assert page.result is None
    assert page.step == "preview"
    assert page.preview_heading.text() == "Import cancelled: nothing was written."
    assert ctx.portfolio.transaction_count() == 0
    assert ctx.imports.batches() == []
    # and the same file still imports afterwards
    run_import(qtbot, page)
    assert page.result.added == 5_000 == ctx.portfolio.transaction_count()


def test_dropping_a_file_on_the_import_page_starts_the_wizard_with_it(
    qtbot, window: MainWindow, ctx: AppContext, account: int
):  # type: ignore[no-untyped-def]
    page = window.show_page("Import")
    assert isinstance(page, ImportPage)
    page.select_account("Brokerage")
    path = FIXTURES / "generic.csv"
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    zone = page.drop_zone
    enter = QDragEnterEvent(
        QPoint(20, 20),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(zone, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        QPointF(20, 20),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(zone, drop)
    assert drop.isAccepted()
    assert page.path == path
    assert zone.file_label.text().startswith("generic.csv")
    assert page.preview_button.isEnabled()
    QTest.mouseClick(page.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.step == "preview", timeout=20_000)
    assert page.preview_model.rowCount() == 12
    assert ctx.portfolio.transaction_count() == 0


def test_a_long_file_previews_its_first_rows_and_counts_them_all(
    qtbot, window: MainWindow, ctx: AppContext, account: int, tmp_path: Path
):  # type: ignore[no-untyped-def]
    path = write_generic(tmp_path / "long.csv", PREVIEW_ROWS + 150)
    whole = ctx.imports.preview(path, account="Brokerage")
    limited = ctx.imports.preview(path, account="Brokerage", limit=10)
    assert limited.total_rows == whole.total_rows == len(whole.rows) == PREVIEW_ROWS + 150
    assert limited.rows == whole.rows[:10]
    page = open_import(qtbot, window, path)
    preview(qtbot, page)
    assert page.preview_model.rowCount() == PREVIEW_ROWS
    assert f"{PREVIEW_ROWS + 150:,} row(s) ready (first {PREVIEW_ROWS:,} shown)" in (
        page.preview_heading.text()
    )
    assert page.preview_model.rows == whole.rows[:PREVIEW_ROWS]
