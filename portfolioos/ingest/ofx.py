"""OFX/QFX investment statements through ofxtools.

Securities are named by CUSIP (or ISIN) in transactions and mapped to tickers through
the statement's security list; a security without a ticker keeps its identifier.
Bank transactions inside the investment account (INVBANKTRAN) become deposits,
withdrawals, interest or fees by their type and sign. Sweeps into the money-market
sub-account (JRNLFUND) are not ledger events and are reported as warnings. Positions
in the statement's INVPOSLIST are checked against its transactions (ingest/positions).
"""

from __future__ import annotations

import io
import logging
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from portfolioos.domain.ledger import LedgerEntry, TxType
from portfolioos.errors import ImportFileError
from portfolioos.ingest.model import ParsedFile, RowIssue

logger = logging.getLogger(__name__)


def looks_like_ofx(data: bytes) -> bool:
    head = data[:4096].lstrip().upper()
    return (
        head.startswith(b"OFXHEADER")
        or b"<OFX>" in head
        or (head.startswith(b"<?XML") and b"OFX" in head)
    )


def read_ofx(data: bytes, name: str, *, account_id: int, currency: str) -> ParsedFile:
    from ofxtools.Parser import OFXTree

    parser = OFXTree()
    try:
        parser.parse(io.BytesIO(data))
        ofx = parser.convert()
    except Exception as exc:  # ofxtools raises many kinds (ParseError, ValueError, KeyError)
        logger.info("ofx parse failed for %s: %r", name, exc)
        raise ImportFileError(
            f"{name}: not a readable OFX/QFX statement ({_reason(exc)})."
        ) from None
    tickers = _tickers(ofx)
    out = ParsedFile(broker="ofx")
    statements = [s for s in getattr(ofx, "statements", []) or []]
    if not statements:
        raise ImportFileError(f"{name}: the OFX file contains no statement.")
    for stmt in statements:
        cur = (getattr(stmt, "curdef", None) or currency).upper()
        for index, tx in enumerate(getattr(stmt, "transactions", None) or [], start=1):
            try:
                entry = _entry(tx, account_id, cur, tickers, index)
            except (AttributeError, TypeError, ValueError) as exc:
                out.rejected.append(
                    RowIssue(None, type(tx).__name__, f"transaction {index}: {_reason(exc)}")
                )
                continue
            if isinstance(entry, str):
                out.warnings.append(RowIssue(None, type(tx).__name__, entry))
            else:
                out.entries.append(entry)
        _reported_positions(stmt, tickers, data, out)
    if out.reported_positions and not out.rejected:
        from portfolioos.ingest.positions import check_reported

        check_reported(out)
    return out


def _reported_positions(stmt: Any, tickers: dict[str, str], data: bytes, out: ParsedFile) -> None:
    """The statement's INVPOSLIST (units held at DTASOF), each located on the line that
    names its security inside the list, to check against the statement's transactions."""
    start = data.upper().find(b"<INVPOSLIST>")
    for pos in getattr(stmt, "positions", None) or []:
        try:
            symbol = _symbol(pos, tickers)
            units = Decimal(pos.units)
        except (AttributeError, TypeError, ValueError, ArithmeticError):
            continue
        out.reported_positions[symbol] = out.reported_positions.get(symbol, Decimal(0)) + units
        if start >= 0 and symbol not in out.position_lines:
            at = data.find(str(pos.uniqueid).encode(), start)
            if at >= 0:
                out.position_lines[symbol] = data.count(b"\n", 0, at) + 1


