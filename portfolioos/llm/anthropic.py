"""Anthropic Messages API: x-api-key and anthropic-version headers, typed SSE events.

A stream is message_start (input usage), content_block_start/_delta/_stop (text in
`text_delta`s), message_delta (stop reason, output usage), message_stop; `ping` may come
anywhere and `error` ends the stream with the server's message.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from portfolioos.errors import LLMError, ValidationError
from portfolioos.llm.base import ConnectionReport, TextStream
from portfolioos.llm.consent import ConsentGate, OutgoingRequest
from portfolioos.llm.openai_compat import connection_report
from portfolioos.llm.transport import RetryPolicy, Timeouts, Transport
from portfolioos.llm.types import ChatMessage, Completion, ModelInfo, ProviderConfig, Usage
from portfolioos.progress import NEVER_CANCELLED, CancelToken
from portfolioos.secrets import scrub

ANTHROPIC_VERSION = "2023-06-01"
DEFAULT_MAX_TOKENS = 1024


class AnthropicProvider:
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
        headers = {"accept": "application/json", "anthropic-version": ANTHROPIC_VERSION}
        secret = {"x-api-key": api_key} if api_key else {}
        self._transport = Transport(
            config,
            gate=gate,
            headers=headers,
            secret_headers=secret,
            timeouts=timeouts,
            retry=retry,
            missing_key=missing_key,
        )

    def chat_body(
        self,
        messages: Sequence[ChatMessage],
        *,
        model: str | None,
        stream: bool,
        max_tokens: int | None,
    ) -> dict[str, Any]:
        chosen = model or self.config.model
        if not chosen:
            raise ValidationError(
                f"Provider '{self.config.name}' has no model set; give one with "
                "`llm providers add ... --model NAME` (see `llm models`).",
                field="model",
            )
        system = "\n\n".join(m.content for m in messages if m.role == "system")
        body: dict[str, Any] = {
            "model": chosen,
            "max_tokens": max_tokens or DEFAULT_MAX_TOKENS,
            "messages": [
                {"role": m.role, "content": m.content} for m in messages if m.role != "system"
            ],
        }
        if system:
            body["system"] = system
        if stream:
            body["stream"] = True
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
        return self._transport.describe("POST", "messages", body)

    def send(
        self,
        messages: Sequence[ChatMessage],
        *,
        model: str | None = None,
        max_tokens: int | None = None,
        cancel: CancelToken = NEVER_CANCELLED,
    ) -> Completion:
        body = self.chat_body(messages, model=model, stream=False, max_tokens=max_tokens)
        data = self._transport.request_json("POST", "messages", body, cancel=cancel)
        if not isinstance(data, dict) or not isinstance(data.get("content"), list):
            raise LLMError(f"{self.config.name} sent an answer without a content list.")
        text = "".join(
            str(block.get("text", ""))
            for block in data["content"]
            if isinstance(block, dict) and block.get("type") == "text"
        )
        return Completion(
            text,
            str(data.get("model") or body["model"]),
            _usage(data.get("usage")),
            data.get("stop_reason"),
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
            input_tokens = output_tokens = 0
            for event in self._transport.stream_events("POST", "messages", body, cancel=cancel):
                if event.event == "ping":
                    continue
                try:
                    data = json.loads(event.data)
                except json.JSONDecodeError:
                    raise LLMError(f"{self.config.name} sent an event that is not JSON.") from None
                kind = event.event if event.event != "message" else str(data.get("type", ""))
                if kind == "error":
                    err = data.get("error") or {}
                    raise LLMError(
                        f"{self.config.name} failed mid-answer: "
                        f"{scrub(str(err.get('message') or err.get('type')))}"
                    )
                if kind == "message_start":
                    message = data.get("message") or {}
                    out.model = str(message.get("model") or out.model)
                    usage = message.get("usage") or {}
                    input_tokens = int(usage.get("input_tokens") or 0)
                    output_tokens = int(usage.get("output_tokens") or 0)
                elif kind == "content_block_delta":
                    delta = data.get("delta") or {}
                    if delta.get("type") == "text_delta" and delta.get("text"):
                        yield str(delta["text"])
                elif kind == "message_delta":
                    out.finish_reason = (data.get("delta") or {}).get("stop_reason")
                    usage = data.get("usage") or {}
                    output_tokens = int(usage.get("output_tokens") or output_tokens)
                    input_tokens = int(usage.get("input_tokens") or input_tokens)
                elif kind == "message_stop":
                    break
            out.usage = Usage(input_tokens, output_tokens)

        return TextStream(produce)

    def list_models(self, *, cancel: CancelToken = NEVER_CANCELLED) -> list[ModelInfo]:
        data = self._transport.request_json("GET", "models", cancel=cancel)
        items = data.get("data") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise LLMError(f"{self.config.name} answered GET models without a 'data' list.")
        return [
            ModelInfo(str(m["id"]), str(m.get("display_name") or m["id"]))
            for m in items
            if isinstance(m, dict) and "id" in m
        ]

    def test_connection(self, *, cancel: CancelToken = NEVER_CANCELLED) -> ConnectionReport:
        return connection_report(self, cancel)


def _usage(data: Any) -> Usage | None:
    if not isinstance(data, dict):
        return None
    return Usage(int(data.get("input_tokens") or 0), int(data.get("output_tokens") or 0))
