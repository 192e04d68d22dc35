"""The persisted results of the rules: ``violations`` and ``validation_runs``.

``violations`` has one canonical shape (:data:`VIOLATION_COLUMNS`) shared by the local rules
(``source = 'rule'``), the image checks (``'image'``) and the issues Amazon returns (``'amazon'``).
It is a VIEW over two stores, because writing 800k+ rendered rows per run cost more than finding them:

* the rule rows are **rendered on read** from what each run of :func:`core.rules.engine.validate`
  persists: ``rule_hits`` (one row per product with a hit: its row id in ``products``, SKU, category,
  supplier and hit bit masks) and ``rule_category_stats``; the view has one CASE branch per check
  (value, message, hint in the run's language, ``validation_runs.lang``) and reads the other columns
  a message quotes from ``products`` by row id (:func:`hit_products_join`), so a reader pays only for
  the rows it reads (a page of 50, an export file) and a run never reads the long texts;
* the other sources are plain rows in :data:`OTHER_TABLE` (same columns), written by their jobs
  (``core.images``, ``core.exports.api_export``) and left alone by a rules run.

``violation_rows`` is the same rows with the category and supplier of their product (the Qualité
filters); ``violation_products`` one row per SKU of it.
``validation_runs`` records every run so pages can tell a stale result (other selection, newer import).
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import duckdb

from core.db import quote_ident
from core.selection import sql_literal

VIOLATION_COLUMNS: tuple[str, ...] = (
    "source", "sku", "field", "amazon_attribute", "code", "severity", "category", "value", "message", "hint",
)

OTHER_TABLE = "violations_other"       # rows of the image checks and of Amazon (any source but 'rule')
VIEW = "violations"
ROWS_VIEW = "violation_rows"            # violations + product_category, product_supplier
PRODUCTS_VIEW = "violation_products"    # one row per violating SKU: sku, category, supplier
RULE_HITS = "rule_hits"                 # the last run's hit products: _rid, sku, category, supplier, masks, …
RULE_CHECKS = "rule_checks"             # the last run's checks: bit k of mask → code, field, severity, …
RULE_CATEGORY_STATS = "rule_category_stats"   # the last run's category statistics (PRICE_OUTLIER's message)
RULE_VIEWS = "rule_views"               # fingerprints of the views the last run created (unchanged: not re-created)
HIT_KEYS: tuple[str, ...] = ("sku", "category", "supplier")   # products columns every hit row keeps
# One row per check of the last run: its bit, constants, and its value/message/hint SQL over a hit
# product ``p`` in the run's language (the view's CASE branches; a page renders its rows from them).
RULE_CHECKS_DDL = (f"CREATE TABLE {RULE_CHECKS} (k INTEGER, mask VARCHAR, bit BIGINT, code VARCHAR, field VARCHAR, "
                   "amazon_attribute VARCHAR, severity VARCHAR, category VARCHAR, value_sql VARCHAR, "
                   "message_sql VARCHAR, hint_sql VARCHAR)")
SEVERITY_RANK = {"ERROR": 0, "WARNING": 1, "INFO": 2}

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {OTHER_TABLE} (
    source VARCHAR, sku VARCHAR, field VARCHAR, amazon_attribute VARCHAR, code VARCHAR,
    severity VARCHAR, category VARCHAR, value VARCHAR, message VARCHAR, hint VARCHAR
);
{RULE_CHECKS_DDL.replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS")};
CREATE TABLE IF NOT EXISTS {RULE_VIEWS} (fingerprint VARCHAR, catalog VARCHAR);
CREATE TABLE IF NOT EXISTS {RULE_HITS} (_rid BIGINT, sku VARCHAR, category VARCHAR, supplier VARCHAR, _m0 BIGINT);
-- until the first rules run re-creates them with the rule rows (see core.rules.engine.validate)
CREATE VIEW IF NOT EXISTS {VIEW} AS SELECT * FROM {OTHER_TABLE};
CREATE VIEW IF NOT EXISTS {ROWS_VIEW} AS SELECT *, NULL::VARCHAR AS product_category,
    NULL::VARCHAR AS product_supplier, -1 - rowid AS _hit, -1 AS _k FROM {OTHER_TABLE};
CREATE VIEW IF NOT EXISTS {PRODUCTS_VIEW} AS SELECT sku, any_value(product_category) AS category,
    any_value(product_supplier) AS supplier FROM {ROWS_VIEW} WHERE sku IS NOT NULL GROUP BY sku;
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


def other_rows_sql(con: duckdb.DuckDBPyConnection, with_products: bool, keys: bool | None = None) -> str:
    """SELECT of the rows of the other sources (:data:`OTHER_TABLE`); ``with_products`` adds the
    category and supplier of their product (first of a duplicated SKU; NULL when unknown) and the
    row keys ``_hit`` (negative) and ``_k`` (-1) of :data:`ROWS_VIEW`."""
    cols = ", ".join(f"o.{c}" for c in VIOLATION_COLUMNS)
    # (_hit, _k) identify a row for the two-step page read of core.rules.queries (rule rows: _rid, check)
    keys = with_products if keys is None else keys
    key_cols = ", -1 - o.rowid AS _hit, -1 AS _k" if keys else ""
    if not with_products:
        nulls = ", NULL::VARCHAR AS product_category, NULL::VARCHAR AS product_supplier" if keys else ""
        return f"SELECT {cols}{nulls}{key_cols} FROM {OTHER_TABLE} AS o"
    present = product_columns(con)
    if "sku" not in present:
        return (f"SELECT {cols}, NULL::VARCHAR AS product_category, NULL::VARCHAR AS product_supplier{key_cols} "
                f"FROM {OTHER_TABLE} AS o")
    cat = "any_value(category)" if "category" in present else "NULL::VARCHAR"
    sup = "any_value(supplier)" if "supplier" in present else "NULL::VARCHAR"
    # Only the SKUs of these few rows are looked up (semi-join), not the whole catalogue grouped.
    return (f"SELECT {cols}, pr.category AS product_category, pr.supplier AS product_supplier{key_cols} "
            f"FROM {OTHER_TABLE} AS o LEFT JOIN (SELECT sku, {cat} AS category, {sup} AS supplier FROM products "
            f"WHERE sku IN (SELECT sku FROM {OTHER_TABLE}) GROUP BY sku) AS pr ON pr.sku = o.sku")


def product_columns(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Columns of the ``products`` table (empty when there is no catalogue)."""
    return {r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = 'products'"
    ).fetchall()}


