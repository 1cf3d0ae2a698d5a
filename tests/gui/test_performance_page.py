"""The Performance page against real services on a temporary data folder."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from portfolioos.gui.main_window import MainWindow
from portfolioos.gui.pages.performance import PerformancePage
from tests.gui.portfolio_data import seed


def _open(qtbot, window: MainWindow) -> PerformancePage:  # type: ignore[no-untyped-def]
    page = window.show_page("Performance")
    assert isinstance(page, PerformancePage)
    qtbot.waitUntil(lambda: not page.loading and page.data is not None, timeout=30000)
    return page


def test_returns_benchmark_and_realized(qtbot, ctx, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    seed(ctx, tmp_path / "in")
    ctx.settings.set("benchmark_symbol", "BBB")
    page = _open(qtbot, window)
    assert page.benchmark.text() == "BBB"
    perf = ctx.portfolio.performance(None, "BBB")
    assert page.card_xirr.value_label.text() == f"{perf.xirr * 100:+.1f}%"
    assert page.card_twr.value_label.text() == f"{perf.twr * 100:+.1f}%"
    rows = page.returns_model.rows
    assert [r.account for r in rows] == ["All accounts", "Taxable", "IRA"]
    assert rows[0].xirr == pytest.approx(perf.xirr)
    assert [r.xirr for r in rows[1:]] == pytest.approx([a.xirr for a in perf.by_account])
    assert page.card_bench.title_label.text() == "Benchmark BBB"
    assert len(page.chart.benchmark_values()) == 4  # BBB's four closes
    # growth path: starts at 0 and ends at the engine's time-weighted return
    assert page.data.growth[0] == 0
    assert page.data.growth[-1] == pytest.approx(perf.twr)
    # realized gains: one long-term sale in 2025 (5 AAA bought at 100, sold at 200)
    [year] = page.years_model.rows
    assert (year.year, year.long_term, year.short_term, year.sales) == (
        2025,
        Decimal(500),
        Decimal(0),
        1,
    )
    [line] = page.lines_model.rows
    assert (line.symbol, line.proceeds, line.cost_basis) == ("AAA", Decimal(1000), Decimal(500))


def test_account_choice_and_missing_benchmark(
    qtbot, ctx, window: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    ids = seed(ctx, tmp_path / "in")
    ctx.settings.set("benchmark_symbol", "NOPE")
    page = _open(qtbot, window)
    # a benchmark without prices: the portfolio's figures still show, the reason too
    assert page.banner.isVisible() and "NOPE" in page.banner.text()
    assert page.card_bench.value_label.text() == "—"
    first = page.data
    page.account.setCurrentIndex(page.account.findData(ids["IRA"]))
    qtbot.waitUntil(lambda: page.data is not first and not page.loading, timeout=30000)
    perf = ctx.portfolio.performance(ids["IRA"])
    assert page.returns_model.rows[0].account == "IRA"
    assert page.returns_model.rows[0].xirr == pytest.approx(perf.xirr)
    assert page.years_model.rows == []
    assert page.no_sales.isVisibleTo(page)
