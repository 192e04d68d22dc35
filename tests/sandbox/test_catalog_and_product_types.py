"""Catalog Items 2022-04-01 (Code2ASIN's call) and Product Type Definitions through sp_api, checked against the models."""
from __future__ import annotations

import hashlib
import json
import urllib.request

import pytest
from sp_api.api import CatalogItems, ProductTypeDefinitions
from sp_api.base.exceptions import SellingApiBadRequestException, SellingApiNotFoundException

from core.sandbox.catalog import DEFAULT_SEED, Catalog
from core.sandbox.gtin import check_digit_ok
from tests.sandbox.conftest import DE, FR, US
from tests.sandbox.models import response_errors
from tests.sandbox.spapi_client import client

CATALOG = "catalogItems_2022-04-01.json"
PTD = "definitionsProductTypes_2020-09-01.json"
SEARCH = "/catalog/2022-04-01/items"


@pytest.fixture
def catalog(sandbox):
    return client(CatalogItems, sandbox, version="2022-04-01")


def search(api, identifiers, **kw):
    kw.setdefault("marketplaceIds", FR)
    kw.setdefault("identifiersType", "EAN")
    kw.setdefault("includedData", "identifiers,summaries,productTypes,relationships,images")
    return api.search_catalog_items(identifiers=identifiers, **kw).payload


def test_search_by_ean_maps_back_through_identifiers_and_finds_several_asins(catalog):
    payload = search(catalog, "4006381333931,5901234123457,3760000000017")
    assert response_errors(CATALOG, "GET", SEARCH, 200, payload) == []
    assert payload["numberOfResults"] == 3
    assert sorted(i["asin"] for i in payload["items"]) == ["B0DUPE0001", "B0DUPE0002", "B0LAMP0001"]
    lamp = next(i for i in payload["items"] if i["asin"] == "B0LAMP0001")
    forms = {(x["identifierType"], x["identifier"]) for x in lamp["identifiers"][0]["identifiers"]}
    assert ("EAN", "4006381333931") in forms and ("GTIN", "04006381333931") in forms
    assert lamp["summaries"][0]["brand"] == "Marque X"
    assert lamp["productTypes"] == [{"marketplaceId": FR, "productType": "LAMP"}]


def test_upc_and_gtin14_spellings_find_the_same_item(catalog):
    assert [i["asin"] for i in search(catalog, "887276302195", identifiersType="UPC")["items"]] == ["B0UPC00001"]
    assert [i["asin"] for i in search(catalog, "00887276302195", identifiersType="GTIN")["items"]] == ["B0UPC00001"]


def test_items_are_filtered_by_marketplace(catalog):
    assert search(catalog, "0887276302195", marketplaceIds=DE)["numberOfResults"] == 0
    assert search(catalog, "0887276302195", marketplaceIds=US)["numberOfResults"] == 1


def test_parent_and_child_carry_their_variation_relationship(catalog):
    child = search(catalog, "3760061144675")["items"][0]
    assert child["relationships"][0]["relationships"] == [{"type": "VARIATION", "parentAsins": ["B0PARENT01"]}]
    parent = catalog.get_catalog_item("B0PARENT01", marketplaceIds=FR, includedData="relationships,summaries").payload
    assert parent["relationships"][0]["relationships"] == [{"type": "VARIATION", "childAsins": ["B0CHILD001"]}]
    assert parent["summaries"][0]["itemClassification"] == "VARIATION_PARENT"
    assert response_errors(CATALOG, "GET", "/catalog/2022-04-01/items/B0PARENT01", 200, parent) == []


@pytest.mark.parametrize("kwargs", [
    {"identifiers": ",".join(["4006381333931"] * 21)},               # more than 20 identifiers
    {"identifiers": "4006381333931", "marketplaceIds": f"{FR},{DE}"},  # exactly one marketplace
    {"identifiers": "4006381333931", "identifiersType": "COLOUR"},
])
def test_invalid_searches_are_400(catalog, kwargs):
    with pytest.raises(SellingApiBadRequestException) as err:
        search(catalog, **kwargs)
    assert err.value.code == 400


