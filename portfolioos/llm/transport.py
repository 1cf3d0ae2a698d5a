"""HTTP for every provider: consent first, then rate limit, timeouts, bounded retries.

This is the only place a provider request leaves the process. The order is fixed:
the consent gate sees the exact request, the per-provider rate limiter waits for a
slot, then httpx sends with separate connect/read timeouts. 429 and 5xx answers are
retried a bounded number of times, waiting what `Retry-After` asks (refusing to wait
longer than `RetryPolicy.max_wait`); a stream is only retried before its first byte.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from portfolioos.errors import LLMError
from portfolioos.llm.consent import MASKED, ConsentGate, OutgoingRequest
from portfolioos.llm.sse import SSEEvent, SSEParser
from portfolioos.llm.types import ProviderConfig
from portfolioos.progress import NEVER_CANCELLED, CancelToken
from portfolioos.secrets import scrub

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Timeouts:
    connect: float = 10.0
    read: float = 120.0

    def httpx(self) -> httpx.Timeout:
        return httpx.Timeout(
            connect=self.connect, read=self.read, write=self.read, pool=self.connect
        )


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 4  # the first try included
    base_delay: float = 1.0  # doubled per retry when the server gives no Retry-After
    max_wait: float = 60.0  # a Retry-After beyond this is reported, not waited for


class RateLimiter:
    """At most `per_minute` requests in any 60-second window, shared by all threads."""

    def __init__(self, per_minute: int, *, window: float = 60.0) -> None:
        self.per_minute = max(1, per_minute)
        self.window = window
        self._sent: deque[float] = deque()
        self._lock = threading.Lock()

    def acquire(self, cancel: CancelToken = NEVER_CANCELLED) -> float:
        """Wait for a slot; returns the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = time.monotonic()
                while self._sent and now - self._sent[0] >= self.window:
                    self._sent.popleft()
                if len(self._sent) < self.per_minute:
                    self._sent.append(now)
                    return waited
                delay = self.window - (now - self._sent[0])
            step = min(delay, 0.1)
            _sleep(step, cancel)
            waited += step


_limiters: dict[int, RateLimiter] = {}
_limiters_lock = threading.Lock()


def limiter_for(config: ProviderConfig) -> RateLimiter:
    """One limiter per provider for the whole process, following its configured rate."""
    with _limiters_lock:
        limiter = _limiters.get(config.id)
        if limiter is None or limiter.per_minute != config.rate_limit_per_min:
            limiter = RateLimiter(config.rate_limit_per_min)
            _limiters[config.id] = limiter
        return limiter


def _sleep(seconds: float, cancel: CancelToken) -> None:
    end = time.monotonic() + seconds
    while True:
        cancel.check()
        left = end - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(left, 0.05))


