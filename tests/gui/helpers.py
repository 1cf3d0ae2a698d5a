"""Small helpers for page tests."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox


def answer_next_box(yes: bool = True) -> None:
    """Click Yes/No on the next modal message box (confirm() runs its own event loop)."""

    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click)
            return
        button = box.button(
            QMessageBox.StandardButton.Yes if yes else QMessageBox.StandardButton.No
        )
        button.click()

    QTimer.singleShot(20, click)
