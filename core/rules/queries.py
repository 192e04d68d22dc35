"""Read side of the violations for the Qualité page: aggregates, filter options, one page of rows,
a product's fields with their problems, and the filtered export. All aggregation happens in SQL;
only a page of rows (or an explicitly requested export) ever reaches Python.

They read ``violation_rows``: the violations with the category and supplier of their product (for
the rule rows, those of the hit product kept by the run), never the whole catalogue.
"""
from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from core.catalog.columns import CANONICAL_NAMES
from core.catalog.store import PRODUCTS
from core.db import quote_ident, table_exists
from core.rules.store import OTHER_TABLE, RULE_CHECKS, RULE_HITS, SEVERITY_RANK, other_rows_sql, where_sql
from core.selection import sql_literal

FILTER_KEYS: tuple[str, ...] = ("code", "severity", "field", "category", "supplier")
TABLE_COLUMNS: tuple[str, ...] = ("sku", "severity", "code", "field", "value", "message", "hint", "category", "supplier")
EXPORT_MAX_ROWS = 1_000_000        # an XLSX sheet holds 1,048,576 rows
_SEVERITY_ORDER = "CASE v.severity WHEN 'ERROR' THEN 0 WHEN 'WARNING' THEN 1 ELSE 2 END"
_FROM = "violation_rows AS v"
_PRODUCT = {"category": "v.product_category", "supplier": "v.product_supplier"}


def _where(filters: dict[str, list[str]] | None) -> str:
    return where_sql({k: v for k, v in (filters or {}).items() if k in FILTER_KEYS})


# --- the rule rows, read from the hit masks ----------------------------------------------------------
# Most violations are rule rows: bit k of a hit product's masks (store.RULE_HITS) is check k
# (store.RULE_CHECKS). Counts and filter options are computed from the masks (products grouped by
# mask value, then one row per set bit): no rule row is rendered, none is even unnested per product.

