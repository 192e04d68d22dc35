"""The prefilters of costly content checks (core.rules.prefilters) are necessary conditions: wherever
the rule's own predicate is true, its prefilter is true, so the stored bit (prefilter, then predicate)
equals the predicate. Checked on edge cases and on random titles mixing the characters that matter
(cases, accents, separators of every kind, characters beyond U+FFFF, exempt words)."""
from __future__ import annotations

import random

import pyarrow as pa
import pytest

from core.catalog import derived
from core.rules import features, prefilters
from core.rules.definitions import DERIVED, rule
from tests.factories import make_products, product

EDGE_TITLES = [
    None, "", " ", "a", "lampe lampe lampe", "Lampe LAMPE lampe", "LAMPE-lampe_lampe", "lampe, lampe; lampe.",
    "de de de", "a a a a", "x x x", "é é é", "éé éé éé", "ÉTÉ été Été", "Straße STRASSE straße",
    "İstanbul istanbul İSTANBUL", "ΣΟΦΟΣ σοφος σοφοσ", "KELVIN kelvin Kelvin",   # (Kelvin sign)
    "日本 日本 日本", "lampe😀lampe😀lampe", "😀 😀 😀", "ab\u00a0ab\u00a0ab", "ab\u2013ab\u2019ab",
    "x²x² x²x² x²x²", "ſs ſs ſs", "12 12 12 cm", "lampe\tlampe\nlampe", "lampe" * 3, "lampes lampe lampe",
    "Marque Lampe LED lampe de bureau, LAMPE", "Marque Lampe de table et lampe de chevet de la maison",
    "\x00\x00 ab ab ab", "a\u0301a\u0301 a\u0301a\u0301 a\u0301a\u0301", "ǅǆ ǆǆ Ǆǆ",
]
_PIECES = ["lampe", "Lampe", "LAMPE", "bureau", "été", "ÉTÉ", "de", "la", "x", "ß", "SS", "İ", "i", "Σ", "σ", "ς",
           "K", "k", "日本", "😀", "1", "12", "²", "a\u0301", "ǅ"]
_SEPARATORS = [" ", ", ", "-", "_", "\u00a0", "\u2013", "’", "/", "", "\t", "😀", "()", "…"]


def _random_titles(n: int, seed: int = 7) -> list[str]:
    rnd = random.Random(seed)
    return ["".join(rnd.choice(_PIECES) + rnd.choice(_SEPARATORS) for _ in range(rnd.randint(1, 9)))
            for _ in range(n)]


def _load(con, titles: list[str | None]) -> None:
    """Temp view ``t``: one product per title (the other columns the prefilters read NULL), with the
    prefilters' bits computed as the import computes them."""
    con.register("_titles", pa.table({"title": pa.array(titles, type=pa.string())}))
    con.execute("CREATE OR REPLACE TEMP TABLE t0 AS SELECT title, NULL::VARCHAR AS sku, NULL::VARCHAR AS brand, "
                "NULL::VARCHAR AS manufacturer, NULL::VARCHAR AS description_text, NULL::VARCHAR[] AS bullet_points, "
                "NULL::VARCHAR[] AS images "
                "FROM _titles")
    con.unregister("_titles")
    prefilters.register(con)
    con.execute(f"CREATE OR REPLACE TEMP VIEW t AS SELECT p.*, {prefilters.call_sql()} AS {prefilters.COLUMN} FROM t0 AS p")


def _check(con, titles: list[str | None]) -> tuple[int, int, int]:
    """(titles the rule flags, of which the prefilter let through, titles where stored bit != predicate)."""
    _load(con, titles)
    pre = prefilters.prefilter("TITLE_WORD_REPEATED", "title")
    when = rule("TITLE_WORD_REPEATED").when.replace("p._title_tokens", f"({DERIVED['_title_tokens']})")
    stored = features.feature("TITLE_WORD_REPEATED", "title").sql
    return con.execute(
        f"SELECT count(*) FILTER (WHERE coalesce({when}, false)), "
        f"count(*) FILTER (WHERE coalesce({when}, false) AND {pre.sql}), "
        f"count(*) FILTER (WHERE coalesce({when}, false) <> coalesce({stored}, false)) FROM t AS p").fetchone()


