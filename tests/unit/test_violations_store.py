"""``violations`` as a view: rule rows rendered on read from the run's hit masks, other sources' rows
in ``violations_other``. The Qualité reads computed from the masks (counts, filter options, SKUs, the
two-step page) must give what plain SQL over the rendered rows gives."""
from __future__ import annotations

import pytest

from core.rules import queries
from core.rules.model import Rule
from core.rules.engine import _checks, describe_sql, validate
from core.rules.store import OTHER_TABLE, where_sql
from tests.factories import make_products, product

PRODUCTS = [
    product(sku="A", price="0", category="Jardin", supplier="Acme"),
    product(sku="B", title="MARQUE LAMPE DE BUREAU", ean="5901234123457", category="Maison", supplier="Bolt"),
    product(sku="C", title="Marque " + "x" * 250, brand="", category="Jardin", supplier="Bolt"),
    product(sku="C", price="abc", category="Maison", supplier="Acme"),          # duplicated SKU
    product(sku=None, category="Cuisine", supplier=None),                     # no SKU at all
    product(sku="D", description="<p>Écrivez à sav@marque.fr</p>", ean="12345", category=None),
]
OTHERS = [("amazon", "A", "brand", "brand", "8541", "ERROR", "INVALID_ATTRIBUTE", None, "conflict", "fix"),
          ("image", "B", "images", "main_image_url", "IMAGE_TOO_SMALL", "WARNING", "INVALID_IMAGE", "u", "m", "h"),
          ("image", "ZZ", "images", "main_image_url", "IMAGE_NOT_WHITE", "INFO", "INVALID_IMAGE", "u", "m", "h"),
          # the same code with another severity (an image check: main image vs the others)
          ("image", "C", "images", "other_image_url1", "IMAGE_TOO_SMALL", "ERROR", "INVALID_IMAGE", "u", "m", "h")]
FILTERS = [{}, {"code": ["TITLE_TOO_LONG", "8541"]}, {"severity": ["WARNING"]}, {"field": ["price", "images"]},
           {"category": ["Jardin"]}, {"supplier": ["Bolt", "Acme"]}, {"severity": ["ERROR"], "category": ["Maison"]},
           {"code": ["NOPE"]}]


@pytest.fixture
def checked(con):
    make_products(con, PRODUCTS)
    con.executemany(f"INSERT INTO {OTHER_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", OTHERS)
    run = validate(con)
    return con, run


def _sql_rows(con, filters):
    return con.execute(f"SELECT * FROM violation_rows AS v WHERE {where_sql(filters)}").df()


@pytest.mark.parametrize("filters", FILTERS)
def test_mask_reads_equal_plain_sql_over_the_rendered_rows(checked, filters):
    con, _ = checked
    rows = _sql_rows(con, filters)
    assert queries.count_rows(con, filters) == len(rows)
    for dim, column in (("code", "code"), ("category", "product_category"), ("supplier", "product_supplier")):
        got = queries.counts_by(con, dim, filters, top=100)
        want = (rows.assign(label=rows[column].fillna("")).groupby(["label", "severity"]).size()
                .rename("n").reset_index().sort_values(["label", "severity"]))
        assert list(map(tuple, got.values)) == list(map(tuple, want.values)), dim
    errors_first = rows.assign(r=rows["severity"].map({"ERROR": 0, "WARNING": 1}).fillna(2)).dropna(subset=["sku"])
    want_skus = (errors_first.groupby("sku")["r"].min().reset_index().sort_values(["r", "sku"])["sku"].tolist())
    assert queries.violating_skus(con, filters) == want_skus


def test_filter_options_are_the_values_present(checked):
    con, _ = checked
    rows = _sql_rows(con, {})
    options = queries.filter_options(con)
    for key, column in (("code", "code"), ("severity", "severity"), ("field", "field"),
                        ("category", "product_category"), ("supplier", "product_supplier")):
        assert options[key] == sorted(rows[column].dropna().unique().tolist()), key
    assert "8541" in options["code"] and "IMAGE_NOT_WHITE" in options["code"] and "Cuisine" in options["category"]


@pytest.mark.parametrize("filters", [{}, {"severity": ["ERROR"]}, {"category": ["Jardin", "Maison"]}])
@pytest.mark.parametrize("size", [1, 4, 7])
def test_pages_rendered_in_two_steps_are_the_sorted_rows(checked, filters, size):
    _assert_pages_are_the_sorted_rows(checked[0], filters, size)


