"""The one background-task pattern: a QRunnable that runs a plain function.

The function is called as `fn(*args, progress=..., cancel=..., **kwargs)` when it takes
those keywords (services' long operations do), otherwise as `fn(*args, **kwargs)`.
Results, errors and progress cross back to the GUI thread only through the signals of
a QObject carrier (Picard's rule: never touch a widget from a worker thread).
Cancel is cooperative: `Task.cancel()` sets the token the function checks between
chunks; the function raises `Cancelled`, which arrives as the `cancelled` signal.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from portfolioos.errors import Cancelled, PortfolioOSError
from portfolioos.gui import runtime
from portfolioos.progress import CancelToken

logger = logging.getLogger(__name__)


class TaskSignals(QObject):
    progress = Signal(float, str)
    result = Signal(object)
    error = Signal(str)  # the user-safe message
    cancelled = Signal()
    finished = Signal()


class Task(QRunnable):
    def __init__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the Python object owns it; Qt must not delete it under us
        self.fn = fn
        self.args = args
        self.kwargs = kwargs
        self.token = CancelToken()
        self.signals = TaskSignals()
        self.name = getattr(fn, "__qualname__", repr(fn))
        try:
            params = inspect.signature(fn).parameters
        except (TypeError, ValueError):
            params = {}  # type: ignore[assignment]
        if "progress" in params:
            self.kwargs.setdefault("progress", self._emit_progress)
        if "cancel" in params:
            self.kwargs.setdefault("cancel", self.token)

    def _emit_progress(self, fraction: float, message: str) -> None:
        self.signals.progress.emit(float(fraction), message)

    def cancel(self) -> None:
        self.token.cancel()

    def run(self) -> None:
        runtime.worker_started()
        try:
            result = self.fn(*self.args, **self.kwargs)
        except Cancelled:
            self._emit(self.signals.cancelled)
        except PortfolioOSError as exc:
            logger.info("task %s failed: %s", self.name, exc.message)
            self._emit(self.signals.error, exc.message)
        except Exception as exc:
            logger.exception("task %s crashed", self.name)
            self._emit(
                self.signals.error,
                f"Unexpected error ({type(exc).__name__}); details are in the log.",
            )
        else:
            self._emit(self.signals.result, result)
        finally:
            runtime.worker_finished()
            self._emit(self.signals.finished)

    def _emit(self, signal: Any, *args: Any) -> None:
        """Emit, unless the application is shutting down and took the carrier with it
        (a task still running at exit has nobody left to tell)."""
        try:
            signal.emit(*args)
        except RuntimeError as exc:
            logger.debug("task %s: result dropped at shutdown: %s", self.name, exc)


_running: set[Task] = set()


def _guarded(callback: Callable[..., Any]) -> Callable[..., Any]:
    """Run a callback; if the widget it updates was deleted meanwhile, drop the update.

    The callback still runs (its bookkeeping, such as clearing a page's running-task
    field, happens); only Qt's "already deleted" error from touching the dead widget is
    swallowed, and logged.
    """

    def call(*args: Any) -> None:
        try:
            callback(*args)
        except RuntimeError as exc:
            if "already deleted" not in str(exc):
                raise
            logger.debug("result for a deleted widget dropped: %s", exc)

    return call


def run_task(
    fn: Callable[..., Any],
    *args: Any,
    on_result: Callable[[Any], None] | None = None,
    on_error: Callable[[str], None] | None = None,
    on_progress: Callable[[float, str], None] | None = None,
    on_cancelled: Callable[[], None] | None = None,
    on_finished: Callable[[], None] | None = None,
    pool: QThreadPool | None = None,
    **kwargs: Any,
) -> Task:
    """Start `fn` on the global thread pool and wire the callbacks (run on the GUI thread).

    A page closed while its load was still running must not crash when the result
    arrives: see `_guarded`.
    """
    task = Task(fn, *args, **kwargs)
    for signal, callback in (
        (task.signals.result, on_result),
        (task.signals.error, on_error),
        (task.signals.progress, on_progress),
        (task.signals.cancelled, on_cancelled),
        (task.signals.finished, on_finished),
    ):
        if callback is not None:
            signal.connect(_guarded(callback))
    _running.add(task)
    task.signals.finished.connect(lambda: _running.discard(task))
    (pool or QThreadPool.globalInstance()).start(task)
    return task
