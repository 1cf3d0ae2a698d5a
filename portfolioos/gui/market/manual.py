"""Entering one price by hand, for an asset Yahoo lacks (a fund NAV, a house).

The dialog calls the service itself on Save so a rejected value ("-3 is not a
positive number") is shown under the form and the user can fix it without retyping.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from portfolioos.errors import PortfolioOSError
from portfolioos.gui import colors
from portfolioos.gui.format import Tone
from portfolioos.services.changes import NOTHING, Changes

if TYPE_CHECKING:
    from portfolioos.services.context import AppContext


class ManualPriceDialog(QDialog):
    def __init__(
        self,
        ctx: AppContext,
        symbol: str = "",
        currency: str = "USD",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.changes: Changes = NOTHING
        self.setWindowTitle("Add a price")
        self.setObjectName("manualPriceDialog")
        form = QFormLayout(self)
        self.symbol = QLineEdit(symbol)
        self.symbol.setObjectName("manualSymbol")
        self.symbol.setPlaceholderText("e.g. VTSAX or MYHOUSE")
        self.date = QDateEdit(QDate.currentDate())
        self.date.setObjectName("manualDate")
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.close_edit = QLineEdit()
        self.close_edit.setObjectName("manualClose")
        self.close_edit.setPlaceholderText("closing price, e.g. 101.25")
        self.currency = QLineEdit(currency or "USD")
        self.currency.setObjectName("manualCurrency")
        self.currency.setMaxLength(3)
        self.currency.setMaximumWidth(80)
        form.addRow("&Symbol", self.symbol)
        form.addRow("&Date", self.date)
        form.addRow("&Close", self.close_edit)
        form.addRow("C&urrency", self.currency)
        hint = QLabel("A price entered here wins over Yahoo's for the same day.")
        hint.setStyleSheet(f"color: {colors.muted_text(self.palette()).name()};")
        hint.setWordWrap(True)
        form.addRow(hint)
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(
            f"color: {colors.tone_color(Tone.NEGATIVE, self.palette()).name()};"
        )
        self.error.hide()
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.buttons = buttons
        if symbol:
            self.close_edit.setFocus()

    def entered_date(self) -> dt.date:
        d = self.date.date()
        return dt.date(d.year(), d.month(), d.day())

    def save(self) -> None:
        try:
            self.changes = self.ctx.market.add_manual_price(
                self.symbol.text(),
                self.entered_date(),
                self.close_edit.text(),
                self.currency.text(),
            )
        except PortfolioOSError as exc:
            self.error.setText(exc.message)
            self.error.show()
            return
        self.accept()
