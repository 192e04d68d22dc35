"""Amazon's documented rate limits per operation, as data, and the token buckets that enforce them.

Rates and bursts from reference §g (usage-plan table of each API's docs page; Listings Items from the
newer docs table, 5 rps / burst 5 for every operation, and 1 rps for a PATCH in VALIDATION_PREVIEW).
One bucket per (operation, selling-partner account), as Amazon limits per account-application pair.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimit:
    """Amazon's documented rate (requests per second) and burst of one operation."""
    operation: str
    rate: float   # tokens added per second
    burst: int    # bucket size

    @property
    def header(self) -> str:
        """Value of ``x-amzn-RateLimit-Limit`` as Amazon prints it (``5.0``, ``0.0083``)."""
        return repr(float(self.rate))


RATE_LIMITS: tuple[RateLimit, ...] = (
    RateLimit("getMarketplaceParticipations", 0.016, 15),
    RateLimit("getAccount", 0.016, 15),
    RateLimit("putListingsItem", 5.0, 5),
    RateLimit("patchListingsItem", 5.0, 5),
    RateLimit("patchListingsItem:VALIDATION_PREVIEW", 1.0, 1),
    RateLimit("getListingsItem", 5.0, 5),
    RateLimit("deleteListingsItem", 5.0, 5),
    RateLimit("searchListingsItems", 5.0, 5),
    RateLimit("searchCatalogItems", 2.0, 2),
    RateLimit("getCatalogItem", 2.0, 2),
    RateLimit("searchDefinitionsProductTypes", 5.0, 5),
    RateLimit("getDefinitionsProductType", 5.0, 5),
    RateLimit("createFeedDocument", 0.5, 15),
    RateLimit("createFeed", 0.0083, 15),
    # Feed-type limit on top of createFeed: 5 JSON_LISTINGS_FEED per 5 minutes per region (reference §f).
    RateLimit("createFeed:JSON_LISTINGS_FEED", 5 / 300, 5),
    RateLimit("getFeeds", 0.0222, 10),
    RateLimit("getFeed", 2.0, 15),
    RateLimit("cancelFeed", 2.0, 15),
    RateLimit("getFeedDocument", 0.0222, 10),
)

LIMITS_BY_OPERATION: dict[str, RateLimit] = {r.operation: r for r in RATE_LIMITS}


class TokenBuckets:
    """Thread-safe token buckets keyed by (operation, account); a bucket starts full."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._state: dict[tuple[str, str], tuple[float, float]] = {}  # key -> (tokens, last time)

    def take(self, operation: str, account_key: str) -> bool:
        """Consume one token; False (throttled) when the bucket is empty."""
        limit = LIMITS_BY_OPERATION[operation]
        now = self._clock()
        with self._lock:
            tokens, last = self._state.get((operation, account_key), (float(limit.burst), now))
            tokens = min(float(limit.burst), tokens + (now - last) * limit.rate)
            if tokens < 1.0:
                self._state[(operation, account_key)] = (tokens, now)
                return False
            self._state[(operation, account_key)] = (tokens - 1.0, now)
            return True
