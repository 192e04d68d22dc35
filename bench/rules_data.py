"""Synthetic catalogues for bench/bench_rules.py, generated in DuckDB SQL (deterministic: hash of the
row number, no RNG state), shaped like the import's ``products`` table.

About 1 product in 12 carries a defect the rules must catch (long / capitals / promo title, bad EAN,
duplicate SKU or EAN, bad price or quantity, contact details in the description, too many bullets or
images, missing brand…). Descriptions are realistic HTML of ~1 KB, so the HTML-to-text step and the
description rules work on the volume PERFORMANCE-NOTES measured (about 1 GB for 1M products).
"""
from __future__ import annotations

import duckdb

CATEGORIES = ["Maison", "Cuisine", "Jardin", "Bricolage", "Jouets", "Sport", "High-Tech", "Beauté",
              "Bijoux", "Montres", "Papeterie", "Animalerie"]
SUPPLIERS = [f"Fournisseur {c}" for c in "ABCDEFGHIJKLMNOP"]
WORDS = ["lampe", "bureau", "acier", "bois", "coton", "lot", "noir", "blanc", "design", "compact",
         "rechargeable", "pliable", "inox", "verre", "céramique", "ergonomique", "réglable", "LED"]


def _pick(options: list[str], h: str) -> str:
    arr = "[" + ", ".join("'" + o.replace("'", "''") + "'" for o in options) + "]"
    return f"{arr}[1 + ({h}) % {len(options)}]"


