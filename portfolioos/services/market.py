"""Market data: incremental Yahoo and FRED syncs into market.duckdb, and reads of it.

The plan's market:* channels. A sync is per symbol (or series): fetch only after the
last stored day minus a small overlap (late revisions, yesterday's partial bar),
write the symbol in one transaction, and report how it went. A symbol that fails
(offline, unknown, rate limited) keeps everything already stored and never stops
the others; the app keeps running from the cache and can say how stale it is.
"""

from __future__ import annotations

import csv
import logging
import os
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from portfolioos.domain.ledger import LedgerEntry, TxType, with_fingerprints
from portfolioos.errors import (
    ImportFileError,
    Location,
    MarketDataError,
    NotFoundError,
    ValidationError,
)
from portfolioos.market import validation
from portfolioos.market.calendar import last_completed_session, trading_days
from portfolioos.market.ratelimit import Backoff, TokenBucket, call_with_retries
from portfolioos.market.yahoo import (
    FAILED,
    NO_DATA,
    OFFLINE,
    RATE_LIMITED,
    SERVER_ERROR,
    FetchError,
    HistoryFetcher,
    InfoFetcher,
    YahooHistory,
)
from portfolioos.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress
from portfolioos.services.changes import NOTHING, Changes
from portfolioos.storage import ledger_reads
from portfolioos.storage.import_store import ImportStore
from portfolioos.storage.ledger_store import LedgerStore, entries_frame
from portfolioos.storage.market_store import MarketStore, StoredFinding, SymbolWrite, SyncState

if TYPE_CHECKING:
    import pandas as pd

    from portfolioos.market.yahoo import YahooClient
    from portfolioos.services.context import AppContext

logger = logging.getLogger(__name__)

EXCHANGE_TZ = ZoneInfo("America/New_York")
OVERLAP_DAYS = 7
"""Calendar days re-read before the last stored bar: about a week of sessions."""
INITIAL_YEARS = 10
INFO_MAX_AGE = timedelta(days=30)
"""A security's profile (sector, industry, name) is refetched when older than this: it
rarely changes, and every fetch costs three Yahoo requests."""
INFO_REQUESTS = 3
"""Requests behind one `Ticker.info` (quoteSummary, v7 quote, key statistics): the
Yahoo token bucket is charged for each."""
FRED_SECRET = "fred-api-key"
YAHOO_URL_ENV = "PORTFOLIOOS_YAHOO_BASE_URL"
FRED_URL_ENV = "PORTFOLIOOS_FRED_ROOT_URL"
NO_FRED_KEY = (
    "FRED is off: no API key is stored (secret 'fred-api-key'). Get a free key at "
    "https://fred.stlouisfed.org/docs/api/api_key.html and store it with `portfolioos keys`; "
    "prices and everything else work without it."
)

# A fetch failure's kind -> the status reported for the symbol.
_STATUS = {
    OFFLINE: "offline",
    NO_DATA: "no_data",
    RATE_LIMITED: "rate_limited",
    SERVER_ERROR: "failed",
    FAILED: "failed",
}
_SYMBOL = re.compile(r"^[A-Z0-9^][A-Z0-9.\-=^/]{0,31}$")
_SERIES = re.compile(r"^[A-Z0-9_]{1,64}$")


@dataclass(frozen=True, slots=True)
class SyncResult:
    """How one symbol's (or series') sync went. status: ok | stale | offline | no_data |
    rate_limited | failed. `last_date` is the newest stored day after the attempt.
    `info_status` is how the profile refresh went (same words), None when none was due."""

    symbol: str
    status: str
    rows_added: int
    message: str
    last_date: date | None
    info_status: str | None = None


@dataclass(frozen=True, slots=True)
class SyncReport:
    results: list[SyncResult]
    changes: Changes = NOTHING

    def __iter__(self) -> Iterator[SyncResult]:
        return iter(self.results)

    @property
    def all_failed(self) -> bool:
        """Every symbol failed (nothing fetched, nothing up to date): the CLI exits 1."""
        return bool(self.results) and all(r.status not in ("ok", "stale") for r in self.results)


@dataclass(frozen=True, slots=True)
class Staleness:
    symbol: str
    last_date: date | None
    age_days: int | None
    sessions_behind: int | None
    status: str
    last_attempt: datetime | None
    last_success: datetime | None


@dataclass(frozen=True, slots=True)
class SymbolOverview:
    """One line of the symbol list. status: ok | stale | offline | no_data |
    rate_limited | failed (the last sync's outcome, with `message` saying why) |
    manual (prices typed or imported, never synced) | never (nothing stored)."""

    symbol: str
    held: bool
    last_date: date | None
    last_close: float | None
    currency: str | None
    age_days: int | None
    sessions_behind: int | None
    status: str
    message: str
    last_attempt: datetime | None


@dataclass(frozen=True, slots=True)
class SyncDue:
    prices: list[str] = field(default_factory=list)
    macro: list[str] = field(default_factory=list)
    fred_enabled: bool = False


@dataclass(frozen=True, slots=True)
class SuggestedAction:
    """A corporate action Yahoo knows of and one account's ledger lacks; the user decides.

    `id` ("dividend:AAPL:2024-02-09") names it for confirm/dismiss together with the
    account. For a dividend, `per_share` is the amount actually paid on that day (Yahoo
    reports past dividends divided by every later split; that is undone here), `shares`
    the account's holding at the close before the ex-date (who is entitled) and `amount`
    the cash a confirmation would book: per_share x shares, to the cent. For a split,
    `shares` is the holding before it. Nothing is written until `confirm_action`.
    """

    symbol: str
    date: date
    type: str  # 'split' | 'dividend'
    split_ratio: float | None
    per_share: float | None
    currency: str | None
    reason: str
    id: str = ""
    account_id: int | None = None
    account: str | None = None
    shares: Decimal | None = None
    amount: Decimal | None = None
    ratio: Decimal | None = None  # the split ratio exactly, as the ledger will store it
    per_share_paid: Decimal | None = None  # the dividend per share exactly (split-undone)
    blocked_by: str | None = None  # an earlier split still pending: decide it first


