"""What a rules run persists and how the rows are rendered from it: the hits keep row id, keys and
masks only, the quoted columns are read from ``products`` by row id (never another product's), the
stored content bits land on their checks whatever the mask layout, and the views are re-created only
when their SQL changes."""
from __future__ import annotations

from core.rules import engine, queries
from core.rules.definitions import RULES
from core.rules.engine import validate
from core.rules.store import FETCH_CHUNK, RULE_HITS
from tests.factories import make_products, product

EMAIL = "<p>Écrivez à sav@marque.fr</p>"


def _hit_columns(con) -> list[str]:
    return [r[0] for r in con.execute(f"DESCRIBE {RULE_HITS}").fetchall()]


def test_hits_keep_keys_and_masks_and_values_are_read_from_products(con):
    make_products(con, [product(sku="A", description=EMAIL, price="abc"),
                        product(sku="B", title="Marque " + "x" * 250, description="<p> </p>")])
    validate(con)
    assert _hit_columns(con) == ["_rid", "sku", "category", "supplier", "_m0"]
    rows = {(s, c): v for s, c, v in con.execute("SELECT sku, code, value FROM violations").fetchall()}
    assert rows[("A", "DESCRIPTION_EMAIL")] == "sav@marque.fr"
    assert rows[("A", "PRICE_NOT_NUMBER")] == "abc"
    assert rows[("B", "DESCRIPTION_MISSING")] == "<p> </p>"           # the HTML, not the text
    assert rows[("B", "TITLE_TOO_LONG")] == "Marque " + "x" * 250
    page = queries.page_rows(con, {"code": ["DESCRIPTION_EMAIL", "DESCRIPTION_MISSING"]}, 1, 10)
    assert dict(zip(page["code"], page["value"])) == {"DESCRIPTION_EMAIL": "sav@marque.fr",
                                                      "DESCRIPTION_MISSING": "<p> </p>"}


def test_a_run_older_than_the_catalogue_never_quotes_another_product(con):
    make_products(con, [product(sku="A", description=EMAIL)])
    validate(con)
    make_products(con, [product(sku="Z", description="<p>Écrivez à z@autre.fr</p>")])   # a new import…
    con.execute("INSERT INTO catalog_imports (file_name, status) VALUES ('z.csv', 'ok')")
    stale = con.execute("SELECT sku, value FROM violations WHERE code = 'DESCRIPTION_EMAIL'").fetchall()
    assert stale == [("A", None)]                       # A's row, and not Z's address
    page = queries.page_rows(con, {"code": ["DESCRIPTION_EMAIL"]}, 1, 10)
    assert page[["sku", "value"]].values.tolist() == [["A", None]]
    validate(con)
    assert con.execute("SELECT sku, value FROM violations WHERE code = 'DESCRIPTION_EMAIL'").fetchall() == \
        [("Z", "z@autre.fr")]


def test_stored_bits_land_on_their_checks_across_several_masks(con):
    # Every rule twice: 112 checks over two masks, the second copy's bits shifted down (">>").
    make_products(con, [product(**{"sku": f"{r.code}-{i}", **r.bad}) for i, r in enumerate(RULES)]
                  + [product(sku=f"OK-{i}") for i in range(3)])
    con.execute(f"CREATE OR REPLACE TEMP VIEW {engine.SEL_VIEW} AS SELECT p.rowid AS _rid, p.* FROM products AS p")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {engine.CATEGORY_STATS_VIEW} AS {engine._category_stats_sql(con)}")
    checks = engine._checks(engine.plan(con)[0] * 2)
    assert len(engine._masks(checks)) == 2

    def hits(flags: bool) -> list[tuple]:
        return con.execute(f"SELECT * FROM ({engine.detect_sql(checks, ('sku',), flags)}) ORDER BY _rid").fetchall()
    stored = hits(True)
    assert stored == hits(False) and len(stored) > len(RULES) - 5
    # each copy of a check flags the same products: bit k of the first mask == bit k of the second
    half = len(checks) // 2
    for _rid, m0, m1, _sku in stored:
        bits = [(m0 >> k) & 1 for k in range(62)] + [(m1 >> k) & 1 for k in range(len(checks) - 62)]
        assert bits[:half] == bits[half:]


class _Counting:
    """A connection that counts the views it is asked to create."""

    def __init__(self, con):
        self.con, self.views = con, 0

    def execute(self, sql, *args):
        self.views += sql.startswith("CREATE OR REPLACE VIEW")
        return self.con.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self.con, name)


def test_views_are_recreated_only_when_their_sql_changes(con):
    make_products(con, [product(sku="A", title="Marque " + "x" * 250)])
    counting = _Counting(con)
    validate(counting)
    assert counting.views == 2                                  # violations and violation_rows
    validate(counting)
    assert counting.views == 2                                  # same checks, same language: kept
    validate(counting, lang="en")
    assert counting.views == 4
    assert con.execute("SELECT message FROM violations WHERE code = 'TITLE_TOO_LONG'").fetchone()[0] == \
        "Title of 257 characters (max 200)"
    con.execute("ALTER TABLE products DROP COLUMN weight_raw")   # a rule no longer runs: other checks
    validate(counting, lang="en")
    assert counting.views == 6
    assert "WEIGHT_INVALID" not in set(queries.filter_options(con)["code"])
    # views replaced by something else (another version of the engine) are re-created
    con.execute("CREATE OR REPLACE VIEW violations AS SELECT * FROM violations_other")
    validate(counting, lang="en")
    assert counting.views == 8
    assert con.execute("SELECT count(*) FROM violations WHERE code = 'TITLE_TOO_LONG'").fetchone()[0] == 1


def test_a_page_of_more_than_one_fetch_chunk_quotes_every_row(con):
    n = 2 * FETCH_CHUNK + 7
    make_products(con, [product(sku=f"S{i:03d}", description=f"<p>Écrivez à sav{i}@marque.fr</p>") for i in range(n)])
    validate(con)
    page = queries.page_rows(con, {"code": ["DESCRIPTION_EMAIL"]}, 1, 200)
    assert len(page) == n
    assert page["value"].tolist() == [f"sav{i}@marque.fr" for i in range(n)]
    assert page.equals(queries.export_rows(con, {"code": ["DESCRIPTION_EMAIL"]})[list(page.columns)])


def test_a_page_reads_the_hits_of_a_run_of_the_former_engine(con):
    # an upgraded app reading the last run of the previous engine: its hits also carried quoted columns;
    # the page quotes the catalogue (what the new views read), whatever the hits table holds
    make_products(con, [product(sku="A", description=EMAIL, title="Marque " + "x" * 250)])
    validate(con)
    con.execute(f"CREATE OR REPLACE TABLE {RULE_HITS} AS SELECT h.*, 'copy' AS title, 'copy' AS description_text "
                f"FROM {RULE_HITS} AS h")   # (copies that differ from the catalogue: which one is read?)
    page = queries.page_rows(con, {}, 1, 50)
    assert dict(zip(page["code"], page["value"]))["DESCRIPTION_EMAIL"] == "sav@marque.fr"
    assert dict(zip(page["code"], page["value"]))["TITLE_TOO_LONG"] == "Marque " + "x" * 250
