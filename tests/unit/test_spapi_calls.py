"""The client factory and typed calls against the local sandbox: endpoints, wire format, typed errors,
and retries under injected throttling, server errors and dropped connections."""
import pytest
from sp_api.api import CatalogItems, ListingsItems

from core.marketplaces import marketplace
from core.sandbox import accounts, server
from core.spapi import catalog, feeds, listings, sellers
from core.spapi.client import SpApiConfig, build_client, client_for
from core.spapi.credentials import Credentials
from core.spapi.ratelimit import RateLimiter
from core.spapi.retry import RetryPolicy

DEMO = Credentials(accounts.DEMO_CLIENT_ID, accounts.DEMO_CLIENT_SECRET, accounts.DEMO_REFRESH_TOKEN)
FAST = RetryPolicy(max_attempts=12, base_delay=0.005, max_delay=0.05, max_total=30)
BODY = {"productType": "PRODUCT", "requirements": "LISTING_OFFER_ONLY", "attributes": {
    "merchant_suggested_asin": [{"value": "B07N4M94X4", "marketplace_id": "A13V1IB3VIYZZH"}],
    "condition_type": [{"value": "new_new", "marketplace_id": "A13V1IB3VIYZZH"}]}}


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    srv = server.start(port=0, state_dir=tmp_path_factory.mktemp("sandbox"), fault_seed=7)
    yield srv
    srv.stop()


@pytest.fixture
def cfg(sandbox):
    sandbox.set_faults(latency_ms=0, error_rate=0, drop_rate=0, throttle_rate=0)
    return SpApiConfig("local_sandbox", marketplace("FR"), DEMO, accounts.DEMO_SELLER_ID, sandbox.url)


def last_url(api, cfg, version=None):
    return str(client_for(api, cfg, version=version)._transport.last_response.request.url)


@pytest.mark.parametrize("env,market,api_host,lwa_host", [
    ("production", "FR", "https://sellingpartnerapi-eu.amazon.com", "api.amazon.com"),
    ("production", "US", "https://sellingpartnerapi-na.amazon.com", "api.amazon.com"),
    ("amazon_sandbox", "DE", "https://sandbox.sellingpartnerapi-eu.amazon.com", "api.amazon.com"),
    ("local_sandbox", "UK", "http://127.0.0.1:8799", "127.0.0.1:8799"),
])
def test_factory_targets_the_environment_and_marketplace(env, market, api_host, lwa_host):
    cfg = SpApiConfig(env, marketplace(market), DEMO, "A1", "http://127.0.0.1:8799")
    client = build_client(CatalogItems, cfg, version="2022-04-01")
    assert client.endpoint == api_host
    assert client.marketplace_id == marketplace(market).marketplace_id
    assert client.version == "2022-04-01"
    assert client._auth.host == lwa_host
    assert client._auth.scheme == ("http://" if env == "local_sandbox" else "https://")


def test_catalog_search_uses_2022_04_01_and_comma_joined_lists(cfg):
    got = catalog.search_by_identifiers(cfg, ["4006381333931", "0887276302195"])
    assert got.ok and "items" in got.payload
    url = last_url(CatalogItems, cfg, "2022-04-01")
    assert "/catalog/2022-04-01/items?" in url
    assert "identifiers=4006381333931%2C0887276302195" in url
    assert "includedData=identifiers%2Csummaries%2CproductTypes" in url
    assert url.count("identifiers=") == 1
    with pytest.raises(ValueError):
        catalog.search_by_identifiers(cfg, [str(i) for i in range(21)])


def test_listing_put_get_and_typed_errors(cfg):
    put = listings.put_item(cfg, "SKU/with space", BODY)
    assert put.ok and put.payload["sku"] == "SKU/with space" and put.attempts == 1
    url = last_url(ListingsItems, cfg, "2021-08-01")
    assert f"/items/{accounts.DEMO_SELLER_ID}/SKU%2Fwith%20space?" in url
    assert "includedData=issues%2Cidentifiers" in url and "issueLocale=fr_FR" in url
    missing = listings.get_item(cfg, "NO-SUCH-SKU", policy=FAST)
    assert not missing.ok and missing.kind == "not_found" and missing.http_status == 404
    assert missing.attempts == 1                       # 4xx other than 429: never retried


def test_bad_request_is_invalid_and_not_retried(cfg):
    got = catalog.search_by_identifiers(cfg, ["4006381333931"], identifiers_type="NOT_A_TYPE", policy=FAST)
    assert not got.ok and got.kind == "invalid" and got.http_status == 400 and got.attempts == 1


def test_revoked_token_is_an_auth_error_not_retried(sandbox):
    cfg = SpApiConfig("local_sandbox", marketplace("FR"),
                      Credentials(DEMO.client_id, DEMO.client_secret, "Atzr|sandbox-revoked"), "A1", sandbox.url)
    got = sellers.marketplace_participations(cfg, policy=FAST)
    assert not got.ok and got.kind == "auth" and got.amazon_code == "invalid_grant" and got.attempts == 1


def test_rate_limit_header_is_adopted(cfg):
    limiter = RateLimiter()
    got = listings.get_item(cfg, "NO-SUCH-SKU", limiter=limiter)
    assert got.kind == "not_found"
    assert limiter.bucket(cfg.account_key, "getListingsItem").rate == 5.0   # sandbox sends 5.0
    limiter.bucket(cfg.account_key, "getListingsItem").set_rate(1.0)
    listings.get_item(cfg, "NO-SUCH-SKU", limiter=limiter)
    assert limiter.bucket(cfg.account_key, "getListingsItem").rate == 5.0


@pytest.mark.parametrize("fault", ["throttle_rate", "error_rate", "drop_rate"])
def test_every_call_succeeds_within_its_bound_with_30_percent_faults(sandbox, cfg, fault):
    sandbox.set_faults(**{fault: 0.3})
    results = [listings.put_item(cfg, f"FAULT-{fault}-{i}", BODY, policy=FAST, limiter=RateLimiter())
               for i in range(20)]
    assert all(r.ok for r in results), [r for r in results if not r.ok]
    attempts = [r.attempts for r in results]
    assert max(attempts) <= FAST.max_attempts
    assert sum(attempts) > len(results)            # faults really happened and were retried


def test_sandbox_down_is_a_network_error_retried_within_bounds():
    cfg = SpApiConfig("local_sandbox", marketplace("FR"), DEMO, "A1", "http://127.0.0.1:1")
    policy = RetryPolicy(max_attempts=3, base_delay=0.001, max_delay=0.002)
    got = sellers.marketplace_participations(cfg, policy=policy, limiter=RateLimiter())
    assert not got.ok and got.kind == "network" and got.attempts == 3


def test_json_listings_feed_round_trip(cfg):
    doc = {"header": {"sellerId": accounts.DEMO_SELLER_ID, "version": "2.0", "issueLocale": "fr_FR"},
           "messages": [{"messageId": 1, "sku": "FEED-É-1", "operationType": "DELETE"}]}
    sent = feeds.submit_json(cfg, doc)
    assert sent.ok and sent.payload["feedId"] and sent.payload["feedDocumentId"]
    status = feeds.get_feed(cfg, sent.payload["feedId"])
    assert status.ok and status.payload["processingStatus"] in ("IN_QUEUE", "IN_PROGRESS", *feeds.FINAL_STATUSES)
