"""Text transforms run set-based over the whole catalogue.

HTML to text, two implementations giving the same bytes: :func:`html_to_text_sql` (one DuckDB SQL
expression: the reference, also used where a mapping converts another column) and
:func:`html_to_text_polars` (the same steps with polars' Rust regexes, ~2.5-4x less CPU), which the
import runs once per catalogue as the SQL function ``html_to_text`` (an Arrow UDF registered by
:func:`register_html_to_text`, through ``core.catalog.derived``) to fill ``products.description_text``;
rules and exports read that column rather than converting again. :func:`truncate_sql` cuts a text at a
word boundary (titles at 200 characters) without splitting a character or an HTML entity.

The SQL functions return one SQL *expression* over the SQL expression they are given, so callers nest
it in a single ``SELECT`` and DuckDB runs it on all its threads.
"""
from __future__ import annotations

# Named entities seen in French catalogues; numeric ones (&#233; &#xE9;) are decoded separately.
_ENTITIES = {
    "&nbsp;": " ", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'",
    "&eacute;": "é", "&egrave;": "è", "&ecirc;": "ê", "&agrave;": "à", "&acirc;": "â", "&ccedil;": "ç",
    "&ocirc;": "ô", "&ucirc;": "û", "&ugrave;": "ù", "&icirc;": "î", "&iuml;": "ï", "&euml;": "ë",
    "&Eacute;": "É", "&Egrave;": "È", "&Agrave;": "À", "&Ccedil;": "Ç", "&euro;": "€", "&laquo;": "«",
    "&raquo;": "»", "&rsquo;": "’", "&lsquo;": "‘", "&ldquo;": "“", "&rdquo;": "”", "&hellip;": "…",
    "&deg;": "°", "&times;": "×", "&ndash;": "–", "&mdash;": "—", "&oelig;": "œ", "&copy;": "©",
    "&reg;": "®", "&trade;": "™", "&bull;": "•", "&middot;": "·", "&sup2;": "²", "&frac12;": "½",
    "&amp;": "&",   # last, so that "&amp;lt;" becomes "&lt;" and not "<"
}

# Block-level elements whose end (or start) is a line break in the text.
_BLOCKS = "p|div|h[1-6]|tr|table|ul|ol|dl|dt|dd|section|article|header|footer|blockquote|pre|li|caption"
_NUMERIC_ENTITY = "&#[0-9]{1,7};|&#[xX][0-9a-fA-F]{1,6};"


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _decode_numeric_entities(x: str) -> str:
    # No callback replace in DuckDB: split around the entities, decode each with chr(), zip back.
    # The value is bound once through a one-element list and a lambda (the expression ``x`` may be a
    # long chain); only values holding "&#" pay for the split.
    pattern = _lit(_NUMERIC_ENTITY)
    code = ("CASE WHEN z[2][3] IN ('x', 'X') THEN TRY_CAST('0x' || substr(z[2], 4, length(z[2]) - 4) AS INTEGER) "
            "ELSE TRY_CAST(substr(z[2], 3, length(z[2]) - 3) AS INTEGER) END")
    # Invalid code points (0, surrogates, > 0x10FFFF) become U+FFFD rather than failing the query.
    char = ("list_transform([" + code + "], lambda c: CASE WHEN c IS NULL THEN '' "
            "WHEN c BETWEEN 1 AND 1114111 AND NOT c BETWEEN 55296 AND 57343 THEN chr(c) ELSE chr(65533) END)[1]")
    joined = (f"array_to_string(list_transform(list_zip(regexp_split_to_array(s, {pattern}), "
              f"regexp_extract_all(s, {pattern})), lambda z: z[1] || coalesce({char}, '')), '')")
    return f"list_transform([{x}], lambda s: CASE WHEN contains(s, '&#') THEN {joined} ELSE s END)[1]"


# Entities nearly every HTML description uses; the others are replaced only in values that hold one.
_COMMON_ENTITIES = ("&nbsp;", "&lt;", "&gt;", "&quot;", "&apos;")
_RARE_ENTITIES = tuple(e for e in _ENTITIES if e not in _COMMON_ENTITIES and e != "&amp;")


