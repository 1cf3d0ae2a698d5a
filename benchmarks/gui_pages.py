"""How long the portfolio pages hold the GUI thread while they load the demo portfolio.

    PYTHONPATH=. python benchmarks/gui_pages.py [--repeat 3]

A 5 ms heartbeat timer runs on the GUI thread while each page (Dashboard, Holdings
with its lots, Performance) is first built and shown, and again while it reloads
(workers fetch, the GUI thread only fills models and charts). The longest gap between
beats is printed per page and phase (goal: <= 50 ms for reloads). Baseline in the
same run: the longest gap of the idle event loop over the same time with a worker
doing the same service calls, so GIL contention from the worker alone shows up there.
Best of `--repeat` runs (the machine is shared; timings are noisy).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QElapsedTimer, QThreadPool, QTimer
from PySide6.QtWidgets import QApplication

import portfolioos.gui  # noqa: F401  (refcount guard)
from portfolioos.demo import prepare_demo_folder

PAGES = ("Dashboard", "Holdings", "Performance")


class Heartbeat:
    def __init__(self) -> None:
        self.gaps: list[int] = []
        self.clock = QElapsedTimer()
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._beat)

    def _beat(self) -> None:
        self.gaps.append(self.clock.restart())

    def start(self) -> None:
        self.gaps.clear()
        self.clock.start()
        self.timer.start()

    def stop(self) -> int:
        self.timer.stop()
        self.gaps.append(self.clock.restart())
        return max(self.gaps)


def settle(app: QApplication, page: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        app.processEvents()
        busy = getattr(page, "loading", False) or getattr(page, "lots_loading", False)
        if not busy and QThreadPool.globalInstance().activeThreadCount() == 0:
            break
        time.sleep(0.001)
    for _ in range(5):
        app.processEvents()


def run_once(app: QApplication, folder: Path) -> dict[str, int]:
    from portfolioos.gui.main_window import MainWindow, PageSpec
    from portfolioos.services.context import AppContext

    out: dict[str, int] = {}
    beat = Heartbeat()
    with AppContext.open(folder) as ctx:
        from portfolioos.gui.main_window import PAGES as ALL

        specs: tuple[PageSpec, ...] = tuple(s for s in ALL if s.title in (*PAGES, "Accounts"))
        # Open on Accounts so the Dashboard's first build is measured too.
        ctx.settings.set_ui_state("page", "Accounts")
        window = MainWindow(ctx, specs)
        window.resize(1280, 800)
        window.show()
        settle(app, window.current_page)
        for title in PAGES:
            beat.start()
            page = window.show_page(title)
            settle(app, page)
            out[f"{title}: first show"] = beat.stop()
            beat.start()
            page.reload()  # type: ignore[attr-defined]
            settle(app, page)
            out[f"{title}: reload"] = beat.stop()

        # baseline: the same service calls in a worker, nothing to fill on the GUI thread
        from portfolioos.gui.workers import run_task

        def calls() -> None:
            ctx.portfolio.net_worth()
            ctx.portfolio.net_worth_history()
            ctx.portfolio.holdings()
            ctx.portfolio.performance(None, "VTI")

        beat.start()
        done: list[bool] = []
        run_task(calls, on_finished=lambda: done.append(True))
        while not done:
            app.processEvents()
            time.sleep(0.001)
        out["baseline: worker only, idle GUI"] = beat.stop()
        window.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--switch-ms", type=float, default=None, help="sys.setswitchinterval for this run"
    )
    args = parser.parse_args()
    if args.switch_ms is not None:
        sys.setswitchinterval(args.switch_ms / 1000)
    print(f"GIL switch interval {sys.getswitchinterval() * 1000:g} ms")
    app = QApplication.instance() or QApplication([])
    started = time.perf_counter()
    folder = prepare_demo_folder()
    print(f"demo folder built in {time.perf_counter() - started:.2f} s (imports included)")
    best: dict[str, int] = {}
    for _ in range(args.repeat):
        for key, gap in run_once(app, folder).items():
            best[key] = min(best.get(key, gap), gap)
    print(f"longest GUI-thread gap, best of {args.repeat} runs (heartbeat every 5 ms):")
    for key, gap in best.items():
        print(f"  {key:<34} {gap:>5} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
