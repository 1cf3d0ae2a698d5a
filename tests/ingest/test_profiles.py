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
    ("degiro_account.csv", "degiro_account"),
    ("degiro_account_nl.csv", "degiro_account"),
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


# Degiro's Account.csv: the rows that are not imported, each with the kind of reason
# its warning gives (the action-word table is in profiles.py, DEGIRO_ACCOUNT).
_TRADE, _COSTS, _FX, _SWEEP, _HOLD = (
    "a trade, which Transactions.csv carries",
    "the costs of a trade",
    "an exchange between the account's own currency wallets",
    "cash moving between the account and its own flatexDEGIRO bank",
    "a hold on a deposit on its way",
)
DEGIRO_SKIPS = {
    "degiro_account.csv": {
        3: _SWEEP,  # Processed Flatex Withdrawal
        10: _SWEEP,  # Transfer from your Cash Account at flatexDEGIRO Bank
        11: _SWEEP,  # Degiro Cash Sweep Transfer
        12: _COSTS,
        13: _TRADE,  # Buy 2 ASML Holding@620.4 EUR
        14: _SWEEP,  # Transfer to your Cash Account at flatexDEGIRO Bank
        15: _SWEEP,
        16: _FX,  # FX Credit
        17: _FX,  # FX Debit
        18: _COSTS,
        19: _TRADE,  # Sell 4 Apple Inc@150 USD
        21: _FX,
        22: _FX,
        27: _FX,
        28: _FX,
        29: _COSTS,
        30: _TRADE,
        32: _HOLD,  # Reservation iDEAL / Sofort Deposit
        33: _HOLD,
    },
    "degiro_account_nl.csv": {
        3: _SWEEP,  # Processed Flatex Withdrawal
        5: _SWEEP,  # Overboeking van uw geldrekening
        6: _SWEEP,
        12: _FX,  # Valuta Creditering
        13: _FX,  # Valuta Debitering
        17: _SWEEP,  # Overboeking naar uw geldrekening
        18: _SWEEP,
        19: _COSTS,  # DEGIRO Transactiekosten en/of kosten van derden
        20: _TRADE,  # Verkoop 40 @ 25,1 EUR
        22: _FX,  # its Order Id wraps onto line 23, which is no row of its own
        24: _FX,
        25: _COSTS,
        26: _TRADE,  # Koop 5 @ 61,2 USD
        27: _COSTS,
        28: _TRADE,
        30: _HOLD,
        31: _HOLD,
    },
}


@pytest.mark.parametrize("fixture", sorted(DEGIRO_SKIPS))
def test_degiro_account_skips_each_non_ledger_row_with_its_reason(fixture: str) -> None:
    parsed = read_file(FIXTURES / fixture, account_id=1, currency="EUR")
    skipped = {w.line: w for w in parsed.warnings if "skipped:" in w.message}
    assert sorted(skipped) == sorted(DEGIRO_SKIPS[fixture])
    for line, reason in DEGIRO_SKIPS[fixture].items():
        assert reason in skipped[line].message, (line, skipped[line].message)
        assert skipped[line].column in ("Description", "Omschrijving")
    # Every line is either an entry or a skipped row: nothing falls through unseen.
    lines = {e.source_line for e in parsed.entries} | set(skipped)
    width = len((FIXTURES / fixture).read_text(encoding="utf-8").strip().split("\n"))
    wrapped = {23} if fixture.endswith("_nl.csv") else set()
    assert lines | wrapped == set(range(2, width + 1))


