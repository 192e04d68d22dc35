"""Read the catalogue one page at a time, for screens: never more than a page of rows leaves DuckDB.

Filters (category, supplier, hand-picked, text search over SKU, title and EAN) are SQL predicates;
counting and paging run in DuckDB, so a 1,000,000-product catalogue costs the browser one page.
"""
from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from core.catalog.store import PRODUCTS, has_catalogue
from core.selection import Selection, where_sql
from core.selection import load as load_selection

PAGE_COLUMNS = ("sku", "title", "ean", "price", "stock_quantity", "brand", "category", "supplier")
FACETS = ("category", "supplier")
MAX_FACET_VALUES = 5000


def distinct_values(con: duckdb.DuckDBPyConnection, column: str) -> list[str]:
    """Distinct non-empty values of ``category`` or ``supplier``, alphabetical."""
    if column not in FACETS:
        raise ValueError(f"not a facet column: {column}")
    if not has_catalogue(con):
        return []
    rows = con.execute(
        f"SELECT DISTINCT {column} FROM {PRODUCTS} WHERE {column} IS NOT NULL AND trim({column}) <> '' "
        f"ORDER BY 1 LIMIT {MAX_FACET_VALUES}").fetchall()
    return [r[0] for r in rows]


@dataclass(frozen=True)
class ProductQuery:
    """Which products a screen shows: a selection, an optional search text and optional SKU list."""
    selection: Selection = Selection()
    search: str = ""
    only_skus: tuple[str, ...] | None = None   # hand-picked SKUs not saved yet (None: no restriction)

    def where(self) -> tuple[str, list]:
        """SQL predicate over ``products AS p`` and its parameters."""
        clause, params = [where_sql(self.selection, "p")], []
        text = self.search.strip().lower()
        if text:
            clause.append("(contains(lower(p.sku), ?) OR contains(lower(p.title), ?) OR contains(lower(p.ean), ?))")
            params += [text, text, text]
        if self.only_skus is not None:
            clause.append("p.sku IN (SELECT unnest(?::VARCHAR[]))")
            params.append(list(self.only_skus))
        return " AND ".join(clause), params


def count(con: duckdb.DuckDBPyConnection, query: ProductQuery) -> int:
    """How many products ``query`` matches."""
    if not has_catalogue(con):
        return 0
    where, params = query.where()
    return int(con.execute(f"SELECT count(*) FROM {PRODUCTS} AS p WHERE {where}", params).fetchone()[0])


def page(con: duckdb.DuckDBPyConnection, query: ProductQuery, *, page_size: int = 50,
         page_number: int = 1) -> pd.DataFrame:
    """One page (1-based) of the matching products, in file order, with :data:`PAGE_COLUMNS`."""
    if not has_catalogue(con):
        return pd.DataFrame(columns=list(PAGE_COLUMNS))
    where, params = query.where()
    page_size = max(1, min(int(page_size), 500))
    offset = (max(1, int(page_number)) - 1) * page_size
    cols = ", ".join(f"p.{c}" for c in PAGE_COLUMNS)
    return con.execute(f"SELECT {cols} FROM {PRODUCTS} AS p WHERE {where} ORDER BY p._row "
                       f"LIMIT {page_size} OFFSET {offset}", params).df()


def existing_skus(con: duckdb.DuckDBPyConnection, skus: list[str]) -> list[str]:
    """The subset of ``skus`` present in the catalogue (re-validates what a browser sent back)."""
    if not skus or not has_catalogue(con):
        return []
    rows = con.execute(f"SELECT DISTINCT sku FROM {PRODUCTS} WHERE sku IN (SELECT unnest(?::VARCHAR[]))",
                       [list(skus)]).fetchall()
    return sorted(r[0] for r in rows)


def selection_size(con: duckdb.DuckDBPyConnection, name: str) -> int:
    """How many products the saved selection ``name`` ("" = all products) holds now."""
    return count(con, ProductQuery(load_selection(con, name)))
