"""Text transforms expressed as DuckDB SQL, so they run set-based over the whole catalogue.

:func:`html_to_text_sql` is applied once per import (``products.description_text``); rules and
exports read that column rather than converting again. :func:`truncate_sql` cuts a text at a word
boundary (titles at 200 characters) without splitting a character or an HTML entity.

Each function returns one SQL *expression* over the SQL expression it is given, so callers nest it in
a single ``SELECT`` and DuckDB runs it on all its threads.
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
    # Soft cut: the longest prefix of the first n+1 characters that ends a word before a space
    # ("^(.*\\S)\\s" on a short string; a counted repetition ".{0,199}" is several times slower in RE2).
    soft = f"regexp_extract(left({expr}, {n + 1}), '(?s)^(.*\\S)\\s', 1)"
    hard = f"left({expr}, {n})"
    hard = f"regexp_replace({hard}, '&#?[a-zA-Z0-9]{{0,8}}$', '')"
    hard = f"regexp_replace({hard}, '[\\x{{200D}}\\x{{FE0E}}\\x{{FE0F}}]+$', '')"
    cut = f"CASE WHEN {soft} <> '' THEN {soft} ELSE {hard} END"
    cut = f"regexp_replace({cut}, '[\\s,;:\\-–]+$', '')"
    return f"CASE WHEN length({expr}) <= {n} THEN {expr} ELSE {cut} END"
