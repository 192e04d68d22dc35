"""Client-side rate limiting: one token bucket per (account-application, operation).

Amazon throttles with token buckets (rate per second, burst) per account-application pair; the
documented usage plans are declared below, one line per operation (spapi-reference §b, §c, §e, §f,
§g, §h). The client's bucket refills at the documented rate but holds fewer tokens than Amazon's
(``client_burst``), so requests reach Amazon's bucket spaced out and network jitter never empties
it: the sustained rate stays the documented one, the 429s disappear. When a response carries
``x-amzn-RateLimit-Limit`` the bucket adopts that rate (Amazon may grant more, or less).
"""
from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class RateLimit:
    """Amazon's documented usage plan of one operation (``operation:variant`` for a stricter case)."""
    operation: str       # Amazon's operation id (putListingsItem …), or id:variant
    rate: float          # requests per second
    burst: int
    source: str          # where the figure comes from (reference section)

    @property
    def client_burst(self) -> int:
        """Tokens the client bucket may hold: half of Amazon's burst, at least one."""
        return max(1, self.burst // 2)


# Where the docs table and the model disagree, the lower figure (docs: burst 5 for every listings op).
RATE_LIMITS: tuple[RateLimit, ...] = (
    RateLimit("getMarketplaceParticipations", 0.016, 15, "§b sellers.json"),
    RateLimit("getAccount", 0.016, 15, "§b sellers.json"),
    RateLimit("putListingsItem", 5.0, 5, "§c listings-items-api-rate-limits"),
    RateLimit("patchListingsItem", 5.0, 5, "§c listings-items-api-rate-limits"),
    RateLimit("patchListingsItem:VALIDATION_PREVIEW", 1.0, 1, "§c patchlistingsitem reference"),
    RateLimit("getListingsItem", 5.0, 5, "§c listings-items-api-rate-limits"),
    RateLimit("deleteListingsItem", 5.0, 5, "§c listings-items-api-rate-limits"),
    RateLimit("searchListingsItems", 5.0, 5, "§c listings-items-api-rate-limits"),
    RateLimit("searchCatalogItems", 2.0, 2, "§e catalog-items-api-rate-limits"),
    RateLimit("getCatalogItem", 2.0, 2, "§e catalog-items-api-rate-limits"),
    RateLimit("createFeedDocument", 0.5, 15, "§f feeds_2021-06-30.json"),
    RateLimit("createFeed", 0.0083, 15, "§f feeds_2021-06-30.json"),
    # On top of createFeed: 5 JSON_LISTINGS_FEED per 5 minutes per region (2025-05-06 changelog).
    RateLimit("createFeed:JSON_LISTINGS_FEED", 5 / 300, 5, "§f update-feed-size-and-rate-limit-changes"),
    RateLimit("getFeed", 2.0, 15, "§f feeds_2021-06-30.json"),
    RateLimit("getFeeds", 0.0222, 10, "§f feeds_2021-06-30.json"),
    RateLimit("cancelFeed", 2.0, 15, "§f feeds_2021-06-30.json"),
    RateLimit("getFeedDocument", 0.0222, 10, "§f feeds_2021-06-30.json"),
    RateLimit("searchDefinitionsProductTypes", 5.0, 5, "§h product-type-definitions-api-rate-limits"),
    RateLimit("getDefinitionsProductType", 5.0, 5, "§h product-type-definitions-api-rate-limits"),
)

_BY_OPERATION = {r.operation: r for r in RATE_LIMITS}


def rate_limit(operation: str) -> RateLimit:
    """The documented usage plan of ``operation`` (KeyError if the operation is not declared)."""
    return _BY_OPERATION[operation]


class TokenBucket:
    """A thread-safe token bucket. ``acquire`` blocks until a token is free (or refuses to wait)."""

    def __init__(self, rate: float, burst: int, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.rate = float(rate)
        self.burst = int(burst)
        self._tokens = float(burst)
        self._clock, self._sleep = clock, sleep
        self._stamp = clock()
        self._lock = threading.Lock()

    def _refill(self, now: float) -> None:
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    def reserve(self, max_wait: float = math.inf) -> float | None:
        """Take a token now or in the future; return the seconds to wait, or None if > ``max_wait``."""
        with self._lock:
            now = self._clock()
            self._refill(now)
            wait = 0.0 if self._tokens >= 1 else (1 - self._tokens) / self.rate
            if wait > max_wait:
                return None
            # Tokens may go negative: later callers queue behind the ones already waiting.
            self._tokens -= 1
            return wait

    def acquire(self, max_wait: float = math.inf) -> bool:
        """Wait for a token; False (nothing taken) when it would take longer than ``max_wait``."""
        wait = self.reserve(max_wait)
        if wait is None:
            return False
        if wait > 0:
            self._sleep(wait)
        return True

    def set_rate(self, rate: float) -> None:
        """Adopt the rate Amazon announced (``x-amzn-RateLimit-Limit``)."""
        if rate > 0:
            with self._lock:
                self._refill(self._clock())
                self.rate = float(rate)

    def drain(self) -> None:
        """Empty the bucket after a 429: Amazon's own bucket is empty, so ours must be too."""
        with self._lock:
            self._refill(self._clock())
            self._tokens = min(self._tokens, 0.0)


class RateLimiter:
    """Token buckets keyed by (account key, operation), created on first use from :data:`RATE_LIMITS`."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self._buckets: dict[tuple[str, str], TokenBucket] = {}
        self._lock = threading.Lock()
        self._clock, self._sleep = clock, sleep

    def bucket(self, account: str, operation: str) -> TokenBucket:
        """The bucket of ``operation`` for ``account`` (an opaque key: endpoint + application + seller)."""
        key = (account, operation)
        with self._lock:
            found = self._buckets.get(key)
            if found is None:
                plan = rate_limit(operation)
                found = TokenBucket(plan.rate, plan.client_burst, clock=self._clock, sleep=self._sleep)
                self._buckets[key] = found
            return found

    def acquire(self, account: str, operation: str, max_wait: float = math.inf) -> bool:
        """Wait for the right to send one ``operation`` request."""
        return self.bucket(account, operation).acquire(max_wait)

    def observe(self, account: str, operation: str, headers) -> None:
        """Adapt to the ``x-amzn-RateLimit-Limit`` header of a response, when present and valid."""
        value = _header(headers, "x-amzn-RateLimit-Limit")
        try:
            rate = float(value) if value is not None else None
        except ValueError:
            rate = None
        if rate and rate > 0 and math.isfinite(rate):
            self.bucket(account, operation).set_rate(rate)

    def throttled(self, account: str, operation: str) -> None:
        """Note a 429 for ``operation``: empty its bucket."""
        self.bucket(account, operation).drain()


def _header(headers, name: str):
    if not headers:
        return None
    getter = getattr(headers, "get", None)
    value = getter(name) if getter else None
    if value is None and getter:
        lowered = name.lower()
        for key in headers:
            if str(key).lower() == lowered:
                return headers[key]
    return value


# The process-wide limiter: every client of this server process shares Amazon's quotas.
LIMITER = RateLimiter()