def _bound(x: str, body: str) -> str:
    """``body`` (an expression over ``s``) applied to ``x``, with ``x`` evaluated once.

    A ``CASE WHEN test(x) THEN f(x) ELSE x END`` would repeat the whole chain ``x`` in the query;
    a one-element list and a lambda bind it for a fraction of one string function's cost.
    """
    return f"list_transform([{x}], lambda s: {body})[1]"


def _replaced(x: str, entities: tuple[str, ...]) -> str:
    for entity in entities:
        x = f"replace({x}, {_lit(entity)}, {_lit(_ENTITIES[entity])})"
    return x


def decode_entities_sql(expr: str) -> str:
    """SQL expression decoding the HTML entities (named and numeric) in ``expr``."""
    # Numeric first: decoding "&amp;" first would turn the text "&amp;#233;" into "é".
    # Each replace() scans the whole value, so values without "&" skip all of them, and the
    # accented-letter entities run only where one regex scan finds one.
    x = _decode_numeric_entities(expr)
    rare = _lit("&(?:" + "|".join(e[1:-1] for e in _RARE_ENTITIES) + ");")
    named = _bound("s", f"CASE WHEN regexp_matches(s, {rare}) THEN {_replaced('s', _RARE_ENTITIES)} ELSE s END")
    named = f"replace({_replaced(named, _COMMON_ENTITIES)}, '&amp;', '&')"   # "&amp;" last: "&amp;lt;" is "&lt;"
    return _bound(x, f"CASE WHEN contains(s, '&') THEN {named} ELSE s END")


def html_to_text_sql(expr: str) -> str:
    """SQL expression turning the HTML in ``expr`` into plain text.

    Comments, scripts and styles dropped; ``<br>`` and block ends to line breaks; list items to
    lines starting with "- " (nested lists flattened); table cells separated by a space; remaining
    tags removed; entities decoded; non-breaking spaces and runs of spaces collapsed; no blank lines;
    result trimmed. Text without any tag keeps its own line breaks (it was not HTML); in HTML a raw
    newline is only a space.

    Output contract (the Flat File writer relies on it, tests/unit/test_flatfile_text_contract.py):
    the result never holds a tab, a carriage return, a form feed or U+00A0, whatever the input
    (raw or from an entity such as ``&#9;``): line breaks are line feeds only. Every such character
    is folded to a space after the entities are decoded, and no later step writes one.
    """
    is_html = "regexp_matches(s, '<[a-zA-Z/!]')"
    # Plain replace() is several times cheaper than a regex replace; the regexes below only match
    # where there is something to change (a pattern matching every space costs ~4x more).
    h = "replace(replace(replace(s, chr(13), ' '), chr(10), ' '), chr(9), ' ')"
    h = f"regexp_replace({h}, '(?is)<!--.*?-->|<(script|style)\\b.*?</(script|style)\\s*>', '', 'g')"
    h = f"regexp_replace({h}, '(?i)<li\\b[^>]*>', chr(10) || '- ', 'g')"
    h = f"regexp_replace({h}, '(?i)<br\\s*/?>|</({_BLOCKS})\\s*>', chr(10), 'g')"
    h = f"regexp_replace({h}, '(?i)</t[dh]\\s*>', ' ', 'g')"
    h = f"regexp_replace({h}, '<[^>]*>', '', 'g')"
    x = _bound(expr, f"CASE WHEN {is_html} THEN {h} ELSE s END")
    x = decode_entities_sql(x)
    # \s does not match U+00A0 in DuckDB: fold it first. Then runs of spaces to one space and any
    # run of spaces and line breaks holding a line break to one line break. Patterns led by a
    # space scan slowly (spaces are everywhere): cheap contains() tests pick the values to change.
    x = f"replace(replace(replace(replace({x}, chr(160), ' '), chr(9), ' '), chr(12), ' '), chr(13), ' ')"
    x = _bound(x, "CASE WHEN contains(s, '  ') THEN regexp_replace(s, '  +', ' ', 'g') ELSE s END")
    x = _bound(x, "CASE WHEN contains(s, chr(10)) THEN "
                  "replace(regexp_replace(s, '\\n[ \\n]+', chr(10), 'g'), ' ' || chr(10), chr(10)) ELSE s END")
    # trim() decodes every character of the value; anchored regexes touch only its ends.
    x = _bound(x, "CASE WHEN starts_with(s, ' ') OR starts_with(s, chr(10)) THEN regexp_replace(s, '^[ \\n]+', '') "
                  "ELSE s END")
    return _bound(x, "CASE WHEN ends_with(s, ' ') OR ends_with(s, chr(10)) THEN regexp_replace(s, '[ \\n]+$', '') "
                     "ELSE s END")


