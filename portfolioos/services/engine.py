"""The portfolio engine's service face: holdings, lots, realized gains, net worth,
history, snapshots, growth, performance, reconciliation and the paged ledger.

Every figure is derived from the ledger on demand (one sorted columnar read and one
pass of the domain engine, whose plain FIFO and cash-only groups are computed whole in
numpy: well under a second for a million rows, see benchmarks/reconcile.py);
`rederive()` also stores lots and holdings (one INSERT ... SELECT each) so other
readers (exports, SQL-minded tools) see them. Money is Decimal; history and return
statistics are float64.
"""

from __future__ import annotations

import csv
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from portfolioos.domain.accounts import Account, LotMethod, parse_lot_method
from portfolioos.domain.cost_basis import (
    DisposedLot,
    Lot,
    Term,
    day_number,
    from_units,
    is_long_term,
)
from portfolioos.domain.ledger import LedgerEntry, TxType
from portfolioos.domain.networth import (
    Growth,
    NetWorth,
    NetWorthHistory,
    Valuation,
    growth_rates,
    history,
    price_decimal,
    summarize,
    value,
)
from portfolioos.domain.performance import SeriesStats, series_stats, time_weighted_returns, xirr
from portfolioos.domain.reconcile import (
    BrokerPosition,
    Discrepancy,
    ReconcileResult,
    discrepancies,
    reconcile,
)
from portfolioos.errors import ImportFileError, Location, NotFoundError, ValidationError
from portfolioos.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress
from portfolioos.services.changes import Changes
from portfolioos.storage.ledger_store import DerivedStore, LedgerReader, TransactionFilter
from portfolioos.storage.price_store import PriceStore

if TYPE_CHECKING:
    from portfolioos.services.context import AppContext

logger = logging.getLogger(__name__)
CALENDAR_DAYS_PER_YEAR = 365.0


@dataclass(frozen=True, slots=True)
class HoldingView:
    account_id: int
    account: str
    symbol: str
    shares: Decimal
    cost_basis: Decimal
    realized_gain: Decimal
    currency: str
    lot_method: LotMethod
    price: Decimal | None
    price_date: date | None
    market_value: Decimal | None
    unrealized_gain: Decimal | None


@dataclass(frozen=True, slots=True)
class LotView:
    account_id: int
    account: str
    symbol: str
    lot_id: str
    acquired: date
    holding_start: date
    quantity: Decimal
    cost_basis: Decimal
    per_share: Decimal
    wash_sale_adjustment: Decimal
    term: Term
    market_value: Decimal | None
    unrealized_gain: Decimal | None


@dataclass(frozen=True, slots=True)
class RealizedLine:
    """One Form 8949 line: (a) description, (b) acquired, (c) sold, (d) proceeds,
    (e) basis, (f) code ("W" for a wash sale), (g) adjustment, (h) gain."""

    account_id: int
    account: str
    symbol: str
    description: str
    lot_id: str
    quantity: Decimal
    acquired: date
    sold: date
    proceeds: Decimal
    cost_basis: Decimal
    code: str
    adjustment: Decimal
    gain: Decimal
    term: Term


@dataclass(frozen=True, slots=True)
class RealizedTotals:
    proceeds: Decimal
    cost_basis: Decimal
    adjustment: Decimal
    gain: Decimal


@dataclass(frozen=True, slots=True)
class RealizedReport:
    year: int | None
    lines: list[RealizedLine]
    short_term: RealizedTotals
    long_term: RealizedTotals
    total_gain: Decimal


@dataclass(frozen=True, slots=True)
class ReconcileSummary:
    transactions: int
    holdings: list[HoldingView]
    cash: dict[str, Decimal]
    income: dict[str, Decimal]
    open_lots: int
    seconds: float


@dataclass(frozen=True, slots=True)
class Snapshot:
    account_id: int
    account: str
    date: date
    market_value: Decimal
    cost_basis: Decimal
    cash: Decimal
    currency: str
    unpriced: int


