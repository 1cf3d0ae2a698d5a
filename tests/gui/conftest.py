from __future__ import annotations

from collections.abc import Iterator

import pytest

from portfolioos.gui.main_window import MainWindow
from portfolioos.services.context import AppContext


@pytest.fixture
def window(qtbot, ctx: AppContext) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    # Pages load in workers (the Dashboard starts as soon as the window opens): let
    # them finish before the test's data folder is closed under them.
    from PySide6.QtCore import QThreadPool

    QThreadPool.globalInstance().waitForDone(30000)
