"""Benchmark: writing the Seller Central Flat File for 100k and 1M generated products.

For each size, in the same run:
- the export writer as the export runs it (core.mapping.query.lines_sql + core.flatfile.write, the guide's
  default mapping, in catalogue row order: streamed and put back in order, no sort), and the same unordered;
- the same lines sorted by DuckDB (``ORDER BY _row``): what the no-sort order path saves;
- the writer without its write-behind (the whole file growing the page cache, as before session 3);
- main's writer as of c2acc0e, as the same-run baseline: the HTML text cleaned by three scans and a replace
  (``gated_clean_sql``) and 65,536-line Arrow batches; all three ordered files must have the same sha256
  (printed);
- the physical limit: a plain sequential write of the same number of bytes, and the same write with the
  writer's page-cache policy (write-behind); the writer's ratio is also printed against the faster of the two;
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
import resource
import statistics
import sys
import time
from pathlib import Path
from unittest.mock import patch

import duckdb
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.mapping.product_types import SCHEMA as CATEGORY_SCHEMA  # noqa: E402
from core import flatfile  # noqa: E402
from core.flatfile import write  # noqa: E402
from core.mapping import query  # noqa: E402
from core.mapping.default import DEFAULT_MAPPING, FIELDS  # noqa: E402
from core.catalog import derived, importer  # noqa: E402
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
    # As the importer stores them: in _row (file) order, text and lists uncompressed, derived columns
    # computed in the same statement.
    con.execute("DROP TABLE IF EXISTS products")
    importer._write_staging(con, "products", derived.select_sql(base))


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


def plain_write(path: Path, size: int, write_behind: bool = False) -> None:
    """The physical limit: ``size`` bytes written sequentially in 8 MB blocks; with ``write_behind``, the
    writer's own page-cache policy (each 32 MB step handed to the disk, the step before dropped)."""
    block, written, handed, dropped = b"x" * (8 << 20), 0, 0, 0
    with open(path, "wb") as fh:
        left = size
        while left > 0:
            fh.write(block[:min(left, len(block))])
            written += min(left, len(block))
            left -= len(block)
            if write_behind and written - handed >= flatfile._WRITE_BEHIND:
                fh.flush()
                dropped, handed = flatfile.write_behind_step(fh.fileno(), dropped, handed, written)


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


def previous_lines_sql(con: duckdb.DuckDBPyConnection) -> str:
    """``lines_sql`` as main had it at c2acc0e: the HTML text (which holds no tab or CR) still cleaned by
    three ``contains`` scans and a replace (the same bytes; checked by the sha256 of the files)."""
    with patch.object(query, "_line_feeds_to_spaces", query.gated_clean_sql):
        return lines_sql(con, DEFAULT_MAPPING, "FR")


def _session2_truncate_sql(expr: str, limit: int) -> str:
    # core.text.truncate_sql before the cheaper soft cut: the reference its test keeps (one copy).
    from tests.unit.test_transforms import _previous_truncate_sql  # noqa: PLC0415
    return _previous_truncate_sql(expr, int(limit))


def _session2_list_item(expr: str, param: str, ctx) -> str:
    # transforms._list_item before the length test (lists only: the default mapping's images, bullets).
    return f"nullif({expr}[{int(param)}], '')"


def session2_lines_sql(con: duckdb.DuckDBPyConnection) -> str:
    """``lines_sql`` as main had it after session 2's U (d94ddd7): the title's soft cut by a captured
    regex, the weight's zeros by two rtrim, every list item extracted. Same bytes (sha256 printed)."""
    from core.mapping import transforms  # noqa: PLC0415 - patched for this one call only
    rows = tuple(TRANSFORMS_OLD.get(t.code, t) for t in transforms.TRANSFORMS)
    with patch.object(transforms, "truncate_sql", _session2_truncate_sql), \
            patch.object(transforms, "_plain_number",
                         lambda v: f"rtrim(rtrim(CAST(TRY_CAST({v} AS DECIMAL(18, 3)) AS VARCHAR), '0'), '.')"), \
            patch.object(transforms, "TRANSFORMS", rows):
        return lines_sql(con, DEFAULT_MAPPING, "FR")


def _old_transforms() -> dict:
    import dataclasses  # noqa: PLC0415
    from core.mapping import transforms  # noqa: PLC0415
    return {"list_item": dataclasses.replace(transforms.transform("list_item"), sql=_session2_list_item)}


TRANSFORMS_OLD = _old_transforms()


def previous_write(*args, **kwargs):
    """``flatfile.write`` with main's 65,536-line Arrow batches (c2acc0e)."""
    with patch.object(flatfile, "_BATCH_ROWS", 1 << 16):
        return write(*args, **kwargs)


def without_write_behind(*args, **kwargs):
    """``flatfile.write`` as before the write-behind (session 3): the whole file grows the page cache."""
    with patch.object(flatfile, "_FADVISE", False):
        return write(*args, **kwargs)


def _usage() -> tuple[float, float, int]:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime, r.ru_stime, r.ru_minflt


def timed(fn, cpu: list | None = None) -> float:
    """Wall time of ``fn()``; its process (user, system) CPU seconds, all threads, and page faults
    appended to ``cpu`` when given."""
    u0, s0, f0 = _usage()
    t0 = time.perf_counter()
    fn()
    wall = time.perf_counter() - t0
    if cpu is not None:
        u1, s1, f1 = _usage()
        cpu.append((u1 - u0, s1 - s0, f1 - f0))
    return wall


