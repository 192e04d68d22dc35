"""Catalogue category → Amazon product type (and browse node), per marketplace.

Table ``category_product_types`` holds the user's choices. Categories without a choice get a
suggestion from :data:`SUGGESTIONS` (keywords of French/English category names → product type names
of Amazon's Product Type Definitions), then the mapping row's fallback (``PRODUCT``, the generic type).
"""
from __future__ import annotations

import re

import duckdb
import pandas as pd

from core.catalog.store import has_catalogue
from core.selection import sql_literal

SCHEMA = """
CREATE TABLE IF NOT EXISTS category_product_types (
    marketplace  VARCHAR,
    category     VARCHAR,
    product_type VARCHAR,
    browse_node  VARCHAR,
    updated_at   TIMESTAMP DEFAULT current_timestamp,
    PRIMARY KEY (marketplace, category)
);
"""

# (regex over the category lower-cased without accents, product type). First match wins.
SUGGESTIONS: tuple[tuple[str, str], ...] = (
    (r"lampe|luminaire|eclairage|ampoule|lamp|lighting", "LAMP"),
    (r"valise|bagage|luggage|suitcase", "LUGGAGE"),
    (r"livre|book", "ABIS_BOOK"),
    (r"chaussure|basket|shoe|sneaker", "SHOES"),
    (r"t-shirt|chemise|vetement|shirt|clothing", "SHIRT"),
    (r"jeu de societe|board game", "BOARD_GAME"),
    (r"jouet|peluche|toy", "TOY_FIGURE"),
    (r"cuisine|ustensile|casserole|kitchen", "KITCHEN"),
    (r"bricolage|outil|tool", "TOOLS"),
    (r"jardin|garden|outdoor", "OUTDOOR_LIVING"),
    (r"sport|fitness", "SPORTING_GOODS"),
    (r"beaute|cosmetique|maquillage|beauty", "BEAUTY"),
    (r"sante|hygiene|health", "HEALTH_PERSONAL_CARE"),
    (r"animal|animaux|chien|chat|pet", "PET_SUPPLIES"),
    (r"bureau|papeterie|fourniture|office", "OFFICE_PRODUCTS"),
    (r"electronique|audio|hifi|electronic", "CONSUMER_ELECTRONICS"),
    (r"maison|deco|linge|home", "HOME"),
)

PRODUCT_TYPE_RE = re.compile(r"[A-Z][A-Z0-9_]{1,63}")
BROWSE_NODE_RE = re.compile(r"\d{1,20}")


def suggestion_sql(category_expr: str) -> str:
    """SQL expression: the suggested product type for the category in ``category_expr`` (or NULL)."""
    key = f"strip_accents(lower({category_expr}))"
    whens = " ".join(f"WHEN regexp_matches({key}, {sql_literal(rx)}) THEN {sql_literal(pt)}"
                     for rx, pt in SUGGESTIONS)
    return f"CASE {whens} END"


def table(con: duckdb.DuckDBPyConnection, marketplace: str) -> pd.DataFrame:
    """Every category of the catalogue (and every saved one) with its product type and browse node.

    Columns: category, product_type (saved, else suggested), browse_node, suggested (bool).
    """
    cats = "SELECT DISTINCT category FROM products WHERE category IS NOT NULL" if has_catalogue(con) \
        else "SELECT NULL::VARCHAR AS category WHERE false"
    return con.execute(
        f"""SELECT k.category,
                   coalesce(nullif(s.product_type, ''), {suggestion_sql('k.category')}, 'PRODUCT') AS product_type,
                   coalesce(s.browse_node, '') AS browse_node,
                   s.product_type IS NULL OR s.product_type = '' AS suggested
            FROM ({cats} UNION SELECT category FROM category_product_types WHERE marketplace = ?) k
            LEFT JOIN category_product_types s ON s.marketplace = ? AND s.category = k.category
            ORDER BY k.category""", [marketplace, marketplace]).df()


def validate(rows: list[dict]) -> list[tuple[int, str, str]]:
    """Problems in edited rows as (row index, column, message key); empty when all are acceptable."""
    problems = []
    for i, r in enumerate(rows):
        pt = str(r.get("product_type") or "").strip()
        node = str(r.get("browse_node") or "").strip()
        if pt and not PRODUCT_TYPE_RE.fullmatch(pt):
            problems.append((i, "product_type", "mapping.errors.product_type"))
        if node and not BROWSE_NODE_RE.fullmatch(node):
            problems.append((i, "browse_node", "mapping.errors.browse_node"))
        if not str(r.get("category") or "").strip():
            problems.append((i, "category", "mapping.errors.category"))
    return problems


def save(con: duckdb.DuckDBPyConnection, marketplace: str, rows: list[dict]) -> None:
    """Store the product type and browse node of each category of ``rows`` (validated first)."""
    if validate(rows):
        raise ValueError("invalid category rows")
    data = [[marketplace, str(r["category"]).strip(), str(r.get("product_type") or "").strip(),
             str(r.get("browse_node") or "").strip()] for r in rows]
    con.execute("BEGIN TRANSACTION")
    try:
        if data:
            con.executemany(
                "INSERT OR REPLACE INTO category_product_types (marketplace, category, product_type, browse_node) "
                "VALUES (?, ?, ?, ?)", data)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
