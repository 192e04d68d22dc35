"""Catalog Items API 2022-04-01: ``searchCatalogItems`` (identifiers or keywords) and ``getCatalogItem``.

The Amazon-side catalogue is ``data/sandbox/catalog_seed.json`` (generated from the sample catalogue,
format in README): one EAN may have several ASINs, and variation parents/children carry relationships.
Identifiers are matched on their GTIN-14 form, so EAN-13, UPC-12 and GTIN-14 spellings all find an item.
"""
from __future__ import annotations

import base64
import json
import re
from pathlib import Path

from core.db import DATA_DIR
from core.sandbox import gtin
from core.sandbox.accounts import PRODUCT_LISTING
from core.sandbox.routing import Request, Response, Route, errors, invalid_input

DEFAULT_SEED = DATA_DIR / "sandbox" / "catalog_seed.json"
IDENTIFIER_TYPES = ("ASIN", "EAN", "GTIN", "ISBN", "JAN", "MINSAN", "SKU", "UPC")
INCLUDED_DATA = ("attributes", "classifications", "dimensions", "identifiers", "images", "productTypes",
                 "relationships", "salesRanks", "summaries", "vendorDetails")
MAX_IDENTIFIERS = 20
MAX_PAGE_SIZE = 20


class Catalog:
    """The seed items indexed by ASIN and by GTIN-14."""

    def __init__(self, items: list[dict]):
        self.items = items
        self.by_asin = {i["asin"]: i for i in items}
        self.by_gtin: dict[str, list[dict]] = {}
        for item in items:
            for value in (item.get("identifiers") or {}).values():
                key = gtin.gtin14(str(value))
                if key and item not in self.by_gtin.setdefault(key, []):
                    self.by_gtin[key].append(item)
        self.children: dict[str, list[str]] = {}
        for item in items:
            if item.get("parent_asin"):
                self.children.setdefault(item["parent_asin"], []).append(item["asin"])

    @classmethod
    def load(cls, source: Path | list | None = None) -> "Catalog":
        """From a list of items, a JSON file, or the shipped seed (empty catalogue when it is absent)."""
        if isinstance(source, list):
            return cls(source)
        path = Path(source) if source else DEFAULT_SEED
        return cls(json.loads(path.read_text("utf-8")) if path.exists() else [])

    def find_gtin(self, code: str) -> list[dict]:
        """Seed items whose identifiers have the GTIN-14 of ``code``."""
        key = gtin.gtin14(code)
        return list(self.by_gtin.get(key, [])) if key else []

    def in_marketplace(self, item: dict, marketplace_id: str) -> bool:
        """True when the seed item is sold in ``marketplace_id`` (items without a list are everywhere)."""
        return marketplace_id in item.get("marketplaces", [marketplace_id])


def render(catalog: Catalog, item: dict, marketplace_id: str, included: list[str]) -> dict:
    """One ``Item`` of the 2022-04-01 model with the requested ``includedData`` sections."""
    out: dict = {"asin": item["asin"]}
    mp = marketplace_id
    if "summaries" in included:
        summary = {"marketplaceId": mp, "brand": item.get("brand"), "itemName": item.get("item_name"),
                   "manufacturer": item.get("manufacturer"),
                   "itemClassification": _classification(item)}
        node = item.get("browse_node") or {}
        if node:
            summary["browseClassification"] = {"displayName": node.get("name", ""), "classificationId": str(node.get("id", ""))}
        out["summaries"] = [{k: v for k, v in summary.items() if v is not None}]
    if "identifiers" in included:
        ids = []
        for kind, value in (item.get("identifiers") or {}).items():
            for form, code in gtin.forms(str(value)).items():
                entry = {"identifierType": form, "identifier": code}
                if entry not in ids:
                    ids.append(entry)
            if not gtin.forms(str(value)):
                ids.append({"identifierType": kind, "identifier": str(value)})
        out["identifiers"] = [{"marketplaceId": mp, "identifiers": ids}]
    if "productTypes" in included:
        out["productTypes"] = [{"marketplaceId": mp, "productType": item.get("product_type", "PRODUCT")}]
    if "images" in included:
        images = [{"variant": "MAIN", "link": item["image"], "height": 1000, "width": 1000}] if item.get("image") else []
        out["images"] = [{"marketplaceId": mp, "images": images}]
    if "relationships" in included:
        rels = []
        if item.get("parent_asin"):
            rels.append({"type": "VARIATION", "parentAsins": [item["parent_asin"]]})
        if catalog.children.get(item["asin"]):
            rels.append({"type": "VARIATION", "childAsins": catalog.children[item["asin"]]})
        out["relationships"] = [{"marketplaceId": mp, "relationships": rels}]
    if "attributes" in included:
        out["attributes"] = {
            "item_name": [{"value": item.get("item_name", ""), "marketplace_id": mp}],
            "brand": [{"value": item.get("brand", ""), "marketplace_id": mp}],
        }
    return out


def _classification(item: dict) -> str:
    # The seed says VARIATION_CHILD for children; the model's enum has BASE_PRODUCT for them.
    value = item.get("classification", "BASE_PRODUCT")
    return value if value in ("BASE_PRODUCT", "OTHER", "PRODUCT_BUNDLE", "VARIATION_PARENT") else "BASE_PRODUCT"


