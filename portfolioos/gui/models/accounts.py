"""Accounts as a table: one row per `Account`, columns named by an IntEnum."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from portfolioos.domain.accounts import Account

ACCOUNT_ROLE = Qt.ItemDataRole.UserRole + 1

_TYPE_LABELS = {
    "brokerage": "Brokerage",
    "ira": "IRA",
    "roth_ira": "Roth IRA",
    "401k": "401(k)",
    "hsa": "HSA",
    "529": "529 plan",
    "checking": "Checking",
    "savings": "Savings",
    "crypto": "Crypto",
    "other": "Other",
}


def type_label(value: str) -> str:
    return _TYPE_LABELS.get(value, value)


class Column(IntEnum):
    NAME = 0
    TYPE = 1
    INSTITUTION = 2
    CURRENCY = 3
    LOT_METHOD = 4
    WASH_SALES = 5
    NOTES = 6


HEADERS = {
    Column.NAME: "Name",
    Column.TYPE: "Type",
    Column.INSTITUTION: "Institution",
    Column.CURRENCY: "Currency",
    Column.LOT_METHOD: "Lot method",
    Column.WASH_SALES: "Wash sales",
    Column.NOTES: "Notes",
}


class AccountsModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self._rows: list[Account] = []

    def set_accounts(self, accounts: list[Account]) -> None:
        self.beginResetModel()
        self._rows = list(accounts)
        self.endResetModel()

    def account_at(self, row: int) -> Account:
        return self._rows[row]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[Column(section)]
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        account = self._rows[index.row()]
        column = Column(index.column())
        if role == ACCOUNT_ROLE:
            return account
        if role == Qt.ItemDataRole.DisplayRole:
            return {
                Column.NAME: account.name,
                Column.TYPE: type_label(account.type.value),
                Column.INSTITUTION: account.institution,
                Column.CURRENCY: account.currency,
                Column.LOT_METHOD: account.lot_method.value.upper()
                if account.lot_method.value != "average"
                else "Average",
                Column.WASH_SALES: "Tracked" if account.track_wash_sales else "—",
                Column.NOTES: account.notes,
            }[column]
        if role == Qt.ItemDataRole.ToolTipRole and column == Column.NOTES:
            return account.notes or None
        return None
