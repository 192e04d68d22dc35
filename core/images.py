"""Pixel checks of the product images (guide, "Images" table): format, size, white background of the main
image. Results go to ``violations`` (``source = 'image'``, same columns as the rules) so the Qualité
page's filters, table, downloads and the export's blocking SKUs see them.

Each distinct URL of the selection is opened ONCE: the facts read from it (size, format, white border,
error) are cached in ``image_checks`` by URL, and the violations are then a set-based join of the
selected products' images (``unnest`` with position: 1 = main) with that cache and :data:`IMAGE_CHECKS`.

Images are read through a *resolver* (URL → local path, bytes, a :class:`~core.image_fetch.FetchFailure`
reason, or ``None`` when it cannot be read from here). The default one maps URL prefixes to folders
(:data:`IMAGE_MIRRORS`, the sample's CDN → ``data/images``), then downloads the http(s) URL
(:mod:`core.image_fetch`: what the server refuses — 404, too big — is an unreadable image, as it would be
for Amazon; an unreachable host is counted as not checked, never reported as bad).
"""
from __future__ import annotations

import io
import time
import warnings
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable, Union

import duckdb
from PIL import Image

from core.catalog.store import PRODUCTS
from core.db import DATA_DIR, table_exists
from core.i18n import DEFAULT_LANGUAGE, LANGUAGES, message
from core.image_fetch import FetchFailure, chain, http_resolver, resolve_all
from core.rules import config as rules_config
from core.rules.engine import message_sql
from core.rules.model import ERROR, WARNING
from core.rules.store import OTHER_TABLE, VIOLATION_COLUMNS
from core.selection import Selection, sql_literal, where_sql

SOURCE = "image"
FIELD = "images"
CATEGORY = "INVALID_IMAGE"
MAIN_ATTRIBUTE = "main_product_image_locator"
OTHER_ATTRIBUTE = "other_product_image_locator_"      # + 1..8

# Guide "Images" table. Plain data: a change of policy is a one-line edit.
MIN_SIDE = 1000                      # min 1000 x 1000 px
MAX_SIDE = 10_000                    # max 10 000 x 10 000 px
FORMATS: tuple[str, ...] = ("JPEG", "PNG", "TIFF", "GIF")   # Pillow's format names
WHITE_MIN = 250                      # a border pixel is "white" when each RGB channel is >= this
BORDER_SHARE = 0.02                  # the outer 2 % frame is the background that must be white
MAX_PIXELS = MAX_SIDE * MAX_SIDE     # decompression-bomb guard: above this an image is unreadable
MAX_NEW_PER_RUN = 2000               # images read (downloaded) per run at most; the next run goes on

# Must equal scripts.sample.images.SAMPLE_IMAGE_BASE (a test checks it; core does not import scripts).
SAMPLE_IMAGE_BASE = "https://cdn.exemple-boutique.fr/images/"
IMAGE_MIRRORS: dict[str, Path] = {SAMPLE_IMAGE_BASE: DATA_DIR / "images"}

# Pillow warns above MAX_IMAGE_PIXELS and refuses above twice that. Its default (~89 Mpx) is below the
# 100 Mpx Amazon accepts, so it is raised to MAX_PIXELS (never lowered if something set it higher).
if Image.MAX_IMAGE_PIXELS is not None and Image.MAX_IMAGE_PIXELS < MAX_PIXELS:
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS

Resolved = Union[Path, bytes, None]
Resolver = Callable[[str], Resolved]

SCHEMA = """
CREATE TABLE IF NOT EXISTS image_checks (
    url          VARCHAR PRIMARY KEY,
    ok           BOOLEAN,        -- the image could be opened and measured
    width        INTEGER,
    height       INTEGER,
    format       VARCHAR,        -- Pillow's format name (JPEG, PNG, TIFF, GIF, WEBP, ...)
    white_border BOOLEAN,        -- outer 2 % frame all >= 250 per RGB channel (NULL: not measured)
    error        VARCHAR,        -- why it could not be read (ok = false)
    checked_at   TIMESTAMP
);
"""


@dataclass(frozen=True)
class ImageCheck:
    """One image check: stable code, severity on the main image and on a secondary one (``None``: the
    check does not apply to secondary images), SQL predicate over ``image_checks`` (alias ``c``) and
    the SQL expressions of its message placeholders. Texts: ``images.<code>.label/message/hint``."""
    code: str
    main_severity: str
    secondary_severity: str | None
    when: str
    params: dict[str, str]

    @property
    def message_key(self) -> str:
        return f"images.{self.code}.message"

    @property
    def hint_key(self) -> str:
        return f"images.{self.code}.hint"

    @property
    def label_key(self) -> str:
        return f"images.{self.code}.label"


