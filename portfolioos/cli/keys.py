"""`portfolioos keys set|delete|status|file-storage`.

A key is read from a hidden prompt, or from standard input when that is not a
terminal (`printf %s "$KEY" | portfolioos keys set openai-api-key`); never from the
command line, where it would land in shell history and the process list.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TYPE_CHECKING, Any

from portfolioos.cli.output import print_json
from portfolioos.errors import SecretsError, ValidationError

if TYPE_CHECKING:
    from portfolioos.services.context import AppContext


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    keys = sub.add_parser("keys", help="API keys in the OS keychain", parents=[common])
    verbs = keys.add_subparsers(dest="verb", metavar="VERB", required=True)

    put = verbs.add_parser(
        "set", parents=[common], help="store a key (read from a prompt or standard input)"
    )
    put.add_argument(
        "name",
        help="fred-api-key, openai-api-key, anthropic-api-key, "
        "openrouter-api-key or provider-<name>-api-key",
    )
    put.add_argument("--json", action="store_true")
    put.set_defaults(handler=_set, access="write")

    dele = verbs.add_parser("delete", help="forget a key", parents=[common])
    dele.add_argument("name")
    dele.add_argument("--json", action="store_true")
    dele.set_defaults(handler=_delete, access="write")

    status = verbs.add_parser(
        "status", help="where keys are kept and which are set", parents=[common]
    )
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=_status, access="read")

    store = verbs.add_parser(
        "file-storage",
        parents=[common],
        help="when no secure keychain exists: keep keys in an UNENCRYPTED file (on) or "
        "for the session only (off, the default)",
    )
    store.add_argument("state", choices=("on", "off"))
    store.add_argument("--json", action="store_true")
    store.set_defaults(handler=_file_storage, access="write")


def _read_secret(name: str) -> str:
    if sys.stdin is not None and sys.stdin.isatty():
        value = getpass.getpass(f"Value for {name} (input hidden): ")
    else:
        value = sys.stdin.read() if sys.stdin is not None else ""
    value = value.strip()
    if not value:
        raise ValidationError(f"No value was given for '{name}' (empty input).", field="value")
    return value


def _set(args: argparse.Namespace, ctx: AppContext) -> int:
    from portfolioos.secrets import validate_name

    name = validate_name(args.name)
    keychain = ctx.keychain
    if keychain.mode() == "session":
        # A command-line process is a session of one command: the key would be gone
        # before anyone could use it, so refuse rather than pretend.
        warning = keychain.status().warning
        raise SecretsError(
            f"{warning} A key set from the command line would be forgotten as soon as this "
            "command ends, so nothing was stored. Opt in to the unencrypted file with "
            "`portfolioos keys file-storage on` if you accept that risk."
        )
    mode = keychain.set(name, _read_secret(name))
    where = {"keychain": "the system keychain", "file": str(keychain.plaintext_path)}[mode]
    if args.json:
        print_json({"name": name, "stored": True, "mode": mode})
    else:
        print(f"stored '{name}' in {where}")
    if mode == "file":
        print(f"warning: {keychain.status().warning}", file=sys.stderr)
    return 0


def _delete(args: argparse.Namespace, ctx: AppContext) -> int:
    found = ctx.keychain.delete(args.name)
    if args.json:
        print_json({"name": args.name, "deleted": found})
    else:
        print(f"deleted '{args.name}'" if found else f"no key named '{args.name}' was stored")
    return 0


def key_names(ctx: AppContext) -> list[str]:
    """The well-known keys plus those the configured providers read."""
    from portfolioos.secrets import KNOWN_NAMES

    names = list(KNOWN_NAMES)
    for provider in ctx.assistant.providers.providers():
        if provider.key_name and provider.key_name not in names:
            names.append(provider.key_name)
    return names


def _status(args: argparse.Namespace, ctx: AppContext) -> int:
    keychain = ctx.keychain
    status = keychain.status()
    keys = {name: keychain.has(name) for name in key_names(ctx)}
    payload: dict[str, Any] = {**status.as_dict(), "keys": keys}
    if args.json:
        print_json(payload)
        return 0
    where = {
        "keychain": "the system keychain",
        "file": f"UNENCRYPTED file {status.file}",
        "session": "memory, for this session only",
    }[status.mode]
    print(f"keys are kept in {where} (backend {status.backend})")
    if status.warning:
        print(f"warning: {status.warning}")
    for name, present in keys.items():
        print(f"  {name:<32} {'set' if present else '-'}")
    return 0


def _file_storage(args: argparse.Namespace, ctx: AppContext) -> int:
    keychain = ctx.keychain
    keychain.set_file_opt_in(args.state == "on")
    status = keychain.status()
    if args.json:
        print_json(status.as_dict())
    elif args.state == "on":
        if status.secure:
            print(
                "noted; a secure keychain is available, so keys stay there and the "
                "unencrypted file is not used"
            )
        else:
            print(f"keys will be stored UNENCRYPTED in {keychain.plaintext_path}")
    else:
        print("keys will not be written to an unencrypted file")
    return 0