@dataclass(frozen=True, slots=True)
class ConfirmedAction:
    """What confirming a suggestion wrote: `added` is False when the ledger already had
    this exact row (same fingerprint), so nothing was written twice. When added,
    `entry.batch_id` is its import batch (undo it to take the row back out)."""

    action: SuggestedAction
    entry: LedgerEntry
    added: bool
    changes: Changes


@dataclass(frozen=True, slots=True)
class PossibleDuplicate:
    """A confirmed suggestion and another ledger row that may be the same payment (the
    broker's statement, imported later, booked it on another day or amount)."""

    id: str
    account: str
    batch_id: int
    confirmed_date: date
    confirmed_amount: Decimal | None
    other_date: date
    other_amount: Decimal | None
    message: str


CONFIRMED_BROKER = "yahoo-corporate-action"
"""import_batches.broker of a confirmed suggestion's batch (its source is the id)."""
SPLIT_WINDOW_DAYS = 5
DIVIDEND_WINDOW_DAYS = 45
"""A ledger entry up to this many days after (or SPLIT_WINDOW_DAYS before) Yahoo's day
counts as the action recorded (brokers book dividends on the pay date, weeks after
Yahoo's ex-date; splits within a few days). See `unmatched`."""


def exchange_today() -> date:
    return datetime.now(EXCHANGE_TZ).date()


def _utcnow() -> datetime:
    return datetime.now(ZoneInfo("UTC")).replace(tzinfo=None)


