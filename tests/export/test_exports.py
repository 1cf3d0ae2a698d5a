"""Exports: formula defanging with numbers intact, atomic writes, filters, metadata, and
the JSON export restoring an identical ledger into an empty data folder."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from portfolioos.domain.accounts import AccountDraft
from portfolioos.export.atomic import atomic_text
from portfolioos.export.csv_writer import write_csv
from portfolioos.export.rows import csv_cell
from portfolioos.services.context import AppContext
from portfolioos.storage.export_store import ExportStore

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "brokers"


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    text = path.read_text(encoding="utf-8")
    meta = [ln for ln in text.splitlines() if ln.startswith("#")]
    body = "\n".join(ln for ln in text.splitlines() if not ln.startswith("#"))
    return meta, list(csv.DictReader(io.StringIO(body)))


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("AAPL", "AAPL"),
        (Decimal("-12.50"), "-12.5"),
        (-3, "-3"),
        (Decimal("1E+3"), "1000"),
        (date(2023, 1, 2), "2023-01-02"),
        (None, ""),
    ],
)
def test_cells_are_defanged_and_numbers_stay_numbers(value: Any, cell: str) -> None:
    assert csv_cell(value) == cell


@dataclass
class Holding:
    symbol: str
    shares: Decimal
    note: str


def test_write_csv_takes_dataclasses_and_mappings(tmp_path: Path) -> None:
    out = tmp_path / "h.csv"
    rows = [
        Holding("AAPL", Decimal("1.50"), "=1+1"),
        {"symbol": "VTI", "shares": Decimal(-2), "note": "", "extra": "x"},
    ]
    assert write_csv(out, rows, metadata={"app_version": "0.1.0"}) == 2
    meta, body = read_csv(out)
    assert meta == ["# app_version: 0.1.0"]
    assert body == [
        {"symbol": "AAPL", "shares": "1.5", "note": "'=1+1", "extra": ""},
        {"symbol": "VTI", "shares": "-2", "note": "", "extra": "x"},
    ]


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    out.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_text(out) as fh:
        fh.write("half")
        raise RuntimeError("disk full")
    assert out.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.csv"]  # no temporary left behind


@pytest.fixture
def filled(ctx: Any) -> AppContext:
    ctx.portfolio.create_account(AccountDraft(name="Main"))
    ctx.portfolio.create_account(AccountDraft(name="Euro", currency="EUR", lot_method="hifo"))
    assert ctx.imports.import_file(FIXTURES / "fidelity.csv", "Main").added == 8
    assert ctx.imports.import_file(FIXTURES / "generic.csv", "Main").added == 12
    assert ctx.imports.import_file(FIXTURES / "degiro_nl.csv", "Euro").added == 2
    return ctx  # type: ignore[no-any-return]


def test_transactions_export_filters_and_metadata(filled: AppContext, tmp_path: Path) -> None:
    out = tmp_path / "t.csv"
    result = filled.exports.transactions(
        out,
        account="Main",
        symbol="aapl",
        types=["buy", "sell"],
        start=date(2023, 1, 1),
        end=date(2023, 3, 31),
    )
    meta, rows = read_csv(out)
    assert [(r["date"], r["type"], r["quantity"], r["amount"]) for r in rows] == [
        ("2023-01-03", "buy", "10", "-1250.75"),
        ("2023-01-03", "buy", "10", "-1251.7"),
        ("2023-01-03", "buy", "10", "-1251.7"),
    ]
    assert result.rows == 3 and all(r["account"] == "Main" for r in rows)
    assert "# accounts: Main" in meta
    assert "# date_range: start=2023-01-03, end=2023-01-03" in meta
    assert any(m.startswith("# generated_at: ") for m in meta)
    assert "# app_version: 0.1.0" in meta


def test_exported_transactions_csv_imports_again_as_duplicates(
    filled: AppContext, tmp_path: Path
) -> None:
    out = tmp_path / "t.csv"
    filled.exports.transactions(out, account="Main")
    again = filled.imports.import_file(out, "Main")
    assert again.errors == [] and again.broker == "generic"
    assert (again.added, again.duplicates) == (0, 20)


def _ledger(c: AppContext) -> list[tuple[str, dict[str, Any]]]:
    names = {a.id: a.name for a in c.portfolio.list_accounts()}
    return [
        (names[r["account_id"]], {k: v for k, v in r.items() if k not in ("id", "batch_id")})
        for r in ExportStore(c.portfolio_db).transactions()
    ]


def test_json_export_restores_an_identical_ledger(filled: AppContext, tmp_path: Path) -> None:
    out = tmp_path / "all.json"
    filled.exports.portfolio_json(out)
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["format"] == "portfolioos-export"
    assert set(document) >= {
        "metadata",
        "accounts",
        "transactions",
        "lots",
        "holdings",
        "snapshots",
    }
    assert document["metadata"]["date_range"] == {"start": "2023-01-02", "end": "2023-07-02"}
    with AppContext.open(tmp_path / "empty") as fresh:
        results = fresh.imports.restore(out)
        assert [(r.account, r.added) for r in results] == [("Main", 20), ("Euro", 2)]
        assert _ledger(fresh) == _ledger(filled)
        euro = fresh.portfolio.account("Euro")
        assert (euro.currency, euro.lot_method.value) == ("EUR", "hifo")
        # Fingerprints survived: the original broker file is still a duplicate.
        assert fresh.imports.import_file(FIXTURES / "fidelity.csv", "Main").added == 0
        assert fresh.imports.restore(out)[0].added == 0


def test_simulation_paths_become_columns(filled: AppContext, tmp_path: Path) -> None:
    out = tmp_path / "sim.csv"
    filled.exports.simulation(
        out, {"p10": [1.0, 0.9], "p50": [1.0, 1.1], "p90": [1.0, 1.3]}, index=[2025, 2026]
    )
    _, rows = read_csv(out)
    assert rows == [
        {"year": "2025", "p10": "1.0", "p50": "1.0", "p90": "1.0"},
        {"year": "2026", "p10": "0.9", "p50": "1.1", "p90": "1.3"},
    ]


def test_holdings_export_takes_service_rows_or_the_engine_holdings(
    filled: AppContext, tmp_path: Path
) -> None:
    out = tmp_path / "h.csv"
    result = filled.exports.holdings(out, rows=[Holding("AAPL", Decimal("15"), "@risk")])
    _, rows = read_csv(out)
    assert result.rows == 1 and rows == [{"symbol": "AAPL", "shares": "15", "note": "'@risk"}]
    stored = filled.exports.holdings(tmp_path / "h2.csv", account="Main")
    engine = filled.portfolio.holdings(account="Main")
    assert stored.rows == len(engine) > 0
    assert stored.metadata["accounts"] == ["Main"]
    _, exported = read_csv(tmp_path / "h2.csv")
    assert [(r["symbol"], r["shares"]) for r in exported] == [
        (h.symbol, format(h.shares.normalize(), "f")) for h in engine
    ]


def test_realized_export_lists_the_engine_lines(filled: AppContext, tmp_path: Path) -> None:
    result = filled.exports.realized(tmp_path / "r.csv", account="Main")
    lines = filled.portfolio.realized(account="Main").lines
    assert result.rows == len(lines)


def test_transactions_export_honours_the_pages_text_search(
    filled: AppContext, tmp_path: Path
) -> None:
    """The export holds exactly the rows the Transactions page lists for the same filters."""
    filters: dict[str, Any] = {"account": "Main", "text": "same trade", "types": ["BUY"]}
    result = filled.exports.transactions(tmp_path / "t.csv", **filters)
    meta, rows = read_csv(tmp_path / "t.csv")
    page = filled.portfolio.transactions(**filters, limit=1000)
    assert result.rows == len(page) == 1
    assert [(r["date"], r["note"]) for r in rows] == [("2023-01-03", "same trade twice")]
    assert "text=same trade" in next(m for m in meta if m.startswith("# filters:"))
    # Text matches the symbol too, case-insensitively, and combines with the dates.
    by_symbol = {"text": "nvd", "start": date(2023, 6, 1)}
    got = filled.exports.transactions(tmp_path / "n.csv", **by_symbol)
    assert got.rows == filled.portfolio.transaction_count(**by_symbol) == 2
    _, rows = read_csv(tmp_path / "n.csv")
    assert {r["symbol"] for r in rows} == {"NVDA"}


def test_holdings_metadata_carries_the_ledgers_date_range(
    filled: AppContext, tmp_path: Path
) -> None:
    result = filled.exports.holdings(tmp_path / "h.csv", account="Euro")
    assert result.metadata["date_range"] == {"start": "2023-01-03", "end": "2023-02-10"}
    meta, _ = read_csv(tmp_path / "h.csv")
    assert "# date_range: start=2023-01-03, end=2023-02-10" in meta


def test_simulation_result_export_has_a_column_per_percentile_path(
    filled: AppContext, tmp_path: Path
) -> None:
    plan = filled.simulation.parse_plan(
        {"initial_portfolio": {"accounts": ["Main"]}, "years": 5, "trials": 300, "seed": 7}
    )
    result = filled.simulation.run(plan)
    out = tmp_path / "sim.csv"
    exported = filled.exports.simulation_result(out, result, plan=plan)
    meta, rows = read_csv(out)
    assert exported.rows == 6 and [r["year"] for r in rows] == ["0", "1", "2", "3", "4", "5"]
    assert float(rows[3]["value_p50"]) == result.percentiles["p50"][3]
    assert float(rows[3]["value_real_p10"]) == result.percentiles_real["p10"][3]
    assert float(rows[0]["spending_p90"]) == result.spending_percentiles["p90"][0]
    assert rows[5]["spending_p50"] == ""  # no spending after the last year
    assert float(rows[5]["depletion_probability"]) == result.depletion_probability[4]
    assert exported.metadata["accounts"] == ["Main"]
    assert exported.metadata["plan"]["trials"] == 300
    assert any(m.startswith("# app_version: ") for m in meta)
    start = int(exported.metadata["date_range"]["start"])
    assert int(exported.metadata["date_range"]["end"]) == start + 5


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_every_kind_carries_the_issues_metadata(
    filled: AppContext, tmp_path: Path, fmt: str
) -> None:
    plan = filled.simulation.parse_plan({"initial_portfolio": 1000, "years": 2, "trials": 50})
    run = filled.simulation.run(plan)
    made = {
        "holdings": filled.exports.holdings(tmp_path / f"h.{fmt}", format=fmt),
        "transactions": filled.exports.transactions(tmp_path / f"t.{fmt}", format=fmt),
        "realized": filled.exports.realized(tmp_path / f"r.{fmt}", format=fmt),
        "simulation": filled.exports.simulation_result(tmp_path / f"s.{fmt}", run, format=fmt),
    }
    if fmt == "json":
        made["portfolio"] = filled.exports.portfolio_json(tmp_path / "p.json")
    for kind, result in made.items():
        meta = result.metadata
        assert meta["export"] == kind
        assert {"generated_at", "app_version", "accounts", "date_range"} <= set(meta), kind
        assert meta["date_range"]["start"] is not None, kind
        text = result.path.read_text(encoding="utf-8")
        if fmt == "csv":
            assert text.startswith(f"# export: {kind}\n# generated_at: "), kind
        else:
            assert json.loads(text)["metadata"]["app_version"] == meta["app_version"], kind
    # No temporary file is left beside the exports.
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
