"""The rules engine: compiles every rule of :data:`core.rules.definitions.RULES` into set-based DuckDB
statements over the selected products and replaces the rule rows of ``violations``.

Two passes, both set-based, no Python loop over products:

1. **Detect** — ONE scan of the selection evaluates every rule predicate and packs the results into
   bit masks (``CASE WHEN <rule.when> THEN 1 << k``), keeping only products with at least one hit:
   their row id, SKU, category, supplier and masks, written straight into ``rule_hits``. The content
   checks computed at import are read from ``products._rule_flags`` (:mod:`core.rules.features`);
   shared costly expressions (:data:`~core.rules.definitions.DERIVED`) are computed once per row.
   The run reads no long text: the columns a message quotes stay in ``products``.
2. **Describe**, on read — the ``violations`` views unnest the set bits into rows and render the
   offending value, the message (from the catalogue template of the run's language) and the hint,
   fetching the quoted columns from ``products`` by row id for the rows read only.

A rule whose columns (or tables) are absent is reported NOT_EVALUATED instead of being run.
"""
from __future__ import annotations

import re
import string
import time
from dataclasses import dataclass, field
from datetime import datetime

import duckdb

from core.catalog.derived import ensure as ensure_derived
from core.catalog.store import PRODUCTS
from core.db import quote_ident, table_exists
from core.i18n import DEFAULT_LANGUAGE, LANGUAGES, message
from core.rules import features
from core.rules.definitions import CATEGORY_FLAGS, DERIVED, RULES, TEXT_FIELDS
from core.rules.model import ERROR, INFO, WARNING, NotEvaluated, Rule
from core.rules.store import (HIT_KEYS, RULE_CATEGORY_STATS, RULE_CHECKS, RULE_CHECKS_DDL, RULE_HITS, RunRecord,
                              blocking_skus_sql, current_import_id, hit_products_join, product_reads, replace_views,
                              upgrade_legacy)
from core.selection import Selection, sql_literal, where_sql

SEL_VIEW = "_rules_sel"
BITS_PER_MASK = 62   # bits used per BIGINT mask column (sign bit left alone)
CATEGORY_STATS_VIEW = "_rules_category_stats"
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
    steps: dict[str, float] = field(default_factory=dict)   # seconds per step (detect, describe, …)

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


@dataclass(frozen=True)
class _Check:
    """One (rule, products column) pair: a bit of the detection masks."""
    rule: Rule
    column: str
    field: str
    attribute: str

    def bind(self, sql: str) -> str:
        # str.replace, not str.format: rule SQL holds regex quantifiers such as {12}.
        return (sql.replace("{col}", f"p.{self.column}").replace("{sel}", SEL_VIEW)
                .replace("{category_stats}", CATEGORY_STATS_VIEW))


def _masks(checks: list[_Check]) -> list[str]:
    """The mask columns (``_m0``, ``_m1``…) of ``checks``."""
    return sorted({_mask_name(k) for k in range(len(checks))}, key=lambda m: int(m[2:]))


def _checks(rules: list[Rule]) -> list[_Check]:
    out = []
    for rule in rules:
        if rule.per_field:
            out += [_Check(rule, col, *TEXT_FIELDS[col]) for col in rule.per_field]
        else:
            out.append(_Check(rule, rule.field, rule.field, rule.amazon_attribute))
    return out


def when_sql(check: _Check, flags: bool = False) -> str:
    """SQL of the check's predicate over ``p``: with ``flags`` (products carries the content checks
    computed at import, :mod:`core.rules.features`) a content check is its stored bit, else its SQL."""
    stored = features.feature(check.rule.code, check.column) if flags else None
    return stored.test_sql if stored else check.bind(check.rule.when)


def _derived_used(checks: list[_Check], flags: bool = False) -> dict[str, str]:
    text = " ".join(when_sql(c, flags) for c in checks)
    return {name: sql for name, sql in DERIVED.items() if f"p.{name}" in text}


def _mask_name(k: int) -> str:
    return f"_m{k // BITS_PER_MASK}"


def _bit(k: int) -> int:
    return 1 << (k % BITS_PER_MASK)


