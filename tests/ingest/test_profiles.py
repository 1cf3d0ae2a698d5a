"""Every broker profile against a fixture built from the broker's published layout,
auto-detected, with the expected ledger asserted row by row."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from portfolioos.ingest.reader import read_file

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "brokers"

CASES = [
    ("fidelity.csv", "fidelity"),
    ("fidelity_2023.csv", "fidelity"),
    ("schwab.csv", "schwab"),
    ("vanguard.csv", "vanguard"),
    ("ibkr_flex.csv", "ibkr_flex"),
    ("ibkr_activity.csv", "ibkr_activity"),
    ("etrade.csv", "etrade"),
    ("robinhood.csv", "robinhood"),
    ("tdameritrade.csv", "tdameritrade"),
    ("degiro.csv", "degiro"),
    ("degiro_nl.csv", "degiro"),
    ("trading212.csv", "trading212"),
    ("generic.csv", "generic"),
]


def _dec(text: str) -> Decimal | None:
    return Decimal(text) if text else None


def expected_rows(name: str) -> list[dict[str, str]]:
    path = FIXTURES / name.replace(".csv", ".expected.csv")
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize(("fixture", "broker"), CASES)
def test_profile_reads_fixture_row_by_row(fixture: str, broker: str) -> None:
    currency = "EUR" if fixture.startswith("degiro") else "USD"
    parsed = read_file(FIXTURES / fixture, account_id=7, currency=currency)
    assert parsed.broker == broker
    assert parsed.rejected == []
    expected = expected_rows(fixture)
    assert len(parsed.entries) == len(expected), [
        (e.date, e.type.value, e.symbol) for e in parsed.entries
    ]
    for n, (got, want) in enumerate(zip(parsed.entries, expected, strict=True), start=1):
        where = f"{fixture} expected row {n} (source line {got.source_line})"
        assert got.account_id == 7
        assert got.date == date.fromisoformat(want["date"]), where
        assert got.type.value == want["type"], where
        assert got.symbol == (want["symbol"] or None), where
        assert got.quantity == _dec(want["quantity"]), where
        assert got.price == _dec(want["price"]), where
        assert got.fees == Decimal(want["fees"]), where
        assert got.amount == _dec(want["amount"]), where
        assert got.currency == want["currency"], where
        assert got.split_ratio == _dec(want["split_ratio"]), where


def test_forced_broker_must_match_headers() -> None:
    from portfolioos.errors import ImportFileError

    with pytest.raises(ImportFileError, match=r"does not look like Charles Schwab.*Fees & Comm"):
        read_file(FIXTURES / "fidelity.csv", account_id=1, currency="USD", broker="schwab")


def test_footer_and_skipped_rows_are_warnings() -> None:
    parsed = read_file(FIXTURES / "fidelity.csv", account_id=1, currency="USD")
    messages = [w.message for w in parsed.warnings]
    assert any("after the data ignored" in m for m in messages)
    assert any("PURCHASE INTO CORE ACCOUNT" in m and "not a ledger event" in m for m in messages)


def test_multiline_quoted_cells_keep_line_numbers() -> None:
    parsed = read_file(FIXTURES / "robinhood.csv", account_id=1, currency="USD")
    # The description "Apple\nCUSIP..." spans two lines: the second row starts on line 4.
    assert [e.source_line for e in parsed.entries][:3] == [2, 4, 5]


def test_transfer_in_keeps_basis_and_acquired_date() -> None:
    parsed = read_file(FIXTURES / "generic.csv", account_id=1, currency="USD")
    transfer = next(e for e in parsed.entries if e.type.value == "transfer_in")
    assert transfer.original_basis == Decimal(750)
    assert transfer.acquired_date == date(2020, 1, 15)
    assert transfer.note == "from old broker"


def test_ofx_statement_maps_cusips_to_tickers() -> None:
    parsed = read_file(FIXTURES / "statement.qfx", account_id=3, currency="USD")
    assert parsed.broker == "ofx"
    assert parsed.rejected == []
    order = {
        t: i
        for i, t in enumerate(
            (
                "deposit",
                "buy",
                "reinvest",
                "dividend",
                "sell",
                "split",
                "transfer_in",
                "fee",
                "interest",
                "withdrawal",
            )
        )
    }
    got = sorted(parsed.entries, key=lambda e: (e.date, order[e.type.value], e.symbol or ""))
    want = sorted(
        expected_rows("statement.csv"), key=lambda r: (r["date"], order[r["type"]], r["symbol"])
    )
    assert len(got) == len(want)
    for entry, row in zip(got, want, strict=True):
        assert entry.date == date.fromisoformat(row["date"])
        assert entry.type.value == row["type"]
        assert entry.symbol == (row["symbol"] or None)
        assert entry.quantity == _dec(row["quantity"])
        assert entry.price == _dec(row["price"])
        assert entry.fees == Decimal(row["fees"])
        assert entry.amount == _dec(row["amount"])
        assert entry.split_ratio == _dec(row["split_ratio"])
    transfer = next(e for e in got if e.type.value == "transfer_in")
    assert transfer.original_basis == Decimal(750)
    assert transfer.acquired_date == date(2020, 1, 15)


def test_vanguard_positions_reconcile_with_its_transactions() -> None:
    from portfolioos.ingest.positions import discrepancies, ledger_positions

    parsed = read_file(FIXTURES / "vanguard.csv", account_id=1, currency="USD")
    assert parsed.reported_positions == {"VTI": Decimal("7.5431"), "VMFXX": Decimal(100)}
    assert ledger_positions(parsed.entries)["VTI"] == Decimal("7.5431")
    assert discrepancies(parsed.entries, parsed.reported_positions) == []
    assert not any("reports" in w.message for w in parsed.warnings)
    # A position the transactions do not reach is reported, as a warning.
    issues = discrepancies(parsed.entries, {"VTI": Decimal(8)})
    assert [i.message[:43] for i in issues] == ["position mismatch: the file reports 8 VTI b"]
