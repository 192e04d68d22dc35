"""Benchmark: the SQL side of Code2ASIN on 100k and 1M generated products (the API side is bound by
Amazon's 2 requests/s × 20 EANs, i.e. 40 EANs/s, whatever the code does).

For each size, in the same run, on a DuckDB file shaped as the import leaves it (1 % invalid EANs,
1 % EANs shared by two SKUs) with every EAN already in ``asin_matches`` (as after a full mapping):
- building the selection's EANs (core.code2asin.selected: rules + grouping, once per catalogue/selection);
- the job's queue (core.code2asin.job.items_sql → core.jobs.create), a first run and a re-check;
- what each page run reads: counts by status, the results count and first page (all, filtered, searched),
  the EANs waiting for a choice;
- the CSV export (every result row, formula-neutralised, as the download button builds it);
- the exports' ``asin_for_sku_sql``;
- baseline: ``SELECT count(DISTINCT ean) FROM products`` (one scan of the catalogue's EAN column).
Prints seconds and the ratio to the baseline (medians of --repeat).

    .venv/bin/python bench/bench_code2asin.py [--sizes 100000 1000000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core import db, reports  # noqa: E402
from timing import median_time  # noqa: E402
from core.code2asin import job as mapping  # noqa: E402
from core.code2asin import selected, store  # noqa: E402
from core.code2asin.eligible import eligible_eans_sql  # noqa: E402

# A GS1 check digit in SQL over the 12-digit body b (weights 3,1 from the right).
_CHECK = ("(10 - (list_sum(list_transform(range(12), lambda k: "
          "CAST(substr(b, 12 - k, 1) AS INTEGER) * CASE WHEN k % 2 = 0 THEN 3 ELSE 1 END)) % 10)) % 10")
BRANDS = ["Lumina", "Outilpro", "Kidoo", "Energym", "Cuisinova", "Naturéa", "Belle Provence", "Fixor"]


def generate(con: duckdb.DuckDBPyConnection, n: int) -> None:
    """``products`` (sku, ean, brand, category, supplier, title) and a full ``asin_matches``."""
    brands = "[" + ", ".join("'" + b.replace("'", "''") + "'" for b in BRANDS) + "]"
    con.execute(f"""
        CREATE OR REPLACE TABLE products AS
        WITH g AS (SELECT i, '376' || lpad(CAST(CASE WHEN i % 100 = 7 THEN i - 1 ELSE i END AS VARCHAR), 9, '0') AS b
                   FROM range({n}) t(i))
        SELECT i + 1 AS _row, 'SKU-' || i AS sku, 'Produit ' || i AS title,
               CASE WHEN i % 100 = 3 THEN b || CAST(({_CHECK} + 1) % 10 AS VARCHAR)   -- wrong check digit
                    ELSE b || CAST({_CHECK} AS VARCHAR) END AS ean,
               {brands}[1 + i % {len(BRANDS)}] AS brand, 'Cat ' || (i % 11) AS category,
               'Fournisseur ' || (i % 6) AS supplier
        FROM g""")
    # As after a full mapping: 30 % matched, 1 % multiple, 1 % conflict, the rest not found.
    con.execute(f"""
        INSERT INTO asin_matches
        WITH e AS (SELECT ean, row_number() OVER (ORDER BY ean) AS r FROM ({eligible_eans_sql()}))
        SELECT ean, 'FR', CASE WHEN r % 100 < 32 THEN 'B0' || lpad(CAST(r AS VARCHAR), 8, '0') || k END,
               CASE WHEN r % 100 < 32 THEN 'Titre Amazon ' || r END, 'Lumina', 'HOME', 'BASE_PRODUCT', NULL,
               CASE WHEN r % 100 < 30 THEN 'MATCHED' WHEN r % 100 = 30 THEN 'MULTIPLE'
                    WHEN r % 100 = 31 THEN 'CONFLICT' ELSE 'NOT_FOUND' END,
               r % 100 < 30, now()::TIMESTAMP
        FROM e, (SELECT unnest(['', 'X']) AS k) ks
        WHERE k = '' OR r % 100 = 30""")
    con.execute("CHECKPOINT")


def timed(fn, repeat: int) -> float:
    return median_time(fn, repeat)[0]


def bench(n: int, repeat: int) -> None:
    path = Path(tempfile.mkdtemp()) / "bench.duckdb"
    con = db.connect(path)
    t0 = time.perf_counter()
    generate(con, n)
    eans = con.execute("SELECT count(*) FROM asin_matches").fetchone()[0]
    print(f"\n== {n:,} products, {eans:,} result rows (generated in {time.perf_counter() - t0:.1f} s)")
    base = timed(lambda: con.execute("SELECT count(DISTINCT ean) FROM products").fetchone(), repeat)
    print(f"{'baseline count(DISTINCT ean)':42s}: {base:7.3f} s")

    def queue(recheck: bool):
        # Jobs are kept (as in the dashboard): deleting 1M job items costs more than creating them.
        return lambda: mapping.create(con, mapping.Target("local_sandbox", "FR"), recheck=recheck)

    def rebuild():
        con.execute("DELETE FROM code2asin_selected_meta")
        selected.ensure(con)

    cases = {
        "selection's EANs (cache build)": rebuild,
        "job queue, first run (nothing left)": queue(False),
        "job queue, re-check (every EAN)": queue(True),
        "counts by status": lambda: store.counts(con, "FR"),
        "results count + first page": lambda: (store.results_count(con, "FR"), store.results_page(con, "FR")),
        "results filtered MULTIPLE, page 1": lambda: store.results_page(con, "FR", statuses=("MULTIPLE",)),
        "results searched 'SKU-4242'": lambda: store.results_page(con, "FR", search="SKU-4242"),
        "EANs waiting for a choice (500)": lambda: store.eans_needing_choice(con, "FR"),
        "CSV export of every result row": lambda: reports.to_csv_bytes(store.results_frame(con, "FR")),
        "asin_for_sku_sql (count)": lambda: con.execute(
            f"SELECT count(*) FROM ({store.asin_for_sku_sql('FR')})").fetchone(),
    }
    for label, fn in cases.items():
        t = timed(fn, repeat)
        print(f"{label:42s}: {t:7.3f} s  ×{t / base:6.1f} baseline")
    con.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"duckdb {duckdb.__version__}, {os.cpu_count()} cores; medians of {args.repeat}")
    for n in args.sizes:
        bench(n, args.repeat)


if __name__ == "__main__":
    main()
