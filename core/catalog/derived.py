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

import hashlib
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import duckdb

from core.catalog.store import PRODUCTS
from core.db import quote_ident


@dataclass(frozen=True)
class DerivedColumn:
    """One column computed at import from the product's own columns."""
    name: str
    sql: Callable[[], str]      # SQL expression (built lazily: it may come from another module)
    doc: str
    layer: int = 1              # expressions of layer n read the canonical columns and layers < n
    reads: tuple[str, ...] = ()  # columns it needs: a table lacking one gets no such column (see ensure)
    stored: bool = True         # False: a scratch value higher layers read, dropped from the table


def _description_text() -> str:
    # The polars conversion registered by prepare(): byte-identical to core.text.html_to_text_sql
    # (the SQL reference), ~2.5x less CPU on ~1 KB HTML descriptions (bench/bench_html.py).
    from core.text import html_to_text_udf_sql  # noqa: PLC0415 - core.text is the owner of the conversion
    return html_to_text_udf_sql("description")


def _register_html_to_text(con: duckdb.DuckDBPyConnection) -> None:
    from core.text import register_html_to_text  # noqa: PLC0415
    register_html_to_text(con)


def _register_rule_prefilters(con: duckdb.DuckDBPyConnection) -> None:
    from core.rules import prefilters  # noqa: PLC0415 - the rules own their prefilters
    prefilters.register(con)


DERIVED_COLUMNS: tuple[DerivedColumn, ...] = (
    DerivedColumn("description_text", _description_text,
                  "the description converted from HTML to plain text: what rules read and exports send",
                  reads=("description",)),
)


def _rule_features() -> tuple[DerivedColumn, ...]:
    """The rules' per-product content checks (core.rules.features): their shared scratch expressions,
    then the bit mask the engine's detection pass reads instead of the texts."""
    from core.rules import features  # noqa: PLC0415 - the rules own their features
    scratch = tuple(DerivedColumn(name, lambda sql=sql: sql, "shared by several content checks", layer=2,
                                  reads=features.sql_reads(sql), stored=False)
                    for name, sql in features.SCRATCH.items())
    return (*scratch, DerivedColumn(features.FLAGS_COLUMN, features.flags_sql,
                                    "one bit per content check of the rules (core.rules.features)",
                                    layer=3, reads=features.reads()))


DERIVED_COLUMNS += _rule_features()

# Constant column holding the fingerprint of the derived definitions a table was built with: it travels
# with the table (staging rename, copies) and tells ensure() when the columns are missing or stale.
VERSION_COLUMN = "_derived_version"

# Functions (name -> callable registering it on a connection) the expressions above call.
_PREPARERS: tuple[Callable[[duckdb.DuckDBPyConnection], None], ...] = (_register_html_to_text, _register_rule_prefilters)


def names() -> tuple[str, ...]:
    """The derived column names: the stored ones in table order, then the scratch ones (names a
    file column must not take either)."""
    ordered = sorted(DERIVED_COLUMNS, key=lambda c: c.layer)
    return (*(c.name for c in ordered if c.stored), VERSION_COLUMN, *(c.name for c in ordered if not c.stored))


def _included(columns: Iterable[str] | None) -> list[DerivedColumn]:
    """The derived columns computable from ``columns`` (None: every one), layer by layer."""
    ordered = sorted(DERIVED_COLUMNS, key=lambda c: c.layer)
    if columns is None:
        return ordered
    available, out = set(columns), []
    for c in ordered:   # by layer: an expression may read the derived columns of lower layers
        if set(c.reads) <= available:
            out.append(c)
            available.add(c.name)
    return out


def fingerprint(columns: Iterable[str] | None = None) -> str:
    """Fingerprint of the derived definitions (names and SQL) a table of ``columns`` gets."""
    text = "\n".join(f"{c.name}={c.sql()}" for c in _included(columns))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def prepare(con: duckdb.DuckDBPyConnection) -> None:
    """Register on ``con`` the Python SQL functions the derived expressions call (idempotent)."""
    for register in _PREPARERS:
        register(con)


def select_sql(base_sql: str, columns: Iterable[str] | None = None) -> str:
    """``SELECT`` of every column of ``base_sql`` followed by the derived columns, layer by layer, and
    :data:`VERSION_COLUMN`. ``columns`` (those of ``base_sql``; None: every canonical one) leaves out
    a derived column whose ``reads`` are not all there.

    Each layer is its own nested ``SELECT`` (aliased ``p``, so an expression may read ``p.<column>``):
    DuckDB inlines a column alias reused in the same select list, which would compute a costly
    expression (the HTML conversion) once per reader. Scratch columns are dropped at the end."""
    included = _included(columns)
    sql = base_sql
    for layer in sorted({c.layer for c in included}):
        cols = ", ".join(f"{c.sql()} AS {quote_ident(c.name)}" for c in included if c.layer == layer)
        sql = f"SELECT p.*, {cols} FROM ({sql}) AS p"
    scratch = [quote_ident(c.name) for c in included if not c.stored]
    star = f"p.* EXCLUDE ({', '.join(scratch)})" if scratch else "p.*"
    return f"SELECT {star}, '{fingerprint(columns)}' AS {VERSION_COLUMN} FROM ({sql}) AS p"


def ensure(con: duckdb.DuckDBPyConnection, table: str = PRODUCTS) -> bool:
    """Make the derived columns of ``table`` current; True when they had to be recomputed.

    A catalogue imported before a derived column existed, or with older definitions, carries no or a
    different :data:`VERSION_COLUMN`: the table is rebuilt from its own base columns (not the file)
    in a copy swapped in by one transaction, so a reader sees either the old table or the new one.
    Called before validating (core.rules.engine) and at start-up (core.bootstrap); reading the
    fingerprint costs one row."""
    present = [r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ? "
        "ORDER BY ordinal_position", [table]).fetchall()]
    if not present:
        return False
    derived = set(names())
    base = [c for c in present if c not in derived]
    expected = fingerprint(base)
    stored = {c.name for c in _included(base) if c.stored} | {VERSION_COLUMN}
    if stored <= set(present):
        row = con.execute(f"SELECT {VERSION_COLUMN} FROM {quote_ident(table)} LIMIT 1").fetchone()
        if row is None or row[0] == expected:   # (an empty table holds no stale value)
            return False
    prepare(con)
    # The importer's staging prefix: a rebuild killed mid-way is dropped at start-up like an import's.
    staging = quote_ident(f"_products_import_derived_{uuid.uuid4().hex}")
    cols = ", ".join(quote_ident(c) for c in base)
    # Written as the import writes products (long texts uncompressed, rows kept in _row order).
    from core.catalog.importer import _write_staging  # noqa: PLC0415 - the importer imports this module
    _write_staging(con, staging, select_sql(f"SELECT {cols} FROM {quote_ident(table)}", base))
    for attempt in range(5):
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(f"DROP TABLE {quote_ident(table)}")
            con.execute(f"ALTER TABLE {staging} RENAME TO {quote_ident(table)}")
            con.execute("COMMIT")
            return True
        except duckdb.TransactionException:
            _rollback(con)
            time.sleep(0.05 * (attempt + 1))   # another session swapped the table in at the same time
        except BaseException:
            _rollback(con)
            con.execute(f"DROP TABLE IF EXISTS {staging}")
            raise
    con.execute(f"DROP TABLE IF EXISTS {staging}")
    return False


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass    # a failed COMMIT has already ended the transaction
