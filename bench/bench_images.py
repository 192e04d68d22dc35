"""Benchmark of the image checks (core.images) on the sample catalogue and on a scaled copy of it.

* ``cold``     — check_images on the sample: every distinct URL (~40 files in data/images) opened once;
* ``warm``     — the same call again: everything from the ``image_checks`` cache, only SQL;
* ``baseline`` — what a loop over catalogue rows would do: inspect_image for every (product, image)
  reference, no cache (measured in this same run; the ratio baseline / cold is printed);
* ``scaled``   — the sample's rows repeated to ``--products`` products (new SKUs, same URLs), warm cache:
  the cost of the set-based join that writes the violations.

    .venv/bin/python bench/bench_images.py [--products 100000]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core import db  # noqa: E402
from timing import median_time  # noqa: E402
from core.catalog.importer import import_file  # noqa: E402
from core.catalog.sample import SAMPLE_PATH  # noqa: E402
from core.images import check_images, inspect_image, mirror_resolver  # noqa: E402


_timed = median_time    # (seconds, last result)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    args = parser.parse_args()
    con = db.connect(":memory:")
    import_file(con, SAMPLE_PATH)
    cold, run = _timed(lambda: check_images(con))
    warm, _ = _timed(lambda: check_images(con), repeat=5)
    resolve = mirror_resolver()
    refs = [u for (u,) in con.execute("SELECT unnest(images) FROM products").fetchall()]

    def per_reference():
        for url in refs:
            path = resolve(url)
            if path is not None:
                inspect_image(path)
    baseline, _ = _timed(per_reference)
    n = con.execute("SELECT count(*) FROM products").fetchone()[0]
    copies = -(-args.products // n)
    con.execute(f"CREATE OR REPLACE TABLE products AS SELECT * REPLACE (sku || '-' || k AS sku) "
                f"FROM products, range({copies}) AS r(k)")
    big = con.execute("SELECT count(*) FROM products").fetchone()[0]
    scaled, big_run = _timed(lambda: check_images(con), repeat=3)
    print(f"sample: {n} products, {run.urls} distinct URLs, {len(refs)} image references")
    print(f"cold (each URL opened once) : {cold * 1000:8.1f} ms  ({run.opened} files)")
    print(f"warm (cache, SQL only)      : {warm * 1000:8.1f} ms")
    print(f"baseline (per reference)    : {baseline * 1000:8.1f} ms  -> ratio baseline/cold {baseline / cold:.1f}x")
    print(f"scaled warm, {big:,} products: {scaled * 1000:8.1f} ms  ({sum(big_run.counts.values()):,} violations)")


if __name__ == "__main__":
    main()
