"""Capacity of the local SP-API sandbox with rate limits off (requests/s on 127.0.0.1).

The sandbox runs in its own process (``python -m core.sandbox --no-rate-limits``, fresh state dir, shipped
seed), so client and server do not share a GIL. Each measurement is a bounded run (``--seconds``) of
sequential requests on one keep-alive connection (plain ``http.client``) or through the real ``sp_api``
client. Baseline, measured in the same run: ``GET /_sandbox/health`` on a keep-alive connection (the
server's floor cost per request); each figure (median of ``--repeat`` runs) is printed with its ratio to it.

    .venv/bin/python bench/bench_sandbox.py [--seconds 2] [--repeat 3]
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.sandbox.accounts import BUILTIN_ACCOUNTS, DEMO_SELLER_ID  # noqa: E402
from core.sandbox.catalog import DEFAULT_SEED  # noqa: E402
from core.sandbox.lwa import access_token_for  # noqa: E402

FR = "A13V1IB3VIYZZH"
TOKEN = access_token_for(BUILTIN_ACCOUNTS[0])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_sandbox(state_dir: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "core.sandbox", "--port", str(port), "--state-dir", state_dir,
                             "--no-rate-limits", "--feed-seconds", "0", "0"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=dict(os.environ, EXPORT_AMAZON_RUNTIME=state_dir))
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_sandbox/health", timeout=1).read() == b"ok":
                return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the sandbox did not start")


def keepalive_rate(port: int, method: str, path: str, seconds: float, body: bytes | None = None) -> tuple[int, float]:
    """(requests, seconds) of sequential requests on one keep-alive connection for ``seconds``."""
    con = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"x-amz-access-token": TOKEN, "content-type": "application/json"}
    n, t0 = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - t0) < seconds:
        con.request(method, path, body=body, headers=headers)
        resp = con.getresponse()
        resp.read()
        if resp.status >= 400:
            raise SystemExit(f"{method} {path} answered {resp.status}")
        n += 1
    con.close()
    return n, elapsed


def parallel_rate(port: int, method: str, path: str, seconds: float, threads: int) -> tuple[int, float]:
    counts = [0] * threads

    def run(i):
        counts[i] = keepalive_rate(port, method, path, seconds)[0]
    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    t0 = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return sum(counts), time.perf_counter() - t0


def sp_api_rate(port: int, call_name: str, seconds: float) -> tuple[int, float]:
    from sp_api.api import CatalogItems, ListingsItems
    from tests.sandbox.spapi_client import client

    class _Server:
        url = f"http://127.0.0.1:{port}"
    _Server.port = port
    listings = client(ListingsItems, _Server)
    catalog = client(CatalogItems, _Server, version="2022-04-01")
    calls = {
        "getListingsItem": lambda: listings.get_listings_item(sellerId=DEMO_SELLER_ID, sku="BENCH/1", marketplaceIds=FR,
                                                              includedData="summaries,offers,fulfillmentAvailability"),
        "searchCatalogItems": lambda: catalog.search_catalog_items(identifiers=EANS_20, identifiersType="EAN",
                                                                   marketplaceIds=FR, includedData="identifiers,summaries"),
    }
    fn = calls[call_name]
    fn()  # LWA exchange and connection set-up outside the measured run
    n, t0 = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - t0) < seconds:
        fn()
        n += 1
    return n, elapsed


def feed_rate(port: int, messages: int) -> tuple[int, float]:
    """(messages, seconds) for a JSON_LISTINGS_FEED of ``messages`` listings from createFeed to DONE."""
    from tests.sandbox import listing_data as ld
    headers = {"x-amz-access-token": TOKEN, "content-type": "application/json"}
    con = http.client.HTTPConnection("127.0.0.1", port, timeout=600)

    def call(method, path, body=None, extra=None):
        con.request(method, path, body=body, headers={**headers, **(extra or {})})
        return json.loads(con.getresponse().read() or b"null")
    document = json.dumps({"header": {"sellerId": DEMO_SELLER_ID, "version": "2.0"}, "messages": [
        {"messageId": i + 1, "sku": f"FEED-{i}", "operationType": "UPDATE", "productType": "PRODUCT",
         "attributes": ld.attributes(ean=None)} for i in range(messages)]}).encode()
    doc = call("POST", "/feeds/2021-06-30/documents", json.dumps({"contentType": "application/json"}).encode())
    con.request("PUT", doc["url"].split(str(port), 1)[1], body=document, headers={"Content-Type": "application/json"})
    con.getresponse().read()
    t0 = time.perf_counter()
    feed = call("POST", "/feeds/2021-06-30/feeds", json.dumps({"feedType": "JSON_LISTINGS_FEED", "marketplaceIds": [FR],
                                                              "inputFeedDocumentId": doc["feedDocumentId"]}).encode())
    while call("GET", f"/feeds/2021-06-30/feeds/{feed['feedId']}")["processingStatus"] not in ("DONE", "FATAL"):
        time.sleep(0.02)
    return messages, time.perf_counter() - t0


def seed_eans(count: int) -> str:
    items = json.loads(DEFAULT_SEED.read_text("utf-8")) if DEFAULT_SEED.exists() else []
    eans = [i["identifiers"]["EAN"] for i in items if i.get("identifiers", {}).get("EAN")]
    return ",".join((eans * count)[:count]) if eans else ",".join(["4006381333931"] * count)


EANS_20 = seed_eans(20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="length of each bounded run")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is printed")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "tests"))
    with tempfile.TemporaryDirectory(prefix="bench-sandbox-") as state_dir:
        proc, port = start_sandbox(state_dir)
        try:
            # a listing to read back (exemption: no seed dependency)
            sys.path.insert(0, str(ROOT))
            from tests.sandbox import listing_data as ld
            put_path = f"/listings/2021-08-01/items/{DEMO_SELLER_ID}/BENCH%2F1?marketplaceIds={FR}"
            body = json.dumps(ld.body(ean=None)).encode()
            con = http.client.HTTPConnection("127.0.0.1", port)
            con.request("PUT", put_path, body=body, headers={"x-amz-access-token": TOKEN, "content-type": "application/json"})
            assert json.loads(con.getresponse().read())["status"] == "ACCEPTED"
            get_path = f"/listings/2021-08-01/items/{DEMO_SELLER_ID}/BENCH%2F1?" + urlencode(
                {"marketplaceIds": FR, "includedData": "summaries,offers,fulfillmentAvailability"})
            search_1 = "/catalog/2022-04-01/items?" + urlencode({"identifiers": EANS_20.split(",")[0], "identifiersType": "EAN",
                                                                "marketplaceIds": FR, "includedData": "identifiers,summaries"})
            search_20 = "/catalog/2022-04-01/items?" + urlencode({"identifiers": EANS_20, "identifiersType": "EAN",
                                                                 "marketplaceIds": FR, "includedData": "identifiers,summaries"})
            runs = [
                ("baseline: GET /_sandbox/health", "http.client keep-alive", lambda: keepalive_rate(port, "GET", "/_sandbox/health", args.seconds)),
                ("getListingsItem", "http.client keep-alive", lambda: keepalive_rate(port, "GET", get_path, args.seconds)),
                ("getListingsItem", "http.client x2 threads", lambda: parallel_rate(port, "GET", get_path, args.seconds, 2)),
                ("searchCatalogItems (1 EAN)", "http.client keep-alive", lambda: keepalive_rate(port, "GET", search_1, args.seconds)),
                ("searchCatalogItems (20 EANs)", "http.client keep-alive", lambda: keepalive_rate(port, "GET", search_20, args.seconds)),
                ("putListingsItem (full validation)", "http.client keep-alive", lambda: keepalive_rate(port, "PUT", put_path, args.seconds, body)),
                ("getListingsItem", "sp_api 2.1.35", lambda: sp_api_rate(port, "getListingsItem", args.seconds)),
                ("searchCatalogItems (20 EANs)", "sp_api 2.1.35", lambda: sp_api_rate(port, "searchCatalogItems", args.seconds)),
                ("JSON_LISTINGS_FEED, 200 messages", "messages/s to DONE", lambda: feed_rate(port, 200)),
            ]
            baseline = None
            print(f"sandbox capacity, rate limits off, median of {args.repeat} runs of {args.seconds:g} s, "
                  f"{os.cpu_count()} cores")
            print(f"{'operation':36} {'client':24} {'req/s':>9} {'min':>7} {'max':>7} {'ratio':>7}")
            for name, how, fn in runs:
                rates = sorted(n / elapsed for n, elapsed in (fn() for _ in range(args.repeat)))
                rate = statistics.median(rates)
                baseline = baseline or rate
                print(f"{name:36} {how:24} {rate:9.0f} {rates[0]:7.0f} {rates[-1]:7.0f} {rate / baseline:7.2f}")
        finally:
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()
