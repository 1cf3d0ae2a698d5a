"""Saved planner scenarios in config.sqlite (`scenarios`: name, plan JSON, last result)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from portfolioos.errors import NotFoundError
from portfolioos.storage.config_store import ConfigStore


@dataclass(frozen=True, slots=True)
class StoredScenario:
    id: int
    name: str
    config: dict[str, Any]
    last_result: dict[str, Any] | None
    updated_at: datetime


class ScenarioStore:
    def __init__(self, config: ConfigStore) -> None:
        self._config = config

    def save(self, name: str, config: dict[str, Any]) -> StoredScenario:
        """Insert or replace the plan named `name` (names are case-insensitive)."""
        with self._config.transaction() as conn:
            conn.execute(
                "INSERT INTO scenarios (name, config, last_result, updated_at) VALUES (?,?,NULL,?) "
                "ON CONFLICT(name) DO UPDATE SET config=excluded.config, last_result=NULL, "
                "updated_at=excluded.updated_at",
                (name, json.dumps(config), _now()),
            )
        return self.get(name)

    def get(self, name: str) -> StoredScenario:
        rows = self._config.query(
            "SELECT * FROM scenarios WHERE name = ? COLLATE NOCASE", (name.strip(),)
        )
        if not rows:
            raise NotFoundError(f"No saved scenario named '{name}'.")
        return _row(rows[0])

    def list(self) -> list[StoredScenario]:
        return [
            _row(r)
            for r in self._config.query("SELECT * FROM scenarios ORDER BY name COLLATE NOCASE")
        ]

    def delete(self, name: str) -> None:
        with self._config.transaction() as conn:
            cur = conn.execute(
                "DELETE FROM scenarios WHERE name = ? COLLATE NOCASE", (name.strip(),)
            )
            if cur.rowcount == 0:
                raise NotFoundError(f"No saved scenario named '{name}'.")

    def set_last_result(self, name: str, summary: dict[str, Any]) -> None:
        with self._config.transaction() as conn:
            cur = conn.execute(
                "UPDATE scenarios SET last_result = ?, updated_at = ? WHERE name = ? "
                "COLLATE NOCASE",
                (json.dumps(summary), _now(), name.strip()),
            )
            if cur.rowcount == 0:
                raise NotFoundError(f"No saved scenario named '{name}'.")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _row(row: sqlite3.Row) -> StoredScenario:
    last = row["last_result"]
    return StoredScenario(
        id=int(row["id"]),
        name=row["name"],
        config=json.loads(row["config"]),
        last_result=json.loads(last) if last is not None else None,
        updated_at=datetime.fromisoformat(row["updated_at"]),
    )