class MarketService:
    def __init__(
        self,
        ctx: AppContext,
        *,
        yahoo: HistoryFetcher | None = None,
        yahoo_info: InfoFetcher | None = None,
        yahoo_base_url: str | None = None,
        fred_api_key: str | Callable[[], str | None] | None = None,
        fred_root_url: str | None = None,
        today: Callable[[], date] = exchange_today,
        now: Callable[[], datetime] = _utcnow,
        yahoo_limiter: TokenBucket | None = None,
        fred_limiter: TokenBucket | None = None,
        backoff: Backoff | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._ctx = ctx
        self._yahoo = yahoo
        self._yahoo_info = yahoo_info
        self._yahoo_client: YahooClient | None = None
        self._yahoo_base_url = yahoo_base_url or os.environ.get(YAHOO_URL_ENV) or None
        self._fred_key = fred_api_key
        self._fred_root_url = fred_root_url or os.environ.get(FRED_URL_ENV) or None
        self._today = today
        self._now = now
        self._sleep = sleep
        self._yahoo_limiter = yahoo_limiter or TokenBucket(2.0, capacity=2.0, sleep=sleep)
        # 90/min with a burst of 10 keeps any 60-second window at or under 100 requests.
        self._fred_limiter = fred_limiter or TokenBucket.per_minute(90, capacity=10.0, sleep=sleep)
        self._backoff = backoff or Backoff(base=1.0, cap=30.0, retries=3)

    @property
    def _store(self) -> MarketStore:
        return MarketStore(self._ctx.market_db)

    def _client(self) -> YahooClient:
        if self._yahoo_client is None:
            from portfolioos.market.yahoo import YahooClient

            self._yahoo_client = YahooClient(
                base_url=self._yahoo_base_url, cache_dir=self._ctx.paths.root / "cache" / "yfinance"
            )
        return self._yahoo_client

    def _fetcher(self) -> HistoryFetcher:
        if self._yahoo is None:
            self._yahoo = self._client().history
        return self._yahoo

    def _info_fetcher(self) -> InfoFetcher:
        if self._yahoo_info is None:
            self._yahoo_info = self._client().info
        return self._yahoo_info

    # -- prices: sync -------------------------------------------------------------

    def sync_prices(
        self,
        symbols: Sequence[str],
        progress: Progress = no_progress,
        cancel: CancelToken = NEVER_CANCELLED,
        *,
        full: bool = False,
        overwrite_manual: bool = False,
        refresh_info: bool = True,
        on_result: Callable[[SyncResult], None] | None = None,
    ) -> SyncReport:
        """Fetch what is missing for each symbol; one result per symbol, in order.

        `full` re-reads the whole initial window; `overwrite_manual` lets Yahoo replace
        prices entered by hand (by default they win). With `refresh_info`, a symbol
        whose prices synced also gets its profile (sector, industry) when it has none
        or it is older than INFO_MAX_AGE. `on_result` hears each symbol's result as
        soon as it is known (the GUI shows per-symbol status while the rest are still
        fetching); it runs on the calling thread.
        """
        wanted = _unique([normalise_symbol(s) for s in symbols])
        store = self._store
        states = store.sync_states("price", wanted)
        info_states = store.sync_states("info", wanted) if refresh_info else {}
        stored_last = store.last_bar_dates(wanted)
        today = self._today()
        target = last_completed_session(today)
        results: list[SyncResult] = []
        for i, symbol in enumerate(wanted):
            cancel.check()
            progress(i / max(len(wanted), 1), f"{symbol}: fetching")
            state = states.get(symbol)
            last = stored_last.get(symbol)
            if (
                state is not None
                and state.last_date is not None
                and state.status in ("ok", "stale")
            ):
                last = max(last, state.last_date) if last else state.last_date
            result = self._sync_symbol(
                store, symbol, last, today, target, full=full, overwrite_manual=overwrite_manual
            )
            if (
                refresh_info
                and result.status in ("ok", "stale")
                and self._info_due(info_states.get(symbol))
            ):
                cancel.check()
                status, _ = self._fetch_info(store, symbol)
                result = replace(result, info_status=status)
            results.append(result)
            if on_result is not None:
                on_result(result)
        progress(1.0, "prices synced")
        added = any(r.rows_added for r in results)
        return SyncReport(results, Changes(prices=added))

    def _sync_symbol(
        self,
        store: MarketStore,
        symbol: str,
        last: date | None,
        today: date,
        target: date,
        *,
        full: bool,
        overwrite_manual: bool,
    ) -> SyncResult:
        if last is not None and last >= target and not full:
            return SyncResult(symbol, "ok", 0, "up to date", last)
        start = (
            last - timedelta(days=OVERLAP_DAYS)
            if last and not full
            else today - timedelta(days=365 * INITIAL_YEARS)
        )
        fetch = self._fetcher()

        def fetch_from(first: date) -> YahooHistory:
            return call_with_retries(
                lambda: fetch(symbol, first, today),
                retryable=lambda e: isinstance(e, FetchError) and e.retryable,
                backoff=self._backoff,
                limiter=self._yahoo_limiter,
                sleep=self._sleep,
            )

        try:
            history = fetch_from(start)
            if last is not None and not full and _new_split(history, store.splits(symbol)):
                # Yahoo divides every earlier price and dividend by a new split: re-read
                # the whole history so the stored ones are in the same terms again
                # (a dividend stored as paid would otherwise be un-split twice).
                first = store.first_bar_date(symbol) or start
                history = fetch_from(min(first, today - timedelta(days=365 * INITIAL_YEARS)))
        except FetchError as exc:
            status = _STATUS.get(exc.kind, "failed")
            message = str(exc)
            if last is not None:
                message += f"; keeping cached prices up to {last.isoformat()}"
            store.record_attempt("price", symbol, status, message, self._now())
            logger.info("price sync %s: %s", symbol, message)
            return SyncResult(symbol, status, 0, message, last)
        if history.prices.empty and last is None:
            message = f"{symbol}: Yahoo has no daily prices for it"
            store.record_attempt("price", symbol, "no_data", message, self._now())
            return SyncResult(symbol, "no_data", 0, message, None)
        newest = max(history.prices["date"]) if not history.prices.empty else last
        status, message = "ok", "synced"
        if newest is not None and newest < target:
            behind = len(trading_days(newest + timedelta(days=1), target))
            status = "stale"
            message = (
                f"Yahoo's newest bar is {newest.isoformat()}, {behind} session(s) behind "
                f"{target.isoformat()}"
            )
        added = store.write_symbol(
            SymbolWrite(symbol, history.prices, history.dividends, history.splits, history.info),
            status=status,
            message=message,
            when=self._now(),
            validator=_validator(symbol),
            overwrite_manual=overwrite_manual,
        )
        new_last = store.last_bar_dates([symbol]).get(symbol)
        return SyncResult(symbol, status, added, message, new_last)

    def _info_due(self, state: SyncState | None) -> bool:
        """No profile yet, or older than INFO_MAX_AGE. A symbol Yahoo has no profile for
        is asked again only after INFO_MAX_AGE; offline and throttled attempts are
        retried at the next sync."""
        now = self._now()
        if state is None:
            return True
        if state.last_success is not None and now - state.last_success < INFO_MAX_AGE:
            return False
        return not (
            state.status == "no_data"
            and state.last_attempt is not None
            and now - state.last_attempt < INFO_MAX_AGE
        )

    def _fetch_info(self, store: MarketStore, symbol: str) -> tuple[str, str]:
        """Fetch one profile; store it, or note why not. Stored info is never erased."""
        fetch = self._info_fetcher()

        def attempt() -> dict[str, Any]:
            # Ticker.info is three Yahoo requests; the limiter gave one token already.
            for _ in range(INFO_REQUESTS - 1):
                self._yahoo_limiter.acquire()
            return fetch(symbol)

        try:
            info: dict[str, Any] = call_with_retries(
                attempt,
                retryable=lambda e: isinstance(e, FetchError) and e.retryable,
                backoff=self._backoff,
                limiter=self._yahoo_limiter,
                sleep=self._sleep,
            )
        except FetchError as exc:
            status = _STATUS.get(exc.kind, "failed")
            message = str(exc)
            if store.info(symbol) is not None:
                message += "; keeping the stored profile"
            store.record_attempt("info", symbol, status, message, self._now())
            logger.info("info sync %s: %s", symbol, message)
            return status, message
        store.write_info(symbol, info, self._now())
        return "ok", "profile fetched"

    def refresh_info(
        self,
        symbols: Sequence[str],
        progress: Progress = no_progress,
        cancel: CancelToken = NEVER_CANCELLED,
        *,
        force: bool = False,
    ) -> SyncReport:
        """Fetch the profile (name, type, sector, industry, currency, exchange) of each
        symbol that has none or an old one (every one with `force`). One result per
        symbol: status 'ok' also when nothing was due (message says so)."""
        wanted = _unique([normalise_symbol(s) for s in symbols])
        store = self._store
        states = store.sync_states("info", wanted)
        results = []
        fetched = False
        for i, symbol in enumerate(wanted):
            cancel.check()
            progress(i / max(len(wanted), 1), f"{symbol}: profile")
            if not force and not self._info_due(states.get(symbol)):
                results.append(SyncResult(symbol, "ok", 0, "profile is recent", None, "ok"))
                continue
            status, message = self._fetch_info(store, symbol)
            fetched = fetched or status == "ok"
            results.append(SyncResult(symbol, status, 0, message, None, status))
        progress(1.0, "profiles refreshed")
        return SyncReport(results, Changes(prices=fetched))

    def sync_held(
        self,
        progress: Progress = no_progress,
        cancel: CancelToken = NEVER_CANCELLED,
        *,
        on_result: Callable[[SyncResult], None] | None = None,
    ) -> SyncReport:
        """Sync every symbol with shares in any account."""
        return self.sync_prices(
            self.held_symbols(), progress=progress, cancel=cancel, on_result=on_result
        )

    def held_symbols(self) -> list[str]:
        return ledger_reads.held_symbols(self._ctx.portfolio_db)

    # -- prices: reads ------------------------------------------------------------

    def prices(
        self, symbol: str, start: date | None = None, end: date | None = None
    ) -> pd.DataFrame:
        """Stored daily bars (date as datetime64, open, high, low, close, adj_close, volume,
        currency, source): numpy-backed, straight from DuckDB."""
        return self._store.bars(normalise_symbol(symbol), start, end)

    def gaps(self, symbol: str) -> list[StoredFinding]:
        """Trading days with no bar between the first and last exchange-sourced bar."""
        symbol = normalise_symbol(symbol)
        bars = self._store.bars(symbol)
        if not bars.empty:
            bars = bars[bars["source"] != "manual"]
        return [
            StoredFinding(f.symbol, f.date, f.kind, f.detail)
            for f in validation.find_gaps(symbol, list(bars["date"]) if not bars.empty else [])
        ]

    def findings(self, symbol: str, kind: str | None = None) -> list[StoredFinding]:
        return self._store.findings(normalise_symbol(symbol), kind)

    def security_info(self, symbol: str) -> dict[str, Any]:
        symbol = normalise_symbol(symbol)
        info = self._store.info(symbol)
        if info is None:
            raise NotFoundError(
                f"No security info for {symbol} yet; run `portfolioos prices sync {symbol}`."
            )
        state = self._store.sync_states("info", [symbol]).get(symbol)
        info["profile"] = {
            "status": state.status if state else "never",
            "fetched_at": state.last_success if state else None,
            "message": state.message if state else "profile never fetched from Yahoo",
        }
        info["dividends"] = [
            {"date": d, "amount": a, "currency": c} for d, a, c in self._store.dividends(symbol)
        ]
        info["splits"] = [{"date": d, "ratio": r} for d, r in self._store.splits(symbol)]
        return info

    def staleness(self, symbols: Sequence[str]) -> list[Staleness]:
        """How old each symbol's newest price is, in days and in missed sessions."""
        wanted = _unique([normalise_symbol(s) for s in symbols])
        last = self._store.last_bar_dates(wanted)
        states = self._store.sync_states("price", wanted)
        today = self._today()
        target = last_completed_session(today)
        out = []
        for symbol in wanted:
            day = last.get(symbol)
            state = states.get(symbol)
            out.append(
                Staleness(
                    symbol,
                    day,
                    (today - day).days if day else None,
                    len(trading_days(day + timedelta(days=1), target)) if day else None,
                    state.status if state else "never",
                    state.last_attempt if state else None,
                    state.last_success if state else None,
                )
            )
        return out

    def overview(self) -> list[SymbolOverview]:
        """Every held or cached symbol with its newest price, how stale it is and how its
        last sync went: the Markets page's symbol list (held first, then by symbol)."""
        store = self._store
        held = self.held_symbols()
        latest = store.latest_bars()
        states = store.sync_states("price")
        symbols = _unique([*held, *sorted({*latest, *states})])
        today = self._today()
        target = last_completed_session(today)
        held_set = set(held)
        out = []
        for symbol in symbols:
            bar = latest.get(symbol)
            state = states.get(symbol)
            day = bar[0] if bar else None
            behind = len(trading_days(day + timedelta(days=1), target)) if day else None
            if state is None or state.status == "never":
                status = "manual" if bar and bar[3] == "manual" else "never"
                message = (
                    "entered by hand; never synced"
                    if status == "manual"
                    else "never synced from Yahoo"
                )
            else:
                status, message = state.status, state.message or ""
                if status == "ok" and behind:
                    status, message = "stale", f"{behind} session(s) behind; sync to update"
            out.append(
                SymbolOverview(
                    symbol,
                    symbol in held_set,
                    day,
                    bar[1] if bar else None,
                    bar[2] if bar else None,
                    (today - day).days if day else None,
                    behind,
                    status,
                    message,
                    state.last_attempt if state else None,
                )
            )
        return out

    def sync_due(self) -> SyncDue:
        """What a scheduled sync should fetch: held symbols behind the last session and
        followed macro series not refreshed within the sync interval."""
        held = self.held_symbols()
        prices = [
            s.symbol
            for s in self.staleness(held)
            if s.sessions_behind is None or s.sessions_behind > 0
        ]
        enabled = self.fred_api_key() is not None
        macro: list[str] = []
        if enabled:
            hours = int(self._ctx.settings.get("sync_interval_hours") or 24)
            cutoff = self._now() - timedelta(hours=hours)
            macro = [
                k
                for k, s in self._store.sync_states("macro").items()
                if s.last_success is None or s.last_success < cutoff
            ]
        return SyncDue(prices, macro, enabled)

    # -- corporate actions ----------------------------------------------------------

    def suggested_actions(
        self, symbols: Sequence[str] | None = None, account: int | str | None = None
    ) -> list[SuggestedAction]:
        """Yahoo splits and dividends that an account's ledger lacks, one per account.

        Offered when the account held shares at the time (after its first purchase,
        shares > 0 the day before), no ledger entry of that kind lies within a few days
        (brokers book dividends on the pay date, Yahoo reports the ex-date), and the
        user has not dismissed it. Nothing is written.
        """
        db = self._ctx.portfolio_db
        if isinstance(symbols, str):
            symbols = [symbols]  # one symbol, not its letters
        wanted = _unique([normalise_symbol(s) for s in symbols]) if symbols else None
        only = self._ctx.portfolio.account(account).id if account is not None else None
        names = {a.id: a.name for a in self._ctx.config.list_accounts()}
        first = {
            k: v
            for k, v in ledger_reads.first_acquired_by_account(db, wanted).items()
            if (only is None or k[0] == only) and k[0] in names
        }
        if not first:
            return []
        held = sorted({symbol for _, symbol in first})
        recorded = ledger_reads.recorded_actions_by_account(db, held)
        dismissed = self._store.dismissed_actions()
        shares_on = _HoldingsOn(self._ctx)
        out: list[SuggestedAction] = []
        for symbol in held:
            splits = self._store.splits(symbol)
            dividends = self._store.dividends(symbol)
            for (account_id, sym), since in sorted(first.items()):
                if sym != symbol:
                    continue
                candidates = [
                    ("split", day, ratio, None, None) for day, ratio in splits if day > since
                ] + [
                    ("dividend", day, None, amount, currency)
                    for day, amount, currency in dividends
                    if day > since
                ]
                unrecorded = unmatched(
                    [d for d, _ in splits],
                    recorded.get((account_id, symbol, "split"), []),
                    early=SPLIT_WINDOW_DAYS,
                    late=SPLIT_WINDOW_DAYS,
                ) | unmatched(
                    [d for d, _, _ in dividends],
                    recorded.get((account_id, symbol, "dividend"), []),
                    early=SPLIT_WINDOW_DAYS,
                    late=DIVIDEND_WINDOW_DAYS,
                )
                pending_split: str | None = None
                for kind, day, ratio, amount, currency in sorted(candidates, key=lambda c: c[1]):
                    if day not in unrecorded:
                        continue
                    if (account_id, symbol, day, kind) in dismissed:
                        continue
                    holding = shares_on(account_id, symbol, day - timedelta(days=1))
                    if holding is None:
                        continue
                    shares, held_currency = holding
                    common = {
                        "id": action_id(kind, symbol, day),
                        "account_id": account_id,
                        "account": names.get(account_id, f"#{account_id}"),
                        "shares": shares,
                    }
                    if kind == "split":
                        assert ratio is not None
                        exact = split_ratio_decimal(ratio)
                        out.append(
                            SuggestedAction(
                                symbol,
                                day,
                                "split",
                                ratio,
                                None,
                                held_currency,
                                f"Yahoo reports a {_ratio_text(exact)} split; this account "
                                f"held {_qty(shares)} shares and its ledger has none",
                                ratio=exact,
                                **common,  # type: ignore[arg-type]
                            )
                        )
                        pending_split = out[-1].id
                        continue
                    assert amount is not None
                    later = [split_ratio_decimal(r) for d, r in splits if d > day]
                    paid = unadjusted_dividend(amount, later)
                    cash = (paid * shares).quantize(CENT, rounding=ROUND_HALF_UP)
                    note = f"Yahoo reports {_num(paid)} per share (ex-date)"
                    if later:
                        note += f", {_num(Decimal(repr(amount)))} after later splits"
                    if currency and currency != held_currency:
                        note += f"; Yahoo quotes it in {currency}, the account holds it in "
                        note += held_currency
                    reason = (
                        f"{note}: {_qty(shares)} shares held -> {cash} {held_currency}; "
                        "the ledger has no dividend near it"
                    )
                    if pending_split:
                        reason += (
                            f". The share count depends on the split {pending_split}: "
                            "confirm or dismiss it first"
                        )
                    out.append(
                        SuggestedAction(
                            symbol,
                            day,
                            "dividend",
                            None,
                            float(paid),
                            held_currency,
                            reason,
                            amount=cash,
                            per_share_paid=paid,
                            blocked_by=pending_split,
                            **common,  # type: ignore[arg-type]
                        )
                    )
        return sorted(out, key=lambda a: (a.date, a.symbol, a.type, a.account or ""))

    def _pending(self, ident: str, account: int | str | None) -> list[SuggestedAction]:
        kind, symbol, day = parse_action_id(ident)
        found = [
            a for a in self.suggested_actions([symbol], account) if (a.type, a.date) == (kind, day)
        ]
        if not found:
            where = f" for account '{account}'" if account is not None else ""
            raise NotFoundError(
                f"No pending suggestion '{ident}'{where}: it is already in the ledger, was "
                "dismissed, or Yahoo reports no such action while shares were held. "
                "List them with `portfolioos prices actions`."
            )
        return found

    def confirm_action(
        self, ident: str, account: int | str | None = None, *, pay_date: date | str | None = None
    ) -> ConfirmedAction:
        """Write one suggested action into one account's ledger, as the user confirmed it.

        A split becomes a split row with its exact ratio; a dividend a cash dividend of
        per-share x shares held (see SuggestedAction), dated `pay_date` when given (the
        day the broker will book it, so its own statement row later matches) or else
        the ex-date. The row has the same shape an import gives the broker's own row,
        so its fingerprint is the same: confirming twice, or importing that row later
        with the same date and amount, adds nothing. Lots and holdings are rederived.
        """
        found = self._pending(ident, account)
        if len(found) > 1:
            names = ", ".join(f"'{a.account}'" for a in found)
            raise ValidationError(
                f"'{ident}' is pending in several accounts ({names}); say which with --account.",
                field="account",
            )
        action = found[0]
        assert action.account_id is not None
        if action.blocked_by:
            raise ValidationError(
                f"Confirm or dismiss the split {action.blocked_by} in '{action.account}' "
                f"first: the shares entitled to the dividend {action.id} depend on it.",
                field="id",
            )
        (entry,) = with_fingerprints([self.entry_for(action, pay_date)])
        db = self._ctx.portfolio_db
        batches = ImportStore(db)
        with db.write() as cur:
            # Its own import batch: listed with the imports (source names the suggestion)
            # and undone like one (`portfolioos import undo BATCH`). The batch id is not
            # part of the fingerprint, so dedupe against broker rows is unchanged.
            batch_id = batches.create_batch(
                cur,
                account_id=action.account_id,
                source=action.id,
                broker=CONFIRMED_BROKER,
                file_sha256=None,
            )
            entry = replace(entry, batch_id=batch_id)
            added = LedgerStore(db).append_frame(cur, entries_frame([entry])) > 0
            if added:
                batches.finish_batch(cur, batch_id, added=1, skipped=0)
            else:
                batches.drop_batch(cur, batch_id)
                entry = replace(entry, batch_id=None)
        changes = NOTHING
        if added:
            changes = self._ctx.portfolio.rederive([action.account_id])
        logger.info("confirmed %s for account %s (added=%s)", action.id, action.account, added)
        return ConfirmedAction(action, entry, added, changes)

    def entry_for(self, action: SuggestedAction, pay_date: date | str | None = None) -> LedgerEntry:
        """The exact ledger row confirming `action` writes (no I/O): what the GUI's
        confirmation dialog shows before anything is written."""
        assert action.account_id is not None
        currency = action.currency or "USD"
        day = _parse_date(pay_date, "date") if pay_date is not None else action.date
        if action.type == "dividend" and day < action.date:
            raise ValidationError(
                f"the pay date {day.isoformat()} is before the ex-date {action.date.isoformat()}",
                field="date",
            )
        source = (
            f"Confirmed from Yahoo's corporate actions ({action.id}) on "
            f"{self._now().date().isoformat()}"
        )
        if action.type == "split":
            entry = LedgerEntry(
                account_id=action.account_id,
                date=day,
                type=TxType.SPLIT,
                symbol=action.symbol,
                quantity=None,
                price=None,
                amount=None,
                fees=Decimal(0),
                currency=currency,
                note=f"{source}: {_ratio_text(action.ratio or Decimal(1))} split",
                split_ratio=action.ratio,
            )
        else:
            entry = LedgerEntry(
                account_id=action.account_id,
                date=day,
                type=TxType.DIVIDEND,
                symbol=action.symbol,
                quantity=None,
                price=None,
                amount=action.amount,
                fees=Decimal(0),
                currency=currency,
                note=(
                    f"{source}: {_num(action.per_share_paid or Decimal(0))} per share x "
                    f"{_qty(action.shares or Decimal(0))} shares held before the ex-date "
                    f"{action.date.isoformat()}"
                ),
            )
        return entry

    def possible_duplicates(self, account: int | str | None = None) -> list[PossibleDuplicate]:
        """Confirmed suggestions that another row of the same kind now also accounts for.

        A statement imported after a confirmation adds its row when the broker booked
        another day or amount than the one confirmed (the fingerprints differ); both
        then stand for one payment. Each is named with the batch that undoes the
        confirmation. Nothing is changed here.
        """
        db = self._ctx.portfolio_db
        only = self._ctx.portfolio.account(account).id if account is not None else None
        names = {a.id: a.name for a in self._ctx.config.list_accounts()}
        out: list[PossibleDuplicate] = []
        for batch_id, source, row_id, day, amount in ledger_reads.confirmed_actions(
            db, CONFIRMED_BROKER
        ):
            try:
                kind, symbol, ex_day = parse_action_id(source)
            except ValidationError:
                continue
            batch = ImportStore(db).batch(batch_id)
            if only is not None and batch.account_id != only:
                continue
            late = SPLIT_WINDOW_DAYS if kind == "split" else DIVIDEND_WINDOW_DAYS
            for other_id, other_day, other_amount in ledger_reads.action_rows(
                db, batch.account_id, symbol, kind
            ):
                if other_id == row_id or not (
                    -SPLIT_WINDOW_DAYS <= (other_day - ex_day).days <= late
                ):
                    continue
                name = names.get(batch.account_id, f"#{batch.account_id}")
                out.append(
                    PossibleDuplicate(
                        source,
                        name,
                        batch_id,
                        day,
                        amount,
                        other_day,
                        other_amount,
                        f"{name}: the confirmed {kind} of {symbol} ({day.isoformat()}"
                        + (f", {_amount_text(amount)}" if amount is not None else "")
                        + f") and the {kind} on {other_day.isoformat()}"
                        + (f" ({_amount_text(other_amount)})" if other_amount is not None else "")
                        + " may be one payment; if so, undo import batch "
                        f"{batch_id} (`portfolioos import undo {batch_id}`)",
                    )
                )
        return out

    def dismiss_action(self, ident: str, account: int | str | None = None) -> list[SuggestedAction]:
        """Stop offering a suggestion (in one account, or every account it is pending in).

        Returns what was dismissed. Nothing in the ledger changes."""
        found = self._pending(ident, account)
        self._store.dismiss_actions(
            [(a.account_id or 0, a.symbol, a.date, a.type) for a in found], self._now()
        )
        return found

    # -- manual prices ------------------------------------------------------------------

    def add_manual_price(
        self, symbol: str, day: date | str, close: float | str, currency: str = "USD"
    ) -> Changes:
        """One price typed by the user, for an asset Yahoo lacks (a fund NAV, a house)."""
        import pandas as pd

        sym = normalise_symbol(symbol)
        when = _parse_date(day, "date")
        value = _parse_price(close, "close")
        cur = _parse_currency(currency, "currency")
        frame = pd.DataFrame({"symbol": [sym], "date": [when], "close": [value], "currency": [cur]})
        self._store.import_manual(frame, self._now(), validator_for=_validator)
        return Changes(prices=True)

    def import_prices_csv(self, path: str | os.PathLike[str]) -> tuple[int, list[str], Changes]:
        """A price CSV with columns symbol, date, close[, currency] (any order, any case).

        Every row is checked before anything is written; the first bad one is reported
        by file, line and column, and nothing is imported.
        """
        import pandas as pd

        file = Path(path)
        if not file.is_file():
            raise ImportFileError(f"{file}: no such file")
        rows: list[tuple[str, date, float, str]] = []
        try:
            with file.open(newline="", encoding="utf-8-sig") as handle:
                reader = csv.DictReader(handle)
                header = {(h or "").strip().lower(): h for h in (reader.fieldnames or [])}
                if "price" in header and "close" not in header:
                    header["close"] = header["price"]
                missing = [c for c in ("symbol", "date", "close") if c not in header]
                if missing:
                    raise ImportFileError(
                        f"{Location(file=str(file), line=1)}: missing column(s) "
                        f"{', '.join(missing)}; need symbol, date, close[, currency]"
                    )
                for line, raw in enumerate(reader, start=2):

                    def cell(name: str, raw: dict[str, Any] = raw) -> str:
                        return str(raw.get(header[name]) or "").strip()

                    if not any((v or "").strip() for v in raw.values() if isinstance(v, str)):
                        continue
                    try:
                        rows.append(
                            (
                                normalise_symbol(cell("symbol")),
                                _parse_date(cell("date"), "date"),
                                _parse_price(cell("close"), "close"),
                                _parse_currency(
                                    cell("currency") if "currency" in header else "USD", "currency"
                                ),
                            )
                        )
                    except ValidationError as exc:
                        where = Location(
                            file=str(file), line=line, column=header.get(exc.field or "", exc.field)
                        )
                        raise ImportFileError(f"{where}: {exc.message}") from None
        except UnicodeDecodeError as exc:
            raise ImportFileError(f"{file}: not a UTF-8 text file ({exc.reason})") from None
        except csv.Error as exc:
            raise ImportFileError(f"{file}: not a readable CSV file ({exc})") from None
        if not rows:
            raise ImportFileError(f"{file}: no price rows")
        frame = pd.DataFrame(rows, columns=["symbol", "date", "close", "currency"])
        frame = frame.drop_duplicates(["symbol", "date"], keep="last")
        symbols = sorted(set(frame["symbol"]))
        self._store.import_manual(frame, self._now(), validator_for=_validator)
        return len(frame), symbols, Changes(prices=True)

    # -- macro --------------------------------------------------------------------------

    def fred_api_key(self) -> str | None:
        key = self._fred_key
        if callable(key):
            return key() or None
        if key:
            return key
        try:
            # this data folder's keychain (its session keys and opt-in file live here)
            found = self._ctx.keychain.get(FRED_SECRET)
        except Exception as exc:  # the keychain being down must not break market data
            logger.warning("cannot read the FRED key from the keychain: %s", exc)
            return None
        return str(found) if found else None

    def sync_macro(
        self,
        series_ids: Sequence[str],
        progress: Progress = no_progress,
        cancel: CancelToken = NEVER_CANCELLED,
    ) -> SyncReport:
        """Fetch each series from its last stored observation minus a revision window."""
        key = self.fred_api_key()
        if key is None:
            raise MarketDataError(NO_FRED_KEY)
        from portfolioos.market.fred import FredClient

        client = FredClient(key, root_url=self._fred_root_url)
        wanted = _unique([normalise_series(s) for s in series_ids])
        store = self._store
        states = store.sync_states("macro", wanted)
        results: list[SyncResult] = []
        for i, sid in enumerate(wanted):
            cancel.check()
            progress(i / max(len(wanted), 1), f"{sid}: fetching")
            state = states.get(sid)
            last = state.last_date if state else None
            # Monthly series are revised for a few months: re-read about a year back.
            start = last - timedelta(days=370) if last else None
            try:
                frame = call_with_retries(
                    lambda sid=sid, start=start: client.observations(sid, start),  # type: ignore[misc]
                    retryable=lambda e: isinstance(e, FetchError) and e.retryable,
                    backoff=self._backoff,
                    limiter=self._fred_limiter,
                    sleep=self._sleep,
                )
            except FetchError as exc:
                status = _STATUS.get(exc.kind, "failed")
                store.record_attempt("macro", sid, status, str(exc), self._now())
                results.append(SyncResult(sid, status, 0, str(exc), last))
                continue
            added = store.write_macro(sid, frame, status="ok", message="synced", when=self._now())
            new_last = store.sync_states("macro", [sid])[sid].last_date
            results.append(SyncResult(sid, "ok", added, "synced", new_last))
        progress(1.0, "macro series synced")
        return SyncReport(results, Changes(macro=any(r.rows_added for r in results)))

    def macro(
        self, series_id: str, start: date | None = None, end: date | None = None
    ) -> pd.DataFrame:
        return self._store.macro(normalise_series(series_id), start, end)

    def followed_series(self) -> list[str]:
        return sorted(self._store.sync_states("macro"))


# -- helpers -------------------------------------------------------------------------


def normalise_symbol(symbol: str) -> str:
    text = str(symbol).strip().upper()
    if not _SYMBOL.match(text):
        raise ValidationError(
            f"'{symbol}' is not a ticker symbol (letters, digits, . - ^ =).", field="symbol"
        )
    return text


def normalise_series(series_id: str) -> str:
    text = str(series_id).strip().upper()
    if not _SERIES.match(text):
        raise ValidationError(
            f"'{series_id}' is not a FRED series id (e.g. CPIAUCSL).", field="series"
        )
    return text


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _new_split(history: YahooHistory, stored: list[tuple[date, float]]) -> bool:
    known = {d for d, _ in stored}
    return any(d not in known for d in history.splits["date"])


def unmatched(
    yahoo_days: list[date], ledger_days: list[date], *, early: int, late: int
) -> set[date]:
    """Yahoo's days that no ledger entry accounts for.

    A ledger entry dated from `early` days before to `late` days after a Yahoo day can
    be that action (a dividend is booked on its pay date, weeks after the ex-date), and
    each entry accounts for one day only: the latest Yahoo day on or before it, else the
    nearest after. So a monthly payer's February payment does not hide March's ex-date.
    """
    left = sorted(set(yahoo_days))
    for booked in sorted(ledger_days):
        fits = [d for d in left if -early <= (booked - d).days <= late]
        if not fits:
            continue
        before = [d for d in fits if d <= booked]
        left.remove(before[-1] if before else fits[0])
    return set(left)


CENT = Decimal("0.01")


def action_id(kind: str, symbol: str, day: date) -> str:
    return f"{kind}:{symbol}:{day.isoformat()}"


def parse_action_id(text: str) -> tuple[str, str, date]:
    """'dividend:AAPL:2024-02-09' -> ('dividend', 'AAPL', date(2024, 2, 9))."""
    parts = str(text).strip().split(":")
    if len(parts) != 3 or parts[0].lower() not in ("split", "dividend"):
        raise ValidationError(
            f"'{text}' is not a suggestion id (like dividend:AAPL:2024-02-09 or "
            "split:AAPL:2024-06-10)",
            field="id",
        )
    return parts[0].lower(), normalise_symbol(parts[1]), _parse_date(parts[2], "id")


def split_ratio_decimal(ratio: float) -> Decimal:
    """Yahoo's float ratio (numerator/denominator) as the exact ratio it stands for:
    1.5 for 3:2, 0.1 for 1:10, 2/3 to the ledger's 12 places for 2:3."""
    from fractions import Fraction

    frac = Fraction(ratio).limit_denominator(1000)
    exact = Decimal(frac.numerator) / Decimal(frac.denominator)
    return exact.quantize(Decimal("1e-12")).normalize()


def unadjusted_dividend(amount: float, later_splits: Sequence[Decimal]) -> Decimal:
    """The dividend actually paid per share: Yahoo divides past dividends by every later
    split (AAPL's $3.29 of May 2014 shows as $0.47 after the 7:1 split), so multiply
    them back. Yahoo rounds the adjusted figure, so the result is kept to 4 places."""
    paid = Decimal(repr(float(amount)))
    if not later_splits:
        return paid
    for ratio in later_splits:
        paid *= ratio
    return paid.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP).normalize()


