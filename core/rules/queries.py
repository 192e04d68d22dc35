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
from core.rules.store import (OTHER_TABLE, RULE_CHECKS, RULE_HITS, SEVERITY_RANK, hit_products_join, last_run,
                              other_rows_sql, product_reads, where_sql)
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


def _per_check_sql(rule: _RulePart, dimension: str | None = None) -> str:
    """(check k[, dimension], rows) of the kept checks: hit products grouped by mask value (and
    ``dimension``, a column of the hits), then joined to the checks whose bit is set (few groups)."""
    masks = sorted(rule.bits)
    grouped = ", ".join(masks) + (f", h.{dimension}" if dimension else "")
    test = " OR ".join(f"(c.mask = '{m}' AND {_bit_test(m, 'c.bit')})" for m in masks)
    kept = ", ".join(str(c[0]) for c in rule.checks)
    return (f"SELECT c.k{f', g.{dimension}' if dimension else ''}, CAST(sum(g.n) AS BIGINT) AS n "
            f"FROM (SELECT {grouped}, count(*) AS n FROM {RULE_HITS} AS h WHERE {rule.where} GROUP BY ALL) AS g "
            f"JOIN {RULE_CHECKS} AS c ON ({test}) WHERE c.k IN ({kept}) GROUP BY ALL")


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


def _groups(con: duckdb.DuckDBPyConnection, filters: dict | None) -> list[tuple[int, str | None, int]]:
    """(severity rank, code, rows) of the filtered violations in the table's order: the rule rows
    counted per check from the masks, the other rows grouped in SQL (a few dozen groups)."""
    counts: dict[tuple[int, str | None], int] = {}
    others = _others(con, filters)
    if others:
        for r, code, n in con.execute(f"SELECT {_SEVERITY_ORDER}, v.code, count(*) FROM {others} GROUP BY ALL").fetchall():
            counts[(r, code)] = counts.get((r, code), 0) + n
    rule = _rule_part(con, filters)
    if rule:
        by_check = {c[0]: c for c in rule.checks}
        for k, n in con.execute(_per_check_sql(rule)).fetchall():
            key = (SEVERITY_RANK.get(by_check[k][5], 2), by_check[k][3])
            counts[key] = counts.get(key, 0) + int(n)
    # SQL's order: NULL codes last; codes compare as bytes (str order on code points is the same)
    return [(r, code, n) for (r, code), n in sorted(counts.items(), key=lambda i: (i[0][0], i[0][1] is None,
                                                                                    i[0][1] or "")) if n]


def _keys_sql(con: duckdb.DuckDBPyConnection, filters: dict | None,
              groups: list[tuple[int, str | None]] | None = None) -> str:
    """(_hit, _k) of the filtered rows in the table's order, from the cheap columns only: the rule rows
    as (hit product, check) pairs joined from the masks, the other rows from their table. ``groups``:
    only the rows of these (severity rank, code) pairs (a page's), the rule checks narrowed to them."""
    order = "ORDER BY r, code, sku, field, _hit, _k"   # the order of _rows_sql
    if groups is not None:
        filters = {**(filters or {}), "code": sorted({c for _, c in groups if c is not None}) or ["\x00none"]}
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
    exact = ""
    if groups is not None:   # a code can have two severities (an image check: main vs other images)
        exact = "WHERE " + " OR ".join(f"(r = {r} AND code = {sql_literal(c)})" for r, c in groups if c is not None)
    return f"SELECT _hit, _k FROM ({' UNION ALL '.join(parts)}) {exact} {order}"


