"""What every handler of the sandbox may use: state, catalogue, accounts, limits, faults, settings."""
from __future__ import annotations

import threading
from dataclasses import dataclass

from core.sandbox import product_types
from core.sandbox.accounts import AccountBook
from core.sandbox.catalog import Catalog
from core.sandbox.faults import FaultInjector
from core.sandbox.feeds import FeedTiming
from core.sandbox.lwa import Lwa
from core.sandbox.ratelimits import LIMITS_BY_OPERATION, TokenBuckets
from core.sandbox.routing import Request, Response, errors
from core.sandbox.store import Store

QUOTA_MESSAGE = "You exceeded your quota for the requested resource."


@dataclass
class SandboxContext:
    """Everything a handler may use: state, catalogue, accounts, limits, settings."""

    store: Store
    catalog: Catalog
    book: AccountBook
    lwa: Lwa
    buckets: TokenBuckets
    faults: FaultInjector
    rate_limits: bool
    feed_timing: FeedTiming
    gzip_reports: bool
    base_url: str = ""
    recorded: list | None = None   # when a list, every SP-API request is appended (tests check them against the models)

    def __post_init__(self):
        self.product_type_names = set(product_types.BY_NAME)
        self.feed_lock = threading.Lock()

    def throttled(self, operation: str, req: Request) -> bool:
        """True when the operation's bucket for this account is empty (always False with limits off)."""
        return self.rate_limits and not self.buckets.take(operation, req.account.seller_id + "|" + req.account.client_id)

    def quota_exceeded(self, operation: str) -> Response:
        """Amazon's 429 ``QuotaExceeded`` answer, with the operation's rate in ``x-amzn-RateLimit-Limit``."""
        response = errors(429, "QuotaExceeded", QUOTA_MESSAGE, "")
        response.headers["x-amzn-RateLimit-Limit"] = LIMITS_BY_OPERATION[operation].header
        return response
