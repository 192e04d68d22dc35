"""Processing of a feed once its time is over: JSON_LISTINGS_FEED messages through the listing rules.

Each message (UPDATE, PARTIAL_UPDATE, PATCH, DELETE) goes through the same ``listings.submit`` as the
Listings Items API; the report follows listings-feed-processing-report-schema-v2 (with ``items`` when the
header asks for them). Retired listing feed types (flat file, XML) end FATAL, as on Amazon since
2025-07-31 (reference §f); so does a document that is not a valid JSON listings feed.
"""
from __future__ import annotations

import gzip
import json
import time
import uuid
from functools import lru_cache

from jsonschema import Draft7Validator

from core.db import DATA_DIR
from core.sandbox import listings
from core.sandbox.listing_views import render_item
from core.sandbox.listings import apply_patches

JSON_LISTINGS_FEED = "JSON_LISTINGS_FEED"
RETIRED_FEED_TYPES = frozenset({
    "POST_FLAT_FILE_LISTINGS_DATA", "POST_FLAT_FILE_INVLOADER_DATA", "POST_FLAT_FILE_PRICEANDQUANTITYONLY_UPDATE_DATA",
    "POST_PRODUCT_DATA", "POST_INVENTORY_AVAILABILITY_DATA", "POST_PRODUCT_PRICING_DATA", "POST_PRODUCT_IMAGE_DATA",
    "POST_PRODUCT_RELATIONSHIP_DATA", "POST_PRODUCT_OVERRIDES_DATA", "POST_FLAT_FILE_BOOKLOADER_DATA",
})
FEED_SCHEMA = DATA_DIR / "sandbox" / "feeds" / "listings-feed-schema-v2.json"
MAX_MESSAGES = 25000


def finish_due_feeds(ctx) -> int:
    """Process every feed whose processing time is over (called by the server's worker thread); returns how many."""
    timing = ctx.feed_timing
    due = ctx.store.query("SELECT feed_id FROM feeds WHERE status IN ('IN_QUEUE', 'IN_PROGRESS') AND created <= ? "
                          "ORDER BY feed_id", (time.time() - timing.in_queue_s - timing.in_progress_s,))
    for (feed_id,) in ((d["feed_id"],) for d in due):
        with ctx.feed_lock:  # a cancel and the worker must not cross
            fresh = ctx.store.query("SELECT * FROM feeds WHERE feed_id=?", (feed_id,))[0]
            if fresh["status"] in ("IN_QUEUE", "IN_PROGRESS"):
                try:
                    _finish(ctx, fresh)
                except Exception as exc:  # noqa: BLE001 - a sandbox bug ends the feed FATAL, never stuck IN_PROGRESS
                    _store_result(ctx, fresh, *_fatal(fresh, f"Internal error while processing the feed ({type(exc).__name__})."))
    return len(due)


def _finish(ctx, row: dict) -> dict:
    """Process a feed, store its report document and final status; returns the updated row."""
    return _store_result(ctx, row, *process(ctx, row))


def _store_result(ctx, row: dict, status: str, report: dict | None) -> dict:
    doc_id = None
    if report is not None:
        doc_id = "amzn1.tortuga.4.eu." + str(uuid.uuid4())
        data = json.dumps(report, ensure_ascii=False).encode("utf-8")
        compression = "GZIP" if ctx.gzip_reports else None
        ctx.store.execute("INSERT INTO documents VALUES (?,?,?,?,?,?,?)",
                          (doc_id, row["seller_id"], "report", "application/json; charset=UTF-8", compression,
                           gzip.compress(data) if compression else data, time.time()))
    ctx.store.execute("UPDATE feeds SET status=?, result_document_id=? WHERE feed_id=?", (status, doc_id, row["feed_id"]))
    return ctx.store.query("SELECT * FROM feeds WHERE feed_id=?", (row["feed_id"],))[0]


@lru_cache(maxsize=1)
def _schemas():
    schema = json.loads(FEED_SCHEMA.read_text("utf-8"))
    top = dict(schema, properties={"header": schema["properties"]["header"], "messages": {"type": "array", "minItems": 1}})
    return Draft7Validator(top), Draft7Validator(schema["properties"]["messages"]["items"])


def _fatal(row: dict, message: str) -> tuple[str, dict]:
    return "FATAL", {
        "header": {"sellerId": row["seller_id"], "version": "2.0", "feedId": str(row["feed_id"])},
        "issues": [{"code": "4000004", "severity": "ERROR", "message": message}],
        "summary": {"errors": 1, "warnings": 0, "messagesProcessed": 0, "messagesAccepted": 0, "messagesInvalid": 0},
    }


