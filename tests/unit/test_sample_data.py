"""The sample data of data/: realistic, with every deliberate defect present, images as claimed, a
sandbox seed that matches the catalogue, and reproducible byte for byte by scripts/make_sample.py.

Defects are detected here from the files themselves (own GS1 arithmetic, own regexes, Pillow on the
pixels), never read from the generator's labels.
"""
from __future__ import annotations

import csv
import html
import importlib
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image

from core.db import DATA_DIR
from core.marketplaces import MARKETPLACES

CSV_PATH = DATA_DIR / "sample_catalogue.csv"
IMAGES_DIR = DATA_DIR / "images"
SEED_PATH = DATA_DIR / "sandbox" / "catalog_seed.json"
HEADER = ["sku", "title", "description", "price", "stock_quantity", "images", "brand", "manufacturer", "ean",
          "weight", "bullet_points", "category", "supplier", "gtin_exempt",
          "color", "country_of_origin", "item_type_keyword", "supplier_declared_dg_hz_regulation"]
RESTRICTED = {"Bijoux", "Montres", "Santé"}


make_sample = importlib.import_module("scripts.make_sample")   # scripts/ is a namespace package
BASE = make_sample.SAMPLE_IMAGE_BASE


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    with open(CSV_PATH, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter=";")
        assert reader.fieldnames == HEADER
        return list(reader)


@pytest.fixture(scope="module")
def manifest() -> dict[str, dict]:
    with open(IMAGES_DIR / "manifest.csv", encoding="utf-8", newline="") as fh:
        return {r["file"]: r for r in csv.DictReader(fh, delimiter=";")}


@pytest.fixture(scope="module")
def seed() -> list[dict]:
    return json.loads(SEED_PATH.read_text(encoding="utf-8"))


# ---- small independent checkers -------------------------------------------------------------------

def check_digit_ok(code: str) -> bool:
    digits = [int(c) for c in code]
    body, check = digits[:-1], digits[-1]
    weighted = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - weighted % 10) % 10 == check


def restricted_prefix(code13: str) -> bool:
    p = int(code13[:3])
    return 20 <= p <= 29 or 40 <= p <= 49 or 200 <= p <= 299


def valid_gtin(code: str) -> bool:
    """A usable EAN-13 or UPC-12: digits, right length, right check digit, not a restricted prefix."""
    if not code.isdigit() or len(code) not in (12, 13) or not check_digit_ok(code):
        return False
    return not restricted_prefix(code.zfill(13))


