"""The embedded DuckDB database: where it lives, how it is opened, and its schema.

One DuckDB file holds everything durable (catalogue, selections, violations, mappings, exports,
jobs). Each domain module owns its tables and declares them in a module-level ``SCHEMA`` string of
idempotent DDL; :func:`migrate` runs them in the order of :data:`SCHEMA_MODULES`. The catalogue
table itself (``products``) is created by the import, since its extra columns come from the file.

Only one process may open the file read-write (DuckDB's rule), so the dashboard owns it while it
runs; within that process use one connection and a ``.cursor()`` per thread or script run.
"""
from __future__ import annotations

import importlib
import os
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
DEFAULT_DB_PATH = DATA_DIR / "export_amazon.duckdb"

# Modules that declare tables (attribute SCHEMA). Order matters only for readability: no foreign keys.
SCHEMA_MODULES: tuple[str, ...] = (
    "core.catalog.store",
    "core.selection",
    "core.rules.store",
    "core.images",
    "core.integrations",
    "core.mapping.profiles",
    "core.mapping.product_types",
    "core.exports.history",
    "core.processing_report",
    "core.code2asin.store",
    "core.jobs",
    "core.exports.api_export",
)


def db_path() -> Path:
    """Path of the database file: ``$EXPORT_AMAZON_DB`` or ``data/export_amazon.duckdb``."""
    return Path(os.environ.get("EXPORT_AMAZON_DB", DEFAULT_DB_PATH))


def runtime_dir() -> Path:
    """Folder for run-time files beside the database (exports, credentials, sandbox state)."""
    path = Path(os.environ.get("EXPORT_AMAZON_RUNTIME", db_path().parent / "runtime"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def connect(path: str | Path | None = None) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the database at ``path`` and bring its schema up to date.

    ``":memory:"`` gives a private in-memory database, handy in tests.
    """
    target = str(path if path is not None else db_path())
    if target != ":memory:":
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(target)
    # Row order is never relied upon without ORDER BY; dropping it saves time and memory on 1M rows.
    con.execute("SET preserve_insertion_order = false")
    migrate(con)
    return con


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    """Create every declared table that does not exist yet (idempotent)."""
    for name in SCHEMA_MODULES:
        module = importlib.import_module(name)
        ddl = getattr(module, "SCHEMA", "")
        if ddl.strip():
            con.execute(ddl)


def table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """True when ``table`` exists in the main schema."""
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' AND table_name = ?",
        [table],
    ).fetchone()
    return bool(row and row[0])


def quote_ident(name: str) -> str:
    """Quote an SQL identifier that may come from a user's file (doubles any ``"``)."""
    return '"' + str(name).replace('"', '""') + '"'
