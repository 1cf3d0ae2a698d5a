"""Where PortfolioOS keeps its files.

The data folder is `platformdirs.user_data_dir("PortfolioOS")` unless the
`PORTFOLIOOS_HOME` environment variable or the `--data-dir` option says otherwise,
so tests, portable installs and a second profile never touch the real one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from portfolioos import APP_NAME
from portfolioos.errors import StorageError

ENV_HOME = "PORTFOLIOOS_HOME"


@dataclass(frozen=True, slots=True)
class DataPaths:
    """Every file and folder inside one data folder."""

    root: Path

    @property
    def portfolio_db(self) -> Path:
        return self.root / "portfolio.duckdb"

    @property
    def market_db(self) -> Path:
        return self.root / "market.duckdb"

    @property
    def config_db(self) -> Path:
        return self.root / "config.sqlite"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def log_file(self) -> Path:
        return self.logs / "portfolioos.log"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def pending_restore_file(self) -> Path:
        """A restore staged from Settings, applied at the next start (services.backups)."""
        return self.backups / "restore-pending.json"

    @property
    def lock_file(self) -> Path:
        return self.root / "portfolioos.lock"

    def as_dict(self) -> dict[str, str]:
        return {
            "data_dir": str(self.root),
            "portfolio_db": str(self.portfolio_db),
            "market_db": str(self.market_db),
            "config_db": str(self.config_db),
            "logs": str(self.logs),
            "log_file": str(self.log_file),
            "backups": str(self.backups),
        }

    def ensure(self) -> DataPaths:
        """Create the folder tree on first use; say plainly when that is impossible."""
        try:
            for folder in (self.root, self.logs, self.backups):
                folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(
                f"Cannot create the data folder {self.root}: {exc.strerror or exc}"
            ) from None
        return self


def default_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> DataPaths:
    """`--data-dir` wins over `PORTFOLIOOS_HOME`, which wins over the platform default."""
    if explicit:
        root = Path(explicit)
    elif os.environ.get(ENV_HOME):
        root = Path(os.environ[ENV_HOME])
    else:
        root = default_data_dir()
    return DataPaths(root.expanduser().absolute())


def resources_dir() -> Path:
    """Bundled read-only resources; works from a checkout and from a PyInstaller bundle."""
    import sys

    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"
