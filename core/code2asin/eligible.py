"""Which EANs of the selection Code2ASIN searches: those the Qualité rules accept.

A code is searched when it is present and passes the rules that reject a code outright (letters,
wrong length, wrong GS1 check digit, restricted-circulation prefix): the predicates are read from
:data:`core.rules.definitions.RULES`, so Code2ASIN and Qualité never disagree on what a valid EAN is.
A 12-digit UPC is searched as its EAN-13 form (a leading ``0``), which is also the key of
``asin_matches``: two SKUs spelling the same GTIN differently share one search.
"""
from __future__ import annotations

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


def fails_sql(code: str) -> str:
    """SQL: the product ``p`` fails the rule ``code`` (NULL counts as passing)."""
    return f"coalesce(({_WHEN[code]}), false)"


ELIGIBLE_SQL = f"NOT {blank('p.ean')} AND " + " AND ".join(f"NOT {fails_sql(c)}" for c in SKIPPING_RULES)
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
