"""`portfolioos prices|macro|securities ...`: market data from the command line.

Works offline: reads come from the cache, and a sync says per symbol what failed
and why. `prices sync` and `macro sync` exit 1 only when EVERY symbol or series
failed (nothing fetched and nothing already up to date); a partial failure exits 0
and is reported on its line (and in `--json` by its status).
"""

from __future__ import annotations

import argparse
import math
import sys
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from portfolioos.cli.output import print_json, print_table
from portfolioos.errors import NotFoundError, ValidationError

if TYPE_CHECKING:
    import pandas as pd

    from portfolioos.services.context import AppContext
    from portfolioos.services.market import SuggestedAction, SyncReport


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    prices = sub.add_parser("prices", help="sync, show and check cached prices", parents=[common])
    verbs = prices.add_subparsers(dest="verb", metavar="VERB", required=True)

    sync = verbs.add_parser("sync", help="fetch new daily prices from Yahoo", parents=[common])
    sync.add_argument("symbols", nargs="*", metavar="SYMBOL")
    sync.add_argument("--held", action="store_true", help="every symbol held in any account")
    sync.add_argument("--full", action="store_true", help="re-read the whole history window")
    sync.add_argument(
        "--overwrite-manual", action="store_true", help="let Yahoo replace prices entered by hand"
    )
    sync.add_argument("--json", action="store_true")
    sync.set_defaults(handler=_sync, access="write")

    show = verbs.add_parser("show", help="cached daily prices of a symbol", parents=[common])
    show.add_argument("symbol")
    show.add_argument("--from", dest="start", type=_date, metavar="YYYY-MM-DD")
    show.add_argument("--to", dest="end", type=_date, metavar="YYYY-MM-DD")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=_show, access="read")

    gaps = verbs.add_parser(
        "gaps", help="missing trading days and other findings", parents=[common]
    )
    gaps.add_argument("symbol")
    gaps.add_argument("--json", action="store_true")
    gaps.set_defaults(handler=_gaps, access="read")

    imp = verbs.add_parser(
        "import", help="import a price CSV (symbol,date,close[,currency])", parents=[common]
    )
    imp.add_argument("file")
    imp.add_argument("--json", action="store_true")
    imp.set_defaults(handler=_import, access="write")

    add = verbs.add_parser("add", help="enter one price by hand", parents=[common])
    add.add_argument("symbol")
    add.add_argument("date", type=_date)
    add.add_argument("close")
    add.add_argument("--currency", default="USD")
    add.add_argument("--json", action="store_true")
    add.set_defaults(handler=_add, access="write")

    actions = verbs.add_parser(
        "actions",
        help="splits/dividends Yahoo knows and the ledger lacks; confirm or dismiss them",
        description=(
            "`prices actions [SYMBOL ...]` lists suggestions (one per account); "
            "`prices actions confirm ID --account A [--date PAYDATE]` writes one into that "
            "account's ledger; `prices actions dismiss ID [--account A]` stops offering it. "
            "IDs look like dividend:AAPL:2024-02-09."
        ),
        parents=[common],
    )
    actions.add_argument(
        "words",
        nargs="*",
        metavar="SYMBOL | confirm ID | dismiss ID",
        action=_ActionWords,
    )
    actions.add_argument("--account", help="account name or id")
    actions.add_argument(
        "--date",
        type=_date,
        metavar="YYYY-MM-DD",
        help="confirm: book the dividend on this pay date (default: the ex-date)",
    )
    actions.add_argument("--json", action="store_true")
    actions.set_defaults(handler=_actions, access="read")

    macro = sub.add_parser(
        "macro", help="FRED macro series (needs a FRED API key)", parents=[common]
    )
    mverbs = macro.add_subparsers(dest="verb", metavar="VERB", required=True)
    msync = mverbs.add_parser("sync", help="fetch series from FRED", parents=[common])
    msync.add_argument("series", nargs="+", metavar="SERIES")
    msync.add_argument("--json", action="store_true")
    msync.set_defaults(handler=_macro_sync, access="write")
    mshow = mverbs.add_parser("show", help="cached observations of a series", parents=[common])
    mshow.add_argument("series", metavar="SERIES")
    mshow.add_argument("--from", dest="start", type=_date, metavar="YYYY-MM-DD")
    mshow.add_argument("--to", dest="end", type=_date, metavar="YYYY-MM-DD")
    mshow.add_argument("--json", action="store_true")
    mshow.set_defaults(handler=_macro_show, access="read")

    sec = sub.add_parser("securities", help="what a symbol is", parents=[common])
    sverbs = sec.add_subparsers(dest="verb", metavar="VERB", required=True)
    info = sverbs.add_parser(
        "info", help="name, type, currency, exchange, dividends, splits", parents=[common]
    )
    info.add_argument("symbol")
    fetch = info.add_mutually_exclusive_group()
    fetch.add_argument(
        "--refresh", action="store_true", help="fetch the profile from Yahoo even if recent"
    )
    fetch.add_argument(
        "--offline", action="store_true", help="show what is stored; never ask Yahoo"
    )
    info.add_argument("--json", action="store_true")
    info.set_defaults(handler=_info, access="write")


