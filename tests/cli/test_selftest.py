"""`portfolioos self-test` run for real, as a user (or the bundle build) runs it."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from portfolioos.cli.selftest import Step, StepFailed, run_steps, summary
from portfolioos.services.context import AppContext

STEP_NAMES = [
    "account",
    "import",
    "reconcile",
    "simulation",
    "libraries",
    "text",
    "window",
    "keychain",
]


def test_every_step_reports_and_the_run_passes(run_cli, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    proc = run_cli("self-test", "--json", "--skip", "keychain")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    steps = {s["name"]: s for s in report["steps"]}
    assert [s["name"] for s in report["steps"]] == STEP_NAMES
    assert report["passed"] is True
    assert steps["account"]["status"] == "ok"
    assert steps["window"]["status"] == "ok"
    assert steps["libraries"]["status"] == "ok", steps["libraries"]
    assert "duckdb" in steps["libraries"]["detail"]
    assert "page(s) rendered at" in steps["window"]["detail"]
    assert steps["text"]["status"] == "ok", steps["text"]
    assert steps["keychain"]["status"] == "skipped"
    for step in ("import", "reconcile", "simulation"):
        assert steps[step]["status"] == "ok", steps[step]
    assert report["summary"].startswith("self-test passed")
    # It worked in a throwaway folder, never in the user's data folder.
    assert not data_dir.exists()


def test_missing_keychain_fails_and_names_the_step(run_cli, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import cli_env

    env = cli_env(PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    proc = run_cli("self-test", "--skip", "window", "--keep", env=env)
    assert proc.returncode == 1
    lines = proc.stdout.strip().splitlines()
    assert lines[-1].startswith("self-test FAILED at step 'keychain'")
    assert "no usable keychain" in lines[-1]
    kept = Path(next(ln for ln in lines if ln.startswith("data folder kept: ")).split(": ", 1)[1])
    try:
        assert (kept / "config.sqlite").is_file()  # --keep leaves the folder to inspect
    finally:
        shutil.rmtree(kept.parent, ignore_errors=True)


@pytest.mark.keyring
@pytest.mark.skipif(
    not os.environ.get("DBUS_SESSION_BUS_ADDRESS"), reason="needs a D-Bus session keyring"
)
def test_keychain_step_against_the_secret_service(run_cli) -> None:  # type: ignore[no-untyped-def]
    proc = run_cli("self-test", "--json", "--skip", "window")
    report = json.loads(proc.stdout)
    keychain = next(s for s in report["steps"] if s["name"] == "keychain")
    assert keychain["status"] == "ok", keychain
    assert "SecretService" in keychain["detail"]


def test_a_failed_step_skips_its_dependants_and_the_rest_still_run(ctx: AppContext) -> None:
    ran: list[str] = []

    def broken(state: object) -> str:
        raise StepFailed("the sample is unreadable")

    def fine(state: object) -> str:
        ran.append("fine")
        return "ok"

    steps = (Step("first", broken), Step("second", fine, needs=("first",)), Step("third", fine))
    results = run_steps(ctx, steps)
    assert [(r.name, r.status) for r in results] == [
        ("first", "failed"),
        ("second", "skipped"),
        ("third", "ok"),
    ]
    assert results[1].detail == "skipped: needs first"
    assert ran == ["fine"]
    line = summary(results, 1.0)
    assert line.startswith("self-test FAILED at step 'first': the sample is unreadable")


def test_an_unexpected_error_is_reported_with_its_type(ctx: AppContext) -> None:
    def crash(state: object) -> str:
        raise ZeroDivisionError("division by zero")

    (result,) = run_steps(ctx, (Step("crash", crash),))
    assert result.status == "failed"
    assert result.detail == "ZeroDivisionError: division by zero"
    assert "Traceback" in result.trace


def test_a_long_multi_line_error_becomes_one_line_keeping_the_cause() -> None:
    from portfolioos.cli.selftest import one_line

    advice = "\n".join(["", "IMPORTANT: PLEASE READ THIS"] + ["advice line"] * 40)
    message = advice + "\nOriginal error was: libfoo.so: cannot open shared object file"
    line = one_line(message)
    assert "\n" not in line
    assert line.startswith("IMPORTANT: PLEASE READ THIS")
    assert line.endswith("Original error was: libfoo.so: cannot open shared object file")
    assert len(line) <= 303
    assert one_line("short") == "short"


def test_the_known_answer_comes_from_the_bundled_sample() -> None:
    from decimal import Decimal

    from portfolioos.cli.selftest import expected_shares, sample_path

    # resources/selftest/transactions.csv: buys of 20 VTI and 30 BND, a sale of 5 VTI.
    assert expected_shares(sample_path()) == {"VTI": Decimal(15), "BND": Decimal(30)}
