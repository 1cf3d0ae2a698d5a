"""Keep freed memory in the process for the next bulk operation (glibc only).

The ledger's bulk paths (an import, the engine's rebuild, the window's million-row
reads) allocate and free tens of large numpy and Python buffers in a row. glibc hands
every block over 128 KB straight back to the kernel on free(), so the next read of the
same size page-faults and has the kernel zero it again: on this project's 2-core test
machine that was 0.4-0.6 s of kernel time in a 1M-row import. Raising the mmap
threshold and the trim threshold keeps such blocks in the heap for reuse, at the cost
of a resident set that shrinks later (at most `_KEEP` bytes of free heap are kept).
Nothing here is needed for correctness; on other C libraries it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys

logger = logging.getLogger(__name__)

_M_TRIM_THRESHOLD = -1
_M_TOP_PAD = -2
_M_MMAP_THRESHOLD = -3
_MMAP_THRESHOLD = 32 * 1024 * 1024  # glibc's largest allowed value on 64-bit
_KEEP = 256 * 1024 * 1024
_done = False


def keep_freed_memory() -> bool:
    """Tune glibc malloc once per process; True when it took effect."""
    global _done
    if _done or not sys.platform.startswith("linux"):
        return _done
    _done = True
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl and others: nothing to tune
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    ok = all(
        mallopt(param, value) == 1
        for param, value in (
            (_M_MMAP_THRESHOLD, _MMAP_THRESHOLD),
            (_M_TRIM_THRESHOLD, _KEEP),
            (_M_TOP_PAD, 16 * 1024 * 1024),
        )
    )
    logger.debug("malloc tuned for bulk reuse: %s", ok)
    return ok
