"""Transforms as SQL: truncation, HTML to text, EAN type, units, prices, conditions, list items."""
import duckdb
import polars as pl
import pytest

from core.mapping.transforms import CODES, TRANSFORMS, Context, transform
from core.text import html_to_text_polars, html_to_text_sql, truncate_sql


@pytest.fixture(scope="module")
def duck():
    con = duckdb.connect()
    yield con
    con.close()


def run(duck, expr_sql: str, value, sql_type: str = "VARCHAR"):
    return duck.execute(f"SELECT {expr_sql} FROM (SELECT ?::{sql_type} AS x)", [value]).fetchone()[0]


def truncate(duck, value, n=200):
    return run(duck, truncate_sql("x", n), value)


def html(duck, value):
    """The SQL reference's text, checked equal to the polars conversion the import stores."""
    text = run(duck, html_to_text_sql("x"), value)
    assert html_to_text_polars(pl.Series("x", [value], pl.String)).to_list() == [text]
    return text


# --- truncation -------------------------------------------------------------------------------

def test_short_text_is_unchanged(duck):
    assert truncate(duck, "Lampe de bureau", 200) == "Lampe de bureau"
    assert truncate(duck, "x" * 200, 200) == "x" * 200


def test_cut_at_word_boundary(duck):
    text = "Marque Lampe de bureau LED noire"          # 32 characters
    assert truncate(duck, text, 20) == "Marque Lampe de"
    assert truncate(duck, text, 22) == "Marque Lampe de bureau"   # the word ends exactly at the limit


def test_cut_never_leaves_a_trailing_separator(duck):
    assert truncate(duck, "Lampe, bureau - LED noire", 15) == "Lampe, bureau"


def test_amp_entity_at_position_199_is_not_cut(duck):
    # "&amp;" starts at character 199 (1-based): a raw cut at 200 would leave "&a".
    text = "a" * 197 + " &amp; suite du titre"
    out = truncate(duck, text, 200)
    assert len(out) <= 200 and not out.endswith("&") and "&a" not in out
    assert out == "a" * 197


def test_single_long_word_cut_hard_without_partial_entity(duck):
    text = "x" * 198 + "&amp;" + "y" * 10
    out = truncate(duck, text, 200)
    assert out == "x" * 198


def test_emoji_and_multibyte_characters_are_never_split(duck):
    text = "Lampe 🦆 " + "é" * 189 + " 👍🏽 fin du titre qui dépasse"
    out = truncate(duck, text, 200)
    assert len(out) <= 200
    out.encode("utf-8")                                  # valid UTF-8 (a split sequence would not decode)
    assert out == "Lampe 🦆 " + "é" * 189 + " 👍🏽"     # 200 code points, ends with the whole emoji
    # one more character and the emoji (2 code points) no longer fits: the cut moves back a word
    assert truncate(duck, "Lampe 🦆 " + "é" * 190 + " 👍🏽 fin", 200) == "Lampe 🦆 " + "é" * 190
    # A hard cut right after a zero-width joiner drops the dangling joiner.
    family = "x" * 198 + "👩\u200d👧"
    assert truncate(duck, family, 200) == "x" * 198 + "👩"


def test_truncate_null_stays_null(duck):
    assert truncate(duck, None, 10) is None


def _previous_truncate_sql(expr: str, n: int) -> str:
    # The formulation before the cheaper soft cut (a captured "^(.*\S)\s"): the reference the
    # current truncate_sql must match character for character.
    soft = f"regexp_extract(left({expr}, {n + 1}), '(?s)^(.*\\S)\\s', 1)"
    hard = f"left({expr}, {n})"
    hard = f"regexp_replace({hard}, '&#?[a-zA-Z0-9]{{0,8}}$', '')"
    hard = f"regexp_replace({hard}, '[\\x{{200D}}\\x{{FE0E}}\\x{{FE0F}}]+$', '')"
    cut = f"CASE WHEN {soft} <> '' THEN {soft} ELSE {hard} END"
    cut = f"regexp_replace({cut}, '[\\s,;:\\-–]+$', '')"
    return f"CASE WHEN length({expr}) <= {n} THEN {expr} ELSE {cut} END"