def truncate_sql(expr: str, limit: int) -> str:
    """SQL expression cutting ``expr`` to at most ``limit`` characters at a word boundary.

    Characters are code points (never a partial UTF-8 sequence). The cut falls before the last space
    that keeps the text within ``limit``; a single word longer than ``limit`` is cut hard, then a
    trailing partial HTML entity (``&am``) or a dangling zero-width joiner / variation selector is
    removed. Trailing spaces and separators (``, ; : -``) are trimmed. Shorter texts are unchanged.
    """
    n = int(limit)
    if n < 1:
        raise ValueError("limit must be positive")
    # Soft cut: the first n+1 characters without their last run of spaces (RE2 \s) and what follows
    # it, i.e. up to the last non-space character before a space. A space put in front makes a text
    # without a space (one long word) come out empty, so the hard cut applies; substr drops it again.
    # One unanchored "$"-ended search, no capture group: several times cheaper than extracting
    # "^(.*\S)\s" (a backtracking submatch over ~200 characters), and evaluated once (coalesce).
    soft = f"substr(regexp_replace(' ' || left({expr}, {n + 1}), '\\s+\\S*$', ''), 2)"
    hard = f"left({expr}, {n})"
    hard = f"regexp_replace({hard}, '&#?[a-zA-Z0-9]{{0,8}}$', '')"
    hard = f"regexp_replace({hard}, '[\\x{{200D}}\\x{{FE0E}}\\x{{FE0F}}]+$', '')"
    cut = f"coalesce(nullif({soft}, ''), {hard})"
    cut = f"regexp_replace({cut}, '[\\s,;:\\-–]+$', '')"
    # A text of at most n bytes has at most n characters: strlen (no UTF-8 decoding) settles nearly all.
    return f"CASE WHEN strlen({expr}) <= {n} OR length({expr}) <= {n} THEN {expr} ELSE {cut} END"


# --- The same conversion with polars (Rust regex): what the import runs ---------------------------
# html_to_text_sql above stays the reference: tests and bench/bench_html.py check that this version
# gives byte-identical text. Each step is the same rewrite as its SQL counterpart, in the same order.
# Where the SQL relies on RE2's classes, the patterns spell them out so that the Rust regex crate
# matches the same characters: RE2's \s is [\t\n\f\r ] (Rust's Unicode \s also matches NBSP, \v…) and
# RE2's \b is ASCII-only (a Unicode \b sees no boundary between "script" and "é"). (?i) folds case the
# Unicode way in both (ſ is an s, the Kelvin sign a k).
HTML_TO_TEXT_FUNCTION = "html_to_text"
_RE2_SPACE = r"[\t\n\x0C\r ]"
_RE2_WORD_BOUNDARY = r"(?-u:\b)"
_PL_IS_HTML = r"<[a-zA-Z/!]"
_PL_RAW_BREAK = r"[\r\n\t]"
_PL_COMMENT = rf"(?is)<!--.*?-->|<(script|style){_RE2_WORD_BOUNDARY}.*?</(script|style){_RE2_SPACE}*>"
_PL_COMMENT_START = r"(?i)<!--|<script|<style"        # where _PL_COMMENT may match (a cheaper scan)
_PL_LI = rf"(?i)<li{_RE2_WORD_BOUNDARY}[^>]*>"
_PL_BREAK = rf"(?i)<br{_RE2_SPACE}*/?>|</({_BLOCKS}){_RE2_SPACE}*>"
_PL_CELL = rf"(?i)</t[dh]{_RE2_SPACE}*>"
_PL_CELL_START = r"(?i)</t[dh]"
_PL_TAG = r"<[^>]*>"
# Where no "<" follows another "<" before a ">", the tags are exactly the matches of this pattern, which
# the Rust regex crate replaces ~4x faster than _PL_TAG (chosen per batch in _html_steps).
_PL_TAG_CLEAN = r"<[^<>]*>"
_PL_NESTED_LT = r"<[^>]*<"
_PL_NUMERIC_ENTITY = r"&#(?:[0-9]{1,7}|[xX][0-9a-fA-F]{1,6});"
_PL_FOLD = "[\u00a0\t\x0c\r]"
# One scan each for the batch: does any value hold one of the rarer tags, or of the rarer characters?
_PL_RARE_TAGS = f"{_PL_COMMENT_START}|{_PL_CELL_START}"
_PL_RARE_CHARS = "[\r\n\t\u00a0\x0c#]"