def test_unknown_asin_is_404_with_amazons_text(catalog):
    with pytest.raises(SellingApiNotFoundException) as err:
        catalog.get_catalog_item("B0AABBCC00", marketplaceIds=FR)
    assert err.value.error[0]["message"] == "Requested item, B0AABBCC00, not found in marketplace(s) [A13V1IB3VIYZZH]."


def test_shipped_seed_has_the_cases_code2asin_needs():
    items = json.loads(DEFAULT_SEED.read_text("utf-8"))
    seed = Catalog(items)
    assert all(i["asin"].startswith("B0") and len(i["asin"]) == 10 for i in items)
    assert any(len(v) > 1 for v in seed.by_gtin.values()), "an EAN with several ASINs"
    assert seed.children and all(p in seed.by_asin for p in seed.children), "a parent/child variation"
    assert all(check_digit_ok(str(v)) for i in items for v in i["identifiers"].values())


def test_product_type_search_and_definition_with_schema_served_by_the_sandbox(sandbox):
    api = client(ProductTypeDefinitions, sandbox)
    found = api.search_definitions_product_types(keywords="montre", marketplaceIds=FR).payload
    assert response_errors(PTD, "GET", "/definitions/2020-09-01/productTypes", 200, found) == []
    assert [p["name"] for p in found["productTypes"]] == ["WATCH"]
    definition = api.get_definitions_product_type("PRODUCT", marketplaceIds=FR, requirements="LISTING", locale="fr_FR").payload
    assert response_errors(PTD, "GET", "/definitions/2020-09-01/productTypes/PRODUCT", 200, definition) == []
    link = definition["schema"]["link"]["resource"]
    assert link.startswith(sandbox.url + "/_sandbox/schemas/")
    data = urllib.request.urlopen(link, timeout=5).read()
    assert hashlib.md5(data).hexdigest() == definition["schema"]["checksum"]
    assert json.loads(data)["$id"].endswith("/PRODUCT")
    with pytest.raises(SellingApiBadRequestException):
        api.get_definitions_product_type("INVALID", marketplaceIds=FR)


def test_an_asin_created_by_an_accepted_listing_joins_the_catalogue(sandbox, catalog):
    from sp_api.api import ListingsItems
    from tests.sandbox import listing_data as ld
    listings = client(ListingsItems, sandbox)
    answer = listings.put_listings_item(sellerId="A2SANDBOXDEMO1", sku="NEW/9", marketplaceIds=FR, includedData="identifiers",
                                        body=ld.body(ean="3760000000017", title="Coussin lin", brand="Maison Dupont")).payload
    asin = answer["identifiers"][0]["asin"]
    found = search(catalog, "3760000000017")
    assert [(i["asin"], i["summaries"][0]["brand"]) for i in found["items"]] == [(asin, "Maison Dupont")]
    assert search(catalog, "3760000000017", marketplaceIds=DE)["numberOfResults"] == 0


def test_wire_quirks_of_sp_api_are_tolerated(sandbox, raw):
    """Repeated query keys (sp_api's lists), a wrong Host header (sp_api sends endpoint[8:]), extra body keys."""
    from urllib.parse import urlencode
    query = urlencode([("identifiers", "4006381333931"), ("identifiers", "0887276302195"), ("identifiersType", "EAN"),
                       ("marketplaceIds", FR), ("MarketplaceId", FR), ("includedData", "identifiers"),
                       ("includedData", "summaries")])
    status, headers, body = raw.call("GET", "/catalog/2022-04-01/items?" + query,
                                     headers={"Host": f"27.0.0.1:{sandbox.port}"})
    assert status == 200 and body["numberOfResults"] == 2 and "summaries" in body["items"][0]
    status, _, doc = raw.call("POST", "/feeds/2021-06-30/documents",
                              body={"contentType": "application/json", "path": "/feeds/2021-06-30/documents",
                                    "marketplaceIds": [FR]})
    assert status == 201 and doc["url"].startswith(sandbox.url)
