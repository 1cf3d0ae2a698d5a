"""Process start to the main window's first paint, against a bare PySide6 window.

Both are measured the same way in the same run: launch a fresh Python process
(offscreen Qt) and time from the launch to the moment its window painted its first
frame (each process writes the wall-clock time of that paint to a stamp file; shutdown
is not counted). The bare
baseline is a QMainWindow with nothing in it, so the ratio is what PortfolioOS adds.

    python benchmarks/startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

BARE = """
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

import os, time

class W(QMainWindow):
    painted = False
    def paintEvent(self, event):
        super().paintEvent(event)
        if not self.painted:
            self.painted = True
            with open(os.environ["PORTFOLIOOS_PAINT_STAMP"], "a") as out:
                out.write(f"paint {time.time():.6f}\\n")
            QTimer.singleShot(0, app.quit)

app = QApplication([])
w = W()
w.resize(1200, 780)
w.show()
app.exec()
"""


def timed(cmd: list[str], env: dict[str, str], moment: str = "paint") -> float:
    """Launch to the moment the process stamped (its first paint, or its first page)."""
    stamp = Path(tempfile.mkdtemp()) / "stamp"
    start = time.time()
    subprocess.run(
        cmd,
        env=dict(env, PORTFOLIOOS_PAINT_STAMP=str(stamp)),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    stamps = dict(line.split() for line in stamp.read_text().splitlines())
    return float(stamps[moment]) - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        PORTFOLIOOS_QUIT_AFTER_PAINT="1",
        PORTFOLIOOS_NO_AUTOSYNC="1",
    )
    # As installed: pip and PyInstaller ship compiled bytecode, so compile ours first
    # (a shell with PYTHONDONTWRITEBYTECODE would otherwise recompile on every start).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    import compileall

    compileall.compile_dir(str(REPO / "portfolioos"), quiet=1)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    data = Path(tempfile.mkdtemp()) / "data"
    app_cmd = [sys.executable, "-m", "portfolioos", "--data-dir", str(data)]
    bare_cmd = [sys.executable, "-c", BARE]

    first_run = timed(app_cmd, env)  # creates the data folder and databases
    timed(bare_cmd, env)  # warm the OS file cache for Qt's libraries
    page_env = dict(env, PORTFOLIOOS_QUIT_AFTER_PAINT="page")
    app_times, bare_times, page_times = [], [], []
    for _ in range(args.runs):
        bare_times.append(timed(bare_cmd, env))
        app_times.append(timed(app_cmd, env))
        page_times.append(timed(app_cmd, page_env, "page"))
    app_med, bare_med = statistics.median(app_times), statistics.median(bare_times)
    print(f"first start (creates the data folder): {first_run * 1000:7.0f} ms")
    print(
        f"bare PySide6 QMainWindow, start to first paint: {bare_med * 1000:7.0f} ms "
        f"(median of {args.runs}, min {min(bare_times) * 1000:.0f})"
    )
    print(
        f"PortfolioOS main window, start to first paint:  {app_med * 1000:7.0f} ms "
        f"(median of {args.runs}, min {min(app_times) * 1000:.0f})"
    )
    print(f"ratio: {app_med / bare_med:.2f} (goal <= 1.5)")
    page_med = statistics.median(page_times)
    print(
        f"first page fully built and painted (charts, pyqtgraph): {page_med * 1000:7.0f} ms "
        f"(median of {args.runs}, min {min(page_times) * 1000:.0f}); the first frame shows "
        "the window, the sidebar and the page's title"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