def page_rows(con: duckdb.DuckDBPyConnection, filters: dict | None, page: int, size: int) -> pd.DataFrame:
    """One page (1-based) of the filtered violations, errors first.

    Two steps: the page's row keys are sorted from the cheap columns only, then only those rows are
    rendered (value, message, hint): rendering every row before keeping 50 cost seconds at 1M. The
    rows are ordered by severity and code first: the counts per (severity, code) tell which groups the
    page falls in, and only their keys are sorted (not all 834k at 1M)."""
    offset, size = max(0, int(page) - 1) * int(size), int(size)
    groups = _groups(con, filters)
    if any(code is None for _, code, _ in groups):
        sql, skip = _keys_sql(con, filters), offset   # rows without a code: sort every key
    else:
        before, covered, window = 0, 0, []
        for r, code, n in groups:
            if not window and before + n <= offset:
                before += n             # a whole group before the page
                continue
            window.append((r, code))
            covered += n
            if before + covered >= offset + size:
                break
        sql, skip = (_keys_sql(con, filters, window), offset - before) if window else (None, 0)
    keys = con.execute(f"{sql} LIMIT {size} OFFSET {skip}").fetchall() if sql else []
    if not keys:
        return con.execute(f"{_rows_sql(filters)} LIMIT 0").df()
    order = ", ".join(f"({i}, {h}, {k})" for i, (h, k) in enumerate(keys))
    cols = ", ".join(f"r.{c}" for c in TABLE_COLUMNS)
    inner = ", ".join(f"{_PRODUCT[c]} AS {c}" if c in _PRODUCT else f"v.{c}" for c in TABLE_COLUMNS)
    return con.execute(
        f"SELECT {cols} FROM (SELECT {inner}, v._hit, v._k FROM ({_render_sql(con, keys)}) AS v) AS r "
        f"JOIN (VALUES {order}) AS key(pos, _hit, _k) ON r._hit = key._hit AND r._k = key._k ORDER BY key.pos").df()


def _render_sql(con: duckdb.DuckDBPyConnection, keys: list[tuple[int, int]]) -> str:
    """The rows of ``keys`` (_hit, _k) in the columns of ``violation_rows``, rendered from the SQL of
    their checks only (rule_checks): neither the whole view's CASE (~40 ms to bind) nor its unnest
    of every hit product (a filter on the view is not pushed below it)."""
    parts = []
    rule_keys = [(h, k) for h, k in keys if k >= 0]
    if rule_keys:
        checks = con.execute(f"SELECT k, field, amazon_attribute, code, severity, category, value_sql, message_sql, "
                             f"hint_sql FROM {RULE_CHECKS} WHERE k IN ({', '.join(sorted({str(k) for _, k in rule_keys}))})"
                             ).fetchall()
        # the products columns these checks' messages quote, fetched for these rows only (by row id)
        reads = product_reads(con, (sql for c in checks for sql in c[6:9]))
        fetched = "".join(f", pr.{quote_ident(c)}" for c in reads)
        run = last_run(con)
        join = hit_products_join(reads, run.import_id if run else None, rowids=(h for h, _ in rule_keys))

        def case(i: int, literal: bool) -> str:
            return "CASE p._k " + " ".join(f"WHEN {c[0]} THEN {sql_literal(c[i]) if literal else c[i]}"
                                           for c in checks) + " END"
        pairs = ", ".join(f"({h}, {k})" for h, k in rule_keys)
        parts.append(
            f"SELECT 'rule' AS source, p.sku, {case(1, True)} AS field, {case(2, True)} AS amazon_attribute, "
            f"{case(3, True)} AS code, {case(4, True)} AS severity, {case(5, True)} AS category, "
            f"{case(6, False)} AS value, {case(7, False)} AS message, {case(8, False)} AS hint, "
            f"p.category AS product_category, p.supplier AS product_supplier, p._rid AS _hit, p._k AS _k "
            f"FROM (SELECT h._rid, h.sku, h.category, h.supplier{fetched}, key._k FROM {RULE_HITS} AS h "
            f"JOIN (VALUES {pairs}) AS key(_hit, _k) "
            f"ON h._rid = key._hit{join}) AS p")
    other_keys = [str(h) for h, k in keys if k < 0]
    if other_keys:
        parts.append(f"SELECT * FROM ({other_rows_sql(con, True)}) WHERE _hit IN ({', '.join(other_keys)})")
    return " UNION ALL ".join(parts)


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
