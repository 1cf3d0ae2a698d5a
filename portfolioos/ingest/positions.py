"""Positions a broker prints beside its transactions (Vanguard's holdings section), and
the check that the file's own transactions arrive at them.

A file rarely holds an account's whole history, so a mismatch is a warning, not an
error; only symbols the file trades are compared (a sweep fund the file never trades
is cash to us).
"""

from __future__ import annotations

from decimal import Decimal

from portfolioos.domain.ledger import LedgerEntry, TxType
from portfolioos.ingest.model import RowIssue
from portfolioos.ingest.numbers import parse_decimal
from portfolioos.ingest.profiles import Profile, norm_header
from portfolioos.ingest.table import Table


def reported_positions(table: Table, profile: Profile, before_row: int) -> dict[str, Decimal]:
    """Symbol -> shares from the profile's positions section above the transactions."""
    spec = profile.positions
    if not spec:
        return {}
    wanted = {field: norm_header(name) for field, name in spec.items()}
    out: dict[str, Decimal] = {}
    header: dict[str, int] | None = None
    for row in table.rows[:before_row]:
        normed = [norm_header(c) for c in row.cells]
        if all(w in normed for w in wanted.values()):
            header = {f: normed.index(w) for f, w in wanted.items()}
            continue
        if header is None or row.blank:
            continue
        cells = row.cells
        if max(header.values()) >= len(cells):
            continue
        symbol = cells[header["symbol"]].strip().upper()
        try:
            shares = parse_decimal(cells[header["shares"]])
        except ValueError:
            continue
        if symbol and shares is not None:
            out[symbol] = out.get(symbol, Decimal(0)) + shares
    return out


def ledger_positions(entries: list[LedgerEntry]) -> dict[str, Decimal]:
    held: dict[str, Decimal] = {}
    for e in sorted(entries, key=lambda e: (e.date, e.source_line or 0)):
        if not e.symbol:
            continue
        q = e.quantity or Decimal(0)
        if e.type in (TxType.BUY, TxType.REINVEST, TxType.TRANSFER_IN):
            held[e.symbol] = held.get(e.symbol, Decimal(0)) + q
        elif e.type in (TxType.SELL, TxType.TRANSFER_OUT):
            held[e.symbol] = held.get(e.symbol, Decimal(0)) - q
        elif e.type is TxType.SPLIT and e.split_ratio:
            held[e.symbol] = held.get(e.symbol, Decimal(0)) * e.split_ratio
    return held


def discrepancies(entries: list[LedgerEntry], reported: dict[str, Decimal]) -> list[RowIssue]:
    held = ledger_positions(entries)
    issues = []
    for symbol, shares in sorted(reported.items()):
        if symbol in held and held[symbol] != shares:
            issues.append(
                RowIssue(
                    None,
                    None,
                    f"the file reports {shares} {symbol} but its "
                    f"transactions add up to {held[symbol]} (an "
                    "earlier history not in this file?)",
                )
            )
    return issues
