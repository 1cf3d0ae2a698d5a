"""Slices of GUI work: a next slice waits behind due timers and behind the paint."""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QLabel

from portfolioos.gui import runtime


def test_next_turn_runs_after_the_timers_already_due(qtbot) -> None:  # type: ignore[no-untyped-def]
    order: list[str] = []
    holder = QObject()
    due = QTimer()
    due.setSingleShot(True)
    due.setInterval(1)
    due.timeout.connect(lambda: order.append("timer"))
    due.start()
    time.sleep(0.005)  # the timer is due now, as a heartbeat is after a long slice
    runtime.next_turn(holder, lambda: order.append("slice"))
    qtbot.waitUntil(lambda: len(order) == 2)
    assert order == ["timer", "slice"]


class Events(QObject):
    def __init__(self, widget: QLabel, order: list[str]) -> None:
        super().__init__(widget)
        self.order = order
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.order.append("paint")
        return False


def shown_label(qtbot, text: str) -> QLabel:  # type: ignore[no-untyped-def]
    """A label on screen with its first paints behind it."""
    label = QLabel(text)
    qtbot.addWidget(label)
    label.show()
    qtbot.waitExposed(label)
    qtbot.wait(50)
    return label


def test_after_paint_runs_once_the_widget_has_painted(qtbot) -> None:  # type: ignore[no-untyped-def]
    label = shown_label(qtbot, "before")
    order: list[str] = []
    Events(label, order)
    label.setText("after")
    runtime.after_paint(label, lambda: order.append("slice"), timeout_ms=5000)
    started = time.perf_counter()
    qtbot.waitUntil(lambda: "slice" in order, timeout=3000)
    assert order[0] == "paint" and order.count("slice") == 1
    assert time.perf_counter() - started < 1.0  # not the timeout


def test_after_paint_does_not_wait_for_a_hidden_widget(qtbot) -> None:  # type: ignore[no-untyped-def]
    label = QLabel("hidden")
    qtbot.addWidget(label)
    called: list[str] = []
    runtime.after_paint(label, lambda: called.append("slice"), timeout_ms=5000)
    qtbot.waitUntil(lambda: bool(called), timeout=1000)


def test_after_paint_gives_up_when_nothing_repaints(qtbot) -> None:  # type: ignore[no-untyped-def]
    label = shown_label(qtbot, "unchanged")
    called: list[float] = []
    started = time.perf_counter()
    runtime.after_paint(label, lambda: called.append(time.perf_counter()), timeout_ms=80)
    qtbot.waitUntil(lambda: bool(called), timeout=2000)
    assert called[0] - started >= 0.07
    qtbot.wait(150)
    assert len(called) == 1
