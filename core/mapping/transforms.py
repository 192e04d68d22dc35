"""The transforms a mapping row may apply to its source value, as data.

Each transform is one entry of :data:`TRANSFORMS` with a stable ``code`` (stored in profiles), the
message key of its label, whether it takes a parameter, how to check that parameter, and how to turn
a source SQL expression into the SQL expression of the Amazon value. Everything is an SQL expression,
so a whole catalogue is transformed in one set-based ``SELECT``.

``changes`` says whether the transform may alter the source text (truncate, HTML→text, formats): the
preview marks such cells when the written value differs from the source value.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from core.text import html_to_text_sql, truncate_sql


@dataclass(frozen=True)
class Context:
    """What a transform needs besides its input: the source column and its type, the marketplace."""
    source: str            # source column name in products ("" for a constant)
    is_list: bool          # the source is a VARCHAR[] column
    marketplace: str       # marketplace code (FR, DE …)
    sql_type: str = "VARCHAR"   # DuckDB type of the source
    condition: str = "new"      # Paramètres > Intégrations condition (new | refurbished | used)

    @property
    def numeric(self) -> bool:
        """True when the source is a number column (no text parsing needed)."""
        return self.sql_type.split("(")[0] in _NUMERIC_TYPES


@dataclass(frozen=True)
class Transform:
    code: str
    needs_param: bool
    check_param: Callable[[str], bool]          # True when the parameter text is acceptable
    sql: Callable[[str, str, Context], str]     # (source expression, parameter, context) -> SQL
    changes: bool = False
    default_param: str = ""
    text_output: bool = True    # may pass text through (so may hold tabs / line breaks to clean)
    # Its text holds no tab and no carriage return whatever the input, only line feeds (the output
    # contract of core.text.html_to_text_sql): the cleaning is one replace instead of three.
    line_feeds_only: bool = False


_NUMERIC_TYPES = {"DOUBLE", "FLOAT", "REAL", "DECIMAL", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT",
                  "UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT"}
_INTEGER_TYPES = {"BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER", "USMALLINT",
                  "UTINYINT"}


def _int_between(lo: int, hi: int) -> Callable[[str], bool]:
    return lambda p: bool(re.fullmatch(r"\d{1,6}", p.strip())) and lo <= int(p) <= hi


def _text(expr: str, ctx: Context) -> str:
    # A list shown as one value: items joined with " | " (only when mapped without list_item).
    return f"array_to_string({expr}, ' | ')" if ctx.is_list else f"CAST({expr} AS VARCHAR)"


def _number(expr: str, ctx: Context | None = None) -> str:
    if ctx is not None and ctx.numeric:
        return f"CAST({expr} AS DOUBLE)"
    # Numbers may come from a text column of the file ("29,90"): decimal comma accepted.
    return f"TRY_CAST(replace(CAST({expr} AS VARCHAR), ',', '.') AS DOUBLE)"


def _plain_number(value: str) -> str:
    # Up to 3 decimals, dot separator, no trailing zeros ("1.2", "0.35", "12"). A DECIMAL cast is
    # several times faster than printf in DuckDB; out-of-range values give NULL (TRY_CAST). Its text
    # always ends with "." and three digits: the regex drops the trailing zeros and a bare dot, as
    # rtrim(rtrim(…, '0'), '.') did at about twice the CPU (rtrim with a set of characters is slow).
    return f"regexp_replace(CAST(TRY_CAST({value} AS DECIMAL(18, 3)) AS VARCHAR), '\\.?0+$', '')"


def _html_to_text(expr: str, param: str, ctx: Context) -> str:
    # The catalogue's description is converted once at import (description_text): reuse it.
    if ctx.source == "description":
        return "p.description_text"
    return html_to_text_sql(_text(expr, ctx))


def _list_item(expr: str, param: str, ctx: Context) -> str:
    n = int(param)
    if ctx.is_list:
        # List items are trimmed by the import. The length test first: an item past the end is NULL
        # anyway, and skipping its extraction saves about a third of the nine image cells' CPU
        # (lists hold 1 to 9 images; an extraction costs more than len()).
        return f"CASE WHEN len({expr}) >= {n} THEN nullif({expr}[{n}], '') END"
    # A text column holding a list: split on "|" or ";" (the usual separators in exported catalogues).
    return f"nullif(trim(string_split_regex(CAST({expr} AS VARCHAR), '\\s*[|;]\\s*')[{n}]), '')"


def _ean_type(expr: str, param: str, ctx: Context) -> str:
    code = f"trim({_text(expr, ctx)})"
    return (f"CASE WHEN regexp_full_match({code}, '[0-9]{{13}}') THEN 'EAN' "
            f"WHEN regexp_full_match({code}, '[0-9]{{12}}') THEN 'UPC' "
            f"WHEN regexp_full_match({code}, '[0-9]{{14}}') THEN 'GTIN' "
            f"WHEN regexp_full_match({code}, '[0-9]{{8}}') THEN 'EAN' END")


# Weight units of the Seller Central templates (item_weight_unit_of_measure valid values) and the
# factor from grams, the unit of the catalogue's weight column.
WEIGHT_UNITS: dict[str, tuple[str, float]] = {
    "kg": ("KG", 1000.0), "g": ("GR", 1.0), "lb": ("LB", 453.59237), "oz": ("OZ", 28.349523125),
}


def _unit_convert(expr: str, param: str, ctx: Context) -> str:
    factor = WEIGHT_UNITS[param.strip().lower()][1]
    return _plain_number(f"({_number(expr, ctx)} / {factor})")


def _unit_label(expr: str, param: str, ctx: Context) -> str:
    label = WEIGHT_UNITS[param.strip().lower()][0]
    return f"CASE WHEN {_number(expr, ctx)} IS NOT NULL THEN '{label}' END"


def _price(expr: str, param: str, ctx: Context) -> str:
    n = int(param)
    return f"CAST(TRY_CAST(round({_number(expr, ctx)}, {n}) AS DECIMAL(18, {n})) AS VARCHAR)"


def _integer(expr: str, param: str, ctx: Context) -> str:
    if ctx.sql_type in _INTEGER_TYPES:
        return f"CAST({expr} AS VARCHAR)"
    return f"CAST(TRY_CAST(floor({_number(expr, ctx)}) AS BIGINT) AS VARCHAR)"


# Products Manager conditions (guide: Neuf, Reconditionné, Occasion) → flat-file condition_type.
CONDITIONS: dict[str, str] = {
    "neuf": "New", "new": "New",
    "reconditionne": "Refurbished", "refurbished": "Refurbished",
    "occasion": "UsedGood", "used": "UsedGood",
}


def _condition(expr: str, param: str, ctx: Context) -> str:
    # No value (empty constant, empty cell): the condition chosen in Paramètres > Intégrations.
    key = f"strip_accents(lower(trim({_text(expr, ctx)})))"
    whens = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in CONDITIONS.items())
    fallback = CONDITIONS.get(ctx.condition, "New")
    return f"coalesce(nullif(CASE {key} {whens} ELSE trim({_text(expr, ctx)}) END, ''), '{fallback}')"


def _product_type(expr: str, param: str, ctx: Context) -> str:
    # From the category: the category table of this marketplace, else the suggestion, both resolved
    # once per distinct category (joined as c, see core.mapping.query); else the parameter.
    from core.mapping.product_types import suggestion_sql  # noqa: PLC0415 - avoids an import cycle
    fallback = "'" + (param.strip() or "PRODUCT").replace("'", "''") + "'"
    if ctx.source == "category":
        return f"coalesce(c.product_type, {fallback})"
    return f"coalesce({suggestion_sql(_text(expr, ctx))}, {fallback})"


def _browse_node(expr: str, param: str, ctx: Context) -> str:
    return "c.browse_node"


TRANSFORMS: tuple[Transform, ...] = (
    Transform("none", False, lambda p: True, lambda e, p, c: _text(e, c)),
    Transform("truncate", True, _int_between(1, 100000),
              lambda e, p, c: truncate_sql(_text(e, c), int(p)), changes=True, default_param="200"),
    Transform("html_to_text", False, lambda p: True, _html_to_text, changes=True, line_feeds_only=True),
    Transform("list_item", True, _int_between(1, 50), _list_item, default_param="1"),
    Transform("ean_type", False, lambda p: True, _ean_type, text_output=False),
    Transform("unit_convert", True, lambda p: p.strip().lower() in WEIGHT_UNITS, _unit_convert,
              changes=True, default_param="kg", text_output=False),
    Transform("unit_label", True, lambda p: p.strip().lower() in WEIGHT_UNITS, _unit_label, default_param="kg",
              text_output=False),
    Transform("price", True, _int_between(0, 4), _price, changes=True, default_param="2",
              text_output=False),
    Transform("integer", False, lambda p: True, _integer, changes=True, text_output=False),
    Transform("condition", False, lambda p: True, _condition, changes=True),
    Transform("product_type", True, lambda p: p == "" or bool(re.fullmatch(r"[A-Z][A-Z0-9_]{1,63}", p)),
              _product_type, default_param="PRODUCT", text_output=False),
    Transform("browse_node", False, lambda p: True, _browse_node, text_output=False),   # digits (validated)
)

CODES: tuple[str, ...] = tuple(t.code for t in TRANSFORMS)


def transform(code: str) -> Transform:
    """The transform whose code is ``code`` (KeyError when unknown)."""
    for t in TRANSFORMS:
        if t.code == code:
            return t
    raise KeyError(code)
