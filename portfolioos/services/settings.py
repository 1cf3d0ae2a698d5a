"""Paths, version, preferences, data sources and backups (the plan's system:* channels)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from portfolioos import __version__
from portfolioos.errors import NotFoundError, ValidationError
from portfolioos.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress
from portfolioos.services.changes import Changes
from portfolioos.services.preferences import PREFERENCES, parse_preference

if TYPE_CHECKING:
    from portfolioos.services import backups
    from portfolioos.services.context import AppContext
    from portfolioos.storage.data_source_store import DataSource


class SettingsService:
    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx

    def version(self) -> str:
        return __version__

    def paths(self) -> dict[str, str]:
        return self._ctx.paths.as_dict()

    def get(self, key: str) -> Any:
        """The stored value, or the declared default."""
        parse_preference(key, PREFERENCES[key].default if key in PREFERENCES else None)
        stored = self._ctx.config.get_preference(key)
        return PREFERENCES[key].default if stored is None else stored

    def all(self) -> dict[str, Any]:
        stored = self._ctx.config.all_preferences()
        return {key: stored.get(key, pref.default) for key, pref in sorted(PREFERENCES.items())}

    def set(self, key: str, value: Any) -> Changes:
        self._ctx.config.set_preference(key, parse_preference(key, value))
        return Changes(preferences=True)

    def reset(self, key: str) -> Changes:
        parse_preference(key, PREFERENCES[key].default if key in PREFERENCES else None)
        self._ctx.config.delete_preference(key)
        return Changes(preferences=True)

    # UI state that is not a user preference (window geometry, last page) lives under
    # a `ui.` prefix so it never shows up as a setting.
    def ui_state(self, key: str, default: Any = None) -> Any:
        value = self._ctx.config.get_preference(f"ui.{key}")
        return default if value is None else value

    def set_ui_state(self, key: str, value: Any) -> None:
        self._ctx.config.set_preference(f"ui.{key}", value)

    # -- data sources -------------------------------------------------------------

    def data_sources(self) -> list[DataSource]:
        from portfolioos.storage.data_source_store import DataSourceStore

        return DataSourceStore(self._ctx.config).all()

    def update_data_source(
        self,
        ref: int | str,
        *,
        enabled: bool | None = None,
        rate_limit_per_min: int | None = None,
    ) -> tuple[DataSource, Changes]:
        """Switch a market data source on or off, or change its requests-per-minute cap."""
        from portfolioos.storage.data_source_store import DataSourceStore

        store = DataSourceStore(self._ctx.config)
        source = store.get(ref) if isinstance(ref, int) else store.find(ref)
        if source is None:
            names = ", ".join(s.name for s in store.all())
            raise NotFoundError(f"No data source named '{ref}' (sources: {names}).")
        limit = source.rate_limit_per_min if rate_limit_per_min is None else rate_limit_per_min
        if not 1 <= int(limit) <= 10_000:
            raise ValidationError(
                f"The rate limit for {source.name} must be between 1 and 10000 requests a minute.",
                field="rate_limit_per_min",
            )
        updated = store.update(
            source.id,
            enabled=source.enabled if enabled is None else bool(enabled),
            rate_limit_per_min=int(limit),
        )
        return updated, Changes(preferences=True)

    # -- backups ------------------------------------------------------------------

    def create_backup(
        self, *, progress: Progress = no_progress, cancel: CancelToken = NEVER_CANCELLED
    ) -> backups.Backup:
        from portfolioos.services import backups

        return backups.create_backup(self._ctx, progress=progress, cancel=cancel)

    def list_backups(self) -> list[backups.Backup]:
        from portfolioos.services import backups

        return backups.list_backups(self._ctx.paths)

    def restore_backup(self, name: str) -> backups.Backup:
        """Stage `name` to replace the databases when the app next starts (the open
        databases cannot be swapped under a running app); restart to apply it."""
        from portfolioos.services import backups

        return backups.stage_restore(self._ctx.paths, name)

    def pending_restore(self) -> str | None:
        from portfolioos.services import backups

        return backups.pending_restore(self._ctx.paths)

    def cancel_restore(self) -> bool:
        from portfolioos.services import backups

        return backups.cancel_restore(self._ctx.paths)

    def last_restore(self) -> backups.RestoreOutcome | None:
        from portfolioos.services import backups

        return backups.last_restore(self._ctx.paths)