def test_pages_with_a_row_without_code_sort_every_key(checked):
    con, _ = checked
    con.execute(f"INSERT INTO {OTHER_TABLE} VALUES ('amazon', 'B', NULL, NULL, NULL, 'ERROR', NULL, NULL, 'x', NULL)")
    _assert_pages_are_the_sorted_rows(con, {}, 5)


def _assert_pages_are_the_sorted_rows(con, filters, size):
    everything = queries.export_rows(con, filters)
    pages = [queries.page_rows(con, filters, n, size) for n in range(1, len(everything) // size + 2)]
    assert all(list(p.columns) == list(queries.TABLE_COLUMNS) for p in pages)
    seen = [tuple(r) for p in pages for r in p.astype(object).where(p.notna(), None).values]
    want = [tuple(r) for r in everything.astype(object).where(everything.notna(), None).values]
    assert sorted(seen, key=repr) == sorted(want, key=repr) and len(seen) == len(want) > size
    rank = {"ERROR": 0, "WARNING": 1, "INFO": 2}
    order = [(rank[r[1]], r[2] is None, r[2] or "", r[0] is None, r[0] or "") for r in seen]
    assert order == sorted(order)              # errors first, then code, then SKU (missing last), across pages


def test_run_counts_come_from_the_masks_and_match_the_rows(checked):
    con, run = checked
    by_severity = dict(con.execute("SELECT severity, count(*) FROM violations WHERE source = 'rule' GROUP BY 1").fetchall())
    assert {s: n for s, n in run.counts.items() if n} == by_severity
    blocked = con.execute("SELECT count(DISTINCT coalesce(sku, '')) FROM violations WHERE source = 'rule' "
                          "AND severity = 'ERROR'").fetchone()[0]
    assert run.blocked_products == blocked


def test_a_rules_run_keeps_other_sources_and_the_rule_rows_belong_to_their_product(checked):
    con, _ = checked
    assert con.execute("SELECT count(*) FROM violations WHERE source <> 'rule'").fetchone()[0] == len(OTHERS)
    # the duplicated SKU C: each product's rows carry its own category (the price one is Maison's)
    cats = dict(con.execute("SELECT code, product_category FROM violation_rows WHERE sku = 'C' "
                            "AND code IN ('TITLE_TOO_LONG', 'PRICE_NOT_NUMBER')").fetchall())
    assert cats == {"TITLE_TOO_LONG": "Jardin", "PRICE_NOT_NUMBER": "Maison"}
    assert con.execute("SELECT category FROM violation_products WHERE sku = 'B'").fetchone()[0] == "Maison"


def test_a_database_with_the_former_violations_table_is_upgraded(con):
    make_products(con, [product(sku="A", price="0")])
    con.execute("DROP VIEW violation_products")
    con.execute("DROP VIEW violation_rows")
    con.execute("DROP VIEW violations")
    con.execute("CREATE TABLE violations AS SELECT * FROM violations_other")
    con.execute("INSERT INTO violations VALUES ('amazon', 'A', 'brand', 'brand', '8541', 'ERROR', 'X', NULL, 'm', 'h'), "
                "('rule', 'OLD', 'title', 'item_name', 'TITLE_MISSING', 'ERROR', 'X', NULL, 'm', 'h')")
    con.execute("CREATE TABLE violation_products (sku VARCHAR, category VARCHAR, supplier VARCHAR)")
    validate(con)
    kinds = dict(con.execute("SELECT table_name, table_type FROM information_schema.tables "
                             "WHERE table_name IN ('violations', 'violation_products')").fetchall())
    assert kinds == {"violations": "VIEW", "violation_products": "VIEW"}
    rows = set(con.execute("SELECT source, sku, code FROM violations").fetchall())
    assert ("amazon", "A", "8541") in rows and ("rule", "A", "PRICE_NOT_POSITIVE") in rows
    assert not any(sku == "OLD" for _, sku, _ in rows)     # the former rule rows are replaced by the run


def test_a_message_cannot_read_the_selection_once_rendered_on_read():
    bad = Rule("X_SEL", "title", "item_name", "ERROR", "INVALID_ATTRIBUTE", "p.title IS NULL", {}, {},
               params={"n": "(SELECT count(*) FROM {sel})"})
    with pytest.raises(ValueError, match="X_SEL"):
        describe_sql(_checks([bad]), "fr")
