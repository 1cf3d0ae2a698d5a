"""PySide6 6.12.0 drops a reference to None on every void call; the GUI package guards it."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtWidgets import QLabel

import portfolioos.gui  # noqa: F401  (installs the guard)


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from 3.12 on")
def test_none_survives_many_void_calls(qtbot) -> None:  # type: ignore[no-untyped-def]
    label = QLabel()
    qtbot.addWidget(label)
    assert sys.getrefcount(None) > 2**39
    # None starts with a few thousand references: without the guard, 6.12.0 aborts the
    # interpreter ("none_dealloc") well before the end of this loop.
    for i in range(20_000):
        label.setText(str(i))
    assert label.text() == "19999"
