"""Product Type Definitions API 2020-09-01: search product types, get one type's definition."""
from __future__ import annotations

import httpx
from sp_api.api import ProductTypeDefinitions

from core.spapi import redact
from core.spapi.client import SpApiConfig, call, tls_context
from core.spapi.listings import csv
from core.spapi.results import ApiError, Ok, Result, kind_for_status


def search(cfg: SpApiConfig, *, keywords=None, item_name: str | None = None, **options) -> Result:
    """``searchDefinitionsProductTypes`` by keywords or item name: payload {productTypes[…]}."""
    params = {"marketplaceIds": cfg.marketplace.marketplace_id}
    if keywords:
        params["keywords"] = csv(keywords)
    if item_name:
        params["itemName"] = item_name
    return call(cfg, "searchDefinitionsProductTypes", lambda c: c.search_definitions_product_types(**params),
                api=ProductTypeDefinitions, **options)


def get_definition(cfg: SpApiConfig, product_type: str, *, requirements: str = "LISTING",
                   requirements_enforced: str = "ENFORCED", locale: str | None = None, **options) -> Result:
    """``getDefinitionsProductType`` for the configured marketplace: payload with schema.link …"""
    params = {"marketplaceIds": cfg.marketplace.marketplace_id, "requirements": requirements,
              "requirementsEnforced": requirements_enforced,
              "locale": locale or cfg.marketplace.language_tag}
    if cfg.seller_id:
        params["sellerId"] = cfg.seller_id
    return call(cfg, "getDefinitionsProductType",
                lambda c: c.get_definitions_product_type(product_type, **params),
                api=ProductTypeDefinitions, **options)


def fetch_schema(url: str, *, timeout: float = 60.0) -> Result:
    """Download a product-type JSON schema from its ``schema.link.resource`` URL."""
    try:
        response = httpx.get(url, timeout=timeout, verify=tls_context())
    except httpx.TransportError as exc:
        return ApiError("network", None, type(exc).__name__, redact.redact(str(exc)))
    if response.status_code >= 300:
        return ApiError(kind_for_status(response.status_code), response.status_code, None, response.text[:300])
    try:
        return Ok(response.json(), dict(response.headers), response.status_code)
    except ValueError as exc:
        return ApiError("server", response.status_code, "BadSchema", str(exc))