def product_reads(con: duckdb.DuckDBPyConnection, sql_texts: Iterable[str]) -> list[str]:
    """The ``products`` columns (other than :data:`HIT_KEYS`) that rendering SQL over a hit product
    ``p`` reads (``p.<name>``): what :func:`hit_products_join` must bring."""
    names = set(re.findall(r"(?<![A-Za-z0-9_.])p\.([A-Za-z_][A-Za-z0-9_]*)", " ".join(sql_texts)))
    return sorted((names & product_columns(con)) - set(HIT_KEYS))


FETCH_CHUNK = 50   # DuckDB turns a row-id join with at most 50 keys into a fetch of those rows
# (dynamic_or_filter_threshold); beyond, it scans the joined columns of the whole catalogue


def current_import_sql() -> str:
    """SQL (scalar) of the id of the last successful catalogue import (what :func:`current_import_id` reads)."""
    return "(SELECT max(import_id) FROM catalog_imports WHERE status = 'ok')"


def hit_products_join(columns: Iterable[str], import_id: int | None, hits: str = "h",
                      rowids: Iterable[int] | None = None) -> str:
    """SQL ``LEFT JOIN`` bringing ``columns`` of ``products`` to the hit rows (alias ``hits``) by row id,
    as ``pr.<column>`` ('' when none is needed).

    The run keeps no copy of the columns its messages quote (copying them for every hit product read
    the whole catalogue's descriptions at each run, most of a first run's time): a reader fetches them
    for the rows it renders. ``rowids``: the only hit rows rendered (a page): fetched by groups of
    :data:`FETCH_CHUNK` keys, not joined to the whole catalogue. The columns are read only while the
    catalogue is the one the run saw (``import_id``, the run's: a run older than the catalogue never
    quotes another product; the Qualité page and the exports validate again after an import anyway)."""
    columns = list(columns)
    if not columns:
        return ""
    same = f"{current_import_sql()} IS NOT DISTINCT FROM {'NULL' if import_id is None else int(import_id)}"
    cols = "".join(f", p.{quote_ident(c)}" for c in columns)
    if rowids is None:
        source = f"SELECT p.rowid AS _prid{cols} FROM products AS p WHERE {same}"
    else:
        keys = sorted(set(rowids))
        source = " UNION ALL ".join(
            f"SELECT p.rowid AS _prid{cols} FROM (VALUES {', '.join(f'({int(k)})' for k in chunk)}) AS k(r) "
            f"JOIN products AS p ON p.rowid = k.r WHERE {same}"
            for chunk in (keys[i:i + FETCH_CHUNK] for i in range(0, len(keys), FETCH_CHUNK)))
    return f" LEFT JOIN ({source}) AS pr ON pr._prid = {hits}._rid"