def text_of(description: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", " ", description)).replace("\xa0", " ").strip()


def split(value: str) -> list[str]:
    return value.split("|") if value != "" else []


def number(value: str) -> float | None:
    try:
        return float(value.replace(",", "."))
    except ValueError:
        return None


def words(text: str) -> Counter:
    return Counter(re.findall(r"[^\W_]+", text.lower()))


PROMO = {
    "fr": ("promo", "gratuit", "meilleur prix", "soldes"),
    "en": ("free shipping", "best seller"),
    "de": ("kostenlos", "angebot"),
    "it": ("spedizione gratuita", "offerta"),
    "es": ("envío gratis", "oferta"),
}


def has_phrase(text: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text.lower()) is not None


# Row-level defects, each a predicate over one CSV row (and the image manifest).
def row_defects(r: dict, manifest: dict) -> set[str]:
    found = set()
    title, desc, images, bullets = r["title"], r["description"], split(r["images"]), split(r["bullet_points"])
    letters = [c for c in title if c.isalpha()]
    if len(title) > 200:
        found.add("title_too_long")
    if len(letters) >= 10 and all(c.isupper() for c in letters):
        found.add("title_all_caps")
    if any(has_phrase(title, p) for ps in PROMO.values() for p in ps):
        found.add("title_promo")
    if set(title) & set("!$?_{}^¬¦"):
        found.add("title_forbidden_chars")
    if max(words(title).values(), default=0) >= 3:
        found.add("title_repeated_word")
    if title[:1] in ("=", "+", "@"):
        found.add("title_formula")
    elif r["brand"] and not title.lower().startswith(r["brand"].lower()):
        found.add("title_brand_not_first")
    if any(ord(c) < 32 for c in title):
        found.add("title_control_char")
    if text_of(desc) == "":
        found.add("description_empty")
    if re.search(r"[\w.]+@[\w-]+\.\w+|(?:\d{2}[ .]){4}\d{2}|https?://", text_of(desc)):
        found.add("description_contact")
    if len(text_of(desc)) > 2000:
        found.add("description_too_long")
    if len(bullets) > 5:
        found.add("bullets_too_many")
    if any(b.strip() == "" for b in bullets):
        found.add("bullet_empty")
    if any(len(b) > 700 for b in bullets):
        found.add("bullet_too_long")
    price = number(r["price"])
    if r["price"] == "":
        found.add("price_missing")
    elif price is None:
        found.add("price_not_number")
    elif price == 0:
        found.add("price_zero")
    elif price < 0:
        found.add("price_negative")
    elif re.search(r"[.,]\d{3,}$", r["price"]):
        found.add("price_three_decimals")
    elif price < 0.5 or price > 10000:
        found.add("price_outlier")
    stock = r["stock_quantity"]
    if stock == "":
        found.add("stock_missing")
    elif number(stock) is None:
        found.add("stock_not_number")
    elif not re.fullmatch(r"-?\d+", stock):
        found.add("stock_not_integer")
    elif int(stock) < 0:
        found.add("stock_negative")
    ean = r["ean"]
    if ean == "":
        if r["gtin_exempt"] != "oui":
            found.add("ean_missing")
    elif not ean.isdigit():
        found.add("ean_letters")
    elif len(ean) not in (12, 13):
        found.add("ean_wrong_length")
    elif not check_digit_ok(ean):
        found.add("ean_bad_check")
    elif restricted_prefix(ean.zfill(13)):
        found.add("ean_restricted_prefix")
    sku = r["sku"]
    if len(sku) > 40:
        found.add("sku_too_long")
    if sku != sku.strip():
        found.add("sku_spaces")
    if not images:
        found.add("image_none")
    elif not images[0].startswith(("http://", "https://")):
        found.add("image_non_http")
    elif images[0].startswith(BASE):
        claim = manifest[images[0][len(BASE):]]
        if claim["background"] != "white":
            found.add("image_main_not_white")
        if min(int(claim["width"]), int(claim["height"])) < 1000:
            found.add("image_small")
        if claim["text_overlay"] == "yes":
            found.add("image_text_logo")
        if claim["format"] not in ("JPEG", "PNG", "TIFF", "GIF"):
            found.add("image_format")
    if len(images) > 9:
        found.add("images_too_many")
    if r["brand"] == "":
        found.add("brand_missing")
    if r["manufacturer"] == "":
        found.add("manufacturer_missing")
    if r["category"] == "":
        found.add("category_missing")
    if r["category"] in RESTRICTED:
        found.add("restricted_category")
    return found


def all_defects(rows: list[dict], manifest: dict) -> dict[str, set[str]]:
    """sku+row index -> defects, dataset-level ones (duplicate SKU / EAN) included."""
    skus = Counter(r["sku"] for r in rows)
    eans = Counter(r["ean"] for r in rows if r["ean"])
    out = {}
    for i, r in enumerate(rows):
        found = row_defects(r, manifest)
        if skus[r["sku"]] > 1:
            found.add("sku_duplicate")
        if r["ean"] and eans[r["ean"]] > 1:
            found.add("ean_duplicate")
        out[f"{i}:{r['sku']}"] = found
    return out


# ---- the catalogue ---------------------------------------------------------------------------------

def test_catalogue_is_large_and_varied(rows):
    assert len(rows) >= 300
    categories = Counter(r["category"] for r in rows if r["category"])
    suppliers = Counter(r["supplier"] for r in rows)
    assert len(categories) >= 5 and len(suppliers) >= 4
    assert {"Maison", "Cuisine", "Jardin", "Bricolage", "Jouets", "Sport", "High-Tech", "Beauté"} <= set(categories)
    counts = Counter(len(split(r["images"])) for r in rows)
    assert min(counts) == 0 and max(counts) == 12
    # HTML descriptions, entity-encoded ones, and prices with both decimal marks.
    assert sum("<p>" in r["description"] for r in rows) > len(rows) / 2
    assert any("&eacute;" in r["description"] for r in rows)
    assert any(re.fullmatch(r"\d+,\d\d", r["price"]) for r in rows)
    assert any(re.fullmatch(r"\d+\.\d\d", r["price"]) for r in rows)
    assert sum(bool(split(r["bullet_points"])) for r in rows) > len(rows) * .9


def test_every_listed_defect_is_present(rows, manifest):
    found = Counter(d for ds in all_defects(rows, manifest).values() for d in ds)
    expected = set(make_sample.DEFECT_CODES)
    assert expected - set(found) == set(), "defects missing from the sample"
    # The generator lists no defect the data does not show, and the data shows none it does not list.
    assert set(found) == expected
    assert found["sku_duplicate"] == 2 and found["ean_duplicate"] == 2


def test_defect_details_cover_the_guide(rows):
    titles = [r["title"] for r in rows]
    for lang, phrases in PROMO.items():
        assert any(has_phrase(t, p) for t in titles for p in phrases), lang
    for phrase in PROMO["fr"]:
        assert any(has_phrase(t, phrase) for t in titles), phrase
    for char in "!$?_{}^¬¦":
        assert any(char in t for t in titles), char
    for char in "=+@":
        assert any(t.startswith(char) for t in titles), char
    texts = [text_of(r["description"]) for r in rows]
    assert any(re.search(r"[\w.]+@[\w-]+\.\w+", t) for t in texts)
    assert any(re.search(r"(?:\d{2} ){4}\d{2}", t) for t in texts)
    assert any("https://" in t for t in texts)
    assert any(r["description"] == "" for r in rows)
    assert any(r["description"] and text_of(r["description"]) == "" for r in rows)
    eans = [r["ean"] for r in rows]
    assert any(len(e) == 12 and valid_gtin(e) for e in eans), "a 12-digit UPC"
    assert {e[:3] for e in eans if len(e) == 13 and e.isdigit() and check_digit_ok(e) and restricted_prefix(e)} \
        >= {"200", "250", "021"}
    exempt = [r for r in rows if r["gtin_exempt"] == "oui"]
    assert exempt and all(r["ean"] == "" and r["title"].startswith(r["brand"]) for r in exempt)
    assert any(r["sku"].endswith(" ") for r in rows) and any(r["sku"].startswith(" ") for r in rows)


def test_around_sixty_percent_of_products_are_clean(rows, manifest):
    defects = all_defects(rows, manifest)
    clean = [k for k, ds in defects.items() if not ds]
    assert 0.55 <= len(clean) / len(rows) <= 0.65, len(clean) / len(rows)
    # Defects are isolated: each defective product shows one defect, so a rule's hits are its own.
    multi = {k: ds for k, ds in defects.items() if len(ds) > 1}
    assert multi == {}


def test_clean_products_have_white_main_images_of_1000_px(rows, manifest):
    defects = all_defects(rows, manifest)
    for i, r in enumerate(rows):
        if not defects[f"{i}:{r['sku']}"]:
            claim = manifest[split(r["images"])[0][len(BASE):]]
            assert claim["background"] == "white" and int(claim["width"]) >= 1000, r["sku"]


# ---- the images ------------------------------------------------------------------------------------

def test_every_sample_url_has_its_file(rows, manifest):
    urls = {u for r in rows for u in split(r["images"])}
    ours = {u for u in urls if u.startswith(BASE)}
    others = urls - ours
    assert len(ours) >= 20
    for url in ours:
        assert (IMAGES_DIR / url[len(BASE):]).is_file(), url
        assert url[len(BASE):] in manifest, url
    # The only other URLs are the deliberately non-http ones.
    assert others and all(not u.startswith(("http://", "https://")) for u in others)


def _border(img: Image.Image) -> set:
    rgb = img.convert("RGB")
    w, h = rgb.size
    m = max(2, min(w, h) // 50)
    pixels = set()
    for box in ((0, 0, w, m), (0, h - m, w, h), (0, 0, m, h), (w - m, 0, w, h)):
        pixels |= {c for _, c in rgb.crop(box).getcolors(maxcolors=1 << 16) or [(0, None)]}
    return pixels


def test_images_are_as_the_manifest_claims(manifest):
    files = {p.name for p in IMAGES_DIR.iterdir()} - {"manifest.csv"}
    assert files == set(manifest)
    total = sum(p.stat().st_size for p in IMAGES_DIR.iterdir())
    assert total < 3 * 1024 * 1024
    seen = Counter()
    for name, claim in manifest.items():
        with Image.open(IMAGES_DIR / name) as img:
            assert img.format == claim["format"], name
            assert img.size == (int(claim["width"]), int(claim["height"])), name
            border = _border(img)
        if claim["background_rgb"]:
            expected = tuple(int(v) for v in claim["background_rgb"].split(","))
            assert border == {expected}, (name, list(border)[:5])
        else:
            assert (255, 255, 255) not in border and len(border) > 1, name
        seen[claim["background"]] += 1
        seen["small" if min(img.size) < 1000 else "large"] += 1
        seen[claim["format"]] += 1
    assert seen["white"] >= 20 and seen["grey"] >= 1 and seen["colour"] >= 1 and seen["scene"] >= 1
    assert seen["small"] >= 2 and seen["WEBP"] == 1 and seen["GIF"] and seen["TIFF"]


# ---- the sandbox seed ------------------------------------------------------------------------------

def test_seed_items_are_well_formed(seed):
    ids = {m.marketplace_id for m in MARKETPLACES}
    asins = [i["asin"] for i in seed]
    assert len(asins) == len(set(asins))
    for item in seed:
        assert re.fullmatch(r"B0[0-9A-Z]{8}", item["asin"])
        assert item["classification"] in ("BASE_PRODUCT", "VARIATION_PARENT", "VARIATION_CHILD")
        assert set(item["marketplaces"]) <= ids and item["marketplaces"]
        assert item["item_name"] and item["brand"] and item["product_type"]
        assert set(item["browse_node"]) == {"id", "name"} and item["image"].startswith("https://")
        for kind, code in item["identifiers"].items():
            assert kind in ("EAN", "UPC") and check_digit_ok(code) and len(code) == (13 if kind == "EAN" else 12)
    by_asin = {i["asin"]: i for i in seed}
    children = [i for i in seed if i["classification"] == "VARIATION_CHILD"]
    assert len(children) >= 2
    for child in children:
        assert by_asin[child["parent_asin"]]["classification"] == "VARIATION_PARENT"
    assert any(i["marketplaces"] == ["A1PA6795UKMFR9"] for i in seed), "an item not sold on Amazon.fr"


def test_seed_matches_the_sample(rows, seed):
    sample_by_ean = {}
    for r in rows:
        if r["ean"]:
            sample_by_ean.setdefault(r["ean"].zfill(13), []).append(r)
    seeded = [i for i in seed if i["identifiers"]]
    for item in seeded:
        assert item["identifiers"]["EAN"] in sample_by_ean, item
    per_ean = Counter(i["identifiers"]["EAN"] for i in seeded)
    assert any(n >= 2 for n in per_ean.values()), "an EAN with two ASINs"
    for doc in ("4006381333931", "0887276302195", "5901234123457"):
        assert doc in per_ean, doc
    assert any(i["identifiers"].get("UPC") == "887276302195" for i in seeded)
    conflicts = [i for i in seeded
                 if any(i["brand"] != r["brand"] or i["item_name"] != r["title"]
                        for r in sample_by_ean[i["identifiers"]["EAN"]])]
    assert len(conflicts) >= 4     # brand or title contradicting the catalogue: Amazon's 8541
    valid = {e for e, rs in sample_by_ean.items() if valid_gtin(rs[0]["ean"]) and len(rs) == 1}
    coverage = len(valid & set(per_ean)) / len(valid)
    assert 0.30 <= coverage <= 0.40, coverage


# ---- reproducibility -------------------------------------------------------------------------------

def test_generator_reproduces_the_committed_files(tmp_path):
    make_sample.generate(tmp_path)
    produced = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert Path("sample_catalogue.csv") in produced and Path("sandbox/catalog_seed.json") in produced
    for rel in produced:
        assert (tmp_path / rel).read_bytes() == (DATA_DIR / rel).read_bytes(), rel
    shipped_images = {p.name for p in IMAGES_DIR.iterdir()}
    assert shipped_images == {p.name for p in (tmp_path / "images").iterdir()}


def test_sandbox_catalogue_reads_the_seed(rows):
    """The sandbox's own index over the shipped seed finds the cases Code2ASIN must handle."""
    from core.sandbox.catalog import Catalog
    catalog = Catalog.load(SEED_PATH)
    assert len(catalog.find_gtin("4006381333931")) == 2
    upc = catalog.find_gtin("887276302195")
    assert len(upc) == 1 and upc == catalog.find_gtin("0887276302195")
    parents = [i for i in catalog.items if i["classification"] == "VARIATION_PARENT"]
    assert len(parents) == 1 and len(catalog.children[parents[0]["asin"]]) == 3
    sample_eans = {r["ean"] for r in rows if r["ean"]}
    assert any(catalog.find_gtin(e) for e in sample_eans)
