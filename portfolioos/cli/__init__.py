"""The headless face: `portfolioos SUBCOMMAND ...` for scripts and tests.

Every sub-command lives in a small module of this package that exposes
`register(subparsers, common)`; each parser sets `handler` (called with the parsed
arguments and an open `AppContext`) and `access`: "write" takes the data-folder lock,
"read" opens the folder without it, "none" needs no data folder. A user error prints
one line on stderr and exits 1; a bug logs its traceback and says where the log is.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from portfolioos import __version__

logger = logging.getLogger(__name__)

# Each module registers its own sub-commands; adding an area means adding a name here.
COMMAND_MODULES: tuple[str, ...] = (
    "portfolioos.cli.accounts",
    "portfolioos.cli.backups",
    "portfolioos.cli.keys",
    "portfolioos.cli.llm",
    "portfolioos.cli.market",
    "portfolioos.cli.imports",
    "portfolioos.cli.portfolio",
    "portfolioos.cli.system",
    "portfolioos.cli.simulate",
    "portfolioos.cli.selftest",
)


def global_options() -> argparse.ArgumentParser:
    """Options accepted before or after the sub-command (`--data-dir D accounts list`
    and `accounts list --data-dir D` mean the same)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="data folder (default: $PORTFOLIOOS_HOME or the platform's)",
    )
    common.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS,
        help="use a fresh temporary folder filled with a sample portfolio (removed at exit)",
    )
    common.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,
        help="debug logging to the log file",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    common = global_options()
    parser = argparse.ArgumentParser(
        prog="portfolioos",
        description="PortfolioOS: your portfolio, ledger, market data and retirement plan, "
        "on your machine. With no sub-command, opens the window.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"PortfolioOS {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub, common)
    return parser


def run(argv: Sequence[str] | None = None) -> int:
    """Run a sub-command; the caller has already decided this is not a GUI start."""
    parser = build_parser()
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    if not getattr(args, "command", None):
        parser.print_help()
        return 0
    return dispatch(args)


def dispatch(args: argparse.Namespace) -> int:
    from portfolioos.errors import PortfolioOSError
    from portfolioos.logsetup import setup_logging
    from portfolioos.paths import resolve_data_dir

    data_dir = getattr(args, "data_dir", None)
    access = getattr(args, "access", "write")
    log_file = None
    demo_root = None
    try:
        if getattr(args, "demo", False):
            from portfolioos.demo import prepare_demo_folder

            if data_dir:
                print(
                    "error: --demo opens its own temporary folder; drop --data-dir", file=sys.stderr
                )
                return 2
            data_dir = str(prepare_demo_folder())
            demo_root = Path(data_dir).parent
        paths = resolve_data_dir(data_dir)
        if access != "none":
            paths.ensure()
            log_file = paths.log_file
            setup_logging(log_file, verbose=bool(getattr(args, "verbose", False)))
        logger.info("cli: %s", args.command)
        if access == "none":
            return int(args.handler(args) or 0)
        from portfolioos.services.context import AppContext

        with AppContext.open(data_dir, writer=access == "write") as ctx:
            return int(args.handler(args, ctx) or 0)
    except PortfolioOSError as exc:
        logger.info("cli error: %s", exc.message)
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except Exception:
        logger.exception("unexpected error in %s", args.command)
        where = f"; details are in {log_file}" if log_file else ""
        print(f"error: unexpected internal error{where}", file=sys.stderr)
        return 1
    finally:
        if demo_root is not None:
            shutil.rmtree(demo_root, ignore_errors=True)
