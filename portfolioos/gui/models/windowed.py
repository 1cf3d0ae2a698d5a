"""A table over a list too long to hold or to page through from the top: the ledger.

`PagedTableModel` (gui/models/table.py) appends pages as the view scrolls, so reaching
row 1,000,000 means loading every row before it, on the GUI thread. This model reports
the whole row count at once (the scroll bar is right from the first frame) and fetches
only the pages the view paints, in a worker: a page of a million-row DuckDB ledger costs
40-250 ms on this machine, far over the GUI thread's budget. Until a page arrives its
rows show a placeholder; when it does, one `dataChanged` repaints them.

At most `max_pages` pages stay in memory (least recently used go first), one fetch runs
at a time, and a view scrolled past a page before its turn never fetches it: requests
are served newest first and dropped when they fall behind.

`fetch(offset, limit, anchor)` is a plain callable run on a worker thread. `anchor` is
`key(row)` of the row just before `offset` when that row is loaded (so the source can
page by keyset instead of OFFSET), else None. `count()` also runs in the worker.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal

from portfolioos.gui.models.table import (
    RAW_ROLE,
    ROW_ROLE,
    SORT_ROLE,
    Col,
    _ColumnModel,
    cell_data,
)
from portfolioos.gui.workers import Task, run_task

logger = logging.getLogger(__name__)

_INDEX = QModelIndex()
PLACEHOLDER = "…"
# The roles this model answers; a view asks for a dozen per cell and each question is a
# call into Python, so the rest are refused before any work.
_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.ToolTipRole,
        SORT_ROLE,
        RAW_ROLE,
        ROW_ROLE,
    }
)

Fetch = Callable[[int, int, Any], Sequence[Any]]


class WindowedTableModel(_ColumnModel):
    """Row count known up front, rows fetched by page in a worker when painted."""

    counted = Signal(int)  # total rows of a new source
    page_loaded = Signal(int, int)  # offset, rows
    failed = Signal(str)

    def __init__(
        self,
        columns: Sequence[Col],
        *,
        key: Callable[[Any], Any] | None = None,
        page_size: int = 500,
        max_pages: int = 40,
        queue_limit: int = 3,
        settle_ms: int = 0,
        parent: Any = None,
    ) -> None:
        super().__init__(columns, parent)
        # A scroll bar dragged across a million rows asks for a page at every step;
        # with `settle_ms`, a request waits until the view has stopped asking that
        # long, so the database reads the pages the view stops on, not the ones it
        # passes (each read deep in the ledger costs a worker 0.2-1 s of CPU).
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(max(0, settle_ms))
        self._settle.timeout.connect(self._next)
        self.settle_ms = max(0, settle_ms)
        if page_size <= 0:
            raise ValueError("page_size must be positive")
        self.page_size = page_size
        self.max_pages = max(2, max_pages)
        self.queue_limit = max(1, queue_limit)
        self.key = key
        self._fetch: Fetch | None = None
        self._total = 0
        self._pages: OrderedDict[int, list[Any]] = OrderedDict()
        # Display text per cell, formatted in the worker with the page: a repaint then
        # costs one tuple lookup per cell instead of formatting on the GUI thread.
        self._texts: dict[int, list[tuple[str, ...]]] = {}
        self._wanted: OrderedDict[int, None] = OrderedDict()  # newest last
        self._inflight: int | None = None
        self._generation = 0
        self._count_pending = False
        self.fetch_ms: list[float] = []  # worker time per page (for benchmarks)

    # -- source -----------------------------------------------------------------------
    def set_source(self, fetch: Fetch, count: Callable[[], int]) -> Task:
        """Start over with a new query; the count and the first page load in a worker."""
        self._generation += 1
        generation = self._generation
        self._fetch = fetch
        self._wanted.clear()
        page_size = self.page_size

        def first() -> tuple[int, list[Any]]:
            total = max(0, int(count()))
            rows = list(fetch(0, min(page_size, total), None)) if total else []
            return total, rows, self._render(rows)

        def done(result: tuple[int, list[Any], list[tuple[str, ...]]]) -> None:
            if generation != self._generation:
                return
            self._count_pending = False
            total, rows, texts = result
            self.beginResetModel()
            self._total = total
            self._pages.clear()
            self._texts.clear()
            if rows:
                self._pages[0] = rows
                self._texts[0] = texts
            self.endResetModel()
            self.counted.emit(total)
            self._next()

        def failed(message: str) -> None:
            if generation == self._generation:
                self._count_pending = False
            self._failed(generation, message)

        self._count_pending = True
        return run_task(first, on_result=done, on_error=failed)

    def hold(self) -> None:
        """A new source is on its way (its filters are being read): busy until
        `set_source` or `clear`, and no page requests meanwhile (nor old answers)."""
        self._generation += 1
        self._wanted.clear()
        self._count_pending = True

    def clear(self) -> None:
        self._generation += 1
        self.beginResetModel()
        self._fetch, self._total = None, 0
        self._count_pending = False
        self._pages.clear()
        self._texts.clear()
        self._wanted.clear()
        self.endResetModel()

    @property
    def total(self) -> int:
        return self._total

    @property
    def busy(self) -> bool:
        """A count or a page is being fetched."""
        return self._inflight is not None or bool(self._wanted) or self._count_pending

    def loaded_pages(self) -> list[int]:
        return sorted(self._pages)

    # -- Qt API -----------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _INDEX) -> int:
        return 0 if parent.isValid() else self._total

    def row_at(self, row: int) -> Any:
        """The row object, or None while its page is not loaded."""
        page = self._pages.get(row // self.page_size)
        if page is None:
            return None
        offset = row % self.page_size
        return page[offset] if offset < len(page) else None

    @property
    def rows(self) -> list[Any]:
        """The loaded rows in order (not the whole source)."""
        return [r for p in sorted(self._pages) for r in self._pages[p]]

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role not in _ROLES or not index.isValid() or index.row() >= self._total:
            return None
        number = index.row() // self.page_size
        page = self._pages.get(number)
        if page is None:
            self.request(number)
            if role == Qt.ItemDataRole.DisplayRole and index.column() == 0:
                return PLACEHOLDER
            return None
        self._pages.move_to_end(number)
        offset = index.row() % self.page_size
        if offset >= len(page):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._texts[number][offset][index.column()]
        return self._role(page[offset], index.column(), role)

    def _render(self, rows: list[Any]) -> list[tuple[str, ...]]:
        """Display texts of a page (runs in the worker; column specs are pure)."""
        columns = self.columns
        return [tuple(c.text(c.get(row)) for c in columns) for row in rows]

    def _role(self, row: Any, col: int, role: int) -> Any:
        if role == ROW_ROLE:
            return row
        return cell_data(self.columns[col], row, role, self._alignment)

    def _sample(self, column: Col) -> Any:
        for page in self._pages.values():
            for row in page[:20]:
                value = column.get(row)
                if value is not None:
                    return value
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """The source's order is the order (the ledger is newest first)."""

    # -- fetching ---------------------------------------------------------------------
    def request(self, number: int) -> None:
        if (
            self._fetch is None
            or self._count_pending
            or number in self._pages
            or number == self._inflight
        ):
            return
        new = number not in self._wanted
        self._wanted.pop(number, None)
        self._wanted[number] = None
        while len(self._wanted) > self.queue_limit:
            self._wanted.popitem(last=False)  # the view has moved on from the oldest
        if self._inflight is None:
            if not self.settle_ms:
                self._next()
            elif new or not self._settle.isActive():
                # Restarted by each page new to the queue (the view moved on), not by
                # repaints asking again for the pages already waiting.
                self._settle.start()

    def ensure_row(self, row: int) -> None:
        """Fetch the page holding `row` (tests, jump-to-row)."""
        if 0 <= row < self._total:
            self.request(row // self.page_size)

    def _next(self) -> None:
        if self._inflight is not None or not self._wanted or self._fetch is None:
            return
        number, _ = self._wanted.popitem(last=True)
        if number in self._pages:
            self._next()
            return
        self._inflight = number
        generation = self._generation
        fetch = self._fetch
        offset = number * self.page_size
        limit = min(self.page_size, self._total - offset)
        anchor = None
        previous = self._pages.get(number - 1)
        if self.key is not None and previous and len(previous) == self.page_size:
            anchor = self.key(previous[-1])

        def job() -> tuple[list[Any], list[tuple[str, ...]], float]:
            started = time.perf_counter()
            rows = list(fetch(0 if anchor is not None else offset, limit, anchor))[:limit]
            return rows, self._render(rows), (time.perf_counter() - started) * 1000

        def done(result: tuple[list[Any], list[tuple[str, ...]], float]) -> None:
            rows, texts, elapsed = result
            self._inflight = None
            if generation == self._generation:
                self.fetch_ms.append(elapsed)
                self._store(number, rows, texts)
            if not self._settle.isActive():  # else the view is still moving: it will
                self._next()

        def failed(message: str) -> None:
            self._inflight = None
            self._failed(generation, message)

        run_task(job, on_result=done, on_error=failed)

    def _store(self, number: int, rows: list[Any], texts: list[tuple[str, ...]]) -> None:
        self._pages[number] = rows
        self._texts[number] = texts
        while len(self._pages) > self.max_pages:
            dropped, _ = self._pages.popitem(last=False)
            self._texts.pop(dropped, None)
        if not rows:
            return
        first = number * self.page_size
        last = min(first + len(rows), self._total) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(self.columns) - 1))
        self.page_loaded.emit(first, len(rows))

    def _failed(self, generation: int, message: str) -> None:
        if generation == self._generation:
            logger.info("ledger page failed: %s", message)
            self.failed.emit(message)
