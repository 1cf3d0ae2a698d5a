"""LLM provider rows in config.sqlite (`llm_providers`).

The schema enforces one default (a partial unique index); `set_default` clears and
sets inside one transaction so there is never a moment with two.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from portfolioos.errors import ConflictError, NotFoundError
from portfolioos.llm.types import Consent, PrivacyLevel, ProviderConfig, ProviderType
from portfolioos.storage.config_store import ConfigStore

_COLUMNS = (
    "name",
    "provider_type",
    "endpoint_url",
    "model",
    "is_local",
    "privacy_level",
    "rate_limit_per_min",
)


class ProviderStore:
    def __init__(self, config: ConfigStore) -> None:
        self._config = config

    def all(self) -> list[ProviderConfig]:
        return [
            _row(r)
            for r in self._config.query(
                "SELECT * FROM llm_providers ORDER BY is_default DESC, name COLLATE NOCASE"
            )
        ]

    def get(self, provider_id: int) -> ProviderConfig:
        rows = self._config.query("SELECT * FROM llm_providers WHERE id = ?", (provider_id,))
        if not rows:
            raise NotFoundError(f"No LLM provider with id {provider_id}.")
        return _row(rows[0])

    def find(self, name: str) -> ProviderConfig | None:
        rows = self._config.query(
            "SELECT * FROM llm_providers WHERE name = ? COLLATE NOCASE", (name.strip(),)
        )
        return _row(rows[0]) if rows else None

    def default(self) -> ProviderConfig | None:
        rows = self._config.query("SELECT * FROM llm_providers WHERE is_default = 1")
        return _row(rows[0]) if rows else None

    def insert(self, config: ProviderConfig) -> ProviderConfig:
        values = _values(config)
        try:
            with self._config.transaction() as conn:
                if config.is_default:
                    conn.execute("UPDATE llm_providers SET is_default = 0 WHERE is_default = 1")
                has_default = conn.execute(
                    "SELECT 1 FROM llm_providers WHERE is_default = 1"
                ).fetchall()
                cur = conn.execute(
                    f"INSERT INTO llm_providers ({', '.join(_COLUMNS)}, is_default, consent) "
                    f"VALUES ({', '.join('?' * len(_COLUMNS))}, ?, NULL)",
                    (*values, int(config.is_default or not has_default)),
                )
                new_id = int(cur.lastrowid or 0)
        except sqlite3.IntegrityError as exc:
            raise _integrity(exc, config.name) from None
        return self.get(new_id)

    def update(self, config: ProviderConfig) -> ProviderConfig:
        try:
            with self._config.transaction() as conn:
                cur = conn.execute(
                    f"UPDATE llm_providers SET {', '.join(c + ' = ?' for c in _COLUMNS)} "
                    "WHERE id = ?",
                    (*_values(config), config.id),
                )
                if cur.rowcount == 0:
                    raise NotFoundError(f"No LLM provider with id {config.id}.")
        except sqlite3.IntegrityError as exc:
            raise _integrity(exc, config.name) from None
        return self.get(config.id)

    def delete(self, provider_id: int) -> None:
        """Delete; when it was the default, the first remaining provider becomes it."""
        with self._config.transaction() as conn:
            cur = conn.execute("DELETE FROM llm_providers WHERE id = ?", (provider_id,))
            if cur.rowcount == 0:
                raise NotFoundError(f"No LLM provider with id {provider_id}.")
            if not conn.execute("SELECT 1 FROM llm_providers WHERE is_default = 1").fetchall():
                conn.execute(
                    "UPDATE llm_providers SET is_default = 1 WHERE id = "
                    "(SELECT id FROM llm_providers ORDER BY name COLLATE NOCASE LIMIT 1)"
                )

    def set_default(self, provider_id: int) -> None:
        with self._config.transaction() as conn:
            if not conn.execute(
                "SELECT 1 FROM llm_providers WHERE id = ?", (provider_id,)
            ).fetchall():
                raise NotFoundError(f"No LLM provider with id {provider_id}.")
            conn.execute("UPDATE llm_providers SET is_default = 0 WHERE is_default = 1")
            conn.execute("UPDATE llm_providers SET is_default = 1 WHERE id = ?", (provider_id,))

    def set_consent(self, provider_id: int, consent: Consent | None) -> None:
        value = json.dumps(consent.as_json()) if consent is not None else None
        with self._config.transaction() as conn:
            cur = conn.execute(
                "UPDATE llm_providers SET consent = ? WHERE id = ?", (value, provider_id)
            )
            if cur.rowcount == 0:
                raise NotFoundError(f"No LLM provider with id {provider_id}.")


def _values(config: ProviderConfig) -> tuple[Any, ...]:
    return (
        config.name.strip(),
        config.provider_type.value,
        config.endpoint_url,
        config.model,
        int(config.is_local),
        config.privacy_level.value,
        config.rate_limit_per_min,
    )


def _row(row: sqlite3.Row) -> ProviderConfig:
    consent = Consent.from_json(json.loads(row["consent"])) if row["consent"] else None
    return ProviderConfig(
        id=int(row["id"]),
        name=row["name"],
        provider_type=ProviderType(row["provider_type"]),
        endpoint_url=row["endpoint_url"],
        model=row["model"],
        is_default=bool(row["is_default"]),
        is_local=bool(row["is_local"]),
        privacy_level=PrivacyLevel(row["privacy_level"]),
        rate_limit_per_min=int(row["rate_limit_per_min"]),
        consent=consent,
    )


def _integrity(exc: sqlite3.IntegrityError, name: str) -> Exception:
    if "llm_providers.name" in str(exc):
        return ConflictError(f"An LLM provider named '{name}' already exists.")
    return ConflictError(f"The provider change was refused by the database: {exc}.")
