from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QThreadPool

from portfolioos.gui.main_window import MainWindow
from portfolioos.services.context import AppContext


@pytest.fixture
def window(qtbot, ctx: AppContext) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    # Page workers still reading must finish before the ctx fixture closes the databases.
    QThreadPool.globalInstance().waitForDone(10000)
