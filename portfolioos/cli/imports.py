"""`portfolioos import FILE|undo BATCH|list`, `brokers list`, `export KIND --out PATH`.

`import` takes a file or one of the verbs `undo` and `list` as its first word (a file
literally named `list` can be given as `./list`). A PortfolioOS JSON export given to
`import` is restored: its accounts are created by name when absent and their ledgers
loaded (no --account needed).
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from portfolioos.cli.output import print_json, print_table
from portfolioos.errors import ImportFileError, ValidationError

if TYPE_CHECKING:
    from portfolioos.services.context import AppContext
    from portfolioos.services.imports import ImportResult

VERBS = ("undo", "list")


class _Target(argparse.Action):
    """Records the words after `import` and picks the lock: `list` only reads."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        setattr(namespace, self.dest, list(values))
        namespace.access = "read" if values and values[0] == "list" else "write"


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    imp = sub.add_parser(
        "import",
        parents=[common],
        help="import a broker CSV/OFX file, undo or list imports",
        usage="portfolioos import FILE --account A [--broker auto|NAME] [--dry-run] [--json]\n"
        "       portfolioos import undo BATCH [--json]\n"
        "       portfolioos import list [--account A] [--json]",
    )
    imp.add_argument("target", nargs="+", action=_Target, metavar="FILE | undo BATCH | list")
    imp.add_argument("--account", help="account name or id to import into")
    imp.add_argument(
        "--broker",
        default="auto",
        help="auto (default), a broker name from `brokers list`, ofx, or a saved mapping name",
    )
    imp.add_argument("--dry-run", action="store_true", help="report what would be imported")
    imp.add_argument("--json", action="store_true")
    imp.set_defaults(handler=_import, access="write")

    brokers = sub.add_parser("brokers", parents=[common], help="supported import layouts")
    verbs = brokers.add_subparsers(dest="verb", metavar="VERB", required=True)
    lst = verbs.add_parser("list", parents=[common], help="list broker profiles")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(handler=_brokers, access="none")

    exp = sub.add_parser("export", parents=[common], help="write CSV or JSON exports")
    exp.add_argument(
        "kind",
        choices=("holdings", "transactions", "realized", "simulation", "portfolio"),
        help="what to export (portfolio = the full JSON export; simulation runs a plan "
        "and writes its percentile paths)",
    )
    exp.add_argument("--out", required=True, metavar="PATH")
    exp.add_argument("--format", choices=("csv", "json"), default=None)
    exp.add_argument("--account")
    exp.add_argument("--symbol")
    exp.add_argument(
        "--type",
        action="append",
        dest="types",
        metavar="TYPE",
        help="transaction type (repeat or comma-separate)",
    )
    exp.add_argument("--start", type=_date, metavar="YYYY-MM-DD")
    exp.add_argument("--end", type=_date, metavar="YYYY-MM-DD")
    exp.add_argument(
        "--text", metavar="TEXT", help="transactions whose symbol or note contains TEXT"
    )
    plan = exp.add_mutually_exclusive_group()
    plan.add_argument("--scenario", metavar="NAME", help="simulation: a saved scenario")
    plan.add_argument("--config", metavar="PLAN", help="simulation: a plan file (.json or .toml)")
    exp.add_argument("--trials", type=int, metavar="N", help="simulation: override the trials")
    exp.add_argument("--seed", type=int, metavar="S", help="simulation: override the seed")
    exp.add_argument("--json", action="store_true", help="print the result as JSON")
    exp.set_defaults(handler=_export, access="read")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)") from None


def result_json(result: ImportResult) -> dict[str, Any]:
    def issue(i: Any) -> dict[str, Any]:
        return {"line": i.line, "column": i.column, "message": i.message}

    return {
        "batch_id": result.batch_id,
        "broker": result.broker,
        "account": result.account,
        "account_id": result.account_id,
        "file": result.file,
        "rows": result.rows,
        "added": result.added,
        "duplicates": result.duplicates,
        "by_type": result.by_type,
        "dry_run": result.dry_run,
        "warnings": [issue(w) for w in result.warnings],
        "errors": [issue(e) for e in result.errors],
        "reconciled": result.reconciled,
    }


_LINE = re.compile(r", line (\d+)")


def file_error_json(path: Path, args: argparse.Namespace, exc: ImportFileError) -> dict[str, Any]:
    """The `import --json` object for a file refused as a whole (unreadable, binary,
    unknown layout): nothing added, one error, its line when the message names one."""
    found = _LINE.search(exc.message)
    return {
        "batch_id": None,
        "broker": args.broker,
        "account": args.account,
        "file": path.name,
        "rows": 0,
        "added": 0,
        "duplicates": 0,
        "by_type": {},
        "dry_run": bool(args.dry_run),
        "warnings": [],
        "reconciled": [],
        "errors": [
            {
                "line": int(found.group(1)) if found else None,
                "column": None,
                "message": exc.message,
            }
        ],
    }


