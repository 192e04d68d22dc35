"""The persisted results of the rules: tables ``violations`` and ``validation_runs``.

``violations`` has one canonical shape (:data:`VIOLATION_COLUMNS`) shared by the local rules
(``source = 'rule'``, replaced by each run of :func:`core.rules.engine.validate`) and by issues
Amazon returns later (``source = 'amazon'``, same columns, left alone by a rules run). ``message``
and ``hint`` are written in the language of the run (``validation_runs.lang``).
``validation_runs`` records every run so pages can tell a stale result (other selection, newer import).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

from core.selection import sql_literal

VIOLATION_COLUMNS: tuple[str, ...] = (
    "source", "sku", "field", "amazon_attribute", "code", "severity", "category", "value", "message", "hint",
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS violations (
    source VARCHAR, sku VARCHAR, field VARCHAR, amazon_attribute VARCHAR, code VARCHAR,
    severity VARCHAR, category VARCHAR, value VARCHAR, message VARCHAR, hint VARCHAR
);
-- one row per SKU of the last run's violations, with what the Qualité page groups and filters by
CREATE TABLE IF NOT EXISTS violation_products (sku VARCHAR, category VARCHAR, supplier VARCHAR);
CREATE SEQUENCE IF NOT EXISTS validation_run_seq;
CREATE TABLE IF NOT EXISTS validation_runs (
    run_id        BIGINT PRIMARY KEY DEFAULT nextval('validation_run_seq'),
    selection     VARCHAR,        -- selection name ('' = all products)
    import_id     BIGINT,         -- catalog_imports.import_id the run saw (NULL: no recorded import)
    lang          VARCHAR,        -- language of message/hint in violations
    started_at    TIMESTAMP,
    duration_s    DOUBLE,
    products      BIGINT,
    blocked_products BIGINT,      -- products with at least one ERROR
    errors        BIGINT,
    warnings      BIGINT,
    infos         BIGINT,
    not_evaluated VARCHAR[]       -- rule codes that could not run (missing column or table)
);
"""


@dataclass(frozen=True)
class RunRecord:
    """One row of ``validation_runs``."""
    run_id: int
    selection: str
    import_id: int | None
    lang: str
    started_at: datetime
    duration_s: float
    products: int
    blocked_products: int
    errors: int
    warnings: int
    infos: int
    not_evaluated: tuple[str, ...]

    @property
    def score(self) -> float:
        """Share of products with no ERROR (1.0 for an empty selection)."""
        return 1.0 if not self.products else (self.products - self.blocked_products) / self.products


def blocking_skus_sql() -> str:
    """SQL text selecting the SKUs that have at least one ERROR (they must not be exported)."""
    return "SELECT DISTINCT sku FROM violations WHERE severity = 'ERROR'"


def other_sources_products_sql(con: duckdb.DuckDBPyConnection) -> str:
    """INSERT adding to ``violation_products`` the SKUs that only have rows of other sources (image
    checks, Amazon's issues), with their category and supplier, so the Qualité filters see them."""
    present = {r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = 'products'"
    ).fetchall()}
    cat = "any_value(p.category)" if "category" in present else "NULL"
    sup = "any_value(p.supplier)" if "supplier" in present else "NULL"
    return (f"INSERT INTO violation_products SELECT v.sku, {cat}, {sup} FROM violations AS v "
            f"LEFT JOIN products AS p ON p.sku = v.sku WHERE v.source <> 'rule' AND v.sku IS NOT NULL "
            f"AND v.sku NOT IN (SELECT sku FROM violation_products WHERE sku IS NOT NULL) GROUP BY v.sku")


def current_import_id(con: duckdb.DuckDBPyConnection) -> int | None:
    """Id of the last successful catalogue import (None when the catalogue was not imported)."""
    row = con.execute("SELECT max(import_id) FROM catalog_imports WHERE status = 'ok'").fetchone()
    return None if row is None or row[0] is None else int(row[0])


def last_run(con: duckdb.DuckDBPyConnection) -> RunRecord | None:
    """The most recent validation run, whatever its selection."""
    row = con.execute("SELECT * FROM validation_runs ORDER BY run_id DESC LIMIT 1").fetchone()
    return None if row is None else RunRecord(*row[:-1], tuple(row[-1] or ()))


def is_current(con: duckdb.DuckDBPyConnection, run: RunRecord | None, selection: str, lang: str | None = None) -> bool:
    """True when ``run`` is about ``selection`` on the current catalogue (and in ``lang`` if given)."""
    if run is None or run.selection != selection or run.import_id != current_import_id(con):
        return False
    return lang is None or run.lang == lang


def where_sql(filters: dict[str, list[str]], alias: str = "v") -> str:
    """SQL predicate over ``violations`` (alias ``alias``) joined to products as ``p``: each key of
    ``filters`` (code, severity, field, category, supplier) restricted to its listed values."""
    column = {"code": f"{alias}.code", "severity": f"{alias}.severity", "field": f"{alias}.field",
              "category": "p.category", "supplier": "p.supplier"}
    clauses = ["TRUE"]
    for key, values in filters.items():
        if values:
            clauses.append(f"{column[key]} IN ({', '.join(sql_literal(v) for v in values)})")
    return " AND ".join(clauses)
