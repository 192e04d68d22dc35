"""Where the catalogue lives in DuckDB, and its status.

Table ``products`` (created by each import, replaced atomically): the canonical columns of
:mod:`core.catalog.columns`, ``<name>_raw`` text for numeric ones, plus
``_row`` (1-based record number of the product in the imported file, header excluded: the line a
spreadsheet shows is ``_row + 1`` for CSV/XLSX, the record number for JSON/Parquet),
``description_text`` (description converted from HTML to plain text once per import; what rules read
and what exports send) and every other column of the file, kept under its own (quoted) name.
Contract: the rows are stored in increasing ``_row`` order (``rowid`` order is ``_row`` order; the
import writes them in file order, tests/unit/test_catalog_formats.py checks it), so a reader that wants
file order (the Flat File export) may scan ``products`` without ``ORDER BY _row``; a plain scan returns
rows in storage order when ``preserve_insertion_order`` is on for that statement. Any other writer of
``products`` must keep this order.

Table ``catalog_imports``: one row per import attempt, successful or not. The ``import_id`` of the
last successful one (:func:`current_import_id`) identifies the catalogue now in ``products``: a
module that stores results about products can keep it and tell when they are stale.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

from core.db import table_exists

SCHEMA = """
CREATE SEQUENCE IF NOT EXISTS catalog_import_seq;
CREATE TABLE IF NOT EXISTS catalog_imports (
    import_id    BIGINT PRIMARY KEY DEFAULT nextval('catalog_import_seq'),
    file_name    VARCHAR,
    file_format  VARCHAR,
    encoding     VARCHAR,
    delimiter    VARCHAR,
    started_at   TIMESTAMP DEFAULT current_timestamp,
    finished_at  TIMESTAMP,
    status       VARCHAR,          -- ok | failed
    row_count    BIGINT,
    duplicate_skus BIGINT,
    column_map   JSON,             -- canonical name -> file column
    error_code   VARCHAR,          -- message key of the failure, when failed
    error_params JSON
);
"""

PRODUCTS = "products"


@dataclass(frozen=True)
class CatalogueStatus:
    products: int
    categories: int
    suppliers: int
    last_import: datetime | None
    last_file: str | None


def has_catalogue(con: duckdb.DuckDBPyConnection) -> bool:
    """True when a catalogue has been imported."""
    return table_exists(con, PRODUCTS)


def catalogue_status(con: duckdb.DuckDBPyConnection) -> CatalogueStatus:
    """Counts of products, categories and suppliers, and the last successful import."""
    last = con.execute(
        "SELECT finished_at, file_name FROM catalog_imports WHERE status = 'ok' "
        "ORDER BY import_id DESC LIMIT 1"
    ).fetchone()
    if not has_catalogue(con):
        return CatalogueStatus(0, 0, 0, None, None)
    n, cats, sups = con.execute(
        f"SELECT count(*), count(DISTINCT category), count(DISTINCT supplier) FROM {PRODUCTS}"
    ).fetchone()
    return CatalogueStatus(int(n), int(cats), int(sups), last[0] if last else None, last[1] if last else None)


def current_import_id(con: duckdb.DuckDBPyConnection) -> int | None:
    """``import_id`` of the catalogue now in ``products`` (None before the first import)."""
    row = con.execute("SELECT max(import_id) FROM catalog_imports WHERE status = 'ok'").fetchone()
    return int(row[0]) if row and row[0] is not None else None
