"""Read side of the violations for the Qualité page: aggregates, filter options, one page of rows,
a product's fields with their problems, and the filtered export. All aggregation happens in SQL;
only a page of rows (or an explicitly requested export) ever reaches Python.

Violations are joined to ``violation_products`` (one row per violating SKU with its category and
supplier, written by each rules run) rather than to the whole catalogue.
"""
from __future__ import annotations

import duckdb
import pandas as pd

from core.catalog.columns import CANONICAL_NAMES
from core.catalog.store import PRODUCTS
from core.db import quote_ident, table_exists
from core.rules.store import where_sql
from core.selection import sql_literal

FILTER_KEYS: tuple[str, ...] = ("code", "severity", "field", "category", "supplier")
TABLE_COLUMNS: tuple[str, ...] = ("sku", "severity", "code", "field", "value", "message", "hint", "category", "supplier")
EXPORT_MAX_ROWS = 1_000_000        # an XLSX sheet holds 1,048,576 rows
_SEVERITY_ORDER = "CASE v.severity WHEN 'ERROR' THEN 0 WHEN 'WARNING' THEN 1 ELSE 2 END"
_FROM = "violations AS v LEFT JOIN violation_products AS p ON p.sku = v.sku"


def _where(filters: dict[str, list[str]] | None) -> str:
    return where_sql({k: v for k, v in (filters or {}).items() if k in FILTER_KEYS})


def counts_by(con: duckdb.DuckDBPyConnection, dimension: str, filters: dict | None = None, top: int = 25) -> pd.DataFrame:
    """Violations per ``dimension`` (code, category or supplier) and severity: columns label, severity, n.
    Only the ``top`` labels with most violations are kept (charts stay readable on big catalogues)."""
    column = {"code": "v.code", "category": "p.category", "supplier": "p.supplier"}[dimension]
    return con.execute(f"""
        WITH c AS (SELECT coalesce({column}, '') AS label, v.severity, count(*) AS n FROM {_FROM}
                   WHERE {_where(filters)} GROUP BY ALL),
             t AS (SELECT label FROM c GROUP BY label ORDER BY sum(n) DESC, label LIMIT {int(top)})
        SELECT c.* FROM c JOIN t USING (label) ORDER BY label, severity""").df()


def filter_options(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """The values each filter can take, from the current violations."""
    out = {}
    for key in FILTER_KEYS:
        column = f"v.{key}" if key in ("code", "severity", "field") else f"p.{key}"
        out[key] = [r[0] for r in con.execute(
            f"SELECT DISTINCT {column} FROM {_FROM} WHERE {column} IS NOT NULL ORDER BY 1").fetchall()]
    return out


def count_rows(con: duckdb.DuckDBPyConnection, filters: dict | None = None) -> int:
    """Number of violations matching ``filters``."""
    return int(con.execute(f"SELECT count(*) FROM {_FROM} WHERE {_where(filters)}").fetchone()[0])


def _rows_sql(filters: dict | None) -> str:
    cols = ", ".join(f"p.{c}" if c in ("category", "supplier") else f"v.{c}" for c in TABLE_COLUMNS)
    return (f"SELECT {cols} FROM {_FROM} WHERE {_where(filters)} "
            f"ORDER BY {_SEVERITY_ORDER}, v.code, v.sku, v.field")


def page_rows(con: duckdb.DuckDBPyConnection, filters: dict | None, page: int, size: int) -> pd.DataFrame:
    """One page (1-based) of the filtered violations, errors first."""
    offset = max(0, int(page) - 1) * int(size)
    return con.execute(f"{_rows_sql(filters)} LIMIT {int(size)} OFFSET {offset}").df()


def export_rows(con: duckdb.DuckDBPyConnection, filters: dict | None = None) -> pd.DataFrame:
    """Every filtered violation (at most :data:`EXPORT_MAX_ROWS`), for the CSV/XLSX download."""
    return con.execute(f"{_rows_sql(filters)} LIMIT {EXPORT_MAX_ROWS}").df()


def product_view(con: duckdb.DuckDBPyConnection, sku: str) -> pd.DataFrame:
    """The canonical fields of the product ``sku`` (first one if duplicated), one row per field, with
    the worst severity and the messages of its violations: columns field, value, severity, problems."""
    if not table_exists(con, PRODUCTS):
        return pd.DataFrame(columns=["field", "value", "severity", "problems"])
    present = {r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ?",
        [PRODUCTS]).fetchall()}
    fields = [c for c in CANONICAL_NAMES if c in present]
    if not fields:
        return pd.DataFrame(columns=["field", "value", "severity", "problems"])
    # Lists and numbers shown as text; NULL as ''. UNPIVOT keeps it one statement.
    casts = ", ".join(f"coalesce(CAST({quote_ident(c)} AS VARCHAR), '') AS {quote_ident(c)}" for c in fields)
    return con.execute(f"""
        WITH prod AS (SELECT {casts} FROM {PRODUCTS} WHERE sku = {sql_literal(sku)} LIMIT 1),
             fields AS (UNPIVOT prod ON {', '.join(quote_ident(c) for c in fields)} INTO NAME field VALUE value),
             problems AS (
                SELECT field,
                       min(CASE severity WHEN 'ERROR' THEN 0 WHEN 'WARNING' THEN 1 ELSE 2 END) AS rank,
                       string_agg(message, ' · ' ORDER BY severity, code) AS problems
                FROM violations WHERE sku = {sql_literal(sku)} GROUP BY 1)
        SELECT f.field, f.value,
               CASE p.rank WHEN 0 THEN 'ERROR' WHEN 1 THEN 'WARNING' WHEN 2 THEN 'INFO' END AS severity,
               coalesce(p.problems, '') AS problems
        FROM fields f LEFT JOIN problems p USING (field)
        ORDER BY list_position({[*fields]!r}, f.field)""").df()


def violating_skus(con: duckdb.DuckDBPyConnection, filters: dict | None = None, limit: int = 200) -> list[str]:
    """The first ``limit`` SKUs with a violation matching ``filters`` (errors first)."""
    return [r[0] for r in con.execute(
        f"SELECT v.sku FROM {_FROM} WHERE {_where(filters)} AND v.sku IS NOT NULL "
        f"GROUP BY v.sku ORDER BY min({_SEVERITY_ORDER}), v.sku LIMIT {int(limit)}").fetchall()]
