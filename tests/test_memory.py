"""The allocator tuning (portfolioos/memory.py) takes effect on this glibc Linux box
and is applied once: a second call does not re-run mallopt."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")
def test_keep_freed_memory_takes_effect_once_per_process() -> None:
    code = (
        "from portfolioos import memory\n"
        "first = memory.keep_freed_memory()\n"
        "memory.ctypes = None  # a second call must not touch ctypes again\n"
        "print(first, memory.keep_freed_memory())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["True", "True"]
