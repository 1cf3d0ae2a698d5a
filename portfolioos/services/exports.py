"""ExportService: holdings, transactions, realized gains and simulation paths as CSV, and
the whole portfolio as JSON, each with metadata and written atomically.

Rows come from the services that own them (engine, planner) when given; the writers
accept any dataclasses or mappings, so a new column there is a new column here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from portfolioos import __version__
from portfolioos.errors import ValidationError
from portfolioos.export.rows import as_mapping

if TYPE_CHECKING:
    from portfolioos.services.context import AppContext
    from portfolioos.simulation.results import SimulationResult
    from portfolioos.simulation.scenario import Scenario

logger = logging.getLogger(__name__)

TRANSACTION_COLUMNS = (
    "date",
    "type",
    "symbol",
    "quantity",
    "price",
    "fees",
    "amount",
    "currency",
    "note",
    "lot_id",
    "split_ratio",
    "acquired_date",
    "original_basis",
    "account",
    "id",
    "batch_id",
    "fingerprint",
)
KINDS = ("holdings", "transactions", "realized", "simulation", "portfolio")


@dataclass(frozen=True)
class ExportResult:
    kind: str
    path: Path
    format: str
    rows: int
    metadata: dict[str, Any]


class ExportService:
    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx

    @property
    def _store(self) -> Any:
        from portfolioos.storage.export_store import ExportStore

        return ExportStore(self._ctx.portfolio_db)

    def _accounts(self, account: int | str | None) -> list[Any]:
        if account is None:
            return list(self._ctx.portfolio.list_accounts())
        return [self._ctx.portfolio.account(account)]

    def _metadata(
        self, kind: str, accounts: Sequence[Any], dates: Iterable[date | None] = ()
    ) -> dict[str, Any]:
        days = sorted(d for d in dates if d is not None)
        return {
            "export": kind,
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "app_version": __version__,
            "accounts": [a.name for a in accounts],
            "date_range": {
                "start": days[0].isoformat() if days else None,
                "end": days[-1].isoformat() if days else None,
            },
        }

    def _write(
        self,
        kind: str,
        out: str | Path,
        fmt: str,
        rows: Sequence[Mapping[str, Any]],
        metadata: dict[str, Any],
        columns: Sequence[str] = (),
    ) -> ExportResult:
        from portfolioos.export.csv_writer import write_csv
        from portfolioos.export.portfolio_json import write_json

        path = Path(out)
        if fmt == "csv":
            count = write_csv(path, rows, columns=columns, metadata=metadata)
        elif fmt == "json":
            write_json(path, {"metadata": metadata, "rows": rows})
            count = len(rows)
        else:
            raise ValidationError(f"Unknown format '{fmt}'; use csv or json.", field="format")
        logger.info("exported %s (%s rows) to %s", kind, count, path)
        return ExportResult(kind, path, fmt, count, metadata)

    # -- kinds ------------------------------------------------------------------

    def transactions(
        self,
        out: str | Path,
        *,
        account: int | str | None = None,
        symbol: str | None = None,
        types: Sequence[str] | None = None,
        start: date | None = None,
        end: date | None = None,
        text: str | None = None,
        format: str = "csv",
    ) -> ExportResult:
        """The rows the Transactions page shows for the same filters (account, symbol,
        types, dates and its search text over symbol and note), oldest first."""
        from portfolioos.storage.portfolio_schema import TRANSACTION_TYPES

        types = [str(t).strip().lower() for t in types or () if str(t).strip()] or None
        text = text.strip() if text and text.strip() else None
        bad = [t for t in types or () if t not in TRANSACTION_TYPES]
        if bad:
            raise ValidationError(
                f"Unknown type(s) {', '.join(bad)}; types are {', '.join(TRANSACTION_TYPES)}.",
                field="type",
            )
        if start and end and start > end:
            raise ValidationError("The start date is after the end date.", field="start")
        accounts = self._accounts(account)
        names = {a.id: a.name for a in self._ctx.portfolio.list_accounts()}
        rows = self._store.transactions(
            account_ids=[a.id for a in accounts] if account is not None else None,
            symbol=symbol,
            types=list(types) if types else None,
            start=start,
            end=end,
            text=text,
        )
        for row in rows:
            row["account"] = names.get(row["account_id"], str(row["account_id"]))
        meta = self._metadata("transactions", accounts, (r["date"] for r in rows))
        meta["filters"] = {
            "account": account,
            "symbol": symbol,
            "type": ",".join(types) if types else None,
            "start": start.isoformat() if start else None,
            "end": end.isoformat() if end else None,
            "text": text,
        }
        return self._write("transactions", out, format, rows, meta, TRANSACTION_COLUMNS)

    def holdings(
        self,
        out: str | Path,
        *,
        account: int | str | None = None,
        rows: Iterable[Any] | None = None,
        format: str = "csv",
    ) -> ExportResult:
        """Holdings as the engine reports them (shares, basis, latest price, market value,
        unrealized and realized gain), unless the caller passes its own `rows`."""
        accounts = self._accounts(account)
        if rows is None:
            rows = self._ctx.portfolio.holdings(account=account)
        mapped = [dict(as_mapping(r)) for r in rows]
        # Holdings sum up the ledger: its date range is the history they come from.
        span = self._store.date_span([a.id for a in accounts] if account is not None else None)
        return self._write(
            "holdings", out, format, mapped, self._metadata("holdings", accounts, span)
        )

    def realized(
        self,
        out: str | Path,
        *,
        account: int | str | None = None,
        rows: Iterable[Any] | None = None,
        format: str = "csv",
    ) -> ExportResult:
        """Realized gains per disposed lot (Form 8949 style), from the engine."""
        accounts = self._accounts(account)
        if rows is None:
            rows = self._ctx.portfolio.realized(account=account).lines
        mapped = [dict(as_mapping(r)) for r in rows]
        dates = [
            v
            for r in mapped
            for k, v in r.items()
            if isinstance(v, date)
            and k in ("date", "sold", "sale_date", "acquired", "acquired_date")
        ]
        return self._write(
            "realized", out, format, mapped, self._metadata("realized", accounts, dates)
        )

    def simulation(
        self,
        out: str | Path,
        paths: Mapping[str, Sequence[float]],
        *,
        index: Sequence[Any] | None = None,
        index_name: str = "year",
        format: str = "csv",
    ) -> ExportResult:
        """Percentile paths as columns (one row per step)."""
        from portfolioos.export.csv_writer import simulation_rows

        rows = simulation_rows(paths, index, index_name)
        return self._write(
            "simulation", out, format, rows, self._metadata("simulation", self._accounts(None))
        )

    def simulation_result(
        self,
        out: str | Path,
        result: SimulationResult,
        *,
        plan: Scenario | None = None,
        format: str = "csv",
    ) -> ExportResult:
        """A planner run, one row per plan year with every percentile path as a column
        (export/simulation.py); the metadata names the plan, its accounts, trials, seed
        and the calendar years it covers."""
        from portfolioos.export.simulation import result_rows, simulation_columns
        from portfolioos.simulation.scenario import AccountsRef

        accounts: list[Any] = []
        if plan is not None and isinstance(plan.initial_portfolio, AccountsRef):
            accounts = [self._ctx.portfolio.account(a) for a in plan.initial_portfolio.accounts]
        today = datetime.now(UTC).date()
        meta = self._metadata("simulation", accounts)
        meta["date_range"] = {
            "start": f"{today.year}",
            "end": f"{today.year + result.years}",
        }
        meta["plan"] = {
            "name": (plan.name if plan is not None else "") or None,
            "years": result.years,
            "trials": result.trials,
            "seed": result.seed,
            "initial_portfolio": result.initial_portfolio,
            "success_rate": result.success_rate,
        }
        return self._write(
            "simulation", out, format, result_rows(result), meta, simulation_columns()
        )

    def portfolio_json(self, out: str | Path) -> ExportResult:
        from portfolioos.export.portfolio_json import document, write_json

        accounts = self._accounts(None)
        # In insertion order, so a restore into an empty folder reproduces the ids too.
        txs = self._store.transactions(by_id=True)
        meta = self._metadata("portfolio", accounts, (r["date"] for r in txs))
        doc = document(
            metadata=meta,
            accounts=[
                {
                    "id": a.id,
                    "name": a.name,
                    "type": a.type.value,
                    "institution": a.institution,
                    "currency": a.currency,
                    "notes": a.notes,
                    "lot_method": a.lot_method.value,
                    "track_wash_sales": a.track_wash_sales,
                }
                for a in sorted(accounts, key=lambda a: a.id)
            ],
            transactions=txs,
            lots=self._store.derived("lots"),
            holdings=self._store.derived("holdings"),
            snapshots=self._store.derived("snapshots"),
        )
        write_json(Path(out), doc)
        return ExportResult("portfolio", Path(out), "json", len(txs), meta)
