"""Files that print their own cash or positions (Fidelity's running "Cash Balance ($)",
IBKR's "Cash Report" and "Open Positions", Vanguard's holdings block) are checked
against the ledger their rows produce: no discrepancy on each broker's fixture, and a
tampered figure reported on its line with both figures."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from portfolioos.ingest.balances import cash_effect, check_running_balances
from portfolioos.ingest.model import ParsedFile
from portfolioos.ingest.reader import read_data, read_file

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "brokers"
ALL = sorted(p.name for p in FIXTURES.glob("*") if ".expected." not in p.name)


def _read(name: str, text: str | None = None) -> ParsedFile:
    currency = "EUR" if name.startswith("degiro") else "USD"
    if text is None:
        return read_file(FIXTURES / name, account_id=1, currency=currency)
    return read_data(text.encode("utf-8"), name, account_id=1, currency=currency)


def _mismatches(parsed: ParsedFile) -> list[str]:
    return [str(w) for w in parsed.warnings if "mismatch" in w.message]


@pytest.mark.parametrize("name", ALL)
def test_every_fixture_reconciles_with_what_it_reports(name: str) -> None:
    assert _mismatches(_read(name)) == []


def test_what_each_layout_reports_is_actually_read() -> None:
    """The no-discrepancy test above is not vacuous: the figures were found."""
    fidelity = _read("fidelity_2023.csv")
    # Ten printed balances; the pending row says "Processing" and prints none.
    assert [b.line for b in fidelity.reported_balances] == list(range(5, 17))
    assert fidelity.reported_balances[-1].amount == Decimal("6000.00")
    assert fidelity.paired_income == {13: 14}
    assert fidelity.reconciled == ["12 running cash balance(s)"]
    # The core money market's reinvested dividend stays cash (no SPAXX lot).
    assert [(e.type.value, e.symbol) for e in fidelity.entries if e.source_line in (5, 6)] == [
        ("dividend", "SPAXX")
    ]
    ibkr = _read("ibkr_activity.csv")
    assert ibkr.reported_positions == {"AAPL": Decimal(6)}
    assert ibkr.reconciled == ["1 position(s)", "Cash Report: 1 ending cash figure(s)"]
    vanguard = _read("vanguard.csv")
    assert vanguard.reported_positions["VTI"] == Decimal("7.5431")
    assert vanguard.reconciled == ["1 position(s)"]  # VMFXX is never traded: not compared
    assert _read("statement.qfx").reconciled == ["3 position(s)"]
    # Layouts that print neither say so by checking nothing.
    assert _read("schwab.csv").reconciled == _read("fidelity.csv").reconciled == []


def _tamper(name: str, line: int, old: str, new: str) -> str:
    lines = (FIXTURES / name).read_text(encoding="utf-8").split("\n")
    assert old in lines[line - 1], lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new)
    return "\n".join(lines)


def test_tampered_running_balance_is_reported_once_on_its_line() -> None:
    # Line 11 is the sale (newest first, so after lines 12..16 in time).
    parsed = _read(
        "fidelity_2023.csv", _tamper("fidelity_2023.csv", 11, '"5,576.46"', '"5,577.46"')
    )
    found = [w for w in parsed.warnings if "mismatch" in w.message]
    assert [(w.line, w.column) for w in found] == [(11, "Cash Balance ($)")]
    assert "5577.46 USD" in found[0].message and "give 5576.46 USD" in found[0].message
    assert "since line 12" in found[0].message


def test_a_row_missing_from_the_file_is_reported_where_the_balance_jumps() -> None:
    text = (FIXTURES / "fidelity_2023.csv").read_text(encoding="utf-8")
    without_interest = "\n".join(
        ln for ln in text.split("\n") if not ln.startswith("03/01/2023,INTEREST")
    )
    parsed = _read("fidelity_2023.csv", without_interest)
    found = [w for w in parsed.warnings if "mismatch" in w.message]
    # The sale's row is line 11 still; interest is gone from line 12 (now the reinvest).
    assert [w.line for w in found] == [11]
    assert "difference 1.23" in found[0].message


def test_balances_oldest_first_are_read_in_that_order() -> None:
    lines = (FIXTURES / "fidelity_2023.csv").read_text(encoding="utf-8").split("\n")
    header, body = lines[2], lines[3:16]
    flipped = "\n".join([header, *reversed(body)]) + "\n"
    parsed = _read("fidelity_2023.csv", flipped)
    assert len(parsed.reported_balances) == 12
    assert _mismatches(parsed) == []
    tampered = flipped.replace('"4,750.48"', '"4,760.48"')
    assert [
        w.line for w in _read("fidelity_2023.csv", tampered).warnings if "mismatch" in w.message
    ] == [flipped.split("\n").index(next(ln for ln in flipped.split("\n") if "4,750.48" in ln)) + 1]


def test_tampered_ibkr_cash_report_and_position_are_reported() -> None:
    lines = (FIXTURES / "ibkr_activity.csv").read_text(encoding="utf-8").split("\n")
    end = next(i for i, ln in enumerate(lines) if ln.startswith("Cash Report,Data,Ending Cash,USD"))
    pos = next(i for i, ln in enumerate(lines) if ln.startswith("Open Positions,Data"))
    lines[end] = lines[end].replace("USD,4460.42", "USD,4470.42")
    lines[pos] = lines[pos].replace("USD,AAPL,6,", "USD,AAPL,7,")
    parsed = _read("ibkr_activity.csv", "\n".join(lines))
    found = sorted((w.line, w.message) for w in parsed.warnings if "mismatch" in w.message)
    assert [line for line, _ in found] == [end + 1, pos + 1]
    assert "ending cash 4470.42 USD" in found[0][1] and "give 4460.42 USD" in found[0][1]
    assert "reports 7 AAPL" in found[1][1] and "add up to 6" in found[1][1]


def test_reinvest_moves_only_its_fees() -> None:
    parsed = _read("fidelity.csv")
    reinvest = next(e for e in parsed.entries if e.type.value == "reinvest")
    assert cash_effect(reinvest) == 0
    assert check_running_balances(parsed) == []


def test_ofx_positions_are_checked_on_their_line() -> None:
    clean = read_file(FIXTURES / "statement.qfx", account_id=1, currency="USD")
    assert clean.reported_positions == {
        "AAPL": Decimal(24),
        "VTSAX": Decimal("4.05"),
        "MSFT": Decimal(3),
    }
    assert _mismatches(clean) == []
    data = (FIXTURES / "statement.qfx").read_bytes()
    line = data[: data.index(b"<UNITS>4.05<")].count(b"\n") + 1
    tampered = read_data(
        data.replace(b"<UNITS>4.05<", b"<UNITS>4.5<"), "s.qfx", account_id=1, currency="USD"
    )
    found = [w for w in tampered.warnings if "mismatch" in w.message]
    assert [(w.line, w.message[:53]) for w in found] == [
        (line, "position mismatch: the file reports 4.5 VTSAX but its")
    ]
    assert "add up to 4.05" in found[0].message


def test_no_balance_check_while_rows_are_rejected() -> None:
    broken = _tamper("fidelity_2023.csv", 11, "-5,165.20", "-5,abc")
    parsed = _read("fidelity_2023.csv", broken)
    assert [(r.line, r.column) for r in parsed.rejected] == [(11, "Price ($)")]
    assert _mismatches(parsed) == []


def test_degiro_account_balances_are_read_per_currency() -> None:
    """Degiro's Account.csv prints each currency's balance after every row, newest
    first; the rows it skips (trades, exchanges, sweeps) still move that balance."""
    en = _read("degiro_account.csv")
    assert len(en.reported_balances) == 32 and en.reconciled == ["32 running cash balance(s)"]
    assert {b.currency for b in en.reported_balances} == {"EUR", "USD"}
    assert [(b.line, b.currency, b.amount) for b in en.reported_balances[:2]] == [
        (2, "EUR", Decimal("117.64")),
        (3, "EUR", Decimal("142.64")),
    ]
    # Two sweeps state no amount (Degiro describes them in words): their figures
    # restart the track rather than being checked.
    assert [b.line for b in en.reported_balances if b.anchor] == [10, 14]
    moves = {m.line: (m.currency, m.amount) for m in en.skipped_cash}
    assert moves[30] == ("USD", Decimal("-1250.70"))  # Buy 10 Apple Inc@125.07 USD
    assert moves[28] == ("EUR", Decimal("-1170.29"))  # FX Debit
    assert 10 not in moves and 14 not in moves
    nl = _read("degiro_account_nl.csv")
    assert nl.reconciled == ["29 running cash balance(s)"]
    assert _mismatches(en) == _mismatches(nl) == []


def test_degiro_account_check_counts_the_skipped_rows_cash() -> None:
    """Not vacuous: without the cash of the skipped rows, the balances disagree."""
    parsed = _read("degiro_account.csv")
    parsed.skipped_cash.clear()
    assert len(check_running_balances(parsed)) > 3


def test_tampered_degiro_balance_is_reported_once_on_its_line() -> None:
    # Line 9 is ASML's dividend: 142.82 EUR after it; line 8 (its tax, newer) follows
    # the true figure, so the misprint is reported once.
    parsed = _read(
        "degiro_account.csv", _tamper("degiro_account.csv", 9, "EUR,142.82,", "EUR,142.92,")
    )
    found = [w for w in parsed.warnings if "mismatch" in w.message]
    assert [(w.line, w.column) for w in found] == [(9, "Balance (balance)")]
    assert "142.92 EUR" in found[0].message and "give 142.82 EUR" in found[0].message
    dutch = _tamper("degiro_account_nl.csv", 10, 'EUR,"1410,99"', 'EUR,"1411,99"')
    found = _mismatches(_read("degiro_account_nl.csv", dutch))
    assert len(found) == 1 and found[0].startswith("line 10, column 'Saldo (balance)'")
    assert "1411.99 EUR" in found[0] and "give 1410.99 EUR" in found[0]


def test_a_degiro_row_missing_is_reported_where_its_currency_jumps() -> None:
    lines = (FIXTURES / "degiro_account.csv").read_text(encoding="utf-8").split("\n")
    assert "Dividend Tax,,USD,-0.35" in lines[23]
    del lines[23]  # Apple's dividend tax; its dividend moves up to line 23
    parsed = _read("degiro_account.csv", "\n".join(lines))
    found = [w for w in parsed.warnings if "mismatch" in w.message]
    assert [w.line for w in found] == [23]
    assert "1.95 USD" in found[0].message and "give 2.30 USD" in found[0].message
