"""Listings Items API through the real sp_api client: rules, storage, GET views, PATCH, DELETE, search."""
from __future__ import annotations

import pytest
from sp_api.api import ListingsItems
from sp_api.base.exceptions import SellingApiBadRequestException, SellingApiNotFoundException

from tests.sandbox import listing_data as ld
from tests.sandbox.conftest import FR, SELLER
from tests.sandbox.models import response_errors
from tests.sandbox.spapi_client import client

MODEL = "listingsItems_2021-08-01.json"
ALL_VIEWS = "summaries,attributes,issues,offers,fulfillmentAvailability,relationships,productTypes"


def put(api, sku, body, **query):
    return api.put_listings_item(sellerId=SELLER, sku=sku, marketplaceIds=FR, body=body,
                                 includedData=query.pop("includedData", "issues,identifiers"), **query).payload


def codes(payload) -> list[str]:
    return [i["code"] for i in payload.get("issues", [])]


@pytest.fixture
def api(sandbox):
    return client(ListingsItems, sandbox)


def test_accepted_listing_is_stored_and_readable_with_every_view(api, sandbox):
    sku = "LAMP/001 édition"   # '/' and non-ASCII must survive the percent-encoded path segment
    answer = put(api, sku, ld.body())
    assert answer["status"] == "ACCEPTED" and answer["sku"] == sku
    assert answer["identifiers"] == [{"marketplaceId": FR, "asin": "B0LAMP0001"}]   # EAN found in the seed
    assert response_errors(MODEL, "PUT", "/listings/2021-08-01/items/S/K", 200, answer) == []
    item = api.get_listings_item(sellerId=SELLER, sku=sku, marketplaceIds=FR, includedData=ALL_VIEWS).payload
    assert response_errors(MODEL, "GET", "/listings/2021-08-01/items/S/K", 200, item) == []
    summary = item["summaries"][0]
    assert (summary["asin"], summary["status"], summary["conditionType"]) == ("B0LAMP0001", ["BUYABLE"], "new_new")
    assert item["offers"][0]["price"] == {"currencyCode": "EUR", "amount": "29.90"}
    assert item["fulfillmentAvailability"] == [{"fulfillmentChannelCode": "DEFAULT", "quantity": 25}]
    assert item["attributes"]["brand"][0]["value"] == "Marque X"
    assert item["productTypes"] == [{"marketplaceId": FR, "productType": "PRODUCT"}]


def test_new_product_gets_a_generated_asin_and_zero_stock_is_discoverable(api):
    answer = put(api, "NEW-1", ld.body(ean="3760000000017", title="Coussin déhoussable", brand="Maison Dupont", quantity=0))
    assert answer["status"] == "ACCEPTED"
    asin = answer["identifiers"][0]["asin"]
    assert asin.startswith("B0") and len(asin) == 10 and asin != "B0LAMP0001"
    item = api.get_listings_item(sellerId=SELLER, sku="NEW-1", marketplaceIds=FR).payload
    assert item["summaries"][0]["status"] == ["DISCOVERABLE"]


@pytest.mark.parametrize("body, code, attribute", [
    (ld.body(drop=("brand",)), "90220", "brand"),
    (ld.body(drop=("externally_assigned_product_identifier",), ean=None) | {"attributes": ld.attributes(
        drop=("supplier_declared_has_product_identifier_exemption", "externally_assigned_product_identifier"))},
     "90220", "externally_assigned_product_identifier"),
    (ld.body(ean="4006381333932"), "8560", "externally_assigned_product_identifier"),          # bad check digit
    (ld.body(ean="2001234567893"), "8560", "externally_assigned_product_identifier"),          # restricted prefix 200
    (ld.body(brand="Autre Marque"), "8541", "brand"),                                          # seed brand is Marque X
    (ld.body(title="Perceuse visseuse sans fil 18 V"), "8541", "item_name"),
    (ld.body(ean="5901234123457", title="Tasse en grès 30 cl", brand="Casa"), "8542", "externally_assigned_product_identifier"),
    (ld.body(merchant_suggested_asin=ld.plain("B0UPC00001")), "8572", "merchant_suggested_asin"),
    (ld.body(ean="3760000000017", brand="Lenovo"), "5461", "brand"),
    (ld.body("WATCH", ean="3760000000017", brand="Tempo"), "6039", "product_type"),
    (ld.body(item_name=[{"value": 12, "language_tag": "fr_FR", "marketplace_id": FR}]), "4000001", "item_name"),
])
def test_each_blocking_rule_makes_the_submission_invalid_with_amazons_code(api, body, code, attribute):
    answer = put(api, "RULE-1", body)
    assert answer["status"] == "INVALID"
    issue = next(i for i in answer["issues"] if i["code"] == code)
    assert issue["severity"] == "ERROR" and attribute in issue["attributeNames"]
    assert answer["identifiers"] == []
    assert response_errors(MODEL, "PUT", "/listings/2021-08-01/items/S/K", 200, answer) == []
    with pytest.raises(SellingApiNotFoundException):   # nothing stored
        api.get_listings_item(sellerId=SELLER, sku="RULE-1", marketplaceIds=FR)


