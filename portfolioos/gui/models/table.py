"""Generic table models over the rows services return (dataclasses, named tuples).

A column is declared once (`Col`: header, attribute or function, formatter, alignment,
tone) and the model answers every role from that: the display text, right alignment
for numbers, a green/red foreground for gains and losses, and a sort key that is the
raw value (so "$9.00" sorts below "$10.00", and dates sort as dates).

`RowTableModel` holds a whole list (holdings, lots, import batches). `PagedTableModel`
holds a window of a long list it pulls page by page through `fetch(offset, limit)`
(the 1,000,000-row ledger).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from portfolioos.gui import colors
from portfolioos.gui import format as fmt
from portfolioos.gui.format import Tone

logger = logging.getLogger(__name__)

SORT_ROLE = Qt.ItemDataRole.UserRole + 1  # a Qt-comparable key (float / int / str)
RAW_ROLE = Qt.ItemDataRole.UserRole + 2  # the raw Python value (Decimal, date, ...)
ROW_ROLE = Qt.ItemDataRole.UserRole + 3  # the whole row object

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
CENTER = Qt.AlignmentFlag.AlignCenter

_INDEX = QModelIndex()


@dataclass(frozen=True)
class Col:
    """One column.

    value:   attribute name of the row, or a function row -> value.
    format:  value -> text (default: `fmt` by type: Decimal/float as number, date ISO).
    align:   default right for numbers, left otherwise.
    tone:    True colours the text by the value's sign; or a function row -> Tone.
    tooltip: optional function row -> text.
    """

    header: str
    value: str | Callable[[Any], Any]
    format: Callable[[Any], str] | None = None
    align: Qt.AlignmentFlag | None = None
    tone: bool | Callable[[Any], Tone] = False
    tooltip: Callable[[Any], str | None] | None = None

    def get(self, row: Any) -> Any:
        if callable(self.value):
            return self.value(row)
        return getattr(row, self.value)

    def text(self, value: Any) -> str:
        if self.format is not None:
            return self.format(value)
        return default_text(value)


def default_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Decimal):
        return fmt.shares(value)
    if isinstance(value, float):
        return fmt.number(value)
    if isinstance(value, int):
        return fmt.number(value, decimals=0)
    if isinstance(value, dt.datetime):
        return fmt.datetime_text(value)
    if isinstance(value, dt.date):
        return fmt.date_text(value)
    if hasattr(value, "value") and isinstance(value.value, str):  # enums
        return str(value.value)
    return str(value)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def sort_key(value: Any) -> Any:
    """A key Qt can compare natively (QSortFilterProxyModel sorts in C++ with it)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() else None
    if isinstance(value, int | float):
        return value
    if isinstance(value, dt.datetime):
        return value.timestamp()
    if isinstance(value, dt.date):
        return value.toordinal()
    if hasattr(value, "value") and isinstance(value.value, str):
        return value.value.casefold()
    return str(value).casefold()


def _python_key(value: Any) -> tuple[int, Any]:
    """Exact ordering for the model's own sort: None last, Decimals compared exactly."""
    if value is None or (isinstance(value, Decimal) and not value.is_finite()):
        return (1, 0)
    if isinstance(value, float) and value != value:
        return (1, 0)
    if is_number(value) or isinstance(value, dt.date):
        return (0, value)
    return (0, sort_key(value))


class _ColumnModel(QAbstractTableModel):
    """Roles answered from a column spec; subclasses own the rows."""

    def __init__(self, columns: Sequence[Col], parent: Any = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self._rows: list[Any] = []

    # -- Qt API ------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _INDEX) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _INDEX) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        column = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.header
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self._alignment(column, None)
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == ROW_ROLE:
            return row
        return cell_data(self.columns[index.column()], row, role, self._alignment)

    def _alignment(self, column: Col, row: Any) -> Any:
        if column.align is not None:
            return column.align
        sample = column.get(row) if row is not None else self._sample(column)
        return RIGHT if is_number(sample) else LEFT

    def _sample(self, column: Col) -> Any:
        for row in self._rows[:20]:
            value = column.get(row)
            if value is not None:
                return value
        return None

    # -- rows --------------------------------------------------------------------------
    @property
    def rows(self) -> list[Any]:
        return list(self._rows)

    def row_at(self, row: int) -> Any:
        return self._rows[row]

    def column_named(self, header: str) -> int:
        for i, column in enumerate(self.columns):
            if column.header == header:
                return i
        raise KeyError(header)


class RowTableModel(_ColumnModel):
    """All rows in memory; sortable by the raw values (click a header)."""

    def __init__(self, columns: Sequence[Col], rows: Sequence[Any] = (), parent: Any = None):
        super().__init__(columns, parent)
        self._rows = list(rows)

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def update_rows(self, rows: Sequence[Any], key: Callable[[Any], Any]) -> None:
        """Replace the rows; when the keys are the same in the same order, only the
        changed rows repaint (targeted dataChanged keeps selection and scroll)."""
        new = list(rows)
        if [key(r) for r in new] != [key(r) for r in self._rows]:
            self.set_rows(new)
            return
        last = len(self.columns) - 1
        for i, (old_row, new_row) in enumerate(zip(self._rows, new, strict=True)):
            if old_row != new_row:
                self._rows[i] = new_row
                self.dataChanged.emit(self.index(i, 0), self.index(i, last))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns):
            return
        spec = self.columns[column]
        self.layoutAboutToBeChanged.emit()
        present = [r for r in self._rows if _python_key(spec.get(r))[0] == 0]
        missing = [r for r in self._rows if _python_key(spec.get(r))[0] == 1]
        present.sort(
            key=lambda r: _python_key(spec.get(r))[1],
            reverse=order == Qt.SortOrder.DescendingOrder,
        )
        self._rows = present + missing  # blanks last in both directions
        self.layoutChanged.emit()


