"""The full portfolio as one JSON document, and reading it back for a restore.

Money and quantities are exact JSON numbers (written from Decimal text, read back with
`parse_float=Decimal`), never floats. Layout:

    {"format": "portfolioos-export", "version": 1,
     "metadata": {"generated_at", "app_version", "accounts", "date_range"},
     "accounts": [...], "transactions": [...], "lots": [...], "holdings": [...],
     "snapshots": [...]}

Transactions keep their fingerprints, so a restore into the same account ids keeps
de-duplication against the original broker files working.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

from portfolioos.domain.accounts import AccountDraft
from portfolioos.domain.ledger import LedgerEntry, TxType
from portfolioos.errors import ImportFileError
from portfolioos.export.atomic import atomic_text

FORMAT = "portfolioos-export"
VERSION = 1
_MARK = "\u0000DEC:"
_TOKEN = re.compile(r'"\\u0000DEC:(-?[0-9]+(?:\.[0-9]+)?)"')


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        if not value.is_finite():
            return None
        text = "0" if value == 0 else format(value, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return _MARK + text
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def dumps(document: Mapping[str, Any]) -> str:
    return _TOKEN.sub(r"\1", json.dumps(_plain(document), indent=1, ensure_ascii=False))


def write_json(path: Path, document: Mapping[str, Any]) -> None:
    with atomic_text(path) as handle:
        handle.write(dumps(document))
        handle.write("\n")


def is_export(data: bytes) -> bool:
    return data.lstrip()[:1] == b"{" and FORMAT.encode() in data[:4096]


def read_export(path: Path) -> list[tuple[AccountDraft, int, list[LedgerEntry]]]:
    """(account draft, its id in the export, its ledger entries) per account."""
    try:
        document = json.loads(path.read_bytes().decode("utf-8-sig"), parse_float=Decimal)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        where = f", line {line}" if line else ""
        raise ImportFileError(f"{path.name}{where}: not a readable JSON export ({exc}).") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ImportFileError(
            f'{path.name}: not a PortfolioOS JSON export (no "format": "{FORMAT}").'
        )
    if document.get("version") != VERSION:
        raise ImportFileError(
            f"{path.name}: export version {document.get('version')} is not "
            f"supported (this app reads version {VERSION})."
        )
    out: list[tuple[AccountDraft, int, list[LedgerEntry]]] = []
    by_account: dict[int, list[LedgerEntry]] = {}
    for n, row in enumerate(document.get("transactions", []), start=1):
        try:
            entry = _entry(row)
        except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
            raise ImportFileError(f"{path.name}: transaction {n} is malformed ({exc!r}).") from None
        by_account.setdefault(entry.account_id, []).append(entry)
    for n, acct in enumerate(document.get("accounts", []), start=1):
        try:
            draft = AccountDraft(
                name=str(acct["name"]),
                type=str(acct["type"]),
                institution=str(acct.get("institution", "")),
                currency=str(acct.get("currency", "USD")),
                notes=str(acct.get("notes", "")),
                lot_method=str(acct.get("lot_method", "fifo")),
                track_wash_sales=bool(acct.get("track_wash_sales", False)),
            ).validated()
            old_id = int(acct["id"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ImportFileError(f"{path.name}: account {n} is malformed ({exc!r}).") from None
        out.append((draft, old_id, by_account.get(old_id, [])))
    return out


def _dec(value: Any) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value))


def _day(value: Any) -> date | None:
    return date.fromisoformat(str(value)) if value else None


def _entry(row: Mapping[str, Any]) -> LedgerEntry:
    return LedgerEntry(
        account_id=int(row["account_id"]),
        date=date.fromisoformat(str(row["date"])),
        type=TxType(row["type"]),
        symbol=row.get("symbol"),
        quantity=_dec(row.get("quantity")),
        price=_dec(row.get("price")),
        amount=_dec(row.get("amount")),
        fees=_dec(row.get("fees")) or Decimal(0),
        currency=str(row["currency"]),
        note=str(row.get("note") or ""),
        lot_id=row.get("lot_id"),
        split_ratio=_dec(row.get("split_ratio")),
        acquired_date=_day(row.get("acquired_date")),
        original_basis=_dec(row.get("original_basis")),
        source_line=row.get("source_line"),
        fingerprint=str(row.get("fingerprint") or ""),
    )


def document(
    *,
    metadata: Mapping[str, Any],
    accounts: Sequence[Mapping[str, Any]],
    transactions: Sequence[Mapping[str, Any]],
    lots: Sequence[Mapping[str, Any]],
    holdings: Sequence[Mapping[str, Any]],
    snapshots: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "metadata": dict(metadata),
        "accounts": list(accounts),
        "transactions": list(transactions),
        "lots": list(lots),
        "holdings": list(holdings),
        "snapshots": list(snapshots),
    }
