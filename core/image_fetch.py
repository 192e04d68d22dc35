"""Reading product images over http(s) for the pixel checks of :mod:`core.images`.

A catalogue's images live on the seller's CDN; Amazon downloads them from there, so the checks must
see the same bytes. :func:`http_resolver` turns a URL into the image's bytes, or into the reason it
cannot be read — the reason an Amazon fetch would fail too (HTTP 404, not an image, too big) — or
into ``None`` when *this machine* cannot tell (no network, DNS, timeout): such an image is counted as
not checked, never reported as a bad image.

Safety: only ``http``/``https`` URLs; redirects are followed by urllib only to http(s); at most
:data:`MAX_BYTES` are read (Amazon refuses bigger files anyway); one timeout per request. The
downloads of one run go through a small thread pool (:func:`resolve_all`): I/O-bound work, one
request per distinct URL, never per catalogue row.
"""
from __future__ import annotations

import socket
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Union

MAX_BYTES = 25 * 1024 * 1024       # larger files are refused before decoding (and by Amazon's 10 MB limit)
TIMEOUT_S = 10.0
WORKERS = 8                        # parallel downloads of one run
USER_AGENT = "ExportAmazon-ImageCheck/1.0"


@dataclass(frozen=True)
class FetchFailure:
    """The server answered, but not with an image Amazon could use: the reason, shown to the user."""
    reason: str


Fetched = Union[Path, bytes, FetchFailure, None]


def fetch(url: str, *, timeout: float = TIMEOUT_S, max_bytes: int = MAX_BYTES) -> Fetched:
    """Bytes of the image at ``url``; a :class:`FetchFailure` when the server refuses it or sends
    something unusable; ``None`` when it could not be reached from here (network, DNS, timeout)."""
    if not url.lower().startswith(("http://", "https://")):
        return None
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "image/*"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - scheme checked above
            if not response.geturl().lower().startswith(("http://", "https://")):
                return FetchFailure("redirect outside http(s)")
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                return FetchFailure(f"file too big ({int(length) // (1024 * 1024)} MB)")
            data = response.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        return FetchFailure(f"HTTP {exc.code}")
    except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, OSError):
        return None     # unreachable from this machine: not the image's fault
    if len(data) > max_bytes:
        return FetchFailure(f"file too big (> {max_bytes // (1024 * 1024)} MB)")
    if not data:
        return FetchFailure("empty file")
    return data


def http_resolver(*, timeout: float = TIMEOUT_S, max_bytes: int = MAX_BYTES) -> Callable[[str], Fetched]:
    """Resolver (see :mod:`core.images`) downloading http(s) URLs with :func:`fetch`."""
    def resolve(url: str) -> Fetched:
        return fetch(url, timeout=timeout, max_bytes=max_bytes)
    return resolve


def chain(*resolvers: Callable[[str], Fetched]) -> Callable[[str], Fetched]:
    """Resolver trying each of ``resolvers`` in turn (e.g. a local mirror first, then the network)."""
    def resolve(url: str) -> Fetched:
        for resolver in resolvers:
            found = resolver(url)
            if found is not None:
                return found
        return None
    return resolve


def resolve_all(resolver: Callable[[str], Fetched], urls: Iterable[str], workers: int = WORKERS,
                handle: Callable[[str, Fetched], object] | None = None) -> dict[str, object]:
    """``{url: handle(url, resolver(url))}`` for every URL, ``workers`` at a time (``handle`` runs in
    the pool too, so decoding overlaps the downloads; default: the resolved value itself)."""
    handle = handle or (lambda _url, found: found)
    urls = list(urls)
    if not urls:
        return {}
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(urls)))) as pool:
        return dict(zip(urls, pool.map(lambda u: handle(u, resolver(u)), urls)))


__all__ = ["FetchFailure", "Fetched", "MAX_BYTES", "TIMEOUT_S", "WORKERS", "chain", "fetch", "http_resolver",
           "resolve_all"]
