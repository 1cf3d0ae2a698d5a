"""Cash the file itself reports, checked against the cash its transactions move.

Two layouts print cash: a running balance after each row (Fidelity's "Cash Balance
($)", newest row first) and a start/end figure per currency for the statement period
(IBKR's "Cash Report"). Either way the check uses the ledger's own meaning of each
entry (reconcile.py: a buy spends its amount, a reinvest spends only its fees, a
split or a transfer moves no cash), so "no discrepancy" means the import will carry
the broker's cash exactly. A mismatch is a warning with the line and both figures:
the file is still imported, since it may be a broker's own rounding or a row type the
ledger does not model (a foreign-exchange trade, an accrual).

A running balance is anchored on the first row that prints one (the file seldom
starts at the account's opening), then each printed balance must equal the anchor
plus the effects of the rows since. Where a layout prints rows the ledger does not
take from it (Degiro's account statement: trades that Transactions.csv carries,
exchanges between currency wallets), their cash is counted in the track, so every
imported row is still checked by the balance printed beside it; a skipped row that
moves the balance without stating an amount (a Degiro sweep described in words)
re-anchors the track. After a mismatch the printed figure becomes the
anchor, so a missing row is reported once, where it happened; when the next row
agrees with the old track instead, the mismatched figure was a lone misprint and the
old track resumes (reported once as well).
"""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal

from portfolioos.domain.ledger import LedgerEntry, TxType
from portfolioos.ingest.model import ParsedFile, ReportedBalance, RowIssue
from portfolioos.ingest.numbers import parse_decimal
from portfolioos.ingest.positions import section_rows
from portfolioos.ingest.profiles import Profile, norm_header
from portfolioos.ingest.table import Table

# Brokers print cash to the cent; an amount the file gives to more places (IBKR
# commissions) may round either way.
TOLERANCE = Decimal("0.01")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def cash_effect(entry: LedgerEntry) -> Decimal:
    """The change in the account's cash this entry makes, as the ledger engine sees it."""
    t, amount, fees = entry.type, entry.amount, entry.fees or Decimal(0)
    q, p = entry.quantity or Decimal(0), entry.price
    if t is TxType.BUY:
        return amount if amount is not None else -(q * (p or 0) + fees)
    if t is TxType.SELL:
        return amount if amount is not None else q * (p or 0) - fees
    if t in (TxType.DIVIDEND, TxType.INTEREST):
        return amount or Decimal(0)
    if t is TxType.DEPOSIT:
        return abs(amount or Decimal(0))
    if t in (TxType.WITHDRAWAL, TxType.FEE):
        return -abs(amount if amount is not None else fees)
    if t is TxType.REINVEST:
        return -fees
    return Decimal(0)


