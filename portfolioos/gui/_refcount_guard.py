"""Keep None/True/False alive under PySide6 6.12.0 on Python 3.11.

PySide6/shiboken6 6.12.0 returns None from every void method (setText, update,
repaint, processEvents, ...) without taking a reference, and likewise drops
references to True/False. Measured here: 100 `QLabel.setText()` calls lower
`sys.getrefcount(None)` by 99 (6.11.3: no change). None starts at a few thousand
references, so after a few seconds of repainting a chart the interpreter aborts with
"Fatal Python error: none_dealloc". Python 3.12 made these objects immortal (PEP 683),
which is why the bug is invisible there.

The real fix is a PySide6 without the bug (pyproject excludes 6.12); this guard does
what 3.12 does for the three singletons: it raises their reference counts far out of
reach, which is harmless because they are never deallocated anyway.
"""

from __future__ import annotations

import ctypes
import sys

_HEADROOM = 1 << 40


def protect_singletons() -> None:
    if sys.version_info >= (3, 12) or getattr(protect_singletons, "done", False):
        return
    for obj in (None, True, False):
        count = ctypes.c_ssize_t.from_address(id(obj))  # ob_refcnt is the first field
        count.value += _HEADROOM
    protect_singletons.done = True  # type: ignore[attr-defined]
