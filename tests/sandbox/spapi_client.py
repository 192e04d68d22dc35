"""Tiny factory driving the sandbox with the REAL python-amazon-sp-api client (no mock in the client path).

The app's own factory is core/spapi (helper F); this one only does what reference §0 says is needed:
an AccessTokenClient subclass aimed at the sandbox, and the endpoint override.
"""
from __future__ import annotations

from sp_api.api import CatalogItems, Feeds, ListingsItems, ProductTypeDefinitions, Sellers
from sp_api.auth import AccessTokenClient
from sp_api.auth import access_token_client
from sp_api.base import Marketplaces

from core.sandbox.accounts import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REFRESH_TOKEN


def clear_token_cache() -> None:
    """sp_api caches access tokens process-wide per refresh token: clear between scenarios."""
    access_token_client.cache.clear()


def client(api_class, server, *, refresh_token: str = DEMO_REFRESH_TOKEN, client_id: str = DEMO_CLIENT_ID,
           client_secret: str = DEMO_CLIENT_SECRET, marketplace=Marketplaces.FR, **kwargs):
    """An sp_api client of ``api_class`` talking to ``server`` (a running SandboxServer)."""
    auth_class = type("SandboxAuth", (AccessTokenClient,), {"scheme": "http://", "host": f"127.0.0.1:{server.port}"})
    api = api_class(marketplace, refresh_token=refresh_token,
                    credentials={"refresh_token": refresh_token, "lwa_app_id": client_id, "lwa_client_secret": client_secret},
                    auth_token_client_class=auth_class, **kwargs)
    api.endpoint = server.url
    return api


__all__ = ["client", "clear_token_cache", "Sellers", "ListingsItems", "CatalogItems", "Feeds", "ProductTypeDefinitions"]