def line_effects(parsed: ParsedFile) -> dict[str, dict[int, Decimal]]:
    """Currency -> file line -> cash moved by that line's row.

    A reinvest made of two rows (the dividend, then the purchase with it) nets to its
    fees, but the broker's balance rises on the first row and falls on the second; the
    income is put back on the dividend's line so each row is checked as printed.
    """
    out: dict[str, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for e in parsed.entries:
        if e.source_line is None:
            continue
        by_line = out[e.currency]
        by_line[e.source_line] += cash_effect(e)
        income_line = parsed.paired_income.get(e.source_line)
        if e.type is TxType.REINVEST and income_line is not None and e.amount is not None:
            by_line[income_line] += abs(e.amount)
            by_line[e.source_line] -= abs(e.amount)
    for move in parsed.skipped_cash:
        out[move.currency][move.line] += move.amount
    return out


def newest_first(parsed: ParsedFile) -> bool | None:
    """Whether the file lists its newest row first; None when its dates cannot tell."""
    dated = sorted((e.source_line, e.date) for e in parsed.entries if e.source_line is not None)
    if len(dated) < 2 or dated[0][1] == dated[-1][1]:
        return None
    return dated[0][1] > dated[-1][1]


def check_running_balances(parsed: ParsedFile) -> list[RowIssue]:
    """Warnings where a printed running balance disagrees with the file's transactions."""
    if not parsed.reported_balances:
        return []
    effects = line_effects(parsed)
    order = newest_first(parsed)
    if order is not None:
        return _check(parsed.reported_balances, effects, newest_first=order)
    # Every row on one day: the order the broker meant is the one its figures follow.
    return min(
        (_check(parsed.reported_balances, effects, newest_first=o) for o in (False, True)),
        key=len,
    )


def _check(
    balances: list[ReportedBalance],
    effects: dict[str, dict[int, Decimal]],
    *,
    newest_first: bool,
) -> list[RowIssue]:
    issues: list[RowIssue] = []
    reported: dict[str, dict[int, ReportedBalance]] = defaultdict(dict)
    for reading in balances:
        reported[reading.currency][reading.line] = reading
    for currency, printed in sorted(reported.items()):
        moved = effects.get(currency, {})
        lines = sorted(set(printed) | set(moved), reverse=newest_first)
        expected: Decimal | None = None
        old_track: Decimal | None = None
        since: int | None = None
        for line in lines:
            effect = moved.get(line, Decimal(0))
            if expected is not None:
                expected += effect
            if old_track is not None:
                old_track += effect
            if line not in printed:
                continue
            b = printed[line]
            if b.anchor or expected is None or abs(b.amount - expected) <= TOLERANCE:
                expected, old_track, since = b.amount, None, line
                continue
            if old_track is not None and abs(b.amount - old_track) <= TOLERANCE:
                expected, old_track, since = b.amount, None, line
                continue
            issues.append(
                RowIssue(
                    line,
                    b.column,
                    f"cash balance mismatch: the file says {b.amount} {currency} after this "
                    f"row, its transactions since line {since} give {expected} {currency} "
                    f"(difference {b.amount - expected})",
                )
            )
            old_track, expected, since = expected, b.amount, line
    return issues


def check_cash_report(table: Table, profile: Profile, parsed: ParsedFile) -> list[RowIssue]:
    """Warnings where a statement's starting cash plus its transactions is not its ending
    cash, per currency (a currency's summary in the base currency is not compared);
    notes the comparison in `parsed.reconciled`."""
    spec = profile.cash_report
    if spec is None:
        return []
    rows = section_rows(table, spec.section)
    if not rows:
        return []
    names = [norm_header(c) for c in rows[0].cells]
    try:
        label, cur, amt = (
            names.index(norm_header(n)) for n in (spec.label, spec.currency, spec.amount)
        )
    except ValueError:
        return [
            RowIssue(
                rows[0].line,
                None,
                f"section '{spec.section}' lacks {spec.label}, {spec.currency} or "
                f"{spec.amount}; its cash is not checked",
            )
        ]
    start: dict[str, Decimal] = {}
    end: dict[str, tuple[int, Decimal]] = {}
    for row in rows[1:]:
        cells = row.cells
        if max(label, cur, amt) >= len(cells) or not _CURRENCY.match(cells[cur].strip()):
            continue
        try:
            value = parse_decimal(cells[amt])
        except ValueError:
            continue
        if value is None:
            continue
        what, currency = norm_header(cells[label]), cells[cur].strip()
        if what == norm_header(spec.start):
            start[currency] = value
        elif what == norm_header(spec.end):
            end[currency] = (row.line, value)
    moved: dict[str, Decimal] = defaultdict(Decimal)
    for e in parsed.entries:
        moved[e.currency] += cash_effect(e)
    issues = []
    compared = 0
    for currency, (line, closing) in sorted(end.items()):
        opening = start.get(currency)
        if opening is None:
            continue
        compared += 1
        expected = opening + moved.get(currency, Decimal(0))
        if abs(closing - expected) > TOLERANCE:
            issues.append(
                RowIssue(
                    line,
                    spec.amount,
                    f"cash balance mismatch: {spec.section} says {spec.end.lower()} "
                    f"{closing} {currency}; {spec.start.lower()} {opening} plus this file's "
                    f"transactions give {expected} {currency} (difference {closing - expected})",
                )
            )
    if compared:
        parsed.reconciled.append(f"{spec.section}: {compared} ending cash figure(s)")
    return issues
