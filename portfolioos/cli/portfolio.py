"""`portfolioos holdings|lots|realized|networth|performance|reconcile|discrepancies|
transactions`: the portfolio engine from the command line (all with --json)."""

from __future__ import annotations

import argparse
import dataclasses
import math
from datetime import date
from typing import TYPE_CHECKING, Any

from portfolioos.cli.output import print_json, print_table
from portfolioos.errors import ValidationError

if TYPE_CHECKING:
    from portfolioos.services.context import AppContext


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2024-03-31") from None


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    p = sub.add_parser("holdings", help="open positions from the ledger", parents=[common])
    p.add_argument("--account", help="account name or id (default: all)")
    p.add_argument("--method", help="override the lot method: fifo, lifo, hifo, average, specific")
    p.add_argument("--date", type=_date, help="as of this date (YYYY-MM-DD)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_holdings, access="read")

    p = sub.add_parser("lots", help="the tax lots of one symbol", parents=[common])
    p.add_argument("symbol")
    p.add_argument("--account")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_lots, access="read")

    p = sub.add_parser(
        "realized", help="realized gains by tax year (Form 8949 style)", parents=[common]
    )
    p.add_argument("--year", type=int)
    p.add_argument("--account")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_realized, access="read")

    p = sub.add_parser(
        "networth", help="net worth now or on a date; `networth history`", parents=[common]
    )
    p.add_argument("what", nargs="?", choices=["history"], help="daily history instead")
    p.add_argument("--date", type=_date)
    p.add_argument("--from", dest="start", type=_date)
    p.add_argument("--to", dest="end", type=_date)
    p.add_argument("--account", action="append", help="limit to accounts (repeatable)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_networth, access="read")

    p = sub.add_parser(
        "performance", help="XIRR, TWR, CAGR, drawdown, volatility", parents=[common]
    )
    p.add_argument("--account")
    p.add_argument("--benchmark", help="a symbol whose cached prices to compare against")
    p.add_argument("--from", dest="start", type=_date)
    p.add_argument("--to", dest="end", type=_date)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_performance, access="read")

    p = sub.add_parser(
        "reconcile", help="recompute holdings, lots and cash from the ledger", parents=[common]
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_reconcile, access="write")

    p = sub.add_parser(
        "discrepancies", help="compare with a broker's positions CSV", parents=[common]
    )
    p.add_argument("positions_csv", metavar="POSITIONS.csv")
    p.add_argument("--account", required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_discrepancies, access="read")

    p = sub.add_parser("transactions", help="list ledger rows, newest first", parents=[common])
    p.add_argument("--account", action="append")
    p.add_argument("--symbol")
    p.add_argument("--type", action="append", dest="types")
    p.add_argument("--from", dest="start", type=_date)
    p.add_argument("--to", dest="end", type=_date)
    p.add_argument("--search", dest="text")
    p.add_argument("--batch", dest="batch_id", type=int)
    p.add_argument("--offset", type=int, default=0)
    p.add_argument("--limit", type=int, default=100)
    p.add_argument("--count", action="store_true", help="print only how many rows match")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_transactions, access="read")


def _plain(value: Any) -> Any:
    """Dataclasses as dicts; NaN floats as None so the JSON stays valid."""
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _holdings(args: argparse.Namespace, ctx: AppContext) -> int:
    rows = [_plain(h) for h in ctx.portfolio.holdings(args.account, args.method, args.date)]
    if args.json:
        print_json(rows)
    else:
        print_table(
            rows,
            (
                "account",
                "symbol",
                "shares",
                "cost_basis",
                "market_value",
                "unrealized_gain",
                "realized_gain",
            ),
        )
    return 0


def _lots(args: argparse.Namespace, ctx: AppContext) -> int:
    rows = [_plain(x) for x in ctx.portfolio.lots(args.symbol, args.account)]
    if args.json:
        print_json(rows)
    else:
        print_table(
            rows,
            (
                "account",
                "lot_id",
                "acquired",
                "quantity",
                "cost_basis",
                "per_share",
                "term",
                "unrealized_gain",
            ),
        )
    return 0


