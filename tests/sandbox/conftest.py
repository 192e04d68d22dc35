"""Sandbox fixtures: a server per test on a free port with its own state dir, a tiny seed, raw HTTP helpers."""
from __future__ import annotations

import http.client
import json
from urllib.parse import urlencode

import pytest

from core.sandbox.accounts import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REFRESH_TOKEN
from core.sandbox.feeds import FeedTiming
from core.sandbox.lwa import access_token_for
from core.sandbox.server import start
from tests.sandbox.spapi_client import clear_token_cache

FR, DE, US = "A13V1IB3VIYZZH", "A1PA6795UKMFR9", "ATVPDKIKX0DER"
SELLER = "A2SANDBOXDEMO1"

# A tiny Amazon-side catalogue of our own, so these tests do not depend on the generated sample seed.
SEED = [
    {"asin": "B0LAMP0001", "identifiers": {"EAN": "4006381333931"}, "item_name": "Marque X Lampe de bureau LED noire",
     "brand": "Marque X", "manufacturer": "Marque X SAS", "product_type": "LAMP", "classification": "BASE_PRODUCT",
     "marketplaces": [FR, DE], "browse_node": {"id": "123", "name": "Luminaires"}, "image": "https://example.com/l.jpg"},
    {"asin": "B0UPC00001", "identifiers": {"EAN": "0887276302195", "UPC": "887276302195"}, "item_name": "Casque audio sans fil",
     "brand": "Sonora", "manufacturer": "Sonora", "product_type": "HEADPHONES", "classification": "BASE_PRODUCT",
     "marketplaces": [FR, US]},
    {"asin": "B0DUPE0001", "identifiers": {"EAN": "5901234123457"}, "item_name": "Tasse en grès 30 cl", "brand": "Casa",
     "product_type": "KITCHEN", "classification": "BASE_PRODUCT", "marketplaces": [FR]},
    {"asin": "B0DUPE0002", "identifiers": {"EAN": "5901234123457"}, "item_name": "Tasse en grès 30 cl (lot)", "brand": "Casa",
     "product_type": "KITCHEN", "classification": "BASE_PRODUCT", "marketplaces": [FR]},
    {"asin": "B0PARENT01", "identifiers": {}, "item_name": "T-shirt running", "brand": "Energym", "product_type": "SHIRT",
     "classification": "VARIATION_PARENT", "marketplaces": [FR]},
    {"asin": "B0CHILD001", "identifiers": {"EAN": "3760061144675"}, "item_name": "T-shirt running taille S", "brand": "Energym",
     "product_type": "SHIRT", "classification": "VARIATION_CHILD", "parent_asin": "B0PARENT01", "marketplaces": [FR]},
]

FAST_FEEDS = FeedTiming(in_queue_s=0.3, in_progress_s=0.3)


@pytest.fixture(autouse=True)
def _fresh_token_cache():
    clear_token_cache()
    yield
    clear_token_cache()


@pytest.fixture
def state_dir(tmp_path):
    return tmp_path / "sandbox-state"


@pytest.fixture
def sandbox(state_dir):
    """A sandbox with limits off (functional tests), the tiny seed and fast feeds."""
    server = start(0, state_dir, rate_limits=False, catalog_seed=SEED, feed_timing=FAST_FEEDS)
    yield server
    server.stop()


@pytest.fixture
def limited_sandbox(state_dir):
    """A sandbox enforcing Amazon's documented rate limits."""
    server = start(0, state_dir, rate_limits=True, catalog_seed=SEED, feed_timing=FAST_FEEDS)
    yield server
    server.stop()


class Raw:
    """Plain http.client calls with the demo access token (no sp_api), for wire-level assertions."""

    def __init__(self, server, token: str | None = None):
        from core.sandbox.accounts import BUILTIN_ACCOUNTS
        self.server = server
        self.token = token if token is not None else access_token_for(BUILTIN_ACCOUNTS[0])

    def call(self, method: str, path: str, query: dict | None = None, body=None, headers: dict | None = None):
        """(status, headers dict lower-cased, parsed JSON or raw bytes)."""
        con = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        url = path + ("?" + urlencode(query, doseq=True) if query else "")
        data = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
        hdrs = {"x-amz-access-token": self.token, "content-type": "application/json", **(headers or {})}
        con.request(method, url, body=data, headers=hdrs)
        resp = con.getresponse()
        raw = resp.read()
        con.close()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, parsed


@pytest.fixture
def raw(sandbox):
    return Raw(sandbox)


def lwa_form(refresh_token=DEMO_REFRESH_TOKEN, client_id=DEMO_CLIENT_ID, client_secret=DEMO_CLIENT_SECRET):
    return urlencode({"grant_type": "refresh_token", "client_id": client_id, "refresh_token": refresh_token,
                      "client_secret": client_secret})


def eventually(fn, timeout: float = 10.0, interval: float = 0.05):
    """Poll ``fn`` until it returns a truthy value (feeds finish on the sandbox's worker thread)."""
    import time
    deadline = time.time() + timeout
    while True:
        value = fn()
        if value or time.time() > deadline:
            return value
        time.sleep(interval)