def detect_sql(checks: list[_Check], columns: tuple[str, ...] = (), flags: bool = False) -> str:
    """Pass 1: one scan of the selection; row id, hit masks and ``columns`` of every product with a hit.

    With ``flags`` the content checks read their bit of ``products._rule_flags`` (computed once per
    import) instead of the texts: only the selection-wide checks (duplicates, category statistics)
    are computed here. The columns are carried through the same scan (each copied only where a set
    bit's message reads it, see :func:`_hit_column_sql`): joining the hits back to the catalogue
    scanned it a second time, long texts included (~2 s at 1M). Fetching the columns that only content
    checks' messages read by a second scan filtered on the stored bits was tried: no gain, the hits
    are spread over every vector of the table and a column is decompressed by whole vectors."""
    derived = _derived_used(checks, flags)
    source = SEL_VIEW
    if derived:
        # "s." expressions read the category price statistics, joined once (not a subquery per row).
        join = (f" LEFT JOIN {CATEGORY_STATS_VIEW} AS s ON s.category = p.category"
                if any("s." in sql for sql in derived.values()) else "")
        source = (f"(SELECT p.*, {', '.join(f'{sql} AS {name}' for name, sql in derived.items())} "
                  f"FROM {SEL_VIEW} AS p{join})")
    masks: dict[str, list[str]] = {}
    moved: dict[tuple[str, int], int] = {}   # (mask, shift) -> stored bits moved by that shift
    for k, check in enumerate(checks):
        stored = features.feature(check.rule.code, check.column) if flags else None
        if stored:
            # The stored bit moves to this check's place: no CASE (a CASE per check cost ~0.5 s CPU at
            # 1M). Stored bits follow the checks' order, so runs of them share one shift: one masked
            # shift per run, not one per check (47 shifts cost 0.35 s CPU at 1M).
            key = (_mask_name(k), k % BITS_PER_MASK - stored.bit)
            moved[key] = moved.get(key, 0) | (1 << stored.bit)
        else:
            # CASE evaluates its condition with a selection vector: AND-ed pre-tests short-circuit.
            masks.setdefault(_mask_name(k), []).append(f"CASE WHEN {when_sql(check, flags)} THEN {_bit(k)} ELSE 0 END")
    for (mask, shift), bits in moved.items():
        # Parenthesised: "|", "&" and the shifts share one precedence level, left to right.
        picked = f"(p.{features.FLAGS_COLUMN} & {bits})"
        masks.setdefault(mask, []).append(f"({picked} << {shift})" if shift >= 0 else f"({picked} >> {-shift})")
    cols = ", ".join(f"({' | '.join(terms)}) AS {name}" for name, terms in masks.items())
    any_hit = " OR ".join(f"{name} <> 0" for name in masks)
    carried = "".join(f", p.{quote_ident(c)} AS {quote_ident('_c_' + c)}" for c in columns)
    kept = "".join(f", {_hit_column_sql(checks, c, 'h.' + quote_ident('_c_' + c))}" for c in columns)
    # MATERIALIZED: otherwise DuckDB inlines the masks into the filter and computes every rule twice.
    return (f"WITH _masks AS MATERIALIZED (SELECT h._rid, {', '.join('h.' + m for m in masks)}{kept} "
            f"FROM (SELECT p._rid, {cols}{carried} FROM {source} AS p) AS h) "
            f"SELECT * FROM _masks WHERE {any_hit}")


def _render_bind(check: _Check, sql: str) -> str:
    """``sql`` of a value or message parameter bound for the view over :data:`RULE_HITS` (alias ``p``)."""
    if "{sel}" in sql:   # the selection is gone when the view is read: a message may not read it
        raise ValueError(f"{check.rule.code}: a value or message parameter may not read {{sel}}")
    return sql.replace("{col}", f"p.{check.column}").replace("{category_stats}", RULE_CATEGORY_STATS)


def _constants(checks: list[_Check], attr) -> str:
    """SQL list literal of one per-check constant, indexed by ``p._k + 1``."""
    return f"[{', '.join(sql_literal(attr(c)) for c in checks)}][p._k + 1]"


def render_sql(check: _Check, lang: str) -> tuple[str, str, str]:
    """SQL of the value (an excerpt), message and hint of one check over a hit product ``p``."""
    rule = check.rule
    value = _render_bind(check, rule.value) if rule.value else f"p.{check.column}"
    params = {name: _render_bind(check, sql) for name, sql in rule.params.items()}
    params.setdefault("value", f"CAST(({value}) AS VARCHAR)")
    return (f"left(CAST(({value}) AS VARCHAR), {VALUE_MAX_CHARS})", message_sql(message(rule.message_key, lang), params),
            message_sql(message(rule.hint_key, lang), params))


