"""One writer per data folder.

DuckDB allows a single writing process per file, and two PortfolioOS windows on the
same ledger would silently race. The app and every CLI command that writes hold an
OS-level lock on `portfolioos.lock`; the OS drops it when the process dies, even by
SIGKILL, so a crash never leaves a stale lock behind.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import TracebackType
from typing import IO

from portfolioos.errors import DataFolderLockedError

LOCKED_MESSAGE = "PortfolioOS is already open with this data folder"


class DataFolderLock:
    """An exclusive, non-blocking, process-lifetime lock on a data folder."""

    def __init__(self, lock_path: Path) -> None:
        self.path = lock_path
        self._handle: IO[str] | None = None

    @property
    def held(self) -> bool:
        return self._handle is not None

    def acquire(self) -> DataFolderLock:
        if self._handle is not None:
            return self
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the process lifetime
        try:
            _lock_exclusive(handle)
        except OSError:
            handle.close()
            raise DataFolderLockedError(f"{LOCKED_MESSAGE} ({self.path.parent}).") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._handle = handle
        return self

    def release(self) -> None:
        if self._handle is None:
            return
        try:
            _unlock(self._handle)
        finally:
            self._handle.close()
            self._handle = None

    def __enter__(self) -> DataFolderLock:
        return self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


if sys.platform == "win32":
    import msvcrt

    def _lock_exclusive(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock_exclusive(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
