"""Loopback HTTP servers speaking the real OpenAI and Anthropic wire formats.

Each records every request it receives (method, path, headers, body) so tests can
assert exactly what was sent, and how many requests arrived (zero, without consent).
Responses can be scripted: errors first (a 429 with Retry-After), a delay before the
first byte (timeouts), a pause between stream chunks (cancellation mid-stream).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Script:
    """What the server does; tests change it between calls."""

    answer: list[str] = field(default_factory=lambda: ["Hello", ", ", "world", "!"])
    model: str = "test-model"
    models: list[str] = field(default_factory=lambda: ["test-model", "other-model"])
    errors: list[tuple[int, dict[str, str], dict[str, Any]]] = field(default_factory=list)
    first_byte_delay: float = 0.0
    chunk_delay: float = 0.0
    usage: tuple[int, int] = (42, 7)
    fail_at_event: int | None = None  # Anthropic: send an `error` event in its place


class FakeLLMServer:
    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self.script = Script()
        self.requests: list[Received] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                server._handle(self, "GET")

            def do_POST(self) -> None:
                server._handle(self, "POST")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def start(self) -> FakeLLMServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # -- handling -----------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        length = int(h.headers.get("content-length") or 0)
        body = h.rfile.read(length) if length else b""
        with self.lock:
            self.requests.append(
                Received(method, h.path, {k.lower(): v for k, v in h.headers.items()}, body)
            )
            error = self.script.errors.pop(0) if self.script.errors else None
        if self.script.first_byte_delay:
            time.sleep(self.script.first_byte_delay)
        if error is not None:
            status, headers, payload = error
            self._json(h, payload, status=status, headers=headers)
            return
        if method == "GET" and h.path == "/v1/models":
            self._models(h)
        elif method == "POST" and h.path == "/v1/chat/completions" and self.dialect == "openai":
            self._openai(h, json.loads(body))
        elif method == "POST" and h.path == "/v1/messages" and self.dialect == "anthropic":
            self._anthropic(h, json.loads(body))
        else:
            self._json(h, {"error": {"message": f"no route {method} {h.path}"}}, status=404)

    def _json(
        self,
        h: BaseHTTPRequestHandler,
        payload: Any,
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> None:
        data = json.dumps(payload).encode()
        h.send_response(status)
        h.send_header("content-type", "application/json")
        h.send_header("content-length", str(len(data)))
        for name, value in (headers or {}).items():
            h.send_header(name, value)
        h.end_headers()
        h.wfile.write(data)

    def _sse(self, h: BaseHTTPRequestHandler, events: Iterator[bytes]) -> None:
        h.send_response(200)
        h.send_header("content-type", "text/event-stream")
        h.send_header("cache-control", "no-cache")
        h.send_header("connection", "close")
        h.end_headers()
        h.close_connection = True
        try:
            for i, event in enumerate(events):
                if i and self.script.chunk_delay:
                    time.sleep(self.script.chunk_delay)
                if i == self.script.fail_at_event:
                    error = {
                        "type": "error",
                        "error": {"type": "overloaded_error", "message": "Overloaded"},
                    }
                    h.wfile.write(f"event: error\ndata: {json.dumps(error)}\n\n".encode())
                    return
                h.wfile.write(event)
                h.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client cancelled

    def _models(self, h: BaseHTTPRequestHandler) -> None:
        if self.dialect == "openai":
            data = [
                {"id": m, "object": "model", "created": 1700000000, "owned_by": "test"}
                for m in self.script.models
            ]
            self._json(h, {"object": "list", "data": data})
        else:
            data = [
                {
                    "type": "model",
                    "id": m,
                    "display_name": m.title(),
                    "created_at": "2025-02-19T00:00:00Z",
                }
                for m in self.script.models
            ]
            self._json(
                h,
                {
                    "data": data,
                    "has_more": False,
                    "first_id": data[0]["id"],
                    "last_id": data[-1]["id"],
                },
            )

    def _openai(self, h: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        s = self.script
        prompt, completion = s.usage
        if not body.get("stream"):
            self._json(
                h,
                {
                    "id": "chatcmpl-1",
                    "object": "chat.completion",
                    "created": 1700000000,
                    "model": s.model,
                    "choices": [
                        {
                            "index": 0,
                            "finish_reason": "stop",
                            "message": {"role": "assistant", "content": "".join(s.answer)},
                        }
                    ],
                    "usage": {
                        "prompt_tokens": prompt,
                        "completion_tokens": completion,
                        "total_tokens": prompt + completion,
                    },
                },
            )
            return

        def chunk(payload: dict[str, Any]) -> bytes:
            base = {
                "id": "chatcmpl-1",
                "object": "chat.completion.chunk",
                "created": 1700000000,
                "model": s.model,
            }
            return f"data: {json.dumps({**base, **payload})}\n\n".encode()

        def events() -> Iterator[bytes]:
            yield chunk(
                {
                    "choices": [
                        {
                            "index": 0,
                            "delta": {"role": "assistant", "content": ""},
                            "finish_reason": None,
                        }
                    ]
                }
            )
            for piece in s.answer:
                yield chunk(
                    {"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                )
            yield chunk({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
            if (body.get("stream_options") or {}).get("include_usage"):
                yield chunk(
                    {
                        "choices": [],
                        "usage": {
                            "prompt_tokens": prompt,
                            "completion_tokens": completion,
                            "total_tokens": prompt + completion,
                        },
                    }
                )
            yield b"data: [DONE]\n\n"

        self._sse(h, events())

    def _anthropic(self, h: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        s = self.script
        prompt, completion = s.usage
        if not body.get("stream"):
            self._json(
                h,
                {
                    "id": "msg_1",
                    "type": "message",
                    "role": "assistant",
                    "model": s.model,
                    "content": [{"type": "text", "text": "".join(s.answer)}],
                    "stop_reason": "end_turn",
                    "stop_sequence": None,
                    "usage": {"input_tokens": prompt, "output_tokens": completion},
                },
            )
            return

        def event(name: str, payload: dict[str, Any]) -> bytes:
            return f"event: {name}\ndata: {json.dumps({'type': name, **payload})}\n\n".encode()

        def events() -> Iterator[bytes]:
            yield event(
                "message_start",
                {
                    "message": {
                        "id": "msg_1",
                        "type": "message",
                        "role": "assistant",
                        "content": [],
                        "model": s.model,
                        "stop_reason": None,
                        "stop_sequence": None,
                        "usage": {"input_tokens": prompt, "output_tokens": 1},
                    }
                },
            )
            yield event(
                "content_block_start", {"index": 0, "content_block": {"type": "text", "text": ""}}
            )
            yield event("ping", {})
            for piece in s.answer:
                yield event(
                    "content_block_delta",
                    {"index": 0, "delta": {"type": "text_delta", "text": piece}},
                )
            yield event("content_block_stop", {"index": 0})
            yield event(
                "message_delta",
                {
                    "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                    "usage": {"output_tokens": completion},
                },
            )
            yield event("message_stop", {})

        self._sse(h, events())


@contextmanager
def serving(dialect: str) -> Iterator[FakeLLMServer]:
    server = FakeLLMServer(dialect).start()
    try:
        yield server
    finally:
        server.stop()
