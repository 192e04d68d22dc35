"""Feeds API 2021-06-30: documents (upload URL served by the sandbox), feeds and their processing.

A feed moves IN_QUEUE -> IN_PROGRESS -> DONE with time (``FeedTiming``); the server's worker thread
processes it once its time is over (``finish_due_feeds``), so a getFeed never waits for a big feed and the
result is the same however often it is polled. JSON_LISTINGS_FEED
messages go through the same ``listings.submit`` as the Listings Items API; the processing report follows
listings-feed-processing-report-schema-v2. Retired listing feed types (flat file, XML) end FATAL, as on
Amazon since 2025-07-31 (reference §f).
"""
from __future__ import annotations

import base64
import gzip
import json
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache

from jsonschema import Draft7Validator

from core.db import DATA_DIR
from core.sandbox import listings
from core.sandbox.accounts import PRODUCT_LISTING
from core.sandbox.listings import apply_patches
from core.sandbox.routing import Request, Response, Route, errors

JSON_LISTINGS_FEED = "JSON_LISTINGS_FEED"
RETIRED_FEED_TYPES = frozenset({
    "POST_FLAT_FILE_LISTINGS_DATA", "POST_FLAT_FILE_INVLOADER_DATA", "POST_FLAT_FILE_PRICEANDQUANTITYONLY_UPDATE_DATA",
    "POST_PRODUCT_DATA", "POST_INVENTORY_AVAILABILITY_DATA", "POST_PRODUCT_PRICING_DATA", "POST_PRODUCT_IMAGE_DATA",
    "POST_PRODUCT_RELATIONSHIP_DATA", "POST_PRODUCT_OVERRIDES_DATA", "POST_FLAT_FILE_BOOKLOADER_DATA",
})
FEED_SCHEMA = DATA_DIR / "sandbox" / "feeds" / "listings-feed-schema-v2.json"
MAX_MESSAGES = 25000
STATUSES = ("IN_QUEUE", "IN_PROGRESS", "DONE", "FATAL", "CANCELLED")


@dataclass(frozen=True)
class FeedTiming:
    in_queue_s: float = 0.5     # time a feed waits before processing starts
    in_progress_s: float = 1.0  # time processing takes


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(epoch % 1 * 1000):03d}Z"


def _invalid(details: str = "Invalid input") -> Response:
    return errors(400, "400", "Invalid input", details)


# --- documents -----------------------------------------------------------------------------------
def create_feed_document(ctx, req: Request) -> Response:
    try:
        body = req.json() or {}
    except ValueError:
        return _invalid()
    content_type = body.get("contentType")
    if not isinstance(content_type, str) or not content_type.strip():
        return _invalid()
    doc_id = "amzn1.tortuga.4.eu." + str(uuid.uuid4())
    ctx.store.execute("INSERT INTO documents VALUES (?,?,?,?,?,?,?)",
                      (doc_id, req.account.seller_id, "feed", content_type, None, None, time.time()))
    return Response(201, {"feedDocumentId": doc_id, "url": f"{req.base_url}/_sandbox/uploads/{doc_id}"})


def upload(ctx, doc_id: str, content_type: str, data: bytes) -> Response:
    """The pre-signed URL's PUT: like S3, the Content-Type must be the one the document was created with."""
    rows = ctx.store.query("SELECT content_type FROM documents WHERE document_id=? AND kind='feed'", (doc_id,))
    if not rows:
        return Response(404, "<Error><Code>NoSuchKey</Code></Error>", content_type="application/xml")
    if content_type.replace(" ", "").lower() != rows[0]["content_type"].replace(" ", "").lower():
        return Response(403, "<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated "
                             "does not match the signature you provided.</Message></Error>", content_type="application/xml")
    ctx.store.execute("UPDATE documents SET content=? WHERE document_id=?", (data, doc_id))
    return Response(200, b"", content_type="text/plain")


def download(ctx, doc_id: str) -> Response:
    """The report document's URL: raw bytes (gzip-compressed when its compressionAlgorithm says so)."""
    rows = ctx.store.query("SELECT content, content_type FROM documents WHERE document_id=? AND kind='report'", (doc_id,))
    if not rows:
        return Response(404, "<Error><Code>NoSuchKey</Code></Error>", content_type="application/xml")
    return Response(200, bytes(rows[0]["content"] or b""), content_type=rows[0]["content_type"])


