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
