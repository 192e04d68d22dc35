"""Feeds API 2021-06-30: documents (upload URL served by the sandbox), feeds and their status.

A feed moves IN_QUEUE -> IN_PROGRESS -> DONE with time (``FeedTiming``); the server's worker thread
processes it once its time is over (``feed_processing.finish_due_feeds``), so a getFeed never waits for a
big feed and the result is the same however often it is polled.
"""
from __future__ import annotations

import base64
import json
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

from core.sandbox.accounts import PRODUCT_LISTING
from core.sandbox.feed_processing import JSON_LISTINGS_FEED
from core.sandbox.routing import Request, Response, Route, errors

STATUSES = ("IN_QUEUE", "IN_PROGRESS", "DONE", "FATAL", "CANCELLED")


@dataclass(frozen=True)
class FeedTiming:
    """How long a feed stays IN_QUEUE, then IN_PROGRESS, before it is processed."""
    in_queue_s: float = 0.5     # time a feed waits before processing starts
    in_progress_s: float = 1.0  # time processing takes


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(epoch % 1 * 1000):03d}Z"


def _invalid(details: str = "Invalid input") -> Response:
    return errors(400, "400", "Invalid input", details)


# --- documents -----------------------------------------------------------------------------------
def create_feed_document(ctx, req: Request) -> Response:
    """``POST /feeds/2021-06-30/documents``: 201 with the upload URL on the sandbox."""
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
    """``GET /feeds/2021-06-30/documents/{feedDocumentId}``: the download URL (and compression)."""
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
    """``POST /feeds/2021-06-30/feeds``: 202 ``{feedId}``; the document must belong to the seller."""
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


def render_feed(ctx, row: dict) -> dict:
    """The model's ``Feed`` object for a stored feed row."""
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
    """``GET /feeds/2021-06-30/feeds/{feedId}``."""
    row, error = _feed_row(ctx, req)
    return error or Response(200, render_feed(ctx, _advance(ctx, row)))


def cancel_feed(ctx, req: Request) -> Response:
    """``DELETE /feeds/2021-06-30/feeds/{feedId}``: only a feed still IN_QUEUE."""
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
    """``GET /feeds/2021-06-30/feeds`` with feedTypes / processingStatuses filters and paging."""
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


_BASE = "/feeds/2021-06-30"
ROUTES = (
    Route("POST", _BASE + "/documents", "createFeedDocument", create_feed_document, PRODUCT_LISTING),
    Route("GET", _BASE + "/documents/{feedDocumentId}", "getFeedDocument", get_feed_document, PRODUCT_LISTING),
    Route("POST", _BASE + "/feeds", "createFeed", create_feed, PRODUCT_LISTING),
    Route("GET", _BASE + "/feeds", "getFeeds", get_feeds, PRODUCT_LISTING),
    Route("GET", _BASE + "/feeds/{feedId}", "getFeed", get_feed, PRODUCT_LISTING),
    Route("DELETE", _BASE + "/feeds/{feedId}", "cancelFeed", cancel_feed, PRODUCT_LISTING),
)
