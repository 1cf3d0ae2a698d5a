"""The assistant's conversations and messages in config.sqlite, and the last plan result
it may describe (the scenarios table's `last_result`)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from portfolioos.errors import NotFoundError
from portfolioos.llm.types import ChatMessage, Role
from portfolioos.storage.config_store import ConfigStore


@dataclass(frozen=True, slots=True)
class Conversation:
    id: int
    title: str
    provider_id: int | None
    created_at: datetime
    messages: int


@dataclass(frozen=True, slots=True)
class StoredMessage:
    id: int
    role: Role
    content: str
    created_at: datetime


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class ConversationStore:
    def __init__(self, config: ConfigStore) -> None:
        self._config = config

    def conversations(self) -> list[Conversation]:
        rows = self._config.query(
            "SELECT c.*, (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id) AS n "
            "FROM conversations c ORDER BY c.id DESC"
        )
        return [_conversation(r) for r in rows]

    def get(self, conversation_id: int) -> Conversation:
        rows = self._config.query(
            "SELECT c.*, (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id) AS n "
            "FROM conversations c WHERE c.id = ?",
            (conversation_id,),
        )
        if not rows:
            raise NotFoundError(f"No conversation with id {conversation_id}.")
        return _conversation(rows[0])

    def messages(self, conversation_id: int) -> list[StoredMessage]:
        self.get(conversation_id)
        rows = self._config.query(
            "SELECT * FROM messages WHERE conversation_id = ? ORDER BY id", (conversation_id,)
        )
        return [
            StoredMessage(
                int(r["id"]), r["role"], r["content"], datetime.fromisoformat(r["created_at"])
            )
            for r in rows
        ]

    def history(self, conversation_id: int) -> list[ChatMessage]:
        return [
            ChatMessage(m.role, m.content)
            for m in self.messages(conversation_id)
            if m.role != "system"
        ]

    def record_exchange(
        self,
        conversation_id: int | None,
        *,
        title: str,
        provider_id: int | None,
        question: str,
        answer: str,
    ) -> int:
        """Question and answer together in one transaction (never a question alone)."""
        now = _now()
        with self._config.transaction() as conn:
            if conversation_id is None:
                cur = conn.execute(
                    "INSERT INTO conversations (title, provider_id, created_at) VALUES (?,?,?)",
                    (title, provider_id, now),
                )
                conversation_id = int(cur.lastrowid or 0)
            elif not conn.execute(
                "SELECT 1 FROM conversations WHERE id = ?", (conversation_id,)
            ).fetchall():
                raise NotFoundError(f"No conversation with id {conversation_id}.")
            conn.execute(
                "INSERT INTO messages (conversation_id, role, content, created_at) "
                "VALUES (?, 'user', ?, ?), (?, 'assistant', ?, ?)",
                (conversation_id, question, now, conversation_id, answer, now),
            )
        return conversation_id

    def delete(self, conversation_id: int) -> None:
        with self._config.transaction() as conn:
            cur = conn.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))
            if cur.rowcount == 0:
                raise NotFoundError(f"No conversation with id {conversation_id}.")

    def latest_plan_result(self) -> tuple[str, Any, Any] | None:
        """(scenario name, config, last result) of the most recently run plan."""
        rows = self._config.query(
            "SELECT name, config, last_result FROM scenarios WHERE last_result IS NOT NULL "
            "ORDER BY updated_at DESC, id DESC LIMIT 1"
        )
        if not rows:
            return None
        return rows[0]["name"], json.loads(rows[0]["config"]), json.loads(rows[0]["last_result"])


def _conversation(row: sqlite3.Row) -> Conversation:
    return Conversation(
        int(row["id"]),
        row["title"],
        int(row["provider_id"]) if row["provider_id"] is not None else None,
        datetime.fromisoformat(row["created_at"]),
        int(row["n"]),
    )
