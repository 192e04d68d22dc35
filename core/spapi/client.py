"""The client factory and the one place where ``sp_api`` is called.

:func:`build_client` makes an ``sp_api`` client for an environment (production, Amazon's sandbox
hosts, the local sandbox) and a marketplace. :func:`call` runs one operation through the rate
limiter and the retry loop and turns whatever ``sp_api`` raises — caught by exception class — into
an :class:`~core.spapi.results.ApiError`; success is an :class:`~core.spapi.results.Ok`.

``sp_api`` quirks handled here (spapi-reference §0): the token host is a class attribute (a subclass
per LWA URL), the token cache is process-wide and keyed by the refresh token only (our subclass keys
it on host + client id + secret as well, so a wrong secret is never hidden by a cached token),
4xx/5xx answers without an ``errors`` body are returned as successes (the transport records the
real status), and a client is not thread-safe (one per thread).
"""
from __future__ import annotations

import hashlib
import json
import logging
import math
import ssl
import threading
import time
from functools import lru_cache
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import urlsplit

import httpx
from sp_api.auth import AccessTokenClient
from sp_api.auth.exceptions import AuthorizationError
from sp_api.base import Marketplaces
from sp_api.base._transport_httpx import HttpxTransport
from sp_api.base.credential_provider import FromCodeCredentialProvider, MissingCredentials
from sp_api.base.exceptions import (
    SellingApiBadRequestException,
    SellingApiException,
    SellingApiForbiddenException,
    SellingApiGatewayTimeoutException,
    SellingApiNotFoundException,
    SellingApiRequestThrottledException,
    SellingApiServerException,
    SellingApiStateConflictException,
    SellingApiTemporarilyUnavailableException,
    SellingApiTooLargeException,
    SellingApiUnsupportedFormatException,
)

from core.marketplaces import Marketplace
from core.spapi import redact
from core.spapi.credentials import Credentials
from core.spapi.environments import api_endpoint, lwa_endpoint
from core.spapi.ratelimit import LIMITER, RateLimiter
from core.spapi.results import ApiError, Ok, Result, kind_for_status
from core.spapi.retry import DEFAULT_POLICY, RetryPolicy, with_retries

DEFAULT_TIMEOUT = 30.0
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SpApiConfig:
    """Everything needed to talk to the SP-API for one seller on one marketplace."""
    environment: str
    marketplace: Marketplace
    credentials: Credentials
    seller_id: str = ""
    local_url: str | None = None     # the local sandbox's base URL (environment local_sandbox)
    timeout: float = DEFAULT_TIMEOUT

    @property
    def endpoint(self) -> str:
        """Base URL of the API for this environment and the marketplace's region."""
        return api_endpoint(self.environment, self.marketplace.region, self.local_url)

    @property
    def lwa_url(self) -> str:
        """URL of the Login with Amazon token endpoint."""
        return lwa_endpoint(self.environment, self.local_url)

    @property
    def account_key(self) -> str:
        """Opaque key of the account-application pair (Amazon's quotas are per pair and endpoint)."""
        c = self.credentials
        return self.endpoint + "|" + _digest(c.client_id, c.refresh_token)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:24]


@lru_cache(maxsize=1)
def tls_context() -> ssl.SSLContext:
    """One verifying TLS context for every HTTP client: building one per client costs ~0.2 s."""
    import certifi  # noqa: PLC0415 - httpx's own CA bundle
    return ssl.create_default_context(cafile=certifi.where())


# ---------------------------------------------------------------- LWA token client
_token_lock = threading.RLock()


class ScopedAccessTokenClient(AccessTokenClient):
    """``sp_api``'s token client with a safer cache key and a clear error on non-JSON answers."""

    def get_auth(self):
        # sp_api's token cache (a cachetools TTLCache) is not thread-safe, and one exchange is enough
        # when several threads need a token at once.
        with _token_lock:
            return super().get_auth()

    def _get_cache_key(self, token_flavor: str = "") -> str:
        scope = _digest(self.scheme + self.host, self.cred.client_id or "", self.cred.client_secret or "")
        return super()._get_cache_key(token_flavor + scope)

    def _request(self, url, data, headers):
        response = self._transport.request("POST", url, data=data, headers=headers)
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code != 200 or not isinstance(body, dict) or "access_token" not in body:
            body = body if isinstance(body, dict) else {}
            raise AuthorizationError(body.get("error") or "server_error", body.get("error_description") or "",
                                     response.status_code)
        return body

    def forget(self) -> None:
        """Drop this client's cached access token, so that the next call asks LWA again."""
        from sp_api.auth import access_token_client  # noqa: PLC0415
        access_token_client.cache.pop(self._get_cache_key(), None)


