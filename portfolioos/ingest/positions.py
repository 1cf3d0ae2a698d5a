"""Positions a broker prints beside its transactions (Vanguard's holdings block, IBKR's
"Open Positions" section), and the check that the file's own transactions arrive at them.

A file rarely holds an account's whole history, so a mismatch is a warning, not an
error; only symbols the file trades are compared (a sweep fund the file never trades
is cash to us).
"""

from __future__ import annotations

import re
from decimal import Decimal

from portfolioos.domain.ledger import LedgerEntry, TxType
from portfolioos.ingest.model import ParsedFile, RowIssue
from portfolioos.ingest.numbers import parse_decimal
from portfolioos.ingest.profiles import PositionsSpec, Profile, norm_header
from portfolioos.ingest.table import Row, Table


def section_rows(table: Table, section: str) -> list[Row]:
    """The header and data rows of one section of a sectioned statement (IBKR), each
    without its two leading cells (section name, row kind); the header row first."""
    out: list[Row] = []
    for row in table.rows:
        if len(row.cells) > 2 and row.cells[0] == section and row.cells[1] in ("Header", "Data"):
            out.append(Row(row.line, row.cells[2:]))
    return out


def reported_positions(
    table: Table, profile: Profile, before_row: int
) -> tuple[dict[str, Decimal], dict[str, int]]:
    """Symbol -> shares the file reports, and symbol -> the line it is reported on."""
    spec = profile.positions
    if spec is None:
        return {}, {}
    rows = (
        section_rows(table, spec.section)
        if spec.section
        else list(table.rows[: max(before_row, 0)])
    )
    return _read_positions(rows, spec)


def _read_positions(
    rows: list[Row], spec: PositionsSpec
) -> tuple[dict[str, Decimal], dict[str, int]]:
    wanted = {"symbol": norm_header(spec.symbol), "shares": norm_header(spec.shares)}
    where = {norm_header(c): re.compile(p) for c, p in spec.where.items()}
    out: dict[str, Decimal] = {}
    lines: dict[str, int] = {}
    header: dict[str, int] | None = None
    filters: dict[int, re.Pattern[str]] = {}
    for row in rows:
        normed = [norm_header(c) for c in row.cells]
        if all(w in normed for w in wanted.values()):
            header = {f: normed.index(w) for f, w in wanted.items()}
            filters = {normed.index(c): p for c, p in where.items() if c in normed}
            continue
        if header is None or row.blank:
            continue
        cells = row.cells
        if max(header.values()) >= len(cells):
            continue
        if any(i >= len(cells) or not p.search(cells[i]) for i, p in filters.items()):
            continue
        symbol = cells[header["symbol"]].strip().upper()
        try:
            shares = parse_decimal(cells[header["shares"]])
        except ValueError:
            continue
        if symbol and shares is not None:
            out[symbol] = out.get(symbol, Decimal(0)) + shares
            lines.setdefault(symbol, row.line)
    return out, lines


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


def discrepancies(
    entries: list[LedgerEntry],
    reported: dict[str, Decimal],
    lines: dict[str, int] | None = None,
) -> list[RowIssue]:
    """One warning per symbol the file trades whose reported shares differ from what
    its transactions add up to, located on the line that reports the position."""
    held = ledger_positions(entries)
    issues = []
    for symbol, shares in sorted(reported.items()):
        if symbol in held and held[symbol] != shares:
            issues.append(
                RowIssue(
                    (lines or {}).get(symbol),
                    None,
                    f"position mismatch: the file reports {shares} {symbol} but its "
                    f"transactions add up to {held[symbol]} (an earlier history not "
                    "in this file?)",
                )
            )
    return issues


def check_positions(table: Table, profile: Profile, header_row: int, out: ParsedFile) -> None:
    """Read the positions the file reports into `out` and warn where they disagree."""
    out.reported_positions, out.position_lines = reported_positions(table, profile, header_row)
    check_reported(out)


def check_reported(out: ParsedFile) -> None:
    """Warn where the positions in `out` disagree with its entries; note how many were
    compared."""
    out.warnings.extend(discrepancies(out.entries, out.reported_positions, out.position_lines))
    held = ledger_positions(out.entries)
    compared = sum(1 for symbol in out.reported_positions if symbol in held)
    if compared:
        out.reconciled.append(f"{compared} position(s)")
