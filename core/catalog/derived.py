"""Columns derived once per import from each product's own content, stored in ``products``.

The catalogue does not change between two imports, while the Qualité page validates it again for
every selection, language or setting: what depends only on a product's own content (the description
as plain text, and the costly per-product text features the rules read) is computed once, by the
import, in the same statement that writes the table. :func:`select_sql` is the one way to add them:
the importer, the test factories and the benchmarks build ``products`` through it, so every
``products`` table carries the same derived columns.

A derived column is one :class:`DerivedColumn` entry in :data:`DERIVED_COLUMNS`: its name, the SQL
expression (over the typed canonical columns of one product, unqualified; an expression of layer
``n`` may read derived columns of lower layers) and why it exists. SQL functions written in Python
(DuckDB UDFs) that an expression calls are registered on the connection by :func:`prepare`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from core.db import quote_ident


@dataclass(frozen=True)
class DerivedColumn:
    """One column computed at import from the product's own columns."""
    name: str
    sql: Callable[[], str]      # SQL expression (built lazily: it may come from another module)
    doc: str
    layer: int = 1              # expressions of layer n read the canonical columns and layers < n


def _description_text() -> str:
    from core.text import html_to_text_sql  # noqa: PLC0415 - core.text is the owner of the conversion
    return html_to_text_sql("description")


DERIVED_COLUMNS: tuple[DerivedColumn, ...] = (
    DerivedColumn("description_text", _description_text,
                  "the description converted from HTML to plain text: what rules read and exports send"),
)

# Functions (name -> callable registering it on a connection) the expressions above call.
_PREPARERS: tuple[Callable[[duckdb.DuckDBPyConnection], None], ...] = ()


def names() -> tuple[str, ...]:
    """The derived column names, in table order."""
    return tuple(c.name for c in sorted(DERIVED_COLUMNS, key=lambda c: c.layer))


def prepare(con: duckdb.DuckDBPyConnection) -> None:
    """Register on ``con`` the Python SQL functions the derived expressions call (idempotent)."""
    for register in _PREPARERS:
        register(con)


def select_sql(base_sql: str) -> str:
    """``SELECT`` of every column of ``base_sql`` followed by the derived columns, layer by layer.

    Each layer is its own nested ``SELECT``: DuckDB inlines a column alias reused in the same select
    list, which would compute a costly expression (the HTML conversion) once per reader."""
    sql = base_sql
    for layer in sorted({c.layer for c in DERIVED_COLUMNS}):
        cols = ", ".join(f"{c.sql()} AS {quote_ident(c.name)}" for c in DERIVED_COLUMNS if c.layer == layer)
        sql = f"SELECT _d{layer}.*, {cols} FROM ({sql}) AS _d{layer}"
    return sql
