"""THE table of Amazon rules: one :class:`~core.rules.model.Rule` entry per check.

Adding a rule = one entry here + ``rules.<CODE>.message`` / ``.hint`` in fr.toml and en.toml; its
``good`` and ``bad`` product overrides are run by tests/unit/test_rules_table.py (a rule lacking
one of them, a message or a hint fails there). Predicates are written for DuckDB over one product
``p`` of the selection; ``{sel}`` is the selected products and ``{category_stats}`` their price
distribution and product type per category (see :mod:`core.rules.engine`). Limits and lists come from
:mod:`core.rules.config`. Regexes avoid ``\\b`` (ASCII-only in DuckDB) and spell out NBSP.
"""
from __future__ import annotations

import re

from core.rules import config as cfg
from core.rules.model import ERROR, INFO, WARNING, Rule

# --- SQL building blocks -------------------------------------------------------------------------
_SPACES = "' \t\n\r' || chr(160)"   # trim() alone removes spaces only


def blank(expr: str) -> str:
    """SQL: ``expr`` is NULL or only whitespace (incl. tab, line breaks and NBSP).

    A blank text starts with a character below "!" (space, tab, line break) or with NBSP: that cheap
    prefix test (which DuckDB can even answer from column statistics) guards the costly trim()."""
    cheap = f"{expr} < '!' OR starts_with({expr}, chr(160))"
    costly = f"trim({expr}, {_SPACES}) = ''"
    return f"({expr} IS NULL OR {gate(cheap, costly)})"


def has_control_sql(expr: str) -> str:
    """SQL: ``expr`` holds a control character (tab, CR and LF excepted).

    Over long texts a CASE chain of single-byte substring searches (memchr) is ~2x faster than the
    character-class regex; over short ones (SKU, title, brand) the chain's 28 passes cost more than one
    regex call, so the byte length picks the way (both give the same answer)."""
    tests = " ".join(f"WHEN contains({expr}, chr({c})) THEN true" for c in CONTROL_CODES)
    return (f"(CASE WHEN strlen({expr}) <= {SHORT_TEXT_BYTES} THEN regexp_matches({expr}, {_lit(CONTROL_REGEX)}) "
            f"{tests} ELSE false END)")


def gate(cheap: str, costly: str) -> str:
    """SQL: ``cheap AND costly`` where ``costly`` is evaluated only on the rows ``cheap`` lets through.

    A plain AND does not guarantee it (DuckDB may evaluate or reorder both sides); CASE does."""
    return f"(CASE WHEN {cheap} THEN {costly} ELSE false END)"


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _in_categories(names: tuple[str, ...], column: str) -> str:
    """SQL: ``column`` is one of ``names`` (accent/case-insensitive); ``"*"`` means every category."""
    if "*" in names:
        return f"NOT {blank(column)}"
    listed = ", ".join(_lit(n) for n in names)
    return f"lower(strip_accents(trim({column}))) IN ({listed})"


def _gtin_int(col: str = "p.ean") -> str:
    return f"TRY_CAST({col} AS BIGINT)"


def gtin_check_ok_sql(col: str = "p.ean") -> str:
    """SQL: the GS1 check digit of the 12/13-digit code in ``col`` is right (weights 3,1 from the
    right, check digit excluded). Integer arithmetic only: no per-digit strings."""
    n = _gtin_int(col)
    terms = " + ".join(f"(({n} // {10 ** k}) % 10) * {3 if k % 2 else 1}" for k in range(1, 13))
    return f"((10 - ({terms}) % 10) % 10 = {n} % 10)"


def gtin_type_sql(col: str = "p.ean") -> str:
    """SQL: 'EAN' for 13 digits, 'UPC' for 12, NULL otherwise (external_product_id_type)."""
    return (f"CASE WHEN regexp_full_match({col}, '[0-9]{{13}}') THEN 'EAN' "
            f"WHEN regexp_full_match({col}, '[0-9]{{12}}') THEN 'UPC' END")


_GTIN_SHAPE = "regexp_full_match(p.ean, '[0-9]{12,13}')"
# GS1 restricted-circulation prefixes of the GTIN-13 form (a UPC-12 gets a leading 0).
_GTIN_PREFIX = f"({_gtin_int()} // 10000000000)"
_GTIN_PREFIX_D = "(p._gtin // 10000000000)"
_RESTRICTED = (f"({_GTIN_PREFIX} BETWEEN 20 AND 29 OR {_GTIN_PREFIX} BETWEEN 40 AND 49 "
               f"OR {_GTIN_PREFIX} BETWEEN 200 AND 299)")

