"""Generate the sample data of ``data/``: a French catalogue, its product images and the sandbox's ASINs.

Outputs (all deterministic: a fixed seed, no clock, sorted iteration), relative to ``--out`` (default
``data/``):

* ``sample_catalogue.csv`` — UTF-8, ``;``-separated, canonical headers; 320 products over 11 categories
  and 6 suppliers; about 63 % clean, the rest each carrying ONE deliberate defect of
  ``scripts/sample/defects.py`` (restricted categories count as one: they need Amazon's approval).
* ``images/`` — the product drawings the CSV's URLs point to, plus ``images/manifest.csv`` stating each
  file's format, size and background (what the tests check with Pillow). URLs are
  ``SAMPLE_IMAGE_BASE + file``; an offline image checker maps that prefix to ``data/images/``.
* ``sandbox/catalog_seed.json`` — the Amazon-side catalogue of the local SP-API sandbox: ASINs for about a
  third of the sample's valid EANs, with an EAN carrying two ASINs, a parent/child variation, items
  whose brand or title contradict the catalogue (8541), and items listed on Amazon.de only.

Running ``python scripts/make_sample.py`` again rewrites the committed files byte for byte
(tests/unit/test_sample_data.py checks it). An image above 10,000 px is deliberately NOT shipped (it
would weigh megabytes); the image checker's tests generate one at run time instead.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:       # run as a script: make the scripts.sample package importable
    sys.path.insert(0, str(ROOT))

from scripts.sample.defects import DEFECT_CODES  # noqa: E402
from scripts.sample.images import BACKGROUNDS, IMAGES, SAMPLE_IMAGE_BASE, render_image  # noqa: E402
from scripts.sample.products import HEADER, Product, build_products  # noqa: E402
from scripts.sample.seed import build_seed  # noqa: E402

__all__ = ["DEFECT_CODES", "SAMPLE_IMAGE_BASE", "generate", "main"]

DEFAULT_OUT = ROOT / "data"
SEED = 20260427
CSV_NAME = "sample_catalogue.csv"
SEED_NAME = "sandbox/catalog_seed.json"


def catalogue_csv(products: list[Product]) -> bytes:
    """The sample CSV: ``;``-separated, ``\\n`` line ends, quotes only where needed, UTF-8 without BOM."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(p.row() for p in products)
    return buf.getvalue().encode("utf-8")


def manifest_csv() -> bytes:
    """``images/manifest.csv``: what each shipped image is claimed to be (checked by the tests)."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\n")
    writer.writerow(("file", "format", "width", "height", "background", "background_rgb", "text_overlay"))
    for spec in IMAGES:
        rgb = BACKGROUNDS.get(spec.background)
        writer.writerow((spec.file, spec.format, spec.size[0], spec.size[1], spec.background,
                         ",".join(map(str, rgb)) if rgb else "", "yes" if spec.text else "no"))
    return buf.getvalue().encode("utf-8")


def generate(out: Path) -> dict[str, int]:
    """Write every sample file under ``out``; returns a few figures (products, clean, seed items …)."""
    rng = random.Random(SEED)
    products = build_products(rng)
    seed = build_seed(rng, products)
    (out / "images").mkdir(parents=True, exist_ok=True)
    (out / "sandbox").mkdir(parents=True, exist_ok=True)
    for spec in IMAGES:
        (out / "images" / spec.file).write_bytes(render_image(spec))
    (out / "images" / "manifest.csv").write_bytes(manifest_csv())
    # images/ holds only what IMAGES declares: drop files of images since removed from the table.
    declared = {spec.file for spec in IMAGES} | {"manifest.csv"}
    for stale in sorted((out / "images").iterdir()):
        if stale.is_file() and stale.name not in declared:
            stale.unlink()
    (out / CSV_NAME).write_bytes(catalogue_csv(products))
    (out / SEED_NAME).write_text(json.dumps(seed, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return {"products": len(products), "clean": sum(1 for p in products if not p.defect),
            "seed_items": len(seed), "images": len(IMAGES)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: data/)")
    args = parser.parse_args(argv)
    figures = generate(args.out)
    print(", ".join(f"{k}: {v}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