def _numeric_entity_char(entity: str) -> str:
    """The character of an ``&#…;`` entity; U+FFFD for 0, surrogates and > U+10FFFF (as the SQL)."""
    code = int(entity[3:-1], 16) if entity[2] in "xX" else int(entity[2:-1])
    return chr(code) if 1 <= code <= 1114111 and not 55296 <= code <= 57343 else "\ufffd"


def _decode_numeric_entities_polars(s):
    """Numeric entities decoded in the values holding one (usually none or a few).

    The batch's distinct entities are decoded in Python, then one Aho-Corasick pass replaces them in
    the values holding one: an entity ends at its first ";" and holds no other "&", so its literal
    occurrences are exactly the regex matches, as the SQL's split and zip finds them.
    """
    mask = s.str.contains(_PL_NUMERIC_ENTITY).fill_null(False)
    if not mask.any():
        return s
    hits = s.filter(mask)
    found = hits.str.extract_all(_PL_NUMERIC_ENTITY).explode().drop_nulls().unique().sort().to_list()
    decoded = hits.str.replace_many(found, [_numeric_entity_char(e) for e in found], leftmost=True)
    return s.scatter(mask.arg_true(), decoded)


def _html_steps(col, flags: dict):
    """The tag rewrites (an expression over ``col``), skipping the steps no value of the batch needs."""
    steps = [(_PL_RAW_BREAK, " ", flags["raw_break"]), (_PL_COMMENT, "", flags["comment"]),
             (_PL_LI, "\n- ", True), (_PL_BREAK, "\n", True), (_PL_CELL, " ", flags["cell"]),
             # Tags hold no "<" in the batch (before the steps above, hence after them: they remove
             # whole "<…>" spans and add no "<" or ">"): both patterns match the same spans.
             (_PL_TAG if flags["nested_lt"] else _PL_TAG_CLEAN, "", True)]
    for pattern, replacement, needed in steps:
        if needed:
            col = col.str.replace_all(pattern, replacement)
    return col