def test_degiro_account_english_and_dutch_read_alike() -> None:
    """Both header languages detect; the Dutch amounts are decimal commas in a
    comma-separated file ("-2,50" is 2.50, not 250) and the English ones points."""
    en = read_file(FIXTURES / "degiro_account.csv", account_id=1, currency="EUR")
    nl = read_file(FIXTURES / "degiro_account_nl.csv", account_id=1, currency="EUR")
    assert (
        en.columns["amount"] == "Change (amount)" and en.columns["balance"] == "Balance (balance)"
    )
    assert nl.columns["amount"] == "Mutatie (amount)" and nl.columns["balance"] == "Saldo (balance)"
    connection = [e.amount for e in nl.entries if e.note == "" and e.type.value == "fee"]
    assert Decimal("-2.50") in connection
    assert max(abs(b.amount) for b in nl.reported_balances) == Decimal("3000.00")


def test_degiro_account_is_not_mistaken_for_transactions_csv() -> None:
    from portfolioos.ingest.detect import detect
    from portfolioos.ingest.profiles import PROFILES
    from portfolioos.ingest.table import read_table

    for name, broker in (
        ("degiro.csv", "degiro"),
        ("degiro_nl.csv", "degiro"),
        ("degiro_account.csv", "degiro_account"),
        ("degiro_account_nl.csv", "degiro_account"),
    ):
        assert detect(read_table(FIXTURES / name), PROFILES)[0].name == broker


def test_degiro_account_unknown_word_is_rejected_on_its_line() -> None:
    from portfolioos.ingest.reader import read_data

    text = (FIXTURES / "degiro_account.csv").read_text(encoding="utf-8")
    text = text.replace("Flatex Interest Income", "Mystery Credit")
    parsed = read_data(text.encode(), "Account.csv", account_id=1, currency="EUR")
    assert [(r.line, r.column) for r in parsed.rejected] == [(5, "Description")]
    assert "unknown action 'Mystery Credit'" in parsed.rejected[0].message


def test_withholding_and_interest_follow_the_sign() -> None:
    """Tax withheld is a fee, tax given back income; interest charged is a fee."""
    from portfolioos.ingest.reader import read_data

    header = "Date,Time,Value date,Product,ISIN,Description,FX,Change,,Balance,,Order Id\n"
    rows = (
        "05-01-2024,07:00,04-01-2024,ACME,US0000000001,Dividend Tax,,USD,0.15,USD,0.15,\n"
        "04-01-2024,07:00,03-01-2024,ACME,US0000000001,Dividend Tax,,USD,-0.15,USD,0.00,\n"
        "03-01-2024,07:00,02-01-2024,,,Interest,,EUR,-0.02,EUR,9.98,\n"
        "02-01-2024,07:00,01-01-2024,,,Interest,,EUR,0.03,EUR,10.00,\n"
        "01-01-2024,07:00,01-01-2024,,,Deposit,,EUR,9.97,EUR,9.97,\n"
    )
    parsed = read_data((header + rows).encode(), "Account.csv", account_id=1, currency="EUR")
    assert parsed.rejected == []
    assert [(e.type.value, e.symbol, e.amount) for e in parsed.entries] == [
        ("dividend", "US0000000001", Decimal("0.15")),
        ("fee", "US0000000001", Decimal("-0.15")),
        ("fee", None, Decimal("-0.02")),
        ("interest", None, Decimal("0.03")),
        ("deposit", None, Decimal("9.97")),
    ]
    assert not [w for w in parsed.warnings if "mismatch" in w.message]


def test_decimal_commas_in_a_comma_separated_file_read_as_decimals() -> None:
    """Degiro writes Dutch numbers ("-2.345,00") in comma-separated files too, quoted:
    the separators come from the numbers, not from the delimiter."""
    import io

    from portfolioos.ingest.reader import read_data

    with (FIXTURES / "degiro_nl.csv").open(encoding="cp1252", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\n").writerows(rows)
    assert '"-2.345,00"' in out.getvalue()
    comma = read_data(out.getvalue().encode(), "Transactions.csv", account_id=7, currency="EUR")
    semicolon = read_file(FIXTURES / "degiro_nl.csv", account_id=7, currency="EUR")
    assert comma.rejected == []
    assert comma.entries == semicolon.entries
    assert comma.entries[0].amount == Decimal("-2349.90")