def test_the_repeated_word_prefilter_lets_every_flagged_title_through(con):
    flagged, through, differ = _check(con, EDGE_TITLES)
    assert flagged >= 15 and through == flagged and differ == 0


def test_the_repeated_word_prefilter_on_random_titles(con):
    flagged, through, differ = _check(con, _random_titles(20_000))
    assert flagged > 300 and through == flagged and differ == 0


def test_the_prefilter_is_the_rules_pre_test_on_the_same_words(con):
    # on titles without characters beyond U+FFFF it says exactly "two duplicate non-empty words or more"
    titles = [t for t in _random_titles(5_000, seed=11) + EDGE_TITLES[1:] if "😀" not in t]
    _load(con, titles)
    words = f"list_filter({DERIVED['_title_tokens']}, lambda w: w <> '')"
    differ = con.execute(f"SELECT count(*) FROM t AS p WHERE (len({words}) - len(list_distinct({words})) >= 2) "
                         f"<> {prefilters.prefilter('TITLE_WORD_REPEATED', 'title').sql}").fetchone()[0]
    assert differ == 0


def test_the_prefilter_reads_whole_vectors_of_any_arrow_shape():
    titles = ["ab ab ab", None, "", "x y", "é-é-é"] * 500
    expected = [True, False, False, False, True] * 500
    body = prefilters.title_may_repeat_word
    assert body(pa.array(titles)).tolist() == expected
    assert body(pa.array(titles, type=pa.large_string())).tolist() == expected
    assert body(pa.chunked_array([pa.array(titles[:7]), pa.array(titles[7:])])).tolist() == expected
    assert body(pa.array(["zz"] + titles).slice(1)).tolist() == expected
    assert body(pa.array([], type=pa.string())).tolist() == []


@pytest.mark.parametrize("entry", prefilters.PREFILTERS, ids=lambda p: f"{p.code}/{p.column}")
def test_every_prefilter_gates_a_stored_content_check(entry):
    stored = features.feature(entry.code, entry.column)
    assert stored is not None and stored.sql.startswith(f"(CASE WHEN {entry.sql} THEN ")
    assert prefilters.COLUMN in features.SCRATCH
    # the shared expressions behind it are computed for the products it lets through only
    assert not any(f"p.{name}" in stored.sql for name in DERIVED)


def test_the_import_registers_the_prefilters(con):
    derived.prepare(con)
    names = {r[0] for r in con.execute("SELECT function_name FROM duckdb_functions()").fetchall()}
    assert prefilters.FUNCTION in names
    derived.prepare(con)    # idempotent


_TEXTS = ["Marque", "", " ", "\u00a0Marque", "Mar\x07que", "\x00", "Marque\x7f", "Mar\tque", "Mar\nque\r", "=Marque",
          "Marque\x1f", "\x0bX", "é\x0c", None]
_BULLETS = [None, "", " ", "\u00a0", "\u00a0x", "\tx", "ok", "=SUM(A1)", "+33", "@x", "a\x07b", "x\x7f", "Éclairage",
            "x" * 700, "x" * 701, "é" * 700, "é" * 701, "a\nb"]
_DESCRIPTIONS = ["<p>Lampe LED.</p>", "<p>Lampe\x0bLED</p>", "Lampe &#7; LED", "<p>\x00</p>", "x\x7f", "a\tb\nc",
                 "<p> </p>", None, "=cmd", "Lampe\u00a0LED", "sav@marque.fr", "a@b", "Voir www.marque.fr", "WwW.X.FR",
                 "<a>https://x.fr/a</a>", "ftp://x", "Tél. 01 23 45 67 89", "+33 1 23 45 67 89", "(555) 123-4567",
                 "0033 6.12.34.56.78", "EAN 4006381333931", "12 34 5", "0612345678", "06-12-34-56-7", "+1 (0) 555 12 34 56"]


