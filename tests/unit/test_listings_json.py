"""JSON listings built from the mapping: shapes per spapi-reference §d, validated against Amazon's own
schemas (the JSON listings feed message schema v2 and the PRODUCT product-type schema)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft7Validator, Draft201909Validator

from core.listings import OFFER_ATTRIBUTES, OFFER_ONLY, BuildOptions, feed_document_sql, listings_sql
from core.mapping import profiles
from core.mapping.default import DEFAULT_MAPPING
from core.marketplaces import marketplace
from tests.factories import make_products, product

MODELS = Path(__file__).resolve().parents[3] / "shared" / "spapi-models"   # ../shared beside the checkout
FR = marketplace("FR")
EXTRAS = ("color", "country_of_origin", "item_type_keyword", "supplier_declared_dg_hz_regulation")
IMAGES = [f"https://cdn.example.com/{i}.jpg" for i in range(12)]


def built(con, opts=None, rows=DEFAULT_MAPPING) -> dict[str, dict]:
    sql = listings_sql(con, rows, opts or BuildOptions(FR))
    return {sku: json.loads(body) for sku, body in con.execute(f"SELECT sku, body FROM ({sql})").fetchall()}


@pytest.fixture
def catalogue(con):
    make_products(con, [
        product(sku="FULL", images=IMAGES, weight="1200", price="29.9",
                bullet_points=["Un", " ", "Deux", "Trois", "Quatre", "Cinq", "Six"],
                color="Noir", country_of_origin="FR", item_type_keyword="desk-lamps",
                supplier_declared_dg_hz_regulation="not_applicable"),
        product(sku="UPC", ean="887276302195", images=[], bullet_points=[], weight=None),
        product(sku="EXEMPT", ean=None, gtin_exempt=True, brand="Maison Vauban", title="Maison Vauban Bougie"),
        product(sku="NO-ID", ean=None, gtin_exempt=False),
    ], extra_columns=EXTRAS)
    return con


def test_attributes_follow_the_reference_shapes(catalogue):
    body = built(catalogue)["FULL"]
    a = body["attributes"]
    assert body["requirements"] == "LISTING" and body["productType"] == "HOME"   # category Maison
    assert a["item_name"] == [{"value": "Marque Lampe de bureau LED noire", "language_tag": "fr_FR",
                               "marketplace_id": FR.marketplace_id}]
    assert a["brand"][0]["value"] == "Marque" and a["manufacturer"][0]["value"] == "Marque SAS"
    assert a["product_description"][0]["value"] == "Lampe LED."                  # HTML converted to text
    assert [b["value"] for b in a["bullet_point"]] == ["Un", "Deux", "Trois", "Quatre"]   # 5 mapped, blank dropped
    assert a["purchasable_offer"] == [{"marketplace_id": FR.marketplace_id, "currency": "EUR", "audience": "ALL",
                                       "our_price": [{"schedule": [{"value_with_tax": 29.9}]}]}]
    assert a["fulfillment_availability"] == [{"fulfillment_channel_code": "DEFAULT", "quantity": 5}]
    assert a["item_weight"] == [{"value": 1.2, "unit": "kilograms", "marketplace_id": FR.marketplace_id}]
    assert a["externally_assigned_product_identifier"] == [
        {"type": "ean", "value": "4006381333931", "marketplace_id": FR.marketplace_id}]
    assert a["main_product_image_locator"][0]["media_location"] == IMAGES[0]
    others = sorted(k for k in a if k.startswith("other_product_image_locator_"))
    assert others == [f"other_product_image_locator_{i}" for i in range(1, 9)]      # 8 at most
    assert a["other_product_image_locator_8"][0]["media_location"] == IMAGES[8]
    assert a["condition_type"] == [{"value": "new_new", "marketplace_id": FR.marketplace_id}]
    assert a["color"][0] == {"value": "Noir", "language_tag": "fr_FR", "marketplace_id": FR.marketplace_id}
    assert a["country_of_origin"] == [{"value": "FR", "marketplace_id": FR.marketplace_id}]
    assert "supplier_declared_has_product_identifier_exemption" not in a


def test_identifiers_exemption_and_absent_values(catalogue):
    got = built(catalogue)
    upc = got["UPC"]["attributes"]
    assert upc["externally_assigned_product_identifier"][0]["type"] == "upc"
    assert not {"item_weight", "bullet_point", "main_product_image_locator"} & set(upc)   # empty = not sent
    exempt = got["EXEMPT"]["attributes"]
    assert exempt["supplier_declared_has_product_identifier_exemption"] == [
        {"value": True, "marketplace_id": FR.marketplace_id}]
    assert "externally_assigned_product_identifier" not in exempt
    # Not exempt and no EAN: no exemption is claimed on the seller's behalf.
    assert "supplier_declared_has_product_identifier_exemption" not in got["NO-ID"]["attributes"]


def test_feed_messages_validate_against_amazons_message_schema(catalogue):
    schema = json.loads((MODELS / "listings-feed-message-schema-v2.json").read_text("utf-8"))
    sql = listings_sql(catalogue, DEFAULT_MAPPING, BuildOptions(FR))
    doc = json.loads(catalogue.execute(feed_document_sql(
        f"SELECT row_number() OVER (ORDER BY _row) AS message_id, sku, body FROM ({sql})", "A2SELLER", "fr_FR")
    ).fetchone()[0])
    assert doc["header"] == {"sellerId": "A2SELLER", "version": "2.0", "issueLocale": "fr_FR"}
    assert [m["messageId"] for m in doc["messages"]] == [1, 2, 3, 4]
    validator = Draft7Validator(schema)
    for msg in doc["messages"]:
        assert list(validator.iter_errors(msg)) == [], msg["sku"]
        assert msg["operationType"] == "UPDATE"
    # The feed schema (header + messages) too.
    feed_schema = json.loads((MODELS / "listings-feed-schema-v2.json").read_text("utf-8"))
    assert [e.message for e in Draft7Validator(feed_schema).iter_errors(doc)] == []


def test_complete_listing_validates_against_the_product_type_schema(catalogue):
    schema = json.loads((MODELS / "product-types" / "PRODUCT.json").read_text("utf-8"))
    attributes = built(catalogue)["FULL"]["attributes"]
    problems = list(Draft201909Validator(schema).iter_errors(attributes))
    # Known gaps of the 2023 US PRODUCT schema (reference §d): it predates `manufacturer` and the offer's
    # `audience` (present in current product types), and asks US merchant-fulfilled offers for a
    # `merchant_shipping_group` (EU sellers get a default template).
    tolerated = {("additionalProperties", "manufacturer"), ("additionalProperties", "audience"),
                 ("required", "merchant_shipping_group")}

    def names(e):
        if e.validator == "additionalProperties":
            return {(e.validator, n) for n in set(e.instance) - set(e.schema.get("properties", {}))}
        return {(e.validator, n) for n in e.validator_value if n not in e.instance}

    leftovers = [e.message for e in problems if not names(e) <= tolerated]
    assert leftovers == []
    assert any(names(e) == {("additionalProperties", "manufacturer")} for e in problems)   # the check is live
    # Without the extra columns the schema names exactly what the catalogue lacks for a new listing.
    upc = built(catalogue)["UPC"]["attributes"]
    missing = {n for e in Draft201909Validator(schema).iter_errors(upc)
               if e.validator == "required" for n in e.validator_value if n not in upc}
    assert {"color", "country_of_origin", "item_type_keyword", "supplier_declared_dg_hz_regulation"} <= missing


def test_offer_only_keeps_sales_terms_and_uses_the_code2asin_match(catalogue):
    # Code2ASIN's table (its own SCHEMA when it is registered; the documented columns otherwise).
    catalogue.execute("CREATE TABLE IF NOT EXISTS asin_matches (ean VARCHAR, marketplace VARCHAR, asin VARCHAR, "
                      "item_name VARCHAR, brand VARCHAR, product_type VARCHAR, classification VARCHAR, "
                      "parent_asin VARCHAR, match_status VARCHAR, chosen BOOLEAN, checked_at TIMESTAMP)")
    catalogue.execute("INSERT INTO asin_matches VALUES ('4006381333931', 'FR', 'B0CHOSEN01', 'x', 'Marque', 'LAMP', "
                      "'BASE_PRODUCT', NULL, 'MATCHED', true, now()), ('4006381333931', 'FR', 'B0NOTCHOSE', 'y', "
                      "'Marque', 'LAMP', 'BASE_PRODUCT', NULL, 'MULTIPLE', false, now())")
    got = built(catalogue, BuildOptions(FR, requirements=OFFER_ONLY, condition_type="used_good"))
    full = got["FULL"]
    assert full["requirements"] == OFFER_ONLY and full["productType"] == "LAMP"      # the ASIN's product type
    assert set(full["attributes"]) <= set(OFFER_ATTRIBUTES)
    assert full["attributes"]["merchant_suggested_asin"] == [{"value": "B0CHOSEN01", "marketplace_id": FR.marketplace_id}]
    assert full["attributes"]["condition_type"][0]["value"] == "used_good"
    assert "merchant_suggested_asin" not in got["UPC"]["attributes"]
    # In create mode a known match is suggested too, beside the product facts.
    create = built(catalogue)["FULL"]["attributes"]
    assert create["merchant_suggested_asin"][0]["value"] == "B0CHOSEN01" and "item_name" in create


def test_a_mapping_change_changes_the_json_like_the_flat_file(catalogue):
    rows = [r.as_dict() for r in DEFAULT_MAPPING]
    for r in rows:
        if r["field"] == "item_name":
            r["param"] = "10"
        if r["field"] == "item_weight":
            r["param"] = "g"
        if r["field"] == "item_weight_unit_of_measure":
            r["param"] = "g"
    saved = profiles.save(catalogue, "FR", "short", rows, based_on=0, user="test")
    got = built(catalogue, rows=saved.rows)["FULL"]["attributes"]
    assert len(got["item_name"][0]["value"]) <= 10
    assert got["item_weight"][0] == {"value": 1200, "unit": "grams", "marketplace_id": FR.marketplace_id}


def test_json_is_built_in_one_statement_for_a_large_catalogue(con):
    # Set-based: 1,500 products through one SELECT; every body parses and carries its SKU's price.
    make_products(con, [product(sku=f"S{i:05d}", price=f"{i % 90 + 10}.50") for i in range(1500)])
    rows = con.execute(f"SELECT sku, body FROM ({listings_sql(con, DEFAULT_MAPPING, BuildOptions(FR))})").fetchall()
    assert len(rows) == 1500
    price = {s: json.loads(b)["attributes"]["purchasable_offer"][0]["our_price"][0]["schedule"][0]["value_with_tax"]
             for s, b in rows}
    assert price["S00007"] == 17.5 and price["S01499"] == 1499 % 90 + 10.5
