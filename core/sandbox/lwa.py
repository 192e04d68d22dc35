"""Login with Amazon token exchange (``POST /auth/o2/token``) and access-token lookup.

Answers as reference §a: 200 ``{access_token, token_type, expires_in, refresh_token}``; bad client id or
secret 401 invalid_client; unknown or revoked refresh token 400 invalid_grant. Access tokens are derived
from the refresh token with a one-way hash (never contain it) and are stable, so a client's cached token
still works after a sandbox restart, exactly as an unexpired Amazon token does.
"""
from __future__ import annotations

import hashlib
from urllib.parse import parse_qs

from core.sandbox.accounts import Account, AccountBook

TOKEN_LIFETIME_S = 3600
_TOKEN_SALT = b"export-amazon-sandbox-lwa"


def access_token_for(account: Account) -> str:
    """The access token issued to ``account`` (``Atza|`` + 384 hex chars, like Amazon's ≥350-char tokens)."""
    digest = hashlib.sha256(_TOKEN_SALT + account.client_id.encode() + b"\0" + account.refresh_token.encode())
    chunks = []
    for _ in range(6):
        chunks.append(digest.hexdigest())
        digest = hashlib.sha256(digest.digest())
    return "Atza|" + "".join(chunks)


def _error(status: int, error: str, description: str) -> tuple[int, dict]:
    return status, {"error_description": description, "error": error}


class Lwa:
    """The token endpoint and the reverse map access token -> account."""

    def __init__(self, book: AccountBook):
        self.book = book
        self._by_token = {access_token_for(a): a for a in book.accounts if not a.revoked}

    def account_for_token(self, token: str | None) -> Account | None:
        """The account an ``x-amz-access-token`` belongs to, or None (revoked, malformed, unknown)."""
        return self._by_token.get(token or "")

    def exchange(self, body: bytes) -> tuple[int, dict]:
        """Handle one form-encoded token request; returns (HTTP status, JSON body)."""
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}
        grant_type = form.get("grant_type", "")
        client_id, client_secret = form.get("client_id", ""), form.get("client_secret", "")
        if grant_type not in ("refresh_token", "client_credentials"):
            return _error(400, "unsupported_grant_type", "The authorization grant type is not supported by the authorization server")
        if not self.book.client_known(client_id, client_secret):
            return _error(401, "invalid_client", "Client authentication failed")
        if grant_type == "client_credentials":
            # Grantless operations (notifications): the sandbox implements none, but the exchange itself works.
            token = "Atza|" + hashlib.sha256(_TOKEN_SALT + client_id.encode() + b"grantless").hexdigest() * 6
            return 200, {"access_token": token, "token_type": "bearer", "expires_in": TOKEN_LIFETIME_S}
        account = self.book.by_refresh_token(client_id, form.get("refresh_token", ""))
        if account is None or account.revoked:
            return _error(400, "invalid_grant", "The request has an invalid grant parameter : refresh_token")
        return 200, {
            "access_token": access_token_for(account),
            "refresh_token": account.refresh_token,
            "token_type": "bearer",
            "expires_in": TOKEN_LIFETIME_S,
        }
