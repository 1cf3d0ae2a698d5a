"""Market data sources in config.sqlite (`data_sources`): on/off and a rate limit each.

The rows are seeded by the schema (Yahoo Finance, FRED); the user only toggles and
throttles them, so there is no insert or delete here.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from portfolioos.errors import NotFoundError
from portfolioos.storage.config_store import ConfigStore


@dataclass(frozen=True, slots=True)
class DataSource:
    id: int
    name: str
    source_type: str
    api_key_ref: str | None
    rate_limit_per_min: int
    enabled: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "source_type": self.source_type,
            "api_key_ref": self.api_key_ref,
            "rate_limit_per_min": self.rate_limit_per_min,
            "enabled": self.enabled,
        }


class DataSourceStore:
    def __init__(self, config: ConfigStore) -> None:
        self._config = config

    def all(self) -> list[DataSource]:
        return [_row(r) for r in self._config.query("SELECT * FROM data_sources ORDER BY id")]

    def get(self, source_id: int) -> DataSource:
        rows = self._config.query("SELECT * FROM data_sources WHERE id = ?", (source_id,))
        if not rows:
            raise NotFoundError(f"No data source with id {source_id}.")
        return _row(rows[0])

    def find(self, ref: str) -> DataSource | None:
        """By name or type ('FRED', 'fred', 'Yahoo Finance', 'yahoo')."""
        rows = self._config.query(
            "SELECT * FROM data_sources WHERE name = ? COLLATE NOCASE "
            "OR source_type = lower(?) ORDER BY id",
            (ref.strip(), ref.strip()),
        )
        return _row(rows[0]) if rows else None

    def update(self, source_id: int, *, enabled: bool, rate_limit_per_min: int) -> DataSource:
        with self._config.transaction() as conn:
            cur = conn.execute(
                "UPDATE data_sources SET enabled = ?, rate_limit_per_min = ? WHERE id = ?",
                (int(enabled), rate_limit_per_min, source_id),
            )
            if cur.rowcount == 0:
                raise NotFoundError(f"No data source with id {source_id}.")
        return self.get(source_id)


def _row(row: sqlite3.Row) -> DataSource:
    return DataSource(
        id=int(row["id"]),
        name=row["name"],
        source_type=row["source_type"],
        api_key_ref=row["api_key_ref"],
        rate_limit_per_min=int(row["rate_limit_per_min"]),
        enabled=bool(row["enabled"]),
    )
