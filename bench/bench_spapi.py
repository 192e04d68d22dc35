"""Benchmark: requests/s the SP-API client sustains against the local sandbox enforcing Amazon's limits.

Usage: ``python bench/bench_spapi.py [--seconds 30] [--threads 4] [--warmup 2]``

For putListingsItem (documented 5 rps, burst 5) and searchCatalogItems (2 rps, burst 2, 20 EANs a
request), a fresh sandbox with rate limits ON is hammered by ``--threads`` threads for ``--seconds``:

- ``client``: ``core.spapi`` as the app uses it (rate limiter + retries on 429/5xx);
- ``naive``: the same calls, no limiter, no retry (what sp_api gives out of the box) — the baseline
  that shows why the limiter is there: it gets throttled.

Prints, per run: accepted requests/s over the steady window (after ``--warmup`` s, the initial burst
excluded), the ratio to the documented rate (target >= 0.95), 429 answers received, calls that finally
failed, latency p50/p95. Writes the figures to ``bench/out/bench_spapi.json``.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.marketplaces import marketplace  # noqa: E402
from core.sandbox import accounts, server  # noqa: E402
from core.spapi import catalog, listings  # noqa: E402
from core.spapi.client import SpApiConfig  # noqa: E402
from core.spapi.credentials import Credentials  # noqa: E402
from core.spapi.ratelimit import RateLimiter, rate_limit  # noqa: E402
from core.spapi.retry import NO_RETRY, RetryPolicy  # noqa: E402

FR = marketplace("FR").marketplace_id
BODY = {"productType": "PRODUCT", "requirements": "LISTING", "attributes": {
    "item_name": [{"value": "Lampe de bureau LED noire", "language_tag": "fr_FR", "marketplace_id": FR}],
    "brand": [{"value": "Lumina", "language_tag": "fr_FR", "marketplace_id": FR}],
    "condition_type": [{"value": "new_new", "marketplace_id": FR}],
    "purchasable_offer": [{"marketplace_id": FR, "currency": "EUR", "audience": "ALL",
                           "our_price": [{"schedule": [{"value_with_tax": 29.9}]}]}],
    "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": 5}]}}
EANS = [str(4006381333931 + 0)] + [f"{300000000000 + i:012d}" for i in range(19)]


class CountingLimiter(RateLimiter):
    """The app's limiter, counting the 429 answers it is told about."""

    def __init__(self):
        super().__init__()
        self.throttles = 0
        self._count_lock = threading.Lock()

    def throttled(self, account, operation):
        with self._count_lock:
            self.throttles += 1
        super().throttled(account, operation)


class NoLimiter(CountingLimiter):
    """Never waits: the naive baseline."""

    def acquire(self, account, operation, max_wait=float("inf")):
        return True


def run(operation: str, mode: str, seconds: float, threads: int, warmup: float) -> dict:
    state = tempfile.mkdtemp(prefix="bench-spapi-")
    srv = server.start(port=0, state_dir=state, rate_limits=True)
    creds = Credentials(accounts.DEMO_CLIENT_ID, accounts.DEMO_CLIENT_SECRET, accounts.DEMO_REFRESH_TOKEN)
    cfg = SpApiConfig("local_sandbox", marketplace("FR"), creds, accounts.DEMO_SELLER_ID, srv.url)
    limiter = CountingLimiter() if mode == "client" else NoLimiter()
    policy = RetryPolicy(max_attempts=8, base_delay=0.2, max_delay=2.0, max_total=30) if mode == "client" \
        else NO_RETRY
    done: list[tuple[float, float, bool, str]] = []   # (finish time, latency, ok, kind)
    lock = threading.Lock()
    counter = iter(range(10**9))
    stop_at = time.monotonic() + seconds
    start = time.monotonic()

    def one_call():
        n = next(counter)
        if operation == "putListingsItem":
            return listings.put_item(cfg, f"BENCH-{n:07d}", BODY, policy=policy, limiter=limiter)
        return catalog.search_by_identifiers(cfg, EANS, policy=policy, limiter=limiter)

    def worker():
        while time.monotonic() < stop_at:
            t0 = time.monotonic()
            try:
                result = one_call()
                ok, kind = result.ok, "" if result.ok else result.kind
            except Exception as exc:  # noqa: BLE001 - a crash is counted, never hidden
                ok, kind = False, "uncaught:" + type(exc).__name__
            t1 = time.monotonic()
            with lock:
                done.append((t1, t1 - t0, ok, kind))

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for th in pool:
        th.start()
    for th in pool:
        th.join()
    srv.stop()
    steady = [d for d in done if d[0] >= start + warmup and d[0] <= stop_at]
    window = stop_at - (start + warmup)
    ok_steady = sum(1 for d in steady if d[2])
    latencies = sorted(d[1] for d in done if d[2])
    documented = rate_limit(operation).rate
    rate = ok_steady / window
    return {
        "operation": operation, "mode": mode, "seconds": seconds, "threads": threads,
        "documented_rps": documented, "accepted_total": sum(1 for d in done if d[2]),
        "accepted_rps_steady": round(rate, 3), "ratio_to_documented": round(rate / documented, 3),
        "throttled_429": limiter.throttles,
        "failed_calls": sum(1 for d in done if not d[2]),
        "failed_throttled": sum(1 for d in done if d[3] == "throttled"),
        "uncaught": sum(1 for d in done if d[3].startswith("uncaught")),
        "latency_p50_ms": round(1000 * statistics.median(latencies), 1) if latencies else None,
        "latency_p95_ms": round(1000 * latencies[int(0.95 * (len(latencies) - 1))], 1) if latencies else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--warmup", type=float, default=2.0)
    args = parser.parse_args()
    rows = []
    for operation in ("putListingsItem", "searchCatalogItems"):
        for mode in ("naive", "client"):
            row = run(operation, mode, args.seconds, args.threads, args.warmup)
            rows.append(row)
            print(f"{operation:20s} {mode:6s} accepted {row['accepted_rps_steady']:6.2f} req/s "
                  f"(documented {row['documented_rps']:g}, ratio {row['ratio_to_documented']:.3f}) "
                  f"429s {row['throttled_429']:5d}  failed {row['failed_calls']:5d} "
                  f"(throttled {row['failed_throttled']})  p50 {row['latency_p50_ms']} ms  p95 {row['latency_p95_ms']} ms",
                  flush=True)
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench_spapi.json").write_text(json.dumps(rows, indent=2))
    client = [r for r in rows if r["mode"] == "client"]
    verdict = all(r["ratio_to_documented"] >= 0.95 and r["failed_throttled"] == 0 for r in client)
    print("target (client ratio >= 0.95, no call failing for throttling):", "MET" if verdict else "NOT MET")


if __name__ == "__main__":
    main()