def _amount_text(value: Decimal) -> str:
    cents = value.quantize(CENT)
    return format(cents if cents == value else value.normalize(), "f")


def _num(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _qty(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _ratio_text(ratio: Decimal) -> str:
    from fractions import Fraction

    frac = Fraction(ratio).limit_denominator(1000)
    return f"{frac.numerator}-for-{frac.denominator}"


class _HoldingsOn:
    """Shares an account held in a symbol at the end of a day, from the engine's
    holdings (split-aware), memoised per (account, day): None when none were held."""

    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx
        self._cache: dict[tuple[int, date], dict[str, tuple[Decimal, str]]] = {}

    def __call__(self, account_id: int, symbol: str, day: date) -> tuple[Decimal, str] | None:
        key = (account_id, day)
        if key not in self._cache:
            self._cache[key] = {
                h.symbol: (h.shares, h.currency)
                for h in self._ctx.portfolio.holdings(account=account_id, date=day)
            }
        found = self._cache[key].get(symbol)
        return found if found and found[0] > 0 else None


def _parse_date(value: date | str, field_name: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError(
            f"'{value}' is not a date (use YYYY-MM-DD)", field=field_name
        ) from None


def _parse_price(value: float | str, field_name: str) -> float:
    try:
        number = float(str(value).strip().replace(",", ""))
    except ValueError:
        raise ValidationError(f"'{value}' is not a number", field=field_name) from None
    if not number > 0 or number != number or number == float("inf"):
        raise ValidationError(f"price {value} must be a positive number", field=field_name)
    return number


def _parse_currency(value: str, field_name: str) -> str:
    text = (value or "USD").strip().upper() or "USD"
    if not re.fullmatch(r"[A-Z]{3}", text):
        raise ValidationError(f"'{value}' is not a 3-letter currency code", field=field_name)
    return text


def _validator(symbol: str) -> Callable[[pd.DataFrame, list[date]], list[tuple[date, str, str]]]:
    def run(bars: pd.DataFrame, split_dates: list[date]) -> list[tuple[date, str, str]]:
        return [(f.date, f.kind, f.detail) for f in validation.validate(symbol, bars, split_dates)]

    return run