def staged_sql(n: int) -> str:
    """SELECT producing ``n`` raw products (description as HTML, numbers as text)."""
    h = lambda k: f"CAST(hash(i, {k}) % 1000003 AS BIGINT)"   # noqa: E731 - a deterministic pseudo-random integer per (row, salt)
    d = f"(i % 97)"                  # defect selector: 0..96, defects on a few values only
    w = lambda k: _pick(WORDS, h(k))  # noqa: E731
    title = (f"{_pick(['Lumina', 'Kidoo', 'Voltix', 'Energym', 'Outilpro', 'Nordlicht'], h(1))} || ' ' || "
             f"{w(2)} || ' ' || {w(3)} || ' ' || {w(4)} || ' ' || {w(5)} || ', ' || (10 + {h(6)} % 90) || ' cm'")
    desc = (f"'<p><strong>' || {w(7)} || '</strong> &ndash; ' || repeat('Un produit pens&eacute; pour durer, "
            f"s&eacute;lectionn&eacute; par nos &eacute;quipes. ', 4 + ({h(8)} % 8)) || '</p><ul><li>' || {w(9)} || "
            f"'</li><li>Garantie 2 ans</li><li>Livr&eacute; avec notice</li></ul><p>Dimensions&nbsp;: ' || "
            f"(10 + {h(10)} % 90) || ' cm.<br>Poids&nbsp;: ' || (50 + {h(11)} % 5000) || '&nbsp;g.</p>'")
    ean12 = f"lpad(CAST(376000000000 + i AS VARCHAR), 12, '0')"
    return f"""
    WITH base AS (SELECT range AS i FROM range({n})),
    raw AS (
      SELECT i,
        CASE WHEN {d} = 1 THEN 'SKU-' || (i - 1) ELSE 'SKU-' || i END AS sku,
        CASE WHEN {d} = 2 THEN repeat({title} || ' ', 5)
             WHEN {d} = 3 THEN upper({title})
             WHEN {d} = 4 THEN {title} || ' - Livraison gratuite'
             WHEN {d} = 5 THEN {title} || ' !'
             WHEN {d} = 6 THEN {title} || ' lampe lampe lampe'
             ELSE {title} END AS title,
        CASE WHEN {d} = 7 THEN '<p> </p>'
             WHEN {d} = 8 THEN {desc} || '<p>Contact : sav@exemple.fr</p>'
             WHEN {d} = 9 THEN {desc} || '<p>Appelez le 01 23 45 67 89</p>'
             WHEN {d} = 10 THEN {desc} || '<p>https://www.exemple.fr/produit</p>'
             ELSE {desc} END AS description,
        CASE WHEN {d} = 11 THEN '' WHEN {d} = 12 THEN 'NC' WHEN {d} = 13 THEN '0'
             WHEN {d} = 14 THEN '19.999' WHEN {d} = 15 THEN '99999'
             ELSE CAST(round(5 + ({h(12)} % 20000) / 100.0, 2) AS VARCHAR) END AS price,
        CASE WHEN {d} = 16 THEN '2.5' WHEN {d} = 17 THEN '' ELSE CAST({h(13)} % 500 AS VARCHAR) END AS stock_quantity,
        CASE WHEN {d} = 18 THEN []::VARCHAR[]
             WHEN {d} = 19 THEN ['ftp://cdn.exemple.fr/' || i || '.jpg']
             WHEN {d} = 20 THEN list_transform(range(12), lambda k: 'https://cdn.exemple.fr/' || i || '-' || k || '.jpg')
             ELSE list_transform(range(1 + {h(14)} % 4), lambda k: 'https://cdn.exemple.fr/' || i || '-' || k || '.jpg') END AS images,
        CASE WHEN {d} = 21 THEN NULL ELSE {_pick(['Lumina', 'Kidoo', 'Voltix', 'Energym', 'Outilpro', 'Nordlicht'], h(1))} END AS brand,
        CASE WHEN {d} = 22 THEN '' ELSE 'Fabricant SAS' END AS manufacturer,
        CASE WHEN {d} = 23 THEN '37600000000' WHEN {d} = 24 THEN '2001234567893' WHEN {d} = 25 THEN '37600A0000001'
             WHEN {d} = 26 THEN NULL WHEN {d} = 27 THEN '3760000000001'
             WHEN {d} = 31 THEN lpad(CAST(376000000000 + i - 1 AS VARCHAR), 12, '0')
             ELSE {ean12} END AS ean12,
        CAST(50 + {h(11)} % 5000 AS VARCHAR) AS weight,
        CASE WHEN {d} = 28 THEN ['a', 'b', 'c', 'd', 'e', 'f', 'g']
             WHEN {d} = 29 THEN ['Garantie 2 ans', ' ']
             ELSE ['Garantie 2 ans', 'Livré avec notice', {w(15)}] END AS bullet_points,
        CASE WHEN {d} = 30 THEN '' ELSE {_pick(CATEGORIES, h(16))} END AS category,
        {_pick(SUPPLIERS, h(17))} AS supplier,
        {d} = 26 AND i % 2 = 0 AS gtin_exempt
      FROM base)
    SELECT i + 1 AS _row, sku, title, description, price, stock_quantity, images, brand, manufacturer,
      -- complete 12 digits into a valid EAN-13 (GS1 check digit), keep the deliberately bad ones
      CASE WHEN ean12 IS NOT NULL AND length(ean12) = 12 AND regexp_full_match(ean12, '[0-9]+') THEN ean12 || CAST(
        (10 - (list_sum(list_transform(range(12), lambda k: CAST(substr(ean12, k + 1, 1) AS INT) * CASE WHEN k % 2 = 1 THEN 3 ELSE 1 END)) % 10)) % 10
        AS VARCHAR) ELSE ean12 END AS ean,
      weight, bullet_points, category, supplier, gtin_exempt
    FROM raw"""


def build(con: duckdb.DuckDBPyConnection, n: int) -> None:
    """(Re)create ``products_staged`` (raw) and ``products`` of ``n`` rows: typed as the import types
    them, with the derived columns (description_text, the rules' content checks) through
    :func:`core.catalog.derived.select_sql`, as the import adds them."""
    from core.catalog import derived, importer
    con.execute(f"CREATE OR REPLACE TABLE products_staged AS {staged_sql(n)}")
    derived.prepare(con)
    con.execute("DROP TABLE IF EXISTS products")
    # as the import writes it: long texts uncompressed, rows in _row order
    importer._write_staging(con, "products", derived.select_sql(typed_sql("products_staged")))


def typed_sql(staged: str) -> str:
    """SELECT of the typed ``products`` columns (no derived ones) from the raw table ``staged``."""
    return f"""SELECT _row, sku, title, description,
        TRY_CAST(price AS DOUBLE) AS price, price AS price_raw,
        TRY_CAST(stock_quantity AS BIGINT) AS stock_quantity, stock_quantity AS stock_quantity_raw,
        images, brand, manufacturer, ean, TRY_CAST(weight AS DOUBLE) AS weight, weight AS weight_raw,
        bullet_points, category, supplier, gtin_exempt
        FROM {staged}"""
