"""The rules engine: compiles every rule of :data:`core.rules.definitions.RULES` into one set-based
DuckDB statement over the selected products and replaces the rule rows of ``violations``.

Each rule becomes ``SELECT <violation columns> FROM <selection> AS p WHERE <rule.when>``; the rules are
joined with UNION ALL into one INSERT, so DuckDB plans and parallelises them together (only the
columns a rule reads are scanned). Messages are rendered in SQL from the catalogue template of the
run's language, so no Python code ever loops over products. A rule whose columns (or tables) are
absent is reported NOT_EVALUATED instead of being run.
"""
from __future__ import annotations

import string
import time
from dataclasses import dataclass
from datetime import datetime

import duckdb

from core.catalog.store import PRODUCTS
from core.db import table_exists
from core.i18n import DEFAULT_LANGUAGE, LANGUAGES, message
from core.rules.definitions import RULES, TEXT_FIELDS
from core.rules.model import ERROR, INFO, WARNING, NotEvaluated, Rule
from core.rules.store import VIOLATION_COLUMNS, RunRecord, blocking_skus_sql, current_import_id
from core.selection import Selection, products_sql, sql_literal

SEL_VIEW = "_rules_sel"
PRICE_STATS_VIEW = "_rules_price_stats"
VALUE_MAX_CHARS = 300   # the offending value is an excerpt, not a copy of the catalogue


@dataclass(frozen=True)
class ValidationRun:
    """What one call of :func:`validate` did."""
    run_id: int
    selection: str
    products: int
    counts: dict[str, int]                  # violations by severity (ERROR, WARNING, INFO)
    blocked_products: int                   # products with at least one ERROR
    not_evaluated: tuple[NotEvaluated, ...]
    duration_s: float
    lang: str

    @property
    def score(self) -> float:
        """Share of products with no ERROR."""
        return 1.0 if not self.products else (self.products - self.blocked_products) / self.products


def message_sql(template: str, params: dict[str, str]) -> str:
    """SQL expression rendering ``template`` (``{name}`` placeholders) with ``params`` SQL expressions."""
    parts: list[str] = []
    for literal, name, _spec, _conv in string.Formatter().parse(template):
        if literal:
            parts.append(sql_literal(literal))
        if name is not None:
            expr = params.get(name)
            parts.append(f"CAST(({expr}) AS VARCHAR)" if expr else sql_literal("{" + name + "}"))
    if not parts:
        return "''"
    return f"concat({', '.join(parts)})" if len(parts) > 1 else parts[0]


def _contextualise(sql: str) -> str:
    # str.replace, not str.format: rule SQL holds regex quantifiers such as {12}.
    return sql.replace("{sel}", SEL_VIEW).replace("{price_stats}", PRICE_STATS_VIEW)


def _rule_selects(rule: Rule, lang: str) -> list[str]:
    template, hint_template = message(rule.message_key, lang), message(rule.hint_key, lang)
    targets = ([(col, *TEXT_FIELDS[col]) for col in rule.per_field] if rule.per_field
               else [(rule.field, rule.field, rule.amazon_attribute)])
    out = []
    for column, field, attribute in targets:
        def bind(sql: str) -> str:
            return _contextualise(sql.replace("{col}", f"p.{column}"))
        value = bind(rule.value) if rule.value else f"p.{column}"
        params = {k: bind(v) for k, v in rule.params.items()}
        params.setdefault("value", f"CAST(({value}) AS VARCHAR)")
        out.append(
            f"SELECT 'rule', p.sku, {sql_literal(field)}, {sql_literal(attribute)}, {sql_literal(rule.code)}, "
            f"{sql_literal(rule.severity)}, {sql_literal(rule.category)}, "
            f"left(CAST(({value}) AS VARCHAR), {VALUE_MAX_CHARS}), {message_sql(template, params)}, "
            f"{message_sql(hint_template, params)} "
            f"FROM {SEL_VIEW} AS p WHERE {bind(rule.when)}")
    return out