# What a rendered row reads of its hit product (a hits table written by an older engine has more columns,
# some named like the products columns fetched by row id).
_HIT_COLUMNS = ", ".join(f"h.{c}" for c in ("_rid", *HIT_KEYS))


def describe_sql(checks: list[_Check], lang: str, extra: tuple[str, ...] = (), reads: tuple[str, ...] = (),
                 import_id: int | None = None) -> str:
    """Pass 2, on read: SELECT of the violation rows (columns in VIOLATION_COLUMNS order, then ``extra``
    columns of :data:`RULE_HITS`) rendered from the hit products persisted by the run.

    The set bits of each hit product's masks are unnested into (product, check ``_k``) rows; the
    check's constants are list look-ups and its value, message (run's language) and hint one CASE
    branch each, evaluated only for the rows the reader keeps (a page, an export, a count needs none).
    Same expressions as the former write-time rendering, so the same texts. ``reads``: the products
    columns the messages quote, joined by row id while the catalogue is the run's (``import_id``,
    :func:`core.rules.store.hit_products_join`)."""
    join = hit_products_join(reads, import_id)
    fetched = "".join(f", pr.{quote_ident(c)}" for c in reads)
    units = []
    for m in sorted({_mask_name(k) for k in range(len(checks))}):
        first = int(m[2:]) * BITS_PER_MASK
        n = min(BITS_PER_MASK, len(checks) - first)
        units.append(f"SELECT {_HIT_COLUMNS}{fetched}, {first} + b AS _k FROM {RULE_HITS} AS h{join}, range(0, {n}) AS r(b) "
                     f"WHERE (h.{m} >> b) & 1 <> 0")
    parts = [render_sql(check, lang) for check in checks]
    values, messages, hints = ([f"WHEN {k} THEN {p[i]}" for k, p in enumerate(parts)] for i in range(3))
    return (f"SELECT 'rule' AS source, p.sku AS sku, {_constants(checks, lambda c: c.field)} AS field, "
            f"{_constants(checks, lambda c: c.attribute)} AS amazon_attribute, "
            f"{_constants(checks, lambda c: c.rule.code)} AS code, {_constants(checks, lambda c: c.rule.severity)} AS severity, "
            f"{_constants(checks, lambda c: c.rule.category)} AS category, "
            f"CASE p._k {' '.join(values)} END AS value, CASE p._k {' '.join(messages)} END AS message, "
            f"CASE p._k {' '.join(hints)} END AS hint"
            + "".join(f", {e}" for e in extra) +
            f" FROM ({' UNION ALL '.join(units)}) AS p")


def _missing(con: duckdb.DuckDBPyConnection, rule: Rule, columns: set[str]) -> tuple[str, ...]:
    missing = [c for c in rule.columns if c not in columns]
    for table in rule.tables:
        if not table_exists(con, table):
            missing.append(table)
    return tuple(missing)


def _product_columns(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ?",
        [PRODUCTS]).fetchall()}


def _columns_read(checks: list[_Check], columns: set[str]) -> list[str]:
    """Products columns pass 2 needs: the SKU and every column the checks' value and message SQL names
    (the check's own column when its value is the default)."""
    text = " ".join(f"{c.bind(c.rule.value or 'p.' + c.column)} {' '.join(map(c.bind, c.rule.params.values()))}"
                    for c in checks)
    # whole names: "p.description" is not read by "p.description_text" (nor price by price_raw); the
    # prefix match carried every description into the hits the run persists (~20 MB at 1M)
    return sorted({"sku", *(c for c in columns if re.search(rf"\bp\.{re.escape(c)}(?!\w)", text))})


