"""`portfolioos import|brokers|export` in a real subprocess."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "brokers"


def ok(proc: Any) -> Any:
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout) if proc.stdout.strip().startswith(("{", "[")) else proc.stdout


def test_import_json_contract_reimport_list_and_undo(run_cli: Any) -> None:
    ok(run_cli("accounts", "add", "Main"))
    first = ok(run_cli("import", str(FIXTURES / "robinhood.csv"), "--account", "Main", "--json"))
    assert {"batch_id", "broker", "added", "duplicates", "by_type", "warnings", "errors"} <= set(
        first
    )
    assert first["broker"] == "robinhood" and first["added"] == 8 and first["errors"] == []
    assert first["by_type"] == {
        "buy": 2,
        "deposit": 1,
        "dividend": 1,
        "fee": 1,
        "sell": 1,
        "split": 1,
        "withdrawal": 1,
    }
    assert all({"line", "message"} <= set(w) for w in first["warnings"])
    again = ok(run_cli("import", str(FIXTURES / "robinhood.csv"), "--account", "Main", "--json"))
    assert (again["added"], again["duplicates"]) == (0, 8)
    listed = ok(run_cli("import", "list", "--json"))
    assert [(b["batch_id"], b["added"], b["broker"]) for b in listed] == [
        (first["batch_id"], 8, "robinhood")
    ]
    undone = ok(run_cli("import", "undo", str(first["batch_id"]), "--json"))
    assert undone["removed"] == 8
    text = ok(run_cli("import", "list"))
    assert "robinhood" in text


def test_dry_run_and_forced_broker(run_cli: Any) -> None:
    ok(run_cli("accounts", "add", "Main"))
    dry = ok(
        run_cli(
            "import",
            str(FIXTURES / "ibkr_flex.csv"),
            "--account",
            "Main",
            "--broker",
            "ibkr_flex",
            "--dry-run",
            "--json",
        )
    )
    assert dry["added"] == 2 and dry["batch_id"] is None
    assert ok(run_cli("import", "list", "--json")) == []


def test_rejected_rows_exit_1_with_located_errors(run_cli: Any, tmp_path: Path) -> None:
    ok(run_cli("accounts", "add", "Main"))
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "date,type,symbol,quantity,price,fees,amount,currency\n2023-01-02,buy,AAPL,x,10,0,,USD\n",
        encoding="utf-8",
    )
    proc = run_cli("import", str(bad), "--account", "Main", "--json")
    assert proc.returncode == 1
    result = json.loads(proc.stdout)
    assert result["errors"] == [{"line": 2, "column": "quantity", "message": "'x' is not a number"}]
    human = run_cli("import", str(bad), "--account", "Main")
    assert human.returncode == 1
    assert "error: bad.csv, line 2, column 'quantity': 'x' is not a number" in human.stdout


def test_bad_files_give_one_line_errors(run_cli: Any, tmp_path: Path) -> None:
    ok(run_cli("accounts", "add", "Main"))
    binary = tmp_path / "x.csv"
    binary.write_bytes(b"PK\x03\x04\x00\x00garbage")
    proc = run_cli("import", str(binary), "--account", "Main")
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: x.csv, line 1: this is a binary file")
    assert "Traceback" not in proc.stderr
    missing = run_cli("import", str(tmp_path / "nope.csv"), "--account", "Main")
    assert missing.returncode == 1 and "no such file" in missing.stderr
    no_account = run_cli("import", str(FIXTURES / "schwab.csv"))
    assert no_account.returncode == 1 and "--account" in no_account.stderr
    bad_undo = run_cli("import", "undo", "abc")
    assert bad_undo.returncode == 1 and "import undo BATCH" in bad_undo.stderr


def test_brokers_list(run_cli: Any) -> None:
    names = [b["name"] for b in ok(run_cli("brokers", "list", "--json"))]
    assert names == [
        "generic",
        "fidelity",
        "schwab",
        "vanguard",
        "ibkr_flex",
        "ibkr_activity",
        "etrade",
        "robinhood",
        "tdameritrade",
        "degiro",
        "trading212",
        "ofx",
    ]


def test_export_and_restore_into_an_empty_folder(run_cli: Any, tmp_path: Path) -> None:
    ok(run_cli("accounts", "add", "Main"))
    ok(run_cli("import", str(FIXTURES / "statement.qfx"), "--account", "Main"))
    csv_out = tmp_path / "t.csv"
    done = ok(
        run_cli("export", "transactions", "--out", str(csv_out), "--type", "buy,sell", "--json")
    )
    assert done["rows"] == 4 and done["metadata"]["accounts"] == ["Main"]
    assert csv_out.read_text(encoding="utf-8").count("\n") == 6 + 1 + 4  # meta, header, rows
    json_out = tmp_path / "all.json"
    ok(run_cli("export", "portfolio", "--out", str(json_out)))
    other = tmp_path / "other"
    restored = ok(run_cli("import", str(json_out), "--json", data=other))
    assert [(r["account"], r["added"]) for r in restored] == [("Main", 12)]
    first = ok(run_cli("export", "transactions", "--out", str(tmp_path / "a.csv"), "--json"))
    second = ok(
        run_cli("export", "transactions", "--out", str(tmp_path / "b.csv"), "--json", data=other)
    )
    assert first["rows"] == second["rows"] == 12

    def body(p: Path) -> list[str]:
        return [
            ln
            for ln in p.read_text(encoding="utf-8").splitlines()
            if not ln.startswith("# generated_at")
        ]

    # Identical, ids included: the restore inserts in the original insertion order.

    assert body(tmp_path / "a.csv") == body(tmp_path / "b.csv")
