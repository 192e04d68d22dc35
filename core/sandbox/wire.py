"""The sandbox on the wire: the HTTP handler, routing of SP-API requests, admin routes.

Each SP-API request goes: route on the raw path -> access token -> role -> fault injection -> token
bucket -> handler; every answer carries ``x-amzn-RequestId`` and ``x-amzn-RateLimit-Limit``, and every
error is ``{"errors":[…]}`` (reference §0). Admin routes (not Amazon's): ``GET /_sandbox/health`` -> ``ok``,
``GET|POST /_sandbox/faults``, ``PUT /_sandbox/uploads/<id>`` (feed upload URL), ``GET /_sandbox/documents/<id>``
(report download), ``GET /_sandbox/schemas/<file>`` (product type schemas).
"""
from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

from core.sandbox import catalog, feeds, listings, product_types, sellers
from core.sandbox.context import SandboxContext
from core.sandbox.faults import DROP, ERROR_500, ERROR_503, THROTTLE
from core.sandbox.ratelimits import LIMITS_BY_OPERATION
from core.sandbox.routing import Request, Response, Route, errors, parse_query

ROUTES: tuple[Route, ...] = sellers.ROUTES + listings.ROUTES + catalog.ROUTES + feeds.ROUTES + product_types.ROUTES
# Bodies are read whole into memory: cap them (feed documents should stay under 10 MiB, reference §f).
MAX_BODY_BYTES = 50 * 1024 * 1024


def _limit_key(route: Route, req: Request) -> str:
    variant = f"{route.operation}:{req.one('mode')}"
    return variant if variant in LIMITS_BY_OPERATION else route.operation


def dispatch(ctx: SandboxContext, method: str, raw_path: str, req: Request) -> Response | str:
    """Answer one SP-API request (or return DROP when the connection must be closed unanswered)."""
    for route in ROUTES:
        params = route.match(method, raw_path)
        if params is None:
            continue
        req.params = params
        if ctx.recorded is not None:
            try:
                body = req.json()
            except ValueError:
                body = req.body
            ctx.recorded.append({"operation": route.operation, "method": method, "path": raw_path,
                                 "query": req.query, "body": body})
        account = ctx.lwa.account_for_token(req.headers.get("x-amz-access-token"))
        if account is None:
            return errors(403, "Unauthorized", "Access to requested resource is denied.",
                          "The access token you provided is revoked, malformed or invalid.")
        if not account.roles or (route.role and route.role not in account.roles):
            return errors(403, "Unauthorized", "Access to requested resource is denied.", "")
        req.account = account
        fault = ctx.faults.draw()
        latency = ctx.faults.faults.latency_ms
        if latency:
            time.sleep(latency / 1000.0)
        key = _limit_key(route, req)
        if fault == DROP:
            return DROP
        if fault == ERROR_500:
            return errors(500, "InternalFailure", "We encountered an internal error. Please try again.", "")
        if fault == ERROR_503:
            return errors(503, "ServiceUnavailable", "Service temporarily unavailable. Please try again.", "")
        if fault == THROTTLE or ctx.throttled(key, req):
            return ctx.quota_exceeded(key)
        response = route.handler(ctx, req)
        response.headers.setdefault("x-amzn-RateLimit-Limit", LIMITS_BY_OPERATION[key].header)
        return response
    known_path = any(r.match(r.method, raw_path) is not None for r in ROUTES)
    if known_path:
        return errors(405, "MethodNotAllowed", f"Method {method} is not allowed on this resource.", "")
    return errors(404, "NotFound", "Resource not found.", f"No SP-API operation at {raw_path}")


def _admin(ctx: SandboxContext, method: str, path: str, handler) -> Response | None:
    """The sandbox's own routes; None when the path is not one of them."""
    if path == "/_sandbox/health" and method == "GET":
        return Response(200, "ok", content_type="text/plain; charset=utf-8")
    if path == "/_sandbox/faults":
        if method == "POST":
            try:
                ctx.faults.update(**json.loads(handler.body.decode("utf-8") or "{}"))
            except (ValueError, TypeError) as exc:
                return errors(400, "InvalidInput", "Invalid faults", str(exc))
        return Response(200, ctx.faults.as_dict())
    if path.startswith("/_sandbox/uploads/") and method == "PUT":
        return feeds.upload(ctx, unquote(path.rsplit("/", 1)[1]), handler.headers.get("Content-Type", ""), handler.body)
    if path.startswith("/_sandbox/documents/") and method == "GET":
        return feeds.download(ctx, unquote(path.rsplit("/", 1)[1]))
    if path.startswith("/_sandbox/schemas/") and method == "GET":
        try:
            return Response(200, product_types.schema_bytes(unquote(path.rsplit("/", 1)[1])), content_type="application/json")
        except KeyError:
            return Response(404, "not found", content_type="text/plain")
    return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"   # keep-alive, as sp_api's httpx client expects
    server_version = "Server"
    sys_version = ""
    ctx: SandboxContext              # set on the per-server subclass

    def setup(self):
        super().setup()
        # Headers and body go out in two writes: without NODELAY, Nagle + delayed ACK cost 40 ms a request.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self):
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        try:
            super().finish()
        except OSError:
            pass

    def log_message(self, format, *args):  # noqa: A002 - silence per-request stderr lines
        pass

    def _serve(self):
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY_BYTES:
            self.close_connection = True   # the body is not read: the connection cannot be reused
            return self._send(errors(413 if length > 0 else 400, "RequestEntityTooLarge" if length > 0 else "InvalidInput",
                                     "The request body is too large." if length > 0 else "Invalid Content-Length.", ""))
        self.body = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        raw_path, method = split.path, self.command
        ctx = self.ctx
        if raw_path == "/auth/o2/token" and method == "POST":
            status, body = ctx.lwa.exchange(self.body)
            return self._send(Response(status, body))
        response = _admin(ctx, method, raw_path, self)
        if response is None:
            req = Request(method, raw_path, {}, parse_query(split.query), self.body,
                          {k.lower(): v for k, v in self.headers.items()}, base_url=ctx.base_url)
            response = dispatch(ctx, method, raw_path, req)
            if response == DROP:
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return None
            response.headers.setdefault("x-amzn-RequestId", str(uuid.uuid4()))
        return self._send(response)

    def _send(self, response: Response):
        body = response.body
        if isinstance(body, (dict, list)):
            data = json.dumps(body).encode("utf-8")
        elif isinstance(body, str):
            data = body.encode("utf-8")
        else:
            data = body or b""
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, val in response.headers.items():
            self.send_header(key, val)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _safe_serve(self):
        try:
            self._serve()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as exc:  # noqa: BLE001 - a bug must answer 500 in Amazon's shape, not hang the client
            self._send(errors(500, "InternalFailure", "We encountered an internal error. Please try again.",
                              type(exc).__name__))

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _safe_serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, *args, **kwargs):
        self.connections: set[socket.socket] = set()   # open keep-alive connections, closed on stop()
        self.connections_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def close_connections(self) -> None:
        """Cut every open keep-alive connection, as a stopped process would."""
        with self.connections_lock:
            open_now = list(self.connections)
        for conn in open_now:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
