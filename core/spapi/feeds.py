"""Feeds API 2021-06-30 (JSON_LISTINGS_FEED): document, upload, feed, status, result report.

Uploads and downloads go straight to the pre-signed URL with httpx and *bytes* (sp_api would encode
a str payload as Latin-1); the Content-Type of the upload is exactly the one the document was
created with. Result documents may be GZIP-compressed.
"""
from __future__ import annotations

import gzip
import json
import zlib
from dataclasses import replace

import httpx
from sp_api.api import Feeds
from sp_api.base import fill_query_params

from core.spapi import redact
from core.spapi.client import SpApiConfig, call, tls_context
from core.spapi.results import ApiError, Ok, Result, kind_for_status
from core.spapi.retry import DEFAULT_POLICY, RetryPolicy, with_retries

JSON_CONTENT_TYPE = "application/json; charset=UTF-8"
JSON_LISTINGS_FEED = "JSON_LISTINGS_FEED"
FINAL_STATUSES = ("DONE", "FATAL", "CANCELLED")


def create_document(cfg: SpApiConfig, content_type: str = JSON_CONTENT_TYPE, **options) -> Result:
    """``createFeedDocument``: payload {feedDocumentId, url}."""
    return call(cfg, "createFeedDocument", lambda c: c.create_feed_document(None, content_type),
                api=Feeds, **options)


def upload(url: str, data: bytes, content_type: str = JSON_CONTENT_TYPE, *, timeout: float = 60.0,
           policy: RetryPolicy = DEFAULT_POLICY) -> Result:
    """PUT ``data`` (bytes) to the pre-signed ``url`` (no Amazon credentials involved)."""
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError("feed documents are uploaded as bytes (UTF-8)")

    def once(_n):
        try:
            response = httpx.put(url, content=bytes(data), headers={"Content-Type": content_type},
                                 timeout=timeout, verify=tls_context())
        except httpx.TransportError as exc:
            return ApiError("network", None, type(exc).__name__, redact.redact(str(exc)))
        if response.status_code >= 300:
            return ApiError(kind_for_status(response.status_code), response.status_code, None,
                            redact.redact(response.text[:300]))
        return Ok(None, dict(response.headers), response.status_code)

    return with_retries(once, policy)


def create_feed(cfg: SpApiConfig, document_id: str, feed_type: str = JSON_LISTINGS_FEED,
                feed_options: dict | None = None, **options) -> Result:
    """``createFeed`` for the configured marketplace: payload {feedId}."""
    extra = {"marketplaceIds": [cfg.marketplace.marketplace_id]}
    if feed_options:
        extra["feedOptions"] = feed_options
    stricter = ("createFeed:JSON_LISTINGS_FEED",) if feed_type == JSON_LISTINGS_FEED else ()
    return call(cfg, "createFeed", lambda c: c.create_feed(feed_type, document_id, **extra),
                api=Feeds, also_limited_by=stricter, **options)


def get_feed(cfg: SpApiConfig, feed_id: str, **options) -> Result:
    """``getFeed``: payload {feedId, processingStatus, resultFeedDocumentId …}."""
    return call(cfg, "getFeed", lambda c: c.get_feed(feed_id), api=Feeds, **options)


def get_document(cfg: SpApiConfig, document_id: str, **options) -> Result:
    """``getFeedDocument``: payload {feedDocumentId, url, compressionAlgorithm?} (no download)."""
    path = fill_query_params("/feeds/2021-06-30/documents/{}", document_id)
    # sp_api's get_feed_document downloads and decodes as Latin-1 itself: call the operation only.
    return call(cfg, "getFeedDocument", lambda c: c._request(path, params={}, add_marketplace=False),
                api=Feeds, **options)


def download(url: str, compression: str | None = None, *, timeout: float = 60.0,
             policy: RetryPolicy = DEFAULT_POLICY) -> Result:
    """GET a result document: ``Ok.payload`` is its bytes, decompressed when ``compression`` is GZIP."""

    def once(_n):
        try:
            response = httpx.get(url, timeout=timeout, verify=tls_context())
        except httpx.TransportError as exc:
            return ApiError("network", None, type(exc).__name__, redact.redact(str(exc)))
        if response.status_code >= 300:
            return ApiError(kind_for_status(response.status_code), response.status_code, None,
                            redact.redact(response.text[:300]))
        content = response.content
        if (compression or "").upper() == "GZIP":
            try:
                content = gzip.decompress(content)
            except (OSError, zlib.error) as exc:
                return ApiError("server", response.status_code, "BadGzip", str(exc))
        return Ok(content, dict(response.headers), response.status_code)

    return with_retries(once, policy)


def submit_json(cfg: SpApiConfig, document: dict | bytes, **options) -> Result:
    """Create a document, upload ``document`` (UTF-8 JSON), create the JSON_LISTINGS_FEED.

    ``Ok.payload`` = {feedId, feedDocumentId}; an error says which step failed in ``details``.
    """
    data = document if isinstance(document, (bytes, bytearray)) else json.dumps(
        document, ensure_ascii=False).encode("utf-8")
    doc = create_document(cfg, JSON_CONTENT_TYPE, **options)
    if not doc.ok:
        return _step(doc, "createFeedDocument")
    document_id, url = doc.payload.get("feedDocumentId"), doc.payload.get("url")
    sent = upload(url, data, JSON_CONTENT_TYPE, policy=options.get("policy", DEFAULT_POLICY))
    if not sent.ok:
        return _step(sent, "upload")
    feed = create_feed(cfg, document_id, **options)
    if not feed.ok:
        return _step(feed, "createFeed")
    return Ok({"feedId": feed.payload.get("feedId"), "feedDocumentId": document_id}, feed.headers,
              feed.http_status, feed.attempts)


def fetch_report(cfg: SpApiConfig, result_document_id: str, **options) -> Result:
    """The processing report of a finished feed, parsed from JSON."""
    meta = get_document(cfg, result_document_id, **options)
    if not meta.ok:
        return meta
    got = download(meta.payload.get("url"), meta.payload.get("compressionAlgorithm"))
    if not got.ok:
        return got
    try:
        return Ok(json.loads(got.payload.decode("utf-8")), got.headers, got.http_status)
    except (UnicodeDecodeError, ValueError) as exc:
        return ApiError("server", got.http_status, "BadReport", str(exc))


def _step(error: ApiError, step: str) -> ApiError:
    return replace(error, details=f"{step}: {error.details}".rstrip(": "))
