"""Shared set-up for the Markets page and sync controller tests: loopback Yahoo bars
ending at the last completed session (so a sync reads "ok" today), held positions in
the ledger, and a keychain with no secure backend (a session-only FRED key)."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal

from keyring.backends import fail

from portfolioos.domain.accounts import AccountDraft
from portfolioos.domain.ledger import LedgerEntry, TxType, with_fingerprints
from portfolioos.market.calendar import last_completed_session
from portfolioos.secrets import Keychain
from portfolioos.services.context import AppContext
from portfolioos.services.market import exchange_today
from portfolioos.storage.ledger_store import LedgerStore
from tests.market.fixture_servers import Bars, make_bars

LAST = last_completed_session(exchange_today())
START = LAST - timedelta(days=200)


def fixture_bars(symbol: str, seed: int, **kw: object) -> Bars:
    return make_bars(symbol, START, LAST, seed=seed, **kw)  # type: ignore[arg-type]


def without_days(bars: Bars, days: list[date]) -> Bars:
    """The same fixture with some trading days missing (planted gaps)."""
    keep = [i for i, d in enumerate(bars.dates) if d not in days]

    def pick(values: list[object]) -> list[object]:
        return [values[i] for i in keep]

    return dataclasses.replace(
        bars,
        dates=pick(bars.dates),  # type: ignore[arg-type]
        open=pick(bars.open),  # type: ignore[arg-type]
        high=pick(bars.high),  # type: ignore[arg-type]
        low=pick(bars.low),  # type: ignore[arg-type]
        close=pick(bars.close),  # type: ignore[arg-type]
        adjclose=pick(bars.adjclose),  # type: ignore[arg-type]
        volume=pick(bars.volume),  # type: ignore[arg-type]
    )


def hold(ctx: AppContext, *symbols: str, day: date | None = None) -> None:
    """Buy 10 shares of each symbol in account 1 ("Brokerage"), so they count as held."""
    if not ctx.config.list_accounts():
        ctx.portfolio.create_account(AccountDraft(name="Brokerage"))
    entries = [
        LedgerEntry(
            account_id=1,
            date=day or START,
            type=TxType.BUY,
            symbol=s,
            quantity=Decimal("10"),
            price=Decimal("100"),
            amount=None,
            fees=Decimal(0),
            currency="USD",
        )  # type: ignore[call-arg]
        for s in symbols
    ]
    LedgerStore(ctx.portfolio_db).add_entries(with_fingerprints(entries))


def no_secure_keychain(ctx: AppContext) -> Keychain:
    """keyring's fail backend: keys live in memory for this session only."""
    keychain = Keychain(ctx.paths.root, config=ctx.config, backend=fail.Keyring())
    ctx.__dict__["keychain"] = keychain
    return keychain
