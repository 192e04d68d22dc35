"""Sellers API v1: ``getMarketplaceParticipations`` and ``getAccount`` for the calling account.

Shapes per [M:sellers.json] and its static examples; participations list every marketplace of
core/marketplaces.py the account sells in (UK reported with countryCode GB, as Amazon does).
"""
from __future__ import annotations

from core.marketplaces import MARKETPLACES
from core.sandbox.routing import Request, Response, Route

_DOMAINS = {"UK": "www.amazon.co.uk", "US": "www.amazon.com", "BE": "www.amazon.com.be"}


def _marketplace(m) -> dict:
    return {
        "id": m.marketplace_id,
        "countryCode": m.country_code,
        "name": m.name,
        "defaultCurrencyCode": m.currency,
        "defaultLanguageCode": m.language_tag,
        "domainName": _DOMAINS.get(m.code, "www." + m.name.lower()),
    }


def participations(account) -> list[dict]:
    """The participation entries of ``account`` (one per marketplace it sells in)."""
    return [
        {
            "marketplace": _marketplace(m),
            "storeName": account.store_name,
            "participation": {
                "isParticipating": True,
                "hasSuspendedListings": m.marketplace_id in account.suspended_in,
            },
        }
        for m in MARKETPLACES
        if m.marketplace_id in account.marketplace_ids
    ]


def get_marketplace_participations(ctx, req: Request) -> Response:
    """``GET /sellers/v1/marketplaceParticipations``."""
    return Response(200, {"payload": participations(req.account)})


def get_account(ctx, req: Request) -> Response:
    """``GET /sellers/v1/account`` (selling plan, business)."""
    account = req.account
    return Response(200, {"payload": {
        "businessType": account.business_type,
        "marketplaceParticipationList": participations(account),
        "sellingPlan": account.selling_plan,
        "business": {
            "name": account.store_name,
            "registeredBusinessAddress": {"addressLine1": "1 rue de l'Exemple", "city": "Paris",
                                          "postalCode": "75001", "countryCode": "FR"},
        },
    }})


ROUTES = (
    Route("GET", "/sellers/v1/marketplaceParticipations", "getMarketplaceParticipations", get_marketplace_participations),
    Route("GET", "/sellers/v1/account", "getAccount", get_account),
)
