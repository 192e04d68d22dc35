"""Image checks (core.images): on the sample catalogue the defective files of data/images/manifest.csv are
flagged with the right codes and the clean ones are not, generated edge cases (too large, decompression
bomb, garbage, missing file), the per-URL cache, secondary images, and rows kept across a rules run."""
from __future__ import annotations

import csv
import io
import string
import struct
import zlib

import pytest
from PIL import Image

from core import db
from core import images as img_mod
from core.catalog.importer import import_file
from core.catalog.sample import SAMPLE_PATH
from core.db import DATA_DIR
from core.i18n import LANGUAGES, has_key, message
from core.images import (FORMATS, IMAGE_CHECKS, MIN_SIDE, SAMPLE_IMAGE_BASE, check_images, inspect_image,
                         mirror_resolver)
from core.rules.engine import validate
from core.rules.store import blocking_skus_sql
from tests.factories import make_products, product

MANIFEST = DATA_DIR / "images" / "manifest.csv"


def _manifest() -> dict[str, dict]:
    with MANIFEST.open(encoding="utf-8", newline="") as fh:
        return {r["file"]: r for r in csv.DictReader(fh, delimiter=";")}


def _expected_codes(entry: dict, main: bool) -> set[str]:
    """What the guide's "Images" table says about a manifest entry (independent of core.images' SQL)."""
    codes = set()
    if entry["format"] not in ("JPEG", "PNG", "TIFF", "GIF"):
        codes.add("IMAGE_FORMAT")
    if min(int(entry["width"]), int(entry["height"])) < 1000:
        codes.add("IMAGE_TOO_SMALL")
    if main and entry["background"] != "white":
        codes.add("IMAGE_NOT_WHITE")
    return codes


@pytest.fixture(scope="module")
def sample_con():
    con = db.connect(":memory:")
    import_file(con, SAMPLE_PATH)
    run = check_images(con)
    yield con, run
    con.close()


def _flags(con) -> set[tuple[str, str]]:
    return set(con.execute("SELECT sku, code FROM violations WHERE source = 'image'").fetchall())


def test_sample_defects_flagged_with_the_right_codes(sample_con):
    con, run = sample_con
    flags = _flags(con)
    # the deliberate defects of scripts/sample/defects.py, by SKU
    assert {("MAI-0034", "IMAGE_NOT_WHITE"), ("CUI-0025", "IMAGE_NOT_WHITE"), ("JOU-0016", "IMAGE_NOT_WHITE"),
            ("MAI-0015", "IMAGE_TOO_SMALL"), ("HTE-0037", "IMAGE_TOO_SMALL"), ("SPO-0025", "IMAGE_TOO_SMALL"),
            ("HTE-0029", "IMAGE_FORMAT")} <= flags
    # clean products (white main image ≥ 1000 px, TIFF secondary, lifestyle secondary) are not flagged
    assert not {sku for sku, _ in flags} & {"MAI-0014", "CUI-0010", "JAR-0013", "MAI-0001", "BEA-0025"}
    assert run.counts["ERROR"] == len(flags) and run.not_checked == 2   # ftp:// and a relative path


def test_sample_flags_match_the_manifest_exactly(sample_con):
    con, _ = sample_con
    manifest = _manifest()
    expected = set()
    for sku, url, pos in con.execute(
            "SELECT sku, url, pos FROM (SELECT sku, unnest(images) AS url, generate_subscripts(images, 1) AS pos "
            "FROM products) WHERE pos <= 9").fetchall():
        if url.startswith(SAMPLE_IMAGE_BASE):
            expected |= {(sku, c) for c in _expected_codes(manifest[url[len(SAMPLE_IMAGE_BASE):]], pos == 1)}
    assert expected and _flags(con) == expected


def test_measured_facts_match_the_manifest(sample_con):
    con, _ = sample_con
    facts = {u[len(SAMPLE_IMAGE_BASE):]: (ok, w, h, f, white) for u, ok, w, h, f, white in con.execute(
        "SELECT url, ok, width, height, format, white_border FROM image_checks").fetchall()}
    for file, entry in _manifest().items():
        if file in facts:
            ok, w, h, f, white = facts[file]
            assert (ok, w, h, f) == (True, int(entry["width"]), int(entry["height"]), entry["format"]), file
            assert white == (entry["background"] == "white"), file


