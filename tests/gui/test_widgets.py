"""Page building blocks: cards, progress wired to a real Task, overlays, filters, banners."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from portfolioos.gui.colors import tone_color
from portfolioos.gui.format import Tone
from portfolioos.gui.widgets import (
    BusyOverlay,
    EmptyState,
    ErrorBanner,
    FilterBar,
    MetricCard,
    ProgressPanel,
)
from portfolioos.gui.workers import run_task
from portfolioos.progress import CancelToken, Progress


def test_metric_card_shows_value_and_coloured_change(qtbot) -> None:  # type: ignore[no-untyped-def]
    card = MetricCard("Net worth")
    qtbot.addWidget(card)
    card.set_value(
        Decimal("1254300.12"), change=Decimal("-3421.77"), fraction=-0.0027, note="today"
    )
    assert card.value_label.text() == "$1,254,300.12"
    assert card.sub_text() == "-$3,421.77 (-0.3%) today"
    assert card.tone is Tone.NEGATIVE
    assert tone_color(Tone.NEGATIVE).name() in card.sub_label.text()
    card.set_value(None, text="3 of 41")
    assert card.value_label.text() == "3 of 41" and card.sub_text() == ""
    assert not card.sub_label.isVisibleTo(card)


def test_progress_panel_follows_a_task_and_cancels_it(qtbot) -> None:  # type: ignore[no-untyped-def]
    go = threading.Event()

    def work(progress: Progress, cancel: CancelToken) -> str:
        go.wait(5)  # report only once the panel is attached
        progress(0.25, "Quarter done")
        for _ in range(500):
            cancel.check()
            threading.Event().wait(0.01)
        return "finished"

    panel = ProgressPanel()
    qtbot.addWidget(panel)
    task = run_task(work)
    panel.attach(task, "Importing…")
    assert not panel.isHidden() and panel.state == "running"
    go.set()
    qtbot.waitUntil(lambda: panel.message.text() == "Quarter done", timeout=5000)
    assert abs(panel.fraction() - 0.25) < 1e-9
    with qtbot.waitSignal(panel.finished, timeout=5000) as blocker:
        qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
        assert panel.message.text() == "Cancelling…"
    assert blocker.args == ["cancelled"]
    assert panel.state == "cancelled" and not panel.isVisible()


def test_progress_panel_reports_done_and_error(qtbot) -> None:  # type: ignore[no-untyped-def]
    panel = ProgressPanel(hide_when_done=False)
    qtbot.addWidget(panel)
    results: list[object] = []
    with qtbot.waitSignal(panel.finished, timeout=5000) as blocker:
        panel.start(lambda: 42, on_result=results.append)  # instant: wired before it starts
    assert blocker.args == ["done"] and results == [42]

    def fail() -> None:
        raise RuntimeError("boom")

    errors: list[str] = []
    with qtbot.waitSignal(panel.finished, timeout=5000) as blocker:
        panel.start(fail, on_error=errors.append)
    assert blocker.args == ["error"] and "RuntimeError" in errors[0]
    assert not panel.isHidden() and panel.state == "error"  # hide_when_done=False


def test_busy_overlay_waits_covers_and_stops(qtbot) -> None:  # type: ignore[no-untyped-def]
    host = QWidget()
    qtbot.addWidget(host)
    host.resize(400, 300)
    host.show()
    overlay = BusyOverlay(host, delay_ms=30)
    overlay.start("Loading ledger…")
    assert overlay.active and not overlay.isVisible()  # no flash for fast loads
    qtbot.waitUntil(overlay.isVisible, timeout=2000)
    assert overlay.geometry() == host.rect()
    host.resize(500, 320)
    qtbot.waitUntil(lambda: overlay.geometry() == host.rect(), timeout=2000)
    overlay.stop()
    assert not overlay.isVisible() and not overlay.active
    overlay.start()
    overlay.stop()  # stopped before the delay: never shown
    qtbot.wait(60)
    assert not overlay.isVisible()


def test_empty_state_action(qtbot) -> None:  # type: ignore[no-untyped-def]
    empty = EmptyState("No transactions yet", "Import a file.", "Import file…")
    qtbot.addWidget(empty)
    with qtbot.waitSignal(empty.action, timeout=1000):
        qtbot.mouseClick(empty.button, Qt.MouseButton.LeftButton)
    empty.set_text("Nothing matches", "Clear the filters.", action="")
    assert not empty.button.isVisibleTo(empty)


def test_error_banner(qtbot) -> None:  # type: ignore[no-untyped-def]
    banner = ErrorBanner()
    qtbot.addWidget(banner)
    banner.show_message("No secure keychain: keys are kept for this session only.")
    assert banner.isVisibleTo(banner) and banner.text().startswith("No secure keychain")
    assert not banner.action_button.isVisibleTo(banner)
    banner.show_message("Sync failed for 3 symbols.", level="error", action="Retry")
    with qtbot.waitSignal(banner.action, timeout=1000):
        qtbot.mouseClick(banner.action_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(banner.dismissed, timeout=1000):
        qtbot.mouseClick(banner.close_button, Qt.MouseButton.LeftButton)
    assert not banner.isVisibleTo(banner)
    banner.grab()  # paints its own frame without errors


def test_filter_bar_emits_one_dict_per_change(qtbot) -> None:  # type: ignore[no-untyped-def]
    bar = FilterBar(debounce_ms=20)
    qtbot.addWidget(bar)
    bar.set_accounts([("Taxable", "acc-1"), ("Roth IRA", "acc-2")])
    bar.set_types(["buy", "sell", "dividend"])
    seen: list[dict] = []
    bar.changed.connect(seen.append)
    bar.account.setCurrentIndex(2)
    assert seen[-1]["account"] == "acc-2" and seen[-1]["type"] is None
    bar.type.setCurrentIndex(bar.type.findData("dividend"))
    assert seen[-1]["type"] == "dividend"
    count = len(seen)
    qtbot.keyClicks(bar.symbol, "aapl")  # debounced: one emission after typing stops
    qtbot.waitUntil(lambda: len(seen) == count + 1, timeout=2000)
    qtbot.wait(50)
    assert len(seen) == count + 1 and seen[-1]["symbol"] == "AAPL"
    assert set(seen[-1]) == {"account", "symbol", "type", "date_from", "date_to", "search"}
    assert seen[-1]["date_from"] is None
    bar.set_filters(date_from=dt.date(2024, 1, 1), date_to=dt.date(2024, 12, 31), search="rebal")
    assert len(seen) == count + 2
    assert seen[-1]["date_from"] == dt.date(2024, 1, 1)
    assert seen[-1]["date_to"] == dt.date(2024, 12, 31) and seen[-1]["search"] == "rebal"
    bar.set_accounts([("Taxable", "acc-1"), ("Roth IRA", "acc-2"), ("HSA", "acc-3")])
    assert bar.filters()["account"] == "acc-2"  # refilling keeps the selection
    bar.clear()
    assert seen[-1] == {
        "account": None,
        "symbol": None,
        "type": None,
        "date_from": None,
        "date_to": None,
        "search": "",
    }
