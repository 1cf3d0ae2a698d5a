"""`portfolioos paths` and `portfolioos prefs list|get|set|reset`."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from portfolioos.cli.output import print_json

if TYPE_CHECKING:
    from portfolioos.services.context import AppContext


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    paths = sub.add_parser("paths", help="where the data, logs and backups are", parents=[common])
    paths.add_argument("--json", action="store_true")
    paths.set_defaults(handler=_paths, access="read")

    prefs = sub.add_parser("prefs", help="read and change preferences", parents=[common])
    verbs = prefs.add_subparsers(dest="verb", metavar="VERB", required=True)
    lst = verbs.add_parser("list", help="every preference with its value", parents=[common])
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(handler=_list, access="read")
    get = verbs.add_parser("get", help="one preference", parents=[common])
    get.add_argument("key")
    get.add_argument("--json", action="store_true")
    get.set_defaults(handler=_get, access="read")
    put = verbs.add_parser("set", help="change a preference", parents=[common])
    put.add_argument("key")
    put.add_argument("value", help="a JSON value or plain text")
    put.add_argument("--json", action="store_true")
    put.set_defaults(handler=_set, access="write")
    reset = verbs.add_parser("reset", help="back to the default", parents=[common])
    reset.add_argument("key")
    reset.set_defaults(handler=_reset, access="write")


def _paths(args: argparse.Namespace, ctx: AppContext) -> int:
    paths = ctx.settings.paths()
    if args.json:
        print_json(paths)
    else:
        for key, value in paths.items():
            print(f"{key:13} {value}")
    return 0


def _list(args: argparse.Namespace, ctx: AppContext) -> int:
    prefs = ctx.settings.all()
    if args.json:
        print_json(prefs)
    else:
        for key, value in prefs.items():
            print(f"{key:20} {json.dumps(value)}")
    return 0


def _get(args: argparse.Namespace, ctx: AppContext) -> int:
    value = ctx.settings.get(args.key)
    print_json({"key": args.key, "value": value}) if args.json else print(_plain(value))
    return 0


def _set(args: argparse.Namespace, ctx: AppContext) -> int:
    try:
        raw: Any = json.loads(args.value)
    except json.JSONDecodeError:
        raw = args.value
    ctx.settings.set(args.key, raw)
    value = ctx.settings.get(args.key)
    print_json({"key": args.key, "value": value}) if args.json else print(
        f"{args.key} = {_plain(value)}"
    )
    return 0


def _reset(args: argparse.Namespace, ctx: AppContext) -> int:
    ctx.settings.reset(args.key)
    print(f"{args.key} = {_plain(ctx.settings.get(args.key))} (default)")
    return 0


def _plain(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)