_WORD_EDGE_BEFORE = r"(^|[^\pL\pN])"
_WORD_EDGE_AFTER = r"($|[^\pL\pN])"


def _phrase_regex(phrases: tuple[str, ...]) -> str:
    """Case-insensitive regex of whole phrases, spaces matching any run of blanks incl. NBSP."""
    alts = "|".join(re.escape(p).replace(r"\ ", " ").replace(" ", r"[\s\x{00A0}]+")
                    for p in sorted(phrases, key=len, reverse=True))
    return f"(?i){_WORD_EDGE_BEFORE}({alts}){_WORD_EDGE_AFTER}"


PROMO_REGEX = _phrase_regex(cfg.PROMO_PHRASES)
FORBIDDEN_CHARS_REGEX = "[" + "".join("\\" + c if c in "^]\\-[" else c for c in cfg.TITLE_FORBIDDEN_CHARS) + "]"
EMAIL_REGEX = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
URL_REGEX = r"(?i)(https?://|www\.)[^\s\x{00A0}<>]+"
# French numbers (0X XX XX XX XX), international ones (+33 / 0033 …) and North-American (555) 123-4567.
PHONE_REGEX = (r"(^|[^0-9])((\+|00)[1-9][0-9]{0,2}[ .\-]?(\(0\))?[ .\-]?[1-9]([ .\-]?[0-9]{2}){4}"
               r"|0[1-9]([ .\-]?[0-9]{2}){4}"
               r"|\([2-9][0-9]{2}\)[ .\-]?[0-9]{3}[ .\-][0-9]{4})($|[^0-9])")
CONTROL_CODES: tuple[int, ...] = (*range(0, 9), 11, 12, *range(14, 32), 127)
CONTROL_CHARS = r"\x00-\x08\x0B\x0C\x0E-\x1F\x7F"
CONTROL_REGEX = f"[{CONTROL_CHARS}]"
SHORT_TEXT_BYTES = 100   # below this, one regex call beats 28 memchr passes (measured on titles)
# Over the joined bullets (separator U+001E, hence left out of the class): a formula start or a control.
BULLETS_BLANK_GATE = r"(^|\x1E)[\s\x{00A0}]*(\x1E|$)"
BULLETS_UNSAFE_GATE = r"(^|\x1E)[=+@]|[\x00-\x08\x0B\x0C\x0E-\x1D\x1F\x7F]"
IMAGE_URL_REGEX = r"(?i)https?://[^\s/?#@]+\.[^\s/?#@]+(/\S*)?"

# A title's words: lower case, split on runs of these characters (core.rules.prefilters reads it too).
TITLE_WORD_SEPARATOR = r"[^\pL\pN]"
TITLE_WORDS_TEXT = "lower(p.title)"
_TITLE_TOKENS = f"regexp_split_to_array({TITLE_WORDS_TEXT}, '{TITLE_WORD_SEPARATOR}+')"
_TITLE_WORDS = (f"list_filter({_TITLE_TOKENS}, "
                "lambda w: length(w) > 1 AND w NOT IN ("
                + ", ".join(_lit(w) for w in cfg.TITLE_REPEAT_EXEMPT) + "))")
_TITLE_WORD_COUNTS = f"list_aggr({_TITLE_WORDS}, 'histogram')"
# Cheap tests telling whether a description may hold contact details: substring searches and regexes
# that begin with a literal (RE2 then skips ahead with memchr, ~6x faster than a leading class). Every
# e-mail has "@", every URL "://" or "www.", every phone of PHONE_REGEX "0[1-9]…", "00…", "+…" or "(…".
# (A CASE chain, not OR: CASE stops at the first test that holds, OR would run them all on every row.)
DESCRIPTION_SUSPECT_SQL = "CASE " + " ".join(f"WHEN {test} THEN true" for test in [
    "contains(p.description_text, '@')", "contains(p.description_text, '://')",
    "contains(p.description_text, 'www.')", "contains(p.description_text, 'WWW.')",
    r"regexp_matches(p.description_text, '0[1-9]([ .\-]?[0-9]{2}){4}')",
    "regexp_matches(p.description_text, '00[1-9]')", r"regexp_matches(p.description_text, '\+[1-9]')",
    r"regexp_matches(p.description_text, '\([2-9]')",
]) + " ELSE false END"

_FIRST5 = f"p.bullet_points[1:{cfg.BULLET_MAX_COUNT}]"

