"""The output contract of the HTML -> text conversion the Flat File relies on: never a tab, a carriage
return, a form feed or U+00A0, whatever the input (raw, or from an entity such as ``&#9;``).

core.mapping.query cleans an ``html_to_text`` value by replacing its line feeds only (one pass instead
of three scans and a replace); these tests make that shortcut fail loudly if the conversion ever lets
one of those characters through, in the SQL reference or in the polars version the import stores.
"""
import duckdb
import pytest

from core.catalog import derived
from core.mapping.default import DEFAULT_MAPPING, FIELDS, MappingRow
from core.mapping.query import LINE, clean_sql, lines_sql, mapped_sql, preview
from core.text import html_to_text_sql
from tests.factories import make_products, product
from tests.unit.test_html_text import CASES, polars_text, random_values, sql_text

FORBIDDEN = ("\t", "\r", "\x0c", "\xa0")

# Every way a forbidden character may reach the conversion: raw, as a decimal or hexadecimal entity,
# inside or outside HTML, next to tags the steps remove, at the ends (trimmed) and inside <pre>.
SOURCES = [
    "a\tb\rc\x0cd\xa0e", "\t<p>\tx\t</p>\t", "<pre>\tcode\r\n\tindent</pre>", "&#9;&#13;&#12;&#160;",
    "&#x9;&#xD;&#xC;&#xA0;&#X09;", "<p>a&#9;b</p><p>c&#13;&#10;d</p>", "plain&#9;text\r\nline 2\ttab",
    "<li>&#9;</li><li>\r</li>", "&amp;#9;", "&#00009;", "<!-- \t -->\t<b>&#9;</b>\t", "\r\n\r\n", "\t",
    "x&nbsp;\t&nbsp;y", "<td>\t</td><td>&#13;</td>",
]


def _values() -> list:
    return SOURCES + CASES + random_values(4000, 11, 24)


@pytest.mark.parametrize("convert", [sql_text, polars_text], ids=["sql", "polars"])
def test_html_to_text_never_outputs_a_tab_cr_ff_or_nbsp(convert):
    values = _values()
    out = convert(values)
    bad = [(v, o) for v, o in zip(values, out) if o is not None and any(c in o for c in FORBIDDEN)]
    assert bad == []
    # The sources really hold them (else the test proves nothing): raw and as entities.
    assert sum(any(c in v or e in v for c in FORBIDDEN for e in ("&#9;", "&#13;", "&#x9;"))
               for v in values if v) > 500


def test_description_text_as_the_import_stores_it_has_no_tab_or_cr(con):
    make_products(con, [product(sku=f"S{i}", description=d) for i, d in enumerate(SOURCES)])
    texts = [r[0] for r in con.execute("SELECT description_text FROM products").fetchall()]
    assert len(texts) == len(SOURCES) and all(not any(c in (t or "") for c in FORBIDDEN) for t in texts)
    assert sum("\n" in (t or "") for t in texts) >= 3     # line feeds remain: those the writer replaces


def test_line_feeds_only_cleaning_gives_the_full_cleaning(con):
    # The shortcut (one replace of the line feeds) equals clean_sql's three replaces on every value.
    make_products(con, [product(sku=f"S{i}", description=d, title=d) for i, d in enumerate(SOURCES)])
    for expr in ("description_text", html_to_text_sql("title")):
        rows = con.execute(f"SELECT replace({expr}, chr(10), ' ') = {clean_sql(expr)} FROM products").fetchall()
        assert rows and all(r[0] for r in rows)


def test_html_to_text_of_another_column_is_cleaned_in_lines_mapped_and_preview(con):
    # html_to_text on the title (the SQL reference, not description_text) holding tabs and CRs.
    make_products(con, [product(sku=f"S{i}", title=d, description=d) for i, d in enumerate(SOURCES)])
    rows = DEFAULT_MAPPING + (MappingRow("extra_text", "title", transform="html_to_text"),)
    lines = [r[0] for r in con.execute(f"SELECT {LINE} FROM ({lines_sql(con, rows, 'FR')}) ORDER BY _row").fetchall()]
    assert len(lines) == len(SOURCES)
    assert all(v.count("\t") == len(rows) - 1 and v.count("\n") == 1 and v.endswith("\n") and "\r" not in v
               for v in lines)
    fields = [r.field for r in rows]
    mapped = con.execute(f"SELECT * EXCLUDE (_row, _sku) FROM ({mapped_sql(con, rows, 'FR')}) ORDER BY _row").fetchall()
    assert ["\t".join("" if c is None else c for c in m) + "\n" for m in mapped] == lines
    values, _ = preview(con, rows, "FR", limit=len(SOURCES))
    assert values[fields].fillna("").apply(lambda r: "\t".join(r) + "\n", axis=1).tolist() == lines


def test_a_line_feed_free_description_is_written_unchanged(con):
    make_products(con, [product(sku="A", description="Texte sans saut de ligne")])
    line = con.execute(f"SELECT {LINE} FROM ({lines_sql(con, DEFAULT_MAPPING, 'FR')})").fetchone()[0]
    assert "\tTexte sans saut de ligne\t" in line and line.count("\t") == len(FIELDS) - 1


def test_contract_holds_on_an_own_connection():
    # The SQL reference on a bare connection (no derived UDF registered): the same contract.
    con = duckdb.connect()
    derived.prepare(con)
    out = con.execute(f"SELECT {html_to_text_sql('x')} FROM (SELECT unnest($1::VARCHAR[]) AS x)",
                      [SOURCES]).fetchall()
    assert all(not any(c in r[0] for c in FORBIDDEN) for r in out if r[0] is not None)