def _cpu(samples: list) -> str:
    user, system, faults = (statistics.median(x[i] for x in samples) for i in range(3))
    return (f"{_cpu_seconds(samples):5.2f} CPU-s (medians: user {user:.2f}, sys {system:.2f}, "
            f"{faults / 1000:,.0f}k page faults)")


def _cpu_seconds(samples: list) -> float:
    return statistics.median(x[0] + x[1] for x in samples)


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
    previous_lines = previous_lines_sql(con)
    session2_lines = session2_lines_sql(con)
    assert session2_lines != lines
    types = [r[0] for r in con.execute(f"SELECT DISTINCT feed_product_type FROM ({sql})").fetchall()]
    target = OUT / f"flatfile-{n}.txt"
    other = OUT / f"flatfile-{n}-other.txt"
    args = (list(FIELDS), market, types)
    runs = {  # name -> (writes the file, returns its sha256)
        "writer": lambda: write(con, lines, args[0], target, *args[1:], line_column=LINE).sha256,
        # "_row + 0" is not the column name: the writer then lets DuckDB sort, as it did before.
        "sorted": lambda: write(con, lines, args[0], other, *args[1:], order_by="_row + 0", line_column=LINE).sha256,
        "session 2": lambda: write(con, session2_lines, args[0], other, *args[1:], line_column=LINE).sha256,
        "main": lambda: previous_write(con, previous_lines, args[0], other, *args[1:], line_column=LINE).sha256,
        "no write-behind": lambda: without_write_behind(con, lines, args[0], target, *args[1:], line_column=LINE).sha256,
    }
    wall, cpu, digests = {k: [] for k in runs}, {k: [] for k in runs}, {}
    for _ in range(repeat):   # alternating, so that a change of load hits each alike
        for name, run in runs.items():
            wall[name].append(timed(lambda: digests.setdefault(name, set()).add(run()), cpu[name]))
    size = target.stat().st_size
    unordered_target = OUT / f"flatfile-{n}-unordered.txt"
    cpu["unordered"], cpu["plain"], cpu["hashed"], cpu["behind"] = [], [], [], []
    wall["unordered"] = [timed(lambda: write(con, lines, args[0], unordered_target, *args[1:], order_by=None,
                                             line_column=LINE), cpu["unordered"]) for _ in range(repeat)]
    wall["plain"], wall["behind"] = [], []
    for _ in range(repeat):   # alternating
        wall["plain"].append(timed(lambda: plain_write(OUT / f"plain-{n}.bin", size), cpu["plain"]))
        if flatfile._FADVISE:
            wall["behind"].append(timed(lambda: plain_write(OUT / f"plain-{n}.bin", size, True), cpu["behind"]))
    wall["hashed"] = [timed(lambda: plain_write_hashed(OUT / f"plain-{n}.bin", size), cpu["hashed"])
                      for _ in range(repeat)]
    mb = size / 1e6
    t = {k: statistics.median(v) for k, v in wall.items()}
    same = len(set().union(*digests.values())) == 1
    print(f"file: {mb:,.1f} MB, {size / n:.0f} bytes/product; sha256 identical in every run of the writer, the "
          f"sorted writer, session 2's, main's and the writer without write-behind: {same}")

    def line(label: str, k: str, note: str = "") -> None:
        print(f"{label:19s}: {t[k]:6.2f} s  {n / t[k]:10,.0f} rows/s  {mb / t[k]:7.1f} MB/s  = {t[k] / t['plain']:4.1f}x "
              f"the plain write, {t[k] / t['hashed']:4.1f}x plain + sha256; {_cpu(cpu[k])}{note}")
    t_ord, t_unord = t["writer"], t["unordered"]
    line("writer (ordered)", "writer")
    line("writer (unordered)", "unordered")
    line("writer, ORDER BY", "sorted", f" -> the no-sort order path {t['sorted'] / t['writer']:4.2f}x faster")
    line("session 2 writer", "session 2", f" (d94ddd7: the values' SQL before U2) -> writer "
         f"{t['session 2'] / t['writer']:4.2f}x faster, "
         f"{_cpu_seconds(cpu['session 2']) / _cpu_seconds(cpu['writer']):4.2f}x less CPU")
    line("main's writer", "main", f" (c2acc0e) -> writer {t['main'] / t['writer']:4.2f}x faster, "
         f"{_cpu_seconds(cpu['main']) / _cpu_seconds(cpu['writer']):4.2f}x less CPU")
    line("no write-behind", "no write-behind", f" (the writer as before session 3) -> write-behind "
         f"{t['no write-behind'] / t['writer']:4.2f}x faster, "
         f"{_cpu_seconds(cpu['no write-behind']) / _cpu_seconds(cpu['writer']):4.2f}x less CPU")
    print(f"plain write        : {t['plain']:6.2f} s  {mb / t['plain']:8.1f} MB/s (physical limit); {_cpu(cpu['plain'])}")
    if wall["behind"]:
        best = min(t["plain"], t["behind"])
        print(f"plain, write-behind: {t['behind']:6.2f} s  {mb / t['behind']:8.1f} MB/s (the same plain write with the "
              f"writer's page-cache policy); {_cpu(cpu['behind'])} -> writer (ordered) = {t_ord / best:4.1f}x the "
              f"faster of the two plain writes (issue 4: <= 5x)")
    print(f"plain write+sha256 : {t['hashed']:6.2f} s  {mb / t['hashed']:8.1f} MB/s (the writer also records the "
          f"file's sha256); {_cpu(cpu['hashed'])}")
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
    for f in (OUT / f"plain-{n}.bin", unordered_target, other):
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
