"""Listings Items API 2021-08-01: put (create / full replace), patch, get, delete, search.

Query lists are sent comma-joined (the models say ``collectionFormat: csv``); ``marketplaceIds`` is
always the configured marketplace, ``issueLocale`` its language unless told otherwise.
"""
from __future__ import annotations

from typing import Iterable

from sp_api.api import ListingsItems

from core.spapi.client import SpApiConfig, call
from core.spapi.results import Result

VERSION = "2021-08-01"
VALIDATION_PREVIEW = "VALIDATION_PREVIEW"


def csv(values: Iterable[str] | str) -> str:
    """A query list as Amazon expects it: one comma-joined string."""
    return values if isinstance(values, str) else ",".join(str(v) for v in values)


def _params(cfg: SpApiConfig, included: Iterable[str] | None = None, mode: str | None = None,
            issue_locale: str | None = None) -> dict:
    params = {"marketplaceIds": cfg.marketplace.marketplace_id,
              "issueLocale": issue_locale or cfg.marketplace.language_tag}
    if included:
        params["includedData"] = csv(included)
    if mode:
        params["mode"] = mode
    return params


def _seller(cfg: SpApiConfig) -> str:
    if not cfg.seller_id:
        raise ValueError("seller id is not configured")
    return cfg.seller_id


def put_item(cfg: SpApiConfig, sku: str, body: dict, *, included=("issues", "identifiers"),
             mode: str | None = None, issue_locale: str | None = None, **options) -> Result:
    """``putListingsItem``: ``body`` = {productType, requirements, attributes}. Payload: submission."""
    params = _params(cfg, included, mode, issue_locale)
    seller = _seller(cfg)
    return call(cfg, "putListingsItem", lambda c: c.put_listings_item(seller, sku, body=body, **params),
                api=ListingsItems, version=VERSION, **options)


def patch_item(cfg: SpApiConfig, sku: str, body: dict, *, included=("issues",), mode: str | None = None,
               issue_locale: str | None = None, **options) -> Result:
    """``patchListingsItem``: ``body`` = {productType, patches[…]}."""
    params = _params(cfg, included, mode, issue_locale)
    seller = _seller(cfg)
    # A validation preview of a patch has its own, stricter plan (1 rps).
    stricter = ("patchListingsItem:VALIDATION_PREVIEW",) if mode == VALIDATION_PREVIEW else ()
    return call(cfg, "patchListingsItem", lambda c: c.patch_listings_item(seller, sku, body=body, **params),
                api=ListingsItems, version=VERSION, also_limited_by=stricter, **options)


def get_item(cfg: SpApiConfig, sku: str, *, included=("summaries", "issues"), issue_locale: str | None = None,
             **options) -> Result:
    """``getListingsItem``: the listing with the requested data sets."""
    params = _params(cfg, included, None, issue_locale)
    seller = _seller(cfg)
    return call(cfg, "getListingsItem", lambda c: c.get_listings_item(seller, sku, **params),
                api=ListingsItems, version=VERSION, **options)


def delete_item(cfg: SpApiConfig, sku: str, *, issue_locale: str | None = None, **options) -> Result:
    """``deleteListingsItem``."""
    params = _params(cfg, None, None, issue_locale)
    seller = _seller(cfg)
    return call(cfg, "deleteListingsItem", lambda c: c.delete_listings_item(seller, sku, **params),
                api=ListingsItems, version=VERSION, **options)


def search_items(cfg: SpApiConfig, identifiers: Iterable[str], identifiers_type: str = "SKU", *,
                 included=("summaries",), page_size: int = 20, page_token: str | None = None,
                 **options) -> Result:
    """``searchListingsItems`` by up to 20 identifiers of one type (SKU, EAN, ASIN …)."""
    ids = list(identifiers) if not isinstance(identifiers, str) else identifiers.split(",")
    if not 1 <= len(ids) <= 20:
        raise ValueError("searchListingsItems takes 1 to 20 identifiers")
    params = _params(cfg, included)
    params.update(identifiers=csv(ids), identifiersType=identifiers_type, pageSize=page_size)
    if page_token:
        params["pageToken"] = page_token
    seller = _seller(cfg)
    return call(cfg, "searchListingsItems", lambda c: c.search_listings_items(seller, **params),
                api=ListingsItems, version=VERSION, **options)