def _missing(con: duckdb.DuckDBPyConnection, rule: Rule, columns: set[str]) -> tuple[str, ...]:
    missing = [c for c in rule.columns if c not in columns]
    for table in rule.tables:
        # A table that exists but is empty (e.g. no category mapped yet) cannot say anything either.
        if not table_exists(con, table) or not con.execute(f"SELECT count(*) > 0 FROM {table}").fetchone()[0]:
            missing.append(table)
    return tuple(missing)


def plan(con: duckdb.DuckDBPyConnection, rules: tuple[Rule, ...] = RULES) -> tuple[list[Rule], list[NotEvaluated]]:
    """Split ``rules`` into those that can run on the current ``products`` table and those that cannot."""
    columns = {r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ?",
        [PRODUCTS]).fetchall()}
    runnable, skipped = [], []
    for rule in rules:
        missing = _missing(con, rule, columns)
        if missing:
            skipped.append(NotEvaluated(rule.code, missing))
        else:
            runnable.append(rule)
    return runnable, skipped


def violations_sql(rules: list[Rule], lang: str) -> str:
    """The one statement selecting every violation of ``rules`` (columns in :data:`VIOLATION_COLUMNS` order)."""
    selects = [s for rule in rules for s in _rule_selects(rule, lang)]
    if not selects:
        return "SELECT " + ", ".join(f"NULL::VARCHAR AS {c}" for c in VIOLATION_COLUMNS) + " WHERE false"
    return "\nUNION ALL\n".join(selects)


def validate(con: duckdb.DuckDBPyConnection, selection: Selection | None = None, lang: str = DEFAULT_LANGUAGE,
             rules: tuple[Rule, ...] = RULES) -> ValidationRun:
    """Run every rule over the selected products, replace the rule rows of ``violations`` and record
    the run in ``validation_runs``. Amazon's own issues (``source = 'amazon'``) are kept."""
    lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    selection = selection or Selection()
    started, t0 = datetime.now(), time.perf_counter()
    if not table_exists(con, PRODUCTS):
        raise LookupError("no catalogue")
    runnable, skipped = plan(con, rules)
    con.execute(f"CREATE OR REPLACE TEMP VIEW {SEL_VIEW} AS {products_sql(selection)}")
    con.execute(f"CREATE OR REPLACE TEMP VIEW {PRICE_STATS_VIEW} AS SELECT category, median(price) AS med, "
                f"count(price) AS n FROM {SEL_VIEW} WHERE price > 0 GROUP BY category")
    import_id = current_import_id(con)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM violations WHERE source = 'rule'")
        con.execute(f"INSERT INTO violations ({', '.join(VIOLATION_COLUMNS)}) {violations_sql(runnable, lang)}")
        products = con.execute(f"SELECT count(*) FROM {SEL_VIEW}").fetchone()[0]
        counts = dict(con.execute(
            "SELECT severity, count(*) FROM violations WHERE source = 'rule' GROUP BY severity").fetchall())
        blocked = con.execute(
            "SELECT count(DISTINCT coalesce(sku, '')) FROM violations WHERE source = 'rule' AND severity = 'ERROR'"
        ).fetchone()[0]
        duration = time.perf_counter() - t0
        run_id = con.execute(
            "INSERT INTO validation_runs (selection, import_id, lang, started_at, duration_s, products, "
            "blocked_products, errors, warnings, infos, not_evaluated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "RETURNING run_id",
            [selection.name, import_id, lang, started, duration, products, blocked, counts.get(ERROR, 0),
             counts.get(WARNING, 0), counts.get(INFO, 0), [n.code for n in skipped]]).fetchone()[0]
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return ValidationRun(int(run_id), selection.name, int(products),
                         {s: int(counts.get(s, 0)) for s in (ERROR, WARNING, INFO)}, int(blocked),
                         tuple(skipped), duration, lang)


__all__ = ["ValidationRun", "validate", "blocking_skus_sql", "plan", "violations_sql", "message_sql", "RunRecord"]
