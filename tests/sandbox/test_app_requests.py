"""The requests the APP sends (core.spapi, helper F's client) checked against Amazon's models.

The sandbox records every SP-API request; each one must be a valid request for its operation in the
official model (required query parameters, enums, body schema) and every answer valid for its status.
"""
from __future__ import annotations

import pytest

from core.marketplaces import marketplace
from core.sandbox.accounts import DEMO_SELLER_ID
from core.sandbox.server import start
from tests.sandbox import listing_data as ld
from tests.sandbox.conftest import FAST_FEEDS, SEED, eventually
from tests.sandbox.models import request_errors

spapi = pytest.importorskip("core.spapi.client", reason="helper F's client (core/spapi) is not there")

MODEL_BY_PREFIX = {"/sellers/": "sellers.json", "/listings/": "listingsItems_2021-08-01.json",
                   "/catalog/": "catalogItems_2022-04-01.json", "/feeds/": "feeds_2021-06-30.json",
                   "/definitions/": "definitionsProductTypes_2020-09-01.json"}


@pytest.fixture
def recording(state_dir):
    server = start(0, state_dir, rate_limits=False, catalog_seed=SEED, feed_timing=FAST_FEEDS, record_requests=True)
    yield server
    server.stop()


def test_every_request_the_app_sends_is_valid_for_the_model(recording):
    from core.spapi import catalog, feeds, listings, product_types, sellers
    from core.spapi.credentials import demo_credentials
    cfg = spapi.SpApiConfig(environment="local_sandbox", marketplace=marketplace("FR"), credentials=demo_credentials(),
                            seller_id=DEMO_SELLER_ID, local_url=recording.url)
    assert sellers.marketplace_participations(cfg).ok
    assert sellers.account(cfg).ok
    put = listings.put_item(cfg, "APP/1", ld.body())
    assert put.ok and put.payload["status"] == "ACCEPTED"
    assert listings.put_item(cfg, "APP-2", ld.body(), mode=listings.VALIDATION_PREVIEW).payload["status"] == "VALID"
    assert listings.get_item(cfg, "APP/1").ok
    assert catalog.search_by_identifiers(cfg, ["4006381333931", "0887276302195"]).ok
    assert product_types.search(cfg, keywords=["lampe"]).ok
    assert product_types.get_definition(cfg, "PRODUCT").ok
    submitted = feeds.submit_json(cfg, {"header": {"sellerId": DEMO_SELLER_ID, "version": "2.0"}, "messages": [
        {"messageId": 1, "sku": "APP-3", "operationType": "UPDATE", "productType": "PRODUCT", "attributes": ld.attributes()}]})
    assert submitted.ok
    assert eventually(lambda: feeds.get_feed(cfg, submitted.payload["feedId"]).payload["processingStatus"] == "DONE")
    seen = set()
    for request in recording.recorded:
        model = next(m for prefix, m in MODEL_BY_PREFIX.items() if request["path"].startswith(prefix))
        seen.add(request["operation"])
        assert request_errors(model, request["method"], request["path"], request["query"], request["body"]) == [], request
    assert {"putListingsItem", "getListingsItem", "searchCatalogItems", "createFeed", "getMarketplaceParticipations"} <= seen


def test_the_request_check_itself_catches_bad_requests():
    model = "listingsItems_2021-08-01.json"
    assert request_errors(model, "GET", "/listings/2021-08-01/items/S/K", {}, None) == \
        ["missing required query parameter marketplaceIds"]
    assert request_errors(model, "PUT", "/listings/2021-08-01/items/S/K", {"marketplaceIds": ["X"]},
                          {"productType": "PRODUCT"})   # attributes missing from the body


def test_the_apps_listing_bodies_and_feed_document_for_the_sample_follow_amazons_schemas(tmp_path):
    """core.listings builds the JSON sent to Amazon: every PUT body and the JSON_LISTINGS_FEED document are valid."""
    import json
    listings_mod = pytest.importorskip("core.listings")
    sample = pytest.importorskip("core.catalog.sample")
    profiles = pytest.importorskip("core.mapping.profiles")
    from core import db
    from core.marketplaces import marketplace as market_of
    from tests.sandbox.models import json_schema
    con = db.connect(tmp_path / "app.duckdb")
    try:
        if not sample.available():
            pytest.skip("no sample catalogue")
        sample.ensure_loaded(con)
        fr = market_of("FR")
        for requirements in ("LISTING", "LISTING_OFFER_ONLY"):
            built = listings_mod.listings_sql(con, profiles.load(con, "FR").rows,
                                              listings_mod.BuildOptions(fr, requirements=requirements))
            rows = con.execute(f"SELECT sku, body FROM ({built}) ORDER BY sku").fetchall()
            assert len(rows) >= 300
            for sku, body in rows:
                problems = request_errors("listingsItems_2021-08-01.json", "PUT", "/listings/2021-08-01/items/S/K",
                                          {"marketplaceIds": [fr.marketplace_id]}, json.loads(body))
                assert problems == [], (sku, problems)
            messages = f"SELECT row_number() OVER (ORDER BY sku) AS message_id, sku, body FROM ({built})"
            document = con.execute(listings_mod.feed_document_sql(messages, DEMO_SELLER_ID, fr.language_tag)).fetchone()[0]
            errors = [e.message for e in json_schema("listings-feed-schema-v2.json").iter_errors(json.loads(document))]
            assert errors == []
    finally:
        con.close()
