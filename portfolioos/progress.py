"""Progress and cancel for long operations, with no Qt in sight (Orange's wrap_callback).

A long service call takes `progress: Progress` (fraction 0..1, a short message) and a
`CancelToken`, and calls `token.check()` between chunks. The GUI worker passes a
callback that emits a Qt signal and a token its Cancel button sets; the CLI passes
`no_progress` and a token nobody sets.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from portfolioos.errors import Cancelled

Progress = Callable[[float, str], None]


def no_progress(fraction: float, message: str) -> None:
    """The progress callback for callers that do not show progress."""


class CancelToken:
    """Set from any thread; checked by the worker between chunks."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled()


NEVER_CANCELLED = CancelToken()


def scaled(progress: Progress, start: float, end: float) -> Progress:
    """A callback for a sub-step that fills [start, end] of the parent's bar."""

    def inner(fraction: float, message: str) -> None:
        progress(start + (end - start) * min(max(fraction, 0.0), 1.0), message)

    return inner
