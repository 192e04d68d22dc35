"""Throttling (429 + header, refill), fault injection (latency, 500/503, drops, forced 429), state across restarts, CLI."""
from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import httpx
import pytest
from sp_api.api import CatalogItems, Feeds, ListingsItems
from sp_api.base.exceptions import SellingApiRequestThrottledException

from core.db import ROOT
from core.sandbox.faults import Faults
from core.sandbox.ratelimits import LIMITS_BY_OPERATION, RATE_LIMITS, TokenBuckets
from core.sandbox.server import start
from tests.sandbox import listing_data as ld
from tests.sandbox.conftest import FAST_FEEDS, FR, SEED, SELLER, Raw, eventually
from tests.sandbox.spapi_client import client

SEARCH = ("GET", "/catalog/2022-04-01/items", {"identifiers": "4006381333931", "identifiersType": "EAN",
                                               "marketplaceIds": FR})


def test_rate_limit_table_has_one_entry_per_operation_of_every_route():
    from core.sandbox.server import ROUTES
    assert {r.operation for r in ROUTES} <= set(LIMITS_BY_OPERATION)
    assert len({r.operation for r in RATE_LIMITS}) == len(RATE_LIMITS)
    assert (LIMITS_BY_OPERATION["searchCatalogItems"].rate, LIMITS_BY_OPERATION["searchCatalogItems"].burst) == (2.0, 2)


def test_bucket_refills_at_the_documented_rate():
    now = [0.0]
    buckets = TokenBuckets(clock=lambda: now[0])
    assert [buckets.take("putListingsItem", "a") for _ in range(6)] == [True] * 5 + [False]
    assert buckets.take("putListingsItem", "b")           # per account
    now[0] += 0.19
    assert not buckets.take("putListingsItem", "a")       # 5 rps: one token every 0.2 s
    now[0] += 0.02
    assert buckets.take("putListingsItem", "a")


def test_burst_then_429_quota_exceeded_with_the_header_then_refill(limited_sandbox):
    raw = Raw(limited_sandbox)
    method, path, query = SEARCH
    answers = [raw.call(method, path, query) for _ in range(3)]
    assert [a[0] for a in answers] == [200, 200, 429]
    status, headers, body = answers[2]
    assert body == {"errors": [{"code": "QuotaExceeded", "message": "You exceeded your quota for the requested resource.",
                                "details": ""}]}
    assert headers["x-amzn-ratelimit-limit"] == "2.0" and headers["x-amzn-requestid"]
    time.sleep(0.55)                                      # 2 rps: a token is back after 0.5 s
    assert raw.call(method, path, query)[0] == 200
    assert raw.call(method, path, query)[0] == 429


def test_sp_api_raises_its_throttling_exception(limited_sandbox):
    api = client(CatalogItems, limited_sandbox, version="2022-04-01")
    with pytest.raises(SellingApiRequestThrottledException) as err:
        for _ in range(3):
            api.search_catalog_items(identifiers="4006381333931", identifiersType="EAN", marketplaceIds=FR)
    assert err.value.amzn_code == "QuotaExceeded" and err.value.headers["x-amzn-RateLimit-Limit"] == "2.0"


def test_validation_preview_patch_has_its_own_one_per_second_bucket(limited_sandbox):
    raw = Raw(limited_sandbox)
    body = {"productType": "PRODUCT", "patches": [{"op": "delete", "path": "/attributes/color"}]}
    path = f"/listings/2021-08-01/items/{SELLER}/P-1"
    preview = [raw.call("PATCH", path, {"marketplaceIds": FR, "mode": "VALIDATION_PREVIEW"}, body)[0] for _ in range(2)]
    assert preview == [200, 429]
    assert raw.call("PATCH", path, {"marketplaceIds": FR}, body)[0] == 200   # the normal bucket is untouched


def test_limits_off_never_throttles(sandbox):
    raw = Raw(sandbox)
    assert {raw.call(*SEARCH)[0] for _ in range(10)} == {200}


