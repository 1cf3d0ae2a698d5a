"""What every page has: a title, a reference to the services, a refresh hook."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from portfolioos.services.changes import Changes
from portfolioos.services.context import AppContext


class Page(QWidget):
    title = "Page"
    shortcut = ""
    # A page that writes emits the service's Changes; the main window broadcasts them.
    changed = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName(f"page-{self.title.lower()}")
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(24, 18, 24, 18)
        self.layout_.setSpacing(12)
        heading = QLabel(self.title)
        heading.setObjectName("pageTitle")
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        heading.setFont(font)
        self.layout_.addWidget(heading)

    def on_changes(self, changes: Changes) -> None:
        """Refresh what depends on `changes`; pages override."""

    def on_shown(self) -> None:
        """Called each time the page becomes visible; load lazily here."""
