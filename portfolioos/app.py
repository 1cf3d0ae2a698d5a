"""The `portfolioos` entry point: a sub-command runs headless, none opens the window.

Kept light on purpose: nothing here imports pandas, DuckDB or yfinance, so the window
paints first and heavy modules load when a page needs them.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence

logger = logging.getLogger("portfolioos")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    gui = _gui_options(args)
    if gui is not None:
        data_dir = gui.get("data_dir")
        return run_gui(
            data_dir=str(data_dir) if data_dir else None,
            verbose=bool(gui.get("verbose")),
            demo=bool(gui.get("demo")),
        )
    from portfolioos.cli import build_parser, dispatch

    parsed = build_parser().parse_args(args)
    if getattr(parsed, "command", None):
        return dispatch(parsed)
    return run_gui(
        data_dir=getattr(parsed, "data_dir", None),
        verbose=bool(getattr(parsed, "verbose", False)),
        demo=bool(getattr(parsed, "demo", False)),
    )


def _gui_options(args: list[str]) -> dict[str, str | bool] | None:
    """The window's options when `args` hold nothing but them; None means "let argparse
    decide". Opening the window this way skips building the whole CLI parser, which
    imports every sub-command module: start-up time the user would see."""
    options: dict[str, str | bool] = {}
    rest = iter(args)
    for arg in rest:
        if arg in ("-v", "--verbose"):
            options["verbose"] = True
        elif arg == "--demo":
            options["demo"] = True
        elif arg == "--data-dir":
            value = next(rest, None)
            if value is None:
                return None
            options["data_dir"] = value
        elif arg.startswith("--data-dir="):
            options["data_dir"] = arg.split("=", 1)[1]
        else:
            return None
    return options


def run_gui(*, data_dir: str | None, verbose: bool = False, demo: bool = False) -> int:
    """Open the window on `data_dir`; `demo` opens a fresh temporary folder filled with
    the sample portfolio instead (removed again when the window closes)."""
    if demo:
        if data_dir:
            print("error: --demo opens its own temporary folder; drop --data-dir", file=sys.stderr)
            return 2
        from portfolioos.demo import announce, prepare_demo_folder

        folder = prepare_demo_folder()
        announce(folder)
        try:
            return run_gui(data_dir=str(folder), verbose=verbose)
        finally:
            import shutil

            shutil.rmtree(folder.parent, ignore_errors=True)

    from PySide6.QtWidgets import QApplication, QMessageBox

    from portfolioos import APP_NAME, __version__
    from portfolioos.errors import DataFolderLockedError, PortfolioOSError
    from portfolioos.logsetup import setup_logging
    from portfolioos.paths import resolve_data_dir

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(APP_NAME)
    _set_identity(app)
    interactive = os.environ.get("QT_QPA_PLATFORM", "") not in ("offscreen", "minimal")

    def fail(message: str) -> int:
        print(f"error: {message}", file=sys.stderr)
        if interactive:
            QMessageBox.critical(None, APP_NAME, message)
        return 1

    try:
        paths = resolve_data_dir(data_dir).ensure()
        setup_logging(paths.log_file, verbose=verbose)
        from portfolioos.services.context import AppContext

        ctx = AppContext.open(paths.root, writer=True)
    except DataFolderLockedError as exc:
        return fail(exc.message)
    except PortfolioOSError as exc:
        return fail(exc.message)

    from portfolioos.gui import runtime
    from portfolioos.gui.main_window import MainWindow
    from portfolioos.gui.theme import apply_theme, follow_system

    runtime.tune_interpreter(freeze=True)

    try:
        apply_theme(app, str(ctx.settings.get("theme")))
        follow_system(app, lambda: str(ctx.settings.get("theme")))
        window = MainWindow(ctx, defer_first_page=True)
        window.show()
        logger.info("PortfolioOS %s started on %s", __version__, paths.root)
        return int(app.exec())
    finally:
        # A sync the window cancelled on close stops at its next symbol; let it end
        # before the databases close under it.
        from PySide6.QtCore import QThreadPool

        QThreadPool.globalInstance().waitForDone(10000)
        ctx.close()


def _set_identity(app: object) -> None:
    """Window icon, and the desktop-file id Wayland compositors match windows with."""
    from PySide6.QtGui import QGuiApplication, QIcon

    from portfolioos.paths import resources_dir

    assert isinstance(app, QGuiApplication)
    QGuiApplication.setDesktopFileName("io.github.portfolioos.PortfolioOS")
    icon = resources_dir() / "icons" / "portfolioos.png"
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
