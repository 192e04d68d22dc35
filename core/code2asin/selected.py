"""The selection's searchable EANs, computed once per catalogue and selection and kept in DuckDB.

Every run of the Code2ASIN page counts, pages and filters results by joining ``asin_matches`` with
the selection's EANs (each with its SKUs and brand). Working them out means evaluating the EAN rules
and grouping the whole selection: ~10 s on 1,000,000 products. So they are stored in
``code2asin_selected`` under a key that changes whenever the answer could change — the ``products``
table (DuckDB gives a replaced table a new oid; size, last import), the selection's definition and
its last save — and rebuilt only then. Only the latest key is kept.
"""
from __future__ import annotations

import json

import duckdb

from core.catalog.store import PRODUCTS, has_catalogue
from core.code2asin.eligible import MISSING, SKIPPING_RULES, ean13_sql, fails_sql, source_sql
from core.rules.definitions import blank
from core.selection import Selection, sql_literal

SCHEMA = """
CREATE TABLE IF NOT EXISTS code2asin_selected (
    key   VARCHAR NOT NULL,   -- see cache_key()
    ean   VARCHAR NOT NULL,   -- EAN-13 form
    skus  VARCHAR,            -- the selection's SKUs with this EAN, comma-separated
    brand VARCHAR             -- their brand (first non-blank alphabetically)
);
CREATE TABLE IF NOT EXISTS code2asin_selected_meta (
    key      VARCHAR PRIMARY KEY,
    skipped  JSON,            -- products not searched, by rule code
    built_at TIMESTAMP DEFAULT current_timestamp
);
"""


def cache_key(con: duckdb.DuckDBPyConnection, sel: Selection) -> str:
    """What the selection's EANs depend on, as text."""
    table = con.execute("SELECT table_oid, estimated_size FROM duckdb_tables() WHERE schema_name = 'main' "
                        "AND table_name = ?", [PRODUCTS]).fetchone()
    size = con.execute(f"SELECT count(*), max(_row) FROM {PRODUCTS}").fetchone()
    last_import = con.execute("SELECT max(import_id) FROM catalog_imports WHERE status = 'ok'").fetchone()
    saved = con.execute("SELECT updated_at FROM selections WHERE name = ?", [sel.name]).fetchone() if sel.name else None
    return json.dumps([list(table or ()), list(size), last_import[0], sel.name, list(sel.categories),
                       list(sel.suppliers), sel.handpicked, str(saved[0]) if saved else None])


def _build(con: duckdb.DuckDBPyConnection, key: str, sel: Selection) -> None:
    cases = [f"WHEN {blank('p.ean')} THEN '{MISSING}'"] + [f"WHEN {fails_sql(c)} THEN '{c}'" for c in SKIPPING_RULES]
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM code2asin_selected")
        con.execute("DELETE FROM code2asin_selected_meta")
        # One scan: each product's EAN-13 or the reason it is skipped; then the two aggregates.
        # reason IS NULL is exactly ELIGIBLE_SQL (blank, then each skipping rule): the rules run once.
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _c2a_scan AS SELECT sku, brand, reason, "
            f"CASE WHEN reason IS NULL THEN {ean13_sql('ean')} END AS ean FROM ("
            f"SELECT p.sku, p.brand, p.ean, CASE {' '.join(cases)} END AS reason FROM {source_sql(sel)} AS p)")
        con.execute(
            # list_sort per group: half the time of an ordered string_agg (which sorts all rows).
            "INSERT INTO code2asin_selected SELECT ?, ean, array_to_string(list_sort(list(sku)), ', '), "
            "min(nullif(trim(brand), '')) FROM _c2a_scan WHERE ean IS NOT NULL GROUP BY ean", [key])
        skipped = dict(con.execute("SELECT reason, count(*) FROM _c2a_scan WHERE reason IS NOT NULL "
                                   "GROUP BY reason").fetchall())
        con.execute("DROP TABLE _c2a_scan")
        con.execute("INSERT INTO code2asin_selected_meta (key, skipped) VALUES (?, ?)", [key, json.dumps(skipped)])
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def ensure(con: duckdb.DuckDBPyConnection, sel: Selection | None = None) -> str:
    """The key of the selection's EANs, building them first if the catalogue or selection changed."""
    sel = sel or Selection()
    key = cache_key(con, sel)
    if con.execute("SELECT count(*) FROM code2asin_selected_meta WHERE key = ?", [key]).fetchone()[0]:
        return key
    try:
        _build(con, key, sel)
    except (duckdb.TransactionException, duckdb.ConstraintException):
        # Another session built it at the same moment: theirs is as good as ours.
        if not con.execute("SELECT count(*) FROM code2asin_selected_meta WHERE key = ?", [key]).fetchone()[0]:
            raise
    return key


def table_sql(con: duckdb.DuckDBPyConnection, sel: Selection | None = None) -> str:
    """SQL (parenthesised) selecting ``(ean, skus, product_brand)``: the selection's searchable EANs."""
    if not has_catalogue(con):
        return "(SELECT NULL::VARCHAR AS ean, NULL::VARCHAR AS skus, NULL::VARCHAR AS product_brand WHERE false)"
    key = ensure(con, sel)
    return f"(SELECT ean, skus, brand AS product_brand FROM code2asin_selected WHERE key = {sql_literal(key)})"


def skipped(con: duckdb.DuckDBPyConnection, sel: Selection | None = None) -> dict[str, int]:
    """Products of the selection whose EAN is not searched, by rule code (first failing rule)."""
    if not has_catalogue(con):
        return {}
    key = ensure(con, sel)
    row = con.execute("SELECT skipped FROM code2asin_selected_meta WHERE key = ?", [key]).fetchone()
    data = json.loads(row[0]) if row and row[0] else {}
    order = (MISSING, *SKIPPING_RULES)
    return {code: int(data[code]) for code in order if data.get(code)}


def count(con: duckdb.DuckDBPyConnection, sel: Selection | None = None) -> int:
    """How many distinct EANs of the selection Code2ASIN searches."""
    if not has_catalogue(con):
        return 0
    return int(con.execute(f"SELECT count(*) FROM {table_sql(con, sel)}").fetchone()[0])
