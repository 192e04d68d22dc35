"""Feeds 2021-06-30 through sp_api: document upload to the sandbox URL, JSON_LISTINGS_FEED processing, report format."""
from __future__ import annotations

import io
import json
import time

import pytest
from sp_api.api import Feeds, ListingsItems
from sp_api.base.exceptions import SellingApiBadRequestException

from core.sandbox.feeds import FeedTiming
from core.sandbox.server import start
from tests.sandbox import listing_data as ld
from tests.sandbox.conftest import FAST_FEEDS, FR, SEED, SELLER, Raw
from tests.sandbox.models import json_schema, response_errors
from tests.sandbox.spapi_client import client

MODEL = "feeds_2021-06-30.json"
JSON_CT = "application/json; charset=UTF-8"


def feed_document(messages, report=None) -> bytes:
    header = {"sellerId": SELLER, "version": "2.0", "issueLocale": "fr_FR"}
    if report:
        header["report"] = {"includedData": report, "apiVersion": "2021-08-01"}
    return json.dumps({"header": header, "messages": messages}, ensure_ascii=False).encode("utf-8")


MESSAGES = [
    {"messageId": 1, "sku": "FEED/1", "operationType": "UPDATE", "productType": "PRODUCT", "requirements": "LISTING",
     "attributes": ld.attributes()},
    {"messageId": 2, "sku": "FEED-2", "operationType": "UPDATE", "productType": "PRODUCT",
     "attributes": ld.attributes(drop=("bullet_point",), ean="3760000000017", title="Coussin", brand="Maison Dupont")},
    {"messageId": 3, "sku": "FEED-3", "operationType": "UPDATE", "productType": "PRODUCT",
     "attributes": ld.attributes(ean="4006381333932")},
]


def submit(api, payload: bytes, feed_type="JSON_LISTINGS_FEED", content_type=JSON_CT) -> str:
    doc = api.create_feed_document(io.BytesIO(payload), content_type).payload
    assert response_errors(MODEL, "POST", "/feeds/2021-06-30/documents", 201, doc) == []
    feed = api.create_feed(feed_type, doc["feedDocumentId"], marketplaceIds=[FR]).payload
    assert response_errors(MODEL, "POST", "/feeds/2021-06-30/feeds", 202, feed) == []
    return feed["feedId"]


def wait(api, feed_id, timeout=10.0) -> tuple[list[str], dict]:
    seen, deadline = [], time.time() + timeout
    while time.time() < deadline:
        feed = api.get_feed(feed_id).payload
        assert response_errors(MODEL, "GET", f"/feeds/2021-06-30/feeds/{feed_id}", 200, feed) == []
        if not seen or seen[-1] != feed["processingStatus"]:
            seen.append(feed["processingStatus"])
        if feed["processingStatus"] in ("DONE", "FATAL", "CANCELLED"):
            return seen, feed
        time.sleep(0.05)
    raise AssertionError(f"feed {feed_id} stuck at {seen}")


def test_json_listings_feed_moves_through_its_states_and_reports_per_message(sandbox):
    api = client(Feeds, sandbox)
    feed_id = submit(api, feed_document(MESSAGES, report=["summaries", "issues"]))
    seen, feed = wait(api, feed_id)
    assert seen == ["IN_QUEUE", "IN_PROGRESS", "DONE"]
    report = json.loads(api.get_feed_document(feed["resultFeedDocumentId"]))
    assert list(json_schema("listings-feed-processing-report-schema-v2.json").iter_errors(report)) == []
    assert report["header"]["feedId"] == feed_id
    assert {k: report["summary"][k] for k in ("messagesProcessed", "messagesAccepted", "messagesInvalid")} == \
        {"messagesProcessed": 3, "messagesAccepted": 1, "messagesInvalid": 2}
    assert sorted((i["messageId"], i["code"]) for i in report["issues"]) == [(2, "90220"), (3, "8560")]
    assert [i["sku"] for i in report["items"]] == ["FEED/1"]
    listing = client(ListingsItems, sandbox).get_listings_item(sellerId=SELLER, sku="FEED/1", marketplaceIds=FR).payload
    assert listing["summaries"][0]["asin"] == "B0LAMP0001"   # the accepted message is a stored listing