def test_the_suggested_asin_picks_one_of_several_asins_of_an_ean(api):
    answer = put(api, "MUG-1", ld.body(ean="5901234123457", title="Tasse en grès 30 cl", brand="Casa",
                                       merchant_suggested_asin=ld.plain("B0DUPE0002")))
    assert answer["status"] == "ACCEPTED" and answer["identifiers"][0]["asin"] == "B0DUPE0002"


@pytest.mark.parametrize("price", [0.3, 12000.0])
def test_potential_pricing_error_is_a_warning_and_deactivates_the_offer(api, price):
    answer = put(api, "PRICE-1", ld.body(price=price))
    assert answer["status"] == "ACCEPTED"
    assert [(i["code"], i["severity"], i["categories"]) for i in answer["issues"]] == \
        [("POTENTIAL_PRICING_ERROR", "WARNING", ["INVALID_PRICE"])]
    item = api.get_listings_item(sellerId=SELLER, sku="PRICE-1", marketplaceIds=FR, includedData="summaries,issues").payload
    assert item["summaries"][0]["status"] == ["DISCOVERABLE"]
    assert "POTENTIAL_PRICING_ERROR" in codes(item)


def test_main_image_with_text_or_logo_is_accepted_then_reported_on_the_listing(api):
    answer = put(api, "IMG-1", ld.body(image="https://cdn.example.com/lamp-logo.jpg"))
    assert answer["status"] == "ACCEPTED" and "18027" not in codes(answer)
    item = api.get_listings_item(sellerId=SELLER, sku="IMG-1", marketplaceIds=FR, includedData="issues").payload
    issue = next(i for i in item["issues"] if i["code"] == "18027")
    assert issue["categories"] == ["INVALID_IMAGE"] and issue["marketplaceIds"] == [FR]
    assert issue["enforcements"]["actions"] == [{"action": "SEARCH_SUPPRESSED"}]


def test_validation_preview_answers_valid_without_storing(api):
    answer = put(api, "PREVIEW-1", ld.body(), mode="VALIDATION_PREVIEW")
    assert answer["status"] == "VALID"
    with pytest.raises(SellingApiNotFoundException):
        api.get_listings_item(sellerId=SELLER, sku="PREVIEW-1", marketplaceIds=FR)


def test_offer_only_needs_an_existing_asin(api):
    offer = {k: v for k, v in ld.attributes().items()
             if k in ("condition_type", "purchasable_offer", "fulfillment_availability")}
    known = put(api, "OFFER-1", {"productType": "PRODUCT", "requirements": "LISTING_OFFER_ONLY",
                                 "attributes": offer | {"merchant_suggested_asin": ld.plain("B0LAMP0001")}})
    assert known["status"] == "ACCEPTED" and known["identifiers"][0]["asin"] == "B0LAMP0001"
    unknown = put(api, "OFFER-2", {"productType": "PRODUCT", "requirements": "LISTING_OFFER_ONLY", "attributes": offer})
    assert unknown["status"] == "INVALID" and codes(unknown) == ["8560"]