# Costly expressions shared by several rules, computed once per product in the detection pass
# (referenced as p.<name> in ``when`` only; ``value`` and ``params`` run on hit rows and use columns).
DERIVED: dict[str, str] = {
    "_title_tokens": _TITLE_TOKENS,
    "_desc_suspect": f"({DESCRIPTION_SUSPECT_SQL})",
    "_gtin": "CASE WHEN regexp_full_match(p.ean, '[0-9]{12,13}') THEN CAST(p.ean AS BIGINT) END",
    # the first bullets joined by the record separator (U+001E): one string test instead of a lambda
    "_bullets": f"array_to_string({_FIRST5}, chr(30))",
    # one regex call per title for two rules (promo phrase or forbidden character); each rule then runs
    # its own regex on the few titles this lets through
    "_title_odd": f"regexp_matches(p.title, {_lit(PROMO_REGEX + '|' + FORBIDDEN_CHARS_REGEX)})",
    # per category (LEFT JOIN of the engine's category statistics as s): price distribution and the
    # Amazon product type chosen in Mapping or suggested from the category name
    "_price_med": "s.med",
    "_price_n": "s.n",
    "_category_type": "s.product_type",
    "_cat_restricted": "s.restricted",
    "_cat_brand_required": "s.brand_required",
}

# Category lists as flags of the engine's per-category statistics (computed once per category, not per row).
CATEGORY_FLAGS: dict[str, str] = {
    "restricted": _in_categories(cfg.RESTRICTED_CATEGORIES, "st.category"),
    "brand_required": _in_categories(cfg.BRAND_REQUIRED_CATEGORIES, "st.category"),
}

# Where a per-field text check reports: products column -> (field shown, Amazon attribute).
TEXT_FIELDS: dict[str, tuple[str, str]] = {
    "sku": ("sku", "item_sku"),
    "title": ("title", "item_name"),
    "description_text": ("description", "product_description"),
    "brand": ("brand", "brand_name"),
    "manufacturer": ("manufacturer", "manufacturer"),
}