def get_feed_document(ctx, req: Request) -> Response:
    doc_id = req.params["feedDocumentId"]
    rows = ctx.store.query("SELECT * FROM documents WHERE document_id=? AND seller_id=?", (doc_id, req.account.seller_id))
    if not rows:
        return _invalid()
    body = {"feedDocumentId": doc_id, "url": f"{req.base_url}/_sandbox/documents/{doc_id}"}
    if rows[0]["compression"]:
        body["compressionAlgorithm"] = rows[0]["compression"]
    return Response(200, body)


# --- feeds ---------------------------------------------------------------------------------------
def create_feed(ctx, req: Request) -> Response:
    try:
        body = req.json() or {}
    except ValueError:
        return _invalid()
    feed_type, marketplaces, doc_id = body.get("feedType"), body.get("marketplaceIds"), body.get("inputFeedDocumentId")
    if not isinstance(feed_type, str) or not isinstance(marketplaces, list) or not marketplaces \
            or not isinstance(doc_id, str):
        return _invalid()
    if not ctx.store.query("SELECT 1 FROM documents WHERE document_id=? AND seller_id=? AND kind='feed'",
                           (doc_id, req.account.seller_id)):
        return _invalid()
    if feed_type == JSON_LISTINGS_FEED and ctx.throttled("createFeed:" + JSON_LISTINGS_FEED, req):
        return ctx.quota_exceeded("createFeed:" + JSON_LISTINGS_FEED)
    feed_id = ctx.store.execute(
        "INSERT INTO feeds (seller_id, feed_type, marketplace_ids, input_document_id, feed_options, created, status) "
        "VALUES (?,?,?,?,?,?,?)",
        (req.account.seller_id, feed_type, json.dumps(marketplaces), doc_id,
         json.dumps(body.get("feedOptions") or {}), time.time(), "IN_QUEUE"))
    return Response(202, {"feedId": str(feed_id)})


def _advance(ctx, row: dict) -> dict:
    """Bring a feed's stored status up to date with the clock (processing itself is the worker's job)."""
    if row["status"] in ("DONE", "FATAL", "CANCELLED"):
        return row
    elapsed = time.time() - row["created"]
    timing: FeedTiming = ctx.feed_timing
    # Past its processing time a feed stays IN_PROGRESS until the worker has processed it.
    status = "IN_QUEUE" if elapsed < timing.in_queue_s else "IN_PROGRESS"
    if status != row["status"]:
        ctx.store.execute("UPDATE feeds SET status=? WHERE feed_id=? AND status=?", (status, row["feed_id"], row["status"]))
        row = dict(row, status=status)
    return row


def finish_due_feeds(ctx) -> int:
    """Process every feed whose processing time is over (called by the server's worker thread); returns how many."""
    timing: FeedTiming = ctx.feed_timing
    due = ctx.store.query("SELECT feed_id FROM feeds WHERE status IN ('IN_QUEUE', 'IN_PROGRESS') AND created <= ? "
                          "ORDER BY feed_id", (time.time() - timing.in_queue_s - timing.in_progress_s,))
    for (feed_id,) in ((d["feed_id"],) for d in due):
        with ctx.feed_lock:  # a cancel and the worker must not cross
            fresh = ctx.store.query("SELECT * FROM feeds WHERE feed_id=?", (feed_id,))[0]
            if fresh["status"] in ("IN_QUEUE", "IN_PROGRESS"):
                _finish(ctx, fresh)
    return len(due)


def _finish(ctx, row: dict) -> dict:
    """Process a feed, store its report document and final status; returns the updated row."""
    status, report = process(ctx, row)
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


def render_feed(ctx, row: dict) -> dict:
    timing: FeedTiming = ctx.feed_timing
    out = {"feedId": str(row["feed_id"]), "feedType": row["feed_type"], "marketplaceIds": json.loads(row["marketplace_ids"]),
           "createdTime": _iso(row["created"]), "processingStatus": row["status"]}
    if row["status"] in ("IN_PROGRESS", "DONE", "FATAL"):
        out["processingStartTime"] = _iso(row["created"] + timing.in_queue_s)
    if row["status"] in ("DONE", "FATAL", "CANCELLED"):
        out["processingEndTime"] = _iso(row["created"] + timing.in_queue_s + timing.in_progress_s)
    if row["result_document_id"]:
        out["resultFeedDocumentId"] = row["result_document_id"]
    return out


