"""SQL that turns the file's text cells into the canonical, typed ``products`` columns.

Everything here is an SQL expression over one text column, so the whole catalogue is converted in
one set-based statement. Numbers accept a decimal comma ("12,50"), thousands separators ("1 234,50",
"1.234,50", "1,234.50") and a currency sign; lists accept a JSON array (of strings or of
``{"url": …}`` objects) or ``|``-separated text (images also ``,``-separated); yes/no accepts the
French and English words. A cell that does not convert becomes NULL and its text stays in
``<name>_raw``, for the quality rules to explain.
"""
from __future__ import annotations

from core.catalog.columns import Column

# Spaces (incl. no-break and narrow no-break), currency signs: never part of a number.
_NUMBER_NOISE = r"'[\s\x{00A0}\x{202F}€$£]|EUR'"
TRUE_WORDS = ("oui", "o", "yes", "y", "true", "vrai", "1", "x")


def number_sql(expr: str) -> str:
    """DOUBLE from text ``expr``; the last of ``,``/``.`` is the decimal separator.

    Plain "12.5" and "12,50" take the cheap path (one replace and a cast); only cells with
    thousands separators, spaces or a currency sign go through the regular expressions.
    """
    v = f"regexp_replace({expr}, {_NUMBER_NOISE}, '', 'g')"
    full = (f"TRY_CAST(CASE WHEN regexp_matches({v}, ',[0-9]*$') "
            f"THEN replace(replace({v}, '.', ''), ',', '.') ELSE replace({v}, ',', '') END AS DOUBLE)")
    plain = f"TRY_CAST(replace({expr}, ',', '.') AS DOUBLE)"
    # coalesce(plain, full) but lazier: DuckDB's coalesce ran the regular expressions of ``full`` on
    # cells the plain cast had already read (2.5x the CPU); a CASE runs them only on the others, and
    # DuckDB computes the repeated ``plain`` once.
    d = f"CASE WHEN {plain} IS NOT NULL THEN {plain} ELSE {full} END"
    # "nan" and "inf" cast to DOUBLE, and NaN compares above every price: not a number here.
    # The lambda binds the value once (a CASE repeating it costs 2x at import).
    return f"list_transform([{d}], lambda d: CASE WHEN isfinite(d) THEN d END)[1]"


def integer_sql(expr: str) -> str:
    """BIGINT from text ``expr`` when it is a whole number ("5", "5,0"); NULL for "5,5"."""
    return (f"list_transform([{number_sql(expr)}], "
            f"lambda d: CASE WHEN d = trunc(d) AND abs(d) < 9e18 THEN CAST(d AS BIGINT) END)[1]")


def list_sql(expr: str, *, comma_separated: bool, keep_empty: bool) -> str:
    """VARCHAR[] from a JSON array or separated text; NULL for an empty cell.

    Empty bullets are kept (a rule reports them); empty image entries from a trailing separator
    are not URLs at all and are dropped. Items are trimmed only when the cell has a space or a
    line break next to a separator (trimming every item costs more than the split itself).
    """
    from_json = (f"list_transform(json_extract({expr}, '$[*]'), "
                 f"lambda x: coalesce(x->>'url', x->>'$'))")
    split = (f"CASE WHEN contains({expr}, chr(10)) THEN regexp_split_to_array({expr}, '[|\\n]') "
             f"ELSE string_split({expr}, '|') END")
    if comma_separated:
        split = f"CASE WHEN contains({expr}, '|') THEN {split} ELSE string_split({expr}, ',') END"
    items = (f"CASE WHEN regexp_matches({expr}, '^\\s*\\[') AND json_valid({expr}) THEN {from_json} "
             f"ELSE {split} END")
    seps = ["' |'", "'| '", "chr(10)", "chr(13)"] + (["' ,'", "', '"] if comma_separated else [])
    needs_trim = " OR ".join([f"contains({expr}, {s})" for s in seps]
                             + [f"starts_with({expr}, ' ')", f"ends_with({expr}, ' ')"])
    items = f"CASE WHEN {needs_trim} THEN list_transform({items}, lambda x: trim(x)) ELSE {items} END"
    if not keep_empty:
        items = f"list_filter({items}, lambda x: x IS NOT NULL AND x <> '')"
    # regexp_matches(…, '\\S') stops at the first visible character: far cheaper than trim() = ''.
    general = f"(CASE WHEN regexp_matches({expr}, '\\S') THEN {items} END)"
    # The usual cell, "a|b|c" with no JSON, line break or space next to a separator, gives the same
    # list as the general path with one split (and a filter only when a separator leaves an empty
    # item): a few memchr-like tests instead of two regular expressions and the trim tests.
    simple = f"string_split({expr}, '|')"
    if not keep_empty:
        empties = f"contains({expr}, '||') OR starts_with({expr}, '|') OR ends_with({expr}, '|')"
        simple = f"CASE WHEN {empties} THEN list_filter({simple}, lambda x: x <> '') ELSE {simple} END"
    spaced = " OR ".join([f"contains({expr}, {s})" for s in seps if s.startswith("' ") or s.endswith(" '")]
                         + [f"starts_with({expr}, ' ')", f"ends_with({expr}, ' ')"])
    usual = (f"contains({expr}, '|') AND NOT contains({expr}, '[') AND NOT contains({expr}, chr(10)) "
             f"AND NOT contains({expr}, chr(13)) AND (NOT contains({expr}, ' ') OR NOT ({spaced}))")
    return f"(CASE WHEN {usual} THEN {simple} ELSE {general} END)"


def boolean_sql(expr: str) -> str:
    """BOOLEAN from oui/yes/true/1/x (any case); false otherwise, including empty."""
    words = ", ".join(f"'{w}'" for w in TRUE_WORDS)
    return f"coalesce(lower(trim({expr})) IN ({words}), false)"


def canonical_sql(col: Column, expr: str | None) -> str:
    """Expression producing canonical column ``col`` from the text expression ``expr`` (None: empty)."""
    if expr is None:
        return "false" if col.sql_type == "BOOLEAN" else f"CAST(NULL AS {col.sql_type})"
    if col.sql_type == "DOUBLE":
        return number_sql(expr)
    if col.sql_type == "BIGINT":
        return integer_sql(expr)
    if col.sql_type == "VARCHAR[]":
        return list_sql(expr, comma_separated=(col.name == "images"), keep_empty=(col.name != "images"))
    if col.sql_type == "BOOLEAN":
        return boolean_sql(expr)
    return expr
