"""Shared fixtures. Qt runs offscreen; every test gets its own data folder.

Tests under tests/gui use pytest-qt's `qtbot` (one session QApplication). Pure tests
import no Qt.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("PORTFOLIOOS_HOME", None)
# The window's scheduled price sync stays off in tests (hermetic: no Yahoo); the sync
# controller's own tests turn it on against loopback servers.
os.environ["PORTFOLIOOS_NO_AUTOSYNC"] = "1"

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    return folder


@pytest.fixture
def ctx(data_dir: Path) -> Iterator[object]:
    from portfolioos.services.context import AppContext

    context = AppContext.open(data_dir)
    try:
        yield context
    finally:
        context.close()


def cli_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("PORTFOLIOOS_HOME", None)
    env.update(extra)
    return env


@pytest.fixture
def run_cli(data_dir: Path):  # type: ignore[no-untyped-def]
    """Run `python -m portfolioos --data-dir <data_dir> ARGS...` in a real subprocess."""

    def run(
        *args: str,
        input: str | None = None,
        data: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "portfolioos", "--data-dir", str(data or data_dir), *args],
            capture_output=True,
            text=True,
            input=input,
            env=env or cli_env(),
            timeout=300,
        )

    return run


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`keyring` tests write to the Secret Service: only the throwaway one that
    scripts/with-keyring.sh starts inside `dbus-run-session` (as scripts/test.sh does)."""
    if os.environ.get("DBUS_SESSION_BUS_ADDRESS") and os.environ.get("PORTFOLIOOS_TEST_KEYRING"):
        return
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        reason = (
            "no D-Bus session, so no Secret Service: run the tests with scripts/test.sh "
            "(dbus-run-session -- scripts/with-keyring.sh ...)"
        )
    else:
        reason = (
            "a D-Bus session exists but not the test keyring: run under "
            "scripts/with-keyring.sh so tests never write to your own keyring"
        )
    skip = pytest.mark.skip(reason=reason)
    for item in items:
        if "keyring" in item.keywords:
            item.add_marker(skip)
