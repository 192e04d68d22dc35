"""Product Type Definitions API 2020-09-01: search and get, over schemas shipped in data/sandbox/product_types/.

The shipped schema is Amazon's real ``PRODUCT`` schema (Apache-2.0, NOTICE beside it). The other product
types the sandbox knows reuse it as their schema (a documented simplification: real schemas differ per
type); what differs per type here is its name, display name and whether selling it needs an approval.
The schema link points at the sandbox itself (``/_sandbox/schemas/<file>``).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache

from core.db import DATA_DIR
from core.sandbox.accounts import PRODUCT_LISTING
from core.sandbox.routing import Request, Response, Route, bad_request

SCHEMA_DIR = DATA_DIR / "sandbox" / "product_types"
META_SCHEMA_FILE = "meta-schema-v1.json"
REQUIREMENTS = ("LISTING", "LISTING_PRODUCT_ONLY", "LISTING_OFFER_ONLY")


@dataclass(frozen=True)
class ProductType:
    """A product type the sandbox knows: its schema file and whether selling it needs an approval."""
    name: str
    display_name: str
    schema_file: str = "PRODUCT.json"
    restricted: bool = False   # category approval needed (6039) — reference §j
    keywords: tuple[str, ...] = ()


PRODUCT_TYPES: tuple[ProductType, ...] = (
    ProductType("PRODUCT", "Product", keywords=("product", "produit", "generic")),
    ProductType("HOME", "Home", keywords=("home", "maison", "decor", "décoration")),
    ProductType("LAMP", "Lamp", keywords=("lamp", "lampe", "luminaire", "lighting")),
    ProductType("KITCHEN", "Kitchen", keywords=("kitchen", "cuisine", "cookware")),
    ProductType("OUTDOOR_LIVING", "Outdoor Living", keywords=("garden", "jardin", "outdoor")),
    ProductType("TOOLS", "Tools", keywords=("tools", "bricolage", "outils")),
    ProductType("TOY_FIGURE", "Toy Figure", keywords=("toy", "jouet", "jouets", "figure")),
    ProductType("TOYS_AND_GAMES", "Toys and Games", keywords=("toy", "toys", "jouet", "jouets", "jeux")),
    ProductType("BOARD_GAME", "Board Game", keywords=("board", "game", "jeu", "société")),
    ProductType("SPORTING_GOODS", "Sporting Goods", keywords=("sport", "fitness")),
    ProductType("SHIRT", "Shirt", keywords=("shirt", "t-shirt", "chemise", "vêtement")),
    ProductType("SHOES", "Shoes", keywords=("shoes", "chaussure", "basket", "sneaker")),
    ProductType("CONSUMER_ELECTRONICS", "Consumer Electronics", keywords=("electronics", "high-tech", "tv", "audio")),
    ProductType("HEADPHONES", "Headphones", keywords=("headphones", "casque", "écouteurs", "audio")),
    ProductType("BEAUTY", "Beauty", keywords=("beauty", "beauté", "cosmetics")),
    ProductType("HEALTH_PERSONAL_CARE", "Health and Personal Care", keywords=("health", "santé", "hygiène")),
    ProductType("PET_SUPPLIES", "Pet Supplies", keywords=("pet", "animal", "animaux")),
    ProductType("OFFICE_PRODUCTS", "Office Products", keywords=("office", "bureau", "papeterie")),
    ProductType("ABIS_BOOK", "Book", keywords=("book", "livre")),
    ProductType("LUGGAGE", "Luggage", keywords=("luggage", "bagage", "suitcase", "valise")),
    ProductType("JEWELRY", "Jewelry", restricted=True, keywords=("jewelry", "bijoux", "bijou")),
    ProductType("NECKLACE", "Necklace", restricted=True, keywords=("necklace", "collier", "bijoux")),
    ProductType("RING", "Ring", restricted=True, keywords=("ring", "bague", "bijoux")),
    ProductType("WATCH", "Watch", restricted=True, keywords=("watch", "montre", "montres")),
)
BY_NAME = {p.name: p for p in PRODUCT_TYPES}


@lru_cache(maxsize=None)
def schema_bytes(file_name: str) -> bytes:
    """Bytes of a shipped schema file (only names listed in the table or the meta-schema)."""
    allowed = {p.schema_file for p in PRODUCT_TYPES} | {META_SCHEMA_FILE}
    if file_name not in allowed:
        raise KeyError(file_name)
    return (SCHEMA_DIR / file_name).read_bytes()


@lru_cache(maxsize=None)
def schema(product_type: str) -> dict:
    """The JSON schema of a known product type."""
    return json.loads(schema_bytes(BY_NAME[product_type].schema_file))


def _checksum(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def _version(product_type: ProductType) -> str:
    return hashlib.sha1(schema_bytes(product_type.schema_file)).hexdigest()[:12].upper() + "="


def search_definitions(ctx, req: Request) -> Response:
    """``GET /definitions/2020-09-01/productTypes`` by keywords or item name."""
    marketplaces = [m for m in req.list("marketplaceIds") if m]
    keywords = [k.lower() for k in req.list("keywords") if k]
    item_name = (req.one("itemName") or "").lower()
    if keywords and item_name:
        return bad_request()
    if not marketplaces:
        marketplaces = ["ATVPDKIKX0DER"]
    words = keywords or item_name.split()
    matches = [
        p for p in PRODUCT_TYPES
        if not words or any(w in p.keywords or w == p.name.lower() or w in p.display_name.lower() for w in words)
    ]
    if words and not matches and keywords:
        return bad_request()
    return Response(200, {
        "productTypes": [{"name": p.name, "displayName": p.display_name, "marketplaceIds": marketplaces} for p in matches],
        "productTypeVersion": _version(BY_NAME["PRODUCT"]),
    })


def _property_groups(names: list[str]) -> dict:
    groups = {
        "product_identity": ("Product Identity", "Information to uniquely identify your product (e.g., UPC, EAN, GTIN, Product Type, Brand)",
                             ("item_name", "brand", "externally_assigned_product_identifier", "merchant_suggested_asin",
                              "supplier_declared_has_product_identifier_exemption", "item_type_keyword")),
        "offer": ("Offer", "Information to enable the product to be sold (e.g., price, condition, quantity)",
                  ("condition_type", "condition_note", "purchasable_offer", "list_price", "fulfillment_availability")),
        "images": ("Images", "Images of the product",
                   tuple(n for n in names if n.endswith("image_locator") or "_image_locator_" in n)),
    }
    return {key: {"title": t, "description": d, "propertyNames": [n for n in props if n in names]}
            for key, (t, d, props) in groups.items()}


def get_definition(ctx, req: Request) -> Response:
    """``GET /definitions/2020-09-01/productTypes/{productType}``: links to the schema served by the sandbox."""
    name = req.params["productType"]
    marketplaces = [m for m in req.list("marketplaceIds") if m]
    requirements = req.one("requirements", "LISTING")
    enforced = req.one("requirementsEnforced", "ENFORCED")
    product_type = BY_NAME.get(name)
    if product_type is None or requirements not in REQUIREMENTS or enforced not in ("ENFORCED", "NOT_ENFORCED"):
        return bad_request()
    if len(marketplaces) != 1:
        return bad_request()
    data = schema_bytes(product_type.schema_file)
    meta = schema_bytes(META_SCHEMA_FILE)
    base = req.base_url + "/_sandbox/schemas/"
    return Response(200, {
        "metaSchema": {"link": {"resource": base + META_SCHEMA_FILE, "verb": "GET"}, "checksum": _checksum(meta)},
        "schema": {"link": {"resource": base + product_type.schema_file, "verb": "GET"}, "checksum": _checksum(data)},
        "requirements": requirements,
        "requirementsEnforced": enforced,
        "propertyGroups": _property_groups(list(schema(name)["properties"])),
        "locale": req.one("locale", "DEFAULT") or "DEFAULT",
        "marketplaceIds": marketplaces,
        "productType": product_type.name,
        "displayName": product_type.display_name,
        "productTypeVersion": {"version": _version(product_type), "latest": True, "releaseCandidate": False},
    })


ROUTES = (
    Route("GET", "/definitions/2020-09-01/productTypes", "searchDefinitionsProductTypes", search_definitions, PRODUCT_LISTING),
    Route("GET", "/definitions/2020-09-01/productTypes/{productType}", "getDefinitionsProductType", get_definition, PRODUCT_LISTING),
)