@dataclass(frozen=True, slots=True)
class AccountReturn:
    account: str
    xirr: float
    twr: float


@dataclass(frozen=True, slots=True)
class Performance:
    account: str | None
    start: date
    end: date
    start_value: float
    end_value: float
    net_flows: float
    xirr: float
    twr: float
    portfolio: SeriesStats
    benchmark_symbol: str | None
    benchmark: SeriesStats | None
    excess_return: float | None
    by_account: list[AccountReturn]


def _totals(lines: Sequence[RealizedLine]) -> RealizedTotals:
    return RealizedTotals(
        proceeds=sum((ln.proceeds for ln in lines), Decimal(0)),
        cost_basis=sum((ln.cost_basis for ln in lines), Decimal(0)),
        adjustment=sum((ln.adjustment for ln in lines), Decimal(0)),
        gain=sum((ln.gain for ln in lines), Decimal(0)),
    )


class PortfolioEngine:
    """Mixed into PortfolioService; needs `self._ctx` and `self.account()`."""

    _ctx: AppContext

    def account(self, ref: int | str) -> Account:  # pragma: no cover - PortfolioService's
        raise NotImplementedError

    # -- plumbing -----------------------------------------------------------------

    @property
    def _reader(self) -> LedgerReader:
        return LedgerReader(self._ctx.portfolio_db)

    @property
    def _derived(self) -> DerivedStore:
        return DerivedStore(self._ctx.portfolio_db)

    @property
    def _prices(self) -> PriceStore:
        return PriceStore(self._ctx.market_db)

    def _accounts(self) -> dict[int, Account]:
        return {a.id: a for a in self._ctx.config.list_accounts()}

    def _ids(self, accounts: int | str | Sequence[int | str] | None) -> list[int] | None:
        if accounts is None:
            return None
        refs = [accounts] if isinstance(accounts, int | str) else list(accounts)
        return [self.account(r).id for r in refs]

    def _run(
        self,
        account_ids: list[int] | None = None,
        *,
        until: date | None = None,
        method: LotMethod | str | None = None,
        events: bool = False,
        disposals: bool = False,
        progress: Progress = no_progress,
        cancel: CancelToken = NEVER_CANCELLED,
    ) -> ReconcileResult:
        accounts = self._accounts()
        forced = parse_lot_method(method) if method else None
        progress(0.0, "Reading the ledger")
        cols = self._reader.columns(account_ids=account_ids, until=until)
        cancel.check()

        def checkpoint(fraction: float) -> None:
            cancel.check()
            progress(0.2 + 0.8 * fraction, "Applying transactions")

        return reconcile(
            cols,
            {a.id: forced or a.lot_method for a in accounts.values()},
            wash_sales={a.id: a.track_wash_sales for a in accounts.values()},
            names={a.id: a.name for a in accounts.values()},
            events=events,
            checkpoint=checkpoint,
            disposals=disposals,
        )

    def _name(self, accounts: dict[int, Account], account_id: int) -> str:
        acct = accounts.get(account_id)
        return acct.name if acct else f"#{account_id}"

    # -- holdings and lots -----------------------------------------------------------

    def holdings(
        self,
        account: int | str | None = None,
        method: LotMethod | str | None = None,
        date: date | None = None,
    ) -> list[HoldingView]:
        """Open positions (shares > 0) as of `date` (default: everything in the ledger),
        valued at the latest close on or before that date; unpriced ones have None."""
        ids = self._ids(account)
        result = self._run(ids, until=date, method=method)
        return self._holding_views(result, date)

    def _holding_views(self, result: ReconcileResult, on: date | None) -> list[HoldingView]:
        accounts = self._accounts()
        held = result.holdings()
        prices = self._prices.latest_prices(sorted({h.symbol for h in held}), on or date.today())
        out = []
        for h in held:
            px = prices.get(h.symbol)
            price = price_decimal(px[1]) if px else None
            mv = (h.shares * price).quantize(Decimal(1).scaleb(-12)) if price is not None else None
            out.append(
                HoldingView(
                    h.account_id,
                    self._name(accounts, h.account_id),
                    h.symbol,
                    h.shares,
                    h.cost_basis,
                    h.realized_gain,
                    h.currency,
                    h.lot_method,
                    price,
                    px[0] if px else None,
                    mv,
                    None if mv is None else mv - h.cost_basis,
                )
            )
        return out

    def lots(
        self,
        symbol: str,
        account: int | str | None = None,
        method: LotMethod | str | None = None,
    ) -> list[LotView]:
        """Open lots of a symbol; `method` overrides the accounts' lot methods (as in
        `holdings(method=...)`, so a "what if LIFO" view shows the matching lots)."""
        sym = symbol.strip().upper()
        if not sym:
            raise ValidationError("A symbol is required.", field="symbol")
        ids = self._ids(account)
        result = self._run(ids, method=method)
        accounts = self._accounts()
        today = date.today()
        px = self._prices.latest_prices([sym], today).get(sym)
        price = price_decimal(px[1]) if px else None
        out: list[LotView] = []
        for al in result.lots():
            if al.symbol.upper() != sym:
                continue
            lot: Lot = al.lot
            mv = (
                (lot.quantity * price).quantize(Decimal(1).scaleb(-12))
                if price is not None
                else None
            )
            out.append(
                LotView(
                    al.account_id,
                    self._name(accounts, al.account_id),
                    al.symbol,
                    lot.lot_id,
                    lot.acquired,
                    lot.holding_start,
                    lot.quantity,
                    lot.cost_basis,
                    lot.per_share,
                    lot.wash_sale_adjustment,
                    Term.LONG if is_long_term(lot.holding_start, today) else Term.SHORT,
                    mv,
                    None if mv is None else mv - lot.cost_basis,
                )
            )
        return out

    # -- realized gains -----------------------------------------------------------------

    def realized(self, year: int | None = None, account: int | str | None = None) -> RealizedReport:
        """Sales by tax year, Form 8949 style, with wash-sale adjustments (code W)."""
        ids = self._ids(account)
        result = self._run(ids, until=date(year, 12, 31) if year else None, disposals=True)
        accounts = self._accounts()
        lines: list[RealizedLine] = []
        for r in result.realized():
            d: DisposedLot = r.disposal
            if year is not None and d.sold.year != year:
                continue
            lines.append(
                RealizedLine(
                    r.account_id,
                    self._name(accounts, r.account_id),
                    r.symbol,
                    f"{d.quantity.normalize():f} sh {r.symbol}",
                    d.lot_id,
                    d.quantity,
                    d.acquired,
                    d.sold,
                    d.proceeds,
                    d.cost_basis,
                    "W" if d.wash_sale_disallowed else "",
                    d.wash_sale_disallowed,
                    d.reportable_gain,
                    d.term,
                )
            )
        lines.sort(key=lambda ln: (ln.sold, ln.account, ln.symbol, ln.acquired))
        short = [ln for ln in lines if ln.term is Term.SHORT]
        long = [ln for ln in lines if ln.term is Term.LONG]
        return RealizedReport(
            year, lines, _totals(short), _totals(long), sum((ln.gain for ln in lines), Decimal(0))
        )

    # -- reconciliation -----------------------------------------------------------------

    def reconcile(
        self, progress: Progress = no_progress, cancel: CancelToken = NEVER_CANCELLED
    ) -> ReconcileSummary:
        """Recompute everything from the ledger and store lots and holdings."""
        t0 = time.perf_counter()
        result = self._run(None, progress=progress, cancel=cancel)
        cancel.check()
        progress(0.9, "Saving lots and holdings")
        self._store(result, None)
        accounts = self._accounts()
        views = self._holding_views(result, None)
        progress(1.0, "Done")
        return ReconcileSummary(
            transactions=result.rows,
            holdings=views,
            cash={self._name(accounts, a): v for a, v in result.cash_balances().items()},
            income={
                self._name(accounts, a): from_units(v) for a, v in sorted(result.income.items())
            },
            open_lots=sum(len(b.lots) for b in result.books.values()),
            seconds=time.perf_counter() - t0,
        )

    def rederive(self, account_ids: list[int] | None = None) -> Changes:
        """Rebuild the lots and holdings tables of these accounts (all when None).

        Called after every ledger write (import, undo, account options). Raises
        LedgerError naming the offending transaction when the ledger cannot be applied;
        the tables are then left as they were.
        """
        result = self._run(account_ids)
        self._store(result, account_ids)
        return Changes(ledger=True)

    def _store(self, result: ReconcileResult, account_ids: list[int] | None) -> None:
        today = date.today()
        l_acct: list[int] = []
        l_sym: list[str] = []
        l_id: list[str] = []
        l_acq: list[int] = []
        l_qty: list[int] = []
        l_basis: list[int] = []
        l_cur: list[str] = []
        l_wash: list[int] = []
        h_acct: list[int] = []
        h_sym: list[str] = []
        h_sh: list[int] = []
        h_basis: list[int] = []
        h_real: list[int] = []
        h_cur: list[str] = []
        h_meth: list[str] = []
        for (acct, sym), book in result.books.items():
            cur = result.currency[(acct, sym)]
            basis = book.basis()
            h_acct.append(acct)
            h_sym.append(sym)
            h_sh.append(book.shares)
            h_basis.append(basis)
            h_real.append(book.realized)
            h_cur.append(cur)
            h_meth.append(book.method.value)
            for lot, b in zip(book.lots, book.lot_bases(), strict=True):
                l_acct.append(acct)
                l_sym.append(sym)
                l_id.append(lot[0])
                l_acq.append(lot[1])
                l_qty.append(lot[3])
                l_basis.append(b)
                l_cur.append(cur)
                l_wash.append(lot[5])
        self._derived.replace(
            account_ids,
            {
                "account_id": l_acct,
                "symbol": l_sym,
                "lot_id": l_id,
                "acquired": l_acq,
                "quantity": l_qty,
                "cost_basis": l_basis,
                "currency": l_cur,
                "wash_sale_adjustment": l_wash,
            },
            {
                "account_id": h_acct,
                "symbol": h_sym,
                "shares": h_sh,
                "cost_basis": h_basis,
                "realized_gain": h_real,
                "currency": h_cur,
                "lot_method": h_meth,
                "as_of": [today] * len(h_acct),
            },
        )

    def discrepancies(
        self, positions_csv_path: str | Path, account: int | str
    ) -> list[Discrepancy]:
        """Compare the ledger's holdings of an account with a broker's positions CSV
        (columns symbol, quantity and optionally cost basis; common header spellings)."""
        acct = self.account(account)
        broker = read_positions_csv(Path(positions_csv_path))
        held = self._run([acct.id]).holdings()
        return discrepancies(acct.id, held, broker)

    # -- the ledger table ----------------------------------------------------------------

    def _filter(
        self,
        account: int | str | Sequence[int | str] | None,
        symbol: str | None,
        types: Sequence[str] | None,
        start: date | None,
        end: date | None,
        text: str | None,
        batch_id: int | None,
    ) -> TransactionFilter:
        ids = self._ids(account)
        kinds = None
        if types:
            try:
                kinds = tuple(TxType(str(t).strip().lower()).value for t in types)
            except ValueError:
                allowed = ", ".join(t.value for t in TxType)
                raise ValidationError(
                    f"Unknown transaction type in {list(types)}; use: {allowed}.", field="type"
                ) from None
        return TransactionFilter(
            tuple(ids) if ids is not None else None, symbol, kinds, start, end, text, batch_id
        )

    def transactions(
        self,
        account: int | str | Sequence[int | str] | None = None,
        symbol: str | None = None,
        types: Sequence[str] | None = None,
        start: date | None = None,
        end: date | None = None,
        text: str | None = None,
        batch_id: int | None = None,
        offset: int = 0,
        limit: int = 200,
        after: tuple[date, int] | None = None,
    ) -> list[LedgerEntry]:
        """One page of the ledger, newest first, for a table of any length.

        `after=(date, id)` of the previous page's last row pages by keyset (cheap deep
        in a long ledger); `offset` then counts from that row."""
        return self._reader.transactions(
            self._filter(account, symbol, types, start, end, text, batch_id),
            offset,
            limit,
            after,
        )

    def transaction_count(
        self,
        account: int | str | Sequence[int | str] | None = None,
        symbol: str | None = None,
        types: Sequence[str] | None = None,
        start: date | None = None,
        end: date | None = None,
        text: str | None = None,
        batch_id: int | None = None,
    ) -> int:
        return self._reader.count(self._filter(account, symbol, types, start, end, text, batch_id))

    # -- net worth ------------------------------------------------------------------------

    def net_worth(
        self, date: date | None = None, accounts: int | str | Sequence[int | str] | None = None
    ) -> NetWorth:
        on = date or _today()
        ids = self._ids(accounts)
        result = self._run(ids, until=on)
        accts = self._accounts()
        held = result.holdings()
        symbols = sorted({h.symbol for h in held})
        prices = self._prices.latest_prices(symbols, on)
        info = self._prices.security_info(symbols) if symbols else {}
        positions: list[Valuation] = [
            value(
                h.account_id,
                self._name(accts, h.account_id),
                h.symbol,
                h.shares,
                h.cost_basis,
                h.realized_gain,
                h.currency,
                prices.get(h.symbol),
                info.get(h.symbol),
            )
            for h in held
        ]
        cash = [
            (self._name(accts, a), accts[a].currency if a in accts else "USD", bal)
            for a, bal in result.cash_balances().items()
        ]
        return summarize(on, positions, cash)

    def net_worth_history(
        self,
        start: date | None = None,
        end: date | None = None,
        accounts: int | str | Sequence[int | str] | None = None,
    ) -> NetWorthHistory:
        """Daily values from the first ledger date (or `start`) to `end` (default today)."""
        ids = self._ids(accounts)
        last = end or _today()
        result = self._run(ids, until=last, events=True)
        first = self._reader.first_date(ids)
        begin = start or first or last
        if begin > last:
            raise ValidationError(f"The start {begin} is after the end {last}.", field="start")
        share_ev = result.events or []
        symbols = sorted({s for _, _, s, _ in share_ev})
        frame = self._prices.close_history(symbols, None, last) if symbols else None
        prices: dict[str, tuple[list[int], list[float]]] = {}
        if frame is not None and len(frame):
            days = (frame["date"].to_numpy().astype("datetime64[D]").astype(np.int64)).tolist()
            syms = frame["symbol"].tolist()
            closes = frame["close"].to_numpy(dtype=np.float64).tolist()
            for s, d, c in zip(syms, days, closes, strict=True):
                entry = prices.setdefault(s, ([], []))
                entry[0].append(d)
                entry[1].append(c)
        names = {a.id: a.name for a in self._accounts().values()}
        return history(
            begin,
            last,
            share_ev,
            result.cash_events or [],
            result.flows,
            self._split_rows(ids, last),
            prices,
            names,
        )

    def _split_rows(
        self, ids: list[int] | None, last: date
    ) -> dict[tuple[int, str], list[tuple[int, float]]]:
        out: dict[tuple[int, str], list[tuple[int, float]]] = {}
        for e in self._reader.transactions(
            TransactionFilter(
                tuple(ids) if ids is not None else None, None, ("split",), None, last
            ),
            0,
            1_000_000,
        ):
            if e.symbol and e.split_ratio:
                out.setdefault((e.account_id, e.symbol), []).append(
                    (day_number(e.date), float(e.split_ratio))
                )
        return out

    def growth(
        self,
        start: date | None = None,
        end: date | None = None,
        accounts: int | str | Sequence[int | str] | None = None,
    ) -> Growth:
        """Monthly, quarterly and annual growth of net worth and their acceleration."""
        h = self.net_worth_history(start, end, accounts)
        return growth_rates(h.dates, h.total)

    # -- snapshots ------------------------------------------------------------------------

    def save_snapshots(self, date: date | None = None) -> Changes:
        """Store one snapshot per account for `date` (default today); saving again replaces."""
        import pandas as pd

        on = date or _today()
        nw = self.net_worth(on)
        accts = self._accounts()
        rows: dict[int, dict[str, Any]] = {}
        for a in accts.values():
            rows[a.id] = {
                "account_id": a.id,
                "date": on,
                "market_value": Decimal(0),
                "cost_basis": Decimal(0),
                "cash": Decimal(0),
                "currency": a.currency,
                "unpriced": 0,
            }
        for p in nw.positions:
            row = rows.setdefault(
                p.account_id,
                {
                    "account_id": p.account_id,
                    "date": on,
                    "market_value": Decimal(0),
                    "cost_basis": Decimal(0),
                    "cash": Decimal(0),
                    "currency": p.currency,
                    "unpriced": 0,
                },
            )
            if p.market_value is None:
                row["unpriced"] += 1
            else:
                row["market_value"] += p.market_value
                row["cost_basis"] += p.cost_basis
        result = self._run(None, until=on)
        for acct_id, bal in result.cash_balances().items():
            if acct_id in rows:
                rows[acct_id]["cash"] = bal
        frame = pd.DataFrame(list(rows.values()))
        for col in ("market_value", "cost_basis", "cash"):
            frame[col] = frame[col].map(lambda d: format(d, "f"))
        if len(frame):
            self._derived.save_snapshots(frame)
        return Changes(ledger=True)

    def snapshots(
        self,
        accounts: int | str | Sequence[int | str] | None = None,
        start: date | None = None,
        end: date | None = None,
    ) -> list[Snapshot]:
        accts = self._accounts()
        return [
            Snapshot(r[0], self._name(accts, r[0]), r[1], r[2], r[3], r[4], r[5], r[6])
            for r in self._derived.snapshots(self._ids(accounts), start, end)
        ]

    # -- performance ----------------------------------------------------------------------

    def performance(
        self,
        account: int | str | None = None,
        benchmark: str | None = None,
        start: date | None = None,
        end: date | None = None,
    ) -> Performance:
        """XIRR, TWR, CAGR, max drawdown, volatility; optionally against a benchmark."""
        ids = self._ids(account)
        h = self.net_worth_history(None, end, ids)
        if not h.dates:
            raise NotFoundError("The ledger has no transactions to measure.")
        lo = 0
        if start is not None:
            lo = max(0, (start - h.dates[0]).days)
            if lo >= len(h.dates):
                raise ValidationError(f"The start {start} is after the last date.", field="start")
        name = self.account(account).name if account is not None else None
        stats, xr, twr, v0, v1, net = _measure(h, lo, None)
        by_account = []
        if account is None:
            for acct_id in sorted(self._accounts()):
                acct_h = self.net_worth_history(None, end, [acct_id])
                if not acct_h.dates or not np.any(acct_h.total):
                    continue
                alo = max(0, (h.dates[lo] - acct_h.dates[0]).days)
                if alo >= len(acct_h.dates):
                    continue
                _, axr, atwr, *_ = _measure(acct_h, alo, None)
                by_account.append(AccountReturn(self._accounts()[acct_id].name, axr, atwr))
        bench_stats = None
        excess = None
        sym = benchmark.strip().upper() if benchmark else None
        if sym:
            frame = self._prices.close_history([sym], h.dates[lo], h.dates[-1])
            if not len(frame):
                raise NotFoundError(
                    f"No prices for benchmark {sym} between {h.dates[lo]} and {h.dates[-1]};"
                    f" sync its prices first."
                )
            bdates = [d if isinstance(d, date) else d.date() for d in frame["date"]]
            bench_stats = series_stats(bdates, frame["close"].to_numpy(dtype=np.float64), 252.0)
            excess = stats.total_return - bench_stats.total_return
        return Performance(
            name,
            h.dates[lo],
            h.dates[-1],
            v0,
            v1,
            net,
            xr,
            twr,
            stats,
            sym,
            bench_stats,
            excess,
            by_account,
        )


