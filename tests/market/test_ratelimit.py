from __future__ import annotations

import itertools
import random

import pytest

from portfolioos.market.ratelimit import Backoff, TokenBucket, call_with_retries


class FakeClock:
    """Time that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_yahoo_bucket_settles_at_two_per_second() -> None:
    clock = FakeClock()
    bucket = TokenBucket(2.0, capacity=2.0, clock=clock, sleep=clock.sleep)
    stamps = []
    for _ in range(12):
        bucket.acquire()
        stamps.append(clock.now)
    assert stamps[:2] == [0.0, 0.0]  # the saved-up burst
    assert stamps[-1] == pytest.approx(5.0)  # then 10 more at 0.5 s each
    gaps = [b - a for a, b in itertools.pairwise(stamps[2:])]
    assert all(g == pytest.approx(0.5) for g in gaps)


def test_fred_budget_never_exceeds_100_in_any_minute() -> None:
    clock = FakeClock()
    bucket = TokenBucket.per_minute(90, capacity=10.0, clock=clock, sleep=clock.sleep)
    stamps = []
    for _ in range(400):
        bucket.acquire()
        stamps.append(clock.now)
    worst = max(sum(1 for t in stamps if s <= t < s + 60.0) for s in stamps)
    assert 90 <= worst <= 100


def test_retries_are_bounded_and_back_off_with_jitter() -> None:
    clock = FakeClock()
    calls = []

    def always_busy() -> int:
        calls.append(clock.now)
        raise RuntimeError("429")

    backoff = Backoff(base=1.0, cap=8.0, retries=4)
    with pytest.raises(RuntimeError, match="429"):
        call_with_retries(
            always_busy,
            retryable=lambda e: True,
            backoff=backoff,
            sleep=clock.sleep,
            rng=random.Random(7),
        )
    assert len(calls) == 5
    assert len(clock.sleeps) == 4
    for attempt, waited in enumerate(clock.sleeps):
        assert 0.0 <= waited <= min(8.0, 2.0**attempt)
    assert len(set(clock.sleeps)) == 4  # jittered, not a fixed schedule


def test_non_retryable_errors_fail_at_once_and_success_stops_retrying() -> None:
    clock = FakeClock()
    with pytest.raises(ValueError):
        call_with_retries(
            lambda: (_ for _ in ()).throw(ValueError("unknown symbol")),
            retryable=lambda e: isinstance(e, RuntimeError),
            backoff=Backoff(retries=5),
            sleep=clock.sleep,
        )
    assert clock.sleeps == []

    outcomes = iter([RuntimeError("500"), RuntimeError("500"), "ok"])

    def flaky() -> str:
        item = next(outcomes)
        if isinstance(item, Exception):
            raise item
        return item

    bucket = TokenBucket(1.0, capacity=1.0, clock=clock, sleep=clock.sleep)
    assert (
        call_with_retries(
            flaky,
            retryable=lambda e: True,
            backoff=Backoff(base=0.1, retries=3),
            limiter=bucket,
            sleep=clock.sleep,
            rng=random.Random(1),
        )
        == "ok"
    )
    # Every attempt took a token: three attempts at 1/s need at least two seconds.
    assert clock.now >= 2.0