def test_truncate_matches_the_previous_formulation_on_hostile_texts(duck):
    # Spaces of every RE2 \s kind and the ones it does not count (NBSP, \v), separators, entities,
    # joiners, combining marks, multi-byte letters: texts around the limit, cut soft or hard.
    import random
    rng = random.Random(7)
    alphabet = ["a", "Z", "é", "🦆", " ", "  ", "\t", "\n", "\r", "\x0c", "\x0b", "\u00a0", ",", ";", ":", "-", "–",
                "&amp;", "&#3", "&", "\u200d", "\ufe0f", "\u0301", "mot", "xxxxxxxx"]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(3000)]
    texts += [" " * 12, "x" * 12, " x" * 6, "x " * 6, "x\n" * 6, " \u00a0" * 6]
    rows = duck.execute(
        "SELECT t, n, " + truncate_sql("t", 10).replace("10", "n").replace("11", "n + 1") + " AS new, "
        + _previous_truncate_sql("t", 10).replace("10", "n").replace("11", "n + 1") + " AS old "
        "FROM (SELECT unnest(?) AS t) CROSS JOIN (SELECT unnest([1, 2, 5, 10, 17]) AS n)", [texts]).fetchall()
    assert len(rows) == len(texts) * 5
    differ = [(t, n, new, old) for t, n, new, old in rows if new != old]
    assert differ == []
    assert sum(new != t for t, n, new, old in rows) > 1000      # most of them were cut


# --- HTML to text -----------------------------------------------------------------------------

def test_entities_named_and_numeric_are_decoded(duck):
    assert html(duck, "<p>Caf&eacute; &#233;t&#xE9; &amp; th&eacute;</p>") == "Café été & thé"
    # "&amp;lt;" is the text "&lt;", not "<"; "&amp;#233;" is the text "&#233;".
    assert html(duck, "<p>a &amp;lt; b &amp;#233;</p>") == "a &lt; b &#233;"
    assert html(duck, "<p>&#0;&#128512;</p>") == "\ufffd😀"


def test_block_tags_and_br_become_line_breaks(duck):
    assert html(duck, "<h2>Titre</h2><p>Ligne 1<br>Ligne 2<br/></p><div>Fin</div>") == "Titre\nLigne 1\nLigne 2\nFin"


def test_nested_lists_become_lines(duck):
    value = "<ul><li>Un<ul><li>Un-a</li><li>Un-b</li></ul></li><li>Deux</li></ul>"
    assert html(duck, value) == "- Un\n- Un-a\n- Un-b\n- Deux"


def test_scripts_styles_and_comments_are_dropped(duck):
    value = ("<p>Avant</p><script type='text/javascript'>if (a < b) { alert('x') }</script>"
             "<STYLE>p { color: red }</STYLE><!-- note <b>interne</b> --><p>Après</p>")
    assert html(duck, value) == "Avant\nAprès"


def test_raw_newlines_in_html_are_spaces_but_plain_text_keeps_them(duck):
    assert html(duck, "<p>Lampe\nLED   noire</p>") == "Lampe LED noire"
    assert html(duck, "Ligne 1\nLigne 2 &amp; fin") == "Ligne 1\nLigne 2 & fin"


def test_nbsp_and_table_cells(duck):
    assert html(duck, "<p>40&nbsp;cm\u00a0x</p><table><tr><td>a</td><td>b</td></tr></table>") == "40 cm x\na b"


def test_html_null_and_empty(duck):
    assert html(duck, None) is None
    assert html(duck, "<p> </p>") == ""


# --- the other transforms ---------------------------------------------------------------------

def apply(duck, code, value, param="", sql_type="VARCHAR", source="x"):
    ctx = Context(source, sql_type.endswith("[]"), "FR")
    return run(duck, transform(code).sql("x", param, ctx), value, sql_type)


@pytest.mark.parametrize("code,expected", [
    ("4006381333931", "EAN"), ("012345678905", "UPC"), ("00012345678905", "GTIN"), ("96385074", "EAN"),
    (" 4006381333931 ", "EAN"), ("400638133393", "UPC"), ("40063813339", None), ("400638133393X", None),
    ("", None), (None, None),
])
def test_ean_type_from_length(duck, code, expected):
    assert apply(duck, "ean_type", code) == expected


def test_weight_format_matches_the_previous_rtrim_formulation(duck):
    # Random weights of every magnitude and sign (integers, halves, values rounding to 0 or "-0"),
    # converted to each unit: the regex formatting gives the text rtrim(rtrim(…, '0'), '.') gave.
    import random
    rng = random.Random(11)
    grams = [rng.uniform(-1e6, 1e6) for _ in range(3000)] + [rng.randint(0, 10 ** 6) / 1000 for _ in range(3000)]
    grams += [0.0, -0.0004, 0.0005, 1000.0, 1e16, -1e17, 1e30, None]
    for unit in ("kg", "g", "lb", "oz"):
        new = transform("unit_convert").sql("x", unit, Context("weight", False, "FR", "DOUBLE"))
        factor = {"kg": 1000.0, "g": 1.0, "lb": 453.59237, "oz": 28.349523125}[unit]
        old = f"rtrim(rtrim(CAST(TRY_CAST((x / {factor}) AS DECIMAL(18, 3)) AS VARCHAR), '0'), '.')"
        counts = duck.execute(f"SELECT count(*) FILTER (WHERE ({new}) IS DISTINCT FROM ({old})), count(DISTINCT {new}) "
                              "FROM (SELECT unnest(?::DOUBLE[]) AS x)", [grams]).fetchone()
        assert counts[0] == 0 and counts[1] > 1000