_URLS = [None, "", " ", "https://cdn.example.com/a.jpg", "HTTPS://cdn.example.com/a.jpg", "http://img.example.fr/b.png?v=2",
         "ftp://x.y/a.jpg", "https://a.b", "https://ab.", "https://.ab", "https://a@b.c/x", "https://a.b/x y",
         "https://a.b/x@y?z#w", "https://a.b?x=1", "https://c.d/\t", "https://é.fr/é", "https://a.b/\x0b",
         "https://a\u00a0b.c", "https://a.b\u00a0/c", "http:/a.b", "https://a..b", "https://a.b.", "//a.b/c", "https://ſ.fr",
         "Https://x.fr/a"]


def _random_products(n: int, seed: int = 3) -> list[dict]:
    rnd = random.Random(seed)
    titles = _random_titles(n, seed)
    out = []
    for i in range(n):
        bullets = None if rnd.random() < 0.05 else [rnd.choice(_BULLETS) for _ in range(rnd.randint(0, 8))]
        title = titles[i] if rnd.random() < 0.8 else rnd.choice(_TEXTS)
        images = None if rnd.random() < 0.05 else [rnd.choice(_URLS) for _ in range(rnd.randint(0, 4))]
        out.append(product(sku=f"S{i}{rnd.choice(_TEXTS) or ''}", title=title, brand=rnd.choice(_TEXTS),
                           manufacturer=rnd.choice(_TEXTS), description=rnd.choice(_DESCRIPTIONS),
                           bullet_points=bullets, images=images))
    return out


def test_prefiltered_bits_equal_the_bare_predicates_on_random_products(con):
    make_products(con, _random_products(3000))
    scratch = features.scratch(False)
    bare = f"(SELECT p.*, {', '.join(f'{v} AS {k}' for k, v in scratch.items())} FROM products AS p)"
    rows = con.execute(f"SELECT p._row, p.{features.FLAGS_COLUMN}, {features.flags_sql(False)} FROM {bare} AS p").fetchall()
    assert all(stored == expected for _, stored, expected in rows)
    # not vacuous: every prefiltered check is set on some product and clear on others
    for p in prefilters.PREFILTERS:
        bit = 1 << features.feature(p.code, p.column).bit
        assert 0 < sum(1 for _, stored, _ in rows if stored & bit) < len(rows), (p.code, p.column)


def test_lower_case_neither_makes_nor_hides_a_control_character(con):
    # TEXT_CONTROL_CHARS over the title is prefiltered on lower(title), which the words need anyway
    control = "'[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F]'"
    assert con.execute(f"SELECT count(*) FROM range(0, 1114112) t(c) WHERE c NOT BETWEEN 55296 AND 57343 AND "
                       f"regexp_matches(chr(CAST(c AS INTEGER)), {control}) <> "
                       f"regexp_matches(lower(chr(CAST(c AS INTEGER))), {control})").fetchone()[0] == 0


def test_the_function_outlives_the_session_that_registered_it(con):
    # DuckDB keeps a borrowed reference to a Python function: registered by a cursor closed since, it
    # must still be the same function (two imports at once, each on its cursor, hit this)
    import gc
    cur = con.cursor()
    derived.prepare(cur)
    cur.close()
    gc.collect()
    _junk = [lambda x: x for _ in range(1000)]   # would take the place of a freed function
    _load(con, ["ab ab ab", "x"])
    assert con.execute(f"SELECT list({prefilters.COLUMN} & 1 ORDER BY title) FROM t").fetchone()[0] == [1, 0]
