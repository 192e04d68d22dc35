"""Listings Items API 2021-08-01: PUT, PATCH, GET, DELETE one SKU, and search the seller's listings.

``submit`` is the one place a listing is validated (listing_rules) and stored; the JSON_LISTINGS_FEED
processor calls it too. Static-sandbox trigger SKUs (VALIDATION_VALID, VALIDATION_INVALID, BadSKU) answer
as the model's [SB] examples.
"""
from __future__ import annotations

import base64
import copy
import hashlib
import re
import uuid
from datetime import datetime, timezone

from core.sandbox import gtin, listing_rules
from core.sandbox.accounts import PRODUCT_LISTING
from core.sandbox.listing_rules import Submission, value
from core.sandbox.listing_views import render_item, status
from core.sandbox.routing import Request, Response, Route, bad_request, errors

PREVIEW = "VALIDATION_PREVIEW"
REQUIREMENTS = ("LISTING", "LISTING_PRODUCT_ONLY", "LISTING_OFFER_ONLY")
GET_INCLUDED = ("summaries", "attributes", "issues", "offers", "fulfillmentAvailability", "procurement",
                "relationships", "productTypes")
MARKETPLACE_ID = re.compile(r"^A[0-9A-Z]{7,15}$")
MAX_PAGE_SIZE = 20

# Answers of the models' static sandbox for its trigger SKUs (VALIDATION_PREVIEW), per method.
_SB_ASIN = "B07N4M94X4"
_SB_INVALID_ATTR = {"code": "90000900", "message": "The attributes are invalid.", "severity": "ERROR",
                    "attributeNames": ["fake_attribute"], "categories": []}
TRIGGER_ISSUES = {
    ("PUT", "VALIDATION_INVALID"): [
        {"code": "90220", "message": "'condition_type' is required but not supplied.", "severity": "ERROR",
         "attributeNames": ["condition_type"], "categories": ["MISSING_ATTRIBUTE"],
         "enforcements": {"actions": [{"action": "LISTING_SUPPRESSED"}], "exemption": {"status": "NOT_EXEMPT"}}},
        _SB_INVALID_ATTR],
    ("PATCH", "VALIDATION_INVALID"): [
        dict(_SB_INVALID_ATTR, categories=["INVALID_ATTRIBUTE"],
             enforcements={"actions": [{"action": "ATTRIBUTE_SUPPRESSED"}], "exemption": {"status": "NOT_EXEMPT"}})],
}
BAD_SKU = "BadSKU"


