"""The Accounts page against the real service on a real data folder."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from portfolioos.domain.accounts import AccountDraft
from portfolioos.gui.main_window import MainWindow
from portfolioos.gui.pages.accounts import AccountDialog, AccountsPage


def _page(window: MainWindow) -> AccountsPage:
    page = window.show_page("Accounts")
    assert isinstance(page, AccountsPage)
    return page


def _save(qtbot, dialog: AccountDialog) -> None:  # type: ignore[no-untyped-def]
    box = dialog.findChild(QDialogButtonBox)
    qtbot.mouseClick(box.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)


def test_add_account_through_the_dialog(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    page = _page(window)
    assert page.empty_hint.isVisibleTo(page)
    dialog = page.add()
    qtbot.keyClicks(dialog.name, "Taxable at Fidelity")
    dialog.type.setCurrentIndex(dialog.type.findData("brokerage"))
    qtbot.keyClicks(dialog.institution, "Fidelity")
    _save(qtbot, dialog)
    assert not dialog.isVisible()
    assert page.model.rowCount() == 1
    assert page.proxy.index(0, 0).data() == "Taxable at Fidelity"
    assert [a.name for a in window.ctx.portfolio.list_accounts()] == ["Taxable at Fidelity"]
    assert not page.empty_hint.isVisibleTo(page)


def test_validation_message_stays_in_the_dialog(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.ctx.portfolio.create_account(AccountDraft(name="Roth"))
    page = _page(window)
    page.reload()
    dialog = page.add()
    qtbot.keyClicks(dialog.name, "roth")
    _save(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.error.text() == "An account named 'roth' already exists."
    dialog.name.clear()
    dialog.currency.setText("E")
    _save(qtbot, dialog)
    assert dialog.error.text() == "Account name must not be empty."
    dialog.reject()


def test_edit_and_delete(qtbot, window: MainWindow, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    window.ctx.portfolio.create_account(AccountDraft(name="Old"))
    page = _page(window)
    page.reload()
    page.table.selectRow(0)
    dialog = page.edit_selected()
    assert dialog is not None
    dialog.name.setText("New")
    dialog.wash.setChecked(True)
    _save(qtbot, dialog)
    [account] = window.ctx.portfolio.list_accounts()
    assert (account.name, account.track_wash_sales) == ("New", True)
    assert page.proxy.index(0, 0).data() == "New"

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    page.table.selectRow(0)
    page.delete_selected()
    assert window.ctx.portfolio.list_accounts() == []
    assert page.model.rowCount() == 0


def test_window_remembers_page_and_geometry(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    first = MainWindow(ctx)
    qtbot.addWidget(first)
    first.show()
    first.resize(780, 560)
    first.show_page("Settings")
    first.close()
    second = MainWindow(ctx)
    qtbot.addWidget(second)
    assert second.current_page is not None and second.current_page.title == "Settings"
    assert (second.width(), second.height()) == (780, 560)
