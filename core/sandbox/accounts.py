"""Seller accounts the local sandbox knows, as data: the demo account and the scenario accounts.

Every account shares the demo application's Client ID and secret unless it says otherwise; the refresh
token picks the account (as on Amazon, where a refresh token is one seller's authorisation of one app).
The scenario tokens reproduce the answers of reference §a/§b: revoked grant, app without role, seller
not participating in FR, suspended listings in FR, Individual selling plan.
"""
from __future__ import annotations

from dataclasses import dataclass

from core.marketplaces import MARKETPLACES, marketplace

DEMO_CLIENT_ID = "amzn1.application-oa2-client.sandboxdemo"
DEMO_CLIENT_SECRET = "sandbox-demo-secret"
DEMO_REFRESH_TOKEN = "Atzr|sandbox-demo"
DEMO_SELLER_ID = "A2SANDBOXDEMO1"

# Roles an SP-API application can be granted; listings, catalogue, feeds and product types need this one.
PRODUCT_LISTING = "Product Listing"
DEFAULT_ROLES: tuple[str, ...] = (PRODUCT_LISTING, "Selling Partner Insights", "Inventory and Order Tracking")

ALL_MARKETPLACE_IDS: tuple[str, ...] = tuple(m.marketplace_id for m in MARKETPLACES)
FR = marketplace("FR").marketplace_id
DE = marketplace("DE").marketplace_id


@dataclass(frozen=True)
class Account:
    """One seller's authorisation of one application, as the sandbox sees it.

    ``revoked``: LWA answers 400 invalid_grant for this refresh token. ``roles`` empty: LWA works but
    every SP-API call is 403 Unauthorized (the seller never authorised the app's roles).
    """

    client_id: str
    client_secret: str
    refresh_token: str
    seller_id: str
    marketplace_ids: tuple[str, ...] = ALL_MARKETPLACE_IDS
    suspended_in: tuple[str, ...] = ()
    selling_plan: str = "PROFESSIONAL"  # PROFESSIONAL | INDIVIDUAL
    roles: tuple[str, ...] = DEFAULT_ROLES
    store_name: str = "Sandbox Demo Store"
    business_type: str = "PRIVATE_LIMITED"
    revoked: bool = False


def _scenario(token: str, seller_id: str, **changes) -> Account:
    return Account(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, token, seller_id, **changes)


BUILTIN_ACCOUNTS: tuple[Account, ...] = (
    _scenario(DEMO_REFRESH_TOKEN, DEMO_SELLER_ID),
    _scenario("Atzr|sandbox-revoked", "A2SANDBOXREVOK", revoked=True),
    _scenario("Atzr|sandbox-norole", "A2SANDBOXNOROL", roles=()),
    _scenario("Atzr|sandbox-nofr", "A2SANDBOXNOFR1", marketplace_ids=(DE,)),
    _scenario("Atzr|sandbox-suspended", "A2SANDBOXSUSP1", suspended_in=(FR,)),
    _scenario("Atzr|sandbox-individual", "A2SANDBOXINDV1", selling_plan="INDIVIDUAL"),
)


class AccountBook:
    """Built-in accounts plus any given at start (e.g. distinctive credentials for a secrets test)."""

    def __init__(self, extra: list[Account] | tuple[Account, ...] | None = None):
        self.accounts: tuple[Account, ...] = BUILTIN_ACCOUNTS + tuple(extra or ())

    def client_known(self, client_id: str, client_secret: str) -> bool:
        """True when some account belongs to the application with this id and secret."""
        return any(a.client_id == client_id and a.client_secret == client_secret for a in self.accounts)

    def by_refresh_token(self, client_id: str, refresh_token: str) -> Account | None:
        """The account this application's refresh token authorises, if any."""
        for account in self.accounts:
            if account.client_id == client_id and account.refresh_token == refresh_token:
                return account
        return None