def test_patch_updates_price_and_quantity_of_a_stored_listing(api):
    put(api, "PATCH-1", ld.body())
    answer = api.patch_listings_item(sellerId=SELLER, sku="PATCH-1", marketplaceIds=FR, body={
        "productType": "PRODUCT", "patches": [
            {"op": "replace", "path": "/attributes/fulfillment_availability",
             "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 3}]},
            {"op": "replace", "path": "/attributes/purchasable_offer",
             "value": [{"marketplace_id": FR, "currency": "EUR", "our_price": [{"schedule": [{"value_with_tax": 19.5}]}]}]},
        ]}).payload
    assert answer["status"] == "ACCEPTED"
    item = api.get_listings_item(sellerId=SELLER, sku="PATCH-1", marketplaceIds=FR,
                                 includedData="offers,fulfillmentAvailability").payload
    assert item["offers"][0]["price"]["amount"] == "19.50"
    assert item["fulfillmentAvailability"] == [{"fulfillmentChannelCode": "DEFAULT", "quantity": 3}]
    missing = api.patch_listings_item(sellerId=SELLER, sku="NOPE", marketplaceIds=FR, body={
        "productType": "PRODUCT", "patches": [{"op": "delete", "path": "/attributes/color"}]}).payload
    assert missing["status"] == "INVALID" and codes(missing) == ["13013"]


def test_delete_removes_the_listing(api):
    put(api, "DEL-1", ld.body())
    answer = api.delete_listings_item(sellerId=SELLER, sku="DEL-1", marketplaceIds=FR).payload
    assert answer["status"] == "ACCEPTED"
    with pytest.raises(SellingApiNotFoundException) as err:
        api.get_listings_item(sellerId=SELLER, sku="DEL-1", marketplaceIds=FR)
    assert err.value.amzn_code == "NOT_FOUND"


def test_search_by_sku_and_by_ean_with_pagination(api):
    for n in range(3):
        put(api, f"S-{n}", ld.body())
    found = api.search_listings_items(sellerId=SELLER, marketplaceIds=FR, identifiers="S-0,S-2",
                                      identifiersType="SKU").payload
    assert found["numberOfResults"] == 2 and [i["sku"] for i in found["items"]] == ["S-0", "S-2"]
    assert response_errors(MODEL, "GET", "/listings/2021-08-01/items/S", 200, found) == []
    by_ean = api.search_listings_items(sellerId=SELLER, marketplaceIds=FR, identifiers="4006381333931",
                                       identifiersType="EAN", pageSize=2)
    # sp_api moves "pagination" out of the payload into .next_token
    assert by_ean.payload["numberOfResults"] == 3 and len(by_ean.payload["items"]) == 2 and by_ean.next_token
    rest = api.search_listings_items(sellerId=SELLER, marketplaceIds=FR, pageToken=by_ean.next_token, pageSize=2).payload
    assert [i["sku"] for i in rest["items"]] == ["S-2"]


def test_bad_input_answers_400_in_amazons_shape(api):
    with pytest.raises(SellingApiBadRequestException) as err:
        put(api, "BadSKU", ld.body())
    assert err.value.amzn_code == "BAD_REQUEST"
    with pytest.raises(SellingApiBadRequestException):
        put(api, "X-1", {"productType": "NOT_A_TYPE", "attributes": {}})


def test_get_and_patch_across_two_marketplaces(api, sandbox):
    from tests.sandbox.conftest import DE, Raw
    de_body = ld.body()
    de_body["attributes"] = ld.attributes("A1PA6795UKMFR9")
    raw = Raw(sandbox)
    for mp, body in ((FR, ld.body()), (DE, de_body)):
        assert raw.call("PUT", f"/listings/2021-08-01/items/{SELLER}/TWO-1", {"marketplaceIds": mp}, body)[0] == 200
    item = api.get_listings_item(sellerId=SELLER, sku="TWO-1", marketplaceIds=f"{FR},{DE}",
                                 includedData="summaries,offers").payload
    assert [s["marketplaceId"] for s in item["summaries"]] == [FR, DE]
    answer = api.patch_listings_item(sellerId=SELLER, sku="TWO-1", marketplaceIds=f"{FR},{DE}", body={
        "productType": "PRODUCT", "patches": [{"op": "replace", "path": "/attributes/fulfillment_availability",
                                               "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 0}]}]}).payload
    assert answer["status"] == "ACCEPTED"
    item = api.get_listings_item(sellerId=SELLER, sku="TWO-1", marketplaceIds=f"{FR},{DE}").payload
    assert [s["status"] for s in item["summaries"]] == [["DISCOVERABLE"], ["DISCOVERABLE"]]


def test_oversized_body_is_refused_without_reading_it(sandbox):
    import http.client
    con = http.client.HTTPConnection("127.0.0.1", sandbox.port, timeout=5)
    con.putrequest("PUT", f"/listings/2021-08-01/items/{SELLER}/BIG?marketplaceIds={FR}")
    con.putheader("Content-Length", str(60 * 1024 * 1024))
    con.endheaders()
    response = con.getresponse()
    assert response.status == 413 and b"RequestEntityTooLarge" in response.read()
