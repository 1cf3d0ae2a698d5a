"""Saved import mappings per account (config.sqlite `import_mappings`)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from portfolioos.storage.config_store import ConfigStore


class MappingStore:
    def __init__(self, config: ConfigStore) -> None:
        self.config = config

    def save(self, account_id: int, name: str, mapping: dict[str, Any]) -> None:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self.config.transaction() as conn:
            conn.execute(
                "INSERT INTO import_mappings (account_id, name, mapping, updated_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (account_id, name)"
                " DO UPDATE SET mapping = excluded.mapping, updated_at = excluded.updated_at",
                (account_id, name, json.dumps(mapping, sort_keys=True), now),
            )

    def load(self, account_id: int) -> list[tuple[str, dict[str, Any]]]:
        rows = self.config.query(
            "SELECT name, mapping FROM import_mappings WHERE account_id = ? ORDER BY name",
            (account_id,),
        )
        return [(str(r["name"]), json.loads(r["mapping"])) for r in rows]

    def delete(self, account_id: int, name: str) -> bool:
        with self.config.transaction() as conn:
            cur = conn.execute(
                "DELETE FROM import_mappings WHERE account_id = ? AND name = ?", (account_id, name)
            )
            return cur.rowcount > 0