def _measure(
    h: NetWorthHistory, lo: int, hi: int | None
) -> tuple[SeriesStats, float, float, float, float, float]:
    values = h.total[lo:hi]
    flows = h.flows[lo:hi]
    dates = h.dates[lo:hi]
    rets = time_weighted_returns(values, flows)
    index = np.concatenate([[1.0], np.cumprod(1.0 + rets)])
    stats = series_stats(dates, index, CALENDAR_DAYS_PER_YEAR)
    cash_flows: list[tuple[date, float]] = []
    start_value = float(values[0]) - float(flows[0]) if lo == 0 else float(values[0])
    if lo == 0:
        # the first day's flows are the initial investment
        cash_flows.append((dates[0], -float(values[0])))
    else:
        cash_flows.append((dates[0], -start_value))
    for d, f in zip(dates[1:], flows[1:], strict=True):
        if f:
            cash_flows.append((d, -float(f)))
    cash_flows.append((dates[-1], float(values[-1])))
    xr = xirr(cash_flows)
    twr = float(index[-1] - 1.0)
    net = float(np.sum(flows[1:])) + (float(flows[0]) if lo == 0 else 0.0)
    return stats, xr, twr, start_value if lo else float(values[0]), float(values[-1]), net


def _today() -> date:
    return date.today()


