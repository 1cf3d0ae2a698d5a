"""Interpreter settings that keep the GUI thread's waits short.

Python runs one thread at a time (the GIL). A worker running Python code hands the
interpreter over when another thread has waited `sys.getswitchinterval()` (5 ms by
default), and the GUI thread needs it for every slot, so a busy worker adds up to one
interval to each of them; 1 ms keeps that wait small at a small cost to the worker.

The cyclic garbage collector is the other long hold: a full collection runs in
whichever thread allocated last and walks every tracked object while holding the GIL
(measured here: 90-190 ms while a worker parsed a 100,000-row file, the window frozen
meanwhile). Two measures:
- `freeze_long_lived()` moves what exists now (modules, pages, widgets' wrappers: kept
  for the life of the window) out of the collector's walks; objects freed by reference
  counting are still freed (only cycles among them would stay);
- `worker_started()` / `worker_finished()` (called by gui/workers.Task) put off full
  collections while a worker runs; young collections go on, and the full one waits
  until the workers are done, when little that is new is still alive.

Work cut into slices runs one slice per turn of the event loop with `next_turn`, or
after the paint that the last slice caused with `after_paint`.
"""

from __future__ import annotations

import gc
import logging
import sys
import threading
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

logger = logging.getLogger(__name__)

SWITCH_INTERVAL_S = 0.001
NEXT_TURN_MS = 1
_FULL_COLLECTIONS_OFF = 1_000_000  # generation-2 threshold while a worker runs

_lock = threading.Lock()
_running = 0
_saved_threshold2: int | None = None
_tuned = False
_freeze = False


def tune_interpreter(*, freeze: bool | None = None) -> None:
    """Before a window; `freeze=True` lets `freeze_long_lived` act (one window per
    process, as in the app)."""
    global _tuned, _freeze
    if freeze is not None:
        _freeze = freeze
    if _tuned:
        return
    _tuned = True
    sys.setswitchinterval(SWITCH_INTERVAL_S)


def freeze_long_lived() -> None:
    """Everything alive now lives as long as the window: out of the collector's walks
    (cheap: it moves one list). Only in a process that opted in with
    `tune_interpreter(freeze=True)` (the app; not a test session, whose windows come
    and go and must be collected)."""
    if _freeze:
        gc.freeze()


def worker_started() -> None:
    global _running, _saved_threshold2
    with _lock:
        _running += 1
        if _running == 1:
            t0, t1, t2 = gc.get_threshold()
            _saved_threshold2 = t2
            gc.set_threshold(t0, t1, _FULL_COLLECTIONS_OFF)


def worker_finished() -> None:
    global _running, _saved_threshold2
    with _lock:
        _running = max(0, _running - 1)
        if _running == 0 and _saved_threshold2 is not None:
            t0, t1, _ = gc.get_threshold()
            gc.set_threshold(t0, t1, _saved_threshold2)
            _saved_threshold2 = None


def next_turn(receiver: QObject, slot: Callable[[], None]) -> None:
    """Run `slot` in a later turn of the event loop, behind the timers already due.

    Not `QTimer.singleShot(0, ...)`: that posts an event, and a chain of posted events
    (each slice posting the next, with the repaints each one causes) runs back to
    back while due timers wait (Qt's glib event dispatcher, measured here: the
    Dashboard built in 0 ms steps held every timer for ~190 ms although no step took
    over 35 ms). A 1 ms timer queues the next slice behind the timers already due
    (a heartbeat, a blinking cursor, an animation) at a cost of about 1 ms a slice.
    The slot is dropped if `receiver` is deleted first."""
    QTimer.singleShot(NEXT_TURN_MS, receiver, slot)


class _PaintWatch(QObject):
    """Calls back once, in the turn after `widget`'s next paint (or after a timeout:
    nothing to repaint, or the window was minimised meanwhile)."""

    def __init__(self, widget: QWidget, slot: Callable[[], None], timeout_ms: int) -> None:
        super().__init__(widget)
        self._slot: Callable[[], None] | None = slot
        self._widget = widget
        widget.installEventFilter(self)
        QTimer.singleShot(timeout_ms, self, self._fire)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._widget and event.type() == QEvent.Type.Paint:
            self._widget.removeEventFilter(self)
            # This paint is under way: the posted call runs after it, and the timer it
            # starts then comes due after the timers that fell due while it painted.
            QTimer.singleShot(0, self, lambda: next_turn(self, self._fire))
        return False

    def _fire(self) -> None:
        slot, self._slot = self._slot, None
        if slot is None:
            return
        self._widget.removeEventFilter(self)
        self.deleteLater()
        slot()


def after_paint(widget: QWidget, slot: Callable[[], None], *, timeout_ms: int = 50) -> None:
    """Run `slot` in the turn after `widget` next paints (at most `timeout_ms` later).

    A slice that changes what is on screen is followed by a paint (a posted event),
    and the 1 ms timer of `next_turn`, started before that paint, can come due before
    a timer that falls due during it: the next slice then runs right after the paint
    and shares its frame. Here the next slice's timer starts once the paint is over,
    so each slice and each paint is a frame of its own.
    A hidden widget does not paint: the slot then runs in the next turn. The slot is
    dropped if `widget` is deleted first."""
    if not widget.isVisible():
        next_turn(widget, slot)
        return
    _PaintWatch(widget, slot, timeout_ms)
