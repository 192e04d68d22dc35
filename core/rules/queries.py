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
from core.rules.store import RULE_CHECKS, RULE_HITS, ROWS_VIEW, SEVERITY_RANK, where_sql
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


def _others(filters: dict | None) -> str:
    """The rows of the other sources (image checks, Amazon) matching ``filters``, as ``v``."""
    return f"(SELECT * FROM {ROWS_VIEW} WHERE source <> 'rule') AS v WHERE {_where(filters)}"


def counts_by(con: duckdb.DuckDBPyConnection, dimension: str, filters: dict | None = None, top: int = 25) -> pd.DataFrame:
    """Violations per ``dimension`` (code, category or supplier) and severity: columns label, severity, n.
    Only the ``top`` labels with most violations are kept (charts stay readable on big catalogues)."""
    column = {"code": "v.code", **_PRODUCT}[dimension]
    parts = [f"SELECT coalesce({column}, '') AS label, v.severity, count(*) AS n FROM {_others(filters)} GROUP BY ALL"]
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
    return con.execute(f"""
        WITH c AS (SELECT label, severity, CAST(sum(n) AS BIGINT) AS n FROM ({' UNION ALL '.join(parts)}) GROUP BY ALL),
             t AS (SELECT label FROM c GROUP BY label ORDER BY sum(n) DESC, label LIMIT {int(top)})
        SELECT c.* FROM c JOIN t USING (label) ORDER BY label, severity""").df()


def filter_options(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """The values each filter can take, from the current violations."""
    rule = _rule_part(con, {})
    present: list[tuple] = []
    if rule:
        masks = sorted(rule.bits)
        union = con.execute(f"SELECT {', '.join(f'bit_or({m})' for m in masks)} FROM {RULE_HITS}").fetchone()
        set_bits = dict(zip(masks, union))
        present = [c for c in rule.checks if (set_bits.get(c[1]) or 0) & c[2]]
    out = {}
    for key in FILTER_KEYS:
        column = _PRODUCT.get(key, f"v.{key}")
        values = {r[0] for r in con.execute(
            f"SELECT DISTINCT {column} FROM (SELECT * FROM {ROWS_VIEW} WHERE source <> 'rule') AS v "
            f"WHERE {column} IS NOT NULL").fetchall()}
        if key in _PRODUCT and rule:
            values |= {r[0] for r in con.execute(
                f"SELECT DISTINCT {key} FROM {RULE_HITS} WHERE {key} IS NOT NULL").fetchall()}
        elif key not in _PRODUCT:
            index = {"code": 3, "field": 4, "severity": 5}[key]
            values |= {c[index] for c in present if c[index] is not None}
        out[key] = sorted(values)
    return out


def count_rows(con: duckdb.DuckDBPyConnection, filters: dict | None = None) -> int:
    """Number of violations matching ``filters``."""
    n = int(con.execute(f"SELECT count(*) FROM {_others(filters)}").fetchone()[0])
    rule = _rule_part(con, filters)
    if rule:
        bits = " + ".join(f"bit_count(h.{m} & {b})" for m, b in rule.bits.items())
        n += int(con.execute(f"SELECT coalesce(sum({bits}), 0) FROM {RULE_HITS} AS h WHERE {rule.where}").fetchone()[0])
    return n


def _rows_sql(filters: dict | None, keys: bool = False) -> str:
    cols = "v._hit, v._k" if keys else ", ".join(f"{_PRODUCT[c]} AS {c}" if c in _PRODUCT else f"v.{c}" for c in TABLE_COLUMNS)
    return (f"SELECT {cols} FROM {_FROM} WHERE {_where(filters)} "
            f"ORDER BY {_SEVERITY_ORDER}, v.code, v.sku, v.field, v._hit, v._k")   # row keys: no tie across pages


def page_rows(con: duckdb.DuckDBPyConnection, filters: dict | None, page: int, size: int) -> pd.DataFrame:
    """One page (1-based) of the filtered violations, errors first.

    Two steps: the page's row keys are sorted from the cheap columns only, then only those rows are
    rendered (value, message, hint): rendering every row before keeping 50 cost seconds at 1M."""
    offset = max(0, int(page) - 1) * int(size)
    keys = con.execute(f"{_rows_sql(filters, keys=True)} LIMIT {int(size)} OFFSET {offset}").fetchall()
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
    parts = [f"SELECT v.sku, {_SEVERITY_ORDER} AS r FROM {_others(filters)} AND v.sku IS NOT NULL"]
    rule = _rule_part(con, filters)
    if rule:
        # a hit product's worst kept severity, from its masks (no row per violation)
        whens = " ".join(
            f"WHEN {' OR '.join(f'h.{m} & {b} <> 0' for m, b in rule.severity_bits(sev).items())} THEN {rank}"
            for sev, rank in SEVERITY_RANK.items() if rule.severity_bits(sev))
        parts.append(f"SELECT h.sku, CASE {whens} END AS r FROM {RULE_HITS} AS h WHERE {rule.where} AND h.sku IS NOT NULL")
    return [r[0] for r in con.execute(
        f"SELECT sku FROM ({' UNION ALL '.join(parts)}) GROUP BY sku ORDER BY min(r), sku LIMIT {int(limit)}").fetchall()]