def process(ctx, row: dict) -> tuple[str, dict | None]:
    """(final status, processing report) of a feed."""
    if row["feed_type"] in RETIRED_FEED_TYPES:
        return _fatal(row, f"Feed type {row['feed_type']} is no longer supported: XML and flat-file listings feeds "
                           "were removed from the Feeds API on 2025-07-31. Use JSON_LISTINGS_FEED.")
    if row["feed_type"] != JSON_LISTINGS_FEED:
        return _fatal(row, f"Feed type {row['feed_type']} is not supported by the local sandbox.")
    content = ctx.store.query("SELECT content FROM documents WHERE document_id=?", (row["input_document_id"],))
    try:
        feed = json.loads(bytes(content[0]["content"]).decode("utf-8"))
    except (TypeError, ValueError, IndexError):
        return _fatal(row, "The feed document could not be read as UTF-8 JSON (was it uploaded?).")
    top, message_schema = _schemas()
    problems = sorted(top.iter_errors(feed), key=lambda e: list(e.absolute_path))
    if problems:
        return _fatal(row, f"The feed does not follow the JSON listings feed schema: {problems[0].message}")
    if len(feed["messages"]) > MAX_MESSAGES:
        return _fatal(row, f"The feed has {len(feed['messages'])} messages; the maximum is {MAX_MESSAGES}.")
    if feed["header"]["sellerId"] != row["seller_id"]:
        return _fatal(row, "The header sellerId does not match the selling partner submitting the feed.")
    marketplace_id = json.loads(row["marketplace_ids"])[0]
    issues, accepted, invalid, seen_ids, skus = [], 0, 0, set(), []
    for message in feed["messages"]:
        found = _process_message(ctx, row["seller_id"], marketplace_id, message, message_schema, seen_ids)
        issues += found
        if any(i["severity"] == "ERROR" for i in found):
            invalid += 1
        else:
            accepted += 1
            skus.append(message.get("sku"))
    report = {"header": {"sellerId": row["seller_id"], "version": "2.0", "feedId": str(row["feed_id"])},
              "issues": issues,
              "summary": {"errors": sum(i["severity"] == "ERROR" for i in issues),
                          "warnings": sum(i["severity"] == "WARNING" for i in issues),
                          "messagesProcessed": accepted + invalid, "messagesAccepted": accepted, "messagesInvalid": invalid}}
    wanted = (feed["header"].get("report") or {}).get("includedData")
    if wanted:
        report["header"]["report"] = feed["header"]["report"]
        items = []
        for sku in skus:
            listing = ctx.store.get_listing(row["seller_id"], sku, marketplace_id)
            if listing:
                items.append(render_item([listing], wanted))
        report["items"] = items
        report["summary"]["itemSummary"] = {"items": len(items),
                                            "errors": sum(i["severity"] == "ERROR" for it in items for i in it.get("issues", [])),
                                            "warnings": sum(i["severity"] == "WARNING" for it in items for i in it.get("issues", []))}
    return "DONE", report


def _process_message(ctx, seller_id: str, marketplace_id: str, message, schema, seen_ids: set) -> list[dict]:
    """Issues of one feed message (the listing is stored when it is accepted)."""
    mid = message.get("messageId") if isinstance(message, dict) else None
    sku = message.get("sku") if isinstance(message, dict) else None

    def issue(code, severity, text, attribute=None):
        out = {"messageId": mid if isinstance(mid, int) and mid >= 1 else None, "sku": sku or None,
               "code": code, "severity": severity, "message": text}
        if attribute:
            out["attributeName"] = attribute
        return {k: v for k, v in out.items() if v is not None}

    def reject(code, text):
        """A message refused before ``listings.submit`` (which logs the others): log it as a submission too."""
        if isinstance(sku, str) and sku:
            ctx.store.log_submission(seller_id, sku, marketplace_id, "", "INVALID", listings.now_iso())
        return [issue(code, "ERROR", text)]

    problems = list(schema.iter_errors(message))
    if problems or mid in seen_ids:
        text = problems[0].message if problems else f"messageId {mid} is used by more than one message."
        return reject("4000003", f"The message does not follow the JSON listings feed schema: {text}")
    seen_ids.add(mid)
    op = message["operationType"]
    existing = ctx.store.get_listing(seller_id, sku, marketplace_id)
    if op == "DELETE":
        ctx.store.delete_listing(seller_id, sku, marketplace_id)
        return []
    if op == "UPDATE":
        product_type, requirements, attributes = message["productType"], message.get("requirements", "LISTING"), message["attributes"]
    else:
        if existing is None:
            return reject("13013", f"SKU '{sku}' does not exist in marketplace {marketplace_id}: "
                                     f"{op} needs an existing listing.")
        patches = message.get("patches") if op == "PATCH" else [
            {"op": "replace", "path": f"/attributes/{name}", "value": v} for name, v in message["attributes"].items()]
        try:
            attributes = apply_patches(existing["attributes"], patches)
        except ValueError as exc:
            return reject("4000003", f"Invalid patch path {exc}.")
        product_type, requirements = message["productType"], existing["requirements"]
    if product_type not in ctx.product_type_names:
        return reject("4000003", f"The product type '{product_type}' is invalid.")
    result = listings.submit(ctx, seller_id, sku, marketplace_id, product_type, requirements, attributes, existing=existing)
    return [issue(i["code"], i["severity"], i["message"], (i.get("attributeNames") or [None])[0]) for i in result["issues"]]
