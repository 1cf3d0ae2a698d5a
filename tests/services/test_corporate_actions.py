"""Yahoo's splits and dividends offered to the ledger: confirm, dismiss, never silently."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from portfolioos.domain.accounts import AccountDraft
from portfolioos.domain.ledger import LedgerEntry, TxType, with_fingerprints
from portfolioos.errors import NotFoundError, ValidationError
from portfolioos.services.context import AppContext
from portfolioos.services.market import (
    CONFIRMED_BROKER,
    MarketService,
    parse_action_id,
    split_ratio_decimal,
    unadjusted_dividend,
    unmatched,
)
from portfolioos.storage.ledger_store import LedgerStore
from tests.market.fixture_servers import (
    YahooServer,
    fresh_yfinance_state,  # noqa: F401  (autouse)
    make_bars,
)
from tests.services.test_market_service import END, START, service

SPLIT_DAY = date(2024, 6, 10)
# As Yahoo reports them: the two before the 4:1 split divided by 4 (paid: 0.96, 1.00).
DIVS = {date(2023, 11, 10): 0.24, date(2024, 2, 9): 0.24, date(2024, 5, 10): 0.25}
DIVS[date(2024, 8, 12)] = 0.25


@pytest.fixture
def yahoo() -> Iterator[YahooServer]:
    srv = YahooServer(
        {"AAPL": make_bars("AAPL", START, END, dividends=DIVS, splits={SPLIT_DAY: (4.0, 1.0)})}
    )
    srv.start()
    yield srv
    srv.stop()


def row(account: int, day: date, kind: TxType, qty: str | None = None, **kw: object) -> LedgerEntry:
    return LedgerEntry(
        account_id=account,
        date=day,
        type=kind,
        symbol="AAPL",
        quantity=Decimal(qty) if qty else None,
        price=Decimal("180") if qty else None,
        amount=kw.pop("amount", None),  # type: ignore[arg-type]
        fees=Decimal(0),
        currency="USD",
    )


@pytest.fixture
def market(ctx: AppContext, yahoo: YahooServer) -> MarketService:
    brokerage, _ = ctx.portfolio.create_account(AccountDraft(name="Brokerage"))
    ira, _ = ctx.portfolio.create_account(AccountDraft(name="IRA"))
    LedgerStore(ctx.portfolio_db).add_entries(
        with_fingerprints(
            [
                row(brokerage.id, date(2023, 9, 1), TxType.BUY, "10"),
                # the broker booked November's dividend on its pay date
                row(brokerage.id, date(2023, 11, 16), TxType.DIVIDEND, amount=Decimal("9.60")),
                # bought ON the ex-date: not entitled to that dividend
                row(ira.id, date(2024, 5, 10), TxType.BUY, "3"),
            ]
        )
    )
    ctx.portfolio.rederive()
    m = service(ctx, yahoo.url)
    m.sync_prices(["AAPL"])
    return m


def ledger(ctx: AppContext) -> list[tuple[object, ...]]:
    return ctx.portfolio_db.fetchall(
        "SELECT account_id, date, type, amount, split_ratio, note FROM transactions "
        "WHERE type IN ('split', 'dividend') ORDER BY account_id, date"
    )


def test_suggestions_per_account_with_paid_amounts(ctx: AppContext, market: MarketService) -> None:
    before = ledger(ctx)
    got = market.suggested_actions()
    assert [(a.account, a.id, a.shares, a.amount, a.blocked_by) for a in got] == [
        ("Brokerage", "dividend:AAPL:2024-02-09", Decimal(10), Decimal("9.60"), None),
        ("Brokerage", "dividend:AAPL:2024-05-10", Decimal(10), Decimal("10.00"), None),
        ("Brokerage", "split:AAPL:2024-06-10", Decimal(10), None, None),
        ("IRA", "split:AAPL:2024-06-10", Decimal(3), None, None),
        ("Brokerage", "dividend:AAPL:2024-08-12", Decimal(10), Decimal("2.50"), got[2].id),
        ("IRA", "dividend:AAPL:2024-08-12", Decimal(3), Decimal("0.75"), got[3].id),
    ]
    assert got[0].per_share_paid == Decimal("0.96") and got[2].ratio == Decimal(4)
    assert "confirm or dismiss it first" in got[4].reason
    assert [a.account for a in market.suggested_actions(account="IRA")] == ["IRA", "IRA"]
    assert ledger(ctx) == before  # listing writes nothing


def test_confirm_split_then_dividends_and_never_twice(
    ctx: AppContext, market: MarketService, tmp_path: Path
) -> None:
    with pytest.raises(ValidationError, match="pending in several accounts"):
        market.confirm_action("split:AAPL:2024-06-10")
    with pytest.raises(ValidationError, match="Confirm or dismiss the split"):
        market.confirm_action("dividend:AAPL:2024-08-12", "Brokerage")

    split = market.confirm_action("split:AAPL:2024-06-10", "Brokerage")
    assert split.added and split.changes.ledger
    assert split.entry.split_ratio == Decimal(4) and split.entry.quantity is None
    (holding,) = ctx.portfolio.holdings(account="Brokerage")
    assert holding.shares == Decimal(40)
    # The split decided, August's dividend is on 40 shares now.
    august = [a for a in market.suggested_actions(account="Brokerage") if a.date.month == 8]
    assert (august[0].shares, august[0].amount, august[0].blocked_by) == (
        Decimal(40),
        Decimal("10.00"),
        None,
    )
    with pytest.raises(NotFoundError, match="No pending suggestion"):
        market.confirm_action("split:AAPL:2024-06-10", "Brokerage")

    paid = market.confirm_action("dividend:AAPL:2024-02-09", "Brokerage", pay_date="2024-02-15")
    assert (paid.entry.date, paid.entry.amount) == (date(2024, 2, 15), Decimal("9.60"))
    brokerage = ctx.portfolio.account("Brokerage").id
    rows = [r for r in ledger(ctx) if r[0] == brokerage]
    assert [(r[1], r[2], r[3], r[4]) for r in rows] == [
        (date(2023, 11, 16), "dividend", Decimal("9.60"), None),
        (date(2024, 2, 15), "dividend", Decimal("9.60"), None),
        (SPLIT_DAY, "split", None, Decimal(4)),
    ]
    assert "Confirmed from Yahoo's corporate actions (split:AAPL:2024-06-10)" in str(rows[2][5])
    assert "0.96 per share x 10 shares held before the ex-date 2024-02-09" in str(rows[1][5])
    # The same row again (a second confirm racing the first) is a fingerprint already known.
    assert LedgerStore(ctx.portfolio_db).add_entries([paid.entry]) == 0

    # The broker's own statement arrives later: its split and dividend rows are the
    # same rows, so the import adds only what is new.
    statement = tmp_path / "statement.csv"
    statement.write_text(
        "date,type,symbol,quantity,price,fees,amount,currency,split_ratio,note\n"
        "2024-02-15,dividend,AAPL,,,,9.60,USD,,Cash dividend\n"
        "2024-06-10,split,AAPL,,,,,USD,4,Stock split 4:1\n"
        "2024-09-03,buy,AAPL,2,220,0,,USD,,\n"
    )
    result = ctx.imports.import_file(statement, "Brokerage", broker="generic")
    assert (result.added, result.duplicates) == (1, 2)
    assert len([r for r in ledger(ctx) if r[0] == brokerage]) == 3


def test_a_confirmation_is_an_import_batch_that_can_be_undone(
    ctx: AppContext, market: MarketService
) -> None:
    done = market.confirm_action("dividend:AAPL:2024-05-10", "Brokerage")
    (batch,) = ctx.imports.batches("Brokerage")
    assert (batch.id, batch.source, batch.broker, batch.rows_added) == (
        done.entry.batch_id,
        "dividend:AAPL:2024-05-10",
        CONFIRMED_BROKER,
        1,
    )
    assert "dividend:AAPL:2024-05-10" not in [a.id for a in market.suggested_actions()]
    ctx.imports.undo(batch.id)
    assert "dividend:AAPL:2024-05-10" in [a.id for a in market.suggested_actions("AAPL")]


def test_dismiss_per_account_or_everywhere(ctx: AppContext, market: MarketService) -> None:
    before = ledger(ctx)
    (gone,) = market.dismiss_action("dividend:AAPL:2024-05-10", "Brokerage")
    assert gone.account == "Brokerage"
    ids = [(a.account, a.id) for a in market.suggested_actions()]
    assert ("Brokerage", "dividend:AAPL:2024-05-10") not in ids
    # No account: dismissed wherever it is pending (both accounts' split).
    assert [a.account for a in market.dismiss_action("split:AAPL:2024-06-10")] == [
        "Brokerage",
        "IRA",
    ]
    left = market.suggested_actions()
    assert [(a.account, a.id, a.blocked_by) for a in left] == [
        ("Brokerage", "dividend:AAPL:2024-02-09", None),
        ("Brokerage", "dividend:AAPL:2024-08-12", None),  # no split pending any more
        ("IRA", "dividend:AAPL:2024-08-12", None),
    ]
    with pytest.raises(NotFoundError):
        market.dismiss_action("split:AAPL:2024-06-10", "IRA")
    with pytest.raises(ValidationError, match="not a suggestion id"):
        market.dismiss_action("AAPL 2024-06-10")
    assert ledger(ctx) == before  # dismissing never touches the ledger


def test_exact_ratios_and_split_undone_dividends() -> None:
    assert split_ratio_decimal(4.0) == Decimal(4)
    assert split_ratio_decimal(1.5) == Decimal("1.5")
    assert split_ratio_decimal(0.1) == Decimal("0.1")
    assert split_ratio_decimal(2 / 3) == Decimal("0.666666666667")
    # AAPL, May 2014: $3.29 paid, shown by Yahoo as 0.47 after 7:1 and 0.1175 after 4:1 too.
    assert unadjusted_dividend(0.1175, [Decimal(7), Decimal(4)]) == Decimal("3.29")
    assert unadjusted_dividend(0.24, []) == Decimal("0.24")
    assert parse_action_id("Dividend:aapl:2024-02-09") == ("dividend", "AAPL", date(2024, 2, 9))


def test_a_new_split_rereads_the_history_so_dividends_stay_in_one_basis(
    ctx: AppContext, yahoo: YahooServer
) -> None:
    account, _ = ctx.portfolio.create_account(AccountDraft(name="Brokerage"))
    LedgerStore(ctx.portfolio_db).add_entries(
        with_fingerprints([row(account.id, date(2023, 9, 1), TxType.BUY, "10")])
    )
    # Before the split Yahoo reports the dividends as paid (0.96, 1.00) ...
    as_paid = {date(2024, 2, 9): 0.96, date(2024, 5, 10): 1.00}
    yahoo.tickers["AAPL"] = make_bars("AAPL", START, END, dividends=as_paid)
    service(ctx, yahoo.url, today=date(2024, 6, 3)).sync_prices(["AAPL"])
    stored = ctx.market_db.fetchall("SELECT date, amount FROM dividends ORDER BY date")
    assert stored == sorted(as_paid.items())
    # ... and after it, divided by 4, like every earlier price. The next sync sees a
    # split it did not know and re-reads the history once.
    yahoo.tickers["AAPL"] = make_bars(
        "AAPL", START, END, dividends=DIVS, splits={SPLIT_DAY: (4.0, 1.0)}
    )
    yahoo.reset_counts()
    market = service(ctx, yahoo.url)
    market.sync_prices(["AAPL"])
    incremental, full = yahoo.chart_requests("AAPL")
    assert int(full["period1"][0]) < int(incremental["period1"][0])
    got = {a.date: a.per_share_paid for a in market.suggested_actions() if a.type == "dividend"}
    assert got[date(2024, 2, 9)] == Decimal("0.96") and got[date(2024, 5, 10)] == Decimal(1)
    # Known split now: the next sync is incremental again.
    yahoo.reset_counts()
    service(ctx, yahoo.url, today=date(2024, 10, 2)).sync_prices(["AAPL"], refresh_info=False)
    assert len(yahoo.chart_requests("AAPL")) <= 1


def test_each_ledger_dividend_accounts_for_one_ex_date() -> None:
    ex = [date(2024, 1, 30), date(2024, 2, 27), date(2024, 3, 27)]
    # A monthly payer, booked on the pay dates of January and February only: the
    # February 5 payment must not hide February's ex-date (22 days before it) nor the
    # March 5 one March's.
    booked = [date(2024, 2, 5), date(2024, 3, 5)]
    assert unmatched(ex, booked, early=5, late=45) == {date(2024, 3, 27)}
    # Booked on the ex-date itself, or a day early, still counts.
    assert unmatched(ex, [date(2024, 1, 29), date(2024, 2, 27)], early=5, late=45) == {
        date(2024, 3, 27)
    }
    assert unmatched(ex, [], early=5, late=45) == set(ex)
    assert unmatched(ex, [date(2023, 6, 1)], early=5, late=45) == set(ex)


def test_a_statement_booked_on_another_day_is_flagged_not_hidden(
    ctx: AppContext, market: MarketService, tmp_path: Path
) -> None:
    done = market.confirm_action("dividend:AAPL:2024-02-09", "Brokerage")  # on the ex-date
    assert market.possible_duplicates() == []
    statement = tmp_path / "statement.csv"
    statement.write_text(
        "date,type,symbol,quantity,price,fees,amount,currency\n"
        "2024-02-15,dividend,AAPL,,,,9.60,USD\n"
    )
    assert ctx.imports.import_file(statement, "Brokerage", broker="generic").added == 1
    (dup,) = market.possible_duplicates()
    assert (dup.id, dup.batch_id, dup.confirmed_date, dup.other_date) == (
        "dividend:AAPL:2024-02-09",
        done.entry.batch_id,
        date(2024, 2, 9),
        date(2024, 2, 15),
    )
    assert f"undo import batch {done.entry.batch_id}" in dup.message and "(9.60)" in dup.message
    assert market.possible_duplicates(account="IRA") == []
    ctx.imports.undo(dup.batch_id)
    assert market.possible_duplicates() == []
    # The statement's row now accounts for the ex-date: not suggested again.
    assert "dividend:AAPL:2024-02-09" not in [a.id for a in market.suggested_actions()]
