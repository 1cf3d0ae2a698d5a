"""The Planner page against the real SimulationService on a temp data folder."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import Qt

from portfolioos.gui import format as fmt
from portfolioos.gui.pages.planner import PlannerPage

PLAN: dict[str, Any] = {
    "initial_portfolio": 1_000_000,
    "years": 25,
    "trials": 3_000,
    "seed": 7,
    "allocation": {"stocks": 0.7, "bonds": 0.3, "cash": 0.0},
    "returns": {
        "model": "lognormal",
        "stocks": {"mean": 0.07, "stdev": 0.16},
        "bonds": {"mean": 0.03, "stdev": 0.06},
    },
    "inflation": {"model": "stochastic", "rate": 0.025, "stdev": 0.01},
    "withdrawal": {"strategy": "guyton_klinger", "initial_rate": 0.05, "cut": 0.15},
    "life_events": [
        {"type": "expense", "year": 4, "amount": 60_000},
        {"type": "social_security", "year": 8, "amount": 20_000, "end_year": 20},
    ],
}


@pytest.fixture
def page(qtbot, window) -> Iterator[PlannerPage]:  # type: ignore[no-untyped-def]
    planner = window.show_page("Planner")
    assert isinstance(planner, PlannerPage)
    # The first show starts a preview of the default plan; let it land.
    qtbot.waitUntil(lambda: planner.last_result is not None, timeout=20_000)
    yield planner
    # Leave no simulation running into the next test's data folder.
    qtbot.waitUntil(
        lambda: planner.preview_task is None and planner.run_state != "running", timeout=30_000
    )


def _load(page: PlannerPage, plan: dict[str, Any], *, live: bool = False) -> None:
    page.live.setChecked(live)
    page.form.set_plan(plan)


def _run(qtbot, page: PlannerPage) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.run_state != "running", timeout=30_000)
    assert page.run_state == "done", page.banner.text()


def test_a_plan_runs_and_the_fan_chart_shows_the_services_percentiles(qtbot, page, ctx):  # type: ignore[no-untyped-def]
    _load(page, PLAN)
    _run(qtbot, page)
    expected = ctx.simulation.run(ctx.simulation.parse_plan(PLAN))
    qtbot.waitUntil(lambda: not page.results.pending(), timeout=5_000)
    drawn = page.results.fan_data()
    assert page.results.real  # today's dollars by default
    for p in (5, 10, 25, 50, 75, 90, 95):
        np.testing.assert_allclose(drawn[p], expected.percentiles_real[f"p{p}"], rtol=1e-12)
    assert page.results.success_card.value_label.text() == fmt.percent(expected.success_rate)
    assert page.results.fan.success_rate == pytest.approx(expected.success_rate)

    page.results.nominal_button.click()
    qtbot.waitUntil(lambda: not page.results.pending(), timeout=5_000)
    drawn = page.results.fan_data()
    for p in (5, 50, 95):
        np.testing.assert_allclose(drawn[p], expected.percentiles[f"p{p}"], rtol=1e-12)
    # The other charts draw the same result.
    np.testing.assert_allclose(
        page.results.depletion._data["ran short"][1][1:], expected.depletion_probability
    )
    np.testing.assert_allclose(
        page.results.histogram.shares, expected.terminal_histogram["shares"], rtol=1e-12
    )


def test_cancel_stops_a_big_run_and_the_page_says_so(qtbot, page):  # type: ignore[no-untyped-def]
    _load(page, {**PLAN, "trials": 2_000_000})
    before = page.last_result
    qtbot.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
    assert page.progress.isVisible()
    qtbot.waitUntil(lambda: page.progress.fraction() > 0, timeout=30_000)
    qtbot.mouseClick(page.progress.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.run_state != "running", timeout=30_000)
    assert page.run_state == "cancelled"
    assert page.banner.isVisible() and "Cancelled" in page.banner.text()
    assert not page.progress.isVisible()
    assert page.last_result is before  # the earlier result stays on screen
    assert page.run_button.isEnabled()


def test_invalid_input_shows_the_fields_message_and_highlights_it(qtbot, page):  # type: ignore[no-untyped-def]
    form = page.form
    page.live.setChecked(True)
    form.bonds.set_fraction(0.5)  # 60 + 50 = 110%
    assert form.error.isVisible()
    assert form.error.text().startswith("allocation:")
    assert "must sum to 1" in form.error.text()
    assert {form.stocks, form.bonds, form.cash} <= set(form.marked())
    assert page.current_plan() is None
    qtbot.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
    assert page.run_state == "idle"  # nothing started

    form.bonds.set_fraction(0.4)
    assert not form.error.isVisible() and form.marked() == []

    row = form.events.add_event({"type": "expense", "year": 45, "amount": 1000})
    assert "life_events[0].year" in form.error.text() and "0..29" in form.error.text()
    assert form.marked() == [form.events.widget_at(row, 1)]  # the Year cell


def test_strategy_switch_shows_that_strategys_fields(page):  # type: ignore[no-untyped-def]
    form = page.form
    layout = form.withdrawal_form

    def visible(rows: list[Any]) -> bool:
        return all(layout.isRowVisible(widget) for _label, widget, _key in rows)

    def hidden(rows: list[Any]) -> bool:
        return not any(layout.isRowVisible(widget) for _label, widget, _key in rows)

    form.strategy.setCurrentIndex(form.strategy.findData("vpw"))
    assert visible(form.vpw_rows) and hidden(form.gk_rows) and hidden(form.fc_rows)
    form.strategy.setCurrentIndex(form.strategy.findData("floor_ceiling"))
    assert visible(form.fc_rows) and hidden(form.vpw_rows)
    form.model.setCurrentIndex(form.model.findData("historical"))
    assert not form.returns_form.isRowVisible(form.correlation)
    plan = page.current_plan()
    assert plan is not None and plan.withdrawal.strategy.value == "floor_ceiling"
    assert plan.returns.model.value == "historical"


def test_save_load_duplicate_round_trip(qtbot, page, ctx):  # type: ignore[no-untyped-def]
    _load(page, PLAN)
    page.name_edit.setText("Base")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    saved = ctx.simulation.scenario("Base")
    assert saved == ctx.simulation.parse_plan({**PLAN, "name": "Base"})

    page.form.set_plan({**PLAN, "years": 40, "life_events": []})  # edit, then load back
    assert page.load_scenario("Base")
    assert page.current_plan() == saved
    big_seed = {**PLAN, "seed": 2**62 + 1}  # beyond 32 bits: kept exactly
    page.form.set_plan(big_seed)
    assert page.form.plan()["seed"] == 2**62 + 1
    page.form.set_plan(PLAN)

    copy = page.duplicate_scenario("Base")
    assert copy == "Base copy"
    assert [s.name for s in ctx.simulation.list_scenarios()] == ["Base", "Base copy"]
    assert ctx.simulation.scenario("Base copy") == ctx.simulation.parse_plan(
        {**PLAN, "name": "Base copy"}
    )
    assert page.duplicate_scenario("Base") == "Base copy 2"
    names = [page.scenarios.itemText(i) for i in range(page.scenarios.count())]
    assert names == ["Base", "Base copy", "Base copy 2"]
    assert page.delete_scenario("Base copy 2", ask=False)
    assert [s.name for s in ctx.simulation.list_scenarios()] == ["Base", "Base copy"]


def test_sensitivity_and_grid_produce_charts(qtbot, page, ctx):  # type: ignore[no-untyped-def]
    plan = {**PLAN, "trials": 1_000, "life_events": []}
    _load(page, plan)
    page.sensitivity.picker.select("withdrawal_rate", "3, 4.5, 6")
    qtbot.mouseClick(page.sensitivity.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.run_state != "running", timeout=30_000)
    assert page.run_state == "done"
    xs, ys = page.sensitivity.chart._data["success rate"]
    np.testing.assert_allclose(xs, [0.03, 0.045, 0.06])
    expected = ctx.simulation.sensitivity(
        ctx.simulation.parse_plan(plan), "withdrawal_rate", [0.03, 0.045, 0.06]
    )
    np.testing.assert_allclose(ys, [p.result.success_rate for p in expected])
    assert page.sensitivity.chart.reference.isVisible()  # the plan's own 5% is marked
    assert page.sensitivity.chart.reference.value() == pytest.approx(0.05)

    page.grid.x_picker.select("withdrawal_rate", "3, 6")
    page.grid.y_picker.select("equity_share", "40, 80")
    qtbot.mouseClick(page.grid.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.run_state != "running", timeout=30_000)
    assert page.run_state == "done"
    heat = page.grid.heatmap
    assert heat.grid.shape == (2, 2)
    assert page.grid.grid is not None
    assert heat.cell_text(0, 1) == fmt.percent(page.grid.grid.success_rate[0][1], decimals=0)
    assert heat.grid[0][0] >= heat.grid[0][1]  # 3% withdrawals succeed at least as often


def test_compare_two_saved_scenarios_side_by_side(qtbot, page, ctx):  # type: ignore[no-untyped-def]
    small = {**PLAN, "trials": 1_000}
    ctx.simulation.save_scenario(
        "Cautious",
        ctx.simulation.parse_plan(
            {**small, "withdrawal": {"strategy": "constant_dollar", "initial_rate": 0.035}}
        ),
    )
    ctx.simulation.save_scenario(
        "Bold",
        ctx.simulation.parse_plan(
            {**small, "withdrawal": {"strategy": "constant_dollar", "initial_rate": 0.06}}
        ),
    )
    page.reload_scenarios()
    page.compare.check(["Cautious", "Bold"])
    qtbot.mouseClick(page.compare.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.run_state != "running", timeout=30_000)
    assert page.run_state == "done"
    rows = {r.name: r for r in page.compare.model.rows}
    assert set(rows) == {"Cautious", "Bold"}
    assert rows["Cautious"].success_rate > rows["Bold"].success_rate
    assert set(page.compare.chart._data) == {"Cautious", "Bold"}
    bold = ctx.simulation.run("Bold")
    np.testing.assert_allclose(page.compare.chart._data["Bold"][1], bold.percentiles_real["p50"])


def test_export_writes_the_percentile_paths(qtbot, page, tmp_path: Path):  # type: ignore[no-untyped-def]
    _load(page, PLAN)
    _run(qtbot, page)
    (tmp_path / "out").mkdir()
    target = page.export_csv(tmp_path / "out" / "plan")
    assert target == tmp_path / "out" / "plan.csv"
    with target.open(newline="") as handle:
        # the export's metadata comes first as "# key: value" lines
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    result = page.last_result
    assert result is not None
    assert len(rows) == result.years + 1
    assert float(rows[10]["value_p50"]) == pytest.approx(result.percentiles["p50"][10], abs=0.01)
    assert float(rows[-1]["depletion_probability"]) == pytest.approx(
        result.depletion_probability[-1], abs=1e-6
    )
    assert rows[-1]["spending_p50"] == ""  # no withdrawal after the last year
    assert list(target.parent.iterdir()) == [target]  # no temp file left behind


def test_an_edit_reruns_the_preview_once_after_the_debounce(qtbot, page):  # type: ignore[no-untyped-def]
    page.live.setChecked(True)
    first = page.last_result
    drawn: list[int] = []
    page.preview_drawn.connect(lambda: drawn.append(1))
    for rate in (0.05, 0.055, 0.06):  # three quick edits: one preview, of the last plan
        page.form.initial_rate.set_fraction(rate)
    assert page.preview_task is None  # nothing runs before the debounce
    qtbot.waitUntil(lambda: len(drawn) == 1, timeout=20_000)
    qtbot.wait(400)
    assert len(drawn) == 1
    assert page.last_result is not first
    assert page.last_result.success_rate < first.success_rate  # 6% withdrawals
    assert page.last_result.trials == 10_000


def test_a_new_preview_cancels_the_running_one(qtbot, page):  # type: ignore[no-untyped-def]
    page.live.setChecked(False)
    page.form.set_plan({**PLAN, "trials": 200_000})
    first = page.start_preview()
    second = page.start_preview()
    assert first is not None and second is not None
    assert first.token.cancelled and not second.token.cancelled
    assert page.preview_task is second
    qtbot.waitUntil(lambda: page.preview_task is None, timeout=20_000)
    assert page.last_result is not None and page.last_result.trials == 10_000


def test_starting_from_accounts_needs_at_least_one_ticked(qtbot, page, ctx):  # type: ignore[no-untyped-def]
    from portfolioos.domain.accounts import AccountDraft

    _account, changes = ctx.portfolio.create_account(
        AccountDraft(name="Brokerage", type="brokerage")
    )
    page.on_changes(changes)
    form = page.form
    assert form.accounts.count() == 1 and form.use_accounts.isEnabled()
    page.live.setChecked(True)
    form.use_accounts.setChecked(True)
    assert form.accounts.isVisible() and not form.initial.isEnabled()
    assert form.error.text().startswith("initial_portfolio.accounts:")
    assert form.marked() == [form.accounts]
    assert form.plan()["initial_portfolio"] == {"accounts": []}