def test_faults_at_start_and_at_run_time(state_dir):
    server = start(0, state_dir, rate_limits=False, catalog_seed=SEED, faults=Faults(error_rate=1.0), fault_seed=1)
    try:
        raw = Raw(server)
        statuses = {raw.call(*SEARCH)[0] for _ in range(12)}
        assert statuses == {500, 503}
        status, _, body = raw.call(*SEARCH)
        assert body["errors"][0]["code"] in ("InternalFailure", "ServiceUnavailable")
        server.set_faults(error_rate=0.0, throttle_rate=1.0)
        status, headers, body = raw.call(*SEARCH)
        assert status == 429 and headers["x-amzn-ratelimit-limit"] == "2.0"
        server.set_faults(throttle_rate=0.0, latency_ms=150)
        t0 = time.perf_counter()
        assert raw.call(*SEARCH)[0] == 200
        assert time.perf_counter() - t0 >= 0.15
        with pytest.raises(ValueError):
            server.set_faults(error_rate=2)
    finally:
        server.stop()


def test_dropped_connections_and_admin_endpoint(sandbox):
    req = urllib.request.Request(sandbox.url + "/_sandbox/faults", data=b'{"drop_rate": 1.0}', method="POST",
                                 headers={"content-type": "application/json"})
    assert b'"drop_rate": 1.0' in urllib.request.urlopen(req, timeout=5).read()
    api = client(ListingsItems, sandbox)
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        api.get_listings_item(sellerId=SELLER, sku="X", marketplaceIds=FR)
    assert urllib.request.urlopen(sandbox.url + "/_sandbox/health", timeout=5).read() == b"ok"   # admin unaffected
    sandbox.set_faults(drop_rate=0.0)
    assert Raw(sandbox).call(*SEARCH)[0] == 200


def test_listings_and_feeds_survive_a_restart_and_cached_tokens_still_work(state_dir):
    first = start(0, state_dir, rate_limits=False, catalog_seed=SEED, feed_timing=FAST_FEEDS)
    api = client(ListingsItems, first)
    assert api.put_listings_item(sellerId=SELLER, sku="KEEP/1", marketplaceIds=FR, body=ld.body()).payload["status"] == "ACCEPTED"
    feeds = client(Feeds, first)
    doc = feeds.create_feed_document(io.BytesIO(json.dumps({"header": {"sellerId": SELLER, "version": "2.0"}, "messages": [
        {"messageId": 1, "sku": "KEEP/2", "operationType": "UPDATE", "productType": "PRODUCT", "attributes": ld.attributes()}]
    }).encode()), "application/json; charset=UTF-8").payload
    feed_id = feeds.create_feed("JSON_LISTINGS_FEED", doc["feedDocumentId"], marketplaceIds=[FR]).payload["feedId"]
    port = first.port
    first.stop()
    second = start(port, state_dir, rate_limits=False, catalog_seed=SEED, feed_timing=FAST_FEEDS)
    try:
        # same sp_api client: its access token is cached (no LWA call) and still valid after the restart
        item = api.get_listings_item(sellerId=SELLER, sku="KEEP/1", marketplaceIds=FR, includedData="summaries,offers").payload
        assert item["summaries"][0]["asin"] == "B0LAMP0001" and item["offers"][0]["price"]["amount"] == "29.90"
        # the feed queued before the restart is processed by the new server
        assert eventually(lambda: feeds.get_feed(feed_id).payload["processingStatus"] == "DONE")
        assert api.get_listings_item(sellerId=SELLER, sku="KEEP/2", marketplaceIds=FR).payload["sku"] == "KEEP/2"
    finally:
        second.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_cli_starts_a_sandbox_that_answers_health(tmp_path):
    port = free_port()
    env = dict(os.environ, EXPORT_AMAZON_RUNTIME=str(tmp_path / "rt"))
    proc = subprocess.Popen([sys.executable, "-m", "core.sandbox", "--port", str(port), "--state-dir", str(tmp_path / "s"),
                             "--no-rate-limits", "--latency-ms", "1"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 15
        while True:
            try:
                assert urllib.request.urlopen(f"http://127.0.0.1:{port}/_sandbox/health", timeout=1).read() == b"ok"
                break
            except OSError:
                assert time.time() < deadline and proc.poll() is None, "sandbox CLI did not come up"
                time.sleep(0.1)
        assert (tmp_path / "s" / "sandbox.sqlite3").exists()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