@dataclass(frozen=True)
class _RulePart:
    """The rule checks a filter keeps, as bits per mask column, and the SQL predicate over ``h``."""
    checks: list[tuple]                 # (k, mask, bit, code, field, severity) of the kept checks
    bits: dict[str, int]                # mask column -> bits of the kept checks
    where: str                          # hit-product predicate (category, supplier, any kept bit)

    def severity_bits(self, severity: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for _k, mask, bit, _code, _field, sev in self.checks:
            if sev == severity:
                out[mask] = out.get(mask, 0) | bit
        return out


def _rule_part(con: duckdb.DuckDBPyConnection, filters: dict | None) -> _RulePart | None:
    filters = {k: v for k, v in (filters or {}).items() if v}
    checks = [c for c in con.execute(f"SELECT k, mask, bit, code, field, severity FROM {RULE_CHECKS} ORDER BY k").fetchall()
              if all(c[i] in filters.get(key, [c[i]]) for i, key in ((3, "code"), (4, "field"), (5, "severity")))]
    if not checks:
        return None
    bits: dict[str, int] = {}
    for _k, mask, bit, *_ in checks:
        bits[mask] = bits.get(mask, 0) | bit
    clauses = ["(" + " OR ".join(f"h.{m} & {b} <> 0" for m, b in bits.items()) + ")"]
    for key, column in (("category", "h.category"), ("supplier", "h.supplier")):
        if filters.get(key):
            clauses.append(f"{column} IN ({', '.join(sql_literal(v) for v in filters[key])})")
    return _RulePart(checks, bits, " AND ".join(clauses))


def _bit_test(mask: str, bit: str, alias: str = "g") -> str:
    return f"{alias}.{mask} & {bit} <> 0"


def _others(con: duckdb.DuckDBPyConnection, filters: dict | None, products: bool = False) -> str | None:
    """FROM clause of the rows of the other sources (image checks, Amazon) matching ``filters``, as
    ``v``; None when there are none. Read from their table, not through the views: a view's text (one
    CASE branch per check) costs tens of ms to bind, and their products are looked up only when a
    category or supplier is asked for."""
    if not con.execute(f"SELECT EXISTS (SELECT 1 FROM {OTHER_TABLE})").fetchone()[0]:
        return None
    products = products or any((filters or {}).get(k) for k in _PRODUCT)
    return f"({other_rows_sql(con, products, keys=True)}) AS v WHERE {_where(filters)}"


def counts_by(con: duckdb.DuckDBPyConnection, dimension: str, filters: dict | None = None, top: int = 25) -> pd.DataFrame:
    """Violations per ``dimension`` (code, category or supplier) and severity: columns label, severity, n.
    Only the ``top`` labels with most violations are kept (charts stay readable on big catalogues)."""
    column = {"code": "v.code", **_PRODUCT}[dimension]
    others = _others(con, filters, products=dimension in _PRODUCT)
    parts = [f"SELECT coalesce({column}, '') AS label, v.severity, count(*) AS n FROM {others} GROUP BY ALL"] if others else []
    rule = _rule_part(con, filters)
    if rule:
        masks = sorted(rule.bits)
        label = "c.code" if dimension == "code" else f"g.{dimension}"
        grouped = ", ".join(masks) + ("" if dimension == "code" else f", h.{dimension}")
        kept = ", ".join(str(c[0]) for c in rule.checks)
        test = " OR ".join(f"(c.mask = '{m}' AND {_bit_test(m, 'c.bit')})" for m in masks)
        parts.append(f"SELECT coalesce({label}, '') AS label, c.severity, CAST(sum(g.n) AS BIGINT) AS n "
                     f"FROM (SELECT {grouped}, count(*) AS n FROM {RULE_HITS} AS h WHERE {rule.where} GROUP BY ALL) AS g "
                     f"JOIN {RULE_CHECKS} AS c ON ({test}) WHERE c.k IN ({kept}) GROUP BY ALL")
    if not parts:
        parts = ["SELECT NULL::VARCHAR AS label, NULL::VARCHAR AS severity, 0 AS n WHERE false"]
    return con.execute(f"""
        WITH c AS (SELECT label, severity, CAST(sum(n) AS BIGINT) AS n FROM ({' UNION ALL '.join(parts)}) GROUP BY ALL),
             t AS (SELECT label FROM c GROUP BY label ORDER BY sum(n) DESC, label LIMIT {int(top)})
        SELECT c.* FROM c JOIN t USING (label) ORDER BY label, severity""").df()


def _distinct(key: str) -> str:
    return f"list(DISTINCT {_PRODUCT.get(key, 'v.' + key)})"


def filter_options(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """The values each filter can take, from the current violations."""
    rule = _rule_part(con, {})
    present: list[tuple] = []
    if rule:
        masks = sorted(rule.bits)
        union = con.execute(f"SELECT {', '.join(f'bit_or({m})' for m in masks)} FROM {RULE_HITS}").fetchone()
        set_bits = dict(zip(masks, union))
        present = [c for c in rule.checks if (set_bits.get(c[1]) or 0) & c[2]]
    # one row of value lists per store (NULLs dropped below)
    others = _others(con, {}, products=True)
    known = con.execute(f"SELECT {', '.join(_distinct(k) for k in FILTER_KEYS)} "
                        f"FROM {others}").fetchone() if others else [[]] * len(FILTER_KEYS)
    hits = con.execute(f"SELECT list(DISTINCT category), list(DISTINCT supplier) FROM {RULE_HITS}").fetchone() if rule else ([], [])
    out = {}
    for i, key in enumerate(FILTER_KEYS):
        values = set(known[i] or ())
        if key in _PRODUCT:
            values |= set(hits[0 if key == "category" else 1] or ())
        else:
            index = {"code": 3, "field": 4, "severity": 5}[key]
            values |= {c[index] for c in present if c[index] is not None}
        out[key] = sorted(v for v in values if v is not None)
    return out


def count_rows(con: duckdb.DuckDBPyConnection, filters: dict | None = None) -> int:
    """Number of violations matching ``filters``."""
    others = _others(con, filters)
    n = int(con.execute(f"SELECT count(*) FROM {others}").fetchone()[0]) if others else 0
    rule = _rule_part(con, filters)
    if rule:
        bits = " + ".join(f"bit_count(h.{m} & {b})" for m, b in rule.bits.items())
        n += int(con.execute(f"SELECT coalesce(sum({bits}), 0) FROM {RULE_HITS} AS h WHERE {rule.where}").fetchone()[0])
    return n


def _rows_sql(filters: dict | None, keys: bool = False) -> str:
    cols = "v._hit, v._k" if keys else ", ".join(f"{_PRODUCT[c]} AS {c}" if c in _PRODUCT else f"v.{c}" for c in TABLE_COLUMNS)
    return (f"SELECT {cols} FROM {_FROM} WHERE {_where(filters)} "
            f"ORDER BY {_SEVERITY_ORDER}, v.code, v.sku, v.field, v._hit, v._k")   # row keys: no tie across pages


def _keys_sql(con: duckdb.DuckDBPyConnection, filters: dict | None) -> str:
    """(_hit, _k) of the filtered rows in the table's order, from the cheap columns only: the rule rows
    as (hit product, check) pairs joined from the masks, the other rows from their table."""
    order = "ORDER BY r, code, sku, field, _hit, _k"   # the order of _rows_sql
    parts = []
    others = _others(con, filters)
    if others:
        parts.append(f"SELECT {_SEVERITY_ORDER} AS r, v.code, v.sku, v.field, v._hit, v._k FROM {others}")
    rule = _rule_part(con, filters)
    if rule:
        test = " OR ".join(f"(c.mask = '{m}' AND {_bit_test(m, 'c.bit', 'h')})" for m in sorted(rule.bits))
        kept = ", ".join(str(c[0]) for c in rule.checks)
        parts.append(f"SELECT CASE c.severity WHEN 'ERROR' THEN 0 WHEN 'WARNING' THEN 1 ELSE 2 END AS r, c.code, h.sku, "
                     f"c.field, h._rid AS _hit, c.k AS _k FROM {RULE_HITS} AS h JOIN {RULE_CHECKS} AS c ON ({test}) "
                     f"WHERE {rule.where} AND c.k IN ({kept})")
    if not parts:
        return "SELECT NULL::BIGINT AS _hit, NULL::INTEGER AS _k WHERE false"
    return f"SELECT _hit, _k FROM ({' UNION ALL '.join(parts)}) {order}"


def page_rows(con: duckdb.DuckDBPyConnection, filters: dict | None, page: int, size: int) -> pd.DataFrame:
    """One page (1-based) of the filtered violations, errors first.

    Two steps: the page's row keys are sorted from the cheap columns only, then only those rows are
    rendered (value, message, hint): rendering every row before keeping 50 cost seconds at 1M."""
    offset = max(0, int(page) - 1) * int(size)
    keys = con.execute(f"{_keys_sql(con, filters)} LIMIT {int(size)} OFFSET {offset}").fetchall()
    if not keys:
        return con.execute(f"{_rows_sql(filters)} LIMIT 0").df()
    hits = ", ".join(sorted({str(h) for h, _ in keys}))
    order = ", ".join(f"({i}, {h}, {k})" for i, (h, k) in enumerate(keys))
    cols = ", ".join(f"r.{c}" for c in TABLE_COLUMNS)
    inner = ", ".join(f"{_PRODUCT[c]} AS {c}" if c in _PRODUCT else f"v.{c}" for c in TABLE_COLUMNS)
    # The IN list on _hit is pushed down to the scan of the hit products: only their rows are rendered.
    return con.execute(
        f"SELECT {cols} FROM (SELECT {inner}, v._hit, v._k FROM {_FROM} WHERE v._hit IN ({hits})) AS r "
        f"JOIN (VALUES {order}) AS key(pos, _hit, _k) ON r._hit = key._hit AND r._k = key._k ORDER BY key.pos").df()


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
    others = _others(con, filters)
    parts = [f"SELECT v.sku, {_SEVERITY_ORDER} AS r FROM {others} AND v.sku IS NOT NULL"] if others else []
    rule = _rule_part(con, filters)
    if rule:
        # a hit product's worst kept severity, from its masks (no row per violation)
        whens = " ".join(
            f"WHEN {' OR '.join(f'h.{m} & {b} <> 0' for m, b in rule.severity_bits(sev).items())} THEN {rank}"
            for sev, rank in SEVERITY_RANK.items() if rule.severity_bits(sev))
        parts.append(f"SELECT h.sku, CASE {whens} END AS r FROM {RULE_HITS} AS h WHERE {rule.where} AND h.sku IS NOT NULL")
    if not parts:
        return []
    return [r[0] for r in con.execute(
        f"SELECT sku FROM ({' UNION ALL '.join(parts)}) GROUP BY sku ORDER BY min(r), sku LIMIT {int(limit)}").fetchall()]