def test_partial_update_patch_and_delete_messages(sandbox):
    api = client(Feeds, sandbox)
    wait(api, submit(api, feed_document(MESSAGES[:1])))
    second = [
        {"messageId": 1, "sku": "FEED/1", "operationType": "PARTIAL_UPDATE", "productType": "PRODUCT",
         "attributes": {"fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": 0}]}},
        {"messageId": 2, "sku": "GHOST", "operationType": "PATCH", "productType": "PRODUCT",
         "patches": [{"op": "delete", "path": "/attributes/color"}]},
    ]
    _, feed = wait(api, submit(api, feed_document(second)))
    report = json.loads(api.get_feed_document(feed["resultFeedDocumentId"]))
    assert [(i["messageId"], i["code"]) for i in report["issues"]] == [(2, "13013")]
    # every message received is logged as a submission, even one refused before validation
    assert [(r["sku"], r["status"]) for r in sandbox.ctx.store.submissions(SELLER)] == \
        [("FEED/1", "ACCEPTED"), ("FEED/1", "ACCEPTED"), ("GHOST", "INVALID")]
    listings = client(ListingsItems, sandbox)
    item = listings.get_listings_item(sellerId=SELLER, sku="FEED/1", marketplaceIds=FR).payload
    assert item["summaries"][0]["status"] == ["DISCOVERABLE"]
    wait(api, submit(api, feed_document([{"messageId": 1, "sku": "FEED/1", "operationType": "DELETE"}])))
    assert listings.search_listings_items(sellerId=SELLER, marketplaceIds=FR).payload["numberOfResults"] == 0


@pytest.mark.parametrize("feed_type", ["POST_FLAT_FILE_LISTINGS_DATA", "POST_PRODUCT_DATA"])
def test_retired_feed_types_end_fatal(sandbox, feed_type):
    api = client(Feeds, sandbox)
    feed_id = submit(api, b"sku\tprice\nA\t1\n", feed_type, "text/tab-separated-values; charset=UTF-8")
    seen, feed = wait(api, feed_id)
    assert seen[-1] == "FATAL"
    report = json.loads(api.get_feed_document(feed["resultFeedDocumentId"]))
    assert feed_type in report["issues"][0]["message"]


def test_malformed_feed_is_fatal_with_a_report(sandbox):
    api = client(Feeds, sandbox)
    _, feed = wait(api, submit(api, b'{"header": {"sellerId": "A2SANDBOXDEMO1"}, "messages": []}'))
    assert feed["processingStatus"] == "FATAL"
    report = json.loads(api.get_feed_document(feed["resultFeedDocumentId"]))
    assert list(json_schema("listings-feed-processing-report-schema-v2.json").iter_errors(report)) == []


def test_gzip_report_is_declared_and_decompressed_by_sp_api(state_dir):
    server = start(0, state_dir, rate_limits=False, catalog_seed=SEED, feed_timing=FAST_FEEDS, gzip_reports=True)
    try:
        api = client(Feeds, server)
        _, feed = wait(api, submit(api, feed_document(MESSAGES[:1])))
        status, _, info = Raw(server).call("GET", f"/feeds/2021-06-30/documents/{feed['resultFeedDocumentId']}")
        assert status == 200 and info["compressionAlgorithm"] == "GZIP"
        assert json.loads(api.get_feed_document(feed["resultFeedDocumentId"]))["summary"]["messagesAccepted"] == 1
    finally:
        server.stop()


def test_upload_with_another_content_type_is_refused_like_s3(sandbox, raw):
    status, _, doc = raw.call("POST", "/feeds/2021-06-30/documents", body={"contentType": JSON_CT})
    assert status == 201
    import http.client
    con = http.client.HTTPConnection("127.0.0.1", sandbox.port, timeout=5)
    con.request("PUT", doc["url"].replace(sandbox.url, ""), body=b"{}", headers={"Content-Type": "text/plain"})
    assert con.getresponse().status == 403


def test_cancel_only_in_queue_and_list_feeds(state_dir):
    server = start(0, state_dir, rate_limits=False, catalog_seed=SEED, feed_timing=FeedTiming(5.0, 5.0))
    try:
        api = client(Feeds, server)
        feed_id = submit(api, feed_document(MESSAGES[:1]))
        api.cancel_feed(feed_id)
        assert api.get_feed(feed_id).payload["processingStatus"] == "CANCELLED"
        with pytest.raises(SellingApiBadRequestException):
            api.cancel_feed(feed_id)
        listed = api.get_feeds(feedTypes="JSON_LISTINGS_FEED", processingStatuses="CANCELLED").payload
        assert response_errors(MODEL, "GET", "/feeds/2021-06-30/feeds", 200, listed) == []
        assert [f["feedId"] for f in listed["feeds"]] == [feed_id]
    finally:
        server.stop()


def test_a_processing_failure_ends_the_feed_fatal_not_stuck(sandbox, monkeypatch):
    from core.sandbox import feed_processing

    def broken(ctx, row):
        raise RuntimeError("boom")
    monkeypatch.setattr(feed_processing, "process", broken)
    api = client(Feeds, sandbox)
    _, feed = wait(api, submit(api, feed_document(MESSAGES[:1])))
    assert feed["processingStatus"] == "FATAL"
    report = json.loads(api.get_feed_document(feed["resultFeedDocumentId"]))
    assert "Internal error" in report["issues"][0]["message"]
