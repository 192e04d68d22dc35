"""Which EANs of the selection Code2ASIN searches: those the Qualité rules accept.

A code is searched when it is present and passes the rules that reject a code outright (letters,
wrong length, wrong GS1 check digit, restricted-circulation prefix): the predicates are read from
:data:`core.rules.definitions.RULES`, so Code2ASIN and Qualité never disagree on what a valid EAN is.
A 12-digit UPC is searched as its EAN-13 form (a leading ``0``), which is also the key of
``asin_matches``: two SKUs spelling the same GTIN differently share one search.
"""
from __future__ import annotations

import duckdb

from core.catalog.store import has_catalogue
from core.rules import definitions
from core.rules.definitions import RULES, blank
from core.selection import Selection, products_sql

# Rules whose failure means "do not search this code" (EAN_DUPLICATE does not: both SKUs get the ASIN).
SKIPPING_RULES: tuple[str, ...] = ("EAN_NOT_DIGITS", "EAN_LENGTH", "EAN_CHECK_DIGIT", "EAN_RESTRICTED_PREFIX")
MISSING = "EAN_MISSING"   # reported in the skip summary too (whatever the GTIN exemption says)

_WHEN = {r.code: r.when for r in RULES}


def ean13_sql(col: str = "p.ean") -> str:
    """SQL: the EAN-13 form of a 12/13-digit code (the ``asin_matches.ean`` key)."""
    return f"lpad(trim({col}), 13, '0')"


def _fails(code: str) -> str:
    return f"coalesce(({_WHEN[code]}), false)"


ELIGIBLE_SQL = f"NOT {blank('p.ean')} AND " + " AND ".join(f"NOT {_fails(c)}" for c in SKIPPING_RULES)
# Shared expressions the rules read as ``p.<name>`` (computed once per product, as the rules engine does).
_DERIVED = {name: sql for name, sql in getattr(definitions, "DERIVED", {}).items()
            if any(f"p.{name}" in _WHEN[c] for c in SKIPPING_RULES)}


def source_sql(sel: Selection | None = None) -> str:
    """SQL (a parenthesised subquery, to alias ``p``): the selected products with the columns the
    EAN rules derive; :data:`ELIGIBLE_SQL` and :func:`ean13_sql` run over it."""
    if not _DERIVED:
        return f"({products_sql(sel)})"
    extra = ", ".join(f"{sql} AS {name}" for name, sql in _DERIVED.items())
    return f"(SELECT p.*, {extra} FROM ({products_sql(sel)}) AS p)"


def eligible_eans_sql(sel: Selection | None = None) -> str:
    """SQL selecting ``(ean, brand)``: each distinct searchable EAN-13 of the selection once, with a
    brand of its products (the first non-blank one alphabetically) for the brand check."""
    return (f"SELECT {ean13_sql()} AS ean, min(nullif(trim(p.brand), '')) AS brand "
            f"FROM {source_sql(sel)} AS p WHERE {ELIGIBLE_SQL} GROUP BY 1")


def skipped_counts(con: duckdb.DuckDBPyConnection, sel: Selection | None = None) -> dict[str, int]:
    """Products of the selection whose EAN is not searched, by rule code (codes with 0 left out).

    A product counts under the first failing rule only (missing, then the order of SKIPPING_RULES).
    """
    if not has_catalogue(con):
        return {}
    cases = [f"WHEN {blank('p.ean')} THEN '{MISSING}'"] + [f"WHEN {_fails(c)} THEN '{c}'" for c in SKIPPING_RULES]
    rows = con.execute(
        f"SELECT reason, count(*) FROM (SELECT CASE {' '.join(cases)} END AS reason "
        f"FROM {source_sql(sel)} AS p) WHERE reason IS NOT NULL GROUP BY reason").fetchall()
    return {code: n for code, n in rows}


def eligible_count(con: duckdb.DuckDBPyConnection, sel: Selection | None = None) -> int:
    """How many distinct EANs of the selection Code2ASIN searches."""
    if not has_catalogue(con):
        return 0
    return int(con.execute(f"SELECT count(*) FROM ({eligible_eans_sql(sel)})").fetchone()[0])
