"""`portfolioos accounts add|list|update|delete`."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from portfolioos.cli.output import print_json, print_table

if TYPE_CHECKING:
    from portfolioos.domain.accounts import Account
    from portfolioos.services.context import AppContext

COLUMNS = ("id", "name", "type", "institution", "currency", "lot_method", "track_wash_sales")


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    accounts = sub.add_parser(
        "accounts", help="create, list, update and delete accounts", parents=[common]
    )
    verbs = accounts.add_subparsers(dest="verb", metavar="VERB", required=True)

    add = verbs.add_parser("add", help="create an account", parents=[common])
    add.add_argument("name")
    _fields(add, defaults=True)
    add.add_argument("--json", action="store_true")
    add.set_defaults(handler=_add, access="write")

    lst = verbs.add_parser("list", help="list accounts", parents=[common])
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(handler=_list, access="read")

    upd = verbs.add_parser("update", help="change an account", parents=[common])
    upd.add_argument("account", help="account name or id")
    upd.add_argument("--name", dest="new_name")
    _fields(upd, defaults=False)
    upd.add_argument("--json", action="store_true")
    upd.set_defaults(handler=_update, access="write")

    dele = verbs.add_parser("delete", help="delete an account", parents=[common])
    dele.add_argument("account", help="account name or id")
    dele.add_argument(
        "--force",
        action="store_true",
        help="also delete its transactions, lots, holdings and snapshots",
    )
    dele.add_argument("--json", action="store_true")
    dele.set_defaults(handler=_delete, access="write")


def _fields(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    parser.add_argument(
        "--type",
        default="brokerage" if defaults else None,
        help="brokerage, ira, roth_ira, 401k, hsa, 529, checking, savings, crypto, other",
    )
    parser.add_argument("--institution", default="" if defaults else None)
    parser.add_argument("--currency", default="USD" if defaults else None)
    parser.add_argument("--notes", default="" if defaults else None)
    parser.add_argument("--lot-method", default=None, help="fifo, lifo, hifo, average, specific")
    wash = parser.add_mutually_exclusive_group()
    wash.add_argument(
        "--wash-sales",
        dest="wash_sales",
        action="store_true",
        default=None,
        help="track US wash sales in this account",
    )
    wash.add_argument("--no-wash-sales", dest="wash_sales", action="store_false")


def account_json(account: Account) -> dict[str, Any]:
    return {
        "id": account.id,
        "name": account.name,
        "type": account.type.value,
        "institution": account.institution,
        "currency": account.currency,
        "notes": account.notes,
        "lot_method": account.lot_method.value,
        "track_wash_sales": account.track_wash_sales,
        "created_at": account.created_at.isoformat(),
        "updated_at": account.updated_at.isoformat(),
    }


def _show(account: Account, as_json: bool, verb: str) -> None:
    if as_json:
        print_json(account_json(account))
    else:
        kind = f"{account.type.value}, {account.currency}"
        print(f"{verb} account {account.id}: {account.name} ({kind})")


def _add(args: argparse.Namespace, ctx: AppContext) -> int:
    from portfolioos.domain.accounts import AccountDraft

    lot_method = args.lot_method or ctx.settings.get("default_lot_method")
    account, _ = ctx.portfolio.create_account(
        AccountDraft(
            name=args.name,
            type=args.type,
            institution=args.institution,
            currency=args.currency,
            notes=args.notes,
            lot_method=lot_method,
            track_wash_sales=bool(args.wash_sales),
        )
    )
    _show(account, args.json, "created")
    return 0


def _list(args: argparse.Namespace, ctx: AppContext) -> int:
    accounts = [account_json(a) for a in ctx.portfolio.list_accounts()]
    if args.json:
        print_json(accounts)
    else:
        print_table(accounts, COLUMNS)
    return 0


def _update(args: argparse.Namespace, ctx: AppContext) -> int:
    account, _ = ctx.portfolio.update_account(
        args.account,
        name=args.new_name,
        type=args.type,
        institution=args.institution,
        currency=args.currency,
        notes=args.notes,
        lot_method=args.lot_method,
        track_wash_sales=args.wash_sales,
    )
    _show(account, args.json, "updated")
    return 0


def _delete(args: argparse.Namespace, ctx: AppContext) -> int:
    account = ctx.portfolio.account(args.account)
    count = ctx.portfolio.transaction_count(account.id)
    ctx.portfolio.delete_account(account.id, force=args.force)
    if args.json:
        print_json({"deleted": account_json(account), "transactions_deleted": count})
    else:
        print(f"deleted account {account.id}: {account.name} ({count} transaction(s) removed)")
    return 0
