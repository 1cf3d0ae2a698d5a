"""OpenAI chat completions: LM Studio, OpenAI, OpenRouter and any compatible server.

Streams are `data: {chunk}` SSE lines ending with `data: [DONE]`; with
`stream_options.include_usage` the last chunk has empty `choices` and the `usage`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from typing import Any

from portfolioos.errors import LLMError, PortfolioOSError, ValidationError
from portfolioos.llm.base import ConnectionReport, TextStream
from portfolioos.llm.consent import ConsentGate, OutgoingRequest
from portfolioos.llm.transport import RetryPolicy, Timeouts, Transport
from portfolioos.llm.types import (
    ChatMessage,
    Completion,
    ModelInfo,
    ProviderConfig,
    ProviderType,
    Usage,
)
from portfolioos.progress import NEVER_CANCELLED, CancelToken
from portfolioos.secrets import scrub

# OpenRouter attributes traffic to an app by these two headers (openrouter.ai/docs).
OPENROUTER_HEADERS = {
    "HTTP-Referer": "https://github.com/portfolioos/portfolioos",
    "X-Title": "PortfolioOS",
}


class OpenAICompatibleProvider:
    def __init__(
        self,
        config: ProviderConfig,
        *,
        api_key: str | None,
        gate: ConsentGate,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        missing_key: str | None = None,
    ) -> None:
        self.config = config
        headers = {"accept": "application/json"}
        if config.provider_type is ProviderType.OPENROUTER:
            headers.update(OPENROUTER_HEADERS)
        secret = {"authorization": f"Bearer {api_key}"} if api_key else {}
        self._transport = Transport(
            config,
            gate=gate,
            headers=headers,
            secret_headers=secret,
            timeouts=timeouts,
            retry=retry,
            missing_key=missing_key,
        )

    def _model(self, model: str | None) -> str:
        chosen = model or self.config.model
        if not chosen:
            raise ValidationError(
                f"Provider '{self.config.name}' has no model set; give one with "
                "`llm providers add ... --model NAME` (see `llm models`).",
                field="model",
            )
        return chosen

    def chat_body(
        self,
        messages: Sequence[ChatMessage],
        *,
        model: str | None,
        stream: bool,
        max_tokens: int | None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self._model(model),
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "stream": stream,
        }
        if stream:
            body["stream_options"] = {"include_usage": True}
        if max_tokens is not None:
            body["max_tokens"] = max_tokens
        return body

    def chat_request(
        self,
        messages: Sequence[ChatMessage],
        *,
        model: str | None = None,
        stream: bool = True,
        max_tokens: int | None = None,
    ) -> OutgoingRequest:
        body = self.chat_body(messages, model=model, stream=stream, max_tokens=max_tokens)
        return self._transport.describe("POST", "chat/completions", body)

    def send(
        self,
        messages: Sequence[ChatMessage],
        *,
        model: str | None = None,
        max_tokens: int | None = None,
        cancel: CancelToken = NEVER_CANCELLED,
    ) -> Completion:
        body = self.chat_body(messages, model=model, stream=False, max_tokens=max_tokens)
        data = self._transport.request_json("POST", "chat/completions", body, cancel=cancel)
        try:
            choice = data["choices"][0]
            text = choice["message"].get("content") or ""
        except (KeyError, IndexError, TypeError, AttributeError):
            raise LLMError(
                f"{self.config.name} sent an answer without choices[0].message."
            ) from None
        return Completion(
            str(text),
            str(data.get("model") or body["model"]),
            _usage(data.get("usage")),
            choice.get("finish_reason"),
        )

    def stream(
        self,
        messages: Sequence[ChatMessage],
        *,
        model: str | None = None,
        max_tokens: int | None = None,
        cancel: CancelToken = NEVER_CANCELLED,
    ) -> TextStream:
        body = self.chat_body(messages, model=model, stream=True, max_tokens=max_tokens)

        def produce(out: TextStream) -> Iterator[str]:
            out.model = body["model"]
            for event in self._transport.stream_events(
                "POST", "chat/completions", body, cancel=cancel
            ):
                if event.data.strip() == "[DONE]":
                    return
                try:
                    chunk = json.loads(event.data)
                except json.JSONDecodeError:
                    raise LLMError(
                        f"{self.config.name} sent a stream chunk that is not JSON."
                    ) from None
                if not isinstance(chunk, dict):
                    continue
                if "error" in chunk:
                    err = chunk["error"]
                    detail = err.get("message") if isinstance(err, dict) else err
                    raise LLMError(f"{self.config.name} failed mid-answer: {scrub(str(detail))}")
                out.model = str(chunk.get("model") or out.model)
                if chunk.get("usage"):
                    out.usage = _usage(chunk["usage"])
                for choice in chunk.get("choices") or ():
                    delta = (choice.get("delta") or {}).get("content")
                    if choice.get("finish_reason"):
                        out.finish_reason = str(choice["finish_reason"])
                    if delta:
                        yield str(delta)

        return TextStream(produce)

    def list_models(self, *, cancel: CancelToken = NEVER_CANCELLED) -> list[ModelInfo]:
        data = self._transport.request_json("GET", "models", cancel=cancel)
        items = data.get("data") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise LLMError(f"{self.config.name} answered GET models without a 'data' list.")
        return [
            ModelInfo(str(m["id"]), str(m.get("name") or m["id"]))
            for m in items
            if isinstance(m, dict) and "id" in m
        ]

    def test_connection(self, *, cancel: CancelToken = NEVER_CANCELLED) -> ConnectionReport:
        return connection_report(self, cancel)


def connection_report(provider: Any, cancel: CancelToken) -> ConnectionReport:
    """A cheap request (the model list: no tokens spent) that proves endpoint and key.

    Consent errors propagate: a refused test must not look like a network problem.
    """
    from portfolioos.errors import ConsentRequiredError

    config: ProviderConfig = provider.config
    started = time.monotonic()
    try:
        models = provider.list_models(cancel=cancel)
    except ConsentRequiredError:
        raise
    except PortfolioOSError as exc:
        return ConnectionReport(
            False, config.name, config.endpoint_url, (), time.monotonic() - started, exc.message
        )
    names = tuple(m.id for m in models)
    note = ""
    if config.model and names and config.model not in names:
        note = f"; the configured model '{config.model}' is not among them"
    return ConnectionReport(
        True,
        config.name,
        config.endpoint_url,
        names,
        time.monotonic() - started,
        f"Connected: {len(names)} model(s) available{note}.",
    )


def _usage(data: Any) -> Usage | None:
    if not isinstance(data, dict):
        return None
    return Usage(int(data.get("prompt_tokens") or 0), int(data.get("completion_tokens") or 0))