class PagedTableModel(_ColumnModel):
    """A long list pulled page by page as the view scrolls (canFetchMore/fetchMore).

    `fetch(offset, limit) -> list[row]` and `count() -> int` are plain callables (a
    service query). They run synchronously on the GUI thread when the view asks for
    more rows, so one page must stay well inside the 50 ms frame budget (aim ~10 ms).
    benchmarks/gui_components.py measures a 500-row page of a 1,000,000-row DuckDB
    table: 6-14 ms by keyset (`WHERE id >= ? ORDER BY id LIMIT ?`), 7-40 ms by
    OFFSET in the middle of the table, on this shared 2-core machine (best of 5,
    noisy). So: page with a keyset where the service can, and lower `page_size` if a
    query is heavier (the cost is DuckDB's ~5 ms per query plus about linear in rows).
    A page slower than 50 ms is logged as a warning so a regression shows up.
    `count()` is asked once per `set_source`, not per page.

    Sorting is the query's job: `sort()` only emits `sort_requested(column, order)`;
    the page re-queries and calls `set_source` again.
    """

    sort_requested = Signal(int, Qt.SortOrder)
    page_loaded = Signal(int, int)  # offset, rows

    def __init__(
        self,
        columns: Sequence[Col],
        fetch: Callable[[int, int], Sequence[Any]] | None = None,
        count: Callable[[], int] | None = None,
        *,
        page_size: int = 500,
        parent: Any = None,
    ) -> None:
        super().__init__(columns, parent)
        if page_size <= 0:
            raise ValueError("page_size must be positive")
        self.page_size = page_size
        self._fetch: Callable[[int, int], Sequence[Any]] | None = None
        self._total = 0
        self.slowest_page_ms = 0.0
        if fetch is not None and count is not None:
            self.set_source(fetch, count)

    def set_source(
        self, fetch: Callable[[int, int], Sequence[Any]], count: Callable[[], int]
    ) -> None:
        """Start over with a new query (new filter or order): first page loaded now."""
        self.beginResetModel()
        self._fetch = fetch
        self._rows = []
        self._total = max(0, int(count()))
        self.endResetModel()
        if self.canFetchMore(_INDEX):
            self.fetchMore(_INDEX)

    def clear(self) -> None:
        self.beginResetModel()
        self._fetch, self._rows, self._total = None, [], 0
        self.endResetModel()

    @property
    def total(self) -> int:
        """Rows in the whole source (what a "1,000,000 transactions" label shows)."""
        return self._total

    @property
    def loaded(self) -> int:
        return len(self._rows)

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = _INDEX) -> bool:
        return not parent.isValid() and self._fetch is not None and len(self._rows) < self._total

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = _INDEX) -> None:
        if not self.canFetchMore(parent) or self._fetch is None:
            return
        offset = len(self._rows)
        limit = min(self.page_size, self._total - offset)
        started = time.perf_counter()
        page = list(self._fetch(offset, limit))[:limit]
        elapsed_ms = (time.perf_counter() - started) * 1000
        self.slowest_page_ms = max(self.slowest_page_ms, elapsed_ms)
        if elapsed_ms > 50:
            logger.warning(
                "page at offset %d took %.0f ms (keep pages < 10 ms)", offset, elapsed_ms
            )
        if not page:
            # The source shrank since count(): stop asking instead of looping.
            self._total = offset
            return
        self.beginInsertRows(_INDEX, offset, offset + len(page) - 1)
        self._rows.extend(page)
        self.endInsertRows()
        if len(page) < limit:
            self._total = len(self._rows)
        self.page_loaded.emit(offset, len(page))

    def fetch_until(self, row: int) -> None:
        """Load pages until `row` exists (jump to a row found by a search)."""
        while len(self._rows) <= row and self.canFetchMore(_INDEX):
            self.fetchMore(_INDEX)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sort_requested.emit(column, order)


def cell_data(column: Col, row: Any, role: int, alignment: Callable[[Col, Any], Any]) -> Any:
    """What a cell shows for `role`: the one place the column spec becomes Qt data, for
    every table model over `Col` specs (RowTableModel, PagedTableModel, the windowed one)."""
    if role == Qt.ItemDataRole.DisplayRole:
        return column.text(column.get(row))
    if role == SORT_ROLE:
        return sort_key(column.get(row))
    if role == RAW_ROLE:
        return column.get(row)
    if role == Qt.ItemDataRole.TextAlignmentRole:
        return alignment(column, row)
    if role == Qt.ItemDataRole.ForegroundRole and column.tone:
        kind = column.tone(row) if callable(column.tone) else fmt.tone(column.get(row))
        return colors.tone_color(kind) if kind is not Tone.NEUTRAL else None
    if role == Qt.ItemDataRole.ToolTipRole and column.tooltip is not None:
        return column.tooltip(row)
    return None
