"""Build a ``products`` table straight from Python dicts, shaped exactly as the import makes it
(canonical columns, ``<name>_raw`` for numeric ones, ``_row``, ``description_text``).

For tests of rules, mapping and exports that should not depend on file parsing.
"""
from __future__ import annotations

import json

import duckdb

from core.catalog.columns import COLUMNS
from core.catalog.store import PRODUCTS
from core.db import quote_ident
from core.catalog import derived

BASE = {
    "sku": "SKU-1", "title": "Marque Lampe de bureau LED noire", "description": "<p>Lampe LED.</p>",
    "price": "29.90", "stock_quantity": "5", "images": ["https://cdn.example.com/a.jpg"],
    "brand": "Marque", "manufacturer": "Marque SAS", "ean": "4006381333931", "weight": "1200",
    "bullet_points": ["Éclairage LED 8 W"], "category": "Maison", "supplier": "Fournisseur A",
    "gtin_exempt": False,
}


def product(**overrides) -> dict:
    """A clean product (passes every rule) with ``overrides`` applied."""
    return {**BASE, **overrides}


def make_products(con: duckdb.DuckDBPyConnection, rows: list[dict], extra_columns: tuple[str, ...] = ()) -> None:
    """(Re)create ``products`` from ``rows``: each a dict of canonical names (values as text or lists)."""
    staged = [{"_row": i + 1, **{k: (json.dumps(v) if isinstance(v, list) else v) for k, v in r.items()}}
              for i, r in enumerate(rows)]
    names = ["_row", *[c.name for c in COLUMNS], *extra_columns]
    con.execute("CREATE OR REPLACE TEMP TABLE _staged (" + ", ".join(f"{quote_ident(n)} VARCHAR" for n in names) + ")")
    if staged:
        con.executemany(
            f"INSERT INTO _staged VALUES ({', '.join('?' for _ in names)})",
            [[None if r.get(n) is None else str(r.get(n)) for n in names] for r in staged])
    select = ["CAST(_row AS BIGINT) AS _row"]
    for c in COLUMNS:
        col = quote_ident(c.name)
        if c.sql_type.endswith("[]"):
            select.append(f"CAST(from_json({col}, '[\"VARCHAR\"]') AS VARCHAR[]) AS {col}")
        elif c.sql_type == "BOOLEAN":
            select.append(f"coalesce(TRY_CAST({col} AS BOOLEAN), false) AS {col}")
        else:
            select.append(f"TRY_CAST({col} AS {c.sql_type}) AS {col}")
        if c.keeps_raw:
            select.append(f"{col} AS {quote_ident(c.name + '_raw')}")
    select += [quote_ident(n) for n in extra_columns]
    derived.prepare(con)
    base = f"SELECT {', '.join(select)} FROM _staged"
    con.execute(f"CREATE OR REPLACE TABLE {PRODUCTS} AS {derived.select_sql(base)}")
    con.execute("DROP TABLE _staged")


def load_sample(con: duckdb.DuckDBPyConnection) -> int:
    """Import the shipped sample catalogue through the real importer; the number of products."""
    from core.catalog import sample
    return sample.load(con).rows
