"""Replay every ``x-amzn-api-sandbox`` static example of Amazon's models against the sandbox.

Each example's request is sent as written (list parameters comma-joined, as the models' csv format). Where a
success example names an entity that only exists in Amazon's static sandbox (a feed id, a document id, an ASIN),
a real one of this sandbox is substituted; error examples are sent unchanged. Asserted: the same HTTP status,
an answer valid against the model's schema for that status, the same error code and message for errors, and
the exact answers for the static-sandbox trigger SKUs.
"""
from __future__ import annotations

import json

import pytest

from core.sandbox.feeds import FeedTiming
from core.sandbox.server import start
from tests.sandbox import listing_data as ld
from tests.sandbox.conftest import SEED, SELLER, US, Raw
from tests.sandbox.models import find_operation, request_errors, response_errors, static_examples

MODELS = ("sellers.json", "listingsItems_2021-08-01.json", "catalogItems_2022-04-01.json", "feeds_2021-06-30.json",
          "definitionsProductTypes_2020-09-01.json")
EXAMPLES = [(m, *e) for m in MODELS for e in static_examples(m)]
STORED_SKU = "GM-ZDPI-9B4E"   # the SKU of the models' examples, created before replaying


def _ambiguous(model, method, template, status, example) -> bool:
    """An error example whose request is the same as a success example's cannot be told apart by any server."""
    params = example["request"]["parameters"]
    return int(status) >= 400 and any(
        m == model and me == method and t == template and int(s) < 400 and e["request"]["parameters"] == params
        for m, me, t, s, e in EXAMPLES)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = start(0, tmp_path_factory.mktemp("static"), rate_limits=False, catalog_seed=SEED,
                feed_timing=FeedTiming(30.0, 30.0))   # feeds stay IN_QUEUE: cancel examples can be replayed
    raw = Raw(srv)
    body = {"productType": "PRODUCT", "requirements": "LISTING", "attributes": ld.attributes(US, ean=None)}
    assert raw.call("PUT", f"/listings/2021-08-01/items/{SELLER}/{STORED_SKU}", {"marketplaceIds": US}, body)[0] == 200
    yield srv
    srv.stop()


def _entities(raw) -> dict:
    status, _, doc = raw.call("POST", "/feeds/2021-06-30/documents", body={"contentType": "application/json"})
    status, _, feed = raw.call("POST", "/feeds/2021-06-30/feeds", body={
        "feedType": "JSON_LISTINGS_FEED", "marketplaceIds": [US], "inputFeedDocumentId": doc["feedDocumentId"]})
    return {"feedDocumentId": doc["feedDocumentId"], "feedId": feed["feedId"], "asin": "B0UPC00001",
            "inputFeedDocumentId": doc["feedDocumentId"]}


def _request(model, method, template, status, example, raw):
    _, op = find_operation(model, method, template.replace("{", "").replace("}", ""))
    where = {p["name"]: p["in"] for p in op.get("parameters", []) if "name" in p}
    given = {k: v.get("value") for k, v in example["request"]["parameters"].items()}
    success = int(status) < 400
    path_values = {"sellerId": SELLER, "sku": STORED_SKU, "productType": "LUGGAGE"}
    query, body = {}, None
    if success:
        if model.startswith("listings"):   # an earlier DELETE example may have removed it
            listing = {"productType": "PRODUCT", "requirements": "LISTING", "attributes": ld.attributes(US, ean=None)}
            raw.call("PUT", f"/listings/2021-08-01/items/{SELLER}/{STORED_SKU}", {"marketplaceIds": US}, listing)
        path_values.update({k: v for k, v in _entities(raw).items() if k in where and where[k] == "path"})
    for name, value in given.items():
        if where.get(name) == "path" and not (success and name in ("feedId", "feedDocumentId", "asin")):
            path_values[name] = value
        elif where.get(name) == "query":
            query[name] = ",".join(map(str, value)) if isinstance(value, list) else value
        elif where.get(name) == "body":
            body = value
    if "marketplaceIds" in where and where["marketplaceIds"] == "query" and "marketplaceIds" not in query:
        query["marketplaceIds"] = US
    if where.get("body") == "body" and not body:   # "body": {} in an example means any valid body
        body = _default_body(model, method, raw) if success else (body if body is not None else {})
    elif success and isinstance(body, dict) and "inputFeedDocumentId" in body:
        body = dict(body, inputFeedDocumentId=_entities(raw)["inputFeedDocumentId"])
    path = template
    for name, value in path_values.items():
        path = path.replace("{" + name + "}", str(value))
    return path, query, body


def _default_body(model, method, raw):
    if method == "PUT":
        return {"productType": "PRODUCT", "requirements": "LISTING", "attributes": ld.attributes(US, ean=None)}
    if method == "PATCH":
        return {"productType": "PRODUCT", "patches": [{"op": "replace", "path": "/attributes/fulfillment_availability",
                                                       "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 7}]}]}
    if model.startswith("feeds") and method == "POST":
        return {"contentType": "application/json; charset=UTF-8"}
    return {}


@pytest.mark.parametrize("model, method, template, status, example", EXAMPLES,
                         ids=[f"{m.split('_')[0].split('.')[0]}-{me}-{t.rsplit('/', 1)[-1]}-{s}-{i}"
                              for i, (m, me, t, s, _) in enumerate(EXAMPLES)])
def test_static_example_replays(server, model, method, template, status, example):
    if _ambiguous(model, method, template, status, example):
        pytest.skip("same request as a success example: only Amazon's static sandbox can answer both")
    raw = Raw(server)
    path, query, body = _request(model, method, template, status, example, raw)
    if int(status) < 400:   # our replayed request is itself valid against the model
        assert request_errors(model, method, template, {k: [str(v)] for k, v in query.items()}, body) == []
    got_status, headers, got = raw.call(method, path, query, body)
    assert got_status == int(status), got
    assert "x-amzn-requestid" in headers
    if got is not None and not isinstance(got, bytes):
        assert response_errors(model, method, template, got_status, got) == []
    expected = example.get("response")
    if int(status) >= 400:
        assert (got["errors"][0]["code"], got["errors"][0]["message"]) == \
            (expected["errors"][0]["code"], expected["errors"][0]["message"])
    elif isinstance(expected, dict) and expected.get("sku") in ("VALIDATION_VALID", "VALIDATION_INVALID"):
        assert {k: v for k, v in got.items() if k != "submissionId"} == \
            {k: v for k, v in expected.items() if k != "submissionId"}


def test_every_model_has_examples_to_replay():
    assert {m for m, *_ in EXAMPLES} == set(MODELS) and len(EXAMPLES) >= 35
    assert json.dumps(EXAMPLES[0][-1])  # examples are plain JSON