def replace_views(con: duckdb.DuckDBPyConnection, rule_rows: str | None, rule_rows_with_products: str | None) -> None:
    """(Re-)create :data:`VIEW` and :data:`ROWS_VIEW` as the rule rows (SELECTs given by the rules run,
    None: no rule rows) followed by the other sources' rows, unless the last run created the very same
    views (binding a view of one CASE branch per check costs tens of ms, and replacing it is a catalogue
    write another session's run would conflict with)."""
    parts = [(rule_rows, other_rows_sql(con, False)), (rule_rows_with_products, other_rows_sql(con, True))]
    texts = {name: f"CREATE OR REPLACE VIEW {name} AS " + (f"{rules}\nUNION ALL\n{others}" if rules else others)
             for name, (rules, others) in zip((VIEW, ROWS_VIEW), parts)}
    fingerprint = hashlib.sha256("\n".join(texts.values()).encode()).hexdigest()
    stored = con.execute(f"SELECT fingerprint, catalog FROM {RULE_VIEWS}").fetchall()
    # the catalogue's own text of the views too: views replaced by anything else are re-created
    if stored == [(fingerprint, _catalog_fingerprint(con))]:
        return
    for text in texts.values():
        con.execute(text)
    con.execute(f"DELETE FROM {RULE_VIEWS}")
    con.execute(f"INSERT INTO {RULE_VIEWS} VALUES (?, ?)", [fingerprint, _catalog_fingerprint(con)])


def _catalog_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    sql = con.execute(f"SELECT string_agg(sql, chr(10) ORDER BY view_name) FROM duckdb_views() "
                      f"WHERE database_name = current_database() AND schema_name = 'main' "
                      f"AND view_name IN ('{VIEW}', '{ROWS_VIEW}')").fetchone()[0]
    return hashlib.sha256((sql or "").encode()).hexdigest()


def upgrade_legacy(con: duckdb.DuckDBPyConnection) -> None:
    """A database written before ``violations`` became a view holds it (and ``violation_products``) as
    tables: keep their rows of other sources in :data:`OTHER_TABLE`, then drop them (the rules run
    re-creates the views)."""
    kinds = dict(con.execute("SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'main' "
                             f"AND table_name IN ('{VIEW}', '{PRODUCTS_VIEW}')").fetchall())
    if kinds.get(VIEW) == "BASE TABLE":
        con.execute(f"INSERT INTO {OTHER_TABLE} SELECT {', '.join(VIOLATION_COLUMNS)} FROM {VIEW} WHERE source <> 'rule'")
        con.execute(f"DROP TABLE {VIEW}")
    if kinds.get(PRODUCTS_VIEW) == "BASE TABLE":
        con.execute(f"DROP TABLE {PRODUCTS_VIEW}")
    if kinds.get(VIEW) == "BASE TABLE" or kinds.get(PRODUCTS_VIEW) == "BASE TABLE":
        replace_views(con, None, None)
        con.execute(f"CREATE OR REPLACE VIEW {PRODUCTS_VIEW} AS SELECT sku, any_value(product_category) AS category, "
                    f"any_value(product_supplier) AS supplier FROM {ROWS_VIEW} WHERE sku IS NOT NULL GROUP BY sku")


def current_import_id(con: duckdb.DuckDBPyConnection) -> int | None:
    """Id of the last successful catalogue import (None when the catalogue was not imported)."""
    row = con.execute(f"SELECT {current_import_sql()}").fetchone()
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
    """SQL predicate over ``violation_rows`` (alias ``alias``): each key of
    ``filters`` (code, severity, field, category, supplier) restricted to its listed values."""
    column = {"code": f"{alias}.code", "severity": f"{alias}.severity", "field": f"{alias}.field",
              "category": f"{alias}.product_category", "supplier": f"{alias}.product_supplier"}
    clauses = ["TRUE"]
    for key, values in filters.items():
        if values:
            clauses.append(f"{column[key]} IN ({', '.join(sql_literal(v) for v in values)})")
    return " AND ".join(clauses)
