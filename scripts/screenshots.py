"""Render every page of the main window to PNG (offscreen), for the README and review.

    python scripts/screenshots.py [--out docs/screenshots] [--data-dir DIR]

Without --data-dir it uses a fresh temporary folder filled by `seed_folder()`: the demo
portfolio (`portfolioos.demo`), or, where that module is absent, the demo accounts and
ledgers from resources/demo imported through ImportService. After the pages, a few
states worth reviewing are rendered too (the import preview and mapping editor).
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
    try:
        from portfolioos.demo import prepare_demo_folder
    except ImportError:
        prepare_demo_folder = None
    if prepare_demo_folder is not None:
        prepare_demo_folder(folder)
        return
    import csv

    from portfolioos.domain.accounts import AccountDraft
    from portfolioos.services.context import AppContext

    demo = Path(__file__).resolve().parent.parent / "resources" / "demo"
    with AppContext.open(folder) as ctx:
        if ctx.portfolio.list_accounts():
            return
        with (demo / "accounts.csv").open(newline="") as f:
            for row in csv.DictReader(f):
                account, _ = ctx.portfolio.create_account(
                    AccountDraft(name=row["name"], type=row["type"], institution=row["institution"])
                )
                ctx.imports.import_file(demo / row["file"], account.id, broker="generic")


def settle(app, window, seconds: float = 2.0) -> None:  # type: ignore[no-untyped-def]
    """Let workers finish and the window repaint (pages load in the background)."""
    import time

    from PySide6.QtCore import QThreadPool

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        QThreadPool.globalInstance().waitForDone(20)
    app.processEvents()


def extra_states(app, window, out: Path, start: int) -> None:  # type: ignore[no-untyped-def]
    """The import wizard's preview and mapping editor, over files in resources/."""
    if "Import" not in window.titles:
        return
    demo = Path(__file__).resolve().parent.parent / "resources" / "demo"
    page = window.show_page("Import")
    accounts = window.ctx.portfolio.list_accounts()
    if not accounts:
        return
    page.set_file(demo / "taxable-brokerage.csv")
    named = [a for a in accounts if a.name.lower().startswith("taxable")]
    page.select_account((named or accounts)[0].id)
    page.start_preview()
    settle(app, window)
    target = out / f"{start:02d}-import-preview.png"
    window.grab().save(str(target))
    print(target)
    page.open_mapping_editor()
    settle(app, window, 1.0)
    target = out / f"{start + 1:02d}-import-mapping.png"
    window.grab().save(str(target))
    print(target)
    page.reset()


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
            window.show_page(title)
            settle(app, window)
            target = out / f"{index + 1:02d}-{title.lower().replace(' ', '-')}.png"
            window.grab().save(str(target))
            print(target)
        extra_states(app, window, out, len(window.titles) + 1)
        window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