_SIZE = {"width": "c.width", "height": "c.height"}
IMAGE_CHECKS: tuple[ImageCheck, ...] = (
    ImageCheck("IMAGE_UNREADABLE", ERROR, WARNING, "NOT c.ok", {"error": "c.error"}),
    ImageCheck("IMAGE_FORMAT", ERROR, WARNING,
               f"c.ok AND c.format NOT IN ({', '.join(sql_literal(f) for f in FORMATS)})",
               {"format": "c.format", "formats": sql_literal(", ".join(FORMATS))}),
    ImageCheck("IMAGE_TOO_SMALL", ERROR, WARNING, f"c.ok AND least(c.width, c.height) < {MIN_SIDE}",
               {**_SIZE, "min": str(MIN_SIDE)}),
    ImageCheck("IMAGE_TOO_LARGE", ERROR, WARNING, f"c.ok AND greatest(c.width, c.height) > {MAX_SIDE}",
               {**_SIZE, "max": str(MAX_SIDE)}),
    # Lifestyle pictures are fine as secondary images: the white background is a main-image rule.
    ImageCheck("IMAGE_NOT_WHITE", ERROR, None, "c.ok AND c.white_border = false", {}),
)


@dataclass(frozen=True)
class ImageFacts:
    """What one image is (a row of ``image_checks`` without URL and time)."""
    ok: bool
    width: int | None = None
    height: int | None = None
    format: str | None = None
    white_border: bool | None = None
    error: str | None = None


@dataclass(frozen=True)
class ImageCheckRun:
    """What one call of :func:`check_images` did."""
    urls: int                    # distinct image URLs of the selection (positions checked)
    opened: int                  # images read this run (the others came from the cache)
    cached: int
    not_checked: int             # URLs the resolver cannot read here (no mirror, not http(s)...)
    counts: dict[str, int]       # image violations by severity
    products: int                # products with at least one image violation
    duration_s: float
    remaining: int = 0           # new URLs left for the next run (over the per-run limit)


def mirror_resolver(mirrors: dict[str, Path] | None = None) -> Resolver:
    """Resolver mapping each URL prefix of ``mirrors`` to a local folder (query string ignored).

    A URL outside every prefix gives ``None`` (not checked); a path escaping the folder too."""
    table = dict(IMAGE_MIRRORS if mirrors is None else mirrors)

    def resolve(url: str) -> Resolved:
        for prefix, folder in table.items():
            if url.startswith(prefix):
                relative = url[len(prefix):].split("?", 1)[0].split("#", 1)[0]
                root = Path(folder).resolve()
                path = (root / relative).resolve()
                return path if relative and path.is_relative_to(root) else None
        return None
    return resolve