def created_items(ctx, marketplace_id: str, codes: list[str]) -> list[dict]:
    """Seed-shaped items for ASINs that accepted listings created (not in the seed) whose GTIN is in ``codes``.

    On Amazon a new ASIN joins the catalogue, so Code2ASIN finds products exported earlier.
    """
    wanted = {gtin.gtin14(c) for c in codes} - {None}
    items = []
    for row in ctx.store.query("SELECT * FROM listings WHERE marketplace_id=? ORDER BY sku", (marketplace_id,)):
        if row["asin"] in ctx.catalog.by_asin:
            continue
        attrs = json.loads(row["attributes"])
        first = {n: (attrs.get(n) or [{}])[0] for n in ("externally_assigned_product_identifier", "item_name", "brand")}
        code = str(first["externally_assigned_product_identifier"].get("value", ""))
        if gtin.gtin14(code) in wanted and all(i["asin"] != row["asin"] for i in items):
            items.append({"asin": row["asin"], "identifiers": {"EAN": code}, "item_name": first["item_name"].get("value"),
                          "brand": first["brand"].get("value"), "product_type": row["product_type"],
                          "classification": "BASE_PRODUCT", "marketplaces": [marketplace_id]})
    return items


def _page(items: list, req: Request) -> tuple[list, dict]:
    try:
        size = int(req.one("pageSize", "10"))
        start = int(base64.b64decode(req.one("pageToken", "") or b"MA==").decode()) if req.one("pageToken") else 0
    except ValueError:
        raise ValueError("pageSize/pageToken")
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise ValueError("pageSize")
    pagination = {}
    if start + size < len(items):
        pagination["nextToken"] = base64.b64encode(str(start + size).encode()).decode()
    if start > 0:
        pagination["previousToken"] = base64.b64encode(str(max(0, start - size)).encode()).decode()
    return items[start:start + size], pagination


def search_catalog_items(ctx, req: Request) -> Response:
    """``GET /catalog/2022-04-01/items`` (searchCatalogItems)."""
    marketplaces = [m for m in req.list("marketplaceIds") if m]
    identifiers = [i for i in req.list("identifiers") if i]
    keywords = [k for k in req.list("keywords") if k]
    kind = (req.one("identifiersType") or "").upper()
    included = req.list("includedData") or ["summaries"]
    if len(marketplaces) != 1 or not (identifiers or keywords):
        return errors(400, "400", "Request has missing or invalid parameters and cannot be parsed.", None)
    if (identifiers and keywords) or any(i not in INCLUDED_DATA for i in included):
        return invalid_input()
    if identifiers and len(identifiers) > MAX_IDENTIFIERS:
        return invalid_input("Too many 'identifiers' provided")
    if identifiers and kind not in IDENTIFIER_TYPES:
        return invalid_input("Invalid 'identifiersType' provided.")
    catalog: Catalog = ctx.catalog
    mp = marketplaces[0]
    found: list[dict] = []
    if identifiers:
        for code in identifiers:
            if kind == "ASIN":
                matches = [catalog.by_asin[code]] if code in catalog.by_asin else []
            elif kind == "SKU":
                matches = []  # seller SKUs are not catalogue identifiers in the seed
            else:
                matches = catalog.find_gtin(code)
            found.extend(m for m in matches if m not in found)
    else:
        words = [w.lower() for w in keywords]
        for item in catalog.items:
            text = f"{item.get('item_name', '')} {item.get('brand', '')}".lower()
            if all(re.search(re.escape(w), text) for w in words):
                found.append(item)
    found = [i for i in found if catalog.in_marketplace(i, mp)]
    if identifiers and kind in ("EAN", "UPC", "GTIN"):
        found += [i for i in created_items(ctx, mp, identifiers) if i["asin"] not in {f["asin"] for f in found}]
    try:
        page, pagination = _page(found, req)
    except ValueError:
        return invalid_input()
    body = {"numberOfResults": len(found), "items": [render(catalog, i, mp, included) for i in page]}
    if pagination:
        body["pagination"] = pagination
    if keywords:
        body["refinements"] = {"brands": [], "classifications": []}
    return Response(200, body)


def get_catalog_item(ctx, req: Request) -> Response:
    """``GET /catalog/2022-04-01/items/{asin}`` (getCatalogItem)."""
    asin = req.params["asin"]
    marketplaces = [m for m in req.list("marketplaceIds") if m]
    included = req.list("includedData") or ["summaries"]
    if not asin or not marketplaces:
        return errors(400, "400", "Request has missing or invalid parameters and cannot be parsed.", None)
    item = ctx.catalog.by_asin.get(asin)
    if item is None or not ctx.catalog.in_marketplace(item, marketplaces[0]):
        return errors(404, "NOT_FOUND", f"Requested item, {asin}, not found in marketplace(s) [{','.join(marketplaces)}].")
    return Response(200, render(ctx.catalog, item, marketplaces[0], included))


ROUTES = (
    Route("GET", "/catalog/2022-04-01/items", "searchCatalogItems", search_catalog_items, PRODUCT_LISTING),
    Route("GET", "/catalog/2022-04-01/items/{asin}", "getCatalogItem", get_catalog_item, PRODUCT_LISTING),
)
