"""Typed outcomes of SP-API calls: ``Ok`` or ``ApiError`` — callers never see an ``sp_api`` exception.

``ApiError.kind`` is a stable code (see :data:`ERROR_KINDS`); the page explains it with the message
``spapi.error.<kind>``. ``retryable`` says whether the retry loop may try again.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

# kind -> retried by the client? (429, 5xx and network failures are; any other 4xx never is)
ERROR_KINDS: dict[str, bool] = {
    "throttled": True,      # HTTP 429 QuotaExceeded (or our own limiter refusing to wait that long)
    "server": True,         # HTTP 5xx
    "network": True,        # connection refused, reset, timeout
    "auth": False,          # Login with Amazon refused the client id/secret or the refresh token
    "unauthorized": False,  # HTTP 401
    "forbidden": False,     # HTTP 403: token revoked or role/authorisation missing
    "not_found": False,     # HTTP 404
    "invalid": False,       # HTTP 400, 409, 413, 415 and any other 4xx
}


@dataclass(frozen=True)
class Ok:
    """A successful answer: the JSON payload and the response headers."""
    payload: Any
    headers: Mapping[str, str] = field(default_factory=dict)
    http_status: int = 200
    attempts: int = 1
    ok = True


@dataclass(frozen=True)
class ApiError:
    """A failed call, whatever failed: Amazon, Login with Amazon or the network."""
    kind: str
    http_status: int | None = None
    amazon_code: str | None = None
    message: str = ""
    details: str = ""
    attempts: int = 1
    ok = False

    def __post_init__(self):
        if self.kind not in ERROR_KINDS:
            raise ValueError(f"unknown error kind {self.kind!r}")

    @property
    def retryable(self) -> bool:
        """True for throttling, server and network failures."""
        return ERROR_KINDS[self.kind]


Result = Ok | ApiError


def kind_for_status(status: int) -> str:
    """The error kind of an HTTP status (>= 400)."""
    if status == 429:
        return "throttled"
    if status >= 500:
        return "server"
    return {401: "unauthorized", 403: "forbidden", 404: "not_found"}.get(status, "invalid")