def html_to_text_polars(s):
    """``s`` (a polars String Series) converted from HTML to plain text, exactly as :func:`html_to_text_sql`.

    The same steps in the same order, run by polars' ``str.replace_all`` (Rust regex crate: literal
    prefilters, no per-value engine start where a pattern cannot match) and ``str.replace_many`` (one
    Aho-Corasick pass for all named entities); one scan of the batch first tells which steps any value
    needs. polars runs each ``select`` without the GIL, so DuckDB threads calling it overlap.
    """
    import polars as pl  # noqa: PLC0415 - loaded where the conversion runs, not by every core import

    name = s.name
    s = s.cast(pl.String).alias("s")
    col = pl.col("s")
    frame = s.to_frame()
    is_html = col.str.contains(_PL_IS_HTML)
    flags = frame.select(html=is_html.sum(), values=col.count(), nested_lt=col.str.contains(_PL_NESTED_LT).any(),
                         rare_tags=col.str.contains(_PL_RARE_TAGS).any(),
                         rare_chars=col.str.contains(_PL_RARE_CHARS).any()).row(0, named=True)
    # Most batches hold none of the rarer things: one scan each says so; otherwise one scan per step.
    # A probe reads the input, so it must see what earlier steps may create: removing a comment joins
    # "<" and "/td>", removing a tag joins "&" and "#233;" (no step creates a "#").
    probes = {"comment": (_PL_COMMENT_START, False, "rare_tags"), "cell": (_PL_CELL_START, False, "rare_tags"),
              "raw_break": (_PL_RAW_BREAK, False, "rare_chars"), "fold": (_PL_FOLD, False, "rare_chars"),
              "numeric": ("#", True, "rare_chars")}
    needed = {k: col.str.contains(p, literal=lit).any().alias(k) for k, (p, lit, gate) in probes.items() if flags[gate]}
    flags.update(dict.fromkeys(probes, False))
    if needed:
        flags.update(frame.select(list(needed.values())).row(0, named=True))
    flags["cell"] = flags["cell"] or flags["comment"]
    x = col
    if flags["html"]:
        h = _html_steps(col, flags)
        x = h if flags["html"] == flags["values"] else pl.when(is_html).then(h).otherwise(col)
    if flags["numeric"]:
        # Numeric entities first: decoding "&amp;" first would turn the text "&amp;#233;" into "é".
        frame = frame.select(x.alias("s"))
        frame = _decode_numeric_entities_polars(frame.to_series()).to_frame("s")
        x = col
    # Named entities in one pass. The SQL's sequential replace() gives the same text: entities never
    # overlap (each starts with its only "&" and ends with its only ";"), no replacement creates an
    # entity, and "&amp;" is replaced once, so "&amp;lt;" is the text "&lt;" in both.
    x = x.str.replace_many(list(_ENTITIES), list(_ENTITIES.values()), leftmost=True)
    if flags["fold"] or flags["numeric"]:         # NBSP, tab, FF, CR: from the value or a numeric entity
        x = x.str.replace_all(_PL_FOLD, " ")
    # The SQL's "  +" -> " ", then "\n[ \n]+" -> "\n", then " \n" -> "\n": with no double space left,
    # a run of spaces and line breaks holding a line break starts with at most one space.
    x = x.str.replace_all("  +", " ").str.replace_all(" ?\n[ \n]*", "\n").str.strip_chars(" \n")
    return frame.select(x.alias(name)).to_series()


def html_to_text_arrow(values):
    """Arrow UDF body: a pyarrow string array (or chunked array) -> its text (:func:`html_to_text_polars`)."""
    import polars as pl  # noqa: PLC0415

    return html_to_text_polars(pl.Series("s", values)).to_arrow()


def register_html_to_text(con) -> None:
    """Register the SQL function ``html_to_text(VARCHAR) -> VARCHAR`` on ``con`` (idempotent).

    The function lands in the database's catalogue, so every cursor of the connection sees it, and
    two sessions may register it at the same moment: the loser's "already exists" is success."""
    import duckdb  # noqa: PLC0415

    exists = "SELECT count(*) FROM duckdb_functions() WHERE function_name = ?"
    if con.execute(exists, [HTML_TO_TEXT_FUNCTION]).fetchall()[0][0]:
        return
    try:
        con.create_function(HTML_TO_TEXT_FUNCTION, html_to_text_arrow, ["VARCHAR"], "VARCHAR", type="arrow",
                            null_handling="special", side_effects=False)
    except duckdb.CatalogException:
        if not con.execute(exists, [HTML_TO_TEXT_FUNCTION]).fetchall()[0][0]:
            raise


def html_to_text_udf_sql(expr: str) -> str:
    """SQL calling the polars conversion on ``expr`` (registered by :func:`register_html_to_text`)."""
    return f"{HTML_TO_TEXT_FUNCTION}({expr})"
