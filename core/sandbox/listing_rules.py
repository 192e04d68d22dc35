"""The sandbox's listing rules, as data: one ``SandboxRule`` per check, with Amazon's code and wording.

Deterministic, documented in README (section sandbox). Each rule's ``check`` returns ``(message,
attribute_names)`` pairs for a submission; ``stage`` says when Amazon reports it: ``submission`` issues are
in the PUT/PATCH answer (an ERROR there makes it INVALID), ``post`` issues appear later on the accepted
listing (getListingsItem ``includedData=issues``), as Amazon's image-suppression 18027 does.
Texts follow reference §j and the static-sandbox examples; codes are Amazon's, except
``POTENTIAL_PRICING_ERROR`` (Amazon documents the deactivation, not a numeric code).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

from jsonschema import Draft201909Validator

from core.sandbox import gtin, product_types

GATED_BRANDS = frozenset({"apple", "lenovo", "nike", "lego", "samsung"})
RESTRICTED_BROWSE_NODES = frozenset({"193710031", "193711031"})  # Bijoux / Montres on Amazon.fr (sandbox list)
MIN_PRICE, MAX_PRICE = 0.5, 10000.0
TITLE_SIMILARITY_MIN = 0.3
# Conditionally required by the 2023 US PRODUCT schema for merchant-fulfilled offers (a US shipping template);
# EU sellers get a default template, so the sandbox does not demand it.
NOT_REQUIRED_IN_SANDBOX = frozenset({"merchant_shipping_group"})
# Fields absent from the 2023 PRODUCT schema but present in most current product types (reference §d):
# accepted silently rather than reported as unknown.
ACCEPTED_EXTRA_FIELDS = frozenset({"manufacturer", "purchasable_offer.audience"})
RESTRICTED_GS1_PREFIXES = tuple(f"{n:03d}" for n in (*range(20, 30), *range(40, 50), *range(200, 300)))


@dataclass
class Submission:
    """What a PUT, PATCH or feed message asks for, plus what the sandbox knows around it."""

    seller_id: str
    sku: str
    marketplace_id: str
    product_type: str
    requirements: str
    attributes: dict
    catalog: object
    existing: dict | None = None
    facts: dict = field(default_factory=dict)   # filled by resolve(): asin, gtin_items, ...


def value(attrs: dict, name: str, marketplace_id: str, key: str = "value"):
    """First ``key`` of attribute ``name`` for this marketplace (entries without marketplace_id count)."""
    for entry in attrs.get(name) or []:
        if isinstance(entry, dict) and entry.get("marketplace_id", marketplace_id) == marketplace_id and key in entry:
            return entry[key]
    return None


def price(attrs: dict, marketplace_id: str, which: str = "our_price") -> float | None:
    """``value_with_tax`` of the first schedule of ``which`` in ``purchasable_offer`` for this marketplace."""
    for offer in attrs.get("purchasable_offer") or []:
        if isinstance(offer, dict) and offer.get("marketplace_id", marketplace_id) == marketplace_id:
            try:
                return float(offer[which][0]["schedule"][0]["value_with_tax"])
            except (KeyError, IndexError, TypeError, ValueError):
                return None
    return None


def resolve(sub: Submission) -> None:
    """Find the catalogue item(s) the submission points at (merchant_suggested_asin, then the GTIN)."""
    catalog = sub.catalog
    suggested = value(sub.attributes, "merchant_suggested_asin", sub.marketplace_id)
    code = value(sub.attributes, "externally_assigned_product_identifier", sub.marketplace_id)
    items = [i for i in catalog.find_gtin(str(code)) if catalog.in_marketplace(i, sub.marketplace_id)] if code else []
    sub.facts.update(suggested=suggested, gtin=code, gtin_items=items, asin=None)
    if suggested and suggested in catalog.by_asin:
        sub.facts["asin"] = suggested
    elif len(items) == 1:
        sub.facts["asin"] = items[0]["asin"]
    elif sub.existing:
        sub.facts["asin"] = sub.existing["asin"]


# --- checks --------------------------------------------------------------------------------------
@lru_cache(maxsize=None)
def _validator(product_type: str) -> Draft201909Validator:
    return Draft201909Validator(product_types.schema(product_type))


def _schema_errors(sub: Submission):
    if "schema_errors" not in sub.facts:  # two rules read them: validate once
        sub.facts["schema_errors"] = list(_validator(sub.product_type).iter_errors(sub.attributes))
    return sub.facts["schema_errors"]


def _missing_required(sub: Submission):
    if sub.requirements == "LISTING_OFFER_ONLY":
        return []
    missing: list[str] = []
    for error in _schema_errors(sub):
        if error.validator == "required" and not error.absolute_path:
            missing += [n for n in error.validator_value
                        if n not in sub.attributes and n not in missing and n not in NOT_REQUIRED_IN_SANDBOX]
    return [(f"'{name}' is required but not supplied.", [name]) for name in missing]


def _invalid_values(sub: Submission):
    names: list[str] = []
    for error in _schema_errors(sub):
        if error.validator != "additionalProperties" and error.absolute_path and error.absolute_path[0] not in names:
            names.append(error.absolute_path[0])
    return [(f"The provided value for '{name}' is invalid.", [name]) for name in names]


def _unknown_attributes(sub: Submission):
    found = []
    for error in _schema_errors(sub):
        if error.validator == "additionalProperties":
            extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            where = ".".join(str(p) for p in error.absolute_path if not isinstance(p, int))
            for name in extra:
                full = f"{where}.{name}" if where else name
                if full in ACCEPTED_EXTRA_FIELDS:
                    continue
                found.append((f"The attributes are invalid. '{full}' is not part of product type {sub.product_type} "
                              "and was ignored.", [str(error.absolute_path[0]) if error.absolute_path else name]))
    return found


def _bad_product_id(sub: Submission):
    code = sub.facts.get("gtin")
    if code is None:
        return []
    kind = value(sub.attributes, "externally_assigned_product_identifier", sub.marketplace_id, "type") or "ean"
    code = str(code)
    if not gtin.check_digit_ok(code):
        reason = "its length or check digit is wrong"
    elif gtin.gtin14(code)[1:4] in RESTRICTED_GS1_PREFIXES:
        reason = "it uses a GS1 prefix reserved for restricted circulation"
    else:
        return []
    return [(f"SKU {sub.sku} does not match any ASIN. The {kind.upper()} '{code}' is not a valid product ID ({reason}); "
             "Amazon checks product IDs against the GS1 database.", ["externally_assigned_product_identifier"])]


def _offer_without_asin(sub: Submission):
    if sub.requirements != "LISTING_OFFER_ONLY" or sub.facts.get("asin") or len(sub.facts.get("gtin_items", [])) > 1:
        return []
    return [(f"SKU {sub.sku} does not match any ASIN. Creation of a new ASIN requires the following missing attributes: "
             "item_name, brand, product_description, bullet_point.", ["merchant_suggested_asin", "externally_assigned_product_identifier"])]


def _several_asins(sub: Submission):
    items = sub.facts.get("gtin_items", [])
    if len(items) < 2 or sub.facts.get("suggested") in {i["asin"] for i in items}:
        return []
    asins = ", ".join(i["asin"] for i in items)
    return [(f"The product ID '{sub.facts['gtin']}' matches more than one ASIN ({asins}). "
             "Provide merchant_suggested_asin to choose the ASIN to list against.", ["externally_assigned_product_identifier"])]


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", str(text or "").lower()))


def _catalog_conflict(sub: Submission):
    items = sub.facts.get("gtin_items", [])
    if sub.requirements == "LISTING_OFFER_ONLY" or len(items) != 1:
        return []
    item, conflicts = items[0], []
    brand = value(sub.attributes, "brand", sub.marketplace_id)
    if brand and item.get("brand") and str(brand).strip().lower() != item["brand"].strip().lower():
        conflicts.append(("brand", brand, item["brand"]))
    name = value(sub.attributes, "item_name", sub.marketplace_id)
    ours, theirs = _words(name), _words(item.get("item_name", ""))
    if name and theirs and len(ours & theirs) / max(1, len(ours | theirs)) < TITLE_SIMILARITY_MIN:
        conflicts.append(("item_name", name, item["item_name"]))
    if not conflicts:
        return []
    listed = ", ".join(f"'{a}' (Merchant: '{m}' / Amazon: '{c}')" for a, m, c in conflicts)
    return [(f"The Listing data provided is different from what's already in the Amazon catalog. The "
             f"externally_assigned_product_identifier provided matches ASIN {item['asin']}, but some of the listing data "
             f"contradicts what is already in the Amazon catalog. The following listing attribute value(s) conflict with "
             f"Amazon catalog value(s): {listed}.", [a for a, _, _ in conflicts])]


def _identifier_mismatch(sub: Submission):
    items, suggested = sub.facts.get("gtin_items", []), sub.facts.get("suggested")
    if not items or not suggested or suggested in {i["asin"] for i in items}:
        return []
    return [("You are using UPCs, EANs, ISBNs, ASINs, or JAN codes that do not match the products you are trying to list. "
             f"The product ID '{sub.facts['gtin']}' belongs to ASIN {items[0]['asin']}, not to ASIN {suggested}.",
             ["merchant_suggested_asin", "externally_assigned_product_identifier"])]


def _gated_brand(sub: Submission):
    brand = value(sub.attributes, "brand", sub.marketplace_id)
    if not brand or sub.facts.get("asin") or str(brand).strip().lower() not in GATED_BRANDS:
        return []
    return [(f"You may not create new ASINs for the brand {brand}. If you believe the product should be added as a new ASIN, "
             "please copy and paste the following URL into a new browser window to request approval: "
             f"https://sellercentral.amazon.fr/hz/approvalrequest?restrictionScope=CONTRIBUTION&brandName={brand}", ["brand"])]


def _restricted_category(sub: Submission):
    node = value(sub.attributes, "recommended_browse_nodes", sub.marketplace_id)
    known = product_types.BY_NAME.get(sub.product_type)
    if (known and known.restricted) or (node is not None and str(node) in RESTRICTED_BROWSE_NODES):
        return [("Merchant is not authorized to sell products under this restricted product group.", ["product_type"])]
    return []


def _main_image_text(sub: Submission):
    link = value(sub.attributes, "main_product_image_locator", sub.marketplace_id, "media_location") or ""
    if re.search(r"text|logo", str(link), re.IGNORECASE):
        return [("We believe the main image has text, logo, graphic, or watermark that is not permitted for this product type. "
                 "Submit a compliant image to lift the suppression. Also refer to Product image requirements.",
                 ["main_product_image_locator"])]
    return []


def _pricing_error(sub: Submission):
    amount = price(sub.attributes, sub.marketplace_id)
    if amount is None:
        return []
    low = price(sub.attributes, sub.marketplace_id, "minimum_seller_allowed_price")
    high = price(sub.attributes, sub.marketplace_id, "maximum_seller_allowed_price")
    low = MIN_PRICE if low is None else low
    high = MAX_PRICE if high is None else high
    if low <= amount <= high:
        return []
    return [(f"Potential pricing error: the price {amount:g} is outside the accepted range ({low:g} to {high:g}). "
             "The offer is inactive until you correct the price or your minimum/maximum seller allowed price.",
             ["purchasable_offer"])]


@dataclass(frozen=True)
class SandboxRule:
    """One sandbox listing rule: Amazon's code, severity, categories, the check, when it is reported."""
    id: str                     # stable name of the rule
    code: str                   # Amazon's issue code
    severity: str               # ERROR | WARNING | INFO
    categories: tuple[str, ...]
    check: Callable[[Submission], list]
    stage: str = "submission"   # submission | post
    enforcement: str | None = None  # action taken on the listing (LISTING_SUPPRESSED, SEARCH_SUPPRESSED …)


