from __future__ import annotations

from datetime import date
from decimal import Decimal

from portfolioos.domain.ledger import LedgerEntry, TxType, with_fingerprints
from portfolioos.services.context import AppContext
from portfolioos.storage.ledger_store import LedgerStore


def _buy(qty: str, price: str) -> LedgerEntry:
    return LedgerEntry(
        account_id=1,
        date=date(2024, 3, 1),
        type=TxType.BUY,
        symbol="VTI",
        quantity=Decimal(qty),
        price=Decimal(price),
        amount=-Decimal(qty) * Decimal(price),
        fees=Decimal("0"),
        currency="USD",
    )


def test_identical_rows_both_land_and_reimport_adds_nothing(ctx: AppContext) -> None:
    store = LedgerStore(ctx.portfolio_db)
    rows = with_fingerprints([_buy("0.333333333333", "210.17"), _buy("0.333333333333", "210.17")])
    assert store.add_entries(rows) == 2
    assert store.add_entries(rows) == 0
    assert store.add_entries(with_fingerprints([*map(lambda e: e, rows), _buy("1", "2")])) == 1
    total = ctx.portfolio_db.fetchone("SELECT sum(quantity) FROM transactions WHERE symbol='VTI'")
    assert total == (Decimal("1.666666666666"),)


def test_fingerprints_round_trip_as_hex_and_other_text_stays_distinct(ctx: AppContext) -> None:
    from dataclasses import replace

    from portfolioos.storage.export_store import ExportStore

    store = LedgerStore(ctx.portfolio_db)
    (hashed,) = with_fingerprints([_buy("1", "2")])
    own = [replace(_buy("3", "4"), fingerprint=f) for f in ("f1", "f2")]
    assert store.add_entries([hashed, *own]) == 3
    assert store.add_entries([hashed, *own]) == 0
    stored = [r["fingerprint"] for r in ExportStore(ctx.portfolio_db).transactions(by_id=True)]
    assert stored[0] == hashed.fingerprint
    assert len(set(stored)) == 3 and all(len(f) == 32 for f in stored)
