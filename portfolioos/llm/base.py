"""The one protocol every provider speaks, and the streamed-answer object."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from portfolioos.llm.consent import OutgoingRequest
from portfolioos.llm.types import ChatMessage, Completion, ModelInfo, ProviderConfig, Usage
from portfolioos.progress import NEVER_CANCELLED, CancelToken


@dataclass(frozen=True, slots=True)
class ConnectionReport:
    ok: bool
    provider: str
    endpoint: str
    models: tuple[str, ...]
    seconds: float
    message: str


class TextStream:
    """Iterate for text deltas as they arrive; `usage`, `model` and `finish_reason` are
    filled in once the stream has ended (a provider reports usage last)."""

    def __init__(self, produce: Callable[[TextStream], Iterator[str]]) -> None:
        self.usage: Usage | None = None
        self.model = ""
        self.finish_reason: str | None = None
        self.text = ""
        self._produce = produce
        self._started = False

    def __iter__(self) -> Iterator[str]:
        if self._started:
            raise RuntimeError("a TextStream can be iterated once")
        self._started = True
        for delta in self._produce(self):
            self.text += delta
            yield delta

    def collect(self) -> Completion:
        for _ in self:
            pass
        return Completion(self.text, self.model, self.usage, self.finish_reason)


class LLMProvider(Protocol):
    config: ProviderConfig

    def chat_request(
        self,
        messages: Sequence[ChatMessage],
        *,
        model: str | None = None,
        stream: bool = True,
        max_tokens: int | None = None,
    ) -> OutgoingRequest:
        """Exactly what `send`/`stream` would send, for the consent prompt."""
        ...

    def send(
        self,
        messages: Sequence[ChatMessage],
        *,
        model: str | None = None,
        max_tokens: int | None = None,
        cancel: CancelToken = NEVER_CANCELLED,
    ) -> Completion: ...

    def stream(
        self,
        messages: Sequence[ChatMessage],
        *,
        model: str | None = None,
        max_tokens: int | None = None,
        cancel: CancelToken = NEVER_CANCELLED,
    ) -> TextStream: ...

    def list_models(self, *, cancel: CancelToken = NEVER_CANCELLED) -> list[ModelInfo]: ...

    def test_connection(self, *, cancel: CancelToken = NEVER_CANCELLED) -> ConnectionReport: ...
