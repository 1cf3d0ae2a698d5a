"""Paths, version and preferences (the plan's system:* channels)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from portfolioos import __version__
from portfolioos.services.changes import Changes
from portfolioos.services.preferences import PREFERENCES, parse_preference

if TYPE_CHECKING:
    from portfolioos.services.context import AppContext


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
