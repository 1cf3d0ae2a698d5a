"""`portfolioos llm providers|models|consent|ask`.

`llm ask` streams the answer to standard output. For a cloud provider the user has not
consented to, nothing is sent: the command prints exactly what would have been sent
and how to agree (`llm consent PROVIDER`), and exits 1.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from portfolioos.cli.output import print_json, print_table

if TYPE_CHECKING:
    from portfolioos.llm.consent import ConsentNeeded
    from portfolioos.services.context import AppContext

PROVIDER_COLUMNS = (
    "id",
    "name",
    "provider_type",
    "endpoint_url",
    "model",
    "default",
    "local",
    "privacy_level",
    "rate_limit_per_min",
    "consent",
)


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    llm = sub.add_parser(
        "llm", help="language-model providers and the portfolio assistant", parents=[common]
    )
    verbs = llm.add_subparsers(dest="verb", metavar="VERB", required=True)

    providers = verbs.add_parser("providers", help="configure providers", parents=[common])
    pverbs = providers.add_subparsers(dest="pverb", metavar="ACTION", required=True)

    lst = pverbs.add_parser("list", help="list providers", parents=[common])
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(handler=_list, access="read")

    add = pverbs.add_parser("add", help="add a provider", parents=[common])
    add.add_argument("name")
    add.add_argument(
        "--type",
        required=True,
        dest="provider_type",
        help="lmstudio, openai_compatible, openai, openrouter, anthropic",
    )
    add.add_argument(
        "--endpoint", help="base URL (default: the type's own; LM Studio http://localhost:1234/v1)"
    )
    add.add_argument("--model", default="")
    add.add_argument(
        "--privacy",
        choices=("totals", "full"),
        help="what the assistant sends (default: full for local, totals for cloud)",
    )
    add.add_argument("--rate-limit", type=int, default=30, help="requests per minute (30)")
    where = add.add_mutually_exclusive_group()
    where.add_argument(
        "--local",
        dest="is_local",
        action="store_true",
        default=None,
        help="the server runs on this machine or network (no consent needed)",
    )
    where.add_argument("--cloud", dest="is_local", action="store_false")
    add.add_argument("--default", action="store_true", help="make it the default provider")
    add.add_argument("--json", action="store_true")
    add.set_defaults(handler=_add, access="write")

    rem = pverbs.add_parser("remove", help="remove a provider", parents=[common])
    rem.add_argument("name")
    rem.add_argument("--json", action="store_true")
    rem.set_defaults(handler=_remove, access="write")

    dflt = pverbs.add_parser("set-default", help="make a provider the default", parents=[common])
    dflt.add_argument("name")
    dflt.add_argument("--json", action="store_true")
    dflt.set_defaults(handler=_set_default, access="write")

    priv = pverbs.add_parser(
        "set-privacy", help="totals (totals and weights only) or full", parents=[common]
    )
    priv.add_argument("name")
    priv.add_argument("level", choices=("totals", "full"))
    priv.add_argument("--json", action="store_true")
    priv.set_defaults(handler=_set_privacy, access="write")

    test = pverbs.add_parser("test", help="test the connection (lists models)", parents=[common])
    test.add_argument("name", nargs="?", help="provider (default: the default one)")
    test.add_argument("--json", action="store_true")
    test.set_defaults(handler=_test, access="read")

    models = verbs.add_parser("models", help="models a provider offers", parents=[common])
    models.add_argument("name", nargs="?")
    models.add_argument("--json", action="store_true")
    models.set_defaults(handler=_models, access="read")

    consent = verbs.add_parser(
        "consent",
        parents=[common],
        help="agree to send a cloud provider the portfolio summary at its privacy level",
    )
    consent.add_argument("name")
    consent.add_argument("--revoke", action="store_true", help="withdraw consent")
    consent.add_argument("--json", action="store_true")
    consent.set_defaults(handler=_consent, access="write")

    ask = verbs.add_parser("ask", help="ask the assistant about your portfolio", parents=[common])
    ask.add_argument("question")
    ask.add_argument("--provider", help="provider name (default: the default one)")
    ask.add_argument("--conversation", type=int, help="continue this conversation id")
    ask.add_argument("--json", action="store_true")
    ask.set_defaults(handler=_ask, access="write")


def _row(provider: Any) -> dict[str, Any]:
    data: dict[str, Any] = provider.as_dict()
    return data


def _list(args: argparse.Namespace, ctx: AppContext) -> int:
    rows = [_row(p) for p in ctx.assistant.providers.providers()]
    if args.json:
        print_json(rows)
    else:
        print_table(
            [
                {
                    **r,
                    "default": r["is_default"],
                    "local": r["is_local"],
                    "consent": (r["consent"] or {}).get("granted_at")
                    if not r["is_local"]
                    else "not needed",
                }
                for r in rows
            ],
            PROVIDER_COLUMNS,
        )
    return 0


def _add(args: argparse.Namespace, ctx: AppContext) -> int:
    provider = ctx.assistant.providers.add(
        args.name,
        args.provider_type,
        endpoint_url=args.endpoint,
        model=args.model,
        is_local=args.is_local,
        privacy_level=args.privacy,
        rate_limit_per_min=args.rate_limit,
        make_default=args.default,
    )
    if args.json:
        print_json(_row(provider))
    else:
        kind = "local" if provider.is_local else "cloud (needs consent before use)"
        print(
            f"added provider {provider.id}: {provider.name} ({provider.provider_type.value}, "
            f"{kind}, privacy {provider.privacy_level.value})"
        )
        if provider.key_name and not ctx.keychain.has(provider.key_name):
            print(f"set its key with: portfolioos keys set {provider.key_name}")
    return 0


def _remove(args: argparse.Namespace, ctx: AppContext) -> int:
    provider = ctx.assistant.providers.remove(args.name)
    if args.json:
        print_json({"removed": _row(provider)})
    else:
        print(f"removed provider {provider.id}: {provider.name}")
    return 0


def _set_default(args: argparse.Namespace, ctx: AppContext) -> int:
    provider = ctx.assistant.providers.set_default(args.name)
    print_json(_row(provider)) if args.json else print(f"default provider: {provider.name}")
    return 0


def _set_privacy(args: argparse.Namespace, ctx: AppContext) -> int:
    provider = ctx.assistant.providers.set_privacy_level(args.name, args.level)
    if args.json:
        print_json(_row(provider))
    else:
        print(f"{provider.name}: privacy {provider.privacy_level.value}")
    return 0


def consent_refusal(exc: ConsentNeeded, as_json: bool) -> int:
    """Say what would have been sent, and how to agree; nothing was sent."""
    if as_json:
        print_json({"error": exc.message, "consent_required": exc.consent.as_dict()})
    else:
        print(f"error: {exc.message}", file=sys.stderr)
        print("\nThis is exactly what would be sent (nothing has been):\n", file=sys.stderr)
        print(exc.consent.request.text(), file=sys.stderr)
    return 1


def _test(args: argparse.Namespace, ctx: AppContext) -> int:
    from portfolioos.llm.consent import ConsentNeeded

    try:
        report = ctx.assistant.providers.test(args.name)
    except ConsentNeeded as exc:
        return consent_refusal(exc, args.json)
    if args.json:
        print_json(
            {
                "ok": report.ok,
                "provider": report.provider,
                "endpoint": report.endpoint,
                "models": list(report.models),
                "seconds": round(report.seconds, 3),
                "message": report.message,
            }
        )
    else:
        print(f"{report.provider}: {'ok' if report.ok else 'FAILED'} - {report.message}")
    return 0 if report.ok else 1


def _models(args: argparse.Namespace, ctx: AppContext) -> int:
    from portfolioos.llm.consent import ConsentNeeded

    try:
        models = ctx.assistant.providers.list_models(args.name)
    except ConsentNeeded as exc:
        return consent_refusal(exc, args.json)
    if args.json:
        print_json([{"id": m.id, "name": m.name} for m in models])
    else:
        for m in models:
            print(m.id)
    return 0


def _consent(args: argparse.Namespace, ctx: AppContext) -> int:
    manager = ctx.assistant.providers
    if args.revoke:
        provider = manager.revoke_consent(args.name)
        print_json(_row(provider)) if args.json else print(
            f"consent withdrawn for {provider.name}: nothing will be sent to it"
        )
        return 0
    provider = manager.grant_consent(args.name)
    if args.json:
        print_json(_row(provider))
        return 0
    if provider.is_local:
        print(f"{provider.name} is local; it needs no consent (recorded anyway)")
        return 0
    level = (
        "totals and weights only (no account names, share counts or amounts per holding)"
        if provider.privacy_level.value == "totals"
        else "full detail"
    )
    print(
        f"consent recorded for {provider.name}: it may be sent your questions and a "
        f"portfolio summary at privacy level '{provider.privacy_level.value}' ({level}). "
        f"Withdraw with: portfolioos llm consent {provider.name} --revoke"
    )
    return 0


def _ask(args: argparse.Namespace, ctx: AppContext) -> int:
    from portfolioos.llm.consent import ConsentNeeded

    streamed = not args.json

    def show(delta: str) -> None:
        sys.stdout.write(delta)
        sys.stdout.flush()

    try:
        answer = ctx.assistant.ask(
            args.question, args.provider, args.conversation, on_delta=show if streamed else None
        )
    except ConsentNeeded as exc:
        return consent_refusal(exc, args.json)
    if args.json:
        print_json(answer.as_dict())
    else:
        sys.stdout.write("\n")
        usage = answer.usage
        tokens = f", {usage.input_tokens} in / {usage.output_tokens} out tokens" if usage else ""
        print(
            f"[{answer.provider} {answer.model}{tokens}; conversation {answer.conversation_id}]",
            file=sys.stderr,
        )
    return 0