def _hit_column_sql(checks: list[_Check], column: str, ref: str) -> str:
    """SQL of ``column`` (read as ``ref``, next to the masks ``h._m*``) in the hits table: copied only
    for the products with a bit set whose message reads it. Most hits are category-wide warnings;
    copying every hit's description (~1 KB) cost more than the messages themselves."""
    if column in HIT_KEYS:   # every hit row keeps them (the Qualité page groups by them)
        return f"{ref} AS {quote_ident(column)}"
    bits: dict[str, int] = {}
    for k, check in enumerate(checks):
        if column in _columns_read([check], {column}):
            bits[_mask_name(k)] = bits.get(_mask_name(k), 0) | _bit(k)
    if not bits:
        return f"{ref} AS {quote_ident(column)}"
    test = " OR ".join(f"h.{m} & {b} <> 0" for m, b in bits.items())
    return f"CASE WHEN {test} THEN {ref} END AS {quote_ident(column)}"


def plan(con: duckdb.DuckDBPyConnection, rules: tuple[Rule, ...] = RULES,
         columns: set[str] | None = None) -> tuple[list[Rule], list[NotEvaluated]]:
    """Split ``rules`` into those that can run on the current ``products`` table (of ``columns``, read
    when not given) and those that cannot."""
    columns = _product_columns(con) if columns is None else columns
    runnable, skipped = [], []
    for rule in rules:
        missing = _missing(con, rule, columns)
        if missing:
            skipped.append(NotEvaluated(rule.code, missing))
        else:
            runnable.append(rule)
    return runnable, skipped


def _category_stats_sql(con: duckdb.DuckDBPyConnection) -> str:
    """Per category of the selection: price median and count (prices > 0), and the Amazon product type
    saved in Mapping (any marketplace) or suggested by the mapping module from the category name."""
    try:
        from core.mapping.product_types import suggestion_sql
        suggested = suggestion_sql("st.category")
    except ImportError:   # the mapping module is optional for the rules
        suggested = "NULL"
    saved = ("(SELECT category, max(nullif(trim(product_type), '')) AS pt FROM category_product_types "
             "GROUP BY category)" if table_exists(con, "category_product_types")
             else "(SELECT NULL::VARCHAR AS category, NULL::VARCHAR AS pt WHERE false)")
    return (f"WITH st AS (SELECT category, median(price) FILTER (WHERE price > 0) AS med, "
            f"count(price) FILTER (WHERE price > 0) AS n FROM {SEL_VIEW} GROUP BY category) "
            f"SELECT st.category, st.med, st.n, coalesce(saved.pt, {suggested}) AS product_type, "
            + ", ".join(f"{sql} AS {name}" for name, sql in CATEGORY_FLAGS.items()) + " "
            f"FROM st LEFT JOIN {saved} AS saved ON saved.category = st.category")


def _counts(con: duckdb.DuckDBPyConnection, checks: list[_Check]) -> tuple[dict[str, int], int]:
    """Violations by severity and products with an ERROR, from the hit masks (no rendered row is read):
    each severity's bits are summed with bit_count over one scan of the hits (:data:`RULE_HITS`)."""
    if not checks:
        return {}, 0
    masks: dict[str, dict[str, int]] = {}
    for k, check in enumerate(checks):
        by_mask = masks.setdefault(check.rule.severity, {})
        by_mask[_mask_name(k)] = by_mask.get(_mask_name(k), 0) | _bit(k)
    sums = [" + ".join(f"coalesce(sum(bit_count({m} & {b})), 0)" for m, b in masks.get(s, {}).items()) or "0"
            for s in (ERROR, WARNING, INFO)]
    errors = " OR ".join(f"{m} & {b} <> 0" for m, b in masks.get(ERROR, {}).items()) or "false"
    row = con.execute(f"SELECT {', '.join(sums)}, count(DISTINCT coalesce(sku, '')) FILTER (WHERE {errors}) "
                      f"FROM {RULE_HITS}").fetchone()
    return {s: int(n) for s, n in zip((ERROR, WARNING, INFO), row[:3]) if n}, int(row[3])


