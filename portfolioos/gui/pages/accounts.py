"""Accounts: list, add, edit, delete (with the ledger-rows warning)."""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QWidget,
)

from portfolioos.domain.accounts import Account, AccountDraft, AccountType, LotMethod
from portfolioos.errors import PortfolioOSError
from portfolioos.gui.dialogs import confirm, show_error
from portfolioos.gui.models.accounts import AccountsModel, Column, type_label
from portfolioos.gui.pages.base import Page
from portfolioos.services.changes import Changes


class AccountDialog(QDialog):
    """Create or edit an account; the service validates, errors show under the form."""

    def __init__(self, page: AccountsPage, account: Account | None = None) -> None:
        super().__init__(page)
        self.page = page
        self.account = account
        self.setWindowTitle("Edit account" if account else "New account")
        self.setObjectName("accountDialog")
        form = QFormLayout(self)
        self.name = QLineEdit(account.name if account else "")
        self.name.setPlaceholderText("e.g. Fidelity brokerage")
        self.type = QComboBox()
        for t in AccountType:
            self.type.addItem(type_label(t.value), t.value)
        self.institution = QLineEdit(account.institution if account else "")
        self.currency = QLineEdit(
            account.currency if account else page.ctx.settings.get("base_currency")
        )
        self.currency.setMaxLength(3)
        self.lot_method = QComboBox()
        for m in LotMethod:
            self.lot_method.addItem(
                m.value.upper() if m != LotMethod.AVERAGE else "Average cost", m.value
            )
        self.wash = QCheckBox("Track US wash sales")
        self.notes = QLineEdit(account.notes if account else "")
        if account:
            self.type.setCurrentIndex(self.type.findData(account.type.value))
            self.lot_method.setCurrentIndex(self.lot_method.findData(account.lot_method.value))
            self.wash.setChecked(account.track_wash_sales)
        else:
            default = page.ctx.settings.get("default_lot_method")
            self.lot_method.setCurrentIndex(max(0, self.lot_method.findData(default)))
        form.addRow("&Name", self.name)
        form.addRow("&Type", self.type)
        form.addRow("&Institution", self.institution)
        form.addRow("&Currency", self.currency)
        form.addRow("&Lot method", self.lot_method)
        form.addRow("", self.wash)
        form.addRow("N&otes", self.notes)
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setStyleSheet("color: #c0392b;")
        self.error.setWordWrap(True)
        self.error.hide()
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.saved: Account | None = None

    def draft(self) -> AccountDraft:
        return AccountDraft(
            name=self.name.text(),
            type=self.type.currentData(),
            institution=self.institution.text(),
            currency=self.currency.text(),
            notes=self.notes.text(),
            lot_method=self.lot_method.currentData(),
            track_wash_sales=self.wash.isChecked(),
        )

    def save(self) -> None:
        draft = self.draft()
        try:
            if self.account is None:
                self.saved, changes = self.page.ctx.accounts.create_account(draft)
            else:
                self.saved, changes = self.page.ctx.accounts.update_account(
                    self.account.id,
                    name=draft.name,
                    type=draft.type,
                    institution=draft.institution,
                    currency=draft.currency,
                    notes=draft.notes,
                    lot_method=draft.lot_method,
                    track_wash_sales=draft.track_wash_sales,
                )
        except PortfolioOSError as exc:
            self.error.setText(exc.message)
            self.error.show()
            return
        self.page.changed.emit(changes)
        self.accept()


class AccountsPage(Page):
    title = "Accounts"
    shortcut = "Ctrl+9"

    def __init__(self, ctx, parent: QWidget | None = None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx, parent)
        bar = QHBoxLayout()
        self.add_button = QPushButton("&Add account…")
        self.add_button.setShortcut(QKeySequence.StandardKey.New)
        self.edit_button = QPushButton("&Edit…")
        self.delete_button = QPushButton("&Delete…")
        for b in (self.add_button, self.edit_button, self.delete_button):
            bar.addWidget(b)
        bar.addStretch(1)
        self.layout_.addLayout(bar)

        self.model = AccountsModel()
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.table = QTableView()
        self.table.setObjectName("accountsTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(Column.NAME, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _: self.edit_selected())
        self.layout_.addWidget(self.table, 1)
        self.empty_hint = QLabel("No accounts yet. Add one to import transactions into it.")
        self.empty_hint.setObjectName("emptyHint")
        self.layout_.addWidget(self.empty_hint)

        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.reload()

    def reload(self) -> None:
        self.model.set_accounts(self.ctx.accounts.list_accounts())
        self.table.resizeColumnsToContents()
        self.empty_hint.setVisible(self.model.rowCount() == 0)
        self._update_buttons()

    def selected(self) -> Account | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.account_at(self.proxy.mapToSource(rows[0]).row())

    def _update_buttons(self) -> None:
        has = self.selected() is not None
        self.edit_button.setEnabled(has)
        self.delete_button.setEnabled(has)

    def on_changes(self, changes: Changes) -> None:
        if changes.accounts:
            self.reload()

    def add(self) -> AccountDialog:
        dialog = AccountDialog(self)
        dialog.open()
        return dialog

    def edit_selected(self) -> AccountDialog | None:
        account = self.selected()
        if account is None:
            return None
        dialog = AccountDialog(self, account)
        dialog.open()
        return dialog

    def delete_selected(self) -> None:
        account = self.selected()
        if account is None:
            return
        try:
            count = self.ctx.accounts.ledger_rows(account.id)
            text = f"Delete the account '{account.name}'?"
            if count:
                text += (
                    f"\n\nIt has {count:,} transaction(s). They, and the lots, holdings and "
                    "snapshots derived from them, will be deleted too."
                )
            if not confirm(self, "Delete account", text):
                return
            changes = self.ctx.accounts.delete_account(account.id, force=bool(count))
        except PortfolioOSError as exc:
            show_error(self, exc.message)
            return
        self.changed.emit(changes)
