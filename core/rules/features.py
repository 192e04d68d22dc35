"""The rules' per-product content checks, computed once per import and stored as a bit mask.

Most Amazon rules look at one product's own columns only (a title's repeated word, contact details in
the description, an image URL's shape, a control character…). Their answer cannot change until the
next import, while the Qualité page validates again for every selection, language or setting: the
import computes them once (:mod:`core.catalog.derived` adds :data:`FLAGS_COLUMN` to ``products``) and
the engine's detection pass reads one bit instead of the texts (``p._rule_flags & 8 <> 0``).

Nothing is written twice: a feature IS the rule's own ``when`` predicate from
:data:`core.rules.definitions.RULES`, bound to its column exactly as the engine binds it, so the two
ways of evaluating a rule cannot disagree. A check is a content check when its predicate reads neither
the selection (``{sel}``: duplicates), nor the per-category statistics (``{category_stats}`` or a
shared expression over them, e.g. the price median): those depend on what is selected and stay in
the detection pass. The shared costly expressions the content checks read (``_title_tokens``,
``_desc_suspect``…, :data:`~core.rules.definitions.DERIVED`) are computed once per product by the
import as scratch columns, never stored.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from core.rules import prefilters
from core.rules.definitions import DERIVED, RULES, gate
from core.rules.model import Rule

FLAGS_COLUMN = "_rule_flags"
FLAG_BITS = 62          # bits used in the BIGINT (sign bit left alone)

# What makes a predicate depend on more than the product itself.
_CONTEXT_PLACEHOLDERS = ("{sel}", "{category_stats}")
# Shared expressions read from the engine's per-category statistics (alias s): selection-dependent.
_CONTEXT_DERIVED = frozenset(name for name, sql in DERIVED.items() if re.match(r"\s*s\.", sql))


@dataclass(frozen=True)
class Feature:
    """One (rule, column) content check: its SQL over ``p`` and its bit in :data:`FLAGS_COLUMN`.

    ``predicate`` is the rule's ``when`` bound to the column; ``sql`` is what the import computes: the
    same predicate, behind the check's prefilter when it has one (core.rules.prefilters)."""
    code: str
    column: str
    sql: str
    bit: int
    reads: tuple[str, ...]
    predicate: str = ""

    @property
    def test_sql(self) -> str:
        """SQL: the stored bit of this check is set (for a product ``p`` of ``products``)."""
        return f"({'p.' + FLAGS_COLUMN} & {1 << self.bit} <> 0)"


def _bound(rule: Rule, column: str) -> str:
    # As core.rules.engine._Check.bind does for the predicate: "{col}" is the checked column.
    return rule.when.replace("{col}", f"p.{column}")


def _derived_read(sql: str) -> list[str]:
    return [name for name in DERIVED if re.search(rf"p\.{name}(?![A-Za-z0-9_])", sql)]


def is_content(sql: str) -> bool:
    """Whether a bound predicate reads only its own product (no selection, no category statistics,
    no subquery over another table)."""
    return (not any(p in sql for p in _CONTEXT_PLACEHOLDERS)
            and not re.search(r"(?i)\bselect\b", sql)
            and not any(name in _CONTEXT_DERIVED for name in _derived_read(sql)))


def _inlined(sql: str) -> str:
    """``sql`` with the shared expressions it reads written in place: behind a prefilter they run on
    the few products it lets through, not as a scratch column computed for every product."""
    for name in _derived_read(sql):
        sql = re.sub(rf"p\.{name}(?![A-Za-z0-9_])", lambda _m, name=name: f"({DERIVED[name]})", sql)
    return sql


def _prefiltered(rule: Rule, column: str, sql: str) -> str:
    # The rule's predicate decides every bit; its prefilter (core.rules.prefilters) only skips the
    # products on which the predicate cannot be true.
    pre = prefilters.prefilter(rule.code, column)
    return gate(pre.sql, _inlined(sql)) if pre else sql


def _features() -> tuple[Feature, ...]:
    out: list[Feature] = []
    for rule in RULES:
        for column in rule.per_field or (rule.field,):
            predicate = _bound(rule, column)
            if rule.tables or not is_content(predicate) or len(out) >= FLAG_BITS:
                continue    # beyond the mask's bits a check simply stays in the detection pass
            reads = (column,) if rule.per_field else rule.columns
            out.append(Feature(rule.code, column, _prefiltered(rule, column, predicate), len(out), tuple(reads),
                               predicate))
    return tuple(out)


FEATURES: tuple[Feature, ...] = _features()
_BY_CHECK = {(f.code, f.column): f for f in FEATURES}



def scratch(prefiltered: bool = True) -> dict[str, str]:
    """Shared expressions the content checks read (``prefiltered=False``: the bare predicates read):
    the rules' shared expressions, and the prefilters' bits (one call per vector for all of them)."""
    texts = [f.sql if prefiltered else f.predicate for f in FEATURES]
    out = {name: sql for name, sql in DERIVED.items()
           if name not in _CONTEXT_DERIVED and any(name in _derived_read(t) for t in texts)}
    if prefiltered and any(prefilters.prefilter(f.code, f.column) for f in FEATURES):
        out[prefilters.COLUMN] = prefilters.call_sql()
    return out


# Shared expressions the content checks read, computed once per product before the mask (not stored).
SCRATCH: dict[str, str] = scratch()


def feature(code: str, column: str) -> Feature | None:
    """The stored content check of rule ``code`` over ``column`` (None: computed by the detection pass)."""
    return _BY_CHECK.get((code, column))


def flags_sql(prefiltered: bool = True) -> str:
    """SQL of :data:`FLAGS_COLUMN` for one product ``p`` (BIGINT): bit ``k`` set when check ``k`` flags it.

    CASE, as the engine's masks: a NULL predicate (unknown) sets no bit, and each predicate's own
    CASE gates keep their short-circuits. ``prefiltered=False``: every bare predicate on every product
    (the same bits, at their full cost: the reference of tests and benchmarks; reads :func:`scratch`
    ``(False)``)."""
    terms = " | ".join(f"CASE WHEN {f.sql if prefiltered else f.predicate} THEN CAST({1 << f.bit} AS BIGINT) "
                       "ELSE CAST(0 AS BIGINT) END" for f in FEATURES)
    return f"({terms})" if terms else "CAST(0 AS BIGINT)"


def sql_reads(sql: str) -> tuple[str, ...]:
    """The ``products`` columns (``p.<name>``) an expression reads, shared scratch expressions excepted."""
    return tuple(dict.fromkeys(c for c in re.findall(r"p\.([A-Za-z_][A-Za-z0-9_]*)", sql) if c not in SCRATCH))


def reads() -> tuple[str, ...]:
    """``products`` columns the mask reads, directly or through its scratch expressions (when one is
    absent the mask is not computed; the detection pass then evaluates every predicate itself)."""
    return sql_reads(flags_sql() + " " + " ".join(SCRATCH.values()))


__all__ = ["FLAGS_COLUMN", "FEATURES", "SCRATCH", "Feature", "feature", "flags_sql", "is_content", "reads", "scratch",
           "sql_reads"]
