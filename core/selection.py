"""Product selections (guide step 4: tous, par catégorie, par fournisseur, par sélection).

A selection is saved under a name in DuckDB: optional category and supplier filters, and optionally
a hand-picked list of SKUs (table ``selection_items``). Everything downstream (Qualité, Mapping
preview, Export) reads products through :func:`products_sql`, so a selection never materialises
the catalogue in Python.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from core.catalog.store import PRODUCTS

ALL = ""   # the name of the implicit "all products" selection (never stored)

SCHEMA = """
CREATE TABLE IF NOT EXISTS selections (
    name        VARCHAR PRIMARY KEY,
    categories  VARCHAR[],
    suppliers   VARCHAR[],
    handpicked  BOOLEAN DEFAULT false,   -- when true, only SKUs in selection_items are selected
    updated_at  TIMESTAMP DEFAULT current_timestamp
);
CREATE TABLE IF NOT EXISTS selection_items (
    name VARCHAR,
    sku  VARCHAR,
    PRIMARY KEY (name, sku)
);
"""


@dataclass(frozen=True)
class Selection:
    """Which products to work on. An empty filter means "no restriction" on that axis."""
    name: str = ALL
    categories: tuple[str, ...] = ()
    suppliers: tuple[str, ...] = ()
    handpicked: bool = False
    skus: tuple[str, ...] = field(default=(), compare=False)  # only used when saving


def sql_literal(value: str) -> str:
    """A single-quoted SQL string literal (quotes doubled): for values embedded in view text."""
    return "'" + str(value).replace("'", "''") + "'"


def _in_list(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(sql_literal(v) for v in values)})"


def where_sql(sel: Selection, alias: str = "p") -> str:
    """The SQL predicate (over ``products`` aliased ``alias``) that keeps the selected products."""
    clauses = ["TRUE"]
    if sel.categories:
        clauses.append(_in_list(f"{alias}.category", sel.categories))
    if sel.suppliers:
        clauses.append(_in_list(f"{alias}.supplier", sel.suppliers))
    if sel.handpicked:
        clauses.append(
            f"{alias}.sku IN (SELECT sku FROM selection_items WHERE name = {sql_literal(sel.name)})")
    return " AND ".join(clauses)


def products_sql(sel: Selection | None = None, alias: str = "p") -> str:
    """``SELECT * FROM products AS p WHERE …``: the selected products, as SQL text to nest."""
    sel = sel or Selection()
    return f"SELECT {alias}.* FROM {PRODUCTS} AS {alias} WHERE {where_sql(sel, alias)}"


def save(con: duckdb.DuckDBPyConnection, sel: Selection) -> None:
    """Create or replace the selection ``sel.name`` (and its hand-picked SKUs)."""
    if not sel.name:
        raise ValueError("a saved selection needs a name")
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM selections WHERE name = ?", [sel.name])
        con.execute("DELETE FROM selection_items WHERE name = ?", [sel.name])
        con.execute("INSERT INTO selections (name, categories, suppliers, handpicked) VALUES (?, ?, ?, ?)",
                    [sel.name, list(sel.categories), list(sel.suppliers), sel.handpicked])
        if sel.handpicked and sel.skus:
            con.execute("INSERT INTO selection_items SELECT ?, unnest(?::VARCHAR[])", [sel.name, list(sel.skus)])
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def load(con: duckdb.DuckDBPyConnection, name: str) -> Selection:
    """The saved selection ``name``; the "all products" selection for ``ALL`` or an unknown name."""
    if not name:
        return Selection()
    row = con.execute("SELECT categories, suppliers, handpicked FROM selections WHERE name = ?", [name]).fetchone()
    if row is None:
        return Selection()
    return Selection(name, tuple(row[0] or ()), tuple(row[1] or ()), bool(row[2]))


def names(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Names of the saved selections, alphabetical."""
    return [r[0] for r in con.execute("SELECT name FROM selections ORDER BY name").fetchall()]


def delete(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Forget the saved selection ``name``."""
    con.execute("DELETE FROM selection_items WHERE name = ?", [name])
    con.execute("DELETE FROM selections WHERE name = ?", [name])


def handpicked_skus(con: duckdb.DuckDBPyConnection, name: str) -> list[str]:
    """The SKUs hand-picked in the saved selection ``name`` (sorted)."""
    return [r[0] for r in con.execute(
        "SELECT sku FROM selection_items WHERE name = ? ORDER BY sku", [name]).fetchall()]
