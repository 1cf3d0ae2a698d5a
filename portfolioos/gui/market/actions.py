"""Deciding a corporate action Yahoo suggested: confirm it into the ledger, or dismiss it.

The confirmation dialog names exactly the row that will be written (account, type,
symbol, date, amount or ratio, and how the amount was worked out); nothing reaches the
ledger unless the user presses "Write to ledger". The page runs the write itself, in a
worker, after the dialog is accepted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from portfolioos.gui import colors
from portfolioos.gui import format as fmt


def what_is_written(action: Any) -> str:
    """The row in words: '9.60 USD dividend' or '4-for-1 split (ratio 4)'."""
    if action.type == "split":
        return f"{split_text(action)} split (ratio {_plain(action.ratio)})"
    return f"{fmt.money(action.amount, action.currency or 'USD')} dividend"


def split_text(action: Any) -> str:
    from fractions import Fraction

    if action.ratio is None:
        return fmt.DASH
    frac = Fraction(action.ratio).limit_denominator(1000)
    return f"{frac.numerator}-for-{frac.denominator}"


def _plain(value: Any) -> str:
    return format(value.normalize(), "f") if value is not None else fmt.DASH


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class ConfirmActionDialog(QDialog):
    """Shows the ledger row a confirmation adds; accepted only by "Write to ledger"."""

    def __init__(self, action: Any, entry: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.action = action
        self.entry = entry
        self.setObjectName("confirmActionDialog")
        self.setWindowTitle("Write to the ledger?")
        self.setMinimumWidth(460)
        column = QVBoxLayout(self)
        self.summary = QLabel(
            f"Add this row to the ledger of <b>{_escape(action.account or '')}</b>:"
        )
        self.summary.setObjectName("confirmSummary")
        column.addWidget(self.summary)
        form = QFormLayout()
        form.addRow("Type", QLabel(action.type))
        form.addRow("Symbol", QLabel(action.symbol))
        self.date_edit: QDateEdit | None = None
        if action.type == "dividend":
            self.date_edit = QDateEdit(QDate(action.date.year, action.date.month, action.date.day))
            self.date_edit.setObjectName("payDate")
            self.date_edit.setCalendarPopup(True)
            self.date_edit.setDisplayFormat("yyyy-MM-dd")
            self.date_edit.setMinimumDate(
                QDate(action.date.year, action.date.month, action.date.day)
            )
            form.addRow("Date", self.date_edit)
            self.amount = QLabel(fmt.money(action.amount, action.currency or "USD"))
            form.addRow("Amount", self.amount)
            per_share = action.per_share_paid
            places = max(2, -int(per_share.normalize().as_tuple().exponent))
            basis = (
                f"{fmt.money(per_share, action.currency or 'USD', decimals=min(places, 6))} "
                f"per share × {_plain(action.shares)} shares held before the ex-date "
                f"{fmt.date_long(action.date)}"
            )
        else:
            form.addRow("Date", QLabel(action.date.isoformat()))
            self.amount = QLabel(what_is_written(action))
            form.addRow("Split", self.amount)
            basis = f"{_plain(action.shares)} shares become {_plain(action.shares * action.ratio)}"
        self.amount.setObjectName("confirmAmount")
        form.addRow("From", QLabel(basis))
        self.note = QLabel(entry.note)
        self.note.setObjectName("confirmNote")
        self.note.setWordWrap(True)
        form.addRow("Note", self.note)
        column.addLayout(form)
        muted = colors.muted_text(self.palette()).name()
        hint_text = "A broker statement imported later with the same row adds nothing twice."
        if action.type == "dividend":
            hint_text = (
                "Set the date your broker pays it (the pay date) so its statement row, "
                "imported later, matches this one and is not added twice."
            )
        hint_text += " The row is its own import batch: the Transactions page can undo it."
        hint = QLabel(hint_text)
        hint.setWordWrap(True)
        hint.setStyleSheet(f"color: {muted};")
        column.addWidget(hint)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.write_button = self.buttons.addButton(
            "Write to ledger", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.write_button.setObjectName("writeAction")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        column.addWidget(self.buttons)

    def pay_date(self) -> dt.date | None:
        """The date to book a dividend on, when the user moved it off the ex-date."""
        if self.date_edit is None:
            return None
        d = self.date_edit.date()
        chosen = dt.date(d.year(), d.month(), d.day())
        return None if chosen == self.action.date else chosen


class DismissActionDialog(QMessageBox):
    """Asks before a suggestion is dropped for good (the ledger is not touched)."""

    def __init__(self, action: Any, parent: QWidget | None = None) -> None:
        super().__init__(
            QMessageBox.Icon.Question,
            "Dismiss suggestion?",
            f"Stop offering the {action.type} of {action.symbol} on "
            f"{fmt.date_long(action.date)} for {action.account}?\n\n"
            "Nothing is written to the ledger.",
            QMessageBox.StandardButton.Cancel,
            parent,
        )
        self.setObjectName("dismissActionDialog")
        self.dismiss_button = self.addButton("Dismiss", QMessageBox.ButtonRole.AcceptRole)
        self.dismiss_button.setObjectName("dismissConfirmed")