def _feed_row(ctx, req: Request):
    feed_id = req.params["feedId"]
    if not feed_id.isdigit():
        return None, _invalid()
    rows = ctx.store.query("SELECT * FROM feeds WHERE feed_id=? AND seller_id=?", (int(feed_id), req.account.seller_id))
    if not rows:
        return None, errors(404, "NotFound", "The requested feed was not found.", f"Feed {feed_id} not found.")
    return rows[0], None


def get_feed(ctx, req: Request) -> Response:
    row, error = _feed_row(ctx, req)
    return error or Response(200, render_feed(ctx, _advance(ctx, row)))


def cancel_feed(ctx, req: Request) -> Response:
    row, error = _feed_row(ctx, req)
    if error:
        return error
    with ctx.feed_lock:
        row = _advance(ctx, row)
        if row["status"] != "IN_QUEUE":
            return _invalid("Only a feed that is IN_QUEUE can be cancelled.")
        ctx.store.execute("UPDATE feeds SET status='CANCELLED' WHERE feed_id=?", (row["feed_id"],))
    return Response(200, b"", content_type="application/json")


def get_feeds(ctx, req: Request) -> Response:
    feed_types = [t for t in req.list("feedTypes") if t]
    statuses = [s for s in req.list("processingStatuses") if s]
    token = req.one("nextToken")
    if (not feed_types and not token) or any(s not in STATUSES for s in statuses):
        return _invalid()
    try:
        size = int(req.one("pageSize", "10"))
        start = int(base64.b64decode(token).decode()) if token else 0
        if not 1 <= size <= 100:
            raise ValueError
    except ValueError:
        return _invalid()
    rows = [_advance(ctx, r) for r in ctx.store.query(
        "SELECT * FROM feeds WHERE seller_id=? ORDER BY feed_id DESC", (req.account.seller_id,))]
    rows = [r for r in rows if (not feed_types or r["feed_type"] in feed_types) and (not statuses or r["status"] in statuses)]
    body = {"feeds": [render_feed(ctx, r) for r in rows[start:start + size]]}
    if start + size < len(rows):
        body["nextToken"] = base64.b64encode(str(start + size).encode()).decode()
    return Response(200, body)


# --- processing ----------------------------------------------------------------------------------
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
                items.append(listings.render_item([listing], wanted))
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

    problems = list(schema.iter_errors(message))
    if problems or mid in seen_ids:
        text = problems[0].message if problems else f"messageId {mid} is used by more than one message."
        return [issue("4000003", "ERROR", f"The message does not follow the JSON listings feed schema: {text}")]
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
            return [issue("13013", "ERROR", f"SKU '{sku}' does not exist in marketplace {marketplace_id}: "
                                            f"{op} needs an existing listing.")]
        patches = message.get("patches") if op == "PATCH" else [
            {"op": "replace", "path": f"/attributes/{name}", "value": v} for name, v in message["attributes"].items()]
        try:
            attributes = apply_patches(existing["attributes"], patches)
        except ValueError as exc:
            return [issue("4000003", "ERROR", f"Invalid patch path {exc}.")]
        product_type, requirements = message["productType"], existing["requirements"]
    if product_type not in ctx.product_type_names:
        return [issue("4000003", "ERROR", f"The product type '{product_type}' is invalid.")]
    result = listings.submit(ctx, seller_id, sku, marketplace_id, product_type, requirements, attributes, existing=existing)
    return [issue(i["code"], i["severity"], i["message"], (i.get("attributeNames") or [None])[0]) for i in result["issues"]]


_BASE = "/feeds/2021-06-30"
ROUTES = (
    Route("POST", _BASE + "/documents", "createFeedDocument", create_feed_document, PRODUCT_LISTING),
    Route("GET", _BASE + "/documents/{feedDocumentId}", "getFeedDocument", get_feed_document, PRODUCT_LISTING),
    Route("POST", _BASE + "/feeds", "createFeed", create_feed, PRODUCT_LISTING),
    Route("GET", _BASE + "/feeds", "getFeeds", get_feeds, PRODUCT_LISTING),
    Route("GET", _BASE + "/feeds/{feedId}", "getFeed", get_feed, PRODUCT_LISTING),
    Route("DELETE", _BASE + "/feeds/{feedId}", "cancelFeed", cancel_feed, PRODUCT_LISTING),
)
