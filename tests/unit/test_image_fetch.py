"""Downloading images over http for the pixel checks (core.image_fetch), against a real HTTP server on
127.0.0.1 serving the sample's image files: bytes of a good file, the server's refusals as reasons
(404, too big, empty), unreachable hosts as "not checked", and the check of a catalogue whose image
URLs are only reachable over http."""
from __future__ import annotations

import http.server
import shutil
import threading
import time
from functools import partial

import pytest

from core import image_fetch
from core.db import DATA_DIR
from core.image_fetch import FetchFailure, chain, fetch, http_resolver, resolve_all
from core.images import check_images, inspect_image
from tests.factories import make_products, product

IMAGES = DATA_DIR / "images"


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass

    def do_GET(self):  # noqa: N802 - http.server's naming
        if self.path == "/slow.jpg":
            time.sleep(2)
        if self.path == "/empty.jpg":
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path == "/moved.jpg":
            self.send_response(302)
            self.send_header("Location", "/images/bijoux-bague.png")
            self.end_headers()
            return
        super().do_GET()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("cdn")
    shutil.copytree(IMAGES, root / "images")
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_Handler, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_a_served_image_comes_back_as_its_bytes(server):
    data = fetch(f"{server}/images/bijoux-bague.png")
    assert data == (IMAGES / "bijoux-bague.png").read_bytes()
    assert fetch(f"{server}/moved.jpg") == data          # redirects within http are followed


def test_server_refusals_are_reasons_not_silence(server):
    assert fetch(f"{server}/images/nope.jpg") == FetchFailure("HTTP 404")
    assert fetch(f"{server}/empty.jpg") == FetchFailure("empty file")
    big = fetch(f"{server}/images/bijoux-bague.png", max_bytes=100)
    assert isinstance(big, FetchFailure) and "too big" in big.reason


def test_unreachable_or_not_http_is_not_checked(server):
    assert fetch(f"{server}/slow.jpg", timeout=0.3) is None                  # timeout: this machine's problem
    assert fetch("http://127.0.0.1:9/x.jpg", timeout=1) is None              # nothing listens on port 9
    assert fetch("file:///etc/passwd") is None and fetch("ftp://example.com/a.jpg") is None


def test_chain_tries_each_resolver_and_resolve_all_keeps_every_url(server):
    urls = [f"{server}/images/{name}" for name in ("bijoux-bague.png", "beaute-pot.jpg", "absent.png")]
    never = chain(lambda _u: None, http_resolver())
    got = resolve_all(never, urls, workers=3)
    assert list(got) == urls
    assert got[urls[0]] == (IMAGES / "bijoux-bague.png").read_bytes()
    assert got[urls[2]] == FetchFailure("HTTP 404")
    facts = resolve_all(http_resolver(), urls[:2], handle=lambda _u, data: inspect_image(data))
    assert all(f.ok for f in facts.values())


def test_check_images_over_http_flags_missing_and_small_images(server, con):
    good, small, missing = (f"{server}/images/{n}" for n in ("bijoux-bague.png", "nope-small.png", "gone.png"))
    # find a sample file under 1000 px to be the "small" one, from the pixels themselves
    small_name = next(p.name for p in sorted(IMAGES.iterdir()) if p.suffix in (".png", ".jpg")
                      and inspect_image(p).ok and min(inspect_image(p).width, inspect_image(p).height) < 1000)
    small = f"{server}/images/{small_name}"
    make_products(con, [product(sku="A", images=[good]), product(sku="B", images=[small]),
                        product(sku="C", images=[missing]), product(sku="D", images=["http://127.0.0.1:9/x.jpg"])])
    run = check_images(con, resolver=chain(http_resolver(timeout=1)))
    flags = set(con.execute("SELECT sku, code FROM violations WHERE source = 'image'").fetchall())
    assert ("B", "IMAGE_TOO_SMALL") in flags
    assert ("C", "IMAGE_UNREADABLE") in flags
    assert not any(sku in ("A", "D") for sku, _ in flags)
    assert run.not_checked == 1 and run.opened == 3
    reason = con.execute("SELECT error FROM image_checks WHERE url = ?", [missing]).fetchone()[0]
    assert reason == "HTTP 404"


def test_limits_are_sane():
    assert image_fetch.MAX_BYTES >= 10 * 1024 * 1024   # Amazon accepts files up to 10 MB
    assert 1 <= image_fetch.WORKERS <= 16


def test_a_run_reads_at_most_its_limit_and_the_next_goes_on(server, con):
    urls = [f"{server}/images/{n}" for n in ("bijoux-bague.png", "beaute-pot.jpg", "bijoux-collier.png")]
    make_products(con, [product(sku=f"S{i}", images=[u]) for i, u in enumerate(urls)])
    first = check_images(con, resolver=http_resolver(), limit=2)
    assert (first.opened, first.remaining) == (2, 1)
    second = check_images(con, resolver=http_resolver(), limit=2)
    assert (second.opened, second.cached, second.remaining) == (1, 2, 0)