@contextmanager
def _abort_on_cancel(response: httpx.Response, cancel: CancelToken) -> Iterator[None]:
    """While the body is read, a cancel shuts the connection's socket down, which wakes a
    blocked recv (closing it from another thread would not)."""
    if cancel is NEVER_CANCELLED:
        yield
        return
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.05):
            if cancel.cancelled:
                stream = response.extensions.get("network_stream")
                sock = stream.get_extra_info("socket") if stream is not None else None
                if sock is not None:
                    with suppress(OSError):
                        # the plain socket's shutdown, also under TLS: SSLSocket.shutdown
                        # would drop its SSL object under the reading thread
                        socket.socket.shutdown(sock, socket.SHUT_RDWR)
                return

    watcher = threading.Thread(target=watch, name="llm-cancel-watch", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()


def retry_after(response: httpx.Response) -> float | None:
    """Seconds the server asked us to wait (delta-seconds or an HTTP date)."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def error_detail(response: httpx.Response) -> str:
    """The provider's own error message (OpenAI and Anthropic shapes), keys scrubbed."""
    try:
        data = response.json()
    except (ValueError, UnicodeDecodeError):
        text = response.text.strip()[:300]
        return scrub(text) or response.reason_phrase
    if isinstance(data, dict):
        err = data.get("error")
        if isinstance(err, dict) and err.get("message"):
            return scrub(str(err["message"]))[:500]
        if isinstance(err, str):
            return scrub(err)[:500]
        if data.get("message"):
            return scrub(str(data["message"]))[:500]
    return scrub(json.dumps(data))[:300]


class Transport:
    def __init__(
        self,
        config: ProviderConfig,
        *,
        gate: ConsentGate,
        headers: dict[str, str] | None = None,
        secret_headers: dict[str, str] | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        limiter: RateLimiter | None = None,
        missing_key: str | None = None,
    ) -> None:
        self.config = config
        self._missing_key = missing_key
        self._gate = gate
        self._headers = dict(headers or {})
        self._secret_headers = dict(secret_headers or {})
        self.timeouts = timeouts or Timeouts()
        self.retry = retry or RetryPolicy()
        self._limiter = limiter or limiter_for(config)

    def url(self, path: str) -> str:
        return self.config.endpoint_url.rstrip("/") + "/" + path.lstrip("/")

    def describe(self, method: str, path: str, body: Any = None) -> OutgoingRequest:
        """The request as the consent prompt shows it: secret headers masked."""
        headers = dict(self._headers)
        if body is not None:
            headers["content-type"] = "application/json"
        headers.update({name: MASKED for name in self._secret_headers})
        return OutgoingRequest(method, self.url(path), headers, body)

    def request_json(
        self, method: str, path: str, body: Any = None, *, cancel: CancelToken = NEVER_CANCELLED
    ) -> Any:
        self._admit(method, path, body)
        with httpx.Client(timeout=self.timeouts.httpx()) as client:
            for attempt in range(1, self.retry.attempts + 1):
                request = self._build(client, method, path, body)
                response = self._send(client, request, stream=False, cancel=cancel)
                if self._should_retry(response, attempt, cancel):
                    continue
                self._raise_for_status(response)
                try:
                    return response.json()
                except ValueError:
                    raise LLMError(
                        f"{self.config.name} answered {method} {request.url} with something "
                        "that is not JSON."
                    ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def stream_events(
        self, method: str, path: str, body: Any, *, cancel: CancelToken = NEVER_CANCELLED
    ) -> Iterator[SSEEvent]:
        """The response's SSE events as they arrive.

        Cancel is checked between chunks and, while a read blocks (a model thinking, a
        stalled server), a watcher shuts the socket down so the read returns at once.
        """
        self._admit(method, path, body)
        with httpx.Client(timeout=self.timeouts.httpx()) as client:
            for attempt in range(1, self.retry.attempts + 1):
                request = self._build(client, method, path, body)
                response = self._send(client, request, stream=True, cancel=cancel)
                try:
                    if response.status_code >= 400:
                        response.read()
                        if self._should_retry(response, attempt, cancel):
                            continue
                        self._raise_for_status(response)
                    parser = SSEParser()
                    try:
                        with _abort_on_cancel(response, cancel):
                            for chunk in response.iter_text():
                                cancel.check()
                                yield from parser.feed(chunk)
                                cancel.check()
                    except httpx.ReadTimeout:
                        cancel.check()
                        raise LLMError(
                            f"{self.config.name} stopped sending for more than "
                            f"{self.timeouts.read:g} s in the middle of an answer."
                        ) from None
                    except httpx.TransportError as exc:
                        cancel.check()
                        raise LLMError(
                            f"The connection to {self.config.name} broke mid-answer: "
                            f"{scrub(str(exc)) or type(exc).__name__}."
                        ) from None
                    cancel.check()  # a cancel that cut the connection ends the loop early
                    yield from parser.close()
                    return
                finally:
                    response.close()

    # -- internals --------------------------------------------------------------

    def _admit(self, method: str, path: str, body: Any) -> None:
        """Consent first (so the user sees the request even before a key is set), then
        the key."""
        self._gate.require(self.config, self.describe(method, path, body))
        if self._missing_key:
            raise LLMError(
                f"No API key '{self._missing_key}' is stored for {self.config.name}; set it "
                f"with `portfolioos keys set {self._missing_key}` (or in Settings)."
            )

    def _build(self, client: httpx.Client, method: str, path: str, body: Any) -> httpx.Request:
        headers = {**self._headers, **self._secret_headers}
        if body is None:
            return client.build_request(method, self.url(path), headers=headers)
        content = json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers["content-type"] = "application/json"
        return client.build_request(method, self.url(path), headers=headers, content=content)

    def _send(
        self, client: httpx.Client, request: httpx.Request, *, stream: bool, cancel: CancelToken
    ) -> httpx.Response:
        cancel.check()
        self._limiter.acquire(cancel)
        cancel.check()
        try:
            return client.send(request, stream=stream)
        except httpx.ConnectTimeout:
            raise LLMError(
                f"Cannot reach {self.config.name} at {self.config.endpoint_url}: no connection "
                f"within {self.timeouts.connect:g} s."
            ) from None
        except httpx.ReadTimeout:
            raise LLMError(
                f"{self.config.name} did not answer within {self.timeouts.read:g} s "
                f"({request.method} {request.url})."
            ) from None
        except httpx.ConnectError as exc:
            raise LLMError(
                f"Cannot reach {self.config.name} at {self.config.endpoint_url}: "
                f"{scrub(str(exc)) or 'connection refused'}. Is the server running?"
            ) from None
        except httpx.TransportError as exc:
            raise LLMError(
                f"The request to {self.config.name} failed: "
                f"{scrub(str(exc)) or type(exc).__name__}."
            ) from None

    def _should_retry(self, response: httpx.Response, attempt: int, cancel: CancelToken) -> bool:
        status = response.status_code
        if status != 429 and status < 500:
            return False
        if attempt >= self.retry.attempts:
            return False
        asked = retry_after(response)
        wait = self.retry.base_delay * 2 ** (attempt - 1) if asked is None else asked
        if wait > self.retry.max_wait:
            raise LLMError(
                f"{self.config.name} is busy (HTTP {status}) and asks to retry after "
                f"{wait:.0f} s; try again later."
            )
        logger.info(
            "%s answered HTTP %s; retrying in %.2f s (attempt %d of %d)",
            self.config.name,
            status,
            wait,
            attempt + 1,
            self.retry.attempts,
        )
        response.close()
        _sleep(wait, cancel)
        return True

    def _raise_for_status(self, response: httpx.Response) -> None:
        status = response.status_code
        if status < 400:
            return
        detail = error_detail(response)
        if status in (401, 403):
            key = self.config.key_name
            hint = f" Check the key '{key}' (portfolioos keys set {key})." if key else ""
            raise LLMError(
                f"{self.config.name} refused the request (HTTP {status}): {detail}.{hint}"
            )
        if status == 404:
            raise LLMError(
                f"{self.config.name} has no {response.request.url.path} (HTTP 404): {detail}. "
                "Check the endpoint URL and the model name."
            )
        raise LLMError(f"{self.config.name} answered HTTP {status}: {detail}.")
