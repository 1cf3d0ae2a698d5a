"""What reading a file produces: ledger entries, rejected rows and warnings, each located."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from portfolioos.domain.ledger import LedgerEntry


@dataclass(frozen=True, slots=True)
class RowIssue:
    """One problem with one place in the file: shown as `line 12, column 'Amount': reason`."""

    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass(frozen=True, slots=True)
class ReportedBalance:
    """A cash balance the file itself prints after one of its rows (Fidelity's
    "Cash Balance ($)"), to check the file's transactions against."""

    line: int
    currency: str
    amount: Decimal
    column: str | None = None
    # The row moved cash without saying how much (Degiro's sweep to its own bank,
    # described only in words): its figure is taken as given, not checked.
    anchor: bool = False


@dataclass(frozen=True, slots=True)
class CashMove:
    """Cash a skipped row moves (Degiro's account statement prints the trades that
    Transactions.csv carries and exchanges between its currency wallets): never
    imported, only counted when the file's running balance is checked."""

    line: int
    currency: str
    amount: Decimal


@dataclass(slots=True)
class ParsedFile:
    """A file read with one profile. `entries` have no fingerprint yet."""

    broker: str
    entries: list[LedgerEntry] = field(default_factory=list)
    rejected: list[RowIssue] = field(default_factory=list)
    warnings: list[RowIssue] = field(default_factory=list)
    header_line: int | None = None
    columns: dict[str, str] = field(default_factory=dict)
    # Positions the file itself reports (symbol -> shares), when its layout has them,
    # and the line each symbol was reported on.
    reported_positions: dict[str, Decimal] = field(default_factory=dict)
    position_lines: dict[str, int] = field(default_factory=dict)
    # Running cash balances the file prints after its rows, in file order.
    reported_balances: list[ReportedBalance] = field(default_factory=list)
    # Cash moved by rows skipped on a layout whose balance counts them.
    skipped_cash: list[CashMove] = field(default_factory=list)
    # A reinvest entry made of two rows: its line -> the line of the dividend it spent.
    paired_income: dict[int, int] = field(default_factory=dict)
    # What the file's own figures were checked against ("10 running cash balances"), so
    # "no discrepancy" can be told apart from "nothing to check".
    reconciled: list[str] = field(default_factory=list)