def now_iso() -> str:
    """The current UTC time as Amazon writes it (``2026-01-31T12:00:00Z``)."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_asin(seller_id: str, sku: str) -> str:
    """A stable, fresh-looking ASIN (``B0`` + 8 base-36 chars) for a SKU that creates a catalogue item."""
    n = int(hashlib.sha1(f"{seller_id}|{sku}".encode()).hexdigest(), 16)
    chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    for _ in range(8):
        n, r = divmod(n, 36)
        out += chars[r]
    return "B0" + out


def submit(ctx, seller_id: str, sku: str, marketplace_id: str, product_type: str, requirements: str,
           attributes: dict, *, preview: bool = False, existing: dict | None = None) -> dict:
    """Validate one listing and store it when accepted; returns ``{status, issues, asin}``.

    ``issues`` are the submission-stage issues (Amazon's answer); post-stage issues are stored on the listing.
    """
    sub = Submission(seller_id, sku, marketplace_id, product_type, requirements, attributes, ctx.catalog, existing)
    found = listing_rules.evaluate(sub)
    now_issues = [i for i in found if i["_stage"] == "submission"]
    blocked = any(i["severity"] == "ERROR" for i in now_issues)
    asin = sub.facts.get("asin") or new_asin(seller_id, sku)
    if not preview:
        ctx.store.log_submission(seller_id, sku, marketplace_id, requirements, "INVALID" if blocked else "ACCEPTED",
                                 now_iso())
    if blocked:
        return {"status": "INVALID", "issues": now_issues, "asin": None}
    if preview:
        return {"status": "VALID", "issues": now_issues, "asin": sub.facts.get("asin")}
    stamp = now_iso()
    ctx.store.save_listing({
        "seller_id": seller_id, "sku": sku, "marketplace_id": marketplace_id, "product_type": product_type,
        "requirements": requirements, "asin": asin, "attributes": attributes,
        "issues": [listing_rules.public(i) for i in found],
        "created": existing["created"] if existing else stamp, "updated": stamp,
    })
    return {"status": "ACCEPTED", "issues": now_issues, "asin": asin}


def apply_patches(attributes: dict, patches: list) -> dict:
    """Attributes after JSON-Patch-like ``patches`` on top-level attributes (raises ValueError when malformed)."""
    out = copy.deepcopy(attributes)
    for patch in patches:
        if not isinstance(patch, dict):
            raise ValueError("patch")
        op, path = patch.get("op"), str(patch.get("path", ""))
        match = re.fullmatch(r"/attributes/([A-Za-z0-9_]+)", path)
        if op not in ("add", "replace", "merge", "delete") or not match:
            raise ValueError(path)
        name, new = match.group(1), patch.get("value")
        if op in ("add", "replace"):
            if not isinstance(new, list):
                raise ValueError(path)
            out[name] = new
        elif op == "merge":
            merged = list(out.get(name) or [])
            for entry in new or []:
                same = [e for e in merged if e.get("marketplace_id") == entry.get("marketplace_id")
                        and e.get("language_tag") == entry.get("language_tag")]
                if same:
                    same[0].update(entry)
                else:
                    merged.append(entry)
            out[name] = merged
        else:  # delete: the whole attribute, or only the entries named by their selectors
            if new:
                keys = [{k: v for k, v in e.items() if k in ("marketplace_id", "language_tag")} for e in new]
                out[name] = [e for e in out.get(name, [])
                             if not any(all(e.get(k) == v for k, v in key.items()) for key in keys)]
                if not out[name]:
                    out.pop(name)
            else:
                out.pop(name, None)
    return out


# --- handlers ------------------------------------------------------------------------------------
def _common(ctx, req: Request, max_marketplaces: int | None = 1):
    """Validated (marketplace ids, error response or None) — marketplaces first, then the seller."""
    marketplaces = req.list("marketplaceIds")
    if not marketplaces or any(not MARKETPLACE_ID.match(m) for m in marketplaces) or (
            max_marketplaces and len(marketplaces) > max_marketplaces):
        return None, bad_request()
    if req.params.get("sku") == BAD_SKU:
        return None, bad_request()
    if req.params["sellerId"] != req.account.seller_id:
        return None, errors(403, "Unauthorized", "Access to requested resource is denied.", "")
    return marketplaces, None


def _submission_response(req: Request, sku: str, mp: str, result: dict) -> Response:
    included = req.list("includedData") or ["issues"]
    body = {"sku": sku, "status": result["status"], "submissionId": str(uuid.uuid4())}
    if "issues" in included:
        body["issues"] = [listing_rules.public(i) for i in result["issues"]]
    if "identifiers" in included:
        body["identifiers"] = [{"marketplaceId": mp, "asin": result["asin"]}] if result.get("asin") else []
    return Response(200, body)


def _trigger(req: Request, sku: str, mp: str) -> Response | None:
    if req.one("mode") != PREVIEW or sku not in ("VALIDATION_VALID", "VALIDATION_INVALID"):
        return None
    if sku == "VALIDATION_VALID":
        return _submission_response(req, sku, mp, {"status": "VALID", "issues": [], "asin": _SB_ASIN})
    return _submission_response(req, sku, mp, {"status": "INVALID", "issues": TRIGGER_ISSUES[(req.method, sku)]})


def put_listings_item(ctx, req: Request) -> Response:
    """``PUT /listings/2021-08-01/items/{sellerId}/{sku}`` (full replace, or VALIDATION_PREVIEW)."""
    marketplaces, error = _common(ctx, req)
    if error:
        return error
    sku, mp = req.params["sku"], marketplaces[0]
    if (trigger := _trigger(req, sku, mp)) is not None:
        return trigger
    try:
        body = req.json() or {}
    except ValueError:
        return bad_request()
    product_type, attributes = body.get("productType"), body.get("attributes")
    requirements = body.get("requirements") or "LISTING"
    if not isinstance(product_type, str) or not isinstance(attributes, dict) or requirements not in REQUIREMENTS:
        return bad_request()
    if product_type not in ctx.product_type_names:
        return bad_request(f"Invalid productType '{product_type}'.")
    existing = ctx.store.get_listing(req.account.seller_id, sku, mp)
    result = submit(ctx, req.account.seller_id, sku, mp, product_type, requirements, attributes,
                    preview=req.one("mode") == PREVIEW, existing=existing)
    return _submission_response(req, sku, mp, result)


def patch_listings_item(ctx, req: Request) -> Response:
    """``PATCH …/items/{sellerId}/{sku}``: patches applied to the stored listing of each marketplace."""
    marketplaces, error = _common(ctx, req, max_marketplaces=None)
    if error:
        return error
    sku = req.params["sku"]
    if (trigger := _trigger(req, sku, marketplaces[0])) is not None:
        return trigger
    try:
        body = req.json() or {}
        patches = body.get("patches")
        if not isinstance(body.get("productType"), str) or not isinstance(patches, list) or not patches:
            raise ValueError("body")
        targets = []
        for mp in marketplaces:
            existing = ctx.store.get_listing(req.account.seller_id, sku, mp)
            targets.append((mp, existing, apply_patches(existing["attributes"] if existing else {}, patches)))
    except ValueError:
        return bad_request()
    if body["productType"] not in ctx.product_type_names:
        return bad_request(f"Invalid productType '{body['productType']}'.")
    results = []
    for mp, existing, attributes in targets:   # one submission per marketplace, answered as one
        if existing is None:
            if req.one("mode") != PREVIEW:
                ctx.store.log_submission(req.account.seller_id, sku, mp, "", "INVALID", now_iso())
            results.append({"status": "INVALID", "asin": None, "issues": [{
                "code": "13013", "message": f"SKU '{sku}' does not exist in marketplace {mp}: it cannot be patched. "
                                            "Create it with a PUT first.",
                "severity": "ERROR", "attributeNames": [], "categories": []}]})
        else:
            results.append(submit(ctx, req.account.seller_id, sku, mp, body["productType"], existing["requirements"],
                                  attributes, preview=req.one("mode") == PREVIEW, existing=existing))
    merged = {"status": next((r["status"] for r in results if r["status"] == "INVALID"), results[0]["status"]),
              "asin": results[0]["asin"], "issues": [i for r in results for i in r["issues"]]}
    return _submission_response(req, sku, marketplaces[0], merged)


def get_listings_item(ctx, req: Request) -> Response:
    """``GET …/items/{sellerId}/{sku}`` with the requested ``includedData`` views."""
    marketplaces, error = _common(ctx, req, max_marketplaces=None)
    if error:
        return error
    sku = req.params["sku"]
    included = req.list("includedData") or ["summaries"]
    if any(i not in GET_INCLUDED for i in included):
        return bad_request()
    rows = [r for mp in marketplaces if (r := ctx.store.get_listing(req.account.seller_id, sku, mp)) is not None]
    if not rows:
        where = ", ".join(marketplaces)
        return errors(404, "NOT_FOUND", f"SKU '{sku}' not found in marketplace {where}", f"SKU '{sku}' not found in marketplace {where}")
    return Response(200, render_item(rows, included))


def delete_listings_item(ctx, req: Request) -> Response:
    """``DELETE …/items/{sellerId}/{sku}``."""
    marketplaces, error = _common(ctx, req)
    if error:
        return error
    sku, mp = req.params["sku"], marketplaces[0]
    ctx.store.delete_listing(req.account.seller_id, sku, mp)
    return Response(200, {"sku": sku, "status": "ACCEPTED", "submissionId": str(uuid.uuid4()), "issues": []})


def _matches(row: dict, kind: str, wanted: set[str]) -> bool:
    if kind == "SKU":
        return row["sku"] in wanted
    if kind == "ASIN":
        return row["asin"] in wanted
    code = value(row["attributes"], "externally_assigned_product_identifier", row["marketplace_id"])
    return bool(code) and gtin.gtin14(str(code)) in {gtin.gtin14(w) for w in wanted}


def search_listings_items(ctx, req: Request) -> Response:
    """``GET /listings/2021-08-01/items/{sellerId}`` by SKU, ASIN or GTIN, with status filter and paging."""
    marketplaces, error = _common(ctx, req, max_marketplaces=None)
    if error:
        return error
    identifiers = [i for i in req.list("identifiers") if i]
    kind = (req.one("identifiersType") or "").upper()
    included = req.list("includedData") or ["summaries"]
    statuses = set(req.list("withStatus"))
    if (identifiers and kind not in ("ASIN", "EAN", "FNSKU", "GTIN", "ISBN", "JAN", "MINSAN", "SKU", "UPC")) \
            or len(identifiers) > 20 or any(i not in GET_INCLUDED for i in included):
        return bad_request()
    try:
        size = int(req.one("pageSize", "10"))
        start = int(base64.b64decode(req.one("pageToken")).decode()) if req.one("pageToken") else 0
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise ValueError
    except ValueError:
        return bad_request()
    by_sku: dict[str, list[dict]] = {}
    for mp in marketplaces:
        for row in ctx.store.listings_of(req.account.seller_id, mp):
            if identifiers and not _matches(row, kind, set(identifiers)):
                continue
            if statuses and not statuses & set(status(row)):
                continue
            by_sku.setdefault(row["sku"], []).append(row)
    skus = sorted(by_sku)
    body = {"numberOfResults": len(skus), "items": [render_item(by_sku[s], included) for s in skus[start:start + size]]}
    pagination = {}
    if start + size < len(skus):
        pagination["nextToken"] = base64.b64encode(str(start + size).encode()).decode()
    if start:
        pagination["previousToken"] = base64.b64encode(str(max(0, start - size)).encode()).decode()
    if pagination:
        body["pagination"] = pagination
    return Response(200, body)


_ITEM = "/listings/2021-08-01/items/{sellerId}/{sku}"
ROUTES = (
    Route("PUT", _ITEM, "putListingsItem", put_listings_item, PRODUCT_LISTING),
    Route("PATCH", _ITEM, "patchListingsItem", patch_listings_item, PRODUCT_LISTING),
    Route("GET", _ITEM, "getListingsItem", get_listings_item, PRODUCT_LISTING),
    Route("DELETE", _ITEM, "deleteListingsItem", delete_listings_item, PRODUCT_LISTING),
    Route("GET", "/listings/2021-08-01/items/{sellerId}", "searchListingsItems", search_listings_items, PRODUCT_LISTING),
)