class _ActionWords(argparse.Action):
    """`confirm ID` and `dismiss ID` write (take the data-folder lock); a listing reads."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        words = list(values or [])
        setattr(namespace, self.dest, words)
        if words and words[0].lower() in ("confirm", "dismiss"):
            namespace.access = "write"


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (use YYYY-MM-DD)") from None


def _report(report: SyncReport, as_json: bool, noun: str) -> int:
    rows = [
        {
            "symbol": r.symbol,
            "status": r.status,
            "rows_added": r.rows_added,
            "last_date": r.last_date,
            "message": r.message,
            "info_status": r.info_status,
        }
        for r in report.results
    ]
    if as_json:
        print_json({noun: rows, "all_failed": report.all_failed})
    else:
        print_table(rows, ("symbol", "status", "rows_added", "last_date", "message"))
        failed = [r for r in report.results if r.status not in ("ok", "stale")]
        if failed:
            print(
                f"{len(failed)} of {len(rows)} fetch(es) failed; cached data was kept.",
                file=sys.stderr,
            )
    return 1 if report.all_failed else 0


def _sync(args: argparse.Namespace, ctx: AppContext) -> int:
    if args.held and args.symbols:
        raise ValidationError("Give symbols or --held, not both.", field="symbols")
    if args.held:
        symbols = ctx.market.held_symbols()
        if not symbols:
            if args.json:
                print_json({"symbols": [], "all_failed": False})
            else:
                print("No held symbols: the ledger holds no shares.")
            return 0
    elif args.symbols:
        symbols = args.symbols
    else:
        raise ValidationError("Name the symbols to sync, or use --held.", field="symbols")
    report = ctx.market.sync_prices(symbols, full=args.full, overwrite_manual=args.overwrite_manual)
    return _report(report, args.json, "symbols")


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for row in frame.to_dict("records"):
        clean: dict[str, Any] = {}
        for key, value in row.items():
            if key == "date" and isinstance(value, datetime):  # pandas Timestamps included
                value = value.date()
            if isinstance(value, float) and math.isnan(value):
                value = None
            if value is not None and hasattr(value, "item"):
                value = value.item()
            clean[str(key)] = value
        out.append(clean)
    return out


def _show(args: argparse.Namespace, ctx: AppContext) -> int:
    market = ctx.market
    rows = _records(market.prices(args.symbol, args.start, args.end))
    stale = market.staleness([args.symbol])[0]
    if args.json:
        print_json(
            {
                "symbol": stale.symbol,
                "last_date": stale.last_date,
                "age_days": stale.age_days,
                "sessions_behind": stale.sessions_behind,
                "status": stale.status,
                "prices": rows,
            }
        )
        return 0
    if not rows:
        print(f"No cached prices for {stale.symbol}; run `portfolioos prices sync {stale.symbol}`.")
        return 0
    print_table(
        rows, ("date", "open", "high", "low", "close", "adj_close", "volume", "currency", "source")
    )
    print(
        f"{stale.symbol}: newest price {stale.last_date} ({stale.age_days} day(s) old, "
        f"{stale.sessions_behind} session(s) behind; last sync: {stale.status})"
    )
    return 0


def _gaps(args: argparse.Namespace, ctx: AppContext) -> int:
    gaps = ctx.market.gaps(args.symbol)
    findings = ctx.market.findings(args.symbol)
    symbol = args.symbol.strip().upper()
    if args.json:
        print_json(
            {
                "symbol": symbol,
                "gaps": [{"date": g.date, "detail": g.detail} for g in gaps],
                "findings": [
                    {"date": f.date, "kind": f.kind, "detail": f.detail} for f in findings
                ],
            }
        )
        return 0
    print(f"{symbol}: {len(gaps)} gap(s) on trading days")
    print_table(
        [{"date": f.date, "kind": f.kind, "detail": f.detail} for f in findings],
        ("date", "kind", "detail"),
    )
    return 0


def _import(args: argparse.Namespace, ctx: AppContext) -> int:
    count, symbols, _ = ctx.market.import_prices_csv(args.file)
    if args.json:
        print_json({"file": args.file, "rows": count, "symbols": symbols})
    else:
        print(f"imported {count} manual price(s) for {', '.join(symbols)}")
    return 0


def _add(args: argparse.Namespace, ctx: AppContext) -> int:
    ctx.market.add_manual_price(args.symbol, args.date, args.close, args.currency)
    symbol = args.symbol.strip().upper()
    if args.json:
        print_json(
            {
                "symbol": symbol,
                "date": args.date,
                "close": float(args.close),
                "currency": args.currency.upper(),
                "source": "manual",
            }
        )
    else:
        print(f"added manual price {symbol} {args.date} {args.close} {args.currency.upper()}")
    return 0


def _action_row(a: SuggestedAction) -> dict[str, Any]:
    if a.type == "split":
        what = f"{a.ratio:f}".rstrip("0").rstrip(".") + " new per old" if a.ratio else "-"
    else:
        what = f"{a.amount} {a.currency}" if a.amount is not None else "-"
    return {
        "id": a.id,
        "account": a.account,
        "shares": a.shares,
        "writes": what,
        "reason": a.reason,
    }


def _actions(args: argparse.Namespace, ctx: AppContext) -> int:
    words = list(args.words)
    verb = words[0].lower() if words and words[0].lower() in ("confirm", "dismiss") else None
    if verb is None:
        if args.date:
            raise ValidationError("--date goes with `confirm ID`.", field="date")
        found = ctx.market.suggested_actions(words or None, args.account)
        doubts = ctx.market.possible_duplicates(args.account)
        if args.json:
            print_json({"suggestions": found, "possible_duplicates": doubts})
            return 0
        if not found:
            print("No suggestions: the ledger has every split and dividend Yahoo reports.")
        else:
            print_table(
                [_action_row(a) for a in found], ("id", "account", "shares", "writes", "reason")
            )
        for doubt in doubts:
            print(f"possible duplicate: {doubt.message}", file=sys.stderr)
        return 0
    if len(words) != 2:
        raise ValidationError(f"Use `prices actions {verb} ID`, one id.", field="id")
    ident = words[1]
    if verb == "dismiss":
        if args.date:
            raise ValidationError("--date goes with `confirm ID`.", field="date")
        gone = ctx.market.dismiss_action(ident, args.account)
        if args.json:
            print_json({"dismissed": gone})
        else:
            for a in gone:
                print(f"dismissed {a.id} for {a.account}; it will not be offered again")
        return 0
    done = ctx.market.confirm_action(ident, args.account, pay_date=args.date)
    entry = done.entry
    if args.json:
        print_json(
            {
                "confirmed": done.action,
                "added": done.added,
                "entry": {
                    "account": done.action.account,
                    "date": entry.date,
                    "type": entry.type.value,
                    "symbol": entry.symbol,
                    "amount": entry.amount,
                    "split_ratio": entry.split_ratio,
                    "currency": entry.currency,
                    "note": entry.note,
                    "fingerprint": entry.fingerprint,
                    "batch_id": entry.batch_id,
                },
            }
        )
    elif done.added:
        what = (
            f"split ratio {entry.split_ratio}"
            if entry.type.value == "split"
            else f"dividend {entry.amount} {entry.currency}"
        )
        print(
            f"wrote {entry.symbol} {what} on {entry.date} to {done.action.account} as import "
            f"batch {entry.batch_id} (`portfolioos import undo {entry.batch_id}` takes it back)"
        )
    else:
        print(f"{done.action.account} already has this exact row; nothing written")
    return 0


def _macro_sync(args: argparse.Namespace, ctx: AppContext) -> int:
    return _report(ctx.market.sync_macro(args.series), args.json, "series")


def _macro_show(args: argparse.Namespace, ctx: AppContext) -> int:
    series = args.series.strip().upper()
    rows = _records(ctx.market.macro(series, args.start, args.end))
    if args.json:
        print_json(
            {
                "series": series,
                "fred_enabled": ctx.market.fred_api_key() is not None,
                "observations": rows,
            }
        )
        return 0
    if not rows:
        print(f"No cached observations for {series}; run `portfolioos macro sync {series}`.")
        return 0
    print_table(rows, ("date", "value"))
    return 0


def _info(args: argparse.Namespace, ctx: AppContext) -> int:
    """Fetch the profile when none is stored or it is old (or `--refresh`), then show
    what is stored. A failed fetch is reported and the stored profile shown anyway."""
    market = ctx.market
    refresh = None
    if not args.offline:
        refresh = market.refresh_info([args.symbol], force=args.refresh).results[0]
    try:
        info = market.security_info(args.symbol)
    except NotFoundError:
        if refresh is not None and refresh.status != "ok":
            raise NotFoundError(
                f"No security info for {refresh.symbol}: fetching it failed ({refresh.message})."
            ) from None
        raise
    failed = refresh is not None and refresh.status != "ok"
    if args.json:
        if refresh is not None:
            info["refresh"] = {"status": refresh.status, "message": refresh.message}
        print_json(info)
        return 0
    if failed:
        assert refresh is not None
        print(f"could not refresh the profile: {refresh.message}", file=sys.stderr)
    for key in (
        "symbol",
        "name",
        "quote_type",
        "asset_type",
        "sector",
        "industry",
        "currency",
        "exchange",
        "updated_at",
    ):
        print(f"{key:>11}: {info.get(key) if info.get(key) is not None else '-'}")
    print(
        f"{'dividends':>11}: {len(info['dividends'])}, splits: "
        + (", ".join(f"{s['date']} x{s['ratio']:g}" for s in info["splits"]) or "none")
    )
    return 0