def test_violation_rows_have_the_rule_columns(sample_con):
    con, _ = sample_con
    row = con.execute("SELECT source, field, amazon_attribute, severity, category, value, message, hint "
                      "FROM violations WHERE sku = 'MAI-0015' AND code = 'IMAGE_TOO_SMALL'").fetchone()
    assert row[:6] == ("image", "images", "main_product_image_locator", "ERROR", "INVALID_IMAGE",
                       SAMPLE_IMAGE_BASE + "maison-vase-500.jpg")
    assert "500×500" in row[6] and "1000" in row[6] and row[7] == message("images.IMAGE_TOO_SMALL.hint", "fr")
    # an image ERROR blocks the export like a rule ERROR
    assert "MAI-0015" in {r[0] for r in con.execute(blocking_skus_sql()).fetchall()}


# --- generated images -------------------------------------------------------------------------------

def _encode(image: Image.Image, fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt)
    return buf.getvalue()


def _png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` (1-bit grey) with a tiny IDAT: a bomb-ish file."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


WHITE = (255, 255, 255)
BLOBS = {
    "https://img.test/ok.png": _encode(Image.new("RGB", (1000, 1000), WHITE)),
    "https://img.test/wide.png": _encode(Image.new("RGB", (11000, 20), WHITE)),
    "https://img.test/bomb.png": _png_header(20000, 20000),          # above 2x the guard: Pillow's error
    "https://img.test/bomb-warn.png": _png_header(12000, 12000),     # above the guard: warning made an error
    "https://img.test/garbage.jpg": b"not an image at all",
    "https://img.test/small.jpg": _encode(Image.new("RGB", (300, 300), WHITE), "JPEG"),
    "https://img.test/grey.png": _encode(Image.new("RGB", (1000, 1000), (240, 240, 240))),
}


class CountingResolver:
    """In-memory resolver counting the images it hands out (one per file read)."""

    def __init__(self, blobs: dict[str, bytes]):
        self.blobs, self.calls = blobs, []

    def __call__(self, url: str):
        self.calls.append(url)
        return self.blobs.get(url)


def _checked(con, images: list[list[str]], **kwargs):
    make_products(con, [product(sku=f"P{i}", images=urls) for i, urls in enumerate(images)])
    resolver = CountingResolver(BLOBS)
    run = check_images(con, resolver=resolver, **kwargs)
    rows = con.execute("SELECT sku, code, severity, amazon_attribute FROM violations WHERE source = 'image'").fetchall()
    return run, {(s, c, sev, a) for s, c, sev, a in rows}, resolver


def test_too_large_unreadable_and_bombs_do_not_crash(con):
    urls = ["https://img.test/wide.png", "https://img.test/bomb.png", "https://img.test/bomb-warn.png",
            "https://img.test/garbage.jpg", "https://img.test/ok.png"]
    _, rows, _ = _checked(con, [[u] for u in urls])
    main = "main_product_image_locator"
    # 11000 x 20: wider than 10 000 px AND thinner than 1000 px, both reported
    assert rows == {("P0", "IMAGE_TOO_LARGE", "ERROR", main), ("P0", "IMAGE_TOO_SMALL", "ERROR", main), ("P1", "IMAGE_UNREADABLE", "ERROR", main),
                    ("P2", "IMAGE_UNREADABLE", "ERROR", main), ("P3", "IMAGE_UNREADABLE", "ERROR", main)}
    errors = dict(con.execute("SELECT url, error FROM image_checks WHERE NOT ok").fetchall())
    assert "decompression bomb" in errors["https://img.test/bomb.png"]
    assert "decompression bomb" in errors["https://img.test/bomb-warn.png"]


def test_inspect_image_reads_paths_and_reports_missing_files(tmp_path):
    path = tmp_path / "a.gif"
    Image.new("RGB", (1200, 1000), WHITE).save(path, "GIF")
    assert inspect_image(path) == img_mod.ImageFacts(True, 1200, 1000, "GIF", True)
    missing = inspect_image(tmp_path / "nope.png")
    assert not missing.ok and missing.error == "file not found"
    # a dark frame one pixel inside the 2 % border is enough to fail the white background
    framed = Image.new("RGB", (1000, 1000), WHITE)
    framed.paste((200, 200, 200), (0, 0, 1000, 5))
    assert inspect_image(_encode(framed)).white_border is False


def test_secondary_images_are_warnings_and_background_is_main_only(con):
    _, rows, _ = _checked(con, [["https://img.test/ok.png", "https://img.test/grey.png", "https://img.test/small.jpg"],
                                ["https://img.test/grey.png"]])
    assert rows == {("P0", "IMAGE_TOO_SMALL", "WARNING", "other_product_image_locator_2"),
                    ("P1", "IMAGE_NOT_WHITE", "ERROR", "main_product_image_locator")}


def test_second_run_opens_no_file(con, monkeypatch):
    opened = []
    real_open = Image.open
    monkeypatch.setattr(Image, "open", lambda fp, *a, **k: (opened.append(fp), real_open(fp, *a, **k))[1])
    urls = [["https://img.test/ok.png", "https://img.test/small.jpg"], ["https://img.test/ok.png"]]
    first, rows1, res1 = _checked(con, urls)
    assert (first.opened, first.cached, len(opened), len(res1.calls)) == (2, 0, 2, 2)   # shared URL read once
    opened.clear()
    second, rows2, res2 = _checked(con, urls)
    assert (second.opened, second.cached, opened, res2.calls) == (0, 2, [], [])
    assert rows2 == rows1
    # refresh reads them again
    third = check_images(con, resolver=CountingResolver(BLOBS), refresh=True)
    assert third.opened == 2 and len(opened) == 2


def test_unmapped_urls_are_not_checked_nor_cached(con):
    run, rows, _ = _checked(con, [["https://elsewhere.test/x.jpg"]])
    assert (run.not_checked, run.opened, rows) == (1, 0, set())
    assert con.execute("SELECT count(*) FROM image_checks").fetchone()[0] == 0


def test_rules_rerun_keeps_image_rows_and_their_category(con):
    make_products(con, [product(sku="IMG-ONLY", images=["https://img.test/small.jpg"], category="Jardin")])
    check_images(con, resolver=CountingResolver(BLOBS))
    validate(con, None, "fr")
    assert ("IMG-ONLY", "IMAGE_TOO_SMALL") in set(
        con.execute("SELECT sku, code FROM violations WHERE source = 'image'").fetchall())
    # the Qualité filters (category, supplier) read violation_products, rebuilt by each rules run
    assert con.execute("SELECT category FROM violation_products WHERE sku = 'IMG-ONLY'").fetchone() == ("Jardin",)
    # and a new image run replaces the old image rows instead of piling them up
    check_images(con, resolver=CountingResolver(BLOBS))
    assert con.execute("SELECT count(*) FROM violations WHERE source = 'image'").fetchone()[0] == 1


def test_selection_limits_the_images_checked(con):
    from core.selection import Selection
    make_products(con, [product(sku="A", images=["https://img.test/small.jpg"], category="Jardin"),
                        product(sku="B", images=["https://img.test/grey.png"], category="Maison")])
    run = check_images(con, Selection(name="jardin", categories=("Jardin",)), resolver=CountingResolver(BLOBS))
    assert run.urls == 1 and _flags(con) == {("A", "IMAGE_TOO_SMALL")}


def test_english_messages(con):
    make_products(con, [product(sku="EN", images=["https://img.test/small.jpg"])])
    check_images(con, resolver=CountingResolver(BLOBS), lang="en")
    msg = con.execute("SELECT message FROM violations WHERE source = 'image'").fetchone()[0]
    assert msg.startswith("Image of 300×300 px, minimum 1000×1000 px")


# --- the table of checks and its texts ----------------------------------------------------------------

def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


@pytest.mark.parametrize("check", IMAGE_CHECKS, ids=[c.code for c in IMAGE_CHECKS])
def test_image_check_entry_is_complete(check):
    assert check.code.startswith("IMAGE_") and check.code.isupper()
    assert check.main_severity == "ERROR" and check.secondary_severity in ("WARNING", None)
    for lang in LANGUAGES:
        for key in (check.message_key, check.hint_key, check.label_key):
            assert has_key(key, lang), f"{key} missing in {lang}"
        for key in (check.message_key, check.hint_key):
            assert _fields(message(key, lang)) <= set(check.params) | {"value"}, key


def test_codes_unique_and_limits_follow_the_guide():
    codes = [c.code for c in IMAGE_CHECKS]
    assert len(codes) == len(set(codes)) == 5
    assert FORMATS == ("JPEG", "PNG", "TIFF", "GIF") and MIN_SIDE == 1000


def test_sample_prefix_and_mirror_resolver(tmp_path):
    from scripts.sample.images import SAMPLE_IMAGE_BASE as generator_base
    assert SAMPLE_IMAGE_BASE == generator_base
    resolve = mirror_resolver({"https://cdn.test/img/": tmp_path})
    assert resolve("https://cdn.test/img/a.png?v=2") == (tmp_path / "a.png").resolve()
    assert resolve("https://cdn.test/img/../../etc/passwd") is None        # never leaves the folder
    assert resolve("https://other.test/a.png") is None
    assert mirror_resolver()(SAMPLE_IMAGE_BASE + "maison-lampe.png").is_file()
