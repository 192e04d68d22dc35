"""Catalog Items API 2022-04-01 (sp_api defaults to 2020-12-01: the version is always passed).

``searchCatalogItems`` takes at most 20 identifiers and exactly one marketplace; results do not say
which identifier matched, so ``identifiers`` is always among the included data (Code2ASIN maps back).
"""
from __future__ import annotations

from typing import Iterable

from sp_api.api import CatalogItems

from core.spapi.client import SpApiConfig, call
from core.spapi.listings import csv
from core.spapi.results import Result

VERSION = "2022-04-01"
MAX_IDENTIFIERS = 20
DEFAULT_INCLUDED = ("identifiers", "summaries", "productTypes")


def search_by_identifiers(cfg: SpApiConfig, identifiers: Iterable[str], identifiers_type: str = "EAN", *,
                          included: Iterable[str] = DEFAULT_INCLUDED, page_size: int = 20,
                          page_token: str | None = None, **options) -> Result:
    """``searchCatalogItems`` by 1–20 identifiers of one type. Payload: {numberOfResults, items, …}."""
    ids = [str(i) for i in identifiers]
    if not 1 <= len(ids) <= MAX_IDENTIFIERS:
        raise ValueError(f"searchCatalogItems takes 1 to {MAX_IDENTIFIERS} identifiers")
    params = {"identifiers": csv(ids), "identifiersType": identifiers_type,
              "marketplaceIds": cfg.marketplace.marketplace_id, "includedData": csv(included),
              "pageSize": page_size}
    if page_token:
        params["pageToken"] = page_token
    return call(cfg, "searchCatalogItems", lambda c: c.search_catalog_items(**params),
                api=CatalogItems, version=VERSION, **options)


def search_by_keywords(cfg: SpApiConfig, keywords: Iterable[str] | str, *,
                       included: Iterable[str] = ("summaries",), page_size: int = 10, **options) -> Result:
    """``searchCatalogItems`` by keywords (comma-joined)."""
    params = {"keywords": csv(keywords), "marketplaceIds": cfg.marketplace.marketplace_id,
              "includedData": csv(included), "pageSize": page_size}
    return call(cfg, "searchCatalogItems", lambda c: c.search_catalog_items(**params),
                api=CatalogItems, version=VERSION, **options)


def get_item(cfg: SpApiConfig, asin: str, *, included: Iterable[str] = ("summaries", "productTypes"),
             **options) -> Result:
    """``getCatalogItem`` for one ASIN."""
    params = {"marketplaceIds": cfg.marketplace.marketplace_id, "includedData": csv(included)}
    return call(cfg, "getCatalogItem", lambda c: c.get_catalog_item(asin, **params),
                api=CatalogItems, version=VERSION, **options)
