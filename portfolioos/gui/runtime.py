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
"""

from __future__ import annotations

import gc
import logging
import sys
import threading

logger = logging.getLogger(__name__)

SWITCH_INTERVAL_S = 0.001
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