def _import(args: argparse.Namespace, ctx: AppContext) -> int:
    words: list[str] = args.target
    if words[0] == "undo":
        if len(words) != 2 or not words[1].isdigit():
            raise ValidationError("Usage: import undo BATCH (a batch id from `import list`).")
        undone = ctx.imports.undo(int(words[1]))
        if args.json:
            print_json(
                {
                    "batch_id": undone.batch_id,
                    "account_id": undone.account_id,
                    "removed": undone.removed,
                }
            )
        else:
            print(f"undid batch {undone.batch_id}: {undone.removed} transaction(s) removed")
        return 0
    if words[0] == "list":
        batches = ctx.imports.batches(args.account)
        rows = [
            {
                "batch_id": b.id,
                "account_id": b.account_id,
                "source": b.source,
                "broker": b.broker,
                "imported_at": b.imported_at,
                "added": b.rows_added,
                "duplicates": b.rows_skipped,
                "undone_at": b.undone_at,
            }
            for b in batches
        ]
        if args.json:
            print_json(rows)
        else:
            print_table(
                rows,
                (
                    "batch_id",
                    "account_id",
                    "source",
                    "broker",
                    "imported_at",
                    "added",
                    "duplicates",
                    "undone_at",
                ),
            )
        return 0
    if len(words) != 1:
        raise ValidationError(f"import takes one file (got {len(words)} words: {' '.join(words)}).")
    path = Path(words[0])
    from portfolioos.export.portfolio_json import is_export
    from portfolioos.ingest.table import read_bytes

    if path.suffix.lower() == ".json" and is_export(read_bytes(path)[:8192]):
        results = ctx.imports.restore(path)
        if args.json:
            print_json([result_json(r) for r in results])
        else:
            for r in results:
                print(f"restored {r.account}: {r.added} added, {r.duplicates} already present")
        return 0
    if not args.account:
        raise ValidationError(
            "Which account? Give --account NAME (see `accounts list`).", field="account"
        )
    try:
        result = ctx.imports.import_file(
            path, args.account, broker=args.broker, dry_run=args.dry_run
        )
    except ImportFileError as exc:
        if not args.json:
            raise
        # A script reading --json gets the same object when the whole file is refused.
        print_json(file_error_json(path, args, exc))
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    if args.json:
        print_json(result_json(result))
    else:
        _print_result(result)
    return 1 if result.errors else 0


def _print_result(result: ImportResult) -> None:
    for w in result.warnings:
        print(f"warning: {result.file}, {w}")
    if result.errors:
        for e in result.errors:
            print(f"error: {result.file}, {e}")
        print(f"nothing imported: {len(result.errors)} row(s) rejected ({result.broker} layout)")
        return
    verb = "would add" if result.dry_run else "added"
    kinds = ", ".join(f"{n} {t}" for t, n in result.by_type.items()) or "nothing new"
    batch = f" as batch {result.batch_id}" if result.batch_id else ""
    print(
        f"{result.file} ({result.broker}): {verb} {result.added}{batch} ({kinds}); "
        f"{result.duplicates} already in the ledger"
    )
    if result.reconciled:
        print(f"checked against the file's own {', '.join(result.reconciled)}")


def _brokers(args: argparse.Namespace) -> int:
    from portfolioos.ingest.profiles import PROFILES

    rows = [{"name": p.name, "title": p.title, "headers": p.expected_headers()} for p in PROFILES]
    rows.append({"name": "ofx", "title": "OFX/QFX investment statement", "headers": []})
    if args.json:
        print_json(rows)
    else:
        print_table(
            [{**r, "headers": "; ".join(r["headers"])[:70]} for r in rows],
            ("name", "title", "headers"),
        )
    return 0


def _export(args: argparse.Namespace, ctx: AppContext) -> int:
    fmt = args.format or ("json" if args.kind == "portfolio" else "csv")
    _check_options(args)
    if args.kind == "simulation":
        result = _export_simulation(args, ctx, fmt)
    elif args.kind == "portfolio":
        if fmt != "json":
            raise ValidationError("The portfolio export is JSON only.", field="format")
        result = ctx.exports.portfolio_json(args.out)
    elif args.kind == "transactions":
        types = [t.strip() for group in args.types or () for t in group.split(",") if t.strip()]
        result = ctx.exports.transactions(
            args.out,
            account=args.account,
            symbol=args.symbol,
            types=types or None,
            start=args.start,
            end=args.end,
            text=args.text,
            format=fmt,
        )
    elif args.kind == "holdings":
        result = ctx.exports.holdings(args.out, account=args.account, format=fmt)
    else:
        result = ctx.exports.realized(args.out, account=args.account, format=fmt)
    if args.json:
        print_json(
            {
                "kind": result.kind,
                "path": result.path,
                "format": result.format,
                "rows": result.rows,
                "metadata": result.metadata,
            }
        )
    else:
        print(f"wrote {result.rows} row(s) of {result.kind} to {result.path}")
    return 0


_ONLY_FOR = {
    "symbol": ("transactions",),
    "types": ("transactions",),
    "start": ("transactions",),
    "end": ("transactions",),
    "text": ("transactions",),
    "account": ("transactions", "holdings", "realized"),
    "scenario": ("simulation",),
    "config": ("simulation",),
    "trials": ("simulation",),
    "seed": ("simulation",),
}


def _check_options(args: argparse.Namespace) -> None:
    """An option the chosen kind would ignore is refused, so a filter never silently
    does nothing."""
    for name, kinds in _ONLY_FOR.items():
        if getattr(args, name) is not None and args.kind not in kinds:
            option = "--type" if name == "types" else f"--{name}"
            raise ValidationError(
                f"{option} does not apply to `export {args.kind}` (only to {' and '.join(kinds)}).",
                field=option,
            )


def _export_simulation(args: argparse.Namespace, ctx: AppContext, fmt: str) -> Any:
    """Run a plan (as `simulate --scenario NAME|--config PLAN` would) and export it."""
    if args.scenario:
        plan = ctx.simulation.scenario(args.scenario)
    elif args.config:
        plan = ctx.simulation.load_plan(args.config)
    else:
        saved = ", ".join(s.name for s in ctx.simulation.list_scenarios()) or "none yet"
        raise ValidationError(
            "export simulation needs a plan: --scenario NAME (saved: "
            f"{saved}) or --config PLAN (a .json or .toml plan file).",
            field="scenario",
        )
    result = ctx.simulation.run(plan, trials=args.trials, seed=args.seed)
    return ctx.exports.simulation_result(args.out, result, plan=plan, format=fmt)