def _realized(args: argparse.Namespace, ctx: AppContext) -> int:
    report = ctx.portfolio.realized(args.year, args.account)
    if args.json:
        print_json(_plain(report))
    else:
        print_table(
            [_plain(x) for x in report.lines],
            (
                "account",
                "description",
                "acquired",
                "sold",
                "proceeds",
                "cost_basis",
                "code",
                "adjustment",
                "gain",
                "term",
            ),
        )
        print(f"short-term gain {report.short_term.gain}; long-term gain {report.long_term.gain}")
    return 0


def _networth(args: argparse.Namespace, ctx: AppContext) -> int:
    if args.what == "history":
        h = ctx.portfolio.net_worth_history(args.start, args.end, args.account)
        rows = [
            {
                "date": d,
                "total": _plain(float(t)),
                "securities": _plain(float(s)),
                "cash": _plain(float(c)),
                "flows": _plain(float(f)),
                "unpriced": int(u),
            }
            for d, t, s, c, f, u in zip(
                h.dates, h.total, h.securities, h.cash, h.flows, h.unpriced, strict=True
            )
        ]
        if args.json:
            print_json(rows)
        else:
            print_table(rows, ("date", "total", "securities", "cash", "unpriced"))
        return 0
    if args.start or args.end:
        raise ValidationError("--from/--to belong to `networth history`.", field="from")
    nw = ctx.portfolio.net_worth(args.date, args.account)
    if args.json:
        print_json(_plain(nw))
    else:
        print(
            f"net worth on {nw.date}: {nw.total_value} (securities {nw.market_value}, "
            f"cash {nw.cash}, unrealized {nw.unrealized})"
        )
        print_table([_plain(a) for a in nw.allocation], ("key", "value", "weight"))
        for u in nw.unpriced:
            print(f"unpriced: {u.account} {u.symbol} {u.shares} shares")
    return 0


def _performance(args: argparse.Namespace, ctx: AppContext) -> int:
    perf = ctx.portfolio.performance(args.account, args.benchmark, args.start, args.end)
    if args.json:
        print_json(_plain(perf))
    else:
        print(
            f"{perf.start} .. {perf.end}: XIRR {perf.xirr:.4%}, TWR {perf.twr:.4%}, "
            f"CAGR {perf.portfolio.cagr:.4%}, max drawdown {perf.portfolio.max_drawdown:.2%}, "
            f"volatility {perf.portfolio.volatility:.2%}"
        )
        if perf.benchmark is not None:
            print(
                f"benchmark {perf.benchmark_symbol}: return {perf.benchmark.total_return:.4%}, "
                f"CAGR {perf.benchmark.cagr:.4%}"
            )
    return 0


def _reconcile(args: argparse.Namespace, ctx: AppContext) -> int:
    summary = ctx.portfolio.reconcile()
    if args.json:
        print_json(_plain(summary))
    else:
        print(
            f"{summary.transactions} transactions -> {len(summary.holdings)} holdings, "
            f"{summary.open_lots} open lots in {summary.seconds:.2f} s"
        )
        for name, bal in summary.cash.items():
            print(f"cash {name}: {bal}")
    return 0


def _discrepancies(args: argparse.Namespace, ctx: AppContext) -> int:
    found = [_plain(d) for d in ctx.portfolio.discrepancies(args.positions_csv, args.account)]
    if args.json:
        print_json(found)
    else:
        print_table(found, ("symbol", "field", "ledger", "broker", "difference"))
    return 0


def _transactions(args: argparse.Namespace, ctx: AppContext) -> int:
    filters = dict(
        account=args.account,
        symbol=args.symbol,
        types=args.types,
        start=args.start,
        end=args.end,
        text=args.text,
        batch_id=args.batch_id,
    )
    if args.count:
        n = ctx.portfolio.transaction_count(**filters)
        print_json({"count": n}) if args.json else print(n)
        return 0
    rows = [
        _plain(e)
        for e in ctx.portfolio.transactions(**filters, offset=args.offset, limit=args.limit)
    ]
    if args.json:
        print_json(rows)
    else:
        print_table(
            rows,
            ("id", "date", "account_id", "type", "symbol", "quantity", "price", "amount", "fees"),
        )
    return 0
