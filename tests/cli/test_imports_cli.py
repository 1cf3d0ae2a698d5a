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
    assert first["reconciled"] == []  # Robinhood prints no balances or positions
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
    as_json = run_cli("import", str(binary), "--account", "Main", "--json")
    assert as_json.returncode == 1 and as_json.stderr.startswith("error: x.csv, line 1")
    refused = json.loads(as_json.stdout)
    assert (refused["batch_id"], refused["added"], refused["by_type"]) == (None, 0, {})
    assert [(e["line"], e["message"][:30]) for e in refused["errors"]] == [
        (1, "x.csv, line 1: this is a binar")
    ]
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
        "degiro_account",
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


def test_export_simulation_runs_a_plan_like_simulate(run_cli: Any, tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"initial_portfolio": 500000, "years": 4, "trials": 200}))
    refused = run_cli("export", "simulation", "--out", str(tmp_path / "x.csv"))
    assert refused.returncode == 1 and "--scenario NAME" in refused.stderr
    assert not (tmp_path / "x.csv").exists()
    out = tmp_path / "sim.csv"
    done = ok(
        run_cli(
            "export",
            "simulation",
            "--out",
            str(out),
            "--config",
            str(plan),
            "--seed",
            "3",
            "--json",
        )
    )
    assert done["kind"] == "simulation" and done["rows"] == 5
    assert done["metadata"]["plan"]["seed"] == 3 and done["metadata"]["plan"]["trials"] == 200
    lines = out.read_text(encoding="utf-8").splitlines()
    header = next(ln for ln in lines if not ln.startswith("#"))
    assert header.startswith("year,value_p5,value_p10,value_p25,value_p50")
    assert "depletion_probability" in header
    # The same plan saved as a scenario and exported by name (the seed given as to
    # `simulate`) gives the same paths.
    ok(run_cli("simulate", "--config", str(plan), "--seed", "3", "--save", "calm"))
    again = tmp_path / "again.csv"
    ok(run_cli("export", "simulation", "--out", str(again), "--scenario", "calm", "--seed", "3"))

    def body(p: Path) -> list[str]:
        return [ln for ln in p.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]

    assert body(again) == body(out)
    as_json = ok(
        run_cli(
            "export",
            "simulation",
            "--out",
            str(tmp_path / "s.json"),
            "--scenario",
            "calm",
            "--format",
            "json",
        )
    )
    assert "wrote 5 row(s)" in as_json
    document = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert document["metadata"]["export"] == "simulation" and len(document["rows"]) == 5


def test_export_transactions_text_filter_and_stray_options(run_cli: Any, tmp_path: Path) -> None:
    ok(run_cli("accounts", "add", "Main"))
    ok(run_cli("import", str(FIXTURES / "generic.csv"), "--account", "Main"))
    out = tmp_path / "t.csv"
    done = ok(
        run_cli("export", "transactions", "--out", str(out), "--text", "OLD BROKER", "--json")
    )
    assert done["rows"] == 1 and done["metadata"]["filters"]["text"] == "OLD BROKER"
    assert "from old broker" in out.read_text(encoding="utf-8")
    stray = run_cli("export", "holdings", "--out", str(tmp_path / "h.csv"), "--text", "x")
    assert stray.returncode == 1 and "--text does not apply to `export holdings`" in stray.stderr


def test_import_says_what_it_checked_against_the_files_own_figures(
    run_cli: Any, tmp_path: Path
) -> None:
    ok(run_cli("accounts", "add", "Main"))
    text = ok(
        run_cli("import", str(FIXTURES / "fidelity_2023.csv"), "--account", "Main", "--dry-run")
    )
    assert "would add 11" in text
    assert "checked against the file's own 12 running cash balance(s)" in text
    assert "mismatch" not in text
    tampered = tmp_path / "History.csv"
    tampered.write_text(
        (FIXTURES / "fidelity_2023.csv")
        .read_text(encoding="utf-8")
        .replace("4,750.48", "4,751.48"),
        encoding="utf-8",
    )
    done = ok(run_cli("import", str(tampered), "--account", "Main", "--json"))
    assert done["added"] == 11 and done["reconciled"] == ["12 running cash balance(s)"]
    assert [(w["line"], w["column"]) for w in done["warnings"] if "mismatch" in w["message"]] == [
        (12, "Cash Balance ($)")
    ]
