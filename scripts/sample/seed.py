"""The Amazon-side catalogue of the local SP-API sandbox, built from the sample products."""
from __future__ import annotations

import random
from typing import TYPE_CHECKING

from .catalogue import CATEGORY_BY_NAME

if TYPE_CHECKING:
    from .products import Product

EU_MARKETPLACES = ("A13V1IB3VIYZZH", "A1PA6795UKMFR9", "A1F83G8C2ARO7P", "APJ6JRA9NG5V4", "A1RKKUPIHCS9HS")
FR, DE = "A13V1IB3VIYZZH", "A1PA6795UKMFR9"
_ASIN_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _identifiers(ean: str) -> dict[str, str]:
    if len(ean) == 12:      # a UPC: Amazon lists it as UPC and as the EAN with a leading zero
        return {"EAN": "0" + ean, "UPC": ean}
    return {"EAN": ean}


def build_seed(rng: random.Random, products: list[Product]) -> list[dict]:
    """Amazon-side items for about a third of the clean products' EANs, plus the special cases."""
    used: set[str] = set()

    def asin() -> str:
        while True:
            value = "B0" + "".join(rng.choice(_ASIN_CHARS) for _ in range(8))
            if value not in used:
                used.add(value)
                return value

    def item(p: Product, **overrides) -> dict:
        cat = CATEGORY_BY_NAME[p.category]
        out = {"asin": asin(), "identifiers": _identifiers(p.ean), "item_name": p.title, "brand": p.brand,
               "manufacturer": p.manufacturer,
               "product_type": "SHIRT" if p.special == "variation" else cat.product_type,
               "classification": "BASE_PRODUCT", "marketplaces": list(EU_MARKETPLACES),
               "browse_node": {"id": cat.browse_node[0], "name": cat.browse_node[1]},
               "image": f"https://m.media-amazon.com/images/I/{rng.randrange(10**9):09d}L.jpg"}
        out.update(overrides)
        return out

    items: list[dict] = []
    by_sku = {p.sku: p for p in products}
    # One EAN, two ASINs (a duplicate listing on Amazon): Code2ASIN must show both.
    doc = by_sku["BRI-0001"]
    items.append(item(doc))
    items.append(item(doc, item_name=doc.title + " (lot de 2)"))
    # The UPC, known under its EAN-13 form too.
    items.append(item(by_sku["MAI-0001"]))
    # GS1's example EAN: Amazon knows it under another brand (8541 conflict).
    gs1 = by_sku["CUI-0003"]
    items.append(item(gs1, brand="Kuchnia Polska", manufacturer="Kuchnia Polska Sp. z o.o."))
    # Parent/child variation: the parent carries no identifier.
    children = [by_sku[s] for s in ("SPO-0002", "SPO-0005", "SPO-0008")]
    parent = item(children[0], identifiers={}, item_name="Energym T-shirt de running respirant, bleu roi",
                  classification="VARIATION_PARENT")
    items.append(parent)
    for child in children:
        items.append(item(child, classification="VARIATION_CHILD", parent_asin=parent["asin"]))
    items.append(item(by_sku["HTE-0003"]))
    # About a third of the other clean products' EANs, a few with a conflicting brand or title.
    clean = sorted((p for p in products if p.defect in ("", "restricted_category") and not p.special),
                   key=lambda p: p.sku)
    picked = rng.sample(clean, round(len(clean) * .42))
    for n, p in enumerate(sorted(picked, key=lambda p: p.sku)):
        if n % 25 == 3:
            seeded = item(p, brand=p.brand + " Europe")                                # brand conflict
        elif n % 25 == 11:
            seeded = item(p, item_name=p.title.replace(p.noun, p.noun + " professionnel"))  # title conflict
        elif n % 25 == 17:
            seeded = item(p, marketplaces=[DE])                                       # not sold on Amazon.fr
        else:
            seeded = item(p, marketplaces=list(EU_MARKETPLACES) if rng.random() < .7 else [FR])
        items.append(seeded)
    return items
