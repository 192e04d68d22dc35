"""The local SP-API sandbox: a real HTTP server on 127.0.0.1 that the unmodified ``sp_api`` client talks to.

``start()`` runs it in a background thread (dashboard demo mode, tests); ``python -m core.sandbox`` runs
it in the foreground. Each SP-API request goes: route on the raw path -> access token -> role -> fault
injection -> token bucket -> handler; every answer carries ``x-amzn-RequestId`` and
``x-amzn-RateLimit-Limit``, and every error is ``{"errors":[…]}`` (reference §0).
Admin routes (not Amazon's): ``GET /_sandbox/health`` -> ``ok``, ``GET|POST /_sandbox/faults``,
``PUT /_sandbox/uploads/<id>`` (feed upload URL), ``GET /_sandbox/documents/<id>`` (report download),
``GET /_sandbox/schemas/<file>`` (product type schemas).
"""
from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from core import db
from core.sandbox import catalog, feed_processing, feeds, listings, product_types, sellers
from core.sandbox.accounts import Account, AccountBook
from core.sandbox.catalog import Catalog
from core.sandbox.faults import DROP, ERROR_500, ERROR_503, THROTTLE, FaultInjector, Faults
from core.sandbox.feeds import FeedTiming
from core.sandbox.lwa import Lwa
from core.sandbox.ratelimits import LIMITS_BY_OPERATION, TokenBuckets
from core.sandbox.routing import Request, Response, Route, errors, parse_query
from core.sandbox.store import Store

ROUTES: tuple[Route, ...] = sellers.ROUTES + listings.ROUTES + catalog.ROUTES + feeds.ROUTES + product_types.ROUTES
QUOTA_MESSAGE = "You exceeded your quota for the requested resource."
# Bodies are read whole into memory: cap them (feed documents should stay under 10 MiB, reference §f).
MAX_BODY_BYTES = 50 * 1024 * 1024


def default_state_dir() -> Path:
    return db.runtime_dir() / "sandbox"


@dataclass
class SandboxContext:
    """Everything a handler may use: state, catalogue, accounts, limits, settings."""

    store: Store
    catalog: Catalog
    book: AccountBook
    lwa: Lwa
    buckets: TokenBuckets
    faults: FaultInjector
    rate_limits: bool
    feed_timing: FeedTiming
    gzip_reports: bool
    base_url: str = ""
    recorded: list | None = None   # when a list, every SP-API request is appended (tests check them against the models)

    def __post_init__(self):
        self.product_type_names = set(product_types.BY_NAME)
        self.feed_lock = threading.Lock()

    def throttled(self, operation: str, req: Request) -> bool:
        """True when the operation's bucket for this account is empty (always False with limits off)."""
        return self.rate_limits and not self.buckets.take(operation, req.account.seller_id + "|" + req.account.client_id)

    def quota_exceeded(self, operation: str) -> Response:
        response = errors(429, "QuotaExceeded", QUOTA_MESSAGE, "")
        response.headers["x-amzn-RateLimit-Limit"] = LIMITS_BY_OPERATION[operation].header
        return response


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


class SandboxServer:
    """A running sandbox: ``url``, ``port``, ``set_faults(...)``, ``stop()``."""

    def __init__(self, httpd: _Server, ctx: SandboxContext, thread: threading.Thread | None):
        self._httpd, self.ctx, self._thread = httpd, ctx, thread
        self.host, self.port = httpd.server_address[0], httpd.server_address[1]
        self.url = f"http://{self.host}:{self.port}"
        self.state_dir = ctx.store.path.parent
        self._stopping = threading.Event()
        self._worker = threading.Thread(target=self._process_feeds, name=f"sp-api-sandbox-feeds:{self.port}", daemon=True)
        self._worker.start()

    def _process_feeds(self) -> None:
        while not self._stopping.wait(0.05):
            try:
                feed_processing.finish_due_feeds(self.ctx)
            except Exception:  # noqa: BLE001 - keep the worker alive; the feed stays IN_PROGRESS and is retried
                time.sleep(1.0)

    @property
    def recorded(self) -> list[dict]:
        """SP-API requests received so far (only with ``record_requests=True``)."""
        return self.ctx.recorded if self.ctx.recorded is not None else []

    def set_faults(self, **changes) -> Faults:
        """Change fault injection at run time (latency_ms, error_rate, drop_rate, throttle_rate)."""
        return self.ctx.faults.update(**changes)

    def serve_forever(self) -> None:
        self._httpd.serve_forever(poll_interval=0.05)

    def stop(self) -> None:
        """Stop serving, close the socket and the state file (state stays on disk)."""
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._httpd.close_connections()
        self._worker.join(timeout=30)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.ctx.store.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def create(port: int = 0, state_dir: Path | None = None, *, rate_limits: bool = True, faults: Faults | None = None,
           host: str = "127.0.0.1", accounts: list[Account] | None = None, catalog_seed: Path | list | None = None,
           feed_timing: FeedTiming | None = None, gzip_reports: bool = False, fault_seed: int | None = None,
           record_requests: bool = False) -> SandboxServer:
    """Build a sandbox bound to ``host:port`` (0 = a free port) without starting its thread."""
    store = Store(Path(state_dir) if state_dir else default_state_dir())
    book = AccountBook(accounts)
    ctx = SandboxContext(store=store, catalog=Catalog.load(catalog_seed), book=book, lwa=Lwa(book),
                         buckets=TokenBuckets(), faults=FaultInjector(faults, seed=fault_seed), rate_limits=rate_limits,
                         feed_timing=feed_timing or FeedTiming(), gzip_reports=gzip_reports,
                         recorded=[] if record_requests else None)
    handler = type("SandboxHandler", (_Handler,), {"ctx": ctx})
    try:
        httpd = _Server((host, port), handler)
    except OSError:
        store.close()
        raise
    server = SandboxServer(httpd, ctx, None)
    ctx.base_url = server.url
    return server


def start(port: int = 0, state_dir: Path | None = None, *, rate_limits: bool = True, faults: Faults | None = None,
          host: str = "127.0.0.1", accounts: list[Account] | None = None, catalog_seed: Path | list | None = None,
          feed_timing: FeedTiming | None = None, gzip_reports: bool = False, fault_seed: int | None = None,
          record_requests: bool = False) -> SandboxServer:
    """Start a sandbox in a background thread and return it once it accepts connections.

    ``state_dir`` defaults to ``core.db.runtime_dir()/"sandbox"``; ``catalog_seed`` (a path or a list of
    items) defaults to ``data/sandbox/catalog_seed.json``; ``accounts`` are added beside the built-in ones;
    ``record_requests`` keeps every SP-API request in ``server.recorded`` (tests of what the app sends).
    """
    server = create(port, state_dir, rate_limits=rate_limits, faults=faults, host=host, accounts=accounts,
                    catalog_seed=catalog_seed, feed_timing=feed_timing, gzip_reports=gzip_reports, fault_seed=fault_seed,
                    record_requests=record_requests)
    thread = threading.Thread(target=server.serve_forever, name=f"sp-api-sandbox:{server.port}", daemon=True)
    server._thread = thread
    thread.start()
    return server
