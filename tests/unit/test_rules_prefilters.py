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
    con.register("_titles", pa.table({"title": pa.array(titles, type=pa.string())}))
    con.execute("CREATE OR REPLACE TEMP TABLE t AS SELECT title FROM _titles")
    con.unregister("_titles")
    prefilters.register(con)


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
    assert body(pa.array(titles)).to_pylist() == expected
    assert body(pa.array(titles, type=pa.large_string())).to_pylist() == expected
    assert body(pa.chunked_array([pa.array(titles[:7]), pa.array(titles[7:])])).to_pylist() == expected
    assert body(pa.array(["zz"] + titles).slice(1)).to_pylist() == expected
    assert body(pa.array([], type=pa.string())).to_pylist() == []


@pytest.mark.parametrize("entry", prefilters.PREFILTERS, ids=lambda p: f"{p.code}/{p.column}")
def test_every_prefilter_gates_a_stored_content_check(entry):
    stored = features.feature(entry.code, entry.column)
    assert stored is not None and stored.sql.startswith(f"(CASE WHEN {entry.sql} THEN ")
    # the shared expressions behind it are computed for the products it lets through only
    assert not any(f"p.{name}" in stored.sql for name in DERIVED)


def test_the_import_registers_the_prefilters(con):
    derived.prepare(con)
    names = {r[0] for r in con.execute("SELECT function_name FROM duckdb_functions()").fetchall()}
    assert {p.function for p in prefilters.PREFILTERS} <= names
    derived.prepare(con)    # idempotent
