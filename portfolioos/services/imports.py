"""ImportService: detect, parse, normalise, validate, fingerprint, write, re-derive.

One file is one batch: its rows and its `import_batches` row are written in one DuckDB
transaction, or nothing is. Any rejected row means nothing is written and every
problem is reported (line, column, reason), so a user fixes the file once, not row by
row. Fingerprints (domain.ledger) make a re-import add nothing and an overlapping
file add only the new rows.

Two readers produce the same fingerprints: the row-wise mapper for broker exports
(messy, small) and the vectorised DuckDB path for clean generic CSV (large). The
vectorised path is an optimisation only: whenever it cannot take a file as is, the
row-wise path reads it and reports.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from portfolioos.domain.ledger import LedgerEntry, with_fingerprints
from portfolioos.errors import Cancelled, ImportFileError, NotFoundError
from portfolioos.ingest.custom import ColumnMapping
from portfolioos.ingest.model import ParsedFile, RowIssue
from portfolioos.ingest.profiles import GENERIC, PROFILES, Profile
from portfolioos.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress
from portfolioos.services.changes import Changes

if TYPE_CHECKING:
    from portfolioos.domain.accounts import Account
    from portfolioos.services.context import AppContext
    from portfolioos.storage.import_store import BatchRecord

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ImportIssue:
    line: int | None
    column: str | None
    message: str

    @classmethod
    def of(cls, issue: RowIssue) -> ImportIssue:
        return cls(issue.line, issue.column, issue.message)

    def __str__(self) -> str:
        return str(RowIssue(self.line, self.column, self.message))


@dataclass(frozen=True)
class ImportResult:
    batch_id: int | None
    broker: str
    account_id: int
    account: str
    file: str
    rows: int
    added: int
    duplicates: int
    by_type: dict[str, int]
    warnings: list[ImportIssue] = field(default_factory=list)
    errors: list[ImportIssue] = field(default_factory=list)
    dry_run: bool = False
    vectorised: bool = False
    changes: Changes = field(default_factory=Changes)
    # The figures the file prints itself (balances, positions) that its rows were
    # checked against; a disagreement is one of the warnings.
    reconciled: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class Preview:
    """What the import wizard shows before anything is written."""

    broker: str
    columns: dict[str, str]
    rows: list[LedgerEntry]
    rejected: list[ImportIssue]
    warnings: list[ImportIssue]
    # Rows in the whole file; `rows` holds only the first `limit` when one was given
    # (a window shows a few hundred; handing it 100,000 entries costs its thread).
    row_count: int | None = None

    @property
    def total_rows(self) -> int:
        return len(self.rows) if self.row_count is None else self.row_count


@dataclass(frozen=True)
class BrokerInfo:
    name: str
    title: str
    headers: list[str]


@dataclass(frozen=True)
class UndoResult:
    batch_id: int
    account_id: int
    removed: int
    changes: Changes


class ImportService:
    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx

    # -- stores -----------------------------------------------------------------

    @property
    def _store(self) -> Any:
        from portfolioos.storage.import_store import ImportStore

        return ImportStore(self._ctx.portfolio_db)

    @property
    def _mapping_store(self) -> Any:
        from portfolioos.storage.mapping_store import MappingStore

        return MappingStore(self._ctx.config)

    # -- catalogue --------------------------------------------------------------

    def brokers(self) -> list[BrokerInfo]:
        out = [BrokerInfo(p.name, p.title, p.expected_headers()) for p in PROFILES]
        out.append(BrokerInfo("ofx", "OFX/QFX investment statement", []))
        return out

    def save_mapping(self, account: int | str, mapping: ColumnMapping) -> Changes:
        acct = self._ctx.portfolio.account(account)
        checked = mapping.validated()
        self._mapping_store.save(acct.id, checked.name.strip(), checked.to_json())
        return Changes(preferences=True)

    def mappings(self, account: int | str) -> list[ColumnMapping]:
        acct = self._ctx.portfolio.account(account)
        return [ColumnMapping.from_json(n, d) for n, d in self._mapping_store.load(acct.id)]

    def _profile_for(
        self, acct: Account | None, broker: str, mapping: ColumnMapping | None
    ) -> tuple[str, Profile | None, tuple[Profile, ...]]:
        """(broker name to read with, explicit profile, extra profiles for auto-detection)."""
        if mapping is not None:
            return "auto", mapping.validated().profile(), ()
        saved = self.mappings(acct.id) if acct is not None else []
        if broker.startswith("mapping:") or any(m.name == broker for m in saved):
            name = broker.removeprefix("mapping:")
            found = next((m for m in saved if m.name == name), None)
            if found is None:
                raise NotFoundError(f"No saved mapping '{name}' for this account.")
            return "auto", found.profile(), ()
        return broker, None, tuple(m.profile() for m in saved)

    # -- reading ----------------------------------------------------------------

    def _read(
        self,
        path: Path,
        acct_id: int,
        currency: str,
        broker: str,
        profile: Profile | None,
        extra: tuple[Profile, ...],
    ) -> ParsedFile:
        from portfolioos.ingest import reader
        from portfolioos.ingest.detect import detect

        if profile is None and broker in ("", "auto") and extra:
            try:
                return reader.read_file(path, account_id=acct_id, currency=currency)
            except ImportFileError:
                from portfolioos.ingest.table import read_table

                table = read_table(path)
                chosen, _ = detect(table, extra)  # raises naming the closest saved mapping
                profile = chosen
        return reader.read_file(
            path, account_id=acct_id, currency=currency, broker=broker, profile=profile
        )

    def preview(
        self,
        path: str | Path,
        broker: str = "auto",
        mapping: ColumnMapping | None = None,
        account: int | str | None = None,
        limit: int | None = None,
    ) -> Preview:
        """Read and check the whole file, writing nothing. `limit` keeps only the first
        rows in `rows`; counts, rejected rows and warnings always cover the whole file."""
        acct = self._ctx.portfolio.account(account) if account is not None else None
        broker_name, profile, extra = self._profile_for(acct, broker, mapping)
        parsed = self._read(
            Path(path),
            acct.id if acct else 0,
            acct.currency if acct else "USD",
            broker_name,
            profile,
            extra,
        )
        entries = parsed.entries
        return Preview(
            parsed.broker,
            parsed.columns,
            entries if limit is None else entries[: max(0, limit)],
            [ImportIssue.of(i) for i in parsed.rejected],
            [ImportIssue.of(i) for i in parsed.warnings],
            row_count=len(entries),
        )

    # -- importing --------------------------------------------------------------

    def import_file(
        self,
        path: str | Path,
        account: int | str,
        broker: str = "auto",
        dry_run: bool = False,
        *,
        mapping: ColumnMapping | None = None,
        progress: Progress = no_progress,
        cancel: CancelToken = NEVER_CANCELLED,
    ) -> ImportResult:
        """Import one file into one account; see the module docstring for the guarantees."""
        file = Path(path)
        acct = self._ctx.portfolio.account(account)
        progress(0.0, f"Reading {file.name}")
        from portfolioos.ingest.table import read_bytes

        data = read_bytes(file)
        sha = hashlib.sha256(data).hexdigest()
        cancel.check()
        broker_name, profile, extra = self._profile_for(acct, broker, mapping)
        if profile is None and broker_name in ("auto", "generic"):
            columns = _generic_columns(data)
            if columns is not None:
                fast = self._import_vectorised(
                    file, data, columns, acct, sha, dry_run, progress, cancel
                )
                if fast is not None:
                    return fast
        parsed = self._read(file, acct.id, acct.currency, broker_name, profile, extra)
        progress(0.4, "Checking rows")
        cancel.check()
        warnings = [ImportIssue.of(i) for i in parsed.warnings]
        rejected = [*parsed.rejected, *out_of_range(parsed.entries)]
        if rejected:
            rejected.sort(key=lambda i: i.line or 0)
            return ImportResult(
                None,
                parsed.broker,
                acct.id,
                acct.name,
                file.name,
                len(parsed.entries),
                0,
                0,
                {},
                warnings,
                [ImportIssue.of(i) for i in rejected],
                dry_run,
            )
        written = self._write_entries(
            parsed.entries, parsed.broker, acct, file.name, sha, warnings, dry_run, progress, cancel
        )
        return replace(written, reconciled=list(parsed.reconciled))

    def _write_entries(
        self,
        entries: list[LedgerEntry],
        broker: str,
        acct: Account,
        source: str,
        sha: str | None,
        warnings: list[ImportIssue],
        dry_run: bool,
        progress: Progress,
        cancel: CancelToken,
        *,
        keep_fingerprints: bool = False,
    ) -> ImportResult:
        import pandas as pd

        from portfolioos.storage.ledger_store import LedgerStore, entries_frame

        fingerprinted = entries if keep_fingerprints else with_fingerprints(entries)
        known = self._store.known_fingerprints(
            acct.id, pd.DataFrame({"fingerprint": [e.fingerprint for e in fingerprinted]})
        )
        new = [e for e in fingerprinted if e.fingerprint not in known]
        by_type = dict(sorted(Counter(e.type.value for e in new).items()))
        duplicates = len(fingerprinted) - len(new)
        progress(0.6, f"{len(new)} new row(s), {duplicates} already in the ledger")
        cancel.check()
        if dry_run or not new:
            return ImportResult(
                None,
                broker,
                acct.id,
                acct.name,
                source,
                len(fingerprinted),
                len(new) if dry_run else 0,
                duplicates,
                by_type,
                warnings,
                [],
                dry_run,
            )
        ledger = LedgerStore(self._ctx.portfolio_db)
        with self._ctx.portfolio_db.write() as cur:
            batch_id = self._store.create_batch(
                cur, account_id=acct.id, source=source, broker=broker, file_sha256=sha
            )
            frame = entries_frame(new, batch_id=batch_id)
            added = ledger.append_frame(cur, frame)
            self._store.finish_batch(cur, batch_id, added=added, skipped=duplicates)
        logger.info(
            "import %s into account %s: batch %s, %s added", source, acct.id, batch_id, added
        )
        progress(0.85, "Rebuilding lots and holdings")
        changes = self._ctx.portfolio.rederive([acct.id]) | Changes(ledger=True)
        progress(1.0, "Done")
        return ImportResult(
            batch_id,
            broker,
            acct.id,
            acct.name,
            source,
            len(fingerprinted),
            added,
            len(fingerprinted) - added,
            by_type,
            warnings,
            [],
            False,
            changes=changes,
        )

    def _import_vectorised(
        self,
        file: Path,
        data: bytes,
        columns: list[str],
        acct: Account,
        sha: str,
        dry_run: bool,
        progress: Progress,
        cancel: CancelToken,
    ) -> ImportResult | None:
        from portfolioos.storage import generic_csv

        db = self._ctx.portfolio_db
        cur = db.cursor()
        try:
            progress(0.1, "Reading rows")
            rejected = generic_csv.stage(
                cur, file, columns, account_id=acct.id, currency=acct.currency
            )
            if rejected:
                logger.info(
                    "vectorised path declined %s: %s row(s) need the row-wise reader",
                    file.name,
                    rejected,
                )
                return None
            rows = generic_csv.staged_rows(cur)
            if rows != _data_lines(data):
                logger.info(
                    "vectorised path declined %s: %s rows read, %s lines",
                    file.name,
                    rows,
                    _data_lines(data),
                )
                return None
            cancel.check()
            progress(0.5, "Comparing with the ledger")
            if dry_run:
                by_type = generic_csv.new_rows(cur, acct.id)
                new = sum(by_type.values())
                return ImportResult(
                    None,
                    GENERIC.name,
                    acct.id,
                    acct.name,
                    file.name,
                    rows,
                    new,
                    rows - new,
                    by_type,
                    [],
                    [],
                    True,
                    vectorised=True,
                )
            with db.write() as wcur:
                batch_id = self._store.create_batch(
                    wcur,
                    account_id=acct.id,
                    source=file.name,
                    broker=GENERIC.name,
                    file_sha256=sha,
                )
                by_type = generic_csv.insert_direct(wcur, acct.id, batch_id, rows)
                added = sum(by_type.values())
                if added:
                    self._store.finish_batch(wcur, batch_id, added=added, skipped=rows - added)
                else:
                    self._store.drop_batch(wcur, batch_id)
            if not added:
                return ImportResult(
                    None,
                    GENERIC.name,
                    acct.id,
                    acct.name,
                    file.name,
                    rows,
                    0,
                    rows,
                    {},
                    [],
                    [],
                    False,
                    vectorised=True,
                )
        except Cancelled:
            raise
        except Exception as exc:  # a file DuckDB cannot read as is: the row-wise path decides
            import duckdb

            if not isinstance(exc, duckdb.Error):
                raise
            logger.info("vectorised path declined %s: %s", file.name, exc)
            return None
        finally:
            generic_csv.drop(cur)
        logger.info(
            "import %s into account %s: batch %s, %s added (vectorised)",
            file.name,
            acct.id,
            batch_id,
            added,
        )
        progress(0.85, "Rebuilding lots and holdings")
        changes = self._ctx.portfolio.rederive([acct.id]) | Changes(ledger=True)
        progress(1.0, "Done")
        return ImportResult(
            batch_id,
            GENERIC.name,
            acct.id,
            acct.name,
            file.name,
            rows,
            added,
            rows - added,
            by_type,
            [],
            [],
            False,
            vectorised=True,
            changes=changes,
        )

    # -- batches ----------------------------------------------------------------

    def batches(self, account: int | str | None = None) -> list[BatchRecord]:
        acct_id = self._ctx.portfolio.account(account).id if account is not None else None
        batches: list[BatchRecord] = self._store.batches(acct_id)
        return batches

    def undo(self, batch_id: int) -> UndoResult:
        """Remove every row a batch added, in one transaction, and re-derive the account."""
        batch, removed = self._store.undo(int(batch_id))
        changes = self._ctx.portfolio.rederive([batch.account_id]) | Changes(ledger=True)
        return UndoResult(batch.id, batch.account_id, removed, changes)

    # -- restore ----------------------------------------------------------------

    def restore(
        self,
        path: str | Path,
        *,
        progress: Progress = no_progress,
        cancel: CancelToken = NEVER_CANCELLED,
    ) -> list[ImportResult]:
        """Load a PortfolioOS JSON export: accounts by name (created when absent) and their
        ledgers. Fingerprints are kept when the account id is unchanged, so re-importing the
        original broker files afterwards still adds nothing."""
        from portfolioos.export.portfolio_json import read_export

        file = Path(path)
        export = read_export(file)
        results: list[ImportResult] = []
        for n, (draft, old_id, entries) in enumerate(export):
            cancel.check()
            found = self._ctx.config.find_account(draft.name)
            acct = found if found is not None else self._ctx.portfolio.create_account(draft)[0]
            rows = [replace(e, account_id=acct.id) for e in entries]
            keep = acct.id == old_id and all(e.fingerprint for e in rows)
            if not keep:
                rows = with_fingerprints([replace(e, fingerprint="") for e in rows])
            results.append(
                self._write_entries(
                    rows,
                    "portfolioos-json",
                    acct,
                    file.name,
                    None,
                    [],
                    False,
                    no_progress,
                    cancel,
                    keep_fingerprints=True,
                )
            )
            progress((n + 1) / max(len(export), 1), f"Restored {acct.name}")
        return results


# DECIMAL(38,12) holds 26 digits before the point.
_LIMIT = Decimal(10) ** 26


def out_of_range(entries: list[LedgerEntry]) -> list[RowIssue]:
    """Numbers the ledger cannot store exactly, reported like any rejected cell."""
    issues: list[RowIssue] = []
    for e in entries:
        for name in ("quantity", "price", "amount", "fees", "split_ratio", "original_basis"):
            value = getattr(e, name)
            if value is not None and abs(value) >= _LIMIT:
                issues.append(
                    RowIssue(
                        e.source_line,
                        name,
                        f"{value} is too large for the ledger (at most 26 digits "
                        "before the decimal point)",
                    )
                )
    return issues


def _generic_columns(data: bytes) -> list[str] | None:
    """The header cells when the file is plain generic CSV the vectorised path can take."""
    from portfolioos.storage.generic_csv import OPTIONAL, REQUIRED

    end = data.find(b"\n")
    if end <= 0 or b"\n\n" in data or b"\r\n\r\n" in data or b"\x00" in data[:65536]:
        return None
    try:
        header = data[:end].decode("ascii").strip()
    except UnicodeDecodeError:
        return None
    cells = [c.strip() for c in header.split(",")]
    if (
        set(REQUIRED) - set(cells)
        or set(cells) - set(REQUIRED) - set(OPTIONAL)
        or len(set(cells)) != len(cells)
    ):
        return None
    return cells


def _data_lines(data: bytes) -> int:
    lines = data.count(b"\n")
    if not data.endswith(b"\n"):
        lines += 1
    return lines - 1