# -- broker positions CSV ---------------------------------------------------------------

_SYMBOL = ("symbol", "ticker", "security", "instrument")
_QTY = ("quantity", "shares", "qty", "units", "position")
_BASIS = ("cost_basis", "cost basis", "basis", "cost", "total cost", "cost basis total")


def _money(text: str, where: Location) -> Decimal:
    cleaned = text.strip().replace(",", "").replace("$", "")
    if cleaned.startswith("(") and cleaned.endswith(")"):
        cleaned = "-" + cleaned[1:-1]
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ImportFileError(f"{where}: '{text}' is not a number.") from None
    if not value.is_finite():
        raise ImportFileError(f"{where}: '{text}' is not a number.")
    return value


def read_positions_csv(path: Path) -> list[BrokerPosition]:
    """Symbol, quantity and (optionally) cost basis per row; header names are matched
    case-insensitively against common spellings."""
    if not path.is_file():
        raise ImportFileError(f"{path}: no such file.")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFileError(f"{path}: cannot be read ({exc}).") from None
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if not header:
        raise ImportFileError(f"{path}: the file is empty.")
    norm = [h.strip().lower().replace("_", " ") for h in header]

    def find(names: Sequence[str]) -> int | None:
        for n in names:
            key = n.replace("_", " ")
            if key in norm:
                return norm.index(key)
        return None

    i_sym, i_qty, i_basis = find(_SYMBOL), find(_QTY), find(_BASIS)
    if i_sym is None or i_qty is None:
        raise ImportFileError(
            f"{Location(str(path), 1)}: needs a symbol and a quantity column "
            f"(found: {', '.join(header)})."
        )
    out: list[BrokerPosition] = []
    for line_no, row in enumerate(reader, start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) <= max(i_sym, i_qty):
            raise ImportFileError(
                f"{Location(str(path), line_no)}: has {len(row)} columns; expected {len(header)}."
            )
        sym = row[i_sym].strip().upper()
        if not sym:
            raise ImportFileError(
                f"{Location(str(path), line_no, header[i_sym])}: symbol is empty."
            )
        qty = _money(row[i_qty], Location(str(path), line_no, header[i_qty]))
        basis = None
        if i_basis is not None and len(row) > i_basis and row[i_basis].strip():
            basis = _money(row[i_basis], Location(str(path), line_no, header[i_basis]))
        out.append(BrokerPosition(sym, qty, basis))
    return out