def validate(con: duckdb.DuckDBPyConnection, selection: Selection | None = None, lang: str = DEFAULT_LANGUAGE,
             rules: tuple[Rule, ...] = RULES) -> ValidationRun:
    """Run every rule over the selected products, replace the rule rows of ``violations`` and record
    the run in ``validation_runs``. Amazon's own issues (``source = 'amazon'``) are kept."""
    lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    selection = selection or Selection()
    started, t0 = datetime.now(), time.perf_counter()
    if not table_exists(con, PRODUCTS):
        raise LookupError("no catalogue")
    ensure_derived(con)   # a catalogue imported by an older version gets its content checks now
    present = _product_columns(con)
    runnable, skipped = plan(con, rules, present)
    con.execute(f"CREATE OR REPLACE TEMP VIEW {SEL_VIEW} AS SELECT p.rowid AS _rid, p.* FROM {PRODUCTS} AS p "
                f"WHERE {where_sql(selection, 'p')}")
    # A table, not a view: the per-category medians are read by the scan AND by the messages of
    # PRICE_OUTLIER; a view recomputed them (a full scan of the prices) for each reader.
    con.execute(f"CREATE OR REPLACE TEMP TABLE {CATEGORY_STATS_VIEW} AS {_category_stats_sql(con)}")
    checks = _checks(runnable)
    rendered = [render_sql(c, lang) for c in checks]
    steps: dict[str, float] = {"plan": time.perf_counter() - t0}
    import_id = current_import_id(con)
    con.execute("BEGIN TRANSACTION")
    try:
        upgrade_legacy(con)
        # Replacing (not DELETE + INSERT of rendered rows) is what makes a run cheap: the rule rows
        # are the hit products' set bits, rendered by the views when read (see describe_sql). The
        # detection writes the hits straight into the persisted table: row id, keys and masks only
        # (the columns messages quote are read from products by row id when a row is rendered).
        if checks:
            keys = "".join(f", {'h.' + c if c in present else 'NULL::VARCHAR'} AS {c}" for c in HIT_KEYS)
            detect = detect_sql(checks, tuple(c for c in HIT_KEYS if c in present), features.FLAGS_COLUMN in present)
            con.execute(f"CREATE OR REPLACE TABLE {RULE_HITS} AS SELECT h._rid{keys}, "
                        f"{', '.join('h.' + m for m in _masks(checks))} FROM ({detect}) AS h")
        steps["detect"] = time.perf_counter() - t0 - sum(steps.values())
        products = con.execute(f"SELECT count(*) FROM {SEL_VIEW}").fetchone()[0]
        counts, blocked = _counts(con, checks)
        steps["counts"] = time.perf_counter() - t0 - sum(steps.values())
        if checks:
            con.execute(f"CREATE OR REPLACE TABLE {RULE_CATEGORY_STATS} AS SELECT * FROM {CATEGORY_STATS_VIEW}")
            reads = tuple(product_reads(con, (sql for r in rendered for sql in r)))
            replace_views(con, describe_sql(checks, lang, reads=reads, import_id=import_id), describe_sql(
                checks, lang, ("p.category AS product_category", "p.supplier AS product_supplier", "p._rid AS _hit",
                               "p._k AS _k"), reads, import_id))
        else:
            replace_views(con, None, None)
        con.execute(RULE_CHECKS_DDL.replace("CREATE TABLE", "CREATE OR REPLACE TABLE"))
        if checks:
            con.execute(f"INSERT INTO {RULE_CHECKS} VALUES " + ", ".join(
                f"({k}, '{_mask_name(k)}', {_bit(k)}, " + ", ".join(map(sql_literal, (
                    c.rule.code, c.field, c.attribute, c.rule.severity, c.rule.category, *r))) + ")"
                for k, (c, r) in enumerate(zip(checks, rendered))))
        steps["describe"] = time.perf_counter() - t0 - sum(steps.values())
        duration = time.perf_counter() - t0
        run_id = con.execute(
            "INSERT INTO validation_runs (selection, import_id, lang, started_at, duration_s, products, "
            "blocked_products, errors, warnings, infos, not_evaluated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "RETURNING run_id",
            [selection.name, import_id, lang, started, duration, products, blocked, counts.get(ERROR, 0),
             counts.get(WARNING, 0), counts.get(INFO, 0), [n.code for n in skipped]]).fetchone()[0]
        con.execute("COMMIT")
        steps["commit"] = time.perf_counter() - t0 - sum(steps.values())
    except Exception:
        con.execute("ROLLBACK")
        raise
    return ValidationRun(int(run_id), selection.name, int(products),
                         {s: int(counts.get(s, 0)) for s in (ERROR, WARNING, INFO)}, int(blocked),
                         tuple(skipped), time.perf_counter() - t0, lang, steps)


__all__ = ["ValidationRun", "validate", "blocking_skus_sql", "plan", "detect_sql", "describe_sql", "message_sql",
           "RunRecord"]
