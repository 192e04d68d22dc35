"""HTML to text with polars (what the import stores in description_text) against the SQL reference.

core.text.html_to_text_sql is the reference; core.text.html_to_text_polars must give the same bytes for
every value, however the values are batched (it skips, per batch, the steps no value needs).
"""
import random
import threading
from pathlib import Path

import duckdb
import polars as pl
import pytest

from core.catalog import derived
from core.catalog.errors import CatalogImportError
from core.catalog.importer import import_file
from core.text import (HTML_TO_TEXT_FUNCTION, html_to_text_polars, html_to_text_sql, html_to_text_udf_sql,
                       register_html_to_text)
from tests.factories import make_products, product

DATA = Path(__file__).resolve().parent.parent / "data"

# Pieces of HTML and text, joined at random: tags in any case, comments, scripts, entities valid and
# invalid, stray "<", raw white space, emoji, case folds (ſ is an s, K the Kelvin sign a k).
PIECES = ["<p>", "</p>", "<br>", "<BR />", "<li>", '<LI class="a">', "</li>", "<ul>", "<td>", "</td>", "</TH >",
          "<!-- c -->", "<!--", "-->", "<script>x<y</script>", "<style>a{}</style >", "<b>", "</div>", "<", ">",
          "&", "&amp;", "&amp;lt;", "&lt;", "&nbsp;", "&eacute;", "&euro;", "&#233;", "&#xE9;", "&#X1F600;", "&#0;",
          "&#55296;", "&#1114112;", "&#x;", "&amp;#233;", "&#160;", "&#38;lt;", "\t", "\r", "\n", "\xa0", "\x0c",
          "\x0b", " ", "  ", "é", "😀", "Mot", "a<b", "<h2>", "</h2 >", "<3", "</ li>", "<scripts>",
          "<ſcript>x</ſcript>", "</bloc\u212aquote>", "<lié>", "</p\x0b>", "<br\x0c/>",
          # short atoms: removing a tag or a comment joins them into an entity or a tag
          "#", "#233;", "/td>", "td>", "/", "!--", "x", "lt;", "amp;"]


def sql_text(values: list) -> list:
    con = duckdb.connect()
    con.execute("CREATE TABLE v AS SELECT unnest($1::VARCHAR[]) AS x", [values])
    return [r[0] for r in con.execute(f"SELECT {html_to_text_sql('x')} FROM v").fetchall()]


def polars_text(values: list) -> list:
    return html_to_text_polars(pl.Series("x", values, pl.String)).to_list()


def random_values(n: int, seed: int, longest: int) -> list:
    rnd = random.Random(seed)
    return ["".join(rnd.choice(PIECES) for _ in range(rnd.randint(0, longest))) for _ in range(n)]


CASES = [
    None, "", " ", "\n", "Ligne 1\nLigne 2 &amp; fin\t", "<p>a</p>\n\n<p>b</p>",
    "<p>Caf&eacute; &#233;t&#xE9; &amp; th&eacute;</p>", "<p>a &amp;lt; b &amp;#233;</p>", "<p>&#0;&#128512;</p>",
    "<ul><li>Un<ul><li>Un-a</li></ul></li><li>Deux</li></ul>", "<p>40&nbsp;cm\u00a0x</p><table><tr><td>a</td></tr></table>",
    "&<b>#233;", "<p>x<<!-- x -->/td>a", "&<b>#38;lt;", "a<<b>/td>c<p>", "<ſcript>x</ſcript>y", "<p>a</p\x0b>b",
    "<script\u00e9>a</script>", "<li\u00e9>x", "<p> \n </p> x  \n y", "&#x10FFFF;&#xD800;&#1114112;&#9;&#13;",
]


@pytest.mark.parametrize("value", CASES)
def test_polars_gives_the_sql_text(value):
    assert polars_text([value]) == sql_text([value])


def test_regressions_of_batch_shortcuts():
    # a tag removed joins "&" and "#233;"; a comment removed joins "<" and "/td>"
    assert polars_text(["&<b>#233;", "<p>x<<!-- x -->/td>a"]) == ["é", "x a"]


def test_random_fragments_identical_however_batched():
    values = random_values(3000, 5, 20) + random_values(1500, 6, 6)
    expected = sql_text(values)
    assert polars_text(values) == expected
    rnd, small, i = random.Random(1), [], 0
    while i < len(values):                 # small batches: the per-batch shortcuts differ batch to batch
        k = rnd.randint(1, 30)
        small += polars_text(values[i:i + k])
        i += k
    assert small == expected
    singles = values[-400:]
    assert [polars_text([v])[0] for v in singles] == expected[-400:]


def test_udf_in_duckdb_matches_the_sql(con):
    values = random_values(5000, 9, 12)        # more than one DuckDB vector of 2048 values
    register_html_to_text(con)
    con.execute("CREATE TEMP TABLE v AS SELECT unnest($1::VARCHAR[]) AS x", [values])
    out = [r[0] for r in con.execute(f"SELECT {html_to_text_udf_sql('x')} FROM v").fetchall()]
    assert out == sql_text(values)


def test_registration_is_idempotent_and_safe_from_two_sessions(con):
    cursors = [con.cursor() for _ in range(4)]
    threads = [threading.Thread(target=register_html_to_text, args=(c,)) for c in cursors]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    register_html_to_text(con)
    assert con.execute("SELECT count(*) FROM duckdb_functions() WHERE function_name = ?",
                       [HTML_TO_TEXT_FUNCTION]).fetchall() == [(1,)]
    assert cursors[0].execute("SELECT html_to_text('<p>Th&eacute;</p>')").fetchall() == [("Thé",)]


def test_products_get_the_reference_text_through_derived(con):
    descriptions = ["<p>Lampe&nbsp;<b>LED</b></p><ul><li>a</li></ul>", "texte\nbrut", None]
    make_products(con, [product(sku=f"S{i}", description=d) for i, d in enumerate(descriptions)])
    stored = [r[0] for r in con.execute("SELECT description_text FROM products ORDER BY sku").fetchall()]
    assert stored == sql_text(descriptions)
    assert "html_to_text(" in derived.select_sql("SELECT 1 AS description")


def test_a_failing_conversion_leaves_the_old_catalogue(con, monkeypatch):
    import core.text
    make_products(con, [product(sku="OLD-1")])

    def broken(values):
        raise RuntimeError("conversion failed")

    con.remove_function(HTML_TO_TEXT_FUNCTION)
    monkeypatch.setattr(core.text, "html_to_text_arrow", broken)
    with pytest.raises((CatalogImportError, duckdb.Error)):
        import_file(con, DATA / "duplicate-skus.csv")
    assert con.execute("SELECT list(sku) FROM products").fetchone()[0] == ["OLD-1"]
    assert con.execute("SELECT count(*) FROM information_schema.tables "
                       "WHERE table_name LIKE '_products_import_%'").fetchone()[0] == 0
