"""Rate limiter and retries: documented rates as data, token buckets, backoff, what is retried."""
import random
import threading
import time

import pytest
from sp_api.base.exceptions import (
    SellingApiBadRequestException,
    SellingApiForbiddenException,
    SellingApiRequestThrottledException,
    SellingApiServerException,
)

from core.spapi import client as spclient
from core.spapi.ratelimit import RATE_LIMITS, RateLimiter, TokenBucket, rate_limit
from core.spapi.results import ERROR_KINDS, ApiError, Ok, kind_for_status
from core.spapi.retry import RetryPolicy, with_retries


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def test_documented_rates_are_declared_once_and_plausible():
    ops = [r.operation for r in RATE_LIMITS]
    assert len(ops) == len(set(ops))
    assert rate_limit("putListingsItem").rate == 5.0
    assert rate_limit("searchCatalogItems").rate == 2.0 and rate_limit("searchCatalogItems").burst == 2
    assert rate_limit("getMarketplaceParticipations").rate == pytest.approx(0.016)
    for r in RATE_LIMITS:
        assert r.rate > 0 and r.burst >= 1 and r.source
        assert 1 <= r.client_burst <= r.burst


def test_bucket_spends_burst_then_waits_one_over_rate():
    clock = FakeClock()
    bucket = TokenBucket(5.0, 2, clock=clock, sleep=clock.sleep)
    for _ in range(2):
        assert bucket.acquire()
    assert clock.sleeps == []
    assert bucket.acquire()
    assert clock.sleeps == [pytest.approx(0.2)]
    # Sustained: 100 more tokens take 100 / 5 = 20 s of (fake) time.
    start = clock.now
    for _ in range(100):
        bucket.acquire()
    assert clock.now - start == pytest.approx(20.0, rel=1e-6)


def test_bucket_refuses_to_wait_beyond_max_wait_and_takes_nothing():
    clock = FakeClock()
    bucket = TokenBucket(0.016, 1, clock=clock, sleep=clock.sleep)
    assert bucket.acquire(max_wait=1)
    assert not bucket.acquire(max_wait=1)      # would wait 62 s
    clock.now += 63
    assert bucket.acquire(max_wait=1)


def test_rate_header_adapts_the_bucket_and_429_drains_it():
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    limiter.observe("acct", "putListingsItem", {"x-amzn-RateLimit-Limit": "10.0"})
    assert limiter.bucket("acct", "putListingsItem").rate == 10.0
    limiter.observe("acct", "putListingsItem", {"X-Amzn-Ratelimit-Limit": "junk"})
    assert limiter.bucket("acct", "putListingsItem").rate == 10.0
    limiter.throttled("acct", "putListingsItem")
    limiter.acquire("acct", "putListingsItem")
    assert clock.sleeps == [pytest.approx(0.1)]
    # Buckets are per account and per operation.
    assert limiter.bucket("other", "putListingsItem").rate == 5.0


def test_bucket_is_thread_safe_and_paces_real_threads():
    bucket = TokenBucket(50.0, 1)
    times = []
    lock = threading.Lock()

    def worker():
        for _ in range(10):
            bucket.acquire()
            with lock:
                times.append(time.monotonic())

    threads = [threading.Thread(target=worker) for _ in range(4)]
    start = time.monotonic()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    # 40 tokens, 1 free: at least 39 / 50 s, whatever the number of threads.
    assert len(times) == 40
    assert max(times) - start >= 39 / 50 - 0.02


def test_backoff_is_full_jitter_exponential_and_capped():
    policy = RetryPolicy(max_attempts=10, base_delay=1.0, max_delay=8.0)
    rng = random.Random(1)
    for attempt, ceiling in [(1, 1), (2, 2), (3, 4), (4, 8), (7, 8)]:
        draws = [policy.backoff(attempt, rng) for _ in range(300)]
        assert 0 <= min(draws) and max(draws) <= ceiling
        assert max(draws) > ceiling * 0.8      # spread over the whole interval (full jitter)


@pytest.mark.parametrize("kind,retried", sorted(ERROR_KINDS.items()))
def test_only_throttling_server_and_network_errors_are_retried(kind, retried):
    clock = FakeClock()
    calls = []

    def once(n):
        calls.append(n)
        return ApiError(kind, 400)

    result = with_retries(once, RetryPolicy(max_attempts=4, base_delay=0.1), sleep=clock.sleep, clock=clock)
    assert not result.ok and result.kind == kind
    assert len(calls) == (4 if retried else 1)
    assert result.attempts == len(calls)


def test_retries_stop_at_the_time_budget():
    clock = FakeClock()
    policy = RetryPolicy(max_attempts=100, base_delay=10, max_delay=10, max_total=30)
    calls = []
    result = with_retries(lambda n: calls.append(n) or ApiError("server", 503), policy, sleep=clock.sleep,
                          clock=clock, rng=random.Random(3))
    assert not result.ok and clock.now <= 30 and 2 <= len(calls) < 100


def test_success_after_failures_reports_attempts():
    outcomes = iter([ApiError("throttled", 429), ApiError("server", 503), Ok({"a": 1})])
    clock = FakeClock()
    result = with_retries(lambda n: next(outcomes), RetryPolicy(base_delay=0.01), sleep=clock.sleep, clock=clock)
    assert result.ok and result.payload == {"a": 1} and result.attempts == 3


def test_status_codes_map_to_kinds():
    assert [kind_for_status(s) for s in (400, 401, 403, 404, 409, 429, 500, 503)] == [
        "invalid", "unauthorized", "forbidden", "not_found", "invalid", "throttled", "server", "server"]
    with pytest.raises(ValueError):
        ApiError("bogus")


@pytest.mark.parametrize("exc,kind", [
    (SellingApiRequestThrottledException([{"code": "QuotaExceeded", "message": "quota"}]), "throttled"),
    (SellingApiServerException([{"code": "InternalFailure", "message": "boom"}]), "server"),
    (SellingApiForbiddenException([{"code": "Unauthorized", "message": "denied"}]), "forbidden"),
    (SellingApiBadRequestException([{"code": "InvalidInput", "message": "bad"}]), "invalid"),
])
def test_sp_api_exceptions_become_typed_errors(exc, kind):
    err = spclient.error_from_exception(exc)
    assert err.kind == kind and err.amazon_code == exc.error[0]["code"] and err.message == exc.error[0]["message"]


def test_stricter_plans_apply_on_top_of_the_operation(monkeypatch):
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    calls = []
    monkeypatch.setattr(spclient, "client_for", lambda *a, **k: object())
    monkeypatch.setattr(spclient, "invoke_once", lambda client, invoke: (Ok({"feedId": "1"}), {}))
    from core.marketplaces import marketplace
    from core.spapi.credentials import Credentials
    cfg = spclient.SpApiConfig("local_sandbox", marketplace("FR"), Credentials("id-123456", "s-123456", "Atzr|x"),
                               "A1", "http://127.0.0.1:1")
    for _ in range(3):
        calls.append(spclient.call(cfg, "createFeed", lambda c: None, api=object, limiter=limiter,
                                   also_limited_by=("createFeed:JSON_LISTINGS_FEED",)))
    assert all(r.ok for r in calls)
    # JSON_LISTINGS_FEED: 5 per 300 s, the client holds 2 → the third feed waits 60 s (createFeed alone: 0).
    assert clock.sleeps == [pytest.approx(60.0)]
    assert rate_limit("patchListingsItem:VALIDATION_PREVIEW").rate == 1.0
