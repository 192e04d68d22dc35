"""Product rows → SP-API JSON listings (Listings Items API bodies and JSON_LISTINGS_FEED messages).

Built from the *same* mapping as the Flat File (:func:`core.mapping.query.mapped_sql`): each Flat File
field the mapping produces becomes the JSON attribute Amazon names for it (spapi-reference §d), so a
change in the mapping editor changes both exports alike. Everything is one DuckDB ``SELECT`` with JSON
functions — no Python loop over products.

The table :data:`ATTRIBUTES` declares, per JSON attribute, the Flat File field(s) it reads and its
shape (text with language tag, plain value, image locator …). :data:`EXTRA_ATTRIBUTES` declares
attributes read straight from optional catalogue columns of the same name (``color``,
``country_of_origin`` …: required by many product types for new listings, absent from the guide's
mapping). Offer-only submissions (mode "association à des ASIN existants", ``LISTING_OFFER_ONLY``)
keep only :data:`OFFER_ATTRIBUTES`.

Condition: the Paramètres condition (``integrations.condition_type``) unless the mapping reads the
condition from a catalogue column, in which case each product's own condition is used.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import duckdb

from core.catalog.store import PRODUCTS
from core.db import quote_ident, table_exists
from core.mapping.default import MappingRow
from core.mapping.query import column_types, mapped_sql
from core.marketplaces import Marketplace
from core.selection import Selection, sql_literal

OFFER_ONLY = "LISTING_OFFER_ONLY"
LISTING = "LISTING"
MAX_OTHER_IMAGES = 8
MAX_BULLETS = 5

# Shapes (spapi-reference §d): how one attribute entry is written.
TEXT = "text"          # [{value, language_tag, marketplace_id}]
PLAIN = "plain"        # [{value, marketplace_id}]
IMAGE = "image"        # [{media_location, marketplace_id}]


@dataclass(frozen=True)
class Attribute:
    name: str                   # JSON attribute name
    fields: tuple[str, ...]     # Flat File field(s) of the mapping it reads
    shape: str                  # TEXT, PLAIN, IMAGE or a special shape named after the attribute
    offer: bool = False         # kept in LISTING_OFFER_ONLY submissions


ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute("item_name", ("item_name",), TEXT),
    Attribute("brand", ("brand_name",), TEXT),
    Attribute("manufacturer", ("manufacturer",), TEXT),
    Attribute("product_description", ("product_description",), TEXT),
    Attribute("bullet_point", tuple(f"bullet_point{i}" for i in range(1, MAX_BULLETS + 1)), "bullet_point"),
    Attribute("externally_assigned_product_identifier", ("external_product_id", "external_product_id_type"),
              "externally_assigned_product_identifier", offer=True),
    Attribute("supplier_declared_has_product_identifier_exemption", ("external_product_id",),
              "supplier_declared_has_product_identifier_exemption"),
    Attribute("merchant_suggested_asin", (), "merchant_suggested_asin", offer=True),
    Attribute("condition_type", ("condition_type",), "condition_type", offer=True),
    Attribute("purchasable_offer", ("standard_price",), "purchasable_offer", offer=True),
    Attribute("fulfillment_availability", ("quantity",), "fulfillment_availability", offer=True),
    Attribute("item_weight", ("item_weight", "item_weight_unit_of_measure"), "item_weight"),
    Attribute("main_product_image_locator", ("main_image_url",), IMAGE),
    *(Attribute(f"other_product_image_locator_{i}", (f"other_image_url{i}",), IMAGE)
      for i in range(1, MAX_OTHER_IMAGES + 1)),
)
OFFER_ATTRIBUTES: tuple[str, ...] = tuple(a.name for a in ATTRIBUTES if a.offer)

# Optional catalogue columns sent as the attribute of the same name (absent column = not sent).
EXTRA_ATTRIBUTES: tuple[tuple[str, str], ...] = (
    ("color", TEXT),
    ("country_of_origin", PLAIN),
    ("item_type_keyword", PLAIN),
    ("supplier_declared_dg_hz_regulation", PLAIN),
    ("generic_keyword", TEXT),
)

# Flat File weight units (transforms.WEIGHT_UNITS labels) → the JSON unit names (full names, §d).
WEIGHT_UNITS: dict[str, str] = {"KG": "kilograms", "GR": "grams", "LB": "pounds", "OZ": "ounces"}
# Flat File condition values (transforms.CONDITIONS) → JSON condition_type values.
CONDITION_TYPES: dict[str, str] = {"New": "new_new", "Refurbished": "refurbished_refurbished",
                                   "UsedGood": "used_good"}


@dataclass(frozen=True)
class BuildOptions:
    """What the JSON depends on besides the mapping: the marketplace, settings, and ASIN matches."""
    marketplace: Marketplace
    requirements: str = LISTING            # LISTING (create) or LISTING_OFFER_ONLY (match)
    condition_type: str = "new_new"        # from the Paramètres condition
    per_product_condition: bool = False    # the mapping reads the condition from a catalogue column


def _present(expr: str) -> str:
    return f"nullif(trim({expr}), '')"


def _m(field: str) -> str:
    return f"m.{quote_ident(field)}"


class Raw(str):
    """An SQL expression that already yields JSON text (not to be passed through ``to_json``)."""


def _obj(*pairs: tuple[str, str]) -> str:
    """SQL building the JSON object text ``{"k": v, …}`` by concatenation (faster than ``json_object``;
    ``to_json`` of a constant is folded once). Values are SQL expressions, JSON-encoded unless ``Raw``."""
    parts = []
    for i, (key, value) in enumerate(pairs):
        prefix = ("{" if i == 0 else ",") + json.dumps(key) + ":"
        parts.append(sql_literal(prefix))
        parts.append(value if isinstance(value, Raw) else f"to_json({value})")
    return "(" + " || ".join(parts) + " || '}')"


def _arr(*items: str) -> str:
    return "('[' || " + " || ',' || ".join(items) + " || ']')"


def entry_sql(shape: str, value: str, mp: str, lang: str) -> str:
    """SQL of ONE attribute entry (a JSON object text) of ``shape`` for the value expression ``value``."""
    if shape == TEXT:
        return _obj(("value", value), ("language_tag", lang), ("marketplace_id", mp))
    if shape == PLAIN:
        return _obj(("value", value), ("marketplace_id", mp))
    if shape == IMAGE:
        return _obj(("media_location", value), ("marketplace_id", mp))
    raise KeyError(shape)


def _single(shape: str, value: str, mp: str, lang: str) -> str:
    # A one-entry attribute, absent (NULL) when the value is empty.
    v = _present(value)
    return f"CASE WHEN {v} IS NOT NULL THEN {_arr(entry_sql(shape, v, mp, lang))} END"


def attribute_sql(attr: Attribute, opts: BuildOptions, mp: str, lang: str) -> str:
    """SQL expression of the JSON value of ``attr`` for one mapped row ``m`` (NULL = not sent)."""
    if attr.shape in (TEXT, PLAIN, IMAGE):
        return _single(attr.shape, _m(attr.fields[0]), mp, lang)
    if attr.name == "bullet_point":
        # One entry per non-blank bullet, order kept; concat_ws skips the NULLs (cheaper than lambdas).
        entries = ", ".join(f"CASE WHEN {_present(_m(f))} IS NOT NULL THEN {entry_sql(TEXT, f'trim({_m(f)})', mp, lang)} END"
                            for f in attr.fields)
        return f"nullif('[' || concat_ws(',', {entries}) || ']', '[]')"
    if attr.name == "externally_assigned_product_identifier":
        code, kind = _present(_m(attr.fields[0])), f"lower({_present(_m(attr.fields[1]))})"
        return (f"CASE WHEN {code} IS NOT NULL AND {kind} IS NOT NULL THEN "
                f"{_arr(_obj(('type', kind), ('value', code), ('marketplace_id', mp)))} END")
    if attr.name == "supplier_declared_has_product_identifier_exemption":
        # Only for products the catalogue declares exempt (own brand) and that carry no product id.
        return (f"CASE WHEN {_present(_m(attr.fields[0]))} IS NULL AND coalesce(m._gtin_exempt, false) "
                f"THEN {_arr(_obj(('value', 'true'), ('marketplace_id', mp)))} END")
    if attr.name == "merchant_suggested_asin":
        return _single(PLAIN, "m._asin", mp, lang)
    if attr.name == "condition_type":
        if opts.per_product_condition:
            whens = " ".join(f"WHEN {sql_literal(k)} THEN {sql_literal(v)}" for k, v in CONDITION_TYPES.items())
            value = f"coalesce(CASE {_m(attr.fields[0])} {whens} END, {sql_literal(opts.condition_type)})"
        else:
            value = sql_literal(opts.condition_type)
        return _single(PLAIN, value, mp, lang)
    if attr.name == "purchasable_offer":
        price = f"TRY_CAST({_m(attr.fields[0])} AS DOUBLE)"
        schedule = _arr(_obj(("schedule", Raw(_arr(_obj(("value_with_tax", f"round({price}, 2)")))))))
        offer = _obj(("marketplace_id", mp), ("currency", sql_literal(opts.marketplace.currency)),
                     ("audience", "'ALL'"), ("our_price", Raw(schedule)))
        return f"CASE WHEN {price} IS NOT NULL THEN {_arr(offer)} END"
    if attr.name == "fulfillment_availability":
        qty = f"TRY_CAST({_m(attr.fields[0])} AS BIGINT)"
        # No marketplace_id here: fulfillment_availability is per channel, not per marketplace (§d).
        entry = _obj(("fulfillment_channel_code", "'DEFAULT'"), ("quantity", qty))
        return f"CASE WHEN {qty} IS NOT NULL THEN {_arr(entry)} END"
    if attr.name == "item_weight":
        value, unit = f"TRY_CAST({_m(attr.fields[0])} AS DOUBLE)", _m(attr.fields[1])
        whens = " ".join(f"WHEN {sql_literal(k)} THEN {sql_literal(v)}" for k, v in WEIGHT_UNITS.items())
        unit_name = f"CASE upper(trim({unit})) {whens} END"
        return (f"CASE WHEN {value} IS NOT NULL AND {unit_name} IS NOT NULL THEN "
                f"{_arr(_obj(('value', value), ('unit', unit_name), ('marketplace_id', mp)))} END")
    raise KeyError(attr.name)


def _object_sql(pairs: list[tuple[str, str]]) -> str:
    # {"name": value, …} skipping NULL values: concatenation with NULL is NULL, concat_ws skips it.
    parts = ", ".join(f"'\"{name}\":' || ({expr})" for name, expr in pairs)
    return f"'{{' || concat_ws(',', {parts}) || '}}'"


def asin_sql(con: duckdb.DuckDBPyConnection, market: Marketplace) -> str | None:
    """SQL selecting (sku, asin, product_type) of the chosen Code2ASIN matches, or None without any.

    Uses Code2ASIN's ``asin_for_sku_sql`` when it exists, else its ``asin_matches`` table directly.
    """
    if not table_exists(con, "asin_matches"):
        return None
    cols = {r[0] for r in con.execute("DESCRIBE asin_matches").fetchall()}
    has_type = "product_type" in cols
    try:
        from core.code2asin import asin_for_sku_sql  # noqa: PLC0415 - Code2ASIN is optional
        base = asin_for_sku_sql(market.code)
    except (ImportError, AttributeError, TypeError):
        if not {"ean", "asin", "marketplace", "chosen"} <= cols:
            return None
        base = (f"SELECT p.sku, m.asin FROM {PRODUCTS} p JOIN asin_matches m ON m.ean = trim(p.ean) "
                f"AND m.marketplace IN ({sql_literal(market.code)}, {sql_literal(market.marketplace_id)}) "
                f"AND m.chosen")
    ptype = ("(SELECT any_value(t.product_type) FROM asin_matches t WHERE t.asin = a.asin)" if has_type
             else "NULL::VARCHAR")
    return f"SELECT CAST(a.sku AS VARCHAR) AS sku, any_value(a.asin) AS asin, any_value({ptype}) AS product_type " \
           f"FROM ({base}) a GROUP BY a.sku"


def listings_sql(con: duckdb.DuckDBPyConnection, rows: tuple[MappingRow, ...], opts: BuildOptions,
                 sel: Selection | None = None) -> str:
    """``SELECT _row, sku, product_type, requirements, body`` for the selected products.

    ``body`` is the putListingsItem body ``{productType, requirements, attributes}`` (JSON text; the
    attributes are not a column of their own: materialising them twice doubled the build time).
    """
    market = opts.marketplace
    mp, lang = sql_literal(market.marketplace_id), sql_literal(market.language_tag)
    mapped = mapped_sql(con, rows, market.code, sel)
    types = column_types(con)
    matches = asin_sql(con, market)
    extra_cols = [(n, s) for n, s in EXTRA_ATTRIBUTES if n in types]
    select = ["m.*", ("p.gtin_exempt" if "gtin_exempt" in types else "false") + " AS _gtin_exempt"]
    select += [f"CAST(p.{quote_ident(n)} AS VARCHAR) AS {quote_ident('_x_' + n)}" for n, _ in extra_cols]
    select += ["a.asin AS _asin", "a.product_type AS _asin_product_type"] if matches else \
        ["NULL::VARCHAR AS _asin", "NULL::VARCHAR AS _asin_product_type"]
    joins = f"JOIN {PRODUCTS} p ON p._row = m._row"
    if matches:
        joins += f" LEFT JOIN ({matches}) a ON a.sku = m._sku"
    offer_only = opts.requirements == OFFER_ONLY
    pairs = [(a.name, attribute_sql(a, opts, mp, lang)) for a in ATTRIBUTES if a.offer or not offer_only]
    if not offer_only:
        pairs += [(n, _single(s, f"m.{quote_ident('_x_' + n)}", mp, lang)) for n, s in extra_cols]
    product_type = ("coalesce(nullif(m._asin_product_type, ''), nullif(m.feed_product_type, ''), 'PRODUCT')"
                    if offer_only else "coalesce(nullif(m.feed_product_type, ''), 'PRODUCT')")
    requirements = sql_literal(opts.requirements)
    return (
        f"SELECT _row, sku, product_type, requirements, "
        # Concatenated, not json_object(…, attributes::JSON): no re-parsing of the attributes text.
        f"'{{\"productType\":' || to_json(product_type) || ',\"requirements\":' || to_json(requirements) || "
        f"',\"attributes\":' || attributes || '}}' AS body FROM ("
        f"  SELECT m._row, m._sku AS sku, {product_type} AS product_type, {requirements} AS requirements, "
        f"  {_object_sql(pairs)} AS attributes "
        f"  FROM (SELECT {', '.join(select)} FROM ({mapped}) m {joins}) m"
        f")")


def feed_document_sql(messages_sql: str, seller_id: str, issue_locale: str) -> str:
    """SQL returning ONE row: the JSON_LISTINGS_FEED document (text) for ``messages_sql``.

    ``messages_sql`` selects (message_id, sku, body) with ``body`` a putListingsItem body; each becomes
    an ``UPDATE`` message (full replace, like putListingsItem).
    """
    header = (f"json_object('sellerId', {sql_literal(seller_id)}, 'version', '2.0', "
              f"'issueLocale', {sql_literal(issue_locale)})")
    # The body is a JSON object {"productType",…,"attributes"}: its members are spliced after the
    # message's own keys (no parsing of 25,000 bodies).
    message = ("'{\"messageId\":' || CAST(message_id AS VARCHAR) || ',\"sku\":' || to_json(sku) || "
               "',\"operationType\":\"UPDATE\",' || substr(ltrim(body), 2)")
    return (f"SELECT '{{\"header\":' || {header} || ',\"messages\":[' || "
            f"string_agg({message}, ',' ORDER BY message_id) || ']}}' FROM ({messages_sql})")
