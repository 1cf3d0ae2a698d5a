"""Politeness towards data providers: a token bucket and bounded, jittered retries.

Yahoo throttles aggressively and without notice; FRED documents 120 requests/min
and we stay under 100. Time is injected (`clock`, `sleep`) so the behaviour is
tested with a fake clock instead of real waiting.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")

Clock = Callable[[], float]
Sleep = Callable[[float], None]


class TokenBucket:
    """`rate` tokens per second, at most `capacity` saved up; `acquire()` waits for one.

    Starts full, so a short burst (one sync of a few symbols) goes out at once and a
    long one settles at `rate`.
    """

    def __init__(
        self,
        rate: float,
        capacity: float = 1.0,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
    ) -> None:
        if rate <= 0 or capacity < 1:
            raise ValueError("rate must be > 0 and capacity >= 1")
        self.rate = rate
        self.capacity = capacity
        self._clock = clock
        self._sleep = sleep
        self._tokens = capacity
        self._stamp = clock()
        self._lock = threading.Lock()

    @classmethod
    def per_minute(cls, count: float, **kwargs: object) -> TokenBucket:
        return cls(count / 60.0, **kwargs)  # type: ignore[arg-type]

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    def acquire(self) -> float:
        """Take one token, sleeping until there is one; returns the seconds waited."""
        waited = 0.0
        with self._lock:
            self._refill()
            # The epsilon keeps float rounding (0.99999...) from spinning on tiny sleeps.
            while self._tokens < 1.0 - 1e-9:
                delay = (1.0 - self._tokens) / self.rate
                self._sleep(delay)
                waited += delay
                self._refill()
            self._tokens = max(self._tokens - 1.0, 0.0)
        return waited


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential backoff with full jitter (AWS architecture blog's recipe).

    Attempt n (0-based) waits a random time in [0, min(cap, base * 2**n)]; at most
    `retries` retries after the first try, so a dead provider costs a bounded time.
    """

    base: float = 1.0
    cap: float = 30.0
    retries: int = 3

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        ceiling = min(self.cap, self.base * (2**attempt))
        return (rng or random).uniform(0.0, ceiling)


def call_with_retries(
    call: Callable[[], T],
    *,
    retryable: Callable[[BaseException], bool],
    backoff: Backoff,
    limiter: TokenBucket | None = None,
    sleep: Sleep = time.sleep,
    rng: random.Random | None = None,
    on_retry: Callable[[int, BaseException, float], None] | None = None,
) -> T:
    """Run `call`, taking a token before every attempt; retry only retryable errors.

    The last error is re-raised once the retries are used up, so the caller still
    learns *why* (rate limited, server error) and can report it.
    """
    attempt = 0
    while True:
        if limiter is not None:
            limiter.acquire()
        try:
            return call()
        except BaseException as exc:
            if attempt >= backoff.retries or not retryable(exc):
                raise
            wait = backoff.delay(attempt, rng)
            logger.info("retrying after %s (attempt %d, waiting %.2fs)", exc, attempt + 1, wait)
            if on_retry is not None:
                on_retry(attempt, exc, wait)
            sleep(wait)
            attempt += 1