def _reason(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


def _tickers(ofx: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for sec in getattr(ofx, "securities", None) or []:
        uid = getattr(sec, "uniqueid", None)
        ticker = getattr(sec, "ticker", None)
        if uid and ticker:
            out[str(uid)] = str(ticker).strip().upper()
    return out


def _day(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _symbol(tx: Any, tickers: dict[str, str]) -> str:
    uid = str(tx.uniqueid)
    return tickers.get(uid, uid).upper()


def _entry(
    tx: Any, account_id: int, currency: str, tickers: dict[str, str], index: int
) -> LedgerEntry | str:
    kind = type(tx).__name__
    cur = _currency(tx, currency)
    base: dict[str, Any] = {
        "account_id": account_id,
        "currency": cur,
        "source_line": index,
        "fees": Decimal(0),
    }
    memo = (getattr(tx, "memo", None) or "")[:500]
    if kind in (
        "BUYSTOCK",
        "BUYMF",
        "BUYOTHER",
        "BUYDEBT",
        "SELLSTOCK",
        "SELLMF",
        "SELLOTHER",
        "SELLDEBT",
    ):
        buy = kind.startswith("BUY")
        fees = sum(
            (
                abs(getattr(tx, f, None) or Decimal(0))
                for f in ("commission", "fees", "taxes", "load")
            ),
            Decimal(0),
        )
        total = Decimal(tx.total)
        return LedgerEntry(
            date=_day(tx.dttrade),
            type=TxType.BUY if buy else TxType.SELL,
            symbol=_symbol(tx, tickers),
            quantity=abs(Decimal(tx.units)),
            price=abs(Decimal(tx.unitprice)),
            amount=-abs(total) if buy else abs(total),
            note=memo,
            **{**base, "fees": fees},
        )
    if kind == "INCOME":
        income = str(tx.incometype)
        return LedgerEntry(
            date=_day(tx.dttrade),
            type=TxType.INTEREST if income == "INTEREST" else TxType.DIVIDEND,
            symbol=_symbol(tx, tickers),
            quantity=None,
            price=None,
            amount=Decimal(tx.total),
            note=memo or income,
            **base,
        )
    if kind == "REINVEST":
        return LedgerEntry(
            date=_day(tx.dttrade),
            type=TxType.REINVEST,
            symbol=_symbol(tx, tickers),
            quantity=abs(Decimal(tx.units)),
            price=abs(Decimal(tx.unitprice)),
            amount=abs(Decimal(tx.total)),
            note=memo,
            **base,
        )
    if kind in ("INVEXPENSE", "MARGININTEREST"):
        symbol = _symbol(tx, tickers) if kind == "INVEXPENSE" else None
        return LedgerEntry(
            date=_day(tx.dttrade),
            type=TxType.FEE,
            symbol=symbol,
            quantity=None,
            price=None,
            amount=-abs(Decimal(tx.total)),
            note=memo or kind,
            **base,
        )
    if kind == "SPLIT":
        ratio = Decimal(tx.numerator) / Decimal(tx.denominator)
        return LedgerEntry(
            date=_day(tx.dttrade),
            type=TxType.SPLIT,
            symbol=_symbol(tx, tickers),
            quantity=None,
            price=None,
            amount=None,
            split_ratio=ratio.normalize(),
            note=memo,
            **base,
        )
    if kind == "TRANSFER":
        units = abs(Decimal(tx.units))
        incoming = str(tx.tferaction) == "IN"
        basis = None
        if incoming and getattr(tx, "avgcostbasis", None) is not None:
            basis = Decimal(tx.avgcostbasis) * units
        acquired = getattr(tx, "dtpurchase", None)
        return LedgerEntry(
            date=_day(tx.dttrade),
            type=TxType.TRANSFER_IN if incoming else TxType.TRANSFER_OUT,
            symbol=_symbol(tx, tickers),
            quantity=units,
            price=None,
            amount=None,
            original_basis=basis,
            acquired_date=(_day(acquired) if acquired else _day(tx.dttrade)) if incoming else None,
            note=memo,
            **base,
        )
    if kind == "INVBANKTRAN":
        stmttrn = tx.stmttrn
        amount = Decimal(stmttrn.trnamt)
        trntype = str(stmttrn.trntype)
        if trntype in ("INT", "DIV"):
            tx_type = TxType.INTEREST if trntype == "INT" else TxType.DIVIDEND
        elif trntype in ("FEE", "SRVCHG"):
            tx_type = TxType.FEE
        else:
            tx_type = TxType.DEPOSIT if amount > 0 else TxType.WITHDRAWAL
        if tx_type is TxType.FEE or tx_type is TxType.WITHDRAWAL:
            amount = -abs(amount)
        note = " ".join(
            x for x in (getattr(stmttrn, "name", None), getattr(stmttrn, "memo", None)) if x
        )[:500]
        return LedgerEntry(
            date=_day(stmttrn.dtposted),
            type=tx_type,
            symbol=None,
            quantity=None,
            price=None,
            amount=amount,
            note=note,
            **{**base, "currency": _currency(stmttrn, currency)},
        )
    if kind in ("JRNLFUND", "JRNLSEC"):
        return f"{kind} (a move between sub-accounts) is not a ledger event; ignored"
    return f"{kind} transactions are not imported yet; ignored"


def _currency(tx: Any, default: str) -> str:
    cur = getattr(tx, "currency", None)
    code = getattr(cur, "cursym", None) if cur is not None else None
    return str(code).upper() if code else default
