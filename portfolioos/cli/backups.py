"""`portfolioos backups create|list|restore`.

`restore` applies at once: it takes the data-folder lock (so it refuses while the app
runs; restore from the app's Settings then, which stages it for the next start) and
swaps the files before any database is opened, keeping the current ones as a
`*-before-restore` backup.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from portfolioos.cli.output import print_json, print_table

if TYPE_CHECKING:
    from portfolioos.services.context import AppContext


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    backups = sub.add_parser("backups", help="back up and restore the databases", parents=[common])
    verbs = backups.add_subparsers(dest="verb", metavar="VERB", required=True)

    create = verbs.add_parser("create", help="back up the databases now", parents=[common])
    create.add_argument("--json", action="store_true")
    create.set_defaults(handler=_create, access="write")

    lst = verbs.add_parser("list", help="list backups, newest first", parents=[common])
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(handler=_list, access="read")

    restore = verbs.add_parser(
        "restore",
        help="replace the databases with a backup (the current ones are kept as a backup)",
        parents=[common],
    )
    restore.add_argument("name", help="backup name, as `backups list` shows it")
    restore.add_argument("--json", action="store_true")
    restore.set_defaults(handler=_restore, access="none")


def _create(args: argparse.Namespace, ctx: AppContext) -> int:
    backup = ctx.settings.create_backup()
    if args.json:
        print_json(backup.as_dict())
    else:
        print(f"Created backup {backup.name} ({_size(backup.size_bytes)}) in {backup.path}")
    return 0


def _list(args: argparse.Namespace, ctx: AppContext) -> int:
    found = ctx.settings.list_backups()
    if args.json:
        print_json([b.as_dict() for b in found])
        return 0
    if not found:
        print("No backups yet; make one with `portfolioos backups create`.")
        return 0
    rows: list[dict[str, Any]] = [
        {
            "name": b.name,
            "created_at": b.created_at.isoformat(timespec="seconds"),
            "size": _size(b.size_bytes),
            "reason": b.reason,
        }
        for b in found
    ]
    print_table(rows, ("name", "created_at", "size", "reason"))
    return 0


def _restore(args: argparse.Namespace) -> int:
    from portfolioos.errors import StorageError
    from portfolioos.lock import DataFolderLock
    from portfolioos.paths import resolve_data_dir
    from portfolioos.services import backups

    paths = resolve_data_dir(getattr(args, "data_dir", None)).ensure()
    with DataFolderLock(paths.lock_file).acquire():
        backups.stage_restore(paths, args.name)
        outcome = backups.apply_pending_restore(paths)
    if outcome is None or not outcome.ok:
        raise StorageError(outcome.message if outcome else "The restore was not applied.")
    if args.json:
        print_json(outcome.as_dict())
    else:
        print(outcome.message)
    return 0


def _size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"
