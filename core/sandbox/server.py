"""The local SP-API sandbox: a real HTTP server on 127.0.0.1 that the unmodified ``sp_api`` client talks to.

``start()`` runs it in a background thread (dashboard demo mode, tests); ``python -m core.sandbox`` runs
it in the foreground. The wire (routing, handler) is in ``wire.py``, the handlers' context in ``context.py``.
"""
from __future__ import annotations

import threading
import time
from pathlib import Path

from core import db
from core.sandbox import feed_processing
from core.sandbox.accounts import Account, AccountBook
from core.sandbox.catalog import Catalog
from core.sandbox.context import SandboxContext
from core.sandbox.faults import FaultInjector, Faults
from core.sandbox.feeds import FeedTiming
from core.sandbox.lwa import Lwa
from core.sandbox.ratelimits import TokenBuckets
from core.sandbox.store import Store
from core.sandbox.wire import ROUTES, _Handler, _Server

__all__ = ["ROUTES", "SandboxServer", "create", "start", "default_state_dir"]


def default_state_dir() -> Path:
    """``<runtime dir>/sandbox``: where the sandbox keeps its state by default."""
    return db.runtime_dir() / "sandbox"


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
        """Serve in the calling thread until ``stop()`` (the CLI's foreground mode)."""
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
