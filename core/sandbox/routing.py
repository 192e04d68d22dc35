"""Requests, responses and the route table shape shared by the API modules.

Routing is done on the RAW path, segment by segment, each segment percent-decoded only after matching:
sp_api sends a SKU ``a/b`` as ``a%2Fb`` (reference §0) and it must stay one segment.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import parse_qs, unquote

from core.sandbox.accounts import Account


@dataclass
class Request:
    """One SP-API request as the handlers see it (path parameters decoded, query kept raw)."""
    method: str
    path: str
    params: dict[str, str]              # decoded path parameters
    query: dict[str, list[str]]         # repeated keys kept
    body: bytes
    headers: dict[str, str]
    account: Account | None = None
    base_url: str = ""

    def list(self, name: str) -> list[str]:
        """A list query parameter sent either comma-joined (the models' csv) or as repeated keys (sp_api)."""
        values: list[str] = []
        for raw in self.query.get(name, []):
            values.extend(v for v in raw.split(","))
        return values

    def one(self, name: str, default: str | None = None) -> str | None:
        """The first value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else default

    def json(self):
        """The JSON body (None when empty); raises ValueError on malformed JSON."""
        if not self.body.strip():
            return None
        return json.loads(self.body.decode("utf-8"))


@dataclass
class Response:
    """What a handler answers; the wire turns it into HTTP."""
    status: int
    body: object = None                 # dict/list -> JSON; bytes -> raw; str -> text/plain
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"


def errors(status: int, code: str, message: str, details: str | None = "") -> Response:
    """Amazon's one error shape: ``{"errors":[{code, message, details}]}`` (sp_api needs the key)."""
    error = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    return Response(status, {"errors": [error]})


def bad_request(details: str = "Invalid input") -> Response:
    """The Listings/PTD static-sandbox 400 body."""
    return errors(400, "BAD_REQUEST", "Invalid input", details)


def invalid_input(message: str = "Invalid Input", details: str | None = None) -> Response:
    """The Catalog/Sellers 400 body (code InvalidInput)."""
    return errors(400, "InvalidInput", message, details)


@dataclass(frozen=True)
class Route:
    """One SP-API operation: method, path template, operationId, handler, role needed."""
    method: str
    pattern: str           # e.g. /listings/2021-08-01/items/{sellerId}/{sku}
    operation: str         # Amazon's operationId; also the rate-limit key
    handler: Callable      # (ctx, Request) -> Response
    role: str | None = None  # role the app needs (None: any authorised app)

    def match(self, method: str, raw_path: str) -> dict[str, str] | None:
        """The decoded path parameters when ``method raw_path`` is this route, else None."""
        if method != self.method:
            return None
        want = self.pattern.strip("/").split("/")
        got = raw_path.strip("/").split("/")
        if len(want) != len(got):
            return None
        params = {}
        for w, g in zip(want, got):
            if w.startswith("{"):
                params[w[1:-1]] = unquote(g)
            elif w != g:
                return None
        return params


def parse_query(raw_query: str) -> dict[str, list[str]]:
    """Query string to a dict of value lists (repeated keys kept, blanks kept)."""
    return parse_qs(raw_query, keep_blank_values=True)