RULES: tuple[SandboxRule, ...] = (
    SandboxRule("missing_required_attribute", "90220", "ERROR", ("MISSING_ATTRIBUTE",), _missing_required,
                enforcement="LISTING_SUPPRESSED"),
    SandboxRule("invalid_attribute_value", "4000001", "ERROR", ("INVALID_ATTRIBUTE",), _invalid_values),
    SandboxRule("unknown_attribute", "90000900", "WARNING", ("INVALID_ATTRIBUTE",), _unknown_attributes),
    SandboxRule("invalid_product_id", "8560", "ERROR", ("INVALID_ATTRIBUTE",), _bad_product_id),
    SandboxRule("offer_without_asin", "8560", "ERROR", ("MISSING_ATTRIBUTE",), _offer_without_asin),
    SandboxRule("product_id_several_asins", "8542", "ERROR", ("DUPLICATE",), _several_asins),
    SandboxRule("catalog_conflict", "8541", "ERROR", ("INVALID_ATTRIBUTE",), _catalog_conflict),
    SandboxRule("identifier_mismatch", "8572", "ERROR", ("INVALID_ATTRIBUTE",), _identifier_mismatch),
    SandboxRule("brand_approval_required", "5461", "ERROR", ("QUALIFICATION_REQUIRED",), _gated_brand),
    SandboxRule("category_approval_required", "6039", "ERROR", ("QUALIFICATION_REQUIRED",), _restricted_category),
    SandboxRule("main_image_text_or_logo", "18027", "ERROR", ("INVALID_IMAGE",), _main_image_text, stage="post",
                enforcement="SEARCH_SUPPRESSED"),
    SandboxRule("potential_pricing_error", "POTENTIAL_PRICING_ERROR", "WARNING", ("INVALID_PRICE",), _pricing_error,
                enforcement="LISTING_SUPPRESSED"),
)


def evaluate(sub: Submission) -> list[dict]:
    """Every issue of the submission, in rule order, as Amazon ``Issue`` objects plus a private ``_stage``."""
    resolve(sub)
    issues = []
    for rule in RULES:
        for message, names in rule.check(sub):
            issue = {"code": rule.code, "message": message, "severity": rule.severity,
                     "attributeNames": list(names), "categories": list(rule.categories)}
            if rule.enforcement:
                issue["enforcements"] = {"actions": [{"action": rule.enforcement}], "exemption": {"status": "NOT_EXEMPT"}}
            issue["_stage"] = rule.stage
            issues.append(issue)
    return issues


def public(issue: dict, marketplace_id: str | None = None) -> dict:
    """The issue without sandbox-private keys (optionally tagged with its marketplace)."""
    out = {k: v for k, v in issue.items() if not k.startswith("_")}
    if marketplace_id:
        out["marketplaceIds"] = [marketplace_id]
    return out
