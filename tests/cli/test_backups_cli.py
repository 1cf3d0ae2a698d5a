"""`portfolioos backups` in a real subprocess."""

from __future__ import annotations

import json
from pathlib import Path

from portfolioos.services.context import AppContext


def test_create_list_restore_round_trip(run_cli, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    assert run_cli("accounts", "add", "Before").returncode == 0
    created = run_cli("backups", "create", "--json")
    assert created.returncode == 0, created.stderr
    name = json.loads(created.stdout)["name"]
    assert run_cli("accounts", "add", "After").returncode == 0

    listed = run_cli("backups", "list", "--json")
    assert [b["name"] for b in json.loads(listed.stdout)] == [name]
    assert name in run_cli("backups", "list").stdout

    restored = run_cli("backups", "restore", name, "--json")
    assert restored.returncode == 0, restored.stderr
    outcome = json.loads(restored.stdout)
    assert outcome["ok"] and outcome["backup"] == name
    accounts = json.loads(run_cli("accounts", "list", "--json").stdout)
    assert [a["name"] for a in accounts] == ["Before"]
    listed = json.loads(run_cli("backups", "list", "--json").stdout)
    assert {b["name"] for b in listed} == {name, outcome["safety_backup"]}


def test_restore_refuses_while_the_folder_is_in_use(run_cli, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    name = json.loads(run_cli("backups", "create", "--json").stdout)["name"]
    with AppContext.open(data_dir):
        result = run_cli("backups", "restore", name)
    assert result.returncode == 1
    assert "already open with this data folder" in result.stderr
    assert not (data_dir / "backups" / "restore-pending.json").exists()


def test_unknown_backup_is_a_clear_error(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("backups", "restore", "20200101-000000")
    assert result.returncode == 1
    assert "No backup named '20200101-000000'" in result.stderr
