"""Generic table models: roles from a column spec, numeric sort, paging on demand."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QTableView

from portfolioos.gui import format as fmt
from portfolioos.gui.colors import tone_color
from portfolioos.gui.format import Tone
from portfolioos.gui.models.table import (
    RAW_ROLE,
    RIGHT,
    ROW_ROLE,
    SORT_ROLE,
    Col,
    PagedTableModel,
    RowTableModel,
)


@dataclass(frozen=True)
class Row:
    symbol: str
    value: Decimal | None
    gain: Decimal
    acquired: dt.date


ROWS = [
    Row("AAA", Decimal("100.00"), Decimal("-5"), dt.date(2021, 5, 1)),
    Row("BBB", Decimal("9.50"), Decimal("12.3"), dt.date(2023, 1, 2)),
    Row("CCC", None, Decimal("0"), dt.date(2020, 3, 4)),
    Row("DDD", Decimal("10.00"), Decimal("1"), dt.date(2022, 7, 8)),
]

COLUMNS = [
    Col("Symbol", "symbol"),
    Col("Value", "value", fmt.money),
    Col("Gain", "gain", lambda v: fmt.money(v, signed=True), tone=True),
    Col("Acquired", "acquired", fmt.date_text),
    Col("Double", lambda r: r.gain * 2),
]


def column(model: RowTableModel, name: str) -> list[str]:
    c = model.column_named(name)
    return [model.index(r, c).data() for r in range(model.rowCount())]


def test_roles_come_from_the_column_spec(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = RowTableModel(COLUMNS, ROWS)
    qtmodeltester.check(model)
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Value"
    assert column(model, "Value") == ["$100.00", "$9.50", "—", "$10.00"]
    assert column(model, "Double") == ["-10", "24.6", "0", "2"]  # Decimal default: shares style
    value = model.index(0, 1)
    assert value.data(Qt.ItemDataRole.TextAlignmentRole) == RIGHT
    assert model.index(0, 0).data(Qt.ItemDataRole.TextAlignmentRole) != RIGHT
    assert (
        model.headerData(1, Qt.Orientation.Horizontal, Qt.ItemDataRole.TextAlignmentRole) == RIGHT
    )
    assert value.data(RAW_ROLE) == Decimal("100.00")
    assert value.data(SORT_ROLE) == 100.0
    assert model.index(0, 3).data(SORT_ROLE) == dt.date(2021, 5, 1).toordinal()
    assert model.index(1, 0).data(ROW_ROLE) is ROWS[1]
    loss = model.index(0, 2).data(Qt.ItemDataRole.ForegroundRole)
    gain = model.index(1, 2).data(Qt.ItemDataRole.ForegroundRole)
    assert loss == tone_color(Tone.NEGATIVE) and gain == tone_color(Tone.POSITIVE)
    assert model.index(2, 2).data(Qt.ItemDataRole.ForegroundRole) is None  # zero: plain


def test_sorting_by_money_is_numeric_with_blanks_last(qtbot) -> None:  # type: ignore[no-untyped-def]
    model = RowTableModel(COLUMNS, ROWS)
    model.sort(1, Qt.SortOrder.AscendingOrder)
    assert column(model, "Value") == ["$9.50", "$10.00", "$100.00", "—"]
    model.sort(1, Qt.SortOrder.DescendingOrder)
    assert column(model, "Value") == ["$100.00", "$10.00", "$9.50", "—"]
    model.sort(3, Qt.SortOrder.AscendingOrder)
    assert column(model, "Symbol") == ["CCC", "AAA", "DDD", "BBB"]


def test_a_sort_proxy_sorts_numerically_through_the_sort_role(qtbot) -> None:  # type: ignore[no-untyped-def]
    model = RowTableModel(COLUMNS, [r for r in ROWS if r.value is not None])
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    proxy.sort(1, Qt.SortOrder.AscendingOrder)
    texts = [proxy.index(r, 1).data() for r in range(proxy.rowCount())]
    assert texts == ["$9.50", "$10.00", "$100.00"]  # as text "$10.00" < "$100.00" < "$9.50"


def test_update_rows_repaints_only_changed_rows(qtbot) -> None:  # type: ignore[no-untyped-def]
    model = RowTableModel(COLUMNS, ROWS)
    changed: list[tuple[int, int]] = []
    resets: list[bool] = []
    model.dataChanged.connect(lambda a, b, *_: changed.append((a.row(), b.row())))
    model.modelReset.connect(lambda: resets.append(True))
    new = list(ROWS)
    new[1] = Row("BBB", Decimal("11.00"), Decimal("12.3"), dt.date(2023, 1, 2))
    model.update_rows(new, key=lambda r: r.symbol)
    assert changed == [(1, 1)] and not resets
    assert model.index(1, 1).data() == "$11.00"
    model.update_rows(new[:2], key=lambda r: r.symbol)
    assert resets == [True] and model.rowCount() == 2


class Ledger:
    """A 1,000,000-row source computed on the fly (no storage), counting calls."""

    def __init__(self, total: int = 1_000_000) -> None:
        self.total = total
        self.calls: list[tuple[int, int]] = []

    def count(self) -> int:
        return self.total

    def fetch(self, offset: int, limit: int) -> list[Row]:
        self.calls.append((offset, limit))
        end = min(offset + limit, self.total)
        return [
            Row(f"S{i}", Decimal(i) / 100, Decimal(i % 7 - 3), dt.date(2020, 1, 1))
            for i in range(offset, end)
        ]


def test_paged_model_loads_pages_on_demand(qtbot, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    ledger = Ledger()
    model = PagedTableModel(COLUMNS, ledger.fetch, ledger.count, page_size=500)
    assert model.total == 1_000_000
    assert model.rowCount() == 500 and ledger.calls == [(0, 500)]
    assert model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 1000 and ledger.calls[-1] == (500, 500)
    model.fetch_until(2_345)
    assert model.rowCount() == 2_500
    assert model.index(2_345, 0).data() == "S2345"
    assert model.slowest_page_ms < 1000
    qtmodeltester.check(model)


def test_paged_model_behind_a_view_fetches_when_scrolled_to_the_end(qtbot) -> None:  # type: ignore[no-untyped-def]
    ledger = Ledger()
    model = PagedTableModel(COLUMNS, ledger.fetch, ledger.count, page_size=500)
    view = QTableView()
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.setModel(model)
    view.show()
    qtbot.waitExposed(view)
    loaded = model.rowCount()
    assert loaded < 2_000  # a view does not pull the whole ledger
    view.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() > loaded, timeout=3000)
    assert all(limit == 500 for _, limit in ledger.calls)


def test_set_source_resets_and_a_shrunk_source_stops_fetching(qtbot) -> None:  # type: ignore[no-untyped-def]
    ledger = Ledger(total=1_200)
    model = PagedTableModel(COLUMNS, page_size=500)
    assert model.rowCount() == 0 and not model.canFetchMore()
    model.set_source(ledger.fetch, ledger.count)
    assert model.rowCount() == 500
    ledger.total = 700  # rows deleted (an import undone) after count() was read
    model.fetchMore()
    model.fetchMore()
    assert model.rowCount() == 700 and not model.canFetchMore()
    small = Ledger(total=3)
    model.set_source(small.fetch, small.count)
    assert model.rowCount() == 3 and model.total == 3 and small.calls == [(0, 3)]


def test_paged_model_delegates_sorting_to_the_query(qtbot) -> None:  # type: ignore[no-untyped-def]
    model = PagedTableModel(COLUMNS, Ledger(10).fetch, Ledger(10).count)
    with qtbot.waitSignal(model.sort_requested) as blocker:
        model.sort(1, Qt.SortOrder.DescendingOrder)
    assert blocker.args == [1, Qt.SortOrder.DescendingOrder]
    with pytest.raises(ValueError, match="page_size"):
        PagedTableModel(COLUMNS, page_size=0)
