"""A ``searchCatalogItems`` answer mapped back to the EANs that were asked for.

Amazon does not say which identifier an item matched (spapi-reference §e): every item is asked with
``includedData=identifiers`` and its EAN / UPC / GTIN identifiers are compared on their GTIN-14 form,
so an EAN-13 written ``0887276302195`` finds the item listed under UPC ``887276302195`` and back.

Per EAN the outcome is one of :data:`STATUSES`:
- ``NOT_FOUND``: no item carries the code;
- ``MATCHED``: exactly one item whose brand agrees with the product's (chosen automatically);
- ``MULTIPLE``: several items agree: the user chooses;
- ``CONFLICT``: items carry the code but none has the product's brand (Amazon would answer 8541).
A variation parent is never a candidate: an offer cannot be attached to it (its children can).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MATCHED, MULTIPLE, NOT_FOUND, CONFLICT = "MATCHED", "MULTIPLE", "NOT_FOUND", "CONFLICT"
STATUSES: tuple[str, ...] = (MATCHED, MULTIPLE, NOT_FOUND, CONFLICT)
VARIATION_PARENT = "VARIATION_PARENT"
GTIN_LENGTHS = (8, 12, 13, 14)


def gtin14(code: str | None) -> str | None:
    """The GTIN-14 form of an EAN-8/UPC-12/EAN-13/GTIN-14 (zeros on the left); None if not one."""
    code = (code or "").strip()
    if not code.isdigit() or len(code) not in GTIN_LENGTHS:
        return None
    return code.zfill(14)


def brand_key(brand: str | None) -> str:
    """A brand compared without case, accents, spaces or punctuation ("Lumina " == "LUMINA")."""
    text = unicodedata.normalize("NFKD", brand or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[\W_]+", "", text.casefold())


@dataclass(frozen=True)
class CatalogItem:
    """What Code2ASIN keeps of one Amazon catalogue item in one marketplace."""
    asin: str
    gtins: frozenset[str]
    item_name: str | None = None
    brand: str | None = None
    product_type: str | None = None
    classification: str | None = None
    parent_asin: str | None = None


def _for_marketplace(sections, marketplace_id: str) -> list[dict]:
    """The entries of a per-marketplace section (identifiers, summaries …) for ``marketplace_id``."""
    entries = [s for s in (sections or []) if isinstance(s, dict)]
    mine = [s for s in entries if s.get("marketplaceId") in (None, marketplace_id)]
    return mine or entries


def parse_item(raw: dict, marketplace_id: str) -> CatalogItem:
    """A :class:`CatalogItem` from one ``Item`` of the 2022-04-01 model."""
    gtins = set()
    for section in _for_marketplace(raw.get("identifiers"), marketplace_id):
        for ident in section.get("identifiers") or []:
            key = gtin14(str(ident.get("identifier", "")))
            if key:
                gtins.add(key)
    summary = next(iter(_for_marketplace(raw.get("summaries"), marketplace_id)), {})
    ptype = next(iter(_for_marketplace(raw.get("productTypes"), marketplace_id)), {})
    parent = None
    for section in _for_marketplace(raw.get("relationships"), marketplace_id):
        for rel in section.get("relationships") or []:
            parents = rel.get("parentAsins") or []
            parent = parent or (parents[0] if parents else None)
    return CatalogItem(asin=str(raw.get("asin", "")), gtins=frozenset(gtins), item_name=summary.get("itemName"),
                       brand=summary.get("brand"), product_type=ptype.get("productType"),
                       classification=summary.get("itemClassification"), parent_asin=parent)


@dataclass(frozen=True)
class Match:
    """One row of ``asin_matches`` (``asin`` is None for NOT_FOUND)."""
    ean: str
    asin: str | None
    status: str
    chosen: bool
    item: CatalogItem | None = None


def classify(ean: str, product_brand: str | None, items: list[CatalogItem],
             previous_choice: str | None = None) -> list[Match]:
    """The rows for ``ean`` given every item found in its batch.

    ``previous_choice``: the ASIN chosen before a re-check; kept when it is still a candidate.
    """
    key = gtin14(ean)
    candidates, seen = [], set()
    for item in items:
        if key in item.gtins and item.classification != VARIATION_PARENT and item.asin not in seen:
            seen.add(item.asin)
            candidates.append(item)
    if not candidates:
        return [Match(ean, None, NOT_FOUND, False)]
    wanted = brand_key(product_brand)
    agreeing = [c for c in candidates if not wanted or not brand_key(c.brand) or brand_key(c.brand) == wanted]
    status = CONFLICT if not agreeing else MATCHED if len(agreeing) == 1 else MULTIPLE
    auto = agreeing[0].asin if status == MATCHED else None
    choice = previous_choice if previous_choice in seen else auto
    return [Match(ean, c.asin, status, c.asin == choice, c) for c in candidates]
