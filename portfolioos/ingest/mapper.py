"""Rows of a located table to ledger entries, one row at a time (the messy-file path).

Each row either becomes a LedgerEntry, is skipped with a reason (blank, total,
disclaimer, repeated header, sweep), or is rejected with its line, column and reason.
Afterwards two corrections need several rows: a dividend followed by the reinvestment
of that dividend (two rows at Fidelity, Schwab, Vanguard) becomes one `reinvest`
entry, and a split reported as "N more shares" gets its ratio from the position the
file itself built up (or from "2 for 1" in its description).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from portfolioos.domain.ledger import LedgerEntry, TxType
from portfolioos.ingest.detect import HeaderMatch, match_header
from portfolioos.ingest.model import CashMove, ParsedFile, ReportedBalance, RowIssue
from portfolioos.ingest.numbers import parse_date, parse_decimal
from portfolioos.ingest.profiles import DECISIONS, Profile, norm_header
from portfolioos.ingest.table import Row, Table

_CURRENCY = re.compile(r"^[A-Z]{3}$")
_RATIO = re.compile(r"(\d+(?:\.\d+)?)\s*(?:for|:|-for-|/)\s*(\d+(?:\.\d+)?)", re.IGNORECASE)
_SYMBOL = re.compile(r"^[A-Z0-9][A-Z0-9.\-/ ]{0,19}$")


class RowRejected(Exception):
    def __init__(self, column: str | None, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


@dataclass(slots=True)
class _Context:
    profile: Profile
    columns: dict[str, tuple[int, ...]]
    names: tuple[str, ...]
    account_id: int
    currency: str
    decimal: str
    thousands: str


_NUMERIC_FIELDS = ("quantity", "price", "fees", "amount", "balance")
_SNIFF_ROWS = 500


def separators(
    profile: Profile,
    table: Table,
    rows: tuple[Row, ...] | list[Row] = (),
    columns: dict[str, tuple[int, ...]] | None = None,
) -> tuple[str, str]:
    """Decimal and thousands separators. 'auto' reads the file's own numbers first:
    Degiro's Dutch account statement is comma-separated yet writes `"-2,00"`, so the
    delimiter alone would misread it a hundredfold. Only when no number settles it
    (every figure like `1,234` or `12`) does the delimiter decide (';' means 1.234,56)."""
    sniffed = _sniff_decimal(rows, columns or {}) if profile.decimal == "auto" else None
    european = sniffed == "," if sniffed else table.delimiter == ";"
    decimal = ("," if european else ".") if profile.decimal == "auto" else profile.decimal
    thousands = ("." if european else ",") if profile.thousands == "auto" else profile.thousands
    return decimal, thousands


def _sniff_decimal(
    rows: tuple[Row, ...] | list[Row], columns: dict[str, tuple[int, ...]]
) -> str | None:
    votes = {".": 0, ",": 0}
    indices = [i for f in _NUMERIC_FIELDS for i in columns.get(f, ())]
    for row in rows[:_SNIFF_ROWS]:
        for i in indices:
            mark = _decimal_mark(_cell(row, i))
            if mark:
                votes[mark] += 1
    if votes["."] == votes[","]:
        return None
    return "." if votes["."] > votes[","] else ","


def _decimal_mark(text: str) -> str | None:
    """The decimal mark a number shows, or None when it could be either (`1,234`)."""
    body = "".join(c for c in text if c.isdigit() or c in ".,")
    dot, comma = body.rfind("."), body.rfind(",")
    if dot >= 0 and comma >= 0:
        return "." if dot > comma else ","
    mark = "." if dot >= 0 else "," if comma >= 0 else None
    if mark is None or not any(c.isdigit() for c in body):
        return None
    if body.count(mark) > 1:  # only a thousands mark repeats
        return "," if mark == "." else "."
    return None if len(body) - body.rfind(mark) - 1 == 3 else mark


def map_table(
    table: Table, profile: Profile, match: HeaderMatch, *, account_id: int, currency: str
) -> ParsedFile:
    out = ParsedFile(broker=profile.name)
    if profile.parts:
        _map_sections(table, profile, out, account_id=account_id, currency=currency)
    else:
        header = table.rows[match.row]
        out.header_line = header.line
        body = table.rows[match.row + 1 :]
        decimal, thousands = separators(profile, table, body, match.columns)
        ctx = _Context(
            profile, match.columns, header.cells, account_id, currency, decimal, thousands
        )
        out.columns = {
            f: _header_name(header.cells, i[0], f)
            for f, i in match.columns.items()
            if i[0] < len(header.cells)
        }
        _map_rows(body, ctx, out)
    if profile.pair_reinvestments:
        _pair_reinvestments(out)
    _derive_split_ratios(out)
    out.entries.sort(key=lambda e: e.source_line or 0)
    _reconcile(table, profile, match, out)
    return out


def _reconcile(table: Table, profile: Profile, match: HeaderMatch, out: ParsedFile) -> None:
    """Check the file's transactions against the positions and cash it prints itself.
    Not while rows are rejected: nothing is imported then, and every figure after a
    rejected row would disagree for that reason alone."""
    if out.rejected:
        return
    from portfolioos.ingest.balances import check_cash_report, check_running_balances
    from portfolioos.ingest.positions import check_positions

    if profile.positions is not None:
        check_positions(table, profile, match.row, out)
    out.warnings.extend(check_running_balances(out))
    if out.reported_balances:
        out.reconciled.append(f"{len(out.reported_balances)} running cash balance(s)")
    out.warnings.extend(check_cash_report(table, profile, out))


def _map_sections(
    table: Table, profile: Profile, out: ParsedFile, *, account_id: int, currency: str
) -> None:
    parts = {p.section: p for p in profile.parts}
    current: dict[str, _Context] = {}
    pending: dict[str, list[Row]] = {}
    order: list[tuple[_Context, list[Row]]] = []
    for row in table.rows:
        if len(row.cells) < 3 or row.cells[0] not in parts:
            continue
        section, kind = row.cells[0], row.cells[1]
        part = parts[section]
        body = Row(row.line, row.cells[2:])
        if kind == "Header":
            found, missing = match_header(body.cells, part)
            if missing:
                out.warnings.append(
                    RowIssue(
                        row.line,
                        None,
                        f"section '{section}' lacks {', '.join(missing)}; its rows are ignored",
                    )
                )
                current.pop(section, None)
                continue
            decimal, thousands = separators(part, table)
            current[section] = _Context(
                part, found, body.cells, account_id, currency, decimal, thousands
            )
            pending[section] = []
            order.append((current[section], pending[section]))
            out.header_line = out.header_line or row.line
        elif kind == "Data" and section in current:
            pending[section].append(body)
    for ctx, rows in order:
        _map_rows(rows, ctx, out, trailing_footer=False)


def _map_rows(
    rows: tuple[Row, ...] | list[Row],
    ctx: _Context,
    out: ParsedFile,
    *,
    trailing_footer: bool = True,
) -> None:
    profile = ctx.profile
    footers = [re.compile(p, re.IGNORECASE) for p in profile.footer]
    header_norm = [norm_header(c) for c in ctx.names]
    date_index = ctx.columns["date"][0]
    if profile.continuation_rows:
        rows = _join_continuations(rows, ctx)
    last_data = len(rows)
    if trailing_footer:
        # Totals and disclaimers follow the data: everything after the last row whose
        # date cell parses is footer, reported once as a warning.
        last_data = 0
        for i, row in enumerate(rows):
            if _parses_date(_cell(row, date_index), profile):
                last_data = i + 1
        skipped = [r for r in rows[last_data:] if not r.blank]
        if skipped:
            out.warnings.append(
                RowIssue(
                    skipped[0].line,
                    None,
                    f"{len(skipped)} line(s) after the data ignored (totals or disclaimer)",
                )
            )
    for row in rows[:last_data]:
        if row.blank:
            continue
        first = next((c for c in row.cells if c.strip()), "")
        if any(p.search(first) for p in footers if p.pattern != "^$"):
            continue
        if (  # a repeated header line (cheap test first: this runs on every row)
            len(row.cells) == len(header_norm)
            and norm_header(row.cells[0]) == header_norm[0]
            and [norm_header(c) for c in row.cells] == header_norm
        ):
            continue
        if not _passes_filter(row, ctx):
            continue
        moved = True  # the row's cash is in the ledger or stated (see _skipped_cash)
        try:
            entry = _map_row(row, ctx)
        except RowRejected as exc:
            out.rejected.append(RowIssue(row.line, exc.column, exc.message))
        else:
            if isinstance(entry, str):
                out.warnings.append(RowIssue(row.line, _name(ctx, "action"), entry))
                if profile.balance_counts_skipped:
                    moved = _skipped_cash(row, ctx, out)
            else:
                out.entries.append(entry)
        _record_balance(row, ctx, out, anchor=not moved)


def _join_continuations(rows: tuple[Row, ...] | list[Row], ctx: _Context) -> list[Row]:
    """Rows with no date and no figures joined, cell by cell, to the row above: Degiro
    wraps a long Order Id onto a line of its own. A row that has figures but no date is
    left alone, to be rejected for its missing date."""
    figures = [
        i
        for f in (*_NUMERIC_FIELDS, "currency", "balance_currency")
        for i in ctx.columns.get(f, ())
    ]
    date_index = ctx.columns["date"][0]
    out: list[Row] = []
    for row in rows:
        tail = bool(
            out
            and not row.blank
            and not out[-1].blank
            and not _cell(row, date_index)
            and not any(_cell(row, i) for i in figures)
        )
        if tail:
            above = out[-1]
            width = max(len(above.cells), len(row.cells))
            out[-1] = Row(above.line, tuple(_cell(above, i) + _cell(row, i) for i in range(width)))
        else:
            out.append(row)
    return out


def _skipped_cash(row: Row, ctx: _Context, out: ParsedFile) -> bool:
    """Note the cash a skipped row moves, for the running-balance check only; False when
    it states none (a sweep Degiro describes in words, moving the balance all the same)."""
    try:
        amount = _number(row, ctx, "amount")
        currency = _currency(row, ctx) if _text(row, ctx, "currency") else None
    except RowRejected:
        return True
    if amount is None or currency is None:
        return False
    out.skipped_cash.append(CashMove(row.line, currency, amount))
    return True


def _record_balance(row: Row, ctx: _Context, out: ParsedFile, *, anchor: bool = False) -> None:
    """Keep the running cash balance a row prints, if any, to check later; a cell that is
    not a number ("Processing" on a pending row) prints none. `anchor`: the row moved
    cash the file does not state, so its figure starts the track afresh."""
    idx = ctx.columns.get("balance")
    if not idx:
        return
    try:
        value = parse_decimal(_cell(row, idx[0]), decimal=ctx.decimal, thousands=ctx.thousands)
        currency = _balance_currency(row, ctx)
    except (ValueError, RowRejected):
        return
    if value is not None:
        out.reported_balances.append(
            ReportedBalance(row.line, currency, value, _name(ctx, "balance"), anchor=anchor)
        )


def _balance_currency(row: Row, ctx: _Context) -> str:
    text = _text(row, ctx, "balance_currency").strip().upper()
    if _CURRENCY.match(text):
        return text
    return _currency(row, ctx)


def _passes_filter(row: Row, ctx: _Context) -> bool:
    for column, pattern in ctx.profile.row_filter.items():
        wanted = norm_header(column)
        idx = next((i for i, n in enumerate(ctx.names) if norm_header(n) == wanted), None)
        if idx is not None and not re.search(pattern, _cell(row, idx)):
            return False
    return True


def _parses_date(text: str, profile: Profile) -> bool:
    try:
        return parse_date(text, profile.date_formats) is not None
    except ValueError:
        return False


def _cell(row: Row, index: int) -> str:
    return row.cells[index] if index < len(row.cells) else ""


def _name(ctx: _Context, fld: str) -> str | None:
    idx = ctx.columns.get(fld)
    if not idx:
        return None
    return _header_name(ctx.names, idx[0], fld)


def _header_name(names: tuple[str, ...], index: int, fld: str) -> str:
    """A column as a message names it; an unnamed cell by the header on its left, as
    Degiro leaves the amount beside "Change" and the currency beside "Price" unnamed."""
    if index < len(names) and names[index]:
        return names[index]
    left = next((names[j] for j in range(min(index, len(names)) - 1, -1, -1) if names[j]), "")
    return f"{left} ({fld})" if left else fld


def _text(row: Row, ctx: _Context, fld: str) -> str:
    idx = ctx.columns.get(fld)
    return _cell(row, idx[0]) if idx else ""


def _number(row: Row, ctx: _Context, fld: str) -> Decimal | None:
    idx = ctx.columns.get(fld)
    if not idx:
        return None
    total: Decimal | None = None
    for i in idx:
        try:
            value = parse_decimal(_cell(row, i), decimal=ctx.decimal, thousands=ctx.thousands)
        except ValueError as exc:
            raise RowRejected(_header_name(ctx.names, i, fld), str(exc)) from None
        if value is not None:
            total = value if total is None else total + value
    return total


def _date(row: Row, ctx: _Context, fld: str) -> date | None:
    try:
        return parse_date(_text(row, ctx, fld), ctx.profile.date_formats)
    except ValueError as exc:
        raise RowRejected(_name(ctx, fld), str(exc)) from None


def _map_row(row: Row, ctx: _Context) -> LedgerEntry | str:
    profile = ctx.profile
    when = _date(row, ctx, "date")
    if when is None:
        raise RowRejected(_name(ctx, "date"), "the date is missing")
    action_text = _text(row, ctx, "action") if "action" in ctx.columns else ""
    pattern = ""
    if action_text:
        decided = profile.decide(action_text)
        if decided is None:
            known = sorted({t for _, t in profile.actions if t not in DECISIONS})
            raise RowRejected(
                _name(ctx, "action"),
                f"unknown action '{action_text}' (this layout maps words to "
                f"{', '.join(known)}; save a mapping to teach it new words)",
            )
        target, pattern = decided
    elif profile.default_action:
        target = profile.default_action
    else:
        raise RowRejected(_name(ctx, "action"), "the transaction type is missing")
    if target == "skip":
        reason = profile.skip_reasons.get(pattern)
        if reason:
            return f"'{action_text}' skipped: {reason}"
        return f"'{action_text}' is not a ledger event; row ignored"

    quantity = _number(row, ctx, "quantity")
    price = _number(row, ctx, "price")
    amount = _number(row, ctx, "amount")
    fees = abs(_number(row, ctx, "fees") or Decimal(0))
    description = _text(row, ctx, "description")
    symbol = _symbol(row, ctx, description)
    currency = _currency(row, ctx)

    tx = _decide(target, quantity, amount, row, ctx)
    q = abs(quantity) if quantity is not None else None
    p = abs(price) if price is not None else None
    note = _text(row, ctx, "note") or (description if description != action_text else "")
    extra: dict[str, object] = {}
    if (
        tx in (TxType.BUY, TxType.SELL, TxType.REINVEST, TxType.TRANSFER_IN, TxType.TRANSFER_OUT)
        and not symbol
    ):
        raise RowRejected(_name(ctx, "symbol") or "symbol", f"a {tx.value} needs a symbol")
    if tx in (TxType.BUY, TxType.SELL):
        if not q:
            raise RowRejected(
                _name(ctx, "quantity") or "quantity", f"a {tx.value} needs a non-zero quantity"
            )
        if p is None:
            if amount is None:
                raise RowRejected(
                    _name(ctx, "price") or "price", f"a {tx.value} needs a price or an amount"
                )
            gross = abs(amount) - fees if tx is TxType.BUY else abs(amount) + fees
            p = gross / q
        gross = abs(amount) if amount is not None and profile.amount_is_gross else q * p
        if amount is not None and not profile.amount_is_gross:
            cash = abs(amount)
        else:
            cash = gross + fees if tx is TxType.BUY else gross - fees
        amount = -cash if tx is TxType.BUY else cash
    elif tx is TxType.REINVEST:
        if not q:
            raise RowRejected(_name(ctx, "quantity") or "quantity", "a reinvest needs a quantity")
        if p is None and amount is not None:
            p = abs(amount) / q
        if amount is None and p is not None:
            amount = q * p
        amount = abs(amount) if amount is not None else None
    elif tx in (TxType.DIVIDEND, TxType.INTEREST, TxType.DEPOSIT):
        amount = _required_amount(amount, ctx, tx)
        amount = abs(amount) if tx is not TxType.DIVIDEND or amount > 0 else amount
    elif tx in (TxType.FEE, TxType.WITHDRAWAL):
        amount = amount if amount is not None else (-fees if fees else None)
        amount = -abs(_required_amount(amount, ctx, tx))
        fees = Decimal(0)
    elif tx is TxType.SPLIT:
        extra["split_ratio"] = _number(row, ctx, "split_ratio")
        if extra["split_ratio"] is None and q:
            extra["split_added"] = q
        extra["split_text"] = description + " " + action_text
        amount, p = None, None
    elif tx in (TxType.TRANSFER_IN, TxType.TRANSFER_OUT):
        if not q:
            raise RowRejected(
                _name(ctx, "quantity") or "quantity", f"a {tx.value} needs a quantity"
            )
        amount = None
        if tx is TxType.TRANSFER_IN:
            extra["original_basis"] = _number(row, ctx, "original_basis")
            extra["acquired_date"] = _date(row, ctx, "acquired_date") or when
    entry = LedgerEntry(
        account_id=ctx.account_id,
        date=when,
        type=tx,
        symbol=symbol or None,
        quantity=q
        if tx
        not in (
            TxType.DIVIDEND,
            TxType.INTEREST,
            TxType.FEE,
            TxType.DEPOSIT,
            TxType.WITHDRAWAL,
            TxType.SPLIT,
        )
        else None,
        price=p if tx in (TxType.BUY, TxType.SELL, TxType.REINVEST) else None,
        amount=amount,
        fees=fees if tx in (TxType.BUY, TxType.SELL) else Decimal(0),
        currency=currency,
        note=note[:500],
        lot_id=_text(row, ctx, "lot_id") or None,
        split_ratio=_opt_decimal(extra.get("split_ratio")),
        acquired_date=_opt_date(extra.get("acquired_date")),
        original_basis=_opt_decimal(extra.get("original_basis")),
        source_line=row.line,
    )
    if tx is TxType.SPLIT and entry.split_ratio is None:
        # Resolved after all rows are read; carried in the note meanwhile.
        added = extra.get("split_added")
        entry = replace(entry, note=f"{entry.note}\x00split:{added or ''}\x00{extra['split_text']}")
    return entry


def _opt_decimal(value: object) -> Decimal | None:
    return value if isinstance(value, Decimal) else None


def _opt_date(value: object) -> date | None:
    return value if isinstance(value, date) else None


def _required_amount(amount: Decimal | None, ctx: _Context, tx: TxType) -> Decimal:
    if amount is None:
        raise RowRejected(_name(ctx, "amount") or "amount", f"a {tx.value} needs an amount")
    return amount


def _decide(
    target: str, quantity: Decimal | None, amount: Decimal | None, row: Row, ctx: _Context
) -> TxType:
    if target == "cash":
        if amount is None or amount == 0:
            raise RowRejected(
                _name(ctx, "amount") or "amount", "a cash transfer needs a non-zero amount"
            )
        return TxType.DEPOSIT if amount > 0 else TxType.WITHDRAWAL
    if target == "trade":
        if quantity is not None and quantity != 0:
            return TxType.BUY if quantity > 0 else TxType.SELL
        if amount is not None and amount != 0:
            return TxType.BUY if amount < 0 else TxType.SELL
        raise RowRejected(_name(ctx, "quantity") or "quantity", "a trade needs a quantity")
    if target == "transfer":
        if quantity is not None and quantity != 0:
            return TxType.TRANSFER_IN if quantity > 0 else TxType.TRANSFER_OUT
        if amount is not None and amount != 0:
            return TxType.DEPOSIT if amount > 0 else TxType.WITHDRAWAL
        raise RowRejected(_name(ctx, "quantity") or "quantity", "a transfer needs a quantity")
    if target == "withholding":
        if amount is None:
            raise RowRejected(_name(ctx, "amount") or "amount", "a tax withheld needs an amount")
        # Tax taken is a fee on the holding; tax given back restores the income.
        return TxType.DIVIDEND if amount > 0 else TxType.FEE
    if target == "interest" and amount is not None and amount < 0:
        # Interest charged (negative interest on cash, margin interest) is a cost.
        return TxType.FEE
    return TxType(target)


def _symbol(row: Row, ctx: _Context, description: str) -> str:
    symbol = _text(row, ctx, "symbol").strip().upper()
    if not symbol and ctx.profile.symbol_pattern and description:
        found = re.search(ctx.profile.symbol_pattern, description)
        symbol = found.group(1).strip().upper() if found else ""
    if symbol and not _SYMBOL.match(symbol):
        raise RowRejected(_name(ctx, "symbol") or "symbol", f"'{symbol}' is not a symbol")
    return symbol


def _currency(row: Row, ctx: _Context) -> str:
    text = _text(row, ctx, "currency").strip().upper()
    if not text:
        return ctx.currency
    if not _CURRENCY.match(text):
        raise RowRejected(_name(ctx, "currency"), f"'{text}' is not a 3-letter currency code")
    return text


def _pair_reinvestments(out: ParsedFile) -> None:
    """A dividend row and the reinvest row that spends it become one reinvest entry."""
    dividends: dict[tuple[date, str | None, Decimal], list[int]] = {}
    for i, e in enumerate(out.entries):
        if e.type is TxType.DIVIDEND and e.amount is not None:
            dividends.setdefault((e.date, e.symbol, abs(e.amount)), []).append(i)
    drop: set[int] = set()
    for i, e in enumerate(out.entries):
        if e.type is not TxType.REINVEST or e.amount is None:
            continue
        candidates = dividends.get((e.date, e.symbol, abs(e.amount)), [])
        if candidates:
            j = candidates.pop(0)
            drop.add(j)
            dividend = out.entries[j]
            out.entries[i] = replace(e, amount=dividend.amount, note=e.note or dividend.note)
            if e.source_line is not None and dividend.source_line is not None:
                out.paired_income[e.source_line] = dividend.source_line
    if drop:
        out.entries[:] = [e for i, e in enumerate(out.entries) if i not in drop]


def _derive_split_ratios(out: ParsedFile) -> None:
    """A split given as shares added gets its ratio from the file's own running position."""
    position: dict[str | None, Decimal] = {}
    ordered = sorted(
        range(len(out.entries)),
        key=lambda i: (out.entries[i].date, out.entries[i].source_line or 0),
    )
    for i in ordered:
        e = out.entries[i]
        if e.type is TxType.SPLIT and "\x00split:" in e.note:
            note, added_text, text = (
                e.note.split("\x00")[0],
                e.note.split("\x00")[1],
                e.note.split("\x00")[2],
            )
            added = Decimal(added_text[len("split:") :]) if added_text[len("split:") :] else None
            ratio: Decimal | None = None
            held = position.get(e.symbol, Decimal(0))
            if added is not None and held > 0:
                ratio = (held + added) / held
            else:
                m = _RATIO.search(text)
                if m and Decimal(m.group(2)) != 0:
                    ratio = Decimal(m.group(1)) / Decimal(m.group(2))
            if ratio is None:
                out.rejected.append(
                    RowIssue(
                        e.source_line,
                        None,
                        f"split of {e.symbol}: neither a ratio ('2 for 1') nor an earlier position "
                        "in this file to derive it from; enter the split by hand",
                    )
                )
                out.entries[i] = replace(e, note=note)
                continue
            e = replace(e, split_ratio=ratio.normalize(), note=note.strip())
            out.entries[i] = e
        q = e.quantity or Decimal(0)
        if e.type in (TxType.BUY, TxType.REINVEST, TxType.TRANSFER_IN):
            position[e.symbol] = position.get(e.symbol, Decimal(0)) + q
        elif e.type in (TxType.SELL, TxType.TRANSFER_OUT):
            position[e.symbol] = position.get(e.symbol, Decimal(0)) - q
        elif e.type is TxType.SPLIT and e.split_ratio:
            position[e.symbol] = position.get(e.symbol, Decimal(0)) * e.split_ratio
    out.entries[:] = [
        e for e in out.entries if not (e.type is TxType.SPLIT and e.split_ratio is None)
    ]
