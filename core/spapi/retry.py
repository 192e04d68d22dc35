"""Bounded retries with exponential backoff and full jitter, for retryable failures only.

429, 5xx and network failures are retried; any other 4xx never is (sending the same bad request
again cannot succeed). Bounded twice: a number of attempts and a total time budget.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass, replace
from typing import Callable

from core.spapi.results import Result


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to insist. Delays in seconds; ``max_total`` caps the whole call, sleeps included."""
    max_attempts: int = 8
    base_delay: float = 0.5
    max_delay: float = 16.0
    max_total: float = 120.0

    def backoff(self, attempt: int, rng: random.Random | None = None) -> float:
        """Full jitter: uniform in [0, min(max_delay, base_delay · 2^(attempt-1))]."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** max(0, attempt - 1)))
        return (rng or random).uniform(0, ceiling)


DEFAULT_POLICY = RetryPolicy()
NO_RETRY = RetryPolicy(max_attempts=1)


def with_retries(attempt_once: Callable[[int], Result], policy: RetryPolicy = DEFAULT_POLICY, *,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
                 rng: random.Random | None = None) -> Result:
    """Call ``attempt_once(n)`` (n = 1, 2, …) until it succeeds, fails for good, or a bound is hit.

    The result carries the number of attempts made.
    """
    started = clock()
    attempt = 0
    while True:
        attempt += 1
        result = attempt_once(attempt)
        if result.ok or not result.retryable or attempt >= policy.max_attempts:
            return _with_attempts(result, attempt)
        delay = policy.backoff(attempt, rng)
        if clock() - started + delay > policy.max_total:
            return _with_attempts(result, attempt)
        sleep(delay)


def _with_attempts(result: Result, attempts: int) -> Result:
    return replace(result, attempts=attempts)
