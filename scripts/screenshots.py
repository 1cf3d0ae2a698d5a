"""Render every page of the main window to PNG (offscreen), for the README and review.

    python scripts/screenshots.py [--out docs/screenshots] [--data-dir DIR]

Without --data-dir it uses a fresh temporary folder filled by `seed_folder()`.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def seed_folder(folder: Path) -> None:
    from portfolioos.domain.accounts import AccountDraft
    from portfolioos.services.context import AppContext

    with AppContext.open(folder) as ctx:
        if not ctx.portfolio.list_accounts():
            for name, kind, inst in (
                ("Taxable brokerage", "brokerage", "Fidelity"),
                ("Roth IRA", "roth_ira", "Vanguard"),
                ("401(k)", "401k", "Schwab"),
            ):
                ctx.portfolio.create_account(AccountDraft(name=name, type=kind, institution=inst))


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
            # A page that loads in the background (the Planner's first preview) says
            # when it has something to show; wait for that, at most 60 s.
            ready = getattr(page, "screenshot_ready", None)
            deadline = time.monotonic() + 60
            while ready is not None and not ready() and time.monotonic() < deadline:
                app.processEvents()
                time.sleep(0.01)
            for _ in range(20):
                app.processEvents()
            target = out / f"{index + 1:02d}-{title.lower().replace(' ', '-')}.png"
            window.grab().save(str(target))
            print(target)
        window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
