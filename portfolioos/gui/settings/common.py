"""Bits the Settings sections share: a table view set up the house way, a result line."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QWidget

from portfolioos.gui import colors
from portfolioos.gui.format import Tone


def table_view(name: str, parent: QWidget | None = None) -> QTableView:
    view = QTableView(parent)
    view.setObjectName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class ResultLabel(QLabel):
    """One line saying how the last action went, green or red."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWordWrap(True)
        self.ok: bool | None = None

    def show_result(self, ok: bool, text: str) -> None:
        self.ok = ok
        color = colors.tone_color(Tone.POSITIVE if ok else Tone.NEGATIVE).name()
        self.setStyleSheet(f"color: {color};")
        self.setText(text)

    def show_info(self, text: str) -> None:
        self.ok = None
        self.setStyleSheet(f"color: {colors.muted_text().name()};")
        self.setText(text)
