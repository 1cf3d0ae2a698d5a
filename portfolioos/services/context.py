"""An open data folder and the services over it.

`AppContext.open()` resolves the folder, creates it, optionally takes the single-writer
lock, and opens config.sqlite (cheap). The DuckDB files are opened on first use, so the
window paints before DuckDB is even imported. Services are created lazily, one each.
"""

from __future__ import annotations

import logging
import os
import threading
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING

from portfolioos.lock import DataFolderLock
from portfolioos.paths import DataPaths, resolve_data_dir
from portfolioos.storage.config_store import ConfigStore

if TYPE_CHECKING:
    from portfolioos.secrets import Keychain
    from portfolioos.services.accounts import AccountService
    from portfolioos.services.assistant import AssistantService
    from portfolioos.services.exports import ExportService
    from portfolioos.services.imports import ImportService
    from portfolioos.services.market import MarketService
    from portfolioos.services.portfolio import PortfolioService
    from portfolioos.services.settings import SettingsService
    from portfolioos.services.simulation import SimulationService
    from portfolioos.storage.duck import DuckDatabase

logger = logging.getLogger(__name__)


class AppContext:
    def __init__(
        self, paths: DataPaths, *, lock: DataFolderLock | None, config: ConfigStore
    ) -> None:
        self.paths = paths
        self.lock = lock
        self.config = config
        self._open_lock = threading.Lock()

    @classmethod
    def open(
        cls, data_dir: str | os.PathLike[str] | None = None, *, writer: bool = True
    ) -> AppContext:
        """Open a data folder; `writer=True` refuses if another process owns it."""
        paths = resolve_data_dir(data_dir).ensure()
        lock = DataFolderLock(paths.lock_file).acquire() if writer else None
        try:
            if lock is not None and paths.pending_restore_file.exists():
                # A restore staged from Settings swaps the files now: the lock is held
                # and no database of the folder is open yet.
                from portfolioos.services.backups import apply_pending_restore

                apply_pending_restore(paths)
            config = ConfigStore(paths.config_db, paths.backups)
        except BaseException:
            if lock:
                lock.release()
            raise
        return cls(paths, lock=lock, config=config)

    @cached_property
    def portfolio_db(self) -> DuckDatabase:
        from portfolioos.memory import keep_freed_memory
        from portfolioos.storage import portfolio_schema
        from portfolioos.storage.duck import DuckDatabase

        keep_freed_memory()  # the ledger's bulk reads reuse their buffers (see memory.py)

        with self._open_lock:
            return DuckDatabase(
                self.paths.portfolio_db, portfolio_schema.MIGRATIONS, self.paths.backups
            )

    @cached_property
    def market_db(self) -> DuckDatabase:
        from portfolioos.storage import market_schema
        from portfolioos.storage.duck import DuckDatabase

        with self._open_lock:
            return DuckDatabase(self.paths.market_db, market_schema.MIGRATIONS, self.paths.backups)

    # -- services ---------------------------------------------------------------

    @cached_property
    def settings(self) -> SettingsService:
        from portfolioos.services.settings import SettingsService

        return SettingsService(self)

    @cached_property
    def accounts(self) -> AccountService:
        """Account operations without the engine's imports (the window's first paint)."""
        from portfolioos.services.accounts import AccountService

        return AccountService(self)

    @cached_property
    def portfolio(self) -> PortfolioService:
        from portfolioos.services.portfolio import PortfolioService

        return PortfolioService(self)

    @cached_property
    def simulation(self) -> SimulationService:
        from portfolioos.services.simulation import SimulationService

        return SimulationService(self)

    @cached_property
    def keychain(self) -> Keychain:
        from portfolioos import secrets

        # Also the one `secrets.get_secret()` uses from now on (fallback file and opt-in
        # live in this data folder).
        return secrets.configure(self.paths.root, config=self.config)

    @cached_property
    def assistant(self) -> AssistantService:
        from portfolioos.services.assistant import AssistantService

        return AssistantService(self)

    @cached_property
    def market(self) -> MarketService:
        from portfolioos.services.market import MarketService

        return MarketService(self)

    @cached_property
    def imports(self) -> ImportService:
        from portfolioos.services.imports import ImportService

        return ImportService(self)

    @cached_property
    def exports(self) -> ExportService:
        from portfolioos.services.exports import ExportService

        return ExportService(self)

    # -- lifetime ---------------------------------------------------------------

    def close(self) -> None:
        for name in ("portfolio_db", "market_db"):
            db = self.__dict__.pop(name, None)
            if db is not None:
                db.close()
        self.config.close()
        if self.lock is not None:
            self.lock.release()

    def __enter__(self) -> AppContext:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
