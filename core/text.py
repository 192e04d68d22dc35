"""Text transforms expressed as DuckDB SQL, so they run set-based over the whole catalogue.

:func:`html_to_text_sql` is applied once per import (``products.description_text``); rules and
exports read that column rather than converting again.
"""
from __future__ import annotations

# Named entities seen in French catalogues; numeric ones are decoded separately.
_ENTITIES = {
    "&nbsp;": " ", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'", "&apos;": "'",
    "&eacute;": "é", "&egrave;": "è", "&ecirc;": "ê", "&agrave;": "à", "&acirc;": "â", "&ccedil;": "ç",
    "&ocirc;": "ô", "&ucirc;": "û", "&ugrave;": "ù", "&icirc;": "î", "&iuml;": "ï", "&euml;": "ë",
    "&Eacute;": "É", "&euro;": "€", "&laquo;": "«", "&raquo;": "»", "&rsquo;": "’", "&hellip;": "…",
    "&deg;": "°", "&times;": "×", "&ndash;": "–", "&mdash;": "—", "&oelig;": "œ",
    "&amp;": "&",   # last, so that "&amp;lt;" stays "&lt;"
}


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def html_to_text_sql(expr: str) -> str:
    """SQL expression turning the HTML in ``expr`` into plain text.

    Scripts and styles dropped, ``<br>`` and block ends to line breaks, list items to lines,
    remaining tags removed, entities decoded, runs of spaces collapsed, result trimmed.
    """
    x = f"regexp_replace({expr}, '(?is)<(script|style)\\b.*?</(script|style)\\s*>', '', 'g')"
    x = f"regexp_replace({x}, '(?i)<br\\s*/?>|</(p|div|h[1-6]|tr|table|ul|ol|section|article)\\s*>', chr(10), 'g')"
    x = f"regexp_replace({x}, '(?i)<li\\b[^>]*>', chr(10) || '- ', 'g')"
    x = f"regexp_replace({x}, '<[^>]*>', '', 'g')"
    for entity, char in _ENTITIES.items():
        x = f"replace({x}, {_lit(entity)}, {_lit(char)})"
    x = f"regexp_replace({x}, '[ \\t\\r\\f]+', ' ', 'g')"
    x = f"regexp_replace({x}, ' ?\\n[ \\n]*', chr(10), 'g')"
    return f"trim({x}, ' ' || chr(10))"