# --- the rules ---------------------------------------------------------------------------------
RULES: tuple[Rule, ...] = (
    # SKU
    Rule("SKU_MISSING", "sku", "item_sku", ERROR, "MISSING_ATTRIBUTE", blank("p.sku"),
         good={}, bad={"sku": "  "}, value="CAST(p._row AS VARCHAR)", params={"row": "p._row"},
         reads=("sku", "_row")),
    Rule("SKU_DUPLICATE", "sku", "item_sku", ERROR, "DUPLICATE",
         f"NOT {blank('p.sku')} AND p.sku IN (SELECT sku FROM {{sel}} GROUP BY sku HAVING count(*) > 1)",
         good={"sku": "UNIQUE-1"}, bad={"sku": "TWICE"}),
    Rule("SKU_TOO_LONG", "sku", "item_sku", ERROR, "INVALID_ATTRIBUTE", f"length(p.sku) > {cfg.SKU_MAX_CHARS}",
         good={"sku": "S" * cfg.SKU_MAX_CHARS}, bad={"sku": "S" * (cfg.SKU_MAX_CHARS + 1)},
         params={"n": "length(p.sku)", "max": str(cfg.SKU_MAX_CHARS)}),
    Rule("SKU_SPACES", "sku", "item_sku", ERROR, "INVALID_ATTRIBUTE",
         gate("p.sku < '!' OR starts_with(p.sku, chr(160)) OR suffix(p.sku, ' ') OR suffix(p.sku, chr(160)) "
              "OR suffix(p.sku, chr(9)) OR suffix(p.sku, chr(10)) OR suffix(p.sku, chr(13))",
              f"NOT {blank('p.sku')} AND p.sku <> trim(p.sku, {_SPACES})"),
         good={"sku": "AB 12"}, bad={"sku": "AB-12 "}, value="'«' || p.sku || '»'"),
    # Title
    Rule("TITLE_MISSING", "title", "item_name", ERROR, "MISSING_ATTRIBUTE", blank("p.title"),
         good={}, bad={"title": None}),
    Rule("TITLE_TOO_LONG", "title", "item_name", ERROR, "INVALID_ATTRIBUTE",
         f"length(p.title) > {cfg.TITLE_MAX_CHARS}",
         good={"title": "Marque " + "a" * (cfg.TITLE_MAX_CHARS - 7)},
         bad={"title": "Marque " + "a" * (cfg.TITLE_MAX_CHARS - 6)},
         params={"n": "length(p.title)", "max": str(cfg.TITLE_MAX_CHARS)}),
    Rule("TITLE_ALL_CAPS", "title", "item_name", WARNING, "INVALID_ATTRIBUTE",
         gate("upper(left(p.title, 8)) = left(p.title, 8)",
              r"p.title = upper(p.title) AND length(regexp_replace(p.title, '[^\pL]', '', 'g')) >= 6"),
         good={"title": "Marque Lampe LED USB noire"}, bad={"title": "MARQUE LAMPE DE BUREAU LED"}),
    Rule("TITLE_PROMO", "title", "item_name", ERROR, "INVALID_ATTRIBUTE",
         gate("p._title_odd", f"regexp_matches(p.title, {_lit(PROMO_REGEX)})"),
         good={"title": "Marque Lampe de bureau gratuité LED"},
         bad={"title": "Marque Lampe de bureau LED - Livraison  gratuite"},
         value=f"regexp_extract(p.title, {_lit(PROMO_REGEX)}, 2)",
         params={"phrase": f"regexp_extract(p.title, {_lit(PROMO_REGEX)}, 2)"}),
    Rule("TITLE_FORBIDDEN_CHARS", "title", "item_name", ERROR, "INVALID_ATTRIBUTE",
         gate("p._title_odd", f"regexp_matches(p.title, {_lit(FORBIDDEN_CHARS_REGEX)})"),
         good={"title": "Marque Lampe LED (40 cm), noire & blanche"}, bad={"title": "Marque Lampe LED !"},
         params={"chars": f"array_to_string(list_distinct(regexp_extract_all(p.title, {_lit(FORBIDDEN_CHARS_REGEX)})), ' ')"}),
    Rule("TITLE_WORD_REPEATED", "title", "item_name", WARNING, "INVALID_ATTRIBUTE",
         # cheap pre-test over all tokens (articles included): at least two duplicates; then the exact count
         # (len(list_distinct) rather than list_unique: the latter measured 30 % slower at 1M on 2 threads)
         gate(f"len(p._title_tokens) - len(list_distinct(p._title_tokens)) >= {cfg.TITLE_MAX_WORD_REPEAT}",
              f"list_max(map_values({_TITLE_WORD_COUNTS.replace(_TITLE_TOKENS, 'p._title_tokens')})) "
              f"> {cfg.TITLE_MAX_WORD_REPEAT}"),
         good={"title": "Marque Lampe de table et lampe de chevet de la maison"},
         bad={"title": "Marque Lampe LED lampe de bureau, LAMPE"},
         # one histogram per row (a lambda reading the histogram rebuilt it for every key: 150 µs a row)
         params={"word": f"list_filter(map_entries({_TITLE_WORD_COUNTS}), lambda e: e.value > {cfg.TITLE_MAX_WORD_REPEAT})[1].key",
                 "max": str(cfg.TITLE_MAX_WORD_REPEAT)}),
    Rule("TITLE_BRAND_NOT_FIRST", "title", "item_name", WARNING, "INVALID_ATTRIBUTE",
         # most titles start with the brand as written: only the others get the case-insensitive test
         gate("NOT starts_with(p.title, p.brand)",
              f"NOT {blank('p.brand')} AND NOT {blank('p.title')} AND NOT starts_with("
              f"lower(ltrim(left(p.title, length(p.brand) + 8), {_SPACES})), lower(trim(p.brand, {_SPACES})))"),
         good={"title": "marque Lampe LED"}, bad={"title": "Lampe LED Marque"},
         params={"brand": "p.brand"}, reads=("title", "brand")),
    # Description (description_text = HTML converted once at import: what the export sends)
    Rule("DESCRIPTION_MISSING", "description", "product_description", ERROR, "MISSING_ATTRIBUTE",
         blank("p.description_text"), good={}, bad={"description": "<p> <br/> &nbsp;</p>"},
         value="left(p.description, 200)", reads=("description_text", "description")),
    Rule("DESCRIPTION_TOO_LONG", "description", "product_description", WARNING, "INVALID_ATTRIBUTE",
         # strlen (bytes) is free and bounds the character count: it filters before length()
         gate(f"strlen(p.description_text) > {cfg.DESCRIPTION_MAX_CHARS}", f"length(p.description_text) > {cfg.DESCRIPTION_MAX_CHARS}"),
         good={"description": "x" * cfg.DESCRIPTION_MAX_CHARS}, bad={"description": "é" * (cfg.DESCRIPTION_MAX_CHARS + 1)},
         value="left(p.description_text, 100) || '…'",
         params={"n": "length(p.description_text)", "max": str(cfg.DESCRIPTION_MAX_CHARS)}, reads=("description_text",)),
    Rule("DESCRIPTION_TOO_BIG", "description", "product_description", ERROR, "INVALID_ATTRIBUTE",
         f"strlen(p.description_text) > {cfg.DESCRIPTION_MAX_BYTES}",
         good={"description": "é" * (cfg.DESCRIPTION_MAX_BYTES // 2)}, bad={"description": "é" * (cfg.DESCRIPTION_MAX_BYTES // 2 + 1)},
         value="left(p.description_text, 100) || '…'",
         params={"n": "strlen(p.description_text)", "max": str(cfg.DESCRIPTION_MAX_BYTES)}, reads=("description_text",)),
    Rule("DESCRIPTION_EMAIL", "description", "product_description", ERROR, "INVALID_ATTRIBUTE",
         gate("p._desc_suspect", f"contains(p.description_text, '@') AND regexp_matches(p.description_text, {_lit(EMAIL_REGEX)})"),
         good={"description": "<p>Suivez-nous @marque, 2 kg</p>"}, bad={"description": "<p>Contact : sav@marque.fr</p>"},
         value=f"regexp_extract(p.description_text, {_lit(EMAIL_REGEX)})", reads=("description_text",)),
    Rule("DESCRIPTION_URL", "description", "product_description", ERROR, "INVALID_ATTRIBUTE",
         gate("p._desc_suspect", "(contains(p.description_text, '://') OR contains(lower(p.description_text), 'www.')) "
              f"AND regexp_matches(p.description_text, {_lit(URL_REGEX)})"),
         good={"description": "<p>Normes : EN 71-3. Poids 2.5 kg.</p>"},
         bad={"description": "<p>Voir <a href='x'>https://marque.fr/notice</a></p>"},
         value=f"regexp_extract(p.description_text, {_lit(URL_REGEX)})", reads=("description_text",)),
    Rule("DESCRIPTION_PHONE", "description", "product_description", ERROR, "INVALID_ATTRIBUTE",
         gate("p._desc_suspect", f"regexp_matches(p.description_text, {_lit(PHONE_REGEX)})"),
         good={"description": "<p>EAN 4006381333931, 220-240 V, 2 x 20 cm</p>"},
         bad={"description": "<p>SAV au 01 23 45 67 89.</p>"},
         value=f"regexp_extract(p.description_text, {_lit(PHONE_REGEX)}, 2)", reads=("description_text",)),
    # Bullet points
    Rule("BULLETS_TOO_MANY", "bullet_points", "bullet_point1..5", WARNING, "INVALID_ATTRIBUTE",
         f"len(p.bullet_points) > {cfg.BULLET_MAX_COUNT}",
         good={"bullet_points": ["a"] * cfg.BULLET_MAX_COUNT}, bad={"bullet_points": ["a"] * (cfg.BULLET_MAX_COUNT + 1)},
         value=f"array_to_string(p.bullet_points[{cfg.BULLET_MAX_COUNT + 1}:], ' | ')",
         params={"n": "len(p.bullet_points)", "max": str(cfg.BULLET_MAX_COUNT)}),
    Rule("BULLET_EMPTY", "bullet_points", "bullet_point1..5", ERROR, "INVALID_ATTRIBUTE",
         gate(f"list_count({_FIRST5}) < len({_FIRST5}) OR regexp_matches(p._bullets, {_lit(BULLETS_BLANK_GATE)})",
              f"list_bool_or(list_transform({_FIRST5}, lambda b: {blank('b')}))"),
         good={"bullet_points": ["Éclairage LED", "8 W"]}, bad={"bullet_points": ["Éclairage LED", " "]},
         value="array_to_string(p.bullet_points, ' | ')",
         params={"n": f"list_position(list_transform({_FIRST5}, lambda b: {blank('b')}), true)"}),
    Rule("BULLET_TOO_LONG", "bullet_points", "bullet_point1..5", ERROR, "INVALID_ATTRIBUTE",
         gate(f"strlen(p._bullets) > {cfg.BULLET_MAX_CHARS}",
              f"list_bool_or(list_transform({_FIRST5}, lambda b: length(b) > {cfg.BULLET_MAX_CHARS}))"),
         good={"bullet_points": ["x" * cfg.BULLET_MAX_CHARS]}, bad={"bullet_points": ["ok", "x" * (cfg.BULLET_MAX_CHARS + 1)]},
         value=f"left(list_filter({_FIRST5}, lambda b: length(b) > {cfg.BULLET_MAX_CHARS})[1], 100) || '…'",
         params={"n": f"list_position(list_transform({_FIRST5}, lambda b: length(b) > {cfg.BULLET_MAX_CHARS}), true)",
                 "max": str(cfg.BULLET_MAX_CHARS)}),
    Rule("BULLET_FORMULA", "bullet_points", "bullet_point1..5", WARNING, "INVALID_ATTRIBUTE",
         gate(f"regexp_matches(p._bullets, {_lit(BULLETS_UNSAFE_GATE)})",
              f"list_bool_or(list_transform({_FIRST5}, lambda b: regexp_matches(b, '^[=+@]') OR regexp_matches(b, {_lit(CONTROL_REGEX)})))"),
         good={"bullet_points": ["A + B", "Lot de 2"]}, bad={"bullet_points": ["=HYPERLINK(\"x\")"]},
         value="array_to_string(p.bullet_points, ' | ')"),
    # Price, quantity, weight (numbers keep their text in <name>_raw: "missing" vs "not a number")
    Rule("PRICE_MISSING", "price", "standard_price", ERROR, "MISSING_PRICE", blank("p.price_raw"),
         good={}, bad={"price": ""}, reads=("price_raw",)),
    Rule("PRICE_NOT_NUMBER", "price", "standard_price", ERROR, "INVALID_PRICE",
         f"NOT {blank('p.price_raw')} AND p.price IS NULL",
         good={"price": "12"}, bad={"price": "douze"}, value="p.price_raw", reads=("price", "price_raw")),
    Rule("PRICE_NOT_POSITIVE", "price", "standard_price", ERROR, "INVALID_PRICE", "p.price <= 0",
         good={"price": "0.01"}, bad={"price": "0"}, value="CAST(p.price AS VARCHAR)"),
    Rule("PRICE_DECIMALS", "price", "standard_price", ERROR, "INVALID_PRICE",
         "abs(p.price * 100 - round(p.price * 100)) > 1e-6",
         good={"price": "19.99"}, bad={"price": "19.999"}, value="p.price_raw", reads=("price", "price_raw")),
    Rule("PRICE_OUTLIER", "price", "standard_price", WARNING, "INVALID_PRICE",
         f"p.price > 0 AND p._price_n >= {cfg.PRICE_OUTLIER_MIN_PRODUCTS} "
         f"AND (p.price > p._price_med * {cfg.PRICE_OUTLIER_FACTOR} OR p.price < p._price_med / {cfg.PRICE_OUTLIER_FACTOR})",
         good={"price": "35"}, bad={"price": "2999"}, value="CAST(p.price AS VARCHAR)",
         params={"median": "(SELECT round(s.med, 2) FROM {category_stats} s WHERE s.category = p.category)",
                 "factor": str(int(cfg.PRICE_OUTLIER_FACTOR))},
         reads=("price", "category")),
    Rule("QUANTITY_MISSING", "stock_quantity", "quantity", ERROR, "MISSING_ATTRIBUTE", blank("p.stock_quantity_raw"),
         good={}, bad={"stock_quantity": None}, reads=("stock_quantity_raw",)),
    Rule("QUANTITY_INVALID", "stock_quantity", "quantity", ERROR, "INVALID_ATTRIBUTE",
         # a raw text equal to the parsed integer is valid: only the others get the regex
         gate("p.stock_quantity IS NULL OR p.stock_quantity < 0 OR p.stock_quantity_raw <> CAST(p.stock_quantity AS VARCHAR)",
              f"NOT {blank('p.stock_quantity_raw')} AND NOT regexp_full_match(trim(p.stock_quantity_raw, {_SPACES}), '[0-9]+(\\.0+)?')"),
         good={"stock_quantity": "0"}, bad={"stock_quantity": "2.5"}, value="p.stock_quantity_raw",
         reads=("stock_quantity", "stock_quantity_raw")),
    Rule("WEIGHT_INVALID", "weight", "item_weight", WARNING, "INVALID_ATTRIBUTE",
         f"NOT {blank('p.weight_raw')} AND (p.weight IS NULL OR p.weight <= 0)",
         good={"weight": "250"}, bad={"weight": "lourd"}, value="p.weight_raw", reads=("weight", "weight_raw")),
    # Images (from the data alone; pixel checks are their own job)
    Rule("MAIN_IMAGE_MISSING", "images", "main_image_url", ERROR, "MISSING_IMAGE",
         f"p.images IS NULL OR len(p.images) = 0 OR {blank('p.images[1]')}",
         good={}, bad={"images": []}),
    Rule("IMAGE_URL_INVALID", "images", "main_image_url / other_image_url1..8", ERROR, "INVALID_IMAGE",
         f"list_bool_or(list_transform(p.images, lambda u: NOT {blank('u')} AND NOT regexp_full_match(u, {_lit(IMAGE_URL_REGEX)})))",
         good={"images": ["HTTPS://cdn.example.com/a.jpg", "http://img.example.fr/b.png?v=2"]},
         bad={"images": ["https://cdn.example.com/a.jpg", "ftp://cdn.example.com/b.jpg"]},
         value=f"list_filter(p.images, lambda u: NOT {blank('u')} AND NOT regexp_full_match(u, {_lit(IMAGE_URL_REGEX)}))[1]"),
    Rule("IMAGES_TOO_MANY", "images", "other_image_url1..8", WARNING, "INVALID_IMAGE",
         f"len(p.images) > {cfg.IMAGE_MAX_SECONDARY + 1}",
         good={"images": [f"https://cdn.example.com/{i}.jpg" for i in range(cfg.IMAGE_MAX_SECONDARY + 1)]},
         bad={"images": [f"https://cdn.example.com/{i}.jpg" for i in range(cfg.IMAGE_MAX_SECONDARY + 2)]},
         value=f"array_to_string(p.images[{cfg.IMAGE_MAX_SECONDARY + 2}:], ' ')",
         params={"n": "len(p.images) - 1", "max": str(cfg.IMAGE_MAX_SECONDARY)}),
    # Category and product type
    Rule("CATEGORY_MISSING", "category", "product_type", ERROR, "MISSING_ATTRIBUTE", blank("p.category"),
         good={}, bad={"category": ""}),
    Rule("PRODUCT_TYPE_GENERIC", "category", "product_type", WARNING, "MISSING_ATTRIBUTE",
         # no saved choice in Mapping and no suggestion: the export falls back to the generic PRODUCT type
         f"NOT {blank('p.category')} AND p._category_type IS NULL",
         good={"category": "Maison"}, bad={"category": "Rayon inconnu"}, reads=("category",),
         tables=("category_product_types",)),
    Rule("CATEGORY_RESTRICTED", "category", "product_type", WARNING, "QUALIFICATION_REQUIRED",
         "p._cat_restricted",
         good={"category": "Maison"}, bad={"category": "Bijoux"}),
    # Brand and manufacturer: required in the categories of BRAND_REQUIRED_CATEGORIES, advised elsewhere
    Rule("BRAND_MISSING", "brand", "brand_name", ERROR, "MISSING_ATTRIBUTE",
         f"{blank('p.brand')} AND p._cat_brand_required",
         good={"brand": "Marque"}, bad={"brand": "", "category": "Électronique"}, reads=("brand", "category")),
    Rule("BRAND_RECOMMENDED", "brand", "brand_name", WARNING, "MISSING_ATTRIBUTE",
         f"{blank('p.brand')} AND NOT coalesce(p._cat_brand_required, false)",
         good={"brand": "Marque", "category": "Papeterie"}, bad={"brand": None, "category": "Papeterie"},
         reads=("brand", "category")),
    Rule("MANUFACTURER_MISSING", "manufacturer", "manufacturer", ERROR, "MISSING_ATTRIBUTE",
         f"{blank('p.manufacturer')} AND p._cat_brand_required",
         good={"manufacturer": "Marque SAS"}, bad={"manufacturer": None, "category": "Jouets"},
         reads=("manufacturer", "category")),
    Rule("MANUFACTURER_RECOMMENDED", "manufacturer", "manufacturer", WARNING, "MISSING_ATTRIBUTE",
         f"{blank('p.manufacturer')} AND NOT coalesce(p._cat_brand_required, false)",
         good={"manufacturer": "Marque SAS", "category": "Papeterie"},
         bad={"manufacturer": " ", "category": "Papeterie"}, reads=("manufacturer", "category")),
    # EAN / UPC (external_product_id)
    Rule("EAN_MISSING", "ean", "external_product_id", ERROR, "MISSING_ATTRIBUTE",
         f"{blank('p.ean')} AND NOT coalesce(p.gtin_exempt, false)",
         good={"ean": None, "gtin_exempt": True}, bad={"ean": None}, reads=("ean", "gtin_exempt")),
    Rule("EAN_NOT_DIGITS", "ean", "external_product_id", ERROR, "INVALID_ATTRIBUTE",
         f"p._gtin IS NULL AND NOT {blank('p.ean')} AND NOT regexp_full_match(p.ean, '[0-9]+')",
         good={"ean": "0887276302195"}, bad={"ean": "4006381 333931"}),
    Rule("EAN_LENGTH", "ean", "external_product_id", ERROR, "INVALID_ATTRIBUTE",
         "p._gtin IS NULL AND regexp_full_match(p.ean, '[0-9]+') AND length(p.ean) NOT IN (12, 13)",
         good={"ean": "887276302195"}, bad={"ean": "40063813339"}, params={"n": "length(p.ean)"}),
    Rule("EAN_CHECK_DIGIT", "ean", "external_product_id", ERROR, "INVALID_ATTRIBUTE",
         f"p._gtin IS NOT NULL AND NOT {gtin_check_ok_sql('p._gtin')}",
         good={"ean": "5901234123457"}, bad={"ean": "3760000000001"}),
    Rule("EAN_RESTRICTED_PREFIX", "ean", "external_product_id", ERROR, "INVALID_ATTRIBUTE",
         f"p._gtin IS NOT NULL AND ({_GTIN_PREFIX_D} BETWEEN 20 AND 29 OR {_GTIN_PREFIX_D} BETWEEN 40 AND 49 "
         f"OR {_GTIN_PREFIX_D} BETWEEN 200 AND 299)",
         good={"ean": "3017620422003"}, bad={"ean": "2001234567893"},
         params={"prefix": f"lpad(CAST({_GTIN_PREFIX} AS VARCHAR), 3, '0')"}),
    Rule("EAN_DUPLICATE", "ean", "external_product_id", ERROR, "DUPLICATE",
         f"NOT {blank('p.ean')} AND p.ean IN (SELECT ean FROM {{sel}} WHERE ean IS NOT NULL "
         "GROUP BY ean HAVING min(sku) <> max(sku))",
         good={"ean": "4006381333931"}, bad={"ean": "5901234123457"}, reads=("ean", "sku")),
    Rule("EAN_IS_UPC", "ean", "external_product_id_type", INFO, "INVALID_ATTRIBUTE",
         f"p._gtin IS NOT NULL AND strlen(p.ean) = 12 AND {gtin_check_ok_sql('p._gtin')}",
         good={"ean": "4006381333931"}, bad={"ean": "887276302195"}),
    # Text that would corrupt a spreadsheet (formula) or a file (control characters)
    Rule("TEXT_FORMULA", "", "", WARNING, "INVALID_ATTRIBUTE",
         # first character "=", "+" or "@", no regex call; left(), not ascii(): ascii() reads the whole
         # value (6x the cost on descriptions)
         "left({col}, 1) IN ('=', '+', '@')",
         good={"title": "Marque Lampe = confort", "brand": "Marque"},
         bad={"title": "=HYPERLINK(\"http://x\")"}, value="{col}",
         per_field=tuple(TEXT_FIELDS)),
    Rule("TEXT_CONTROL_CHARS", "", "", ERROR, "INVALID_ATTRIBUTE", has_control_sql("{col}"),
         good={"title": "Marque Lampe LED"}, bad={"manufacturer": "Marque\x07SAS"},
         value=f"regexp_replace({{col}}, {_lit(CONTROL_REGEX)}, '�', 'g')",
         per_field=tuple(c for c in TEXT_FIELDS if c != "description_text")),
    Rule("DESCRIPTION_CONTROL_CHARS", "description", "product_description", ERROR, "INVALID_ATTRIBUTE",
         has_control_sql("p.description_text"),
         good={"description": "<p>Lampe\tLED</p>"}, bad={"description": "<p>Lampe\x0bLED</p>"},
         value=f"left(regexp_replace(p.description_text, {_lit(CONTROL_REGEX)}, '�', 'g'), 100)",
         reads=("description_text",)),
)

# Example data a rule's good/bad case needs besides the product (other tables, a second product).
EXAMPLE_FIXTURES: dict[str, dict] = {
    "SKU_DUPLICATE": {"others": [{"sku": "TWICE"}]},
    "EAN_DUPLICATE": {"others": [{"sku": "OTHER-SKU", "ean": "5901234123457"}]},
    "PRICE_OUTLIER": {"others": [{"sku": f"PEER-{i}", "price": str(30 + i)} for i in range(6)]},
}


def rule(code: str) -> Rule:
    """The rule whose code is ``code``."""
    return next(r for r in RULES if r.code == code)