def test_weight_grams_to_template_unit(duck):
    assert apply(duck, "unit_convert", 1200, "kg", "DOUBLE") == "1.2"
    assert apply(duck, "unit_convert", 350, "kg", "DOUBLE") == "0.35"
    assert apply(duck, "unit_convert", 1000, "kg", "DOUBLE") == "1"
    assert apply(duck, "unit_convert", 1200, "g", "DOUBLE") == "1200"
    assert apply(duck, "unit_convert", 453.59237, "lb", "DOUBLE") == "1"
    assert apply(duck, "unit_convert", None, "kg", "DOUBLE") is None
    assert apply(duck, "unit_label", 1200, "kg", "DOUBLE") == "KG"
    assert apply(duck, "unit_label", None, "kg", "DOUBLE") is None


def test_price_has_a_dot_decimal(duck):
    assert apply(duck, "price", 29.9, "2", "DOUBLE") == "29.90"
    assert apply(duck, "price", "29,9", "2") == "29.90"          # a text column with a decimal comma
    assert apply(duck, "price", 1234.5, "2", "DOUBLE") == "1234.50"   # no thousands separator
    assert apply(duck, "price", None, "2", "DOUBLE") is None


def test_condition_to_amazon_values(duck):
    assert apply(duck, "condition", "Neuf") == "New"
    assert apply(duck, "condition", "Reconditionné") == "Refurbished"
    assert apply(duck, "condition", "reconditionne") == "Refurbished"
    assert apply(duck, "condition", "Occasion") == "UsedGood"
    assert apply(duck, "condition", "UsedLikeNew") == "UsedLikeNew"     # already an Amazon value: kept


def test_list_item_matches_plain_extraction_on_every_list_shape(duck):
    # Empty, NULL and short lists, NULL and empty items: the length-gated extraction gives what
    # nullif(list[n], '') gives, for every position up to past the end.
    lists = [None, [], [""], [None], ["a"], ["a", ""], ["", "b", None, "d"], ["x"] * 9, [f"u{i}" for i in range(12)]]
    for n in (1, 2, 4, 9, 10):
        new = transform("list_item").sql("x", str(n), Context("images", True, "FR", "VARCHAR[]"))
        got = duck.execute(f"SELECT list({new} ORDER BY i), list(nullif(x[{n}], '') ORDER BY i) "
                           "FROM (SELECT unnest(?::VARCHAR[][]) AS x, generate_subscripts(?::VARCHAR[][], 1) AS i)",
                           [lists, lists]).fetchone()
        assert got[0] == got[1] and len(got[0]) == len(lists)


def test_list_item_on_lists_and_on_separated_text(duck):
    assert apply(duck, "list_item", ["a", "b", "c"], "2", "VARCHAR[]") == "b"
    assert apply(duck, "list_item", ["a"], "2", "VARCHAR[]") is None
    assert apply(duck, "list_item", "un | deux ; trois", "3") == "trois"


def test_integer_quantity(duck):
    assert apply(duck, "integer", 5, "", "BIGINT") == "5"
    assert apply(duck, "integer", "7", "") == "7"


def test_transform_codes_are_unique_and_params_checked():
    assert len(CODES) == len(set(CODES)) == len(TRANSFORMS)
    assert transform("truncate").check_param("200") and not transform("truncate").check_param("abc")
    assert not transform("truncate").check_param("0")
    assert transform("unit_convert").check_param("KG") and not transform("unit_convert").check_param("stone")
    for t in TRANSFORMS:
        if t.needs_param:
            assert t.check_param(t.default_param), t.code


def test_condition_without_value_is_the_settings_condition(duck):
    for setting, expected in (("new", "New"), ("refurbished", "Refurbished"), ("used", "UsedGood")):
        ctx = Context("", False, "FR", "VARCHAR", setting)
        assert run(duck, transform("condition").sql("NULL::VARCHAR", "", ctx), None) == expected
    ctx = Context("etat", False, "FR", "VARCHAR", "used")
    assert run(duck, transform("condition").sql("x", "", ctx), "Neuf") == "New"       # the product's own value
    assert run(duck, transform("condition").sql("x", "", ctx), "  ") == "UsedGood"    # empty cell: the setting
