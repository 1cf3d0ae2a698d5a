"""Render every page of the main window to PNG (offscreen), for the README and review.

    python scripts/screenshots.py [--out docs/screenshots] [--data-dir DIR]

Without --data-dir it uses the demo portfolio (`portfolioos.demo`) in a fresh
temporary folder. Each page is given time to finish its background loads.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def seed_folder(folder: Path) -> None:
    from portfolioos.demo import prepare_demo_folder

    prepare_demo_folder(folder)


def settle(app, page, seconds: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    """Process events until the page's workers are done (pages expose `loading`)."""
    import time

    from PySide6.QtCore import QThreadPool

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.processEvents()
        busy = bool(getattr(page, "loading", False)) or bool(getattr(page, "lots_loading", False))
        if not busy and QThreadPool.globalInstance().activeThreadCount() == 0:
            break
        time.sleep(0.02)
    for _ in range(20):
        app.processEvents()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--data-dir")
    parser.add_argument("--size", default="1280x800")
    args = parser.parse_args()
    folder = Path(args.data_dir) if args.data_dir else Path(tempfile.mkdtemp()) / "data"
    if not args.data_dir:
        seed_folder(folder)

    from PySide6.QtWidgets import QApplication

    from portfolioos.gui.main_window import MainWindow
    from portfolioos.gui.theme import apply_theme
    from portfolioos.services.context import AppContext

    app = QApplication.instance() or QApplication([])
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    width, height = (int(v) for v in args.size.split("x"))
    with AppContext.open(folder) as ctx:
        apply_theme(app, "light")
        window = MainWindow(ctx)
        window.resize(width, height)
        window.show()
        for index, title in enumerate(window.titles):
            page = window.show_page(title)
            settle(app, page)
            target = out / f"{index + 1:02d}-{title.lower().replace(' ', '-')}.png"
            window.grab().save(str(target))
            print(target)
        window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
