"""The accounts sub-commands, run as a user runs them: a real process on a real folder."""

from __future__ import annotations

import json
from pathlib import Path


def test_add_prints_the_account_and_list_shows_it(run_cli) -> None:  # type: ignore[no-untyped-def]
    added = run_cli("accounts", "add", "Brokerage", "--type", "brokerage", "--json")
    assert added.returncode == 0, added.stderr
    account = json.loads(added.stdout)
    assert account["name"] == "Brokerage"
    assert account["type"] == "brokerage"
    assert account["currency"] == "USD"
    assert isinstance(account["id"], int)

    listed = run_cli("accounts", "list", "--json")
    assert listed.returncode == 0
    assert [a["name"] for a in json.loads(listed.stdout)] == ["Brokerage"]


def test_duplicate_name_exits_1_with_one_line(run_cli) -> None:  # type: ignore[no-untyped-def]
    assert run_cli("accounts", "add", "Brokerage").returncode == 0
    again = run_cli("accounts", "add", "brokerage", "--json")
    assert again.returncode == 1
    assert again.stdout == ""
    lines = again.stderr.strip().splitlines()
    assert lines == ["error: An account named 'brokerage' already exists."]


def test_invalid_fields_are_named(run_cli) -> None:  # type: ignore[no-untyped-def]
    bad_type = run_cli("accounts", "add", "X", "--type", "piggybank")
    assert bad_type.returncode == 1
    assert "account type 'piggybank'" in bad_type.stderr
    bad_currency = run_cli("accounts", "add", "X", "--currency", "dollars")
    assert bad_currency.returncode == 1
    assert "Currency 'dollars'" in bad_currency.stderr
    assert "Traceback" not in bad_type.stderr + bad_currency.stderr


def test_update_and_delete(run_cli) -> None:  # type: ignore[no-untyped-def]
    run_cli("accounts", "add", "Old name", "--institution", "Fidelity")
    updated = run_cli(
        "accounts",
        "update",
        "old NAME",
        "--name",
        "IRA",
        "--type",
        "ira",
        "--lot-method",
        "hifo",
        "--wash-sales",
        "--json",
    )
    assert updated.returncode == 0, updated.stderr
    body = json.loads(updated.stdout)
    assert (body["name"], body["type"], body["institution"]) == ("IRA", "ira", "Fidelity")
    assert (body["lot_method"], body["track_wash_sales"]) == ("hifo", True)
    missing = run_cli("accounts", "delete", "Nope")
    assert missing.returncode == 1
    assert "No account named 'Nope'" in missing.stderr
    deleted = run_cli("accounts", "delete", "IRA", "--json")
    assert deleted.returncode == 0, deleted.stderr
    assert json.loads(run_cli("accounts", "list", "--json").stdout) == []


def test_paths_and_prefs(run_cli, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    paths = json.loads(run_cli("paths", "--json").stdout)
    assert paths["data_dir"] == str(data_dir)
    assert (data_dir / "logs").is_dir()
    assert (data_dir / "backups").is_dir()
    assert run_cli("prefs", "set", "theme", "dark").returncode == 0
    got = json.loads(run_cli("prefs", "get", "theme", "--json").stdout)
    assert got == {"key": "theme", "value": "dark"}
    bad = run_cli("prefs", "set", "theme", "purple")
    assert bad.returncode == 1
    assert "Preference 'theme'" in bad.stderr
    unknown = run_cli("prefs", "get", "colour")
    assert unknown.returncode == 1
    assert "Unknown preference 'colour'" in unknown.stderr


def test_environment_variable_chooses_the_folder(tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.conftest import cli_env

    home = tmp_path / "via-env"
    result = subprocess.run(
        [sys.executable, "-m", "portfolioos", "paths", "--json"],
        capture_output=True,
        text=True,
        env=cli_env(PORTFOLIOOS_HOME=str(home)),
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["data_dir"] == str(home)


def test_version(run_cli) -> None:  # type: ignore[no-untyped-def]
    from portfolioos import __version__

    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"PortfolioOS {__version__}"