_auth_classes: dict[str, type[ScopedAccessTokenClient]] = {}
_auth_lock = threading.Lock()


def auth_client_class(lwa_url: str) -> type[ScopedAccessTokenClient]:
    """A token-client class whose class attributes point at ``lwa_url`` (sp_api reads them there)."""
    with _auth_lock:
        cls = _auth_classes.get(lwa_url)
        if cls is None:
            parts = urlsplit(lwa_url)
            cls = type("ScopedAccessTokenClient_" + str(len(_auth_classes)), (ScopedAccessTokenClient,),
                       {"scheme": parts.scheme + "://", "host": parts.netloc, "path": parts.path or "/"})
            _auth_classes[lwa_url] = cls
        return cls


# ---------------------------------------------------------------- transport
class RecordingTransport(HttpxTransport):
    """Remembers the last response, because ``sp_api`` drops the HTTP status of error-less answers."""

    last_response: httpx.Response | None = None

    def request(self, method, url, **kwargs):
        self.last_response = None
        response = super().request(method, url, **kwargs)
        self.last_response = response
        return response


# ---------------------------------------------------------------- factory
def build_client(api_class: type, cfg: SpApiConfig, *, version: str | None = None):
    """An ``sp_api`` client of ``api_class`` (Sellers, ListingsItems …) for ``cfg``.

    Raises ``MissingCredentials`` when a credential is empty (:func:`call` turns it into an error).
    """
    redact.install()
    c = cfg.credentials
    redact.register_secrets(c.client_id, c.client_secret, c.refresh_token)
    kwargs: dict[str, Any] = dict(
        refresh_token=c.refresh_token,
        credentials=c.as_sp_api(),
        credential_providers=(FromCodeCredentialProvider,),
        auth_token_client_class=auth_client_class(cfg.lwa_url),
        timeout=cfg.timeout,
        verify=tls_context(),
    )
    if version:
        kwargs["version"] = version
    client = api_class(Marketplaces[cfg.marketplace.code], **kwargs)
    # Amazon's hosts are chosen here, not by sp_api's AWS_ENV (read once at import).
    client.endpoint = cfg.endpoint
    client.marketplace_id = cfg.marketplace.marketplace_id
    client._transport = RecordingTransport(client=client._transport._client)
    return client


_local = threading.local()


def client_for(api_class: type, cfg: SpApiConfig, *, version: str | None = None):
    """This thread's client of ``api_class`` for ``cfg`` (sp_api clients must not be shared by threads)."""
    cache = getattr(_local, "clients", None)
    if cache is None:
        cache = _local.clients = {}
    c = cfg.credentials
    key = (api_class.__name__, version, cfg.endpoint, cfg.lwa_url, cfg.marketplace.code, cfg.timeout,
           _digest(c.client_id, c.client_secret, c.refresh_token))
    client = cache.get(key)
    if client is None:
        client = cache[key] = build_client(api_class, cfg, version=version)
    return client


# ---------------------------------------------------------------- calling
_BY_EXCEPTION: tuple[tuple[type, str], ...] = (
    (SellingApiRequestThrottledException, "throttled"),
    (SellingApiServerException, "server"),
    (SellingApiTemporarilyUnavailableException, "server"),
    (SellingApiGatewayTimeoutException, "server"),
    (SellingApiForbiddenException, "forbidden"),
    (SellingApiNotFoundException, "not_found"),
    (SellingApiBadRequestException, "invalid"),
    (SellingApiStateConflictException, "invalid"),
    (SellingApiTooLargeException, "invalid"),
    (SellingApiUnsupportedFormatException, "invalid"),
)


def _status(client) -> int | None:
    response = getattr(getattr(client, "_transport", None), "last_response", None)
    return response.status_code if response is not None else None


def _headers(client) -> dict:
    response = getattr(getattr(client, "_transport", None), "last_response", None)
    return dict(response.headers) if response is not None else {}


