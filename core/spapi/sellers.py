"""Sellers API v1: which marketplaces the seller participates in, and the account (selling plan)."""
from __future__ import annotations

from sp_api.api import Sellers

from core.spapi.client import SpApiConfig, call
from core.spapi.results import Result


def marketplace_participations(cfg: SpApiConfig, **options) -> Result:
    """``getMarketplaceParticipations``: ``Ok.payload`` is the list of participations."""
    return call(cfg, "getMarketplaceParticipations", lambda c: c.get_marketplace_participation(),
                api=Sellers, **options)


def account(cfg: SpApiConfig, **options) -> Result:
    """``getAccount``: business type, selling plan (PROFESSIONAL / INDIVIDUAL) …"""
    return call(cfg, "getAccount", lambda c: c.get_account(), api=Sellers, **options)


def participation(payload, marketplace_id: str) -> dict | None:
    """The participation entry of ``marketplace_id`` in a participations payload (None if absent).

    Real accounts also list non-Amazon "marketplaces": match on the id only.
    """
    for entry in payload or []:
        if isinstance(entry, dict) and (entry.get("marketplace") or {}).get("id") == marketplace_id:
            return entry
    return None
