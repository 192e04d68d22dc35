"""Benchmark: building the SP-API JSON listings of a catalogue, set-based in DuckDB vs a Python loop.

Usage: ``python bench/bench_api_export.py [--products 100000] [--runs 3]``

A synthetic catalogue of ``--products`` products (canonical columns, 5 images, 4 bullets, HTML-free
descriptions) is generated in DuckDB. Timed, median of ``--runs``:

- ``duckdb``: :func:`core.listings.listings_sql` — every putListingsItem body in one statement,
  materialised into a table (what :func:`core.exports.api_export.prepare` does);
- ``python`` (baseline): the same mapped rows (the same :func:`core.mapping.query.mapped_sql`) fetched
  and turned into the same bodies by a Python loop with ``json.dumps``;
- ``feed``: one JSON_LISTINGS_FEED document of 25,000 messages (:func:`core.listings.feed_document_sql`).

The two builds are cross-checked (parsed bodies equal on a sample of 200 products). Prints the figures
and the ratio python / duckdb; writes ``bench/out/bench_api_export.json``.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core import db  # noqa: E402
from timing import median_time  # noqa: E402
from core.listings import BuildOptions, feed_document_sql, listings_sql  # noqa: E402
from core.mapping.default import DEFAULT_MAPPING  # noqa: E402
from core.mapping.query import mapped_sql  # noqa: E402
from core.marketplaces import marketplace  # noqa: E402

MARKET = marketplace("FR")
MP, LANG = MARKET.marketplace_id, MARKET.language_tag


def make_catalogue(con, n: int) -> None:
    con.execute(f"""
        CREATE OR REPLACE TABLE products AS
        SELECT i AS _row, 'SKU-' || lpad(CAST(i AS VARCHAR), 7, '0') AS sku,
               'Marque ' || (i % 50) || ' Lampe de bureau LED modèle ' || i AS title,
               'Lampe LED orientable, bras articulé, modèle ' || i AS description,
               round(5 + (i % 500) * 0.37, 2) AS price, CAST(round(5 + (i % 500) * 0.37, 2) AS VARCHAR) AS price_raw,
               CAST(i % 200 AS BIGINT) AS stock_quantity, CAST(i % 200 AS VARCHAR) AS stock_quantity_raw,
               [ 'https://cdn.example.com/' || i || '-' || k || '.jpg' FOR k IN range(5) ] AS images,
               'Marque ' || (i % 50) AS brand, 'Marque ' || (i % 50) || ' SAS' AS manufacturer,
               CAST(4000000000000 + i AS VARCHAR) AS ean, CAST(100 + i % 3000 AS DOUBLE) AS weight,
               CAST(100 + i % 3000 AS VARCHAR) AS weight_raw,
               [ 'Point fort ' || k || ' du produit ' || i FOR k IN range(4) ] AS bullet_points,
               (['Maison', 'Cuisine', 'Jardin', 'Jouets'])[1 + i % 4] AS category, 'Fournisseur' AS supplier,
               false AS gtin_exempt, 'Lampe LED orientable, bras articulé, modèle ' || i AS description_text
        FROM range(1, {n + 1}) t(i)""")


def python_bodies(con, opts: BuildOptions) -> dict[str, str]:
    """The baseline: fetch the mapped rows, build each body in Python (same shapes as core.listings)."""
    cur = con.execute(mapped_sql(con, DEFAULT_MAPPING, MARKET.code))
    names = [d[0] for d in cur.description]
    out = {}
    for values in cur.fetchall():
        r = dict(zip(names, values))
        a: dict = {}

        def text(name, value):
            if value and value.strip():
                a[name] = [{"value": value, "language_tag": LANG, "marketplace_id": MP}]

        text("item_name", r["item_name"])
        text("brand", r["brand_name"])
        text("manufacturer", r["manufacturer"])
        text("product_description", r["product_description"])
        bullets = [b.strip() for b in (r[f"bullet_point{i}"] for i in range(1, 6)) if b and b.strip()]
        if bullets:
            a["bullet_point"] = [{"value": b, "language_tag": LANG, "marketplace_id": MP} for b in bullets]
        if r["external_product_id"] and r["external_product_id_type"]:
            a["externally_assigned_product_identifier"] = [
                {"type": r["external_product_id_type"].lower(), "value": r["external_product_id"], "marketplace_id": MP}]
        a["condition_type"] = [{"value": opts.condition_type, "marketplace_id": MP}]
        if r["standard_price"]:
            a["purchasable_offer"] = [{"marketplace_id": MP, "currency": MARKET.currency, "audience": "ALL",
                                       "our_price": [{"schedule": [{"value_with_tax": round(float(r["standard_price"]), 2)}]}]}]
        if r["quantity"]:
            a["fulfillment_availability"] = [{"fulfillment_channel_code": "DEFAULT", "quantity": int(r["quantity"])}]
        if r["item_weight"] and r["item_weight_unit_of_measure"] == "KG":
            a["item_weight"] = [{"value": float(r["item_weight"]), "unit": "kilograms", "marketplace_id": MP}]
        if r["main_image_url"]:
            a["main_product_image_locator"] = [{"media_location": r["main_image_url"], "marketplace_id": MP}]
        for i in range(1, 9):
            if r[f"other_image_url{i}"]:
                a[f"other_product_image_locator_{i}"] = [{"media_location": r[f"other_image_url{i}"], "marketplace_id": MP}]
        out[r["_sku"]] = json.dumps({"productType": r["feed_product_type"] or "PRODUCT", "requirements": "LISTING",
                                     "attributes": a}, ensure_ascii=False)
    return out


timed = median_time     # (seconds, last result)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--products", type=int, default=100_000)
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args(argv)
    con = db.connect(":memory:")
    make_catalogue(con, args.products)
    opts = BuildOptions(MARKET)
    sql = listings_sql(con, DEFAULT_MAPPING, opts)

    def duck():
        con.execute(f"CREATE OR REPLACE TABLE built AS {sql}")
        return con.execute("SELECT count(*), sum(length(body)) FROM built").fetchone()

    t_duck, (rows, size) = timed(duck, args.runs)
    t_py, py = timed(lambda: python_bodies(con, opts), args.runs)
    sample = con.execute("SELECT sku, body FROM built USING SAMPLE 200 ROWS").fetchall()
    mismatched = [s for s, b in sample if json.loads(b) != json.loads(py[s])]
    feed_sql = feed_document_sql("SELECT row_number() OVER (ORDER BY _row) AS message_id, sku, body FROM built "
                                 "ORDER BY _row LIMIT 25000", "A2SELLER", LANG)
    t_feed, doc = timed(lambda: con.execute(feed_sql).fetchone()[0], args.runs)
    n_messages = len(json.loads(doc)["messages"])
    figures = {"products": args.products, "duckdb_s": round(t_duck, 3), "python_s": round(t_py, 3),
               "ratio_python_over_duckdb": round(t_py / t_duck, 2), "bodies_mb": round(size / 1e6, 1),
               "cross_check_mismatches": len(mismatched), "feed_messages": n_messages,
               "feed_build_s": round(t_feed, 3), "feed_mb": round(len(doc.encode()) / 1e6, 1)}
    print(f"{rows:,} bodies ({figures['bodies_mb']} MB): DuckDB {t_duck:.2f} s, Python loop {t_py:.2f} s "
          f"-> ratio {figures['ratio_python_over_duckdb']}x; cross-check mismatches: {len(mismatched)}/200")
    print(f"JSON_LISTINGS_FEED document of {n_messages:,} messages: {t_feed:.2f} s, {figures['feed_mb']} MB")
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "bench_api_export.json").write_text(json.dumps(figures, indent=2))
    return 1 if mismatched else 0


if __name__ == "__main__":
    sys.exit(main())