def error_from_exception(exc: BaseException, status: int | None = None) -> ApiError:
    """The typed error for an exception raised while calling ``sp_api`` (secrets redacted)."""
    if isinstance(exc, AuthorizationError):
        code = exc.status_code or 0
        kind = "server" if code >= 500 else "throttled" if code == 429 else "auth"
        return ApiError(kind, code or None, str(exc.error_code or ""), redact.redact(str(exc.message or "")))
    if isinstance(exc, MissingCredentials):
        return ApiError("auth", None, "missing_credentials", redact.redact(str(exc)))
    if isinstance(exc, SellingApiException):
        errors = exc.error if isinstance(getattr(exc, "error", None), list) else []
        first = errors[0] if errors and isinstance(errors[0], dict) else {}
        kind = next((k for cls, k in _BY_EXCEPTION if isinstance(exc, cls)), None)
        http = status or (exc.code if exc.code != 999 else None)
        if kind is None:
            kind = kind_for_status(http) if http and http >= 400 else "server"
        return ApiError(kind, http, first.get("code") or getattr(exc, "amzn_code", None),
                        redact.redact(str(first.get("message") or getattr(exc, "message", "") or "")),
                        redact.redact(str(first.get("details") or "")))
    if isinstance(exc, httpx.TransportError):
        return ApiError("network", None, type(exc).__name__, redact.redact(str(exc)))
    if isinstance(exc, (ValueError, KeyError)):   # unreadable answer (not JSON, unexpected shape)
        return ApiError("server", status, type(exc).__name__, redact.redact(str(exc)))
    raise exc


def invoke_once(client, invoke: Callable[[Any], Any]) -> tuple[Result, dict]:
    """Run ``invoke(client)`` once; the typed result and the response headers."""
    transport = getattr(client, "_transport", None)
    if isinstance(transport, RecordingTransport):
        transport.last_response = None     # never read a previous call's status (e.g. LWA failed first)
    try:
        response = invoke(client)
    except (AuthorizationError, MissingCredentials, SellingApiException, httpx.TransportError,
            ValueError, KeyError) as exc:
        return error_from_exception(exc, _status(client)), _headers(client)
    headers = _headers(client)
    status = _status(client) or 200
    payload = getattr(response, "payload", response)
    if status >= 400:   # an error answer without an "errors" body: sp_api returned it as a success
        return ApiError(kind_for_status(status), status, None, redact.redact(json.dumps(payload)[:300])), headers
    return Ok(payload, headers, status), headers


def call(cfg: SpApiConfig, operation: str, invoke: Callable[[Any], Any], *, api: type,
         version: str | None = None, policy: RetryPolicy = DEFAULT_POLICY,
         limiter: RateLimiter = LIMITER, max_wait: float = math.inf, also_limited_by: tuple[str, ...] = ()
         ) -> Result:
    """Call ``operation`` as ``invoke(client)`` under the rate limiter, retrying what may be retried.

    ``max_wait`` bounds the time spent waiting for the limiter on each attempt: beyond it the call
    fails as ``throttled`` without sending anything (the connection test uses a few seconds).
    ``also_limited_by`` names stricter plans that apply too (``createFeed:JSON_LISTINGS_FEED``).
    """
    try:
        client = client_for(api, cfg, version=version)
    except (MissingCredentials, ValueError, KeyError) as exc:
        return error_from_exception(exc)
    account = cfg.account_key
    started = time.monotonic()

    def once(_attempt: int) -> Result:
        # Waiting for the limiter counts in the call's time budget too.
        budget = min(max_wait, policy.max_total - (time.monotonic() - started))
        for plan in (*also_limited_by, operation):
            if not limiter.acquire(account, plan, max(0.0, budget)):
                return ApiError("throttled", None, "ClientRateLimit", f"{plan}: local quota exhausted")
        result, headers = invoke_once(client, invoke)
        if headers:
            limiter.observe(account, operation, headers)
        if not result.ok:
            if result.kind == "throttled":
                limiter.throttled(account, operation)
            log.info("%s attempt %d: %s (HTTP %s, %s)%s", operation, _attempt, result.kind, result.http_status,
                     result.amazon_code, " (retryable)" if result.retryable else "")
        return result

    return with_retries(once, policy)
