"""Benchmark: writing the Seller Central Flat File for 100k and 1M generated products.

For each size, in the same run:
- the export writer as the export runs it (core.mapping.query.lines_sql + core.flatfile.write, the guide's
  default mapping, in catalogue row order: streamed and put back in order, no sort), and the same unordered;
- the previous writer, as the same-run baseline: the mapped_sql fields joined by the writer and sorted by
  DuckDB (``ORDER BY _row``); its file must have the same sha256 as the writer's (printed);
- the physical limit: a plain sequential write of the same number of bytes;
- a pandas implementation (same mapping with vectorised string methods, then ``to_csv``), measured from
  a DataFrame already in memory (loading it is not counted: that favours pandas).
Prints rows/s, MB/s and the ratios; the data rows of the pandas file are compared with the writer's.

    .venv/bin/python bench/bench_flatfile.py [--sizes 100000 1000000] [--repeat 3] [--pandas-max 1000000]

Products are generated in DuckDB SQL (deterministic), persisted in a DuckDB file as the import leaves them
(derived columns through core.catalog.derived, rows stored in ``_row`` order); files go to bench/out/
(git-ignored).
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import os
import statistics
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.mapping.product_types import SCHEMA as CATEGORY_SCHEMA  # noqa: E402
from core.flatfile import write  # noqa: E402
from core.mapping.default import DEFAULT_MAPPING, FIELDS  # noqa: E402
from core.catalog import derived  # noqa: E402
from core.mapping.query import LINE, lines_sql, mapped_sql  # noqa: E402
from core.marketplaces import marketplace  # noqa: E402

OUT = ROOT / "bench" / "out"
WORDS = ["lampe", "bureau", "acier", "bois", "coton", "noir", "blanc", "design", "compact", "rechargeable",
         "pliable", "inox", "verre", "céramique", "ergonomique", "réglable", "LED", "écologique"]
CATEGORIES = ["Luminaires", "Maison", "Cuisine", "Jardin", "Bricolage", "Jouets", "Sport", "Beauté"]


def _pick(options: list[str], h: str) -> str:
    return "[" + ", ".join(f"'{o}'" for o in options) + f"][1 + ({h}) % {len(options)}]"


def generate(con: duckdb.DuckDBPyConnection, n: int) -> None:
    """(Re)create ``products`` with ``n`` products shaped as the import makes them."""
    h = lambda k: f"CAST(hash(i, {k}) % 1000003 AS BIGINT)"  # noqa: E731 - deterministic per (row, salt)
    w = lambda k: _pick(WORDS, h(k))  # noqa: E731
    title = (f"'Marque ' || {w(1)} || ' ' || {w(2)} || ' ' || {w(3)} || ' ' || {w(4)} || ', ' || (10 + {h(5)} % 90) "
             f"|| ' cm'")
    html = (f"'<p><strong>' || {w(6)} || '</strong> &ndash; ' || repeat('Un produit pens&eacute; pour durer, "
            f"s&eacute;lectionn&eacute; par nos &eacute;quipes. ', 3 + ({h(7)} % 6)) || '</p><ul><li>' || {w(8)} || "
            f"'</li><li>Garantie 2 ans</li></ul><p>Dimensions&nbsp;: ' || (10 + {h(9)} % 90) || ' cm.</p>'")
    base = f"""
        WITH base AS (SELECT range AS i FROM range({n})),
        raw AS (SELECT i,
            'SKU-' || i AS sku,
            CASE WHEN i % 20 = 0 THEN repeat({title} || ' ', 6) ELSE {title} END AS title,
            {html} AS description,
            round(5 + ({h(10)} % 50000) / 100.0, 2) AS price,
            ({h(11)} % 200) AS stock_quantity,
            list_transform(range(1 + {h(12)} % 9), lambda k: 'https://cdn.example.com/img/' || i || '-' || k || '.jpg')
                AS images,
            {_pick(['Lumina', 'Kidoo', 'Voltix', 'Nordlicht'], h(13))} AS brand,
            'Fabricant ' || ({h(14)} % 50) AS manufacturer,
            CASE WHEN i % 7 = 0 THEN lpad(CAST(10000000000 + i AS VARCHAR), 12, '0')
                 ELSE lpad(CAST(3760000000000 + i AS VARCHAR), 13, '0') END AS ean,
            CAST(50 + {h(15)} % 5000 AS DOUBLE) AS weight,
            list_transform(range(1 + {h(16)} % 6), lambda k: 'Point fort ' || k || ' : ' || {w(17)} || ' et ' || {w(18)})
                AS bullet_points,
            {_pick(CATEGORIES, h(19))} AS category,
            'Fournisseur ' || ({h(20)} % 16) AS supplier
          FROM base)
        SELECT i + 1 AS _row, sku, title, description, price, CAST(price AS VARCHAR) AS price_raw,
               stock_quantity, CAST(stock_quantity AS VARCHAR) AS stock_quantity_raw, images, brand, manufacturer,
               ean, weight, CAST(weight AS VARCHAR) AS weight_raw, bullet_points, category, supplier,
               false AS gtin_exempt
        FROM raw"""
    derived.prepare(con)
    # As the importer stores them: in _row (file) order, derived columns computed in the same statement.
    con.execute("SET SESSION preserve_insertion_order = true")
    try:
        con.execute(f"CREATE OR REPLACE TABLE products AS {derived.select_sql(base)}")
    finally:
        con.execute("RESET SESSION preserve_insertion_order")


# --- pandas implementation of the same default mapping ------------------------------------------

def pandas_write(df: pd.DataFrame, path: Path, header: str) -> None:
    """The default mapping with pandas string methods, then ``to_csv`` (tab, no quoting)."""
    def clean(s: pd.Series) -> pd.Series:
        return s.str.replace("\t", " ", regex=False).str.replace("\r", " ", regex=False).str.replace("\n", " ", regex=False)

    def item(s: pd.Series, k: int) -> pd.Series:
        return s.map(lambda v: v[k] if v is not None and len(v) > k else None)

    title = df["title"]
    cut = title.str.slice(0, 201).str.extract(r"^(.*\S)\s", expand=False).str.replace(r"[\s,;:\-–]+$", "", regex=True)
    title = title.where(title.str.len() <= 200, cut)
    ean = df["ean"].str.strip()
    out = pd.DataFrame({
        "feed_product_type": df["category"].map({"Luminaires": "LAMP", "Maison": "HOME", "Cuisine": "KITCHEN",
                                                 "Jardin": "OUTDOOR_LIVING", "Bricolage": "TOOLS", "Jouets": "TOY_FIGURE",
                                                 "Sport": "SPORTING_GOODS", "Beauté": "BEAUTY"}),
        "item_sku": df["sku"], "update_delete": "Update", "item_name": clean(title),
        "product_description": clean(df["description_text"]),
        "standard_price": df["price"].map("{:.2f}".format), "quantity": df["stock_quantity"].astype("Int64"),
        "main_image_url": clean(item(df["images"], 0)),
        **{f"other_image_url{k}": clean(item(df["images"], k)) for k in range(1, 9)},
        "brand_name": clean(df["brand"]), "manufacturer": clean(df["manufacturer"]),
        "external_product_id": clean(df["ean"]),
        "external_product_id_type": ean.str.len().map({13: "EAN", 12: "UPC", 14: "GTIN", 8: "EAN"}),
        "item_weight": (df["weight"] / 1000).map(lambda v: f"{v:.3f}".rstrip("0").rstrip(".")),
        "item_weight_unit_of_measure": "KG",
        **{f"bullet_point{k}": clean(item(df["bullet_points"], k - 1)) for k in range(1, 6)},
        "condition_type": "New", "recommended_browse_nodes": None,
    })
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(header)
        out.to_csv(fh, sep="\t", header=False, index=False, quoting=csv.QUOTE_NONE, escapechar=None, lineterminator="\n")


def plain_write(path: Path, size: int) -> None:
    """The physical limit: ``size`` bytes written sequentially in 8 MB blocks."""
    block = b"x" * (8 << 20)
    with open(path, "wb") as fh:
        left = size
        while left > 0:
            fh.write(block[:min(left, len(block))])
            left -= len(block)


def plain_write_hashed(path: Path, size: int) -> None:
    """The plain write plus the sha256 the writer must also compute (it records the file's digest)."""
    block, digest = b"x" * (8 << 20), hashlib.sha256()
    with open(path, "wb") as fh:
        left = size
        while left > 0:
            chunk = block[:min(left, len(block))]
            digest.update(chunk)
            fh.write(chunk)
            left -= len(block)


def timed(fn, cpu: list[float] | None = None) -> float:
    """Wall time of ``fn()``; its process CPU time (all threads) appended to ``cpu`` when given."""
    c0, t0 = time.process_time(), time.perf_counter()
    fn()
    if cpu is not None:
        cpu.append(time.process_time() - c0)
    return time.perf_counter() - t0


def bench(n: int, repeat: int, pandas_max: int) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    dbfile = OUT / f"flatfile-{n}.duckdb"
    if dbfile.exists():
        dbfile.unlink()
    # Only what the writer reads (products, category table): the bench does not depend on other modules.
    con = duckdb.connect(str(dbfile))
    con.execute("SET preserve_insertion_order = false")   # as core.db.connect does
    con.execute(CATEGORY_SCHEMA)
    t0 = time.perf_counter()
    generate(con, n)
    con.execute("CHECKPOINT")
    print(f"\n== {n:,} products (generated and persisted in {time.perf_counter() - t0:.1f} s)")
    con.execute("SET SESSION preserve_insertion_order = true")   # the window below reads the stored order
    stored = con.execute("SELECT count(*) FILTER (WHERE _row < prev) = 0 FROM "
                         "(SELECT _row, lag(_row) OVER () AS prev FROM products)").fetchone()[0]
    con.execute("RESET SESSION preserve_insertion_order")
    print(f"products stored in _row order (the writer then needs no sort): {stored}")
    market = marketplace("FR")
    sql = mapped_sql(con, DEFAULT_MAPPING, "FR")
    lines = lines_sql(con, DEFAULT_MAPPING, "FR")
    types = [r[0] for r in con.execute(f"SELECT DISTINCT feed_product_type FROM ({sql})").fetchall()]
    target = OUT / f"flatfile-{n}.txt"
    previous_target = OUT / f"flatfile-{n}-previous.txt"
    c_ord, c_unord, c_prev, c_plain, c_hashed = [], [], [], [], []
    ordered, previous, digests = [], [], set()
    for _ in range(repeat):   # alternating, so that a change of load hits both alike
        ordered.append(timed(lambda: digests.add(("writer", write(con, lines, list(FIELDS), target, market, types,
                                                                  line_column=LINE).sha256)), c_ord))
        # "_row + 0" is not the column name: the writer then lets DuckDB sort, as it always did before.
        previous.append(timed(lambda: digests.add(("previous", write(con, sql, list(FIELDS), previous_target, market,
                                                                     types, order_by="_row + 0").sha256)), c_prev))
    size = target.stat().st_size
    unordered_target = OUT / f"flatfile-{n}-unordered.txt"
    unordered = [timed(lambda: write(con, lines, list(FIELDS), unordered_target, market, types, order_by=None,
                                     line_column=LINE), c_unord) for _ in range(repeat)]
    plain = [timed(lambda: plain_write(OUT / f"plain-{n}.bin", size), c_plain) for _ in range(repeat)]
    hashed = [timed(lambda: plain_write_hashed(OUT / f"plain-{n}.bin", size), c_hashed) for _ in range(repeat)]
    mb = size / 1e6
    t_ord, t_unord, t_prev, t_plain, t_hashed = (statistics.median(x)
                                                 for x in (ordered, unordered, previous, plain, hashed))
    cpu = {k: statistics.median(v) for k, v in (("ordered", c_ord), ("unordered", c_unord), ("previous", c_prev),
                                               ("plain", c_plain), ("hashed", c_hashed))}
    print(f"file: {mb:,.1f} MB, {size / n:.0f} bytes/product; sha256 identical in every run of the writer and the "
          f"previous writer: {len({d for _, d in digests}) == 1}")
    print(f"writer (ordered)   : {t_ord:6.2f} s  {n / t_ord:12,.0f} rows/s  {mb / t_ord:8.1f} MB/s  "
          f"= {t_ord / t_plain:5.1f}x the plain write")
    print(f"writer (unordered) : {t_unord:6.2f} s  {n / t_unord:12,.0f} rows/s  {mb / t_unord:8.1f} MB/s  "
          f"= {t_unord / t_plain:5.1f}x the plain write")
    print(f"previous writer    : {t_prev:6.2f} s  {n / t_prev:12,.0f} rows/s  {mb / t_prev:8.1f} MB/s  "
          f"= {t_prev / t_plain:5.1f}x the plain write (fields joined, ORDER BY _row) -> writer {t_prev / t_ord:4.2f}x "
          f"faster")
    print(f"plain write        : {t_plain:6.2f} s  {mb / t_plain:8.1f} MB/s (physical limit)")
    print(f"plain write+sha256 : {t_hashed:6.2f} s  {mb / t_hashed:8.1f} MB/s (the writer also records the "
          f"file's sha256) -> writer = {t_ord / t_hashed:5.1f}x (ordered), {t_unord / t_hashed:5.1f}x (unordered)")
    print(f"process CPU (all threads): writer ordered {cpu['ordered']:.2f} s, unordered {cpu['unordered']:.2f} s, "
          f"previous writer {cpu['previous']:.2f} s, plain write {cpu['plain']:.2f} s, plain+sha256 {cpu['hashed']:.2f} s")
    print(f"load average now {os.getloadavg()[0]:.1f}")
    if n <= pandas_max:
        df = con.execute("SELECT * FROM products ORDER BY _row").df()
        with open(target, encoding="utf-8") as fh:
            header = "".join(next(fh) for _ in range(3))
        p_target = OUT / f"pandas-{n}.txt"
        t_pd = timed(lambda: pandas_write(df, p_target, header))
        same = p_target.read_bytes() == target.read_bytes()
        print(f"pandas to_csv      : {t_pd:6.2f} s  {n / t_pd:12,.0f} rows/s  {mb / t_pd:8.1f} MB/s  "
              f"-> writer is {t_pd / t_ord:4.1f}x faster (ordered), {t_pd / t_unord:4.1f}x (unordered); "
              f"pandas file identical to the writer's: {same}")
        del df
    for f in (OUT / f"plain-{n}.bin", unordered_target, previous_target):
        f.unlink(missing_ok=True)
    con.close()
    dbfile.unlink(missing_ok=True)
    Path(str(dbfile) + ".wal").unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pandas-max", type=int, default=1_000_000, help="largest size also run with pandas")
    args = parser.parse_args()
    print(f"duckdb {duckdb.__version__}, pandas {pd.__version__}, {os.cpu_count()} cores; medians of {args.repeat}; "
          f"load average at start {os.getloadavg()[0]:.1f} (other work on the machine slows every figure)")
    for n in args.sizes:
        bench(n, args.repeat, args.pandas_max)


if __name__ == "__main__":
    main()