def _white_border(img: Image.Image) -> bool:
    """True when the outer :data:`BORDER_SHARE` frame is white (every channel >= WHITE_MIN)."""
    if img.format == "JPEG":
        # Decode at 1/2..1/8 scale straight from the DCT: the border is still the border, much faster.
        img.draft("RGB", (max(1, img.width // 8), max(1, img.height // 8)))
    rgb = img.convert("RGB")
    w, h = rgb.size
    bw, bh = max(1, round(w * BORDER_SHARE)), max(1, round(h * BORDER_SHARE))
    strips = ((0, 0, w, bh), (0, h - bh, w, h), (0, 0, bw, h), (w - bw, 0, w, h))
    for box in strips:
        if any(low < WHITE_MIN for low, _high in rgb.crop(box).getextrema()):
            return False
    return True


def inspect_image(source: Path | bytes) -> ImageFacts:
    """Size and format from the header (lazy ``Image.open``), then the border for images within the
    size limits. Never raises on bad input: unreadable files and decompression bombs give ``ok=False``."""
    try:
        with warnings.catch_warnings():
            # A decompression-bomb WARNING becomes an error: such a file is refused, not decoded.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(source) if isinstance(source, bytes) else source) as img:
                width, height, fmt = img.width, img.height, img.format
                white = _white_border(img) if max(width, height) <= MAX_SIDE else None
        return ImageFacts(True, width, height, fmt, white)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        return ImageFacts(False, error=f"more than {MAX_PIXELS:,} pixels (decompression bomb guard)")
    except FileNotFoundError:
        return ImageFacts(False, error="file not found")
    except Exception as exc:   # noqa: BLE001 — any decoder failure means "unreadable", never a crash
        return ImageFacts(False, error=f"{type(exc).__name__}: {exc}"[:300])


def _selected_images_sql(selection: Selection) -> str:
    """(sku, url, pos) of the selected products' images, up to the main + max secondary Amazon takes."""
    return (f"SELECT sku, url, pos FROM (SELECT p.sku, unnest(p.images) AS url, "
            f"generate_subscripts(p.images, 1) AS pos FROM {PRODUCTS} AS p WHERE {where_sql(selection, 'p')}) "
            f"WHERE pos <= {rules_config.IMAGE_MAX_SECONDARY + 1} AND nullif(trim(url), '') IS NOT NULL")


def violations_sql(selection: Selection, lang: str) -> str:
    """SELECT of the image violations (columns in VIOLATION_COLUMNS order): one per (check, image)."""
    attribute = f"CASE WHEN i.pos = 1 THEN {sql_literal(MAIN_ATTRIBUTE)} ELSE {sql_literal(OTHER_ATTRIBUTE)} || (i.pos - 1) END"
    selects = []
    for check in IMAGE_CHECKS:
        params = {**check.params, "value": "i.url"}
        severity = (f"CASE WHEN i.pos = 1 THEN {sql_literal(check.main_severity)} "
                    f"ELSE {sql_literal(check.secondary_severity or check.main_severity)} END")
        scope = "" if check.secondary_severity else " AND i.pos = 1"
        selects.append(
            f"SELECT {sql_literal(SOURCE)}, i.sku, {sql_literal(FIELD)}, {attribute}, {sql_literal(check.code)}, "
            f"{severity}, {sql_literal(CATEGORY)}, i.url, {message_sql(message(check.message_key, lang), params)}, "
            f"{message_sql(message(check.hint_key, lang), params)} "
            f"FROM _image_sel AS i JOIN image_checks AS c ON c.url = i.url WHERE ({check.when}){scope}")
    return "\nUNION ALL\n".join(selects)


def default_resolver() -> Resolver:
    """Local mirrors first (the sample's CDN → ``data/images``), then the image's own http(s) URL."""
    return chain(mirror_resolver(), http_resolver())


def _facts(_url: str, source: Resolved | FetchFailure) -> ImageFacts | None:
    if source is None:
        return None
    if isinstance(source, FetchFailure):
        return ImageFacts(False, error=source.reason)
    return inspect_image(source)


def check_images(con: duckdb.DuckDBPyConnection, selection: Selection | None = None, *,
                 resolver: Resolver | None = None, lang: str = DEFAULT_LANGUAGE, refresh: bool = False,
                 limit: int = MAX_NEW_PER_RUN) -> ImageCheckRun:
    """Check the images of the selected products and replace the ``source = 'image'`` rows of ``violations``.

    Each distinct URL not yet in ``image_checks`` (all of them with ``refresh``) is resolved and read
    once; the loop is over distinct files, never over catalogue rows. Returns the counts."""
    lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    selection = selection or Selection()
    resolver = resolver or default_resolver()
    t0 = time.perf_counter()
    if not table_exists(con, PRODUCTS):
        raise LookupError("no catalogue")
    con.execute(f"CREATE OR REPLACE TEMP TABLE _image_sel AS {_selected_images_sql(selection)}")
    urls = [r[0] for r in con.execute("SELECT DISTINCT url FROM _image_sel ORDER BY url").fetchall()]
    if refresh:
        con.execute("DELETE FROM image_checks WHERE url IN (SELECT url FROM _image_sel)")
    cached = {r[0] for r in con.execute(
        "SELECT DISTINCT c.url FROM image_checks AS c JOIN _image_sel AS i ON i.url = c.url").fetchall()}
    todo = [u for u in urls if u not in cached]
    # Downloads are I/O: a small pool reads (and decodes) several at once; one run reads at most
    # ``limit`` new images so the page answers, the next click goes on (the cache keeps what was read).
    found = resolve_all(resolver, todo[:limit], handle=_facts)
    rows, not_checked = [], 0
    for url, f in found.items():
        if f is None:
            not_checked += 1   # not cached: a mirror configured later (or the network) must be able to check it
            continue
        rows.append([url, f.ok, f.width, f.height, f.format, f.white_border, f.error, datetime.now()])
    if rows:
        con.executemany("INSERT OR REPLACE INTO image_checks VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.execute("BEGIN TRANSACTION")
    try:
        # the rows of the other sources are a table under the violations view (core.rules.store)
        con.execute(f"DELETE FROM {OTHER_TABLE} WHERE source = ?", [SOURCE])
        con.execute(f"INSERT INTO {OTHER_TABLE} ({', '.join(VIOLATION_COLUMNS)}) {violations_sql(selection, lang)}")
        counts = dict(con.execute(f"SELECT severity, count(*) FROM {OTHER_TABLE} WHERE source = ? GROUP BY 1",
                                  [SOURCE]).fetchall())
        products = con.execute(f"SELECT count(DISTINCT sku) FROM {OTHER_TABLE} WHERE source = ?", [SOURCE]).fetchone()[0]
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return ImageCheckRun(len(urls), len(rows), len(cached), not_checked,
                         {s: int(counts.get(s, 0)) for s in (ERROR, WARNING)}, int(products),
                         time.perf_counter() - t0, max(0, len(todo) - limit))


__all__ = ["IMAGE_CHECKS", "IMAGE_MIRRORS", "ImageCheck", "ImageCheckRun", "ImageFacts", "check_images",
           "default_resolver", "inspect_image", "mirror_resolver", "violations_sql"]
